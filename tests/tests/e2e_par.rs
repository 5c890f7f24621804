//! Pushed authorization requests (RFC 9126) over HTTP, by a client library
//! written by others: requests-oauth2client (`oauth2_client.py`) pushes an
//! OpenID Connect code request to `POST /oauth/par`, authenticated with
//! `private_key_jwt`, and sends the browser to `/oauth/authorize` with
//! only `client_id` and the `request_uri`; the user's part (login, consent)
//! is driven here; the library checks the callback (state, `iss`),
//! redeems the code with its PKCE verifier and validates the ID token. On
//! SQLite, PostgreSQL and MySQL.
//!
//! Without Python and the library the test notes it and passes, unless
//! `OAUTH_TEST_REQUIRE` contains `python`: then it fails.

use oauth_tests::app::{REDIRECT_URI, TestApp, query, query_params};
use oauth_tests::python::oauth2_client;
use serde_json::json;

oauth_tests::e2e_on_every_backend!(
    requests_oauth2client_pushes_its_request_and_signs_in,
    requests_oauth2client_signs_its_request_by_value_and_pushed,
    par_endpoint_refuses_what_the_authorization_endpoint_would,
);

async fn requests_oauth2client_pushes_its_request_and_signs_in(app: &TestApp) {
    let metadata = app
        .browser()
        .get("/.well-known/openid-configuration")
        .await
        .json();
    assert_eq!(
        metadata["pushed_authorization_request_endpoint"],
        app.url("/oauth/par")
    );
    let Some(keys) = oauth2_client(json!({"step": "key", "alg": "ES256"})).await else {
        return;
    };
    let browser = app.logged_in("erin").await;
    let client = browser
        .register_client_json(&json!({
            "client_name": "Pushing client",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": "openid profile",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [keys["public"]]},
            "require_pushed_authorization_requests": true,
        }))
        .await;
    assert_eq!(client["require_pushed_authorization_requests"], true);
    let client_id = client["client_id"].as_str().unwrap().to_owned();
    let mut spec = json!({
        "step": "par",
        "issuer": app.url(""),
        "client_id": client_id,
        "private": keys["private"],
        "redirect_uri": REDIRECT_URI,
    });
    let pushed = oauth2_client(spec.clone()).await.unwrap();
    let expires_in = pushed["expires_in"].as_i64().unwrap();
    assert!((55..=60).contains(&expires_in), "{pushed}");
    let url = pushed["url"].as_str().unwrap();
    let (endpoint, url_query) = url.split_once('?').unwrap();
    assert_eq!(endpoint, app.url("/oauth/authorize"));
    // The browser carries the reference only.
    let mut names: Vec<String> = query_params(url).into_iter().map(|(k, _)| k).collect();
    names.sort();
    assert_eq!(names, ["client_id", "request_uri"], "{url}");

    let callback = callback_of(&browser, url_query).await;
    for name in ["state", "nonce", "code_verifier"] {
        spec[name] = pushed[name].clone();
    }
    spec["step"] = "par_token".into();
    spec["callback"] = callback.clone().into();
    let out = oauth2_client(spec).await.unwrap();
    assert_eq!(out["claims"]["aud"], client_id.as_str());
    assert_eq!(out["claims"]["nonce"], pushed["nonce"]);
    assert_eq!(out["claims"]["iss"], app.url(""));

    // RFC 9126 §4: used once. The same URL again is refused on a page,
    // not sent back to the client.
    let again = browser.get(&format!("/oauth/authorize?{url_query}")).await;
    again.assert_status(400);
    assert!(again.body.contains("invalid_request_uri"), "{}", again.body);
    // §6: this client's requests that were not pushed are refused.
    let direct = browser
        .get(&format!(
            "/oauth/authorize?{}",
            query(&[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "openid"),
                ("state", "s"),
            ])
        ))
        .await;
    direct.assert_status(302);
    let params = query_params(direct.expect_location());
    assert!(
        params.contains(&("error".into(), "invalid_request".into())),
        "{params:?}"
    );
}

/// RFC 9101: the library signs its request object with the client's key;
/// once by value in the browser's URL, once pushed. The client is held to
/// signed requests (`require_signed_request_object`).
async fn requests_oauth2client_signs_its_request_by_value_and_pushed(app: &TestApp) {
    let Some(keys) = oauth2_client(json!({"step": "key", "alg": "EdDSA"})).await else {
        return;
    };
    let browser = app.logged_in("erin").await;
    let client = browser
        .register_client_json(&json!({
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": "openid profile",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [keys["public"]]},
            "require_signed_request_object": true,
            "request_object_signing_alg": "EdDSA",
        }))
        .await;
    let client_id = client["client_id"].as_str().unwrap().to_owned();
    for push in [false, true] {
        let mut spec = json!({
            "step": "jar",
            "push": push,
            "issuer": app.url(""),
            "client_id": client_id,
            "private": keys["private"],
            "redirect_uri": REDIRECT_URI,
        });
        let signed = oauth2_client(spec.clone()).await.unwrap();
        let url = signed["url"].as_str().unwrap();
        let names: Vec<String> = query_params(url).into_iter().map(|(k, _)| k).collect();
        let carried = if push { "request_uri" } else { "request" };
        assert!(names.contains(&carried.to_owned()), "{push}: {url}");
        assert!(!names.contains(&"scope".to_owned()), "{push}: {url}");
        // The first time the user consents; the second, the consent is
        // remembered (a confidential client) and the browser goes straight
        // back to the client.
        let callback = callback_of(&browser, url.split_once('?').unwrap().1).await;
        for name in ["state", "nonce", "code_verifier"] {
            spec[name] = signed[name].clone();
        }
        spec["step"] = "par_token".into();
        spec["callback"] = callback.into();
        let out = oauth2_client(spec).await.unwrap();
        assert_eq!(out["claims"]["nonce"], signed["nonce"], "{push}");
    }
    // Unsigned, the same client's request is refused.
    let direct = browser
        .get(&format!(
            "/oauth/authorize?{}",
            query(&[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "openid"),
            ])
        ))
        .await;
    direct.assert_status(302);
    assert!(
        query_params(direct.expect_location())
            .contains(&("error".into(), "invalid_request".into()))
    );
}

/// Where the browser lands after `/oauth/authorize?{query}`: through the
/// consent page, answered yes, or straight back when the consent is
/// remembered.
async fn callback_of(browser: &oauth_tests::app::Browser, query: &str) -> String {
    let shown = browser.get(&format!("/oauth/authorize?{query}")).await;
    if shown.status == 302 {
        return shown.expect_location().to_owned();
    }
    let page = oauth_tests::app::ConsentPage::parse(&shown);
    let r = browser
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(302);
    r.expect_location().to_owned()
}

async fn par_endpoint_refuses_what_the_authorization_endpoint_would(app: &TestApp) {
    let browser = app.logged_in("erin").await;
    let client = browser
        .register_client_json(&json!({
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": "profile",
            "token_endpoint_auth_method": "client_secret_basic",
        }))
        .await;
    let (id, secret) = oauth_tests::app::credentials(&client);
    let api = app.api();
    let auth = oauth_tests::app::ClientAuth::Basic(&id, &secret);
    // An unregistered redirect URI: a JSON error, never a redirect.
    let r = api
        .post(
            "/oauth/par",
            auth,
            &[
                ("response_type", "code"),
                ("redirect_uri", "https://evil.example/cb"),
            ],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.json()["error"], "invalid_request");
    assert!(r.location().is_none());
    // A wrong secret.
    let r = api
        .post(
            "/oauth/par",
            oauth_tests::app::ClientAuth::Basic(&id, "wrong"),
            &[("response_type", "code"), ("redirect_uri", REDIRECT_URI)],
        )
        .await;
    r.assert_status(401);
    assert_eq!(r.json()["error"], "invalid_client");
    // A good one: 201, no-store.
    let r = api
        .post(
            "/oauth/par",
            auth,
            &[("response_type", "code"), ("redirect_uri", REDIRECT_URI)],
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(
        r.json()["request_uri"]
            .as_str()
            .unwrap()
            .starts_with("urn:ietf:params:oauth:request_uri:")
    );
    // GET is not the endpoint's method.
    app.browser().get("/oauth/par").await.assert_status(405);
}
