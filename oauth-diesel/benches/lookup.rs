//! The token lookup behind every bearer check, on a SQLite file, three ways.
//!
//! - `baseline`: the query as a Diesel user would write it for one backend,
//!   on a `SqliteConnection` (Diesel's statement cache, no `LIMIT`);
//! - `derived`: what `#[derive(OAuth2Token)]` generates
//!   (`DieselToken::find_by_access_digest` on an `AnyConnection`);
//! - `first_through_any_connection`: the obvious way to write it,
//!   `.first()` on the `AnyConnection`. `first` adds `LIMIT ?`, whose bound
//!   value SQLite treats as an input of the plan, so the statement is
//!   prepared again at each execution; and `MultiConnection` renders the SQL
//!   each time. This is the cost the derive avoids.
//!
//! Run with `cargo bench -p oauth-diesel`; read the ratios to `baseline`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use diesel::prelude::*;
use oauth_core::NewToken;
use oauth_diesel::models::Token;
use oauth_diesel::schema::oauth2_token as t;
use oauth_diesel::{AnyConnection, DieselToken};

fn connection(dir: &std::path::Path) -> AnyConnection {
    let url = format!("sqlite://{}/bench.sqlite", dir.display());
    let mut conn = oauth_diesel::establish(&url).expect("open");
    oauth_diesel::migrations::run_migrations(&mut conn).expect("migrate");
    for i in 0..1000 {
        let token = NewToken {
            client_id: "app".into(),
            user_id: Some("1".into()),
            token_type: "Bearer".into(),
            access_token_digest: format!("digest-{i}"),
            refresh_token_digest: None,
            scope: "profile".into(),
            refresh_token_scope: "profile".into(),
            issued_at: 0,
            expires_in: 3600,
            grant_id: format!("grant-{i}"),
        };
        Token::insert(&mut conn, &token).expect("insert");
    }
    conn
}

fn lookup(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("oauth-diesel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut conn = connection(&dir);
    let digest = "digest-500";

    let mut group = c.benchmark_group("token lookup (SQLite)");
    group.bench_function("baseline: SqliteConnection, get_result", |b| {
        let AnyConnection::Sqlite(sqlite) = &mut conn else {
            unreachable!("a SQLite URL")
        };
        b.iter(|| {
            let found: Option<Token> = t::table
                .filter(t::access_token.eq(black_box(digest)))
                .select(Token::as_select())
                .get_result(sqlite)
                .optional()
                .expect("query");
            black_box(found)
        })
    });
    group.bench_function("derived: DieselToken::find_by_access_digest", |b| {
        b.iter(|| black_box(Token::find_by_access_digest(&mut conn, black_box(digest))))
    });
    group.bench_function("first_through_any_connection", |b| {
        b.iter(|| {
            let found: Option<Token> = t::table
                .filter(t::access_token.eq(black_box(digest)))
                .select(Token::as_select())
                .first(&mut conn)
                .optional()
                .expect("query");
            black_box(found)
        })
    });
    group.finish();
    drop(conn);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, lookup);
criterion_main!(benches);
