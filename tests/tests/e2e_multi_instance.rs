//! Two example-app instances on one database (same `DATABASE_URL`, two
//! ports, the same cookie key), as behind a load balancer: nothing lives
//! only in one process, so a user's flow may hop between them. PostgreSQL
//! and MySQL only (`DATABASE_URL_POSTGRES`, `DATABASE_URL_MYSQL`).

use oauth_tests::app::{
    ClientAuth, REDIRECT_URI, TestApp, code_client_metadata, credentials, param, query,
    query_params,
};
use serde_json::{Value, json};

/// Instantiates `async fn name(a: &TestApp, b: &TestApp)` on two
/// instances sharing one database of the backend `$make_db` gives.
macro_rules! two_instances {
    ($make_db:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(db) = $make_db else { return };
            let a = oauth_tests::app::TestApp::start(db).await;
            let b = a.another_instance().await;
            assert_ne!(a.base, b.base);
            super::$name(&a, &b).await;
        }
    )*};
}

macro_rules! on_server_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            two_instances!(oauth_tests::db::TestDb::postgres(); $($name),*);
        }
        mod mysql {
            two_instances!(oauth_tests::db::TestDb::mysql(); $($name),*);
        }
    };
}

on_server_backends!(
    session_and_consent_span_instances,
    code_issued_at_one_is_redeemed_at_the_other,
    token_from_one_is_accepted_and_revoked_at_the_other,
    refresh_rotation_and_reuse_detection_span_instances,
    both_instances_publish_one_jwks,
    client_assertion_used_at_one_is_refused_at_the_other,
);

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn password_client() -> Value {
    json!({
        "client_name": "Shared",
        "grant_types": ["password", "refresh_token"],
        "scope": "profile",
        "token_endpoint_auth_method": "client_secret_basic",
    })
}

/// One login serves both instances (one cookie key), and a consent page
/// shown by one may be answered at the other (one CSRF token per session,
/// codes in the shared database).
async fn session_and_consent_span_instances(a: &TestApp, b: &TestApp) {
    // Cookies are per host, not per port: one browser talks to both.
    let browser = a.logged_in("alice").await;
    let home_b = browser.get(&b.url("/")).await;
    home_b.assert_status(200);
    assert!(
        home_b.body.contains("Signed in as <strong>alice</strong>"),
        "{}",
        home_b.body
    );
    // A client registered at A is listed at B.
    let (id, _) = credentials(
        &browser
            .register_client_json(&code_client_metadata("Spanning", "client_secret_basic"))
            .await,
    );
    assert!(browser.get(&b.url("/")).await.body.contains(&id));

    let q = query(&[
        ("response_type", "code"),
        ("client_id", &id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "profile"),
        ("state", "hop"),
    ]);
    let page = browser.consent_page(&q).await;
    let r = browser
        .post_form(
            &b.url(&page.action),
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(302);
    let back = query_params(r.expect_location());
    assert_eq!(param(&back, "state"), Some("hop"));
    assert!(param(&back, "code").is_some());
    assert_eq!(a.stored_codes().await, 1);
}

/// RFC 6749 §4.1: a code issued at A is redeemed at B, once: a replay at A
/// is `invalid_grant` and revokes the token B issued.
async fn code_issued_at_one_is_redeemed_at_the_other(a: &TestApp, b: &TestApp) {
    let browser = a.logged_in("bob").await;
    let (id, secret) = credentials(
        &browser
            .register_client_json(&code_client_metadata("Hopper", "client_secret_basic"))
            .await,
    );
    let auth = ClientAuth::Basic(&id, &secret);
    let code = browser
        .authorize_and_get_code(&query(&[
            ("response_type", "code"),
            ("client_id", &id),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "profile"),
            ("state", "s"),
        ]))
        .await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
    ];
    let token = b.api().token_ok(auth, &form).await;
    let access = s(&token["access_token"]);
    for app in [a, b] {
        assert_eq!(app.api().me_ok(access).await["username"], "bob");
    }

    a.api().token_error(auth, &form, 400, "invalid_grant").await;
    for app in [a, b] {
        app.api().me(Some(access)).await.assert_status(401);
    }
}

/// RFC 6750 / RFC 7009: a token issued by A is accepted at B's `/api/me`,
/// revoked at B, and then refused at A (and inactive at A's introspection).
async fn token_from_one_is_accepted_and_revoked_at_the_other(a: &TestApp, b: &TestApp) {
    let browser = a.logged_in("carol").await;
    let (id, secret) = credentials(&browser.register_client_json(&password_client()).await);
    let auth = ClientAuth::Basic(&id, &secret);
    let token = a
        .api()
        .token_ok(
            auth,
            &[
                ("grant_type", "password"),
                ("username", "carol"),
                ("password", "valid"),
                ("scope", "profile"),
            ],
        )
        .await;
    let access = s(&token["access_token"]);
    assert_eq!(b.api().me_ok(access).await["username"], "carol");
    assert_eq!(a.api().me_ok(access).await["username"], "carol");
    assert_eq!(b.api().introspect(auth, access).await["active"], true);

    b.api().revoke(auth, access, None).await.assert_status(200);
    let r = a.api().me(Some(access)).await;
    r.assert_status(401);
    assert_eq!(r.json()["error"], "invalid_token");
    assert_eq!(
        a.api().introspect(auth, access).await,
        json!({ "active": false })
    );
}

/// RFC 6749 §6 with rotation across instances: a refresh token from A is
/// rotated at B; presenting the old one at A is `invalid_grant` and revokes
/// the family, so B's new access token stops working at both.
async fn refresh_rotation_and_reuse_detection_span_instances(a: &TestApp, b: &TestApp) {
    let browser = a.logged_in("dave").await;
    let (id, secret) = credentials(&browser.register_client_json(&password_client()).await);
    let auth = ClientAuth::Basic(&id, &secret);
    let first = a
        .api()
        .token_ok(
            auth,
            &[
                ("grant_type", "password"),
                ("username", "dave"),
                ("password", "valid"),
                ("scope", "profile"),
            ],
        )
        .await;
    let refresh1 = s(&first["refresh_token"]);
    let second = b
        .api()
        .token_ok(
            auth,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh1)],
        )
        .await;
    let access2 = s(&second["access_token"]);
    assert_eq!(a.api().me_ok(access2).await["username"], "dave");

    a.api()
        .token_error(
            auth,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh1)],
            400,
            "invalid_grant",
        )
        .await;
    for app in [a, b] {
        app.api().me(Some(access2)).await.assert_status(401);
    }
}

/// The signing keys live in the database: the first instance to need one
/// makes it, and both publish the same JWK Set.
async fn both_instances_publish_one_jwks(a: &TestApp, b: &TestApp) {
    let from_a = a.browser().get("/oauth/jwks").await.json();
    let from_b = b.browser().get("/oauth/jwks").await.json();
    // One key per algorithm (RS256, ES256, EdDSA), made once.
    assert_eq!(from_a["keys"].as_array().map(Vec::len), Some(3), "{from_a}");
    assert_eq!(from_a, from_b);
}

/// Three instances started at the same moment on an empty database all
/// come up (the migrations are serialized across them), and serve.
mod started_together {
    use std::sync::Arc;

    use oauth_tests::app::{TestApp, new_secret_key};
    use oauth_tests::db::TestDb;

    oauth_tests::e2e_on_every_backend_db!(
        instances_started_together_on_an_empty_database_all_come_up
    );

    async fn instances_started_together_on_an_empty_database_all_come_up(db: TestDb) {
        let (db, key) = (Arc::new(db), new_secret_key());
        let (a, b, c) = tokio::join!(
            TestApp::start_on(db.clone(), &key),
            TestApp::start_on(db.clone(), &key),
            TestApp::start_on(db.clone(), &key),
        );
        // Each serves, on the one schema.
        for (i, app) in [&a, &b, &c].into_iter().enumerate() {
            let browser = app.logged_in(&format!("early-bird-{i}")).await;
            let home = browser.get("/").await;
            assert!(home.body.contains("Signed in as"), "{}", home.body);
        }
    }
}

/// RFC 7523 §3 item 7 across instances: an assertion (signed by
/// requests-oauth2client) accepted by one instance is a replay at the
/// other, which shares the record of used `jti`s through the database.
async fn client_assertion_used_at_one_is_refused_at_the_other(a: &TestApp, b: &TestApp) {
    use oauth_tests::python::oauth2_client;
    let Some(keys) = oauth2_client(json!({"step": "key", "alg": "ES256"})).await else {
        return;
    };
    let client = a
        .logged_in("erin")
        .await
        .register_client_json(&json!({
            "grant_types": ["client_credentials"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [keys["public"]]},
        }))
        .await;
    // The instances have no configured issuer: each takes its own origin
    // for one, so the assertion names both (an array, RFC 7519 §4.1.3).
    let out = oauth2_client(json!({
        "step": "assertion",
        "client_id": client["client_id"],
        "private": keys["private"],
        "aud": [a.url(""), b.url("")],
    }))
    .await
    .unwrap();
    let assertion = s(&out["assertion"]);
    let form = [("grant_type", "client_credentials")];
    a.api()
        .token_ok(ClientAuth::Assertion(assertion), &form)
        .await;
    let again = b
        .api()
        .token_error(
            ClientAuth::Assertion(assertion),
            &form,
            400,
            "invalid_client",
        )
        .await;
    assert!(s(&again["error_description"]).contains("jti"), "{again}");
}

/// RFC 9449 §11.1 across instances: a DPoP proof accepted by one instance
/// is a replay at the other. The two share a configured issuer, so a proof
/// names the same `htu` at both, and the record of used `jti`s is the
/// database's.
mod dpop_across_instances {
    use std::sync::Arc;

    use oauth_core::jose::{Algorithm, SigningKey};
    use oauth_tests::app::{TestApp, basic_auth, credentials, new_secret_key};
    use oauth_tests::db::TestDb;
    use serde_json::json;

    oauth_tests::e2e_on_every_backend_db!(dpop_proof_used_at_one_is_refused_at_the_other);

    async fn dpop_proof_used_at_one_is_refused_at_the_other(db: TestDb) {
        let (db, key) = (Arc::new(db), new_secret_key());
        let issuer = [("oauth2.issuer", json!("https://login.example"))];
        let a = TestApp::start_with(db.clone(), &key, &issuer).await;
        let b = TestApp::start_with(db, &key, &issuer).await;
        let (id, secret) = credentials(
            &a.logged_in("erin")
                .await
                .register_client_json(&json!({
                    "grant_types": ["client_credentials"],
                    "token_endpoint_auth_method": "client_secret_basic",
                }))
                .await,
        );
        let now = std::time::UNIX_EPOCH.elapsed().unwrap().as_secs();
        let proof = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .sign_with_jwk(
                "dpop+jwt",
                &json!({
                    "htm": "POST", "htu": "https://login.example/oauth/token",
                    "iat": now, "jti": "once-only",
                }),
            )
            .unwrap();
        let send = |app: &TestApp| {
            app.api()
                .http
                .post(app.url("/oauth/token"))
                .header("Authorization", basic_auth(&id, &secret))
                .header("DPoP", proof.as_str())
                .form(&[("grant_type", "client_credentials")])
                .send()
        };
        let first = send(&a).await.unwrap();
        assert_eq!(first.status(), 200);
        let body: serde_json::Value = first.json().await.unwrap();
        assert_eq!(body["token_type"], "DPoP", "{body}");
        let again = send(&b).await.unwrap();
        assert_eq!(again.status(), 400);
        let body: serde_json::Value = again.json().await.unwrap();
        assert_eq!(body["error"], "invalid_dpop_proof", "{body}");
        assert!(
            body["error_description"].as_str().unwrap().contains("jti"),
            "{body}"
        );
    }
}
