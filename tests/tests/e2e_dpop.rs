//! DPoP (RFC 9449) over HTTP, by a client library written by others:
//! requests-oauth2client (`oauth2_client.py`) generates a key, proves it
//! at `/oauth/token`, and calls `/api/me` with `Authorization: DPoP` and a
//! fresh proof per request; introspection shows the binding (`cnf.jkt`).
//! The same token presented as a bearer token is refused with a DPoP
//! challenge. With `dpop.nonce_key` set, the server asks for its nonce
//! (`use_dpop_nonce`, `DPoP-Nonce`) at the token endpoint and at the
//! resource, and the library follows it. On SQLite, PostgreSQL and MySQL.
//!
//! Without Python and the library the test notes it and passes, unless
//! `OAUTH_TEST_REQUIRE` contains `python`: then it fails.

use std::sync::Arc;

use oauth_core::jose::{Algorithm, SigningKey};
use oauth_tests::app::{TestApp, basic_auth, credentials, new_secret_key};
use oauth_tests::db::TestDb;
use oauth_tests::python::oauth2_client;
use serde_json::json;

oauth_tests::e2e_on_every_backend!(requests_oauth2client_uses_a_dpop_bound_token);

/// A confidential client of erin's for the password grant: its id and
/// secret.
async fn password_client(app: &TestApp) -> (String, String) {
    let browser = app.logged_in("erin").await;
    credentials(
        &browser
            .register_client_json(&json!({
                "grant_types": ["password"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }))
            .await,
    )
}

/// The library's DPoP step (`oauth2_client.py`) for that client: a bound
/// token, used twice at `/api/me`, then introspected.
async fn library_dpop(app: &TestApp, id: &str, secret: &str) -> Option<serde_json::Value> {
    oauth2_client(json!({
        "step": "dpop",
        "issuer": app.url(""),
        "client_id": id,
        "client_secret": secret,
        "username": "erin",
        "resource": app.url("/api/me"),
    }))
    .await
}

async fn requests_oauth2client_uses_a_dpop_bound_token(app: &TestApp) {
    let metadata = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert!(
        metadata["dpop_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("ES256")),
        "{metadata}"
    );
    let (id, secret) = password_client(app).await;
    let Some(out) = library_dpop(app, &id, &secret).await else {
        return;
    };
    assert_eq!(out["token_type"], "DPoP", "{out}");
    assert_eq!(out["me"]["status"], 200, "{out}");
    assert_eq!(out["me"]["body"]["username"], "erin", "{out}");
    assert_eq!(out["me_again"], 200, "a fresh proof each time: {out}");
    assert_eq!(out["cnf"]["jkt"], out["jkt"], "{out}");
    // §7.2: the bound token as a bearer token is refused, with the DPoP
    // challenge.
    let token = out["access_token"].as_str().unwrap();
    let r = app.api().me(Some(token)).await;
    r.assert_status(401);
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(challenge.contains("algs="), "{challenge}");
}

/// The app with `dpop.nonce_key` set, on each backend.
mod nonces {
    use super::*;

    oauth_tests::e2e_on_every_backend_db!(requests_oauth2client_follows_the_servers_dpop_nonces);

    /// RFC 9449 §8, §9 with the nonce switched on: a proof without the nonce
    /// is refused with the nonce to use; the library, told so, retries with
    /// it at the token endpoint and at the resource.
    async fn requests_oauth2client_follows_the_servers_dpop_nonces(db: TestDb) {
        let key = "ZXhhbXBsZS1ub25jZS1rZXktb2YtMzItYnl0ZXMhISE=";
        let app = TestApp::start_with(
            Arc::new(db),
            &new_secret_key(),
            &[("oauth2.dpop.nonce_key", json!(key))],
        )
        .await;
        let (id, secret) = password_client(&app).await;
        // A proof without a nonce, sent by hand: refused, with the nonce.
        let proof_key = SigningKey::generate(Algorithm::ES256).unwrap();
        let now = std::time::UNIX_EPOCH.elapsed().unwrap().as_secs();
        let proof = proof_key
            .sign_with_jwk(
                "dpop+jwt",
                &json!({"htm": "POST", "htu": app.url("/oauth/token"), "iat": now, "jti": "n1"}),
            )
            .unwrap();
        let r = app
            .api()
            .http
            .post(app.url("/oauth/token"))
            .header("Authorization", basic_auth(&id, &secret))
            .header("DPoP", proof)
            .form(&[
                ("grant_type", "password"),
                ("username", "erin"),
                ("password", "valid"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.headers().get("dpop-nonce").is_some(), "{:?}", r.headers());
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "use_dpop_nonce", "{body}");

        let Some(out) = library_dpop(&app, &id, &secret).await else {
            return;
        };
        assert_eq!(out["token_type"], "DPoP", "{out}");
        assert_eq!(out["me"]["status"], 200, "{out}");
        assert_eq!(out["me_again"], 200, "{out}");
        assert_eq!(out["cnf"]["jkt"], out["jkt"], "{out}");
    }
}
