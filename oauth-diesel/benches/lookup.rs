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
//! And the bearer check of a handler that needs the token's user, through
//! the storage and its pool, on two threads at once (as Rocket's two
//! workers run it on this kind of machine):
//!
//! - `baseline: token, then user`: `find_access_token`, then the user
//!   lookup in a second `DbPool::run`: two SQLite read transactions;
//! - `together`: `UserStorage::find_access_token_and_user`, one read
//!   transaction (`DbPool::run_together`), what `RequireOAuthUser` calls.
//!
//! And what remembering consent adds to an authorization, through the
//! storage on a SQLite file (one thread):
//!
//! - `baseline: save_authorization_code`: the write every granted
//!   authorization makes anyway;
//! - `save_grant, merged into the user's grant`: what `with_grants()` adds
//!   to each authorization (a locked read and an update in one
//!   transaction);
//! - `find_grant`: what asking for the remembered consent reads.
//!
//! Run with `cargo bench -p oauth-diesel`; read the ratios to `baseline`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use diesel::prelude::*;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use oauth_core::{NewToken, OAuth2Storage, OAuth2Token, UserStorage};
use oauth_diesel::models::Token;
use oauth_diesel::schema::oauth2_token as t;
use oauth_diesel::{AnyConnection, DbPool, DieselToken, DieselUser, OAuth2User, StandardStorage};

diesel::table! {
    bench_user (id) {
        id -> Integer,
        name -> Text,
    }
}

/// An application's user model.
#[derive(Queryable, Selectable, OAuth2User)]
#[diesel(table_name = bench_user)]
struct User {
    id: i32,
    name: String,
}

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
            authentication: None,
            grant_issued_at: None,
            dpop_jkt: None,
            audience: None,
            refresh_token_audience: None,
            actor: None,
        };
        Token::insert(&mut conn, &token).expect("insert");
    }
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "CREATE TABLE IF NOT EXISTS bench_user (id INTEGER PRIMARY KEY, name TEXT NOT NULL); \
         INSERT OR IGNORE INTO bench_user (id, name) VALUES (1, 'alice');",
    )
    .expect("users");
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

/// Runs `op` `iters` times, split over two threads each with its own
/// runtime (the storage is shared, as Rocket's workers share it). The
/// time is from a common start, after the threads and runtimes exist, to
/// the last thread's end.
fn on_two_threads<F, Fut>(storage: &StandardStorage, iters: u64, op: F) -> Duration
where
    F: Fn(StandardStorage) -> Fut + Send + Sync + Copy + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let start = Arc::new(Barrier::new(2));
    let threads: Vec<_> = (0..2u64)
        .map(|i| {
            let (storage, start) = (storage.clone(), start.clone());
            let n = iters / 2 + i * (iters % 2);
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("runtime");
                start.wait();
                let began = Instant::now();
                rt.block_on(async {
                    for _ in 0..n {
                        op(storage.clone()).await;
                    }
                });
                (began, Instant::now())
            })
        })
        .collect();
    let spans: Vec<(Instant, Instant)> = threads
        .into_iter()
        .map(|t| t.join().expect("bench thread"))
        .collect();
    let began = spans.iter().map(|s| s.0).min().expect("two threads");
    let ended = spans.iter().map(|s| s.1).max().expect("two threads");
    ended - began
}

fn token_and_user(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("oauth-diesel-bench-u-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    drop(connection(&dir));
    let url = format!("sqlite://{}/bench.sqlite", dir.display());
    let storage = StandardStorage::new(DbPool::connect(&url).expect("pool"));

    let mut group = c.benchmark_group("token and its user (SQLite, 2 threads)");
    group.bench_function("baseline: token, then user", |b| {
        b.iter_custom(|iters| {
            on_two_threads(&storage, iters, |s| async move {
                let token = s
                    .find_access_token(black_box("digest-500"))
                    .await
                    .expect("token")
                    .expect("found");
                let id = token.user_id().expect("user id");
                let user = s
                    .pool()
                    .run(move |conn| User::find_by_user_id(conn, &id))
                    .await
                    .expect("user");
                black_box(user.map(|u| (u.id, u.name)));
            })
        })
    });
    group.bench_function("together: find_access_token_and_user", |b| {
        b.iter_custom(|iters| {
            on_two_threads(&storage, iters, |s| async move {
                let found: Option<(Token, Option<User>)> = s
                    .find_access_token_and_user(black_box("digest-500"))
                    .await
                    .expect("token and user");
                black_box(found.and_then(|(_, u)| u).map(|u| (u.id, u.name)));
            })
        })
    });
    group.finish();
    drop(storage);
    let _ = std::fs::remove_dir_all(&dir);
}

fn grants(c: &mut Criterion) {
    use oauth_core::NewAuthorizationCode;
    use oauth_core::consent::{GrantStorage, NewGrant};
    let dir = std::env::temp_dir().join(format!("oauth-diesel-bench-g-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    drop(connection(&dir));
    let url = format!("sqlite://{}/bench.sqlite", dir.display());
    let storage = StandardStorage::new(DbPool::connect(&url).expect("pool"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let consent = |at: i64| NewGrant {
        client_id: "app".into(),
        user_id: "1".into(),
        scope: "profile email".into(),
        claims: String::new(),
        at,
    };
    rt.block_on(storage.save_grant(consent(0)))
        .expect("first grant");

    let mut group = c.benchmark_group("remembered consent (SQLite)");
    let mut n = 0u64;
    group.bench_function("baseline: save_authorization_code", |b| {
        b.iter(|| {
            n += 1;
            let code = NewAuthorizationCode {
                code_digest: format!("code-{n}"),
                client_id: "app".into(),
                user_id: "1".into(),
                redirect_uri: None,
                response_type: "code".into(),
                scope: "profile".into(),
                auth_time: 0,
                code_challenge: None,
                code_challenge_method: None,
                nonce: None,
                authentication: None,
                dpop_jkt: None,
                audience: None,
            };
            rt.block_on(storage.save_authorization_code(code))
                .expect("code");
        })
    });
    let mut at = 0;
    group.bench_function("save_grant, merged into the user's grant", |b| {
        b.iter(|| {
            at += 1;
            rt.block_on(storage.save_grant(consent(at))).expect("grant");
        })
    });
    group.bench_function("find_grant", |b| {
        b.iter(|| black_box(rt.block_on(storage.find_grant("1", "app")).expect("grant")))
    });
    group.finish();
    drop(storage);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, lookup, token_and_user, grants);
criterion_main!(benches);
