//! No secret is ever printed: the `Debug` of a request and of an issued
//! token shows credentials as `[redacted]`, and every raw secret the engine
//! hands out or receives is held in a secret type of `oauth_core::secrets`
//! whose `Debug` is redacted (SECURITY.md; the same rule as oauth2-rs's
//! secret types), so a log line or a panic message made from them cannot
//! leak one.

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
    assert!(!printed.contains(issued.access_token.secret()), "{printed}");
    assert!(!printed.contains(refresh.secret()), "{printed}");
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

/// The secret types print their name only, compare in constant time, and
/// serialize as the bare value (the response that hands them over).
#[test]
fn secret_types_print_no_secret_and_serialize_as_the_value() {
    use oauth_core::secrets::{
        AccessToken, AuthorizationCode, ClientSecret, CredentialSecret, DeviceCode, RefreshToken,
        UserCode,
    };
    let value = "s3cr3t-value-of-some-length";
    let printed = [
        format!("{:?}", AccessToken::new(value)),
        format!("{:?}", RefreshToken::new(value)),
        format!("{:?}", AuthorizationCode::new(value)),
        format!("{:?}", ClientSecret::new(value)),
        format!("{:?}", DeviceCode::new(value)),
        format!("{:?}", UserCode::new(value)),
        format!("{:#?}", Some(CredentialSecret::new(value))),
    ];
    for p in &printed {
        assert!(!p.contains(value) && p.contains("[redacted]"), "{p}");
    }
    assert_eq!(printed[0], "AccessToken([redacted])");
    assert_eq!(ClientSecret::new(value), ClientSecret::new(value));
    assert_ne!(ClientSecret::new(value), ClientSecret::new("other"));
    assert_eq!(
        serde_json::to_string(&AccessToken::new(value)).unwrap(),
        format!("\"{value}\"")
    );
}

/// What the engine hands out holds its secrets in those types: a client
/// registration, a device authorization, the credentials a request
/// presents.
#[tokio::test]
async fn debug_of_what_the_engine_hands_out_redacts_the_secrets() {
    use oauth_core::ClientMetadata;
    use oauth_core::oauth2::rfc6749::client_auth::presented_credentials;

    let (server, _) = server();
    let registration = server
        .register_client(
            ClientMetadata {
                redirect_uris: vec!["https://client.example/cb".into()],
                ..ClientMetadata::default()
            },
            None,
        )
        .await
        .unwrap();
    let secret = registration.client_secret.clone().expect("a secret");
    let printed = format!("{registration:?}");
    assert!(!printed.contains(secret.secret()), "{printed}");
    // The response body still carries it: that is how the client gets it.
    assert_eq!(registration.to_json()["client_secret"], secret.secret());

    let request = token_request(&[]);
    let presented = presented_credentials(&request).unwrap().unwrap();
    let printed = format!("{presented:?}");
    assert!(!printed.contains(SECRET), "{printed}");
    assert!(printed.contains("basic-client"), "{printed}");
}
