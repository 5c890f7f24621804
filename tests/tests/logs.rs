//! What the example app writes to its log, captured from a real run over
//! HTTP ([`oauth_tests::logs`]): the security events an operator alerts
//! on, storage errors with their cause, the launch line, and (checked by
//! the harness in every end-to-end test, and here on purpose) never a
//! credential.

use diesel::connection::SimpleConnection as _;
use oauth_tests::app::{
    Browser, ClientAuth, REDIRECT_URI, TestApp, code_client_metadata, credentials, query,
};
use oauth_tests::db::TestDb;
use oauth_tests::logs;
use serde_json::Value;

oauth_tests::e2e_on_every_backend!(
    rfc6749_4_1_2_code_replay_writes_a_warning_naming_it,
    refresh_token_reuse_writes_a_warning,
);

async fn client(app: &TestApp, user: &str) -> (Browser, String, String) {
    let browser = app.logged_in(user).await;
    let reg = browser
        .register_client_json(&code_client_metadata("Logged", "client_secret_basic"))
        .await;
    let (id, secret) = credentials(&reg);
    (browser, id, secret)
}

async fn code(browser: &Browser, client_id: &str) -> String {
    browser
        .authorize_and_get_code(&query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "profile"),
            ("state", "s"),
        ]))
        .await
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// RFC 6749 §4.1.2 (a code used twice revokes what it issued): the replay
/// is a warning of the security target that names the event, the client
/// and how much it revoked, and holds neither the code nor a token.
async fn rfc6749_4_1_2_code_replay_writes_a_warning_naming_it(app: &TestApp) {
    let (browser, id, secret) = client(app, "alice").await;
    let code = code(&browser, &id).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
    ];
    let api = app.api();
    api.token_ok(ClientAuth::Basic(&id, &secret), &form).await;
    assert!(logs::lines_with("authorization_code_replayed").is_empty());

    api.token_error(ClientAuth::Basic(&id, &secret), &form, 400, "invalid_grant")
        .await;
    let warnings = logs::lines_with("authorization_code_replayed");
    assert_eq!(warnings.len(), 1, "{:#?}", logs::lines());
    let line = &warnings[0];
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("oauth::security"), "{line}");
    assert!(line.contains(&format!("client_id=\"{id}\"")), "{line}");
    // The access and the refresh token of the first exchange.
    assert!(line.contains("revoked=2"), "{line}");
    assert!(!line.contains(&code), "{line}");
    logs::assert_no_secret_logged();
}

/// RFC 9700 §4.14.2: a rotated-out refresh token presented again revokes
/// the family, and the log says so.
async fn refresh_token_reuse_writes_a_warning(app: &TestApp) {
    let (browser, id, secret) = client(app, "bob").await;
    let code = code(&browser, &id).await;
    let api = app.api();
    let auth = ClientAuth::Basic(&id, &secret);
    let first = api
        .token_ok(
            auth,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await;
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", s(&first["refresh_token"])),
    ];
    api.token_ok(auth, &refresh).await;
    assert!(logs::lines_with("refresh_token_reused").is_empty());
    api.token_error(auth, &refresh, 400, "invalid_grant").await;
    let warnings = logs::lines_with("refresh_token_reused");
    assert_eq!(warnings.len(), 1, "{:#?}", logs::lines());
    assert!(warnings[0].contains("WARN"), "{}", warnings[0]);
}

/// A storage failure is answered `server_error`, and the log has the
/// cause: the database's own message, not just "storage error".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_errors_are_logged_with_their_source() {
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    let app = TestApp::start(db).await;
    conn.batch_execute("DROP TABLE oauth2_token")
        .expect("drop the token table");
    let r = app.api().me(Some("a-token-that-is-long-enough")).await;
    r.assert_status(500);
    let errors = logs::lines_with("oauth::storage");
    assert_eq!(errors.len(), 1, "{:#?}", logs::lines());
    let line = &errors[0];
    assert!(line.contains("ERROR"), "{line}");
    assert!(line.contains("query failed: no such table"), "{line}");
}

/// At launch, one line says what is on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_launch_line_says_what_is_on() {
    let _app = TestApp::start(TestDb::sqlite()).await;
    let launch = logs::lines_with("OAuth 2.0 authorization server started");
    assert_eq!(launch.len(), 1, "{:#?}", logs::lines());
    let line = &launch[0];
    for on in [
        "backend=\"SQLite\"",
        "authorization_code",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
        "/oauth/token",
        "registration=open at /oauth/register",
        "trust_forwarded_proto=off",
        "trust_ip_header=off",
    ] {
        assert!(line.contains(on), "{on} missing from: {line}");
    }
    assert!(
        logs::lines_with("OAuth 1.0a provider started").len() == 1,
        "{:#?}",
        logs::lines()
    );
}

/// RFC 6819 §5.1.4.2.3: the guessing limits' cut-off is a warning; each
/// wrong secret before it an `info` line naming the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc6819_5_1_4_2_3_guessing_cut_off_is_logged() {
    let app = TestApp::start(TestDb::sqlite()).await;
    let (_, id, _) = client(&app, "carol").await;
    let api = app.api();
    for _ in 0..11 {
        api.token(
            ClientAuth::Basic(&id, "not-the-secret-at-all"),
            &[("grant_type", "client_credentials")],
        )
        .await;
    }
    assert_eq!(logs::lines_with("client_auth_failed").len(), 10);
    let cut = logs::lines_with("client_auth_cut_off");
    assert_eq!(cut.len(), 1, "{:#?}", logs::lines());
    assert!(
        cut[0].contains("WARN") && cut[0].contains("by=Address"),
        "{}",
        cut[0]
    );
    assert!(!cut[0].contains("not-the-secret-at-all"), "{}", cut[0]);
}

/// A refused redirect URI is logged once, quoted: a request cannot forge a
/// log line of its own with a line break in its parameters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc6749_4_1_2_1_refused_redirect_uri_is_logged_quoted() {
    let app = TestApp::start(TestDb::sqlite()).await;
    let (browser, id, _) = client(&app, "dave").await;
    let r = browser
        .get(&format!(
            "/oauth/authorize?{}",
            query(&[
                ("response_type", "code"),
                ("client_id", &id),
                ("redirect_uri", "https://evil.example/\nERROR forged line"),
            ])
        ))
        .await;
    r.assert_status(400);
    let refused = logs::lines_with("redirect_uri_refused");
    assert_eq!(refused.len(), 1, "{:#?}", logs::lines());
    assert!(
        refused[0].contains(r"evil.example/\nERROR forged line"),
        "{}",
        refused[0]
    );
    assert!(
        logs::lines().iter().all(|l| !l.starts_with("ERROR forged")),
        "{:#?}",
        logs::lines()
    );
}

/// The harness's check finds a credential in the log (so that its silence
/// in every other test means something).
#[test]
fn the_secret_check_finds_a_logged_credential() {
    logs::install();
    let token = "tGzv3JOkF0XG5Qx2TlKWIA-a-test-token";
    logs::saw_secret(token);
    tracing::info!("presented {token}");
    let leaks = logs::leaks();
    assert_eq!(leaks.len(), 1, "{leaks:?}");
    assert!(leaks[0].1.contains("presented"));
}
