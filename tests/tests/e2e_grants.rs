//! End-to-end tests of the grants a user has given, over real HTTP on the
//! example app (contract: "Grants a user has given"): remembered consent
//! (confidential clients only, RFC 6749 §10.2; not with `prompt=consent`,
//! OpenID Connect Core §3.1.2.1), the `/account/apps` page and its revoke
//! form, and the refresh grace period, on SQLite, PostgreSQL and MySQL.

use std::sync::Arc;

use oauth_tests::app::{
    Browser, ClientAuth, ConsentPage, REDIRECT_URI, TestApp, code_client_metadata, credentials,
    new_secret_key, param, pkce_pair, query, query_params,
};
use oauth_tests::db::TestDb;
use serde_json::{Value, json};

oauth_tests::e2e_on_every_backend!(
    remembered_consent_skips_the_page_for_a_confidential_client,
    new_scopes_are_asked_for_alone,
    oidc_core_3_1_2_1_prompt_consent_shows_the_page_again,
    rfc6749_10_2_public_clients_always_see_the_consent_page,
    account_apps_lists_what_the_user_granted,
    account_apps_revoke_ends_every_token_of_that_user_and_client,
    account_apps_revoke_needs_the_csrf_token_and_the_same_origin,
    account_apps_needs_a_login,
    a_deleted_user_takes_its_grants_and_tokens_with_it,
);

/// The tests that launch apps of their own (with a grace period).
mod grace {
    use super::*;
    oauth_tests::e2e_on_every_backend_db!(
        refresh_grace_period_gives_a_retry_one_new_pair,
        refresh_grace_retry_is_exactly_once_across_instances,
    );
}

fn code_request(client_id: &str, scope: &str, state: &str) -> String {
    query(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", scope),
        ("state", state),
    ])
}

/// A logged-in user with a confidential code client: (browser, id, secret).
async fn user_with_client(app: &TestApp, user: &str, name: &str) -> (Browser, String, String) {
    let browser = app.logged_in(user).await;
    let (id, secret) = credentials(
        &browser
            .register_client_json(&code_client_metadata(name, "client_secret_basic"))
            .await,
    );
    (browser, id, secret)
}

/// Tokens for the browser's user through the code flow (with or without
/// the consent page).
async fn tokens(app: &TestApp, browser: &Browser, id: &str, secret: &str, scope: &str) -> Value {
    let code = browser
        .authorize_and_get_code(&code_request(id, scope, "st"))
        .await;
    app.api()
        .token_ok(
            ClientAuth::Basic(id, secret),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Contract: a second `/oauth/authorize` by the same user and confidential
/// client for scopes already granted skips the consent page and redirects
/// at once, with a code that works.
async fn remembered_consent_skips_the_page_for_a_confidential_client(app: &TestApp) {
    let (browser, id, secret) = user_with_client(app, "rita", "Remembered").await;
    let first = code_request(&id, "profile email", "one");
    browser.consent_page(&first).await; // asked the first time
    tokens(app, &browser, &id, &secret, "profile email").await;

    for (scope, state) in [("profile email", "two"), ("profile", "three")] {
        let r = browser
            .get(&format!(
                "/oauth/authorize?{}",
                code_request(&id, scope, state)
            ))
            .await;
        r.assert_status(302);
        let location = r.expect_location();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        let back = query_params(location);
        assert_eq!(param(&back, "state"), Some(state));
        let code = param(&back, "code").expect("code").to_owned();
        let token = app
            .api()
            .token_ok(
                ClientAuth::Basic(&id, &secret),
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT_URI),
                ],
            )
            .await;
        assert_eq!(token["scope"], scope);
        assert_eq!(
            app.api().me_ok(s(&token["access_token"])).await["username"],
            "rita"
        );
    }
    // Another user of the same client is asked.
    let other = app.logged_in("rita-2").await;
    other.consent_page(&first).await;
}

/// A request for more than was granted shows the page, asking for the new
/// scopes only and naming what was granted before.
async fn new_scopes_are_asked_for_alone(app: &TestApp) {
    let (browser, id, _) = user_with_client(app, "nora", "Growing").await;
    browser
        .authorize_and_get_code(&code_request(&id, "profile", "a"))
        .await;
    let page = browser
        .consent_page(&code_request(&id, "profile email", "b"))
        .await;
    let body = &page.reply.body;
    let section = |class: &str| -> String {
        body.split(&format!("<ul class=\"{class}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</ul>").next())
            .unwrap_or_else(|| panic!("no {class} list in {body}"))
            .to_owned()
    };
    assert!(section("granted").contains("profile"), "{body}");
    assert!(!section("granted").contains("email"), "{body}");
    assert!(section("new").contains("email"), "{body}");
    assert!(!section("new").contains("profile"), "{body}");
    // Once allowed, both are remembered.
    let r = browser
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(302);
    let again = browser
        .get(&format!(
            "/oauth/authorize?{}",
            code_request(&id, "email profile", "c")
        ))
        .await;
    again.assert_status(302);
    assert!(param(&query_params(again.expect_location()), "code").is_some());
}

/// OpenID Connect Core §3.1.2.1: `prompt=consent` asks again, whatever was
/// granted; `prompt=none` with the consent remembered answers at once.
async fn oidc_core_3_1_2_1_prompt_consent_shows_the_page_again(app: &TestApp) {
    let browser = app.logged_in("olga").await;
    let mut metadata = code_client_metadata("Relying party", "client_secret_basic");
    metadata["scope"] = json!("openid profile");
    let (id, _) = credentials(&browser.register_client_json(&metadata).await);
    let ask = |extra: &[(&'static str, &'static str)]| {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid profile"),
            ("state", "st"),
            ("nonce", "n-1"),
        ];
        params.extend_from_slice(extra);
        query(&params)
    };
    browser.authorize_and_get_code(&ask(&[])).await;
    let none = browser
        .get(&format!("/oauth/authorize?{}", ask(&[("prompt", "none")])))
        .await;
    none.assert_status(302);
    assert!(param(&query_params(none.expect_location()), "code").is_some());
    let page = browser.consent_page(&ask(&[("prompt", "consent")])).await;
    assert_eq!(page.confirm_values, ["yes", "no"]);
}

/// RFC 6749 §10.2: a public client's identity is not proven, so its
/// requests always show the consent page, however often it was granted.
async fn rfc6749_10_2_public_clients_always_see_the_consent_page(app: &TestApp) {
    let browser = app.logged_in("paul").await;
    let registration = browser
        .register_client_json(&code_client_metadata("Public", "none"))
        .await;
    let id = s(&registration["client_id"]).to_owned();
    for state in ["one", "two"] {
        let (_, challenge) = pkce_pair();
        let q = query(&[
            ("response_type", "code"),
            ("client_id", &id),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "profile"),
            ("state", state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ]);
        let code = browser.authorize_and_get_code_through_the_page(&q).await;
        assert!(!code.is_empty());
    }
}

/// Contract: `GET /account/apps` shows the clients this user has granted,
/// with their scopes and since when, each with a revoke form.
async fn account_apps_lists_what_the_user_granted(app: &TestApp) {
    let (browser, id, _) = user_with_client(app, "alma", "Listed app").await;
    let empty = browser.get("/account/apps").await;
    empty.assert_status(200);
    assert!(empty.body.contains("id=\"no-apps\""), "{}", empty.body);
    browser
        .authorize_and_get_code(&code_request(&id, "profile", "st"))
        .await;

    let page = browser.get("/account/apps").await;
    page.assert_status(200);
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let body = &page.body;
    assert!(body.contains("Listed app"), "{body}");
    assert!(body.contains(&format!("data-client-id=\"{id}\"")), "{body}");
    assert!(body.contains("see your profile"), "{body}");
    let year = &body.split("since ").nth(1).expect("since")[..4];
    assert!(year.parse::<u32>().is_ok_and(|y| y >= 2024), "{body}");
    let form = oauth_tests::app::tags(body, "form")
        .into_iter()
        .next()
        .expect("a revoke form");
    assert_eq!(
        oauth_tests::app::attr(form, "action").as_deref(),
        Some("/account/apps/revoke")
    );
    assert_eq!(
        oauth_tests::app::attr(form, "method").as_deref(),
        Some("post")
    );
    assert_eq!(
        oauth_tests::app::hidden_input(body, "client_id").as_deref(),
        Some(id.as_str())
    );
    // Another user sees none of it.
    let other = app.logged_in("alma-2").await;
    let theirs = other.get("/account/apps").await;
    assert!(!theirs.body.contains(&id), "{}", theirs.body);
}

/// Contract: the revoke form revokes every token of that user and client
/// and forgets the consent; 303 back. Other clients and other users keep
/// theirs.
async fn account_apps_revoke_ends_every_token_of_that_user_and_client(app: &TestApp) {
    let (browser, id, secret) = user_with_client(app, "rosa", "Revoked app").await;
    let (kept_id, kept_secret) = credentials(
        &browser
            .register_client_json(&code_client_metadata("Kept app", "client_secret_basic"))
            .await,
    );
    let first = tokens(app, &browser, &id, &secret, "profile").await;
    let second = tokens(app, &browser, &id, &secret, "profile email").await;
    let kept = tokens(app, &browser, &kept_id, &kept_secret, "profile").await;
    let other_user = app.logged_in("rosa-2").await;
    let theirs = tokens(app, &other_user, &id, &secret, "profile").await;

    let r = browser.revoke_on_account_apps(&id).await;
    r.assert_status(303);
    assert_eq!(r.expect_location(), "/account/apps");

    for t in [&first, &second] {
        app.api()
            .me(Some(s(&t["access_token"])))
            .await
            .assert_status(401);
        let refreshed = app
            .api()
            .token(
                ClientAuth::Basic(&id, &secret),
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", s(&t["refresh_token"])),
                ],
            )
            .await;
        refreshed.assert_status(400);
        assert_eq!(refreshed.json()["error"], "invalid_grant");
        let introspected = app
            .api()
            .introspect(ClientAuth::Basic(&id, &secret), s(&t["access_token"]))
            .await;
        assert_eq!(introspected["active"], false);
    }
    for t in [&kept, &theirs] {
        app.api().me_ok(s(&t["access_token"])).await;
    }
    let page = browser.get("/account/apps").await;
    assert!(!page.body.contains("Revoked app"), "{}", page.body);
    assert!(page.body.contains("Kept app"), "{}", page.body);
    // The consent is forgotten: the next request asks again.
    browser
        .consent_page(&code_request(&id, "profile", "again"))
        .await;
}

/// The revoke form needs the session's CSRF token, and a cross-site post
/// is refused; neither changes anything.
async fn account_apps_revoke_needs_the_csrf_token_and_the_same_origin(app: &TestApp) {
    let (browser, id, secret) = user_with_client(app, "cora", "Guarded app").await;
    let token = tokens(app, &browser, &id, &secret, "profile").await;
    let r = browser
        .post_form(
            "/account/apps/revoke",
            &[("client_id", id.as_str()), ("csrf_token", "forged")],
        )
        .await;
    r.assert_status(403);
    let csrf =
        oauth_tests::app::hidden_input(&browser.get("/account/apps").await.body, "csrf_token")
            .expect("csrf_token");
    let cross = browser
        .post_form_with_headers(
            "/account/apps/revoke",
            &[("client_id", id.as_str()), ("csrf_token", csrf.as_str())],
            &[("Sec-Fetch-Site", "cross-site")],
        )
        .await;
    cross.assert_status(403);
    app.api().me_ok(s(&token["access_token"])).await;
    assert!(
        browser
            .get("/account/apps")
            .await
            .body
            .contains("Guarded app")
    );
}

/// Logged out, the page sends the user to the login form, and the revoke
/// form is refused.
async fn account_apps_needs_a_login(app: &TestApp) {
    let browser = app.browser();
    let r = browser.get("/account/apps").await;
    r.assert_status(303);
    assert!(
        r.expect_location().starts_with("/?next="),
        "{:?}",
        r.location()
    );
    let r = browser
        .post_form(
            "/account/apps/revoke",
            &[("client_id", "x"), ("csrf_token", "y")],
        )
        .await;
    r.assert_status(403);
}

/// The site deleting a user (`example_app::db::delete_user`) deletes its
/// grants and tokens too: introspection finds its tokens no more, and
/// other users keep theirs.
async fn a_deleted_user_takes_its_grants_and_tokens_with_it(app: &TestApp) {
    let (browser, id, secret) = user_with_client(app, "dora", "Left behind").await;
    let mine = tokens(app, &browser, &id, &secret, "profile").await;
    let other = app.logged_in("dora-2").await;
    let theirs = tokens(app, &other, &id, &secret, "profile").await;
    let before = app.stored_tokens().await;

    app.delete_user("dora").await;
    assert_eq!(app.stored_tokens().await, before - 1);
    let introspected = app
        .api()
        .introspect(ClientAuth::Basic(&id, &secret), s(&mine["access_token"]))
        .await;
    assert_eq!(introspected["active"], false);
    let refreshed = app
        .api()
        .token(
            ClientAuth::Basic(&id, &secret),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", s(&mine["refresh_token"])),
            ],
        )
        .await;
    refreshed.assert_status(400);
    app.api().me_ok(s(&theirs["access_token"])).await;
    // A new user of the same name starts with no grants.
    let again = app.logged_in("dora").await;
    assert!(
        again
            .get("/account/apps")
            .await
            .body
            .contains("id=\"no-apps\"")
    );
}

/// A password client's tokens for a new user on `app`: (id, secret, tokens).
async fn password_tokens(app: &TestApp, user: &str) -> (String, String, Value) {
    let browser = app.logged_in(user).await;
    let mut metadata = code_client_metadata("Refreshing", "client_secret_basic");
    metadata["grant_types"] = json!(["password", "refresh_token"]);
    metadata["response_types"] = json!([]);
    let (id, secret) = credentials(&browser.register_client_json(&metadata).await);
    let tokens = app
        .api()
        .token_ok(
            ClientAuth::Basic(&id, &secret),
            &[
                ("grant_type", "password"),
                ("username", user),
                ("password", "valid"),
                ("scope", "profile"),
            ],
        )
        .await;
    (id, secret, tokens)
}

async fn refresh(
    app: &TestApp,
    id: &str,
    secret: &str,
    refresh_token: &str,
) -> oauth_tests::app::Reply {
    app.api()
        .token(
            ClientAuth::Basic(id, secret),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
}

fn with_grace(db: TestDb) -> (Arc<TestDb>, String) {
    (Arc::new(db), new_secret_key())
}

const GRACE: (&str, i64) = ("oauth2.lifetimes.refresh_token_grace_period", 60);

/// Contract: a rotated-out refresh token presented again within
/// `refresh_token_grace_period` by the same client gets a new pair instead
/// of revoking the family; a second retry is refused, and revokes nothing.
async fn refresh_grace_period_gives_a_retry_one_new_pair(db: TestDb) {
    let (db, key) = with_grace(db);
    let app = TestApp::start_with(db, &key, &[(GRACE.0, json!(GRACE.1))]).await;
    let (id, secret, first) = password_tokens(&app, "gwen").await;
    let rotated = refresh(&app, &id, &secret, s(&first["refresh_token"])).await;
    rotated.assert_status(200);
    let second = rotated.json();
    let retried = refresh(&app, &id, &secret, s(&first["refresh_token"])).await;
    retried.assert_status(200);
    let retried = retried.json();
    assert_ne!(retried["refresh_token"], second["refresh_token"]);
    for t in [&second, &retried] {
        app.api().me_ok(s(&t["access_token"])).await;
    }
    let again = refresh(&app, &id, &secret, s(&first["refresh_token"])).await;
    again.assert_status(400);
    assert_eq!(again.json()["error"], "invalid_grant");
    for t in [&second, &retried] {
        app.api().me_ok(s(&t["access_token"])).await;
        refresh(&app, &id, &secret, s(&t["refresh_token"]))
            .await
            .assert_status(200);
    }
}

/// Two instances on one database take one grace retry between them: of a
/// retry sent to both at once, exactly one gets a pair.
async fn refresh_grace_retry_is_exactly_once_across_instances(db: TestDb) {
    let (db, key) = with_grace(db);
    let extra = [(GRACE.0, json!(GRACE.1))];
    let a = TestApp::start_with(db.clone(), &key, &extra).await;
    let b = TestApp::start_with(db, &key, &extra).await;
    for round in 0..5 {
        let (id, secret, first) = password_tokens(&a, &format!("twin-{round}")).await;
        refresh(&a, &id, &secret, s(&first["refresh_token"]))
            .await
            .assert_status(200);
        let old = s(&first["refresh_token"]).to_owned();
        let (ra, rb) = tokio::join!(
            refresh(&a, &id, &secret, &old),
            refresh(&b, &id, &secret, &old)
        );
        let ok = [&ra, &rb].iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, 1, "round {round}: {} / {}", ra.status, rb.status);
        let loser = if ra.status == 200 { &rb } else { &ra };
        assert_eq!(loser.json()["error"], "invalid_grant", "round {round}");
    }
}

// The page must show for a public client every time: the helper that
// follows a remembered consent would hide a skipped page.
trait ThroughThePage {
    async fn authorize_and_get_code_through_the_page(&self, query: &str) -> String;
}

impl ThroughThePage for Browser {
    async fn authorize_and_get_code_through_the_page(&self, query: &str) -> String {
        let page: ConsentPage = self.consent_page(query).await;
        let r = self
            .post_form(
                &page.action,
                &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
            )
            .await;
        r.assert_status(302);
        param(&query_params(r.expect_location()), "code")
            .expect("code")
            .to_owned()
    }
}
