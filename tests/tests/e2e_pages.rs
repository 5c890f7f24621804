//! End-to-end tests of the example app's pages over real HTTP: login,
//! logout and `next`, the client form, the home page, and the consent page
//! of the authorization endpoint (RFC 6749 §3.1, §4.1.1, §4.1.2.1, §10.12,
//! §10.13), on SQLite and, when configured, PostgreSQL and MySQL.

use oauth_tests::app::{
    Browser, ClientAuth, ClientForm, REDIRECT_URI, TestApp, code_client_metadata, credentials,
    param, query, query_params,
};

oauth_tests::e2e_on_every_backend!(
    home_logged_out_shows_the_login_form,
    login_creates_the_user_sets_a_private_cookie_and_goes_home,
    login_rejects_an_empty_username,
    login_follows_a_local_next,
    login_never_follows_an_off_site_next,
    logout_asks_then_a_post_ends_the_session_on_the_server,
    login_csrf_a_cross_site_login_post_is_refused,
    session_of_a_deleted_user_is_no_session,
    create_client_page_requires_login,
    create_client_without_csrf_token_is_forbidden,
    created_client_shows_id_secret_and_metadata_to_its_session,
    created_public_client_has_no_secret,
    create_client_with_invalid_metadata_shows_the_form_again,
    consent_page_names_the_client_and_scopes_and_posts_back_with_csrf,
    consent_page_cannot_be_framed,
    consent_page_escapes_the_client_name,
    authorize_logged_out_redirects_to_login_and_back,
    authorize_unknown_client_is_an_error_page_not_a_redirect,
    authorize_unregistered_redirect_uri_is_an_error_page_not_a_redirect,
    authorize_other_errors_redirect_to_the_client_with_state,
    consent_post_without_valid_csrf_is_forbidden_and_issues_no_code,
    rfc9700_4_7_consent_csrf_token_is_bound_to_the_session,
    consent_denied_redirects_access_denied_with_state,
);

/// A logged-in browser with a registered `client_secret_basic` code client:
/// (browser, client_id, client_secret).
async fn with_code_client(app: &TestApp, user: &str, name: &str) -> (Browser, String, String) {
    let browser = app.logged_in(user).await;
    let registration = browser
        .register_client_json(&code_client_metadata(name, "client_secret_basic"))
        .await;
    let (id, secret) = credentials(&registration);
    (browser, id, secret)
}

fn code_request(client_id: &str, state: &str) -> String {
    query(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "profile email"),
        ("state", state),
    ])
}

/// The texts of the `<strong>` elements of a page, unescaped.
fn strong_texts(html: &str) -> Vec<String> {
    html.split("<strong>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</strong>"))
        .map(|(text, _)| oauth_tests::app::html_unescape(text))
        .collect()
}

fn set_cookies(r: &oauth_tests::app::Reply) -> Vec<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// Contract: `GET /` shows the login form (field `username`) when logged out.
async fn home_logged_out_shows_the_login_form(app: &TestApp) {
    let r = app.browser().get("/").await;
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        r.headers
    );
    let inputs = oauth_tests::app::tags(&r.body, "input");
    assert!(
        inputs
            .iter()
            .any(|t| oauth_tests::app::attr(t, "name").as_deref() == Some("username")),
        "no username field: {}",
        r.body
    );
    let form = oauth_tests::app::tags(&r.body, "form")[0];
    assert_eq!(
        oauth_tests::app::attr(form, "method").as_deref(),
        Some("post")
    );
    assert!(!r.body.contains("Signed in as"));
}

/// Contract: `POST /` creates the user if new, logs in with a private
/// cookie, and answers 303 to `/`.
async fn login_creates_the_user_sets_a_private_cookie_and_goes_home(app: &TestApp) {
    let browser = app.browser();
    let r = browser.post_form("/", &[("username", "alice")]).await;
    r.assert_status(303);
    assert_eq!(r.location(), Some("/"));
    let cookies = set_cookies(&r);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("session="))
        .unwrap_or_else(|| panic!("no session cookie in {cookies:?}"));
    let value = session["session=".len()..]
        .split(';')
        .next()
        .unwrap_or_default();
    // A private cookie is encrypted and authenticated: not the bare user id.
    assert!(
        value.len() > 20 && !value.chars().all(|c| c.is_ascii_digit()),
        "the session cookie is not private: {session}"
    );
    assert!(session.contains("HttpOnly"), "{session}");

    let home = browser.get("/").await;
    home.assert_status(200);
    assert!(
        home.body.contains("Signed in as <strong>alice</strong>"),
        "{}",
        home.body
    );
    assert!(home.body.contains("/create_client"));

    // Logging in again with the same name is the same user: the client
    // registered in the first session is listed in the second.
    let registration = browser
        .register_client_json(&code_client_metadata("Alice's app", "client_secret_basic"))
        .await;
    let again = app.logged_in("alice").await;
    let cards = again.client_cards().await;
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert_eq!(cards[0].client_id, registration["client_id"]);
    // A forged cookie is no session.
    let forged = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = forged
        .get(app.url("/"))
        .header("cookie", "session=1")
        .send()
        .await
        .unwrap();
    assert!(!r.text().await.unwrap().contains("Signed in as"));
}

/// `POST /` with an empty name logs nobody in.
async fn login_rejects_an_empty_username(app: &TestApp) {
    let browser = app.browser();
    let r = browser.post_form("/", &[("username", "   ")]).await;
    r.assert_status(400);
    assert!(set_cookies(&r).iter().all(|c| !c.starts_with("session=")));
    assert!(!browser.get("/").await.body.contains("Signed in as"));
}

/// Contract: after login, 303 to `next` if it is a local path.
async fn login_follows_a_local_next(app: &TestApp) {
    let browser = app.browser();
    let r = browser
        .post_form("/?next=%2Fcreate_client", &[("username", "bob")])
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), Some("/create_client"));
    browser.get("/create_client").await.assert_status(200);
}

/// Contract: `next` is followed only when it is a local path; anything else
/// (an absolute URL, a scheme-relative `//host`, a backslash trick) goes to
/// `/` instead (no open redirect).
async fn login_never_follows_an_off_site_next(app: &TestApp) {
    for next in [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "evil.example",
        "javascript:alert(1)",
        // Browsers drop tabs and line breaks from URLs: `/\t/evil` is
        // `//evil`. Refused, and never a 500 (a header cannot hold them).
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
    ] {
        let browser = app.browser();
        // The login form does not carry the off-site target along.
        let page = browser
            .get(&format!(
                "/?next={}",
                oauth_core::http::form_urlencode(next)
            ))
            .await;
        page.assert_status(200);
        assert!(!page.body.contains("evil.example"), "{next}: {}", page.body);
        let r = browser
            .post_form(
                &format!("/?next={}", oauth_core::http::form_urlencode(next)),
                &[("username", "carol")],
            )
            .await;
        r.assert_status(303);
        assert_eq!(r.location(), Some("/"), "next={next}");
    }
}

/// Logging out is a POST with the session's CSRF token (`GET /logout`
/// only asks), and it ends the session on the server (the review's item
/// 3): a copy of the session cookie saved before the logout is no session
/// afterwards. Cookies are handled by hand here, to keep that copy.
async fn logout_asks_then_a_post_ends_the_session_on_the_server(app: &TestApp) {
    let http = plain_client();
    let session = login_cookies(&http, app, "dave")
        .await
        .into_iter()
        .find(|c| c.starts_with("session="))
        .expect("a session cookie");
    let get = |path: &'static str| {
        let (http, session) = (&http, &session);
        async move {
            oauth_tests::app::Reply::read(
                http.get(app.url(path))
                    .header("cookie", session)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let signed_in = |body: &str| body.contains("Signed in as");
    assert!(signed_in(&get("/").await.body));
    // A GET (a link, an image on another site) does not log out.
    let ask = get("/logout").await;
    ask.assert_status(200);
    assert!(signed_in(&get("/").await.body));
    let csrf = oauth_tests::app::hidden_input(&ask.body, "csrf_token").expect("a csrf_token");
    let post_logout = |form: Vec<(&'static str, String)>| {
        let (http, session) = (&http, &session);
        async move {
            http.post(app.url("/logout"))
                .header("cookie", session)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    // Nor does a POST without the token.
    assert_eq!(post_logout(vec![]).await.status(), 403);
    assert!(signed_in(&get("/").await.body));
    let r = post_logout(vec![("csrf_token", csrf)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    // The same cookie, sent again as a thief who copied it would: the
    // server ended the session, so it is no session.
    let home = get("/").await;
    home.assert_status(200);
    assert!(!signed_in(&home.body), "{}", home.body);
    assert!(home.body.contains("name=\"username\""));
    let r = http
        .post(app.url("/oauth/register"))
        .header("cookie", &session)
        .json(&code_client_metadata("replayed", "client_secret_basic"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Login CSRF (RFC 6749 §10.12; the review's item 2): a login form posted
/// by another site's page (`Sec-Fetch-Site: cross-site`, or an `Origin`
/// that is not this host) logs nobody in: 403, no session cookie. The
/// site's own form (same origin) and clients without either header log in.
async fn login_csrf_a_cross_site_login_post_is_refused(app: &TestApp) {
    let http = plain_client();
    let host = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let own_origin = format!("http://{host}");
    for (header, value) in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
        ("Origin", "https://attacker.example"),
        ("Origin", "null"),
        ("Origin", "http://127.0.0.1:1"),
    ] {
        let r = http
            .post(app.url("/?next=%2Foauth%2Fauthorize"))
            .header(header, value)
            .form(&[("username", "attacker")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{header}: {value}");
        let cookies: Vec<_> = r.headers().get_all("set-cookie").iter().collect();
        assert!(
            cookies
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("session=")),
            "{header}: {value}: {cookies:?}"
        );
    }
    for headers in [
        vec![
            ("Sec-Fetch-Site", "same-origin"),
            ("Origin", own_origin.as_str()),
        ],
        vec![("Origin", own_origin.as_str())],
        vec![],
    ] {
        let mut request = http.post(app.url("/")).form(&[("username", "erin")]);
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), 303, "{headers:?}");
    }
}

/// A session whose user no longer exists is no session (the review's
/// item 3): pages show the login form, registration is refused.
async fn session_of_a_deleted_user_is_no_session(app: &TestApp) {
    let browser = app.logged_in("frank").await;
    assert!(browser.get("/").await.body.contains("Signed in as"));
    app.delete_user("frank").await;
    assert!(!browser.get("/").await.body.contains("Signed in as"));
    let r = browser
        .post_json(
            "/oauth/register",
            &code_client_metadata("orphan", "client_secret_basic"),
        )
        .await;
    r.assert_status(401);
    browser.get("/create_client").await.assert_status(303);
}

/// The client form needs a session: logged out, 303 to the login page
/// with `next` back to the form.
async fn create_client_page_requires_login(app: &TestApp) {
    let browser = app.browser();
    let r = browser.get("/create_client").await;
    r.assert_status(303);
    assert_eq!(r.location(), Some("/?next=%2Fcreate_client"));
    let r = browser
        .submit_client_form(&ClientForm::new("anonymous"), Some("x"))
        .await;
    r.assert_status(303);
    assert!(r.expect_location().starts_with("/?next="));
}

/// Contract: the client form carries a hidden `csrf_token`; a POST without
/// it (or with a wrong one) is refused with 403 and creates nothing.
async fn create_client_without_csrf_token_is_forbidden(app: &TestApp) {
    let browser = app.logged_in("erin").await;
    let csrf = browser.csrf_of("/create_client").await;
    assert!(csrf.len() >= 32, "{csrf}");

    let r = browser
        .submit_client_form(&ClientForm::new("no csrf"), None)
        .await;
    r.assert_status(403);
    assert_eq!(r.location(), None);
    let r = browser
        .submit_client_form(&ClientForm::new("wrong csrf"), Some("not-the-token"))
        .await;
    r.assert_status(403);
    // Another session's token is no good either.
    let other = app.logged_in("mallory").await;
    let their_csrf = other.csrf_of("/create_client").await;
    assert_ne!(their_csrf, csrf);
    let r = browser
        .submit_client_form(&ClientForm::new("foreign csrf"), Some(&their_csrf))
        .await;
    r.assert_status(403);
    assert!(browser.client_cards().await.is_empty());

    // With the token the same form works.
    browser
        .create_client_by_form(&ClientForm::new("with csrf"))
        .await;
    assert_eq!(browser.client_cards().await.len(), 1);
}

/// Contract: the home page lists the user's clients with their ids,
/// secrets (to the session that created them) and metadata; the secret
/// shown is the real one.
async fn created_client_shows_id_secret_and_metadata_to_its_session(app: &TestApp) {
    let browser = app.logged_in("frank").await;
    let mut form = ClientForm::new("Frank's printer");
    form.client_uri = "https://printer.example/".into();
    form.redirect_uris = vec![REDIRECT_URI.into(), "http://127.0.0.1:9999/cb".into()];
    form.grant_types = vec![
        "authorization_code".into(),
        "refresh_token".into(),
        "client_credentials".into(),
    ];
    form.token_endpoint_auth_method = "client_secret_post".into();
    let card = browser.create_client_by_form(&form).await;
    assert_eq!(card.name, "Frank's printer");
    assert!(card.client_id.len() >= 16, "{card:?}");
    let secret = card
        .client_secret
        .clone()
        .unwrap_or_else(|| panic!("the creating session sees the secret: {card:?}"));
    let metadata: serde_json::Value =
        serde_json::from_str(&card.metadata).unwrap_or_else(|e| panic!("{e}: {}", card.metadata));
    assert_eq!(metadata["client_name"], "Frank's printer");
    assert_eq!(metadata["client_uri"], "https://printer.example/");
    assert_eq!(metadata["scope"], "profile email");
    assert_eq!(
        metadata["redirect_uris"],
        serde_json::json!([REDIRECT_URI, "http://127.0.0.1:9999/cb"])
    );
    assert_eq!(
        metadata["grant_types"],
        serde_json::json!(["authorization_code", "refresh_token", "client_credentials"])
    );
    assert_eq!(metadata["response_types"], serde_json::json!(["code"]));
    assert_eq!(metadata["token_endpoint_auth_method"], "client_secret_post");

    // The id and secret shown are the client's credentials.
    let token = app
        .api()
        .token_ok(
            ClientAuth::Post(&card.client_id, &secret),
            &[("grant_type", "client_credentials"), ("scope", "profile")],
        )
        .await;
    assert_eq!(token["scope"], "profile");

    // Another session of the same user sees the client, not the secret.
    let elsewhere = app.logged_in("frank").await;
    let cards = elsewhere.client_cards().await;
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].client_id, card.client_id);
    assert_eq!(cards[0].client_secret, None);
    let home = elsewhere.get("/").await;
    assert!(!home.body.contains(&secret));
    // And another user sees none of it.
    let stranger = app.logged_in("grace").await;
    assert!(stranger.client_cards().await.is_empty());
    assert!(!stranger.get("/").await.body.contains(&card.client_id));
}

/// A `none` (public) client has no secret to show.
async fn created_public_client_has_no_secret(app: &TestApp) {
    let browser = app.logged_in("heidi").await;
    let mut form = ClientForm::new("Heidi's SPA");
    form.token_endpoint_auth_method = "none".into();
    let card = browser.create_client_by_form(&form).await;
    assert_eq!(card.client_secret, None, "{card:?}");
    let home = browser.get("/").await;
    assert!(home.body.contains("none (public client)"), "{}", home.body);
    let metadata: serde_json::Value = serde_json::from_str(&card.metadata).unwrap();
    assert_eq!(metadata["token_endpoint_auth_method"], "none");
}

/// Invalid metadata (RFC 7591 §2: a redirect URI with a fragment) is
/// refused with the form shown again (400) and nothing created.
async fn create_client_with_invalid_metadata_shows_the_form_again(app: &TestApp) {
    let browser = app.logged_in("ivan").await;
    let csrf = browser.csrf_of("/create_client").await;
    let mut form = ClientForm::new("bad");
    form.redirect_uris = vec!["https://client.example/cb#fragment".into()];
    let r = browser.submit_client_form(&form, Some(&csrf)).await;
    r.assert_status(400);
    assert!(r.body.contains("class=\"error\""), "{}", r.body);
    assert!(
        oauth_tests::app::hidden_input(&r.body, "csrf_token").is_some(),
        "the form is shown again"
    );
    assert!(browser.client_cards().await.is_empty());
}

/// Contract: logged in and valid, `GET /oauth/authorize` is a consent page
/// naming the client and the scopes, with a form that POSTs to the same URL
/// with a hidden `csrf_token` and a `confirm=yes` button.
async fn consent_page_names_the_client_and_scopes_and_posts_back_with_csrf(app: &TestApp) {
    let (browser, client_id, _) = with_code_client(app, "judy", "Judy's Calendar").await;
    let q = code_request(&client_id, "st-1");
    let page = browser.consent_page(&q).await;
    let body = &page.reply.body;
    assert!(
        strong_texts(body).iter().any(|t| t == "Judy's Calendar"),
        "the client is named: {body}"
    );
    assert!(
        body.contains("see your profile"),
        "profile scope named: {body}"
    );
    assert!(
        body.contains("see your email address"),
        "email scope named: {body}"
    );
    assert!(body.contains(REDIRECT_URI), "where the user will be sent");
    assert_eq!(page.method, "post");
    assert_eq!(page.action, format!("/oauth/authorize?{q}"));
    assert!(page.csrf_token.len() >= 32, "{}", page.csrf_token);
    assert!(page.confirm_values.iter().any(|v| v == "yes"), "{page:?}");
    // The token is the session's: the same on the next page.
    assert_eq!(browser.consent_page(&q).await.csrf_token, page.csrf_token);
    // A narrower request names only what it asks for.
    let page = browser
        .consent_page(&query(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "email"),
        ]))
        .await;
    assert!(!page.reply.body.contains("see your profile"));
    assert!(page.reply.body.contains("see your email address"));
}

/// Contract (RFC 6749 §10.13, clickjacking): the consent page has
/// `X-Frame-Options: DENY` (and CSP `frame-ancestors 'none'`).
async fn consent_page_cannot_be_framed(app: &TestApp) {
    let (browser, client_id, _) = with_code_client(app, "ken", "Framed").await;
    let page = browser.consent_page(&code_request(&client_id, "s")).await;
    assert_eq!(page.reply.header("x-frame-options"), Some("DENY"));
    assert!(
        page.reply
            .header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'")),
        "{:?}",
        page.reply.headers
    );
    assert_eq!(page.reply.header("cache-control"), Some("no-store"));
}

/// The client name is the client's to choose: it is shown escaped, never
/// as markup.
async fn consent_page_escapes_the_client_name(app: &TestApp) {
    let (browser, client_id, _) =
        with_code_client(app, "leo", "<script>alert(1)</script> & Co").await;
    let page = browser.consent_page(&code_request(&client_id, "s")).await;
    let body = &page.reply.body;
    assert!(!body.contains("<script>"), "{body}");
    assert!(!body.contains("& Co"), "a bare ampersand: {body}");
    let heading = strong_texts(body);
    assert!(
        heading
            .iter()
            .any(|t| t == "<script>alert(1)</script> & Co"),
        "the name is shown as text: {heading:?}"
    );
}

/// Contract: logged out, `GET /oauth/authorize` answers 303 to
/// `/?next=<this url>`; logging in there comes back to the request.
async fn authorize_logged_out_redirects_to_login_and_back(app: &TestApp) {
    let (_, client_id, _) = with_code_client(app, "mia", "Round trip").await;
    let q = code_request(&client_id, "state with spaces & symbols");
    let authorize = format!("/oauth/authorize?{q}");

    let browser = app.browser();
    let r = browser.get(&authorize).await;
    r.assert_status(303);
    let location = r.expect_location().to_owned();
    assert!(location.starts_with("/?next="), "{location}");
    let next = query_params(&format!("http://x{location}"));
    assert_eq!(param(&next, "next"), Some(authorize.as_str()));

    // The login page carries `next` into its form; logging in goes back.
    let login_page = browser.get(&location).await;
    login_page.assert_status(200);
    let form = oauth_tests::app::tags(&login_page.body, "form")[0];
    let action = oauth_tests::app::attr(form, "action").expect("form action");
    let r = browser.post_form(&action, &[("username", "nina")]).await;
    r.assert_status(303);
    assert_eq!(r.location(), Some(authorize.as_str()));

    let page = browser.consent_page(&q).await;
    assert!(page.reply.body.contains("Round trip"));
    let r = browser
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(302);
    let back = query_params(r.expect_location());
    assert_eq!(param(&back, "state"), Some("state with spaces & symbols"));
    assert!(param(&back, "code").is_some());
}

/// Contract / RFC 6749 §4.1.2.1: an unknown client is an error page (400),
/// never a redirect, even to a plausible redirect URI.
async fn authorize_unknown_client_is_an_error_page_not_a_redirect(app: &TestApp) {
    let browser = app.logged_in("olga").await;
    let r = browser
        .get(&format!(
            "/oauth/authorize?{}",
            query(&[
                ("response_type", "code"),
                ("client_id", "no-such-client"),
                ("redirect_uri", "https://evil.example/cb"),
                ("state", "s"),
            ])
        ))
        .await;
    r.assert_status(400);
    assert_eq!(r.location(), None);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "an HTML page for the user: {:?}",
        r.headers
    );
    assert!(r.body.contains("invalid_client"), "{}", r.body);
    // No client_id at all is the same.
    let r = browser.get("/oauth/authorize?response_type=code").await;
    r.assert_status(400);
    assert_eq!(r.location(), None);
}

/// Contract / RFC 6749 §3.1.2.4, §4.1.2.1: a redirect URI the client did
/// not register (exact match) is an error page (400), never a redirect.
async fn authorize_unregistered_redirect_uri_is_an_error_page_not_a_redirect(app: &TestApp) {
    let (browser, client_id, _) = with_code_client(app, "pat", "Exact match").await;
    for redirect_uri in [
        "https://evil.example/callback",
        "https://client.example/callback/extra",
        "https://client.example/callback?x=1",
        "https://CLIENT.example/callback",
        "http://client.example/callback",
    ] {
        let r = browser
            .get(&format!(
                "/oauth/authorize?{}",
                query(&[
                    ("response_type", "code"),
                    ("client_id", &client_id),
                    ("redirect_uri", redirect_uri),
                    ("state", "s"),
                ])
            ))
            .await;
        r.assert_status(400);
        assert_eq!(r.location(), None, "{redirect_uri}");
        assert!(!r.body.contains(redirect_uri), "no link to {redirect_uri}");
    }
    // Nothing to confirm either: the POST is refused the same way.
    let ok = browser.consent_page(&code_request(&client_id, "s")).await;
    let bad = format!(
        "/oauth/authorize?{}",
        query(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", "https://evil.example/callback"),
        ])
    );
    let r = browser
        .post_form(&bad, &[("csrf_token", &ok.csrf_token), ("confirm", "yes")])
        .await;
    r.assert_status(400);
    assert_eq!(r.location(), None);
    assert_eq!(app.stored_codes().await, 0);
}

/// Contract / RFC 6749 §4.1.2.1: once the client and redirect URI are
/// known, other errors go back to the client with `error` and `state`.
async fn authorize_other_errors_redirect_to_the_client_with_state(app: &TestApp) {
    let (browser, client_id, _) = with_code_client(app, "quinn", "Errors").await;
    for (params, error) in [
        (
            vec![("response_type", "bogus")],
            "unsupported_response_type",
        ),
        (vec![], "invalid_request"),
        (
            vec![("response_type", "code"), ("scope", "admin")],
            "invalid_scope",
        ),
        // Registered for `code` only (RFC 6749 §4.2.2.1).
        (vec![("response_type", "token")], "unauthorized_client"),
        (
            vec![
                ("response_type", "code"),
                ("code_challenge", "too-short"),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
    ] {
        let mut params = params;
        params.extend([
            ("client_id", client_id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("state", "xyz 1"),
        ]);
        let r = browser
            .get(&format!("/oauth/authorize?{}", query(&params)))
            .await;
        r.assert_status(302);
        let location = r.expect_location();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        let back = if location.contains('#') {
            oauth_tests::app::fragment_params(location)
        } else {
            query_params(location)
        };
        assert_eq!(
            param(&back, "error"),
            Some(error),
            "{params:?} -> {location}"
        );
        assert_eq!(param(&back, "state"), Some("xyz 1"), "{location}");
        assert_eq!(param(&back, "code"), None);
    }
    assert_eq!(app.stored_codes().await, 0);
}

/// Contract: `POST /oauth/authorize` without a valid `csrf_token` is
/// refused (403) and issues no code (RFC 6749 §10.12).
async fn consent_post_without_valid_csrf_is_forbidden_and_issues_no_code(app: &TestApp) {
    let (browser, client_id, _) = with_code_client(app, "rita", "CSRF target").await;
    let q = code_request(&client_id, "s");
    let page = browser.consent_page(&q).await;

    let other = app.logged_in("mallory").await;
    let foreign = other.consent_page(&q).await.csrf_token;
    assert_ne!(foreign, page.csrf_token);

    let attempts: Vec<Vec<(&str, &str)>> = vec![
        vec![("confirm", "yes")],
        vec![("csrf_token", ""), ("confirm", "yes")],
        vec![("csrf_token", "forged"), ("confirm", "yes")],
        vec![("csrf_token", &foreign), ("confirm", "yes")],
    ];
    for form in &attempts {
        let r = browser.post_form(&page.action, form).await;
        r.assert_status(403);
        assert_eq!(r.location(), None, "{form:?}");
    }
    // A browser with no session at all.
    let r = app
        .browser()
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    assert!(
        r.status == 403 || r.status == 400,
        "no session: {}",
        r.status
    );
    assert_eq!(r.location(), None);
    assert_eq!(app.stored_codes().await, 0, "no code was issued");

    // The genuine form does issue one (the count above can tell).
    let r = browser
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(302);
    assert_eq!(app.stored_codes().await, 1);
}

/// Contract / RFC 6749 §4.1.2.1: anything but `confirm=yes` denies:
/// `error=access_denied` with `state`, and no code.
async fn consent_denied_redirects_access_denied_with_state(app: &TestApp) {
    let (browser, client_id, _) = with_code_client(app, "sam", "Denied").await;
    let q = code_request(&client_id, "keep-me");
    for confirm in [Some("no"), Some("YES"), Some(""), None] {
        let page = browser.consent_page(&q).await;
        let mut form = vec![("csrf_token", page.csrf_token.as_str())];
        if let Some(c) = confirm {
            form.push(("confirm", c));
        }
        let r = browser.post_form(&page.action, &form).await;
        r.assert_status(302);
        let location = r.expect_location();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        let back = query_params(location);
        assert_eq!(param(&back, "error"), Some("access_denied"), "{confirm:?}");
        assert_eq!(param(&back, "state"), Some("keep-me"));
        assert_eq!(param(&back, "code"), None);
    }
    assert_eq!(app.stored_codes().await, 0);
}

/// The cookies a login sets, as `name=value` pairs.
async fn login_cookies(http: &reqwest::Client, app: &TestApp, name: &str) -> Vec<String> {
    let r = http
        .post(app.url("/"))
        .form(&[("username", name)])
        .send()
        .await
        .unwrap();
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect()
}

/// RFC 6749 §10.12, RFC 9700 §4.7: the consent form's CSRF token belongs
/// to the session. Alice's session cookie sent with Bob's other cookies
/// and Bob's token (what a cookie planted from a sibling host or over
/// plain HTTP can pair) issues no code for Alice.
async fn rfc9700_4_7_consent_csrf_token_is_bound_to_the_session(app: &TestApp) {
    let (_, client_id, _) = with_code_client(app, "planted-owner", "Planted").await;
    let q = code_request(&client_id, "s");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let alice = login_cookies(&http, app, "planted-alice").await;
    let bob = login_cookies(&http, app, "planted-bob").await;
    let page = http
        .get(app.url(&format!("/oauth/authorize?{q}")))
        .header("Cookie", bob.join("; "))
        .send()
        .await
        .unwrap();
    let page = oauth_tests::app::ConsentPage::parse(&oauth_tests::app::Reply::read(page).await);
    // Alice's session; every other cookie Bob's.
    let alice_session = alice.iter().find(|c| c.starts_with("session=")).unwrap();
    let mut planted: Vec<&str> = bob
        .iter()
        .filter(|c| !c.starts_with("session="))
        .map(String::as_str)
        .collect();
    planted.push(alice_session);
    let r = http
        .post(app.url(&page.action))
        .header("Cookie", planted.join("; "))
        .form(&[("csrf_token", page.csrf_token.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "{:?}", r.headers().get("location"));
    assert_eq!(app.stored_codes().await, 0, "no code was issued");
}
