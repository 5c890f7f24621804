//! "Sign in with the example app" by Authlib's OpenID Connect client
//! (`oidc_authlib_rp.py`), a relying party written by others in another
//! language: it discovers the provider, builds the request (nonce, PKCE),
//! exchanges the code and validates the ID token with its own OpenID
//! Connect rules (iss, aud, exp, iat, nonce, at_hash) against the JWK Set,
//! then reads UserInfo. The user's browser part (login, consent) is
//! driven here. On SQLite, PostgreSQL and MySQL.
//!
//! Without Python and Authlib the test notes it and passes, unless
//! `OAUTH_TEST_REQUIRE` contains `python`: then it fails.

use oauth_tests::app::{REDIRECT_URI, TestApp, credentials};
use serde_json::{Value, json};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc_authlib_rp.py");

oauth_tests::e2e_on_every_backend!(authlib_signs_in_with_the_code_flow);

fn authlib(spec: &Value) -> Option<Value> {
    oauth_tests::python::run_script(
        SCRIPT,
        spec,
        "Authlib OpenID Connect",
        "pip install authlib requests",
    )
}

async fn authlib_signs_in_with_the_code_flow(app: &TestApp) {
    let browser = app.logged_in("erin").await;
    let (client_id, client_secret) = credentials(
        &browser
            .register_client_json(&json!({
                "client_name": "Authlib RP",
                "redirect_uris": [REDIRECT_URI],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "scope": "openid profile email",
                "token_endpoint_auth_method": "client_secret_basic",
            }))
            .await,
    );
    let mut spec = json!({
        "step": "url",
        "issuer": app.url(""),
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": REDIRECT_URI,
    });
    // Python runs outside the async runtime's worker.
    let url_spec = spec.clone();
    let Some(request) = tokio::task::spawn_blocking(move || authlib(&url_spec))
        .await
        .unwrap()
    else {
        return;
    };
    let url = request["url"].as_str().unwrap();
    assert!(url.starts_with(&app.url("/oauth/authorize?")), "{url}");
    let query = url.split_once('?').unwrap().1;
    let page = browser.consent_page(query).await;
    let r = browser
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(302);
    for key in ["state", "nonce", "code_verifier"] {
        spec[key] = request[key].clone();
    }
    spec["step"] = "token".into();
    spec["callback"] = r.expect_location().into();
    let out = tokio::task::spawn_blocking(move || authlib(&spec))
        .await
        .unwrap()
        .expect("Authlib ran for the first step");
    let claims = &out["claims"];
    assert_eq!(claims["iss"], app.url(""));
    assert_eq!(claims["aud"], client_id);
    assert_eq!(claims["nonce"], request["nonce"]);
    assert!(claims["auth_time"].is_i64(), "{claims}");
    assert!(claims["at_hash"].is_string(), "{claims}");
    assert_eq!(out["wrong_nonce_refused"], true);
    let userinfo = &out["userinfo"];
    assert_eq!(userinfo["sub"], claims["sub"]);
    assert_eq!(userinfo["preferred_username"], "erin");
    assert_eq!(userinfo["email"], "erin@example.test");
}
