//! Abuse of the example app over HTTP: oversized bodies and headers,
//! framing of the consent and verification pages, open-redirect tricks at
//! the authorization endpoint, and brute force of client secrets and user
//! codes. SQLite, and every backend for the per-address limit on client
//! secrets (the counters live in the database, so a second instance on the
//! same database sees them). Requests come from distinct source addresses
//! of 127.0.0.0/8 where the client's address matters.

use std::sync::Arc;
use std::time::{Duration, Instant};

use oauth_tests::app::{
    Browser, ClientAuth, REDIRECT_URI, TestApp, code_client_metadata, credentials, new_secret_key,
    pkce_pair, query,
};
use oauth_tests::db::TestDb;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn app() -> TestApp {
    TestApp::start(TestDb::sqlite()).await
}

/// Sends raw bytes and returns the status code of the answer (and the
/// head of it), reading only until the end of the response head.
async fn raw_status(app: &TestApp, head: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("send head");
    // The server may answer and close before taking all of the body.
    let _ = stream.write_all(body).await;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("an answer within 10 s");
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    (status, text)
}

// ---------------------------------------------------------------------------
// Sizes.

/// Form bodies over Rocket's `form` limit (32 KiB) are refused with 413 at
/// every endpoint that reads one; JSON over the `json` limit (1 MiB) at
/// registration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_413() {
    let app = app().await;
    let big = "a".repeat(64 * 1024);
    let api = app.api();
    for path in [
        "/oauth/token",
        "/oauth/revoke",
        "/oauth/introspect",
        "/oauth/device_authorization",
    ] {
        let r = api
            .post(
                path,
                ClientAuth::None("x"),
                &[("grant_type", "password"), ("pad", &big)],
            )
            .await;
        r.assert_status(413);
    }
    let browser = app.logged_in("alice").await;
    let r = browser.post_form("/", &[("username", &big)]).await;
    r.assert_status(413);
    let mut metadata = code_client_metadata("Big", "client_secret_basic");
    metadata["client_name"] = "n".repeat(2 * 1024 * 1024).into();
    let r = browser.post_json("/oauth/register", &metadata).await;
    r.assert_status(413);
}

/// 413 comes early: a request that announces 100 MB and sends 64 KiB is
/// answered without the server waiting for the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_is_refused_before_it_is_read() {
    let app = app().await;
    let head = format!(
        "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 100000000\r\n\r\n",
        app.port
    );
    let started = Instant::now();
    let (status, _) = raw_status(&app, &head, &vec![b'a'; 64 * 1024]).await;
    assert_eq!(status, 413);
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Header sections larger than hyper's buffer (about 400 KiB) are refused
/// by hyper with 431 before Rocket sees them; so are requests with more
/// than 100 header fields. Neither limit is configurable through Rocket
/// 0.5 (it does not expose hyper's `max_buf_size`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_headers_are_431() {
    let app = app().await;
    let huge = format!(
        "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(512 * 1024)
    );
    let (status, head) = raw_status(&app, &huge, b"").await;
    assert_eq!(status, 431, "{head}");

    let many: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let (status, head) = raw_status(
        &app,
        &format!("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n{many}\r\n"),
        b"",
    )
    .await;
    assert_eq!(status, 431, "{head}");

    // An ordinary request on a new connection is served as usual.
    let (status, _) = raw_status(&app, "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"").await;
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------
// Framing (clickjacking of the consent page, RFC 9700 §4.16).

/// Not frameable (RFC 9700 §4.16), and no Referer leaves the page for the
/// links it shows (§4.2.2: the authorization request's URL carries its
/// `state`).
fn assert_not_frameable(r: &oauth_tests::app::Reply, what: &str) {
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(
        r.header("x-frame-options"),
        Some("DENY"),
        "{what}: {:?}",
        r.headers
    );
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
}

async fn code_client(browser: &Browser) -> (String, String) {
    credentials(
        &browser
            .register_client_json(&code_client_metadata("Framed", "client_secret_basic"))
            .await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_and_verification_pages_cannot_be_framed() {
    let app = app().await;
    let browser = app.logged_in("alice").await;
    let (client_id, _) = code_client(&browser).await;
    let (_, challenge) = pkce_pair();
    let q = query(&[
        ("response_type", "code"),
        ("client_id", &client_id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "profile"),
        ("state", "s"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let consent = browser.consent_page(&q).await;
    assert_not_frameable(&consent.reply, "consent page");
    // The error page of a bad request, the device verification page, the
    // home and login pages.
    let bad = browser
        .get(&format!(
            "/oauth/authorize?{}",
            query(&[("response_type", "code"), ("client_id", "nope")])
        ))
        .await;
    bad.assert_status(400);
    assert_not_frameable(&bad, "error page");
    let activate = browser.get("/activate").await;
    activate.assert_status(200);
    assert_not_frameable(&activate, "/activate");
    assert_not_frameable(&browser.get("/").await, "home");
    assert_not_frameable(&app.browser().get("/").await, "login page");
}

// ---------------------------------------------------------------------------
// Open redirects (RFC 6749 §3.1.2.4, §4.1.2.1; RFC 9700 §4.1): a redirect
// URI that is not exactly a registered one is answered with the error page
// and never redirected to, however it is disguised.

const TRICKS: &[&str] = &[
    "https://client.example@evil.example/callback",
    "https://client.example/callback@evil.example",
    "https://evil.example/callback",
    "https://client.example.evil.example/callback",
    "https://client.example/callback#frag",
    "https://client.example/callback#",
    "https://CLIENT.EXAMPLE/callback",
    "HTTPS://client.example/callback",
    "https://client.example/CALLBACK",
    "https://client.example./callback",
    "https://client.example/callback/../evil",
    "https://client.example/evil/../callback",
    "https://client.example/./callback",
    "https://client.example/callback%2F..%2Fevil",
    "https://client.example%2Fcallback",
    "https://client.example%2F@evil.example/callback",
    "https://client.example\\@evil.example/callback",
    "https://client.example/callback?x=1",
    "https://client.example/callback?",
    "https://client.example/callback/",
    "https://client.example/callbackx",
    "https://client.example:444/callback",
    "https://client.example:443/callback",
    "http://client.example/callback",
    "//evil.example/callback",
    " https://client.example/callback",
    "https://client.example/callback ",
    "https://client.example/callback%20",
    "https://client.example/call%62ack",
    "javascript:alert(1)//https://client.example/callback",
];

fn assert_error_page(r: &oauth_tests::app::Reply, what: &str) {
    r.assert_status(400);
    assert!(
        r.location().is_none(),
        "{what}: redirected to {:?}",
        r.location()
    );
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{what}: {:?}",
        r.headers
    );
    assert!(
        r.body.contains("redirect_uri"),
        "{what}: the page does not say why: {}",
        r.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_redirect_tricks_are_refused_with_the_error_page() {
    let app = app().await;
    let browser = app.logged_in("alice").await;
    let (client_id, _) = code_client(&browser).await;
    let (_, challenge) = pkce_pair();
    // The genuine request works (so the refusals below are about the URI).
    let genuine = query(&[
        ("response_type", "code"),
        ("client_id", &client_id),
        ("redirect_uri", REDIRECT_URI),
        ("state", "s"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    browser.consent_page(&genuine).await;
    let csrf = browser.consent_page(&genuine).await.csrf_token;

    for trick in TRICKS {
        for response_type in ["code", "token"] {
            let q = query(&[
                ("response_type", response_type),
                ("client_id", &client_id),
                ("redirect_uri", trick),
                ("state", "s"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ]);
            let path = format!("/oauth/authorize?{q}");
            assert_error_page(&browser.get(&path).await, &format!("GET {trick}"));
            // Posting the consent form for it (with a valid CSRF token)
            // does not redirect either, granted or denied.
            for confirm in ["yes", "no"] {
                let r = browser
                    .post_form(&path, &[("csrf_token", &csrf), ("confirm", confirm)])
                    .await;
                assert_error_page(&r, &format!("POST {trick} confirm={confirm}"));
            }
        }
    }
    // The same redirect URI registered twice in a different form is also
    // not a match for the other.
    assert_eq!(app.stored_codes().await, 0, "no code was issued");
}

// ---------------------------------------------------------------------------
// Brute force.

/// Two confidential clients of one user, allowed `client_credentials`.
async fn two_clients(app: &TestApp) -> ((String, String), (String, String)) {
    let browser = app.logged_in("alice").await;
    let metadata = json!({
        "client_name": "Target",
        "grant_types": ["client_credentials"],
        "scope": "profile",
        "token_endpoint_auth_method": "client_secret_basic",
    });
    let target = credentials(&browser.register_client_json(&metadata).await);
    let other = credentials(&browser.register_client_json(&metadata).await);
    (target, other)
}

const CC: [(&str, &str); 1] = [("grant_type", "client_credentials")];

fn description(body: &serde_json::Value) -> &str {
    body["error_description"].as_str().unwrap_or_default()
}

/// RFC 6819 §5.1.4.2.3 over HTTP, with the default settings: one address
/// (127.0.0.2) that sends `client_auth_max_failures_per_address` (10)
/// wrong secrets is refused for every client, right secret or not, on
/// this instance and on another one on the same database; the forged
/// `X-Forwarded-For` and `X-Real-IP` it sends are ignored (the app does not
/// trust them by default), so it cannot pose as fresh addresses. The
/// client itself, from another address (127.0.0.3), still gets tokens with
/// its right secret, however long the guesser goes on.
async fn client_secret_guessing_is_cut_off_per_address(app: &TestApp) {
    let ((target, secret), (other, other_secret)) = two_clients(app).await;
    let honest = app.api_from("127.0.0.3", &[]);
    honest
        .token_ok(ClientAuth::Basic(&target, &secret), &CC)
        .await;

    for i in 0..10 {
        let forged = format!("127.0.1.{i}");
        let attacker = app.api_from(
            "127.0.0.2",
            &[("X-Forwarded-For", &forged), ("X-Real-IP", &forged)],
        );
        let body = attacker
            .token_error(
                ClientAuth::Basic(&target, &format!("guess-{i}")),
                &CC,
                401,
                "invalid_client",
            )
            .await;
        assert_eq!(description(&body), "client authentication failed", "{i}");
    }
    let attacker = app.api_from(
        "127.0.0.2",
        &[
            ("X-Forwarded-For", "127.0.1.99"),
            ("X-Real-IP", "127.0.1.99"),
        ],
    );
    // Cut off: the right secret is refused too, with no hint whether it
    // was right, and so is another client, and a secret in the body.
    let body = attacker
        .token_error(
            ClientAuth::Basic(&target, &secret),
            &CC,
            401,
            "invalid_client",
        )
        .await;
    assert!(description(&body).contains("from this address"), "{body}");
    attacker
        .token_error(
            ClientAuth::Basic(&other, &other_secret),
            &CC,
            401,
            "invalid_client",
        )
        .await;
    attacker
        .token_error(
            ClientAuth::Post(&target, &secret),
            &CC,
            400,
            "invalid_client",
        )
        .await;
    // Guessing on changes nothing for the client's owner.
    for i in 0..120 {
        attacker
            .token_error(
                ClientAuth::Basic(&target, &format!("more-{i}")),
                &CC,
                401,
                "invalid_client",
            )
            .await;
    }
    honest
        .token_ok(ClientAuth::Basic(&target, &secret), &CC)
        .await;
    honest
        .token_ok(ClientAuth::Basic(&other, &other_secret), &CC)
        .await;

    // The counts are in the database: a second instance sees them.
    let second = app.another_instance().await;
    second
        .api_from("127.0.0.2", &[])
        .token_error(
            ClientAuth::Basic(&target, &secret),
            &CC,
            401,
            "invalid_client",
        )
        .await;
    second
        .api_from("127.0.0.3", &[])
        .token_ok(ClientAuth::Basic(&target, &secret), &CC)
        .await;
}

oauth_tests::e2e_on_every_backend!(client_secret_guessing_is_cut_off_per_address);

/// The per-client backstop over HTTP: wrong secrets from many addresses,
/// none past its own limit, lock the client once they reach
/// `client_auth_max_failures` (20 here), even for its right secret from a
/// clean address; another client is not affected; an instance started
/// after this one stops still refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_guessing_from_many_addresses_locks_the_client_across_restarts() {
    let db = Arc::new(TestDb::sqlite());
    let key = new_secret_key();
    let config = [("oauth2.limits.client_secret.max_failures", json!(20))];
    let app = TestApp::start_with(db.clone(), &key, &config).await;
    let ((target, secret), (other, other_secret)) = two_clients(&app).await;
    for i in 0..20 {
        app.api_from(&format!("127.0.0.{}", 10 + i % 4), &[])
            .token_error(
                ClientAuth::Basic(&target, &format!("guess-{i}")),
                &CC,
                401,
                "invalid_client",
            )
            .await;
    }
    let honest = app.api_from("127.0.0.3", &[]);
    let body = honest
        .token_error(
            ClientAuth::Basic(&target, &secret),
            &CC,
            401,
            "invalid_client",
        )
        .await;
    assert!(description(&body).contains("for this client"), "{body}");
    honest
        .token_ok(ClientAuth::Basic(&other, &other_secret), &CC)
        .await;

    drop(app);
    let restarted = TestApp::start_with(db, &key, &config).await;
    restarted
        .api_from("127.0.0.3", &[])
        .token_error(
            ClientAuth::Basic(&target, &secret),
            &CC,
            401,
            "invalid_client",
        )
        .await;
}

/// With `oauth2.trust_ip_header` on (behind a proxy that sets `X-Real-IP`),
/// the address is the header's: requests from one connection address are
/// counted apart by the address the proxy names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_ip_header_names_the_client_address() {
    let db = Arc::new(TestDb::sqlite());
    let config = [("oauth2.proxy.trust_ip_header", json!(true))];
    let app = TestApp::start_with(db, &new_secret_key(), &config).await;
    let ((target, secret), _) = two_clients(&app).await;
    let proxied = |client: &str| app.api_from("127.0.0.1", &[("X-Real-IP", client)]);
    for i in 0..10 {
        proxied("127.0.1.2")
            .token_error(
                ClientAuth::Basic(&target, &format!("guess-{i}")),
                &CC,
                401,
                "invalid_client",
            )
            .await;
    }
    let body = proxied("127.0.1.2")
        .token_error(
            ClientAuth::Basic(&target, &secret),
            &CC,
            401,
            "invalid_client",
        )
        .await;
    assert!(description(&body).contains("from this address"), "{body}");
    proxied("127.0.1.3")
        .token_ok(ClientAuth::Basic(&target, &secret), &CC)
        .await;
    // Without the header, the connection's address counts.
    app.api_from("127.0.0.1", &[])
        .token_ok(ClientAuth::Basic(&target, &secret), &CC)
        .await;
}

/// A public device client "TV" registered by `owner`, and the user code of
/// a fresh device authorization for it.
async fn tv_user_code(app: &TestApp, owner: &Browser) -> String {
    let reg = owner
        .register_client_json(&json!({
            "client_name": "TV",
            "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"],
            "response_types": [],
            "scope": "profile",
            "token_endpoint_auth_method": "none",
        }))
        .await;
    let client_id = reg["client_id"].as_str().unwrap().to_owned();
    let grant = app
        .api()
        .post(
            "/oauth/device_authorization",
            ClientAuth::None(&client_id),
            &[("scope", "profile")],
        )
        .await;
    grant.assert_status(200);
    grant.json()["user_code"].as_str().unwrap().to_owned()
}

/// The verification page counts wrong user codes per user in the
/// database (RFC 8628 §5.1): after 5 in the window the user is refused
/// with 429 even for the right code; another user is not affected; a
/// restarted app still refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_code_brute_force_on_activate_is_limited_per_user() {
    let db = Arc::new(TestDb::sqlite());
    let key = new_secret_key();
    let app = TestApp::start_on(db.clone(), &key).await;
    let owner = app.logged_in("tv-owner").await;
    let user_code = tv_user_code(&app, &owner).await;

    let attacker = app.logged_in("mallory").await;
    // Malformed input is answered but not counted (no code is looked up).
    for _ in 0..4 {
        attacker
            .get("/activate?user_code=%21%21")
            .await
            .assert_status(400);
    }
    // Wrong codes of the right shape (the alphabet has no vowels).
    for guess in [
        "BCDF-GHJK",
        "BCDF-GHJL",
        "BCDF-GHJM",
        "BCDF-GHJN",
        "BCDF-GHJP",
    ] {
        let r = attacker.get(&format!("/activate?user_code={guess}")).await;
        r.assert_status(400);
    }
    // Locked out, even for the right code, and for the form as well.
    let r = attacker
        .get(&format!("/activate?user_code={user_code}"))
        .await;
    r.assert_status(429);
    // (The client name as the page shows it: a bare "TV" could be part of
    // the random CSRF token on the page.)
    assert!(
        !r.body.contains("<strong>TV</strong>"),
        "the locked page shows the client"
    );
    let r = attacker.decide_user_code(&user_code, "yes").await;
    r.assert_status(429);

    // Another user can still use the code.
    let r = owner.get(&format!("/activate?user_code={user_code}")).await;
    r.assert_status(200);

    // The count is in the database: still locked after a restart.
    drop(app);
    let restarted = TestApp::start_on(db, &key).await;
    let again = Browser::new(&restarted.base);
    again.login("mallory").await;
    again
        .get(&format!("/activate?user_code={user_code}"))
        .await
        .assert_status(429);
}

/// RFC 8628 §5.1 per client address: one address that signs in as many
/// users (four wrong codes each, under the per-user limit) is refused with
/// 429 once `user_code_max_failures_per_address` (20) wrong codes came from
/// it, for a fresh account too; a user at another address is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_code_brute_force_on_activate_is_limited_per_address() {
    let app = app().await;
    let owner = app.logged_in_from("tv-owner", "127.0.0.3").await;
    let user_code = tv_user_code(&app, &owner).await;

    for i in 0..5 {
        let attacker = app
            .logged_in_from(&format!("mallory-{i}"), "127.0.0.2")
            .await;
        for guess in ["BCDF-GHJK", "BCDF-GHJL", "BCDF-GHJM", "BCDF-GHJN"] {
            attacker
                .get(&format!("/activate?user_code={guess}"))
                .await
                .assert_status(400);
        }
    }
    let fresh = app.logged_in_from("mallory-new", "127.0.0.2").await;
    fresh
        .get(&format!("/activate?user_code={user_code}"))
        .await
        .assert_status(429);
    fresh
        .decide_user_code(&user_code, "yes")
        .await
        .assert_status(429);
    // The owner, elsewhere, approves.
    owner
        .decide_user_code(&user_code, "yes")
        .await
        .assert_status(200);
}

// ---------------------------------------------------------------------------
// Password guessing (RFC 6749 §4.3.2).

/// RFC 6749 §4.3.2: "the authorization server MUST protect the endpoint
/// against brute force attacks". The review's case: fifteen wrong
/// passwords, then the right one. With the default limits
/// (`limits.password`: 10 per username, 20 per address, 15 minutes) the
/// right one is refused too, from the guesser's address and from any
/// other; another user is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc6749_4_3_2_password_guessing_is_cut_off_per_username() {
    let app = app().await;
    let browser = app.logged_in("owner").await;
    let (client, secret) = credentials(
        &browser
            .register_client_json(&json!({
                "client_name": "Password app",
                "grant_types": ["password"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }))
            .await,
    );
    app.logged_in("victim").await;
    app.logged_in("bystander").await;
    let guesser = app.api_from("127.0.0.2", &[]);
    let auth = ClientAuth::Basic(&client, &secret);
    for _ in 0..15 {
        let body = guesser
            .token_error(
                ClientAuth::Basic(&client, &secret),
                &[
                    ("grant_type", "password"),
                    ("username", "victim"),
                    ("password", "guess"),
                ],
                400,
                "invalid_grant",
            )
            .await;
        assert!(!description(&body).is_empty());
    }
    let right = [
        ("grant_type", "password"),
        ("username", "victim"),
        ("password", "valid"),
    ];
    for api in [&guesser, &app.api_from("127.0.0.3", &[])] {
        let body = api
            .token_error(
                ClientAuth::Basic(&client, &secret),
                &right,
                400,
                "invalid_grant",
            )
            .await;
        assert!(description(&body).contains("too many"), "{body}");
    }
    assert_eq!(app.stored_tokens().await, 0, "no token for the guesser");
    app.api_from("127.0.0.3", &[])
        .token_ok(
            auth,
            &[
                ("grant_type", "password"),
                ("username", "bystander"),
                ("password", "valid"),
            ],
        )
        .await;
}

// ---------------------------------------------------------------------------
// Registration.

/// The review's item 6: one account cannot register clients without end
/// (`limits.clients_per_owner`, here 3): the fourth is refused with 403
/// `access_denied` and stores nothing; another account still registers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc7591_registrations_per_owner_are_capped() {
    let app = TestApp::start_with(
        Arc::new(TestDb::sqlite()),
        &new_secret_key(),
        &[("oauth2.limits.clients_per_owner", json!(3))],
    )
    .await;
    let browser = app.logged_in("prolific").await;
    let metadata = code_client_metadata("One of many", "client_secret_basic");
    for _ in 0..3 {
        browser
            .post_json("/oauth/register", &metadata)
            .await
            .assert_status(201);
    }
    let r = browser.post_json("/oauth/register", &metadata).await;
    r.assert_status(403);
    assert_eq!(r.json()["error"], "access_denied");
    assert_eq!(browser.client_cards().await.len(), 3);
    app.logged_in("other")
        .await
        .post_json("/oauth/register", &metadata)
        .await
        .assert_status(201);
}

// ---------------------------------------------------------------------------
// HTTP framing (RFC 9112).

/// Sends `request` raw; the answer's status, its text, and whether the
/// server closed the connection after it (within 3 s).
async fn raw_exchange(app: &TestApp, request: &str) -> (u16, String, bool) {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .unwrap_or(false);
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    (status, text, closed)
}

/// RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status
/// code to any HTTP/1.1 request message that lacks a Host header field and
/// to any request message that contains more than one Host header field
/// line". Refused before any handler: the metadata never names a second
/// host as its issuer, and a token request with two hosts issues nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc9112_3_2_missing_or_repeated_host_is_400() {
    let app = app().await;
    let metadata = "/.well-known/oauth-authorization-server";
    let (status, text, _) = raw_exchange(&app, &format!("GET {metadata} HTTP/1.1\r\n\r\n")).await;
    assert_eq!(status, 400, "{text}");
    let (status, text, _) = raw_exchange(
        &app,
        &format!("GET {metadata} HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(!text.contains("evil.example"), "{text}");
    let body = "grant_type=password&username=x&password=valid";
    let (status, text, _) = raw_exchange(
        &app,
        &format!(
            "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: other.example\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(app.stored_tokens().await, 0);
    // One Host is served as always.
    let (status, text, _) = raw_exchange(
        &app,
        &format!("GET {metadata} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 200, "{text}");
}

/// RFC 9112 §6.3: a request with both `Content-Length` and
/// `Transfer-Encoding` "ought to be handled as an error", and "the server
/// MUST close the connection after responding to such a request". 400,
/// then the connection is closed; a well-formed request's stays open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc9112_6_3_content_length_with_transfer_encoding_is_refused_and_closed() {
    let app = app().await;
    let (status, text, closed) = raw_exchange(
        &app,
        "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n\
         0\r\n\r\n",
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(closed, "the connection stays open: {text}");
    let (status, text, closed) =
        raw_exchange(&app, "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    assert_eq!(status, 200, "{text}");
    assert!(!closed, "a well-formed request's connection is kept");
}
