//! DPoP (RFC 9449) over HTTP, by a client library written by others:
//! requests-oauth2client (`oauth2_client.py`) generates a key, proves it
//! at `/oauth/token`, and calls `/api/me` with `Authorization: DPoP` and a
//! fresh proof per request; introspection shows the binding (`cnf.jkt`).
//! The same token presented as a bearer token is refused with a DPoP
//! challenge. On SQLite, PostgreSQL and MySQL.
//!
//! Without Python and the library the test notes it and passes, unless
//! `OAUTH_TEST_REQUIRE` contains `python`: then it fails.

use oauth_tests::app::{TestApp, credentials};
use oauth_tests::python::oauth2_client;
use serde_json::json;

oauth_tests::e2e_on_every_backend!(requests_oauth2client_uses_a_dpop_bound_token);

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
    let browser = app.logged_in("erin").await;
    let (id, secret) = credentials(
        &browser
            .register_client_json(&json!({
                "grant_types": ["password"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }))
            .await,
    );
    let Some(out) = oauth2_client(json!({
        "step": "dpop",
        "issuer": app.url(""),
        "client_id": id,
        "client_secret": secret,
        "username": "erin",
        "resource": app.url("/api/me"),
    }))
    .await
    else {
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
