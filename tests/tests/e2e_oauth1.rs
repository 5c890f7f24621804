//! End-to-end tests of OAuth 1.0a (RFC 5849) over real HTTP against the
//! example app, on SQLite and, when configured, PostgreSQL and MySQL: a
//! client registered at `/oauth1/clients` gets temporary credentials, a
//! logged-in user approves on the consent page, the client exchanges the
//! verifier and calls `/api/oauth1/me`; with HMAC-SHA1, RSA-SHA1 and
//! PLAINTEXT, parameters in the header, the body or the query; and the
//! refusals: replayed nonce, stale timestamp, wrong signature, reused
//! verifier, duplicated parameters, denial, `oob`.
//!
//! Most requests are signed with the engine's `Signer`; one test hands the
//! whole flow to Python's requests-oauthlib (`oauth1_flow.py`), a client
//! written by others. Without Python and requests-oauthlib that test prints
//! a note and passes, unless `OAUTH_TEST_REQUIRE` contains `python`: then
//! it fails, so CI cannot skip it silently.

use std::sync::Arc;

use oauth_tests::app::{Browser, Reply, TestApp, client_cards, new_secret_key, query_params};
use oauth_tests::db::TestDb;
use oauth_tests::oauth1::{
    CALLBACK, OAuth1Client, Placement, RSA_PRIVATE_PEM_PATH, RSA_PUBLIC_PEM, credentials_of, field,
    now,
};
use serde_json::{Value, json};

oauth_tests::e2e_on_every_backend!(
    rfc5849_flow_with_each_signature_method_and_placement,
    rfc5849_3_2_refusals_replay_stale_forged_reused_duplicated,
    rfc5849_2_2_oob_shows_the_verifier,
    rfc5849_2_2_denial_redirects_with_access_denied,
    rfc5849_2_2_consent_page_needs_login_and_csrf,
    oauth1_client_registration_and_home_page,
    requests_oauthlib_does_the_whole_flow,
);

const METHODS: [&str; 3] = ["HMAC-SHA1", "RSA-SHA1", "PLAINTEXT"];
const PLACEMENTS: [Placement; 3] = [Placement::Header, Placement::Body, Placement::Query];

/// A logged-in user with an OAuth 1 client that has a secret and an RSA
/// key (so it can sign with all three methods): (browser, id, secret).
async fn registered(app: &TestApp, username: &str) -> (Browser, String, String) {
    let browser = app.logged_in(username).await;
    let reg = browser
        .register_oauth1_client(&json!({
            "client_name": "Photo printer",
            "redirect_uris": [CALLBACK],
            "rsa_public_key": RSA_PUBLIC_PEM,
            "default_realms": ["photos"],
        }))
        .await;
    let id = reg["client_id"].as_str().expect("client_id").to_owned();
    let secret = reg["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_owned();
    (browser, id, secret)
}

/// Asserts an OAuth 1 error answer: status, form-encoded `error`, no
/// caching, and the `OAuth` challenge on 401s.
#[track_caller]
fn assert_oauth1_error(r: &Reply, status: u16, error: &str) {
    r.assert_status(status);
    assert_eq!(
        field(&r.body, "error").as_deref(),
        Some(error),
        "body: {}",
        r.body
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    if status == 401 {
        assert!(
            r.header("www-authenticate")
                .is_some_and(|c| c.starts_with("OAuth")),
            "RFC 5849 §3.5.1 challenge: {:?}",
            r.headers
        );
    }
}

/// `/api/oauth1/me` answers the user's id and name.
#[track_caller]
fn assert_me(r: &Reply, username: &str) {
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.headers
    );
    let me = r.json();
    assert_eq!(me["username"], username, "{me}");
    assert!(me["id"].as_i64().is_some(), "{me}");
}

/// §2 and §3 for every signature method and every placement of the
/// protocol parameters; each token credential then calls the API.
async fn rfc5849_flow_with_each_signature_method_and_placement(app: &TestApp) {
    let (browser, id, secret) = registered(app, "jane").await;
    for method in METHODS {
        for placement in PLACEMENTS {
            let client = OAuth1Client::new(&id, &secret, method).placed(placement);
            let client = app.oauth1_flow(client, &browser).await;
            let r = app.oauth1_me(&client).await;
            assert_me(&r, "jane");
        }
    }
    // A signed query and a signed form body of the resource's own.
    let client = app
        .oauth1_flow(OAuth1Client::new(&id, &secret, "HMAC-SHA1"), &browser)
        .await;
    let url = app.url("/api/oauth1/me?fields=id+username&lang=fr%2Cen");
    assert_me(
        &app.send_signed(&client.sign("GET", &url, &[], &[])).await,
        "jane",
    );
    let url = app.url("/api/oauth1/me");
    let signed = client.sign("POST", &url, &[("note", "a b&c=d"), ("note", "é")], &[]);
    assert_me(&app.send_signed(&signed).await, "jane");
}

/// §3.2, §3.3, §2.3 and §3.5 refusals, each with its status and code.
async fn rfc5849_3_2_refusals_replay_stale_forged_reused_duplicated(app: &TestApp) {
    let (browser, id, secret) = registered(app, "jane").await;
    let hmac = OAuth1Client::new(&id, &secret, "HMAC-SHA1");
    let me_url = app.url("/api/oauth1/me");

    // Replayed nonce: the same signed request twice.
    let initiate = hmac.sign(
        "POST",
        &app.url("/oauth1/initiate"),
        &[],
        &[("oauth_callback", CALLBACK)],
    );
    credentials_of(&app.send_signed(&initiate).await);
    assert_oauth1_error(&app.send_signed(&initiate).await, 401, "invalid_nonce");
    let client = app.oauth1_flow(hmac.clone(), &browser).await;
    let request = client.sign("GET", &me_url, &[], &[]);
    assert_me(&app.send_signed(&request).await, "jane");
    assert_oauth1_error(&app.send_signed(&request).await, 401, "invalid_nonce");

    // Stale and future timestamps (more than 300 s away).
    for skew in [-301, -3600, 301] {
        let ts = (now() + skew).to_string();
        let r = app
            .send_signed(&client.sign("GET", &me_url, &[], &[("oauth_timestamp", &ts)]))
            .await;
        assert_oauth1_error(&r, 400, "invalid_request");
        assert!(r.body.contains("oauth_timestamp"), "{}", r.body);
    }
    // Within the window is fine.
    let ts = (now() - 200).to_string();
    let r = app
        .send_signed(&client.sign("GET", &me_url, &[], &[("oauth_timestamp", &ts)]))
        .await;
    assert_me(&r, "jane");

    // Wrong signatures: a wrong client secret, a wrong token secret, a
    // request signed for another URL, an RSA signature by another key
    // (here: the HMAC value presented as RSA-SHA1).
    let mut wrong = client.clone();
    wrong.signer.client_secret = "not-the-secret".into();
    assert_oauth1_error(
        &app.send_signed(&wrong.sign("GET", &me_url, &[], &[])).await,
        401,
        "invalid_signature",
    );
    let mut wrong = client.clone();
    if let Some((_, s)) = &mut wrong.signer.token {
        *s = format!("{}x", s.secret()).into();
    }
    assert_oauth1_error(
        &app.send_signed(&wrong.sign("GET", &me_url, &[], &[])).await,
        401,
        "invalid_signature",
    );
    let mut elsewhere = client.sign("GET", &app.url("/api/oauth1/other"), &[], &[]);
    elsewhere.url = me_url.clone();
    assert_oauth1_error(&app.send_signed(&elsewhere).await, 401, "invalid_signature");
    let mut forged_rsa = client.sign("GET", &me_url, &[], &[]);
    for (k, v) in &mut forged_rsa.headers {
        if k.eq_ignore_ascii_case("authorization") {
            *v = v.replace("HMAC-SHA1", "RSA-SHA1");
        }
    }
    assert_oauth1_error(
        &app.send_signed(&forged_rsa).await,
        401,
        "invalid_signature",
    );
    // A tampered signed parameter.
    let mut tampered = client.sign("GET", &app.url("/api/oauth1/me?fields=id"), &[], &[]);
    tampered.url = app.url("/api/oauth1/me?fields=all");
    assert_oauth1_error(&app.send_signed(&tampered).await, 401, "invalid_signature");
    // Unknown client, unknown token.
    let stranger = OAuth1Client::new("nobody", "secret", "HMAC-SHA1");
    let r = app.oauth1_initiate(&stranger, CALLBACK).await;
    assert_oauth1_error(&r, 401, "invalid_client");
    let mut unknown = client.clone();
    unknown.signer.token = Some(("no-such-token".into(), "x".into()));
    assert_oauth1_error(
        &app.send_signed(&unknown.sign("GET", &me_url, &[], &[]))
            .await,
        401,
        "invalid_token",
    );
    // No protocol parameters at all.
    let r = Reply::read(app.api().http.get(&me_url).send().await.unwrap()).await;
    assert_oauth1_error(&r, 400, "missing_required_parameter");

    // Reused verifier: the temporary credential is exchanged once.
    let (temporary, temporary_secret) = credentials_of(&app.oauth1_initiate(&hmac, CALLBACK).await);
    let r = browser.answer_oauth1_consent(&temporary, "yes").await;
    r.assert_status(302);
    let callback = query_params(r.expect_location());
    let verifier = oauth_tests::app::param(&callback, "oauth_verifier")
        .unwrap()
        .to_owned();
    let holder = hmac
        .clone()
        .with_token(Some((temporary.clone(), temporary_secret)));
    // A wrong verifier first: refused, and the credential stays usable.
    assert_oauth1_error(
        &app.oauth1_token(&holder, "wrong-verifier").await,
        400,
        "invalid_request",
    );
    credentials_of(&app.oauth1_token(&holder, &verifier).await);
    assert_oauth1_error(
        &app.oauth1_token(&holder, &verifier).await,
        401,
        "invalid_token",
    );
    // An approved credential cannot be approved again either.
    let page = browser
        .get(&format!("/oauth1/authorize?oauth_token={temporary}"))
        .await;
    page.assert_status(400);

    // Duplicated protocol parameters: twice in the query, or in the header
    // and the query.
    let query = client.clone().placed(Placement::Query);
    let mut twice = query.sign("GET", &me_url, &[], &[]);
    twice.url.push_str("&oauth_nonce=again");
    assert_oauth1_error(
        &app.send_signed(&twice).await,
        400,
        "duplicated_oauth_protocol_parameter",
    );
    let mut split = client.sign("GET", &me_url, &[], &[]);
    split.url.push_str(&format!("?oauth_consumer_key={id}"));
    assert_oauth1_error(
        &app.send_signed(&split).await,
        400,
        "duplicated_oauth_protocol_parameter",
    );
    // The same parameter twice in the form body of a credential request.
    let body = hmac.clone().placed(Placement::Body);
    let mut twice = body.sign(
        "POST",
        &app.url("/oauth1/initiate"),
        &[],
        &[("oauth_callback", CALLBACK)],
    );
    if let Some(b) = &mut twice.body {
        b.push_str("&oauth_callback=oob");
    }
    assert_oauth1_error(
        &app.send_signed(&twice).await,
        400,
        "duplicated_oauth_protocol_parameter",
    );

    // A callback that is not registered; a GET on the POST-only endpoints.
    let r = app
        .oauth1_initiate(&hmac, "https://attacker.example/steal")
        .await;
    assert_oauth1_error(&r, 400, "invalid_request");
    for path in ["/oauth1/initiate", "/oauth1/token"] {
        let r = Reply::read(app.api().http.get(app.url(path)).send().await.unwrap()).await;
        assert_oauth1_error(&r, 405, "method_not_allowed");
        assert_eq!(r.header("allow"), Some("POST"));
    }
}

/// §2.1 `oob`: no callback; the consent page says a code will be shown,
/// the grant shows the verifier, which the client then exchanges.
async fn rfc5849_2_2_oob_shows_the_verifier(app: &TestApp) {
    let (browser, id, secret) = registered(app, "jane").await;
    let client = OAuth1Client::new(&id, &secret, "HMAC-SHA1");
    let (temporary, temporary_secret) = credentials_of(&app.oauth1_initiate(&client, "oob").await);
    let page = browser.oauth1_consent_page(&temporary).await;
    assert!(!page.reply.body.contains(CALLBACK), "no callback for oob");
    let r = browser
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    let verifier = r
        .body
        .split("<code id=\"oauth_verifier\">")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .map(oauth_tests::app::html_unescape)
        .unwrap_or_else(|| panic!("no verifier on the page: {}", r.body));
    assert!(verifier.len() >= 16, "{verifier}");
    let client = client.with_token(Some((temporary, temporary_secret)));
    let token = credentials_of(&app.oauth1_token(&client, &verifier).await);
    let client = client.with_token(Some(token));
    assert_me(&app.oauth1_me(&client).await, "jane");

    // Denying an oob request shows that it was denied.
    let client = OAuth1Client::new(&id, &secret, "HMAC-SHA1");
    let (temporary, _) = credentials_of(&app.oauth1_initiate(&client, "oob").await);
    let r = browser.answer_oauth1_consent(&temporary, "no").await;
    r.assert_status(200);
    assert!(r.body.contains("denied"), "{}", r.body);
    assert!(!r.body.contains("oauth_verifier"), "{}", r.body);
}

/// Denial: the callback gets `error=access_denied` (Authlib's answer; RFC
/// 5849 defines none) and the temporary credential is gone.
async fn rfc5849_2_2_denial_redirects_with_access_denied(app: &TestApp) {
    let (browser, id, secret) = registered(app, "jane").await;
    let client = OAuth1Client::new(&id, &secret, "HMAC-SHA1");
    let (temporary, temporary_secret) =
        credentials_of(&app.oauth1_initiate(&client, CALLBACK).await);
    let r = browser.answer_oauth1_consent(&temporary, "no").await;
    r.assert_status(302);
    let location = r.expect_location();
    assert!(location.starts_with(CALLBACK), "{location}");
    let params = query_params(location);
    assert_eq!(
        oauth_tests::app::param(&params, "error"),
        Some("access_denied")
    );
    assert_eq!(
        oauth_tests::app::param(&params, "oauth_token"),
        Some(temporary.as_str())
    );
    assert_eq!(oauth_tests::app::param(&params, "oauth_verifier"), None);
    let client = client.with_token(Some((temporary.clone(), temporary_secret)));
    assert_oauth1_error(
        &app.oauth1_token(&client, "anything").await,
        401,
        "invalid_token",
    );
    browser
        .get(&format!("/oauth1/authorize?oauth_token={temporary}"))
        .await
        .assert_status(400);
}

/// The consent page: login first (back to the same URL), CSRF on the
/// form, no framing, an error page for unknown credentials.
async fn rfc5849_2_2_consent_page_needs_login_and_csrf(app: &TestApp) {
    let (browser, id, secret) = registered(app, "jane").await;
    let client = OAuth1Client::new(&id, &secret, "HMAC-SHA1");
    let (temporary, _) = credentials_of(&app.oauth1_initiate(&client, CALLBACK).await);
    let path = format!("/oauth1/authorize?oauth_token={temporary}");

    // Logged out: to the login form, which comes back here.
    let stranger = app.browser();
    let r = stranger.get(&path).await;
    r.assert_status(303);
    let next = r.expect_location().to_owned();
    assert!(next.starts_with("/?next="), "{next}");
    let r = stranger.post_form(&next, &[("username", "bob")]).await;
    r.assert_status(303);
    assert_eq!(
        r.location(),
        Some(path.as_str()),
        "back to the consent page"
    );
    let page = stranger.oauth1_consent_page(&temporary).await;
    assert!(page.reply.body.contains("Photo printer"));
    assert!(page.reply.body.contains(CALLBACK));
    assert_eq!(page.reply.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.method, "post");
    assert!(page.confirm_values.contains(&"yes".to_owned()));

    // Without the CSRF token, or with another session's: refused, and the
    // credential is still pending.
    let r = stranger
        .post_form(&page.action, &[("confirm", "yes")])
        .await;
    r.assert_status(403);
    let jane_page = browser.oauth1_consent_page(&temporary).await;
    let r = stranger
        .post_form(
            &page.action,
            &[("csrf_token", &jane_page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(403);
    // Logged out POST.
    let r = app
        .browser()
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(403);
    // Bob approves with his own token: the credential acts for bob.
    let r = stranger
        .post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
        )
        .await;
    r.assert_status(302);

    // Unknown or missing credential: an error page, no redirect.
    for bad in ["/oauth1/authorize?oauth_token=nope", "/oauth1/authorize"] {
        let r = browser.get(bad).await;
        r.assert_status(400);
        assert_eq!(r.location(), None);
    }
}

/// `POST /oauth1/clients`: login and JSON required, metadata checked (RSA
/// keys parsed); the home page then lists the client with its secret.
async fn oauth1_client_registration_and_home_page(app: &TestApp) {
    let body = json!({
        "client_name": "Photo printer",
        "redirect_uris": [CALLBACK, "myapp://done"],
        "rsa_public_key": RSA_PUBLIC_PEM,
        "default_realms": ["photos", "albums"],
    });
    // Logged out: 401.
    app.browser()
        .post_json("/oauth1/clients", &body)
        .await
        .assert_status(401);

    let browser = app.logged_in("jane").await;
    let reg = browser.register_oauth1_client(&body).await;
    let id = reg["client_id"].as_str().unwrap();
    let secret = reg["client_secret"].as_str().unwrap();
    assert!(!id.is_empty() && secret.len() >= 32, "{reg}");
    assert_eq!(reg["client_name"], "Photo printer");
    assert_eq!(reg["redirect_uris"], json!([CALLBACK, "myapp://done"]));
    assert_eq!(reg["default_realms"], json!(["photos", "albums"]));

    // Not JSON (a form could be forged cross-site), bad metadata.
    let r = browser
        .post_form("/oauth1/clients", &[("client_name", "x")])
        .await;
    r.assert_status(400);
    for bad in [
        json!({ "redirect_uris": [CALLBACK] }),
        json!({ "client_name": "x" }),
        json!({ "client_name": "", "redirect_uris": [] }),
        json!({ "client_name": "x", "redirect_uris": ["/relative"] }),
        json!({ "client_name": "x", "redirect_uris": ["https://a.example/cb#frag"] }),
        json!({ "client_name": "x", "redirect_uris": "https://a.example/cb" }),
        json!({ "client_name": "x", "redirect_uris": [], "rsa_public_key": "not a key" }),
        json!({ "client_name": "x", "redirect_uris": [], "default_realms": ["a b"] }),
        json!(["not", "an", "object"]),
    ] {
        let r = browser.post_json("/oauth1/clients", &bad).await;
        r.assert_status(400);
        assert_eq!(r.json()["error"], "invalid_client_metadata", "{bad}");
    }

    // The home page lists it, secret included (stored in clear: it is the
    // HMAC key), with its metadata.
    let card = browser
        .client_card("Photo printer")
        .await
        .expect("the OAuth 1 client's card");
    assert_eq!(card.client_id, id);
    assert_eq!(card.client_secret.as_deref(), Some(secret));
    let metadata: Value = serde_json::from_str(&card.metadata).expect("metadata JSON");
    assert_eq!(metadata["redirect_uris"], json!([CALLBACK, "myapp://done"]));
    assert_eq!(metadata["default_realms"], json!(["photos", "albums"]));
    assert!(
        metadata["rsa_public_key"]
            .as_str()
            .is_some_and(|k| k.contains("BEGIN PUBLIC KEY"))
    );
    // Another user does not see it.
    let other = app.logged_in("bob").await;
    let home = other.get("/").await;
    assert!(client_cards(&home.body).iter().all(|c| c.client_id != id));

    // The realms it may ask for are limited to its defaults.
    let mut client = OAuth1Client::new(id, secret, "HMAC-SHA1");
    client.signer.realm = Some("admin".into());
    let r = app.oauth1_initiate(&client, CALLBACK).await;
    assert_oauth1_error(&r, 400, "invalid_request");
    client.signer.realm = Some("albums".into());
    credentials_of(&app.oauth1_initiate(&client, CALLBACK).await);
}

/// §2.1, §2.3, §3.4.4: with `oauth1.insecure_transport = false`, plain
/// HTTP credential requests, consent, registration (its answer has the
/// secret) and PLAINTEXT signatures are refused; the configuration comes
/// from Rocket's figment (`[oauth1]`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc5849_2_1_plain_http_is_refused_without_insecure_transport() {
    let app = TestApp::start_with(
        Arc::new(TestDb::sqlite()),
        &new_secret_key(),
        &[("oauth1.insecure_transport", json!(false))],
    )
    .await;
    let browser = app.logged_in("jane").await;
    let r = browser
        .post_json(
            "/oauth1/clients",
            &json!({ "client_name": "x", "redirect_uris": [CALLBACK] }),
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.json()["error"], "insecure_transport");
    for method in METHODS {
        let client = OAuth1Client::new("printer", "secret", method);
        assert_oauth1_error(
            &app.oauth1_initiate(&client, CALLBACK).await,
            400,
            "insecure_transport",
        );
    }
    let plaintext = OAuth1Client::new("printer", "secret", "PLAINTEXT")
        .with_token(Some(("token".into(), "secret".into())));
    assert_oauth1_error(&app.oauth1_me(&plaintext).await, 400, "insecure_transport");
    browser
        .get("/oauth1/authorize?oauth_token=anything")
        .await
        .assert_status(400);
}

/// The whole flow driven by requests-oauthlib, for each method and
/// placement it supports.
async fn requests_oauthlib_does_the_whole_flow(app: &TestApp) {
    let (_, id, secret) = registered(app, "jane").await;
    let spec = json!({
        "base": app.base,
        "username": "jane",
        "client_key": id,
        "client_secret": secret,
        "rsa_key_file": RSA_PRIVATE_PEM_PATH,
        "callback": CALLBACK,
        "legs": [
            ["HMAC-SHA1", "AUTH_HEADER"],
            ["HMAC-SHA1", "BODY"],
            ["HMAC-SHA1", "QUERY"],
            ["RSA-SHA1", "AUTH_HEADER"],
            ["RSA-SHA1", "BODY"],
            ["PLAINTEXT", "AUTH_HEADER"],
            ["PLAINTEXT", "QUERY"],
        ],
    });
    let Some(results) = tokio::task::spawn_blocking(move || python_flow(&spec))
        .await
        .expect("the python task")
    else {
        return;
    };
    assert_eq!(results.len(), 7, "{results:?}");
    for result in results {
        assert_eq!(result["status"], 200, "{result}");
        assert_eq!(result["me"]["username"], "jane", "{result}");
    }
}

const FLOW_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oauth1_flow.py");

/// Runs `oauth1_flow.py` on `spec`.
fn python_flow(spec: &Value) -> Option<Vec<Value>> {
    let out = oauth_tests::python::run_script(
        FLOW_SCRIPT,
        spec,
        "requests-oauthlib end-to-end",
        "pip install 'oauthlib[signedtoken]' requests-oauthlib",
    )?;
    Some(serde_json::from_value(out).expect("oauth1_flow.py prints a JSON list"))
}
