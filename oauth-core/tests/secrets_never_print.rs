//! No secret is ever printed: the `Debug` of a request and of an issued
//! token shows credentials as `[redacted]` (SECURITY.md; the same rule as
//! oauth2-rs's secret types), so a log line or a panic message made from
//! them cannot leak one.

mod common;

use common::*;

#[tokio::test]
async fn debug_of_an_issued_token_redacts_the_raw_tokens() {
    let (server, _) = server();
    let issued = server
        .token(&token_request(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "valid"),
            ("scope", "profile"),
        ]))
        .await
        .unwrap();
    let refresh = issued.refresh_token.clone().expect("a refresh token");
    let printed = format!("{issued:?} {issued:#?}");
    assert!(!printed.contains(&issued.access_token), "{printed}");
    assert!(!printed.contains(&refresh), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
    // What is not secret still shows.
    assert!(
        printed.contains("Bearer") && printed.contains("profile"),
        "{printed}"
    );
}

#[test]
fn debug_of_a_request_redacts_credentials() {
    let request = token_request(&[
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", "hunter2-password"),
        ("client_secret", "the-client-secret"),
        ("refresh_token", "the-refresh-token"),
        ("code", "the-authorization-code"),
        ("code_verifier", "the-code-verifier"),
    ])
    .with_header("Cookie", "session=the-session-cookie")
    .with_header("DPoP", "the-dpop-proof");
    let basic = basic("basic-client", SECRET);
    let printed = format!("{request:?} {request:#?}");
    for secret in [
        "hunter2-password",
        "the-client-secret",
        "the-refresh-token",
        "the-authorization-code",
        "the-code-verifier",
        "the-session-cookie",
        "the-dpop-proof",
        basic.as_str(),
        SECRET,
    ] {
        assert!(!printed.contains(secret), "{secret} printed in {printed}");
    }
    assert!(
        printed.contains("alice") && printed.contains("password"),
        "{printed}"
    );

    // A secret in the query string is redacted too (the target prints
    // without it; the decoded query redacts it).
    let request =
        oauth_core::OAuth2Request::get("https://as.example/cb?code=query-code&state=visible-state");
    let printed = format!("{request:?}");
    assert!(!printed.contains("query-code"), "{printed}");
    assert!(printed.contains("visible-state"), "{printed}");
}
