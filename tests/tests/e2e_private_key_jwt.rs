//! `private_key_jwt` and `client_secret_jwt` client authentication (RFC
//! 7523 §2.2, OpenID Connect Core §9) over HTTP, by a client library
//! written by others:
//! requests-oauth2client (`oauth2_client.py`) generates its key
//! pair, the client registers the public key at `/oauth/register`, and the
//! library signs a fresh assertion for each of the token, introspection
//! and revocation endpoints; a `client_secret_jwt` client signs them by
//! HMAC with the secret registration gave it. An assertion is accepted
//! once. On SQLite,
//! PostgreSQL and MySQL; the replay across two instances is in
//! `e2e_multi_instance.rs`.
//!
//! Without Python and the library the test notes it and passes, unless
//! `OAUTH_TEST_REQUIRE` contains `python`: then it fails.

use oauth_tests::app::{ClientAuth, TestApp};
use oauth_tests::python::oauth2_client;
use serde_json::{Value, json};

oauth_tests::e2e_on_every_backend!(
    requests_oauth2client_authenticates_with_private_key_jwt,
    requests_oauth2client_authenticates_with_client_secret_jwt,
    an_assertion_is_accepted_once,
    registration_refuses_private_keys_and_missing_jwks,
);

/// A key pair from the library, and a client registered with its public
/// half: `(client_id, private JWK)`.
async fn registered(app: &TestApp, alg: &str) -> Option<(String, Value)> {
    let keys = oauth2_client(json!({"step": "key", "alg": alg})).await?;
    let browser = app.logged_in("erin").await;
    let client = browser
        .register_client_json(&json!({
            "client_name": "Signed client",
            "grant_types": ["client_credentials"],
            "scope": "profile",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [keys["public"]]},
        }))
        .await;
    assert_eq!(client["token_endpoint_auth_method"], "private_key_jwt");
    assert!(client.get("client_secret").is_none(), "{client}");
    Some((
        client["client_id"].as_str().unwrap().to_owned(),
        keys["private"].clone(),
    ))
}

async fn requests_oauth2client_authenticates_with_private_key_jwt(app: &TestApp) {
    let metadata = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert!(
        metadata["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("private_key_jwt")),
        "{metadata}"
    );
    for alg in ["ES256", "EdDSA", "RS256"] {
        let Some((client_id, private)) = registered(app, alg).await else {
            return;
        };
        let out = oauth2_client(json!({
            "step": "flow",
            "issuer": app.url(""),
            "client_id": client_id,
            "private": private,
        }))
        .await
        .expect("the library ran for the key step");
        assert_eq!(out["scope"], "profile", "{alg}: {out}");
        assert_eq!(out["active_before"], true, "{alg}: {out}");
        assert_eq!(out["client_id"], client_id.as_str());
        assert_eq!(out["active_after"], false, "{alg}: revoked");
        assert_eq!(out["wrong_aud_error"], "invalid_client", "{alg}: {out}");
    }
}

async fn requests_oauth2client_authenticates_with_client_secret_jwt(app: &TestApp) {
    let metadata = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    let listed = |field: &str, value: &str| {
        metadata[field]
            .as_array()
            .is_some_and(|a| a.contains(&json!(value)))
    };
    assert!(
        listed("token_endpoint_auth_methods_supported", "client_secret_jwt"),
        "{metadata}"
    );
    assert!(
        listed("token_endpoint_auth_signing_alg_values_supported", "HS256"),
        "{metadata}"
    );
    let browser = app.logged_in("erin").await;
    for alg in ["HS256", "HS512"] {
        let client = browser
            .register_client_json(&json!({
                "client_name": "HMAC client",
                "grant_types": ["client_credentials"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_jwt",
            }))
            .await;
        let client_id = client["client_id"].as_str().unwrap();
        let secret = client["client_secret"].as_str().expect("a secret");
        oauth_tests::logs::saw_secret(secret);
        let spec = json!({
            "issuer": app.url(""),
            "client_id": client_id,
            "client_secret": secret,
            "alg": alg,
        });
        let mut flow = spec.clone();
        flow["step"] = "flow".into();
        let Some(out) = oauth2_client(flow).await else {
            return;
        };
        assert_eq!(out["scope"], "profile", "{alg}: {out}");
        assert_eq!(out["active_before"], true, "{alg}: {out}");
        assert_eq!(out["active_after"], false, "{alg}: revoked");
        assert_eq!(out["wrong_aud_error"], "invalid_client", "{alg}: {out}");
        // Once only, as every assertion.
        let mut one = spec.clone();
        one["step"] = "assertion".into();
        one["aud"] = app.url("/oauth/token").into();
        let out = oauth2_client(one).await.unwrap();
        let assertion = out["assertion"].as_str().unwrap();
        let form = [("grant_type", "client_credentials")];
        app.api()
            .token_ok(ClientAuth::Assertion(assertion), &form)
            .await;
        let again = app
            .api()
            .token(ClientAuth::Assertion(assertion), &form)
            .await;
        again.assert_status(400);
        assert_eq!(again.json()["error"], "invalid_client");
        // The secret is not accepted as a plain secret: the client
        // registered the HMAC method.
        let basic = app
            .api()
            .token(ClientAuth::Basic(client_id, secret), &form)
            .await;
        basic.assert_status(401);
    }
}

async fn an_assertion_is_accepted_once(app: &TestApp) {
    let Some((client_id, private)) = registered(app, "ES256").await else {
        return;
    };
    let out = oauth2_client(json!({
        "step": "assertion",
        "client_id": client_id,
        "private": private,
        "aud": app.url("/oauth/token"),
    }))
    .await
    .unwrap();
    let assertion = out["assertion"].as_str().unwrap();
    let form = [("grant_type", "client_credentials")];
    let first = app
        .api()
        .token_ok(ClientAuth::Assertion(assertion), &form)
        .await;
    assert!(first["access_token"].is_string());
    let tokens = app.stored_tokens().await;
    let again = app
        .api()
        .token_error(
            ClientAuth::Assertion(assertion),
            &form,
            400,
            "invalid_client",
        )
        .await;
    assert!(
        again["error_description"].as_str().unwrap().contains("jti"),
        "{again}"
    );
    assert_eq!(
        app.stored_tokens().await,
        tokens,
        "nothing issued to a replay"
    );
}

async fn registration_refuses_private_keys_and_missing_jwks(app: &TestApp) {
    let Some(keys) = oauth2_client(json!({"step": "key", "alg": "ES256"})).await else {
        return;
    };
    let browser = app.logged_in("erin").await;
    for (jwks, why) in [
        (json!({"keys": [keys["private"]]}), "a private key"),
        (json!({"keys": []}), "no key"),
        (Value::Null, "no jwks"),
    ] {
        let mut metadata = json!({
            "grant_types": ["client_credentials"],
            "token_endpoint_auth_method": "private_key_jwt",
        });
        if !jwks.is_null() {
            metadata["jwks"] = jwks;
        }
        let r = browser.post_json("/oauth/register", &metadata).await;
        r.assert_status(400);
        assert_eq!(r.json()["error"], "invalid_client_metadata", "{why}");
    }
}
