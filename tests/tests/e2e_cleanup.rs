//! The example app removes expired credentials on its own, every
//! `cleanup_interval` seconds, from the database it serves.

use std::sync::Arc;
use std::time::{Duration, Instant};

use oauth_core::{NewToken, OAuth2Storage, secrets};
use oauth_tests::app::{TestApp, new_secret_key};
use oauth_tests::db::TestDb;
use serde_json::json;

fn token(name: &str, issued_at: i64) -> NewToken {
    NewToken {
        client_id: "app".into(),
        user_id: None,
        token_type: "Bearer".into(),
        access_token_digest: secrets::digest(name),
        refresh_token_digest: None,
        scope: "profile".into(),
        refresh_token_scope: "profile".into(),
        issued_at,
        expires_in: 3600,
        grant_id: format!("grant-{name}"),
        authentication: None,
        grant_issued_at: None,
        dpop_jkt: None,
        audience: None,
        refresh_token_audience: None,
        actor: None,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// An expired token and a live one in the app's database.
async fn seed(db: &TestDb) -> oauth_diesel::StandardStorage {
    let storage = db.storage();
    storage
        .save_token(token("expired", now() - 7200))
        .await
        .unwrap();
    storage.save_token(token("live", now())).await.unwrap();
    storage
}

async fn present(storage: &oauth_diesel::StandardStorage, name: &str) -> bool {
    storage
        .find_access_token(&secrets::digest(name))
        .await
        .unwrap()
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_removed_while_the_app_runs_and_live_ones_kept() {
    let db = Arc::new(TestDb::sqlite());
    let storage = seed(&db).await;
    let _app = TestApp::start_with(db, &new_secret_key(), &[("cleanup_interval", json!(1))]).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while present(&storage, "expired").await {
        assert!(
            Instant::now() < deadline,
            "the expired token is still stored"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(present(&storage, "live").await, "the live token is kept");
}
