//! The storage conformance suite on models whose instants are `TIMESTAMP`
//! columns read as `chrono::NaiveDateTime` (`oauth_tests::chrono_models`),
//! on SQLite, PostgreSQL and MySQL: the same behaviour as on integer
//! seconds, expiry and polling intervals included, although no query adds
//! seconds to a timestamp in SQL.

use oauth_tests::chrono_models::{ChronoStorage, chrono_storage};
use oauth_tests::db::TestDb;

fn on(db: Option<TestDb>) -> Option<(TestDb, ChronoStorage)> {
    let db = db?;
    let storage = chrono_storage(&db);
    Some((db, storage))
}

mod sqlite {
    use super::*;
    oauth_tests::all_storage_tests!(on(Some(TestDb::sqlite())));

    #[tokio::test]
    async fn cleanup_removes_only_what_is_spent() {
        let (_db, s) = on(Some(TestDb::sqlite())).unwrap();
        oauth_tests::suite::cleanup_removes_only_what_is_spent_from(&s).await;
    }
}

mod postgres {
    use super::*;
    oauth_tests::all_storage_tests!(on(TestDb::postgres()));

    #[tokio::test]
    async fn cleanup_removes_only_what_is_spent() {
        let Some((_db, s)) = on(TestDb::postgres()) else {
            return;
        };
        oauth_tests::suite::cleanup_removes_only_what_is_spent_from(&s).await;
    }
}

mod mysql {
    use super::*;
    oauth_tests::all_storage_tests!(on(TestDb::mysql()));

    #[tokio::test]
    async fn cleanup_removes_only_what_is_spent() {
        let Some((_db, s)) = on(TestDb::mysql()) else {
            return;
        };
        oauth_tests::suite::cleanup_removes_only_what_is_spent_from(&s).await;
    }
}

/// What the chrono models write is a timestamp a person (or another
/// program) reads as the time in UTC, not a number of seconds.
#[tokio::test]
async fn instants_are_stored_as_utc_timestamps() {
    use diesel::prelude::*;
    use oauth_core::{NewToken, OAuth2Storage};
    use oauth_tests::chrono_models::ct_token;

    let (db, s) = on(Some(TestDb::sqlite())).unwrap();
    s.save_token(NewToken {
        client_id: "app".into(),
        user_id: None,
        token_type: "Bearer".into(),
        access_token_digest: "a".into(),
        refresh_token_digest: None,
        scope: "profile".into(),
        refresh_token_scope: "profile".into(),
        issued_at: 1_700_000_000,
        expires_in: 3600,
        grant_id: "g".into(),
        authentication: None,
        grant_issued_at: None,
        dpop_jkt: None,
        audience: None,
        refresh_token_audience: None,
        actor: None,
    })
    .await
    .unwrap();
    let mut conn = db.connect();
    let issued: oauth_diesel::chrono::NaiveDateTime =
        oauth_diesel::on_backend!(&mut conn, |c| ct_token::table
            .select(ct_token::issued_at)
            .get_result(c))
        .unwrap();
    assert_eq!(issued.to_string(), "2023-11-14 22:13:20");
}
