//! End-to-end tests of the device authorization grant (RFC 8628) over real
//! HTTP: a device asks at `/oauth/device_authorization`, polls
//! `/oauth/token`, and a logged-in user decides on `/activate`; on SQLite
//! and, when configured, PostgreSQL and MySQL.

use std::sync::Arc;

use oauth_tests::app::{Api, Browser, ClientAuth, TestApp, new_secret_key};
use oauth_tests::db::TestDb;
use serde_json::{Value, json};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

oauth_tests::e2e_on_every_backend!(
    rfc8628_device_flow_from_request_to_api_call,
    rfc8628_3_5_denied_device_gets_access_denied,
    rfc8628_3_5_confidential_client_polls_with_its_secret,
    rfc8628_3_3_activate_needs_login_csrf_and_a_valid_code,
    device_approval_is_a_grant_listed_and_withdrawn_on_account_apps,
    device_approved_then_withdrawn_before_its_poll_gets_nothing,
);

/// A logged-in user with a registered device client (public unless a
/// method is given): (browser, client_id, client_secret).
async fn device_client(app: &TestApp, method: &str) -> (Browser, String, Option<String>) {
    let browser = app.logged_in("tv-owner").await;
    let reg = browser
        .register_client_json(&json!({
            "client_name": "Living room TV",
            "grant_types": [DEVICE_GRANT, "refresh_token"],
            "response_types": [],
            "scope": "profile",
            "token_endpoint_auth_method": method,
        }))
        .await;
    let id = reg["client_id"].as_str().expect("client_id").to_owned();
    let secret = reg["client_secret"].as_str().map(str::to_owned);
    (browser, id, secret)
}

/// `POST /oauth/device_authorization` for a public client.
async fn ask(api: &Api, client_id: &str) -> Value {
    let r = api
        .post(
            "/oauth/device_authorization",
            ClientAuth::None(client_id),
            &[("scope", "profile")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    r.json()
}

async fn poll(api: &Api, auth: ClientAuth<'_>, device_code: &str) -> oauth_tests::app::Reply {
    api.token(
        auth,
        &[("grant_type", DEVICE_GRANT), ("device_code", device_code)],
    )
    .await
}

fn error_of(r: &oauth_tests::app::Reply) -> String {
    r.json()["error"].as_str().unwrap_or_default().to_owned()
}

/// §3.1–3.5 and §3.3: the whole flow. The device asks, polls (pending, then
/// too fast), the user approves on `/activate` (typing the code in lower
/// case without the dash), the device gets a token and calls `/api/me`;
/// the device code is then spent.
async fn rfc8628_device_flow_from_request_to_api_call(app: &TestApp) {
    let (browser, client_id, _) = device_client(app, "none").await;
    let api = app.api();
    let grant = ask(&api, &client_id).await;

    let user_code = grant["user_code"].as_str().unwrap().to_owned();
    assert_eq!(user_code.len(), 9, "XXXX-XXXX");
    assert_eq!(&user_code[4..5], "-");
    assert!(
        user_code
            .chars()
            .filter(|c| *c != '-')
            .all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c)),
        "{user_code}"
    );
    let verification_uri = grant["verification_uri"].as_str().unwrap();
    assert_eq!(verification_uri, app.url("/activate"));
    let complete = grant["verification_uri_complete"].as_str().unwrap();
    assert!(complete.starts_with(verification_uri) && complete.contains("user_code="));
    assert_eq!(grant["expires_in"], 1800);
    assert_eq!(grant["interval"], 5);
    let device_code = grant["device_code"].as_str().unwrap().to_owned();

    // §3.5: pending, then polling faster than the interval is slow_down.
    let r = poll(&api, ClientAuth::None(&client_id), &device_code).await;
    r.assert_status(400);
    assert_eq!(error_of(&r), "authorization_pending");
    let r = poll(&api, ClientAuth::None(&client_id), &device_code).await;
    assert_eq!(error_of(&r), "slow_down");

    // The verification page, reached by the complete URI, shows the client
    // and pre-fills the code.
    let page = browser.get(complete).await;
    page.assert_status(200);
    assert!(page.body.contains("Living room TV"), "{}", page.body);
    assert!(page.body.contains(&user_code));
    let typed = user_code.replace('-', "").to_lowercase();
    let r = browser.decide_user_code(&typed, "yes").await;
    r.assert_status(200);
    assert!(r.body.contains("Approved"), "{}", r.body);

    // The device gets its token, and the token works.
    let r = poll(&api, ClientAuth::None(&client_id), &device_code).await;
    r.assert_status(200);
    let tokens = r.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "profile");
    assert!(tokens["refresh_token"].is_string());
    let me = api.me_ok(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(me["username"], "tv-owner");

    // Exactly one token set per approval.
    let r = poll(&api, ClientAuth::None(&client_id), &device_code).await;
    assert_eq!(error_of(&r), "invalid_grant");
}

/// An approval on `/activate` is a grant like the consent page's: the
/// device is listed on `/account/apps`, and revoking it there ends the
/// device's tokens.
async fn device_approval_is_a_grant_listed_and_withdrawn_on_account_apps(app: &TestApp) {
    let (browser, client_id, _) = device_client(app, "none").await;
    let api = app.api();
    let grant = ask(&api, &client_id).await;
    let user_code = grant["user_code"].as_str().unwrap();
    browser
        .decide_user_code(user_code, "yes")
        .await
        .assert_status(200);
    let r = poll(
        &api,
        ClientAuth::None(&client_id),
        grant["device_code"].as_str().unwrap(),
    )
    .await;
    r.assert_status(200);
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    api.me_ok(&access).await;

    let apps = browser.get("/account/apps").await;
    assert!(apps.body.contains("Living room TV"), "{}", apps.body);
    browser
        .revoke_on_account_apps(&client_id)
        .await
        .assert_status(303);
    api.me(Some(&access)).await.assert_status(401);
    assert!(
        !browser
            .get("/account/apps")
            .await
            .body
            .contains("Living room TV")
    );
}

/// A device approved on `/activate` whose grant is withdrawn before the
/// device polls gets `access_denied`, not a token: nothing is issued under
/// a withdrawn grant.
async fn device_approved_then_withdrawn_before_its_poll_gets_nothing(app: &TestApp) {
    let (browser, client_id, _) = device_client(app, "none").await;
    let api = app.api();
    let grant = ask(&api, &client_id).await;
    browser
        .decide_user_code(grant["user_code"].as_str().unwrap(), "yes")
        .await
        .assert_status(200);
    browser
        .revoke_on_account_apps(&client_id)
        .await
        .assert_status(303);
    let r = poll(
        &api,
        ClientAuth::None(&client_id),
        grant["device_code"].as_str().unwrap(),
    )
    .await;
    r.assert_status(400);
    assert_eq!(error_of(&r), "access_denied");
    assert_eq!(app.stored_tokens().await, 0);
}

/// §3.5 `access_denied`: the user denies; the device is told so and gets
/// nothing.
async fn rfc8628_3_5_denied_device_gets_access_denied(app: &TestApp) {
    let (browser, client_id, _) = device_client(app, "none").await;
    let api = app.api();
    let grant = ask(&api, &client_id).await;
    let user_code = grant["user_code"].as_str().unwrap();
    let r = browser.decide_user_code(user_code, "no").await;
    r.assert_status(200);
    assert!(r.body.contains("Denied"), "{}", r.body);
    let before = app.stored_tokens().await;
    let r = poll(
        &api,
        ClientAuth::None(&client_id),
        grant["device_code"].as_str().unwrap(),
    )
    .await;
    r.assert_status(400);
    assert_eq!(error_of(&r), "access_denied");
    assert_eq!(app.stored_tokens().await, before);
    // A decided code cannot be decided again.
    let r = browser.decide_user_code(user_code, "yes").await;
    r.assert_status(400);
}

/// §3.4: a confidential client authenticates when polling; another client
/// cannot poll its device code.
async fn rfc8628_3_5_confidential_client_polls_with_its_secret(app: &TestApp) {
    let (browser, client_id, secret) = device_client(app, "client_secret_basic").await;
    let secret = secret.expect("confidential client has a secret");
    let api = app.api();
    let r = api
        .post(
            "/oauth/device_authorization",
            ClientAuth::Basic(&client_id, &secret),
            &[("scope", "profile")],
        )
        .await;
    r.assert_status(200);
    let grant = r.json();
    let device_code = grant["device_code"].as_str().unwrap();

    // Without its secret the client is not authenticated.
    let r = poll(&api, ClientAuth::None(&client_id), device_code).await;
    assert_eq!(error_of(&r), "invalid_client");
    // Another client (public) cannot use this device code.
    let (_, other, _) = device_client(app, "none").await;
    let r = poll(&api, ClientAuth::None(&other), device_code).await;
    assert_eq!(error_of(&r), "invalid_grant");

    browser
        .decide_user_code(grant["user_code"].as_str().unwrap(), "yes")
        .await
        .assert_status(200);
    let r = poll(&api, ClientAuth::Basic(&client_id, &secret), device_code).await;
    r.assert_status(200);
}

/// §3.3: the verification page needs a logged-in user and the form's CSRF
/// token; an unknown code is an error on the page and approves nothing.
async fn rfc8628_3_3_activate_needs_login_csrf_and_a_valid_code(app: &TestApp) {
    let (browser, client_id, _) = device_client(app, "none").await;
    let api = app.api();
    let grant = ask(&api, &client_id).await;
    let user_code = grant["user_code"].as_str().unwrap();
    let device_code = grant["device_code"].as_str().unwrap();

    let stranger = app.browser();
    let r = stranger.get("/activate").await;
    r.assert_status(303);
    assert!(r.expect_location().starts_with("/?next="));

    let r = browser
        .post_form("/activate", &[("user_code", user_code), ("confirm", "yes")])
        .await;
    r.assert_status(403);
    let r = browser.decide_user_code("BBBB-BBBB", "yes").await;
    r.assert_status(400);
    // Nothing was approved by those attempts.
    let r = poll(&api, ClientAuth::None(&client_id), device_code).await;
    assert_eq!(error_of(&r), "authorization_pending");
}

/// §3.5 `expired_token`: a device code past its lifetime (2 s here) is
/// refused, and can no longer be approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc8628_3_5_expired_device_code_is_expired_token() {
    let app = TestApp::start_with(
        Arc::new(TestDb::sqlite()),
        &new_secret_key(),
        &[("oauth2.lifetimes.device_code", json!(1))],
    )
    .await;
    let (browser, client_id, _) = device_client(&app, "none").await;
    let api = app.api();
    let grant = ask(&api, &client_id).await;
    assert_eq!(grant["expires_in"], 1);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = poll(
        &api,
        ClientAuth::None(&client_id),
        grant["device_code"].as_str().unwrap(),
    )
    .await;
    r.assert_status(400);
    assert_eq!(error_of(&r), "expired_token");
    let r = browser
        .decide_user_code(grant["user_code"].as_str().unwrap(), "yes")
        .await;
    r.assert_status(400);
}

/// §4 metadata lists the device endpoint and grant type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc8628_4_metadata_lists_the_device_endpoint() {
    let app = TestApp::start(TestDb::sqlite()).await;
    let doc = app
        .browser()
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(
        doc["device_authorization_endpoint"],
        app.url("/oauth/device_authorization")
    );
    assert!(
        doc["grant_types_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == DEVICE_GRANT)
    );
}
