//! A small Rocket site of a test's own, served on a free port of
//! 127.0.0.1 over real HTTP, and bearer tokens saved straight into its
//! storage (for tests of the guards, which need tokens, not a flow).

use std::time::{Duration, Instant};

use oauth_core::{NewToken, secrets};
use rocket::figment::Figment;
use rocket::{Build, Rocket, Shutdown};

/// A served site; shut down when dropped.
pub struct Served {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shutdown: Shutdown,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Rocket's configuration for a test site: a free port, no log, plain HTTP
/// allowed for OAuth. Hand it to `build` and the result to [`serve`].
pub fn figment() -> (Figment, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let figment = rocket::Config::figment()
        .merge(("port", port))
        .merge(("address", "127.0.0.1"))
        .merge(("log_level", "off"))
        .merge(("shutdown.ctrlc", false))
        .merge(("oauth2.insecure_transport", true));
    (figment, port)
}

/// Launches `rocket` (built on [`figment`]'s configuration, port `port`)
/// and waits until `GET probe` answers.
pub async fn serve(rocket: Rocket<Build>, port: u16, probe: &str) -> Served {
    let rocket = rocket.ignite().await.expect("ignite");
    let shutdown = rocket.shutdown();
    tokio::spawn(rocket.launch());
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{base}{probe}")).await.is_err() {
        assert!(Instant::now() < deadline, "{base} did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Served { base, shutdown }
}

/// A live bearer token of client `app` for `raw`, with `scope`, acting for
/// `user_id`, to save into a storage.
pub fn bearer_token(raw: &str, user_id: Option<&str>, scope: &str) -> NewToken {
    let now = std::time::UNIX_EPOCH
        .elapsed()
        .map_or(0, |d| d.as_secs() as i64);
    NewToken {
        client_id: "app".into(),
        user_id: user_id.map(str::to_owned),
        token_type: "Bearer".into(),
        access_token_digest: secrets::digest(raw),
        refresh_token_digest: None,
        scope: scope.into(),
        refresh_token_scope: scope.into(),
        issued_at: now,
        expires_in: 3600,
        grant_id: format!("grant-{raw}"),
        authentication: None,
        grant_issued_at: None,
        dpop_jkt: None,
        audience: None,
        refresh_token_audience: None,
        actor: None,
    }
}
