//! The connected apps of the example app in a real browser (headless
//! Chromium driven by Playwright, `tests/browser/account_apps.mjs`): a
//! person logs in, allows a client on the consent page, is sent straight
//! back the second time (remembered consent), finds the client on
//! `/account/apps`, revokes it there, and is asked again. The codes the
//! browser brought back are redeemed here, and the tokens checked before
//! and after the revoke. On SQLite, PostgreSQL and MySQL.

use oauth_tests::app::{ClientAuth, TestApp, code_client_metadata, credentials, query};
use serde_json::{Value, json};

oauth_tests::e2e_on_every_backend!(login_consent_remembered_consent_and_revoke_in_a_browser);

async fn in_browser(spec: Value) -> Option<Value> {
    tokio::task::spawn_blocking(move || oauth_tests::browser::run("account_apps.mjs", &spec))
        .await
        .expect("the browser task")
}

/// The client's redirect URI: a loopback port the browser script serves
/// the client's page on.
fn redirect_uri() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr().unwrap().port()
    )
}

fn code_request(client_id: &str, redirect_uri: &str, state: &str) -> String {
    query(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", "profile email"),
        ("state", state),
    ])
}

async fn redeem(
    app: &TestApp,
    (id, secret): (&str, &str),
    redirect_uri: &str,
    code: &str,
) -> oauth_tests::app::Reply {
    app.api()
        .token(
            ClientAuth::Basic(id, secret),
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ],
        )
        .await
}

async fn login_consent_remembered_consent_and_revoke_in_a_browser(app: &TestApp) {
    // A developer registers the client; another person uses it.
    let developer = app.logged_in("browser-dev").await;
    let redirect = redirect_uri();
    let mut metadata = code_client_metadata("Browser app", "client_secret_basic");
    metadata["redirect_uris"] = json!([redirect]);
    let (id, secret) = credentials(&developer.register_client_json(&metadata).await);
    let state_file = std::env::temp_dir().join(format!(
        "oauth-browser-{}-{}.json",
        std::process::id(),
        app.port
    ));
    let spec = |phase: &str| {
        json!({
            "base": app.base,
            "username": "browser-user",
            "client_id": id,
            "client_name": "Browser app",
            "redirect_uri": redirect,
            "authorize": [
                code_request(&id, &redirect, "first"),
                code_request(&id, &redirect, "second"),
                code_request(&id, &redirect, "third"),
            ],
            "phase": phase,
            "state_file": state_file,
        })
    };

    let Some(seen) = in_browser(spec("consent")).await else {
        return;
    };
    // Logged out, the request went to the login form, then to the consent
    // page naming the client and what it asks.
    assert_eq!(seen["login_page"], "/", "{seen}");
    assert_eq!(
        seen["consent_heading"],
        "Browser app wants to access your account"
    );
    let scopes = seen["consent_scopes"].to_string();
    assert!(
        scopes.contains("profile") && scopes.contains("email"),
        "{seen}"
    );
    assert_eq!(seen["first"]["state"], "first");
    // The second time, the authorization endpoint redirected straight to
    // the client: no page in between.
    let chain: Vec<&str> = seen["remembered_chain"]
        .as_array()
        .expect("chain")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(chain.len(), 2, "{chain:?}");
    assert!(chain[0].contains("/oauth/authorize?"), "{chain:?}");
    assert!(chain[1].starts_with(&redirect), "{chain:?}");
    assert_eq!(seen["remembered"]["state"], "second");

    let mut tokens = Vec::new();
    for which in ["first", "remembered"] {
        let code = seen[which]["code"].as_str().expect("code");
        let r = redeem(app, (&id, &secret), &redirect, code).await;
        r.assert_status(200);
        let body = r.json();
        let access = body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(app.api().me_ok(&access).await["username"], "browser-user");
        tokens.push(access);
    }

    let Some(seen) = in_browser(spec("revoke")).await else {
        return;
    };
    let card = &seen["card_before"];
    assert_eq!(card["name"], "Browser app", "{seen}");
    assert!(card["scopes"].to_string().contains("email"), "{seen}");
    assert!(card["hint"].as_str().unwrap().contains(&id), "{seen}");
    assert_eq!(seen["after_revoke_path"], "/account/apps");
    assert_eq!(seen["cards_after"], 0);
    assert_eq!(seen["no_apps_shown"], true);
    assert_eq!(seen["asked_again"], true, "the consent was forgotten");
    assert_eq!(seen["denied"]["error"], "access_denied");
    assert_eq!(seen["denied"]["state"], "third");
    // Every token of that user and client is revoked.
    for access in &tokens {
        app.api().me(Some(access)).await.assert_status(401);
    }
    let _ = std::fs::remove_file(&state_file);
}
