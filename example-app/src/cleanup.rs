//! Removes what can no longer be used (authorization codes past their
//! lifetime, tokens whose access and refresh tokens have both expired,
//! device codes, OAuth 1.0a temporary credentials and nonces, the site's
//! sessions past their end) every
//! `cleanup_interval` seconds (3600 by default; 0 turns it off), so the
//! tables hold what is live rather than every credential ever issued.

use std::time::Duration;

use std::sync::Arc;

use oauth_core::AuthorizationServer;
use oauth_core::oauth1::OAuth1Server;
use oauth_core::rocket::{OAuth1, OAuth2};
use rocket::fairing::AdHoc;
use rocket::tokio;

/// Seconds between two cleanups when `cleanup_interval` is not set.
pub const DEFAULT_INTERVAL: u64 = 3600;

type OAuth2Server = AuthorizationServer<crate::oauth2::Store>;
type OAuth1Provider = OAuth1Server<crate::oauth1::Store>;

/// Starts the periodic cleanup at liftoff; it stops at shutdown.
pub fn fairing() -> AdHoc {
    AdHoc::on_liftoff("Cleanup of expired credentials", |rocket| {
        Box::pin(async move {
            let interval: u64 = rocket
                .figment()
                .extract_inner("cleanup_interval")
                .unwrap_or(DEFAULT_INTERVAL);
            let (Some(oauth2), Some(oauth1)) = (
                rocket
                    .state::<OAuth2<crate::oauth2::Store>>()
                    .map(|s| Arc::clone(&s.server)),
                rocket
                    .state::<OAuth1<crate::oauth1::Store>>()
                    .map(|s| Arc::clone(&s.server)),
            ) else {
                return;
            };
            if interval == 0 {
                return;
            }
            let mut shutdown = rocket.shutdown();
            tokio::spawn(async move {
                // The first one after a full interval: not during start-up.
                let period = Duration::from_secs(interval);
                let mut tick =
                    tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                loop {
                    tokio::select! {
                        _ = tick.tick() => run_once(&oauth2, &oauth1).await,
                        _ = &mut shutdown => return,
                    }
                }
            });
        })
    })
}

/// One cleanup of both protocols' tables; failures are logged and retried
/// at the next tick.
pub async fn run_once(oauth2: &OAuth2Server, oauth1: &OAuth1Provider) {
    let server = oauth2;
    let config = server.config();
    let removed = server
        .storage()
        .delete_expired(
            server.now(),
            config.lifetimes.authorization_code,
            config.lifetimes.refresh_token,
            server.grant_expiry(),
        )
        .await;
    match removed {
        Ok(removed) => tracing::info!("cleanup: {removed:?}"),
        Err(e) => tracing::warn!("cleanup of OAuth 2.0 tables failed: {e}"),
    }
    match crate::db::delete_expired_sessions(server.storage().pool(), server.now()).await {
        Ok(n) => tracing::info!("cleanup: {n} expired sessions"),
        Err(e) => tracing::warn!("cleanup of sessions failed: {e}"),
    }
    // The signing keys' schedule: a new key when the current one is
    // `signing_keys.rotate_after` old, retired keys removed once nothing
    // they signed can still be presented.
    if let Some(ring) = server.key_ring() {
        match ring.rotate_if_due(server.storage(), server.now()).await {
            Ok(Some(kid)) => tracing::info!("signing key rotated: new kid {kid}"),
            Ok(None) => {}
            Err(e) => tracing::warn!("signing key rotation failed: {e}"),
        }
    }
    let server = oauth1;
    match server.storage().delete_expired(server.now()).await {
        Ok(removed) => tracing::info!("cleanup: {removed:?}"),
        Err(e) => tracing::warn!("cleanup of OAuth 1.0a tables failed: {e}"),
    }
}
