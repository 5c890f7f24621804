//! RFC 7636: Proof Key for Code Exchange (PKCE).

mod common;
use common::*;

use std::collections::HashMap;

use oauth_core::config::Pkce;
use oauth_core::secrets::s256;
use oauth_core::{Config, Consent, OAuth2Response};

fn alice() -> Consent {
    Consent::Granted {
        user_id: "alice".into(),
    }
}

/// An authorization request of `client_id` for a code, with `extra`.
fn code_params<'a>(client_id: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", "profile"),
        ("state", "xyz"),
    ];
    p.extend_from_slice(extra);
    p
}

/// A code for `public-client` with this challenge (and method, if any).
async fn public_code(server: &Server, challenge: &str, method: Option<&str>) -> String {
    let mut extra = vec![("code_challenge", challenge)];
    if let Some(m) = method {
        extra.push(("code_challenge_method", m));
    }
    obtain_code(server, &code_params("public-client", &extra)).await
}

/// Redeems `code` as `public-client` (authentication method `none`:
/// `client_id` in the form), with `code_verifier` if given.
async fn redeem_public(server: &Server, code: &str, verifier: Option<&str>) -> OAuth2Response {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", "public-client"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    server
        .create_token_response(&post("https://as.example/token", &form))
        .await
}

/// Redeems `code` as `basic-client` (HTTP Basic), with `code_verifier` if given.
async fn redeem_basic(server: &Server, code: &str, verifier: Option<&str>) -> OAuth2Response {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    server.create_token_response(&token_request(&form)).await
}

/// Asserts the authorization request is refused with a redirected
/// `invalid_request` carrying `state`, that no code was issued, and returns
/// the redirect's parameters.
async fn assert_refused_invalid_request(
    server: &Server,
    params: &[(&str, &str)],
) -> HashMap<String, String> {
    let request = authorize_request(params);
    let err = server
        .validate_authorization_request(&request)
        .await
        .unwrap_err();
    assert!(err.is_redirect(), "{err:?}");
    assert_eq!(err.error().code.as_str(), "invalid_request", "{err:?}");
    let response = server
        .create_authorization_response(&request, alice())
        .await;
    let location = response.header("Location").expect("Location");
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    let p = redirect_params(&response);
    assert_eq!(
        p.get("error").map(String::as_str),
        Some("invalid_request"),
        "{p:?}"
    );
    assert!(p.get("error_description").is_some_and(|d| !d.is_empty()));
    assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
    assert!(!p.contains_key("code"));
    assert_eq!(server.storage().code_count(), 0);
    p
}

#[tokio::test]
async fn rfc7636_4_4_1_public_client_without_code_challenge_is_invalid_request() {
    // §4.4.1: "If the server requires Proof Key for Code Exchange (PKCE) by
    // OAuth public clients and the client does not send the "code_challenge"
    // in the request, the authorization endpoint MUST return the
    // authorization error response with the "error" value set to
    // "invalid_request"."
    let (server, _) = server();
    assert_refused_invalid_request(&server, &code_params("public-client", &[])).await;
}

#[tokio::test]
async fn rfc7636_4_5_s256_code_exchange_succeeds() {
    let (server, _) = server();
    let code = public_code(&server, CHALLENGE, Some("S256")).await;
    // §4.4: the server associates the challenge and method with the code.
    let stored = server.storage().codes();
    assert_eq!(stored[0].code_challenge.as_deref(), Some(CHALLENGE));
    assert_eq!(stored[0].code_challenge_method.as_deref(), Some("S256"));

    let r = redeem_public(&server, &code, Some(VERIFIER)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.json_body();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "profile");
    assert!(body["access_token"].as_str().is_some());
    let tokens = server.storage().tokens();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].token.client_id, "public-client");
    assert_eq!(tokens[0].token.user_id.as_deref(), Some("alice"));
}

#[tokio::test]
async fn rfc7636_4_5_missing_code_verifier_is_invalid_request() {
    let (server, _) = server();
    let code = public_code(&server, CHALLENGE, Some("S256")).await;
    let r = redeem_public(&server, &code, None).await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc7636_4_6_wrong_code_verifier_is_invalid_grant() {
    // §4.6: "If the values are not equal, an error response indicating
    // "invalid_grant" as described in Section 5.2 of [RFC6749] MUST be
    // returned."
    let (server, _) = server();
    let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"; // last char differs
    assert_ne!(wrong, VERIFIER);
    let code = public_code(&server, CHALLENGE, Some("S256")).await;
    let r = redeem_public(&server, &code, Some(wrong)).await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);

    // The plain value of the challenge itself is not a verifier for S256.
    let code = public_code(&server, CHALLENGE, Some("S256")).await;
    let r = redeem_public(&server, &code, Some(CHALLENGE)).await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc7636_4_1_code_verifier_of_bad_syntax_is_invalid_request() {
    // §4.1: code-verifier = 43*128unreserved,
    // unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
    // Each code is issued for the S256 of the bad verifier itself, so only
    // the syntax check can refuse it.
    let (server, _) = server();
    let too_short = "a".repeat(42);
    let too_long = "a".repeat(129);
    let plus = format!("{}+", "a".repeat(42));
    let space = format!("{} b", "a".repeat(41));
    let slash = format!("{}/", "a".repeat(42));
    let non_ascii = format!("{}é", "a".repeat(42));
    for bad in [&too_short, &too_long, &plus, &space, &slash, &non_ascii] {
        let code = public_code(&server, &s256(bad), Some("S256")).await;
        let r = redeem_public(&server, &code, Some(bad)).await;
        assert_error(&r, 400, "invalid_request");
    }
    assert_eq!(server.storage().token_count(), 0);

    // Control: the bounds themselves are valid.
    for good in [
        "a".repeat(43),
        "a".repeat(128),
        format!("{}-._~", "A1".repeat(20)),
    ] {
        let code = public_code(&server, &s256(&good), Some("S256")).await;
        let r = redeem_public(&server, &code, Some(&good)).await;
        assert_eq!(r.status, 200, "{good}: {}", r.body);
    }
}

#[tokio::test]
async fn rfc7636_pkce_downgrade_verifier_without_challenge_is_invalid_grant() {
    // RFC 9700 §2.1.1 / §4.8: a code issued without code_challenge must not
    // be redeemed with a code_verifier (PKCE downgrade attack).
    let (server, _) = server();
    let code = obtain_code(&server, &code_params("basic-client", &[])).await;
    assert_eq!(server.storage().codes()[0].code_challenge, None);
    let r = redeem_basic(&server, &code, Some(VERIFIER)).await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);

    // Control: the confidential client without PKCE on either side is fine.
    let code = obtain_code(&server, &code_params("basic-client", &[])).await;
    assert_eq!(redeem_basic(&server, &code, None).await.status, 200);
}

#[tokio::test]
async fn rfc7636_4_4_1_plain_is_refused_by_default() {
    // §4.4.1: "If the server supporting PKCE does not support the requested
    // transformation, the authorization endpoint MUST return the
    // authorization error response with "error" value set to
    // "invalid_request". The "error_description" or the response of
    // "error_uri" SHOULD explain the nature of error, e.g., transform
    // algorithm not supported."
    let (server, _) = server();
    for client in ["public-client", "basic-client"] {
        let p = assert_refused_invalid_request(
            &server,
            &code_params(
                client,
                &[
                    ("code_challenge", VERIFIER),
                    ("code_challenge_method", "plain"),
                ],
            ),
        )
        .await;
        assert_eq!(
            p.get("error_description").map(String::as_str),
            Some("transform algorithm not supported")
        );
    }
}

#[tokio::test]
async fn rfc7636_4_3_absent_method_means_plain_and_is_refused_by_default() {
    // §4.3: code_challenge_method "Defaults to "plain" if not present in the
    // request."
    let (server, _) = server();
    let p = assert_refused_invalid_request(
        &server,
        &code_params("public-client", &[("code_challenge", VERIFIER)]),
    )
    .await;
    assert_eq!(
        p.get("error_description").map(String::as_str),
        Some("transform algorithm not supported")
    );
    // Even when the challenge happens to be a valid S256 value.
    assert_refused_invalid_request(
        &server,
        &code_params("public-client", &[("code_challenge", CHALLENGE)]),
    )
    .await;
}

#[tokio::test]
async fn rfc7636_4_2_plain_is_accepted_when_allowed() {
    // §4.2: plain: code_challenge = code_verifier.
    let (server, _) = server_with(Config {
        pkce: Pkce {
            allow_plain: true,
            ..Pkce::default()
        },
        ..Config::default()
    });
    let code = public_code(&server, VERIFIER, Some("plain")).await;
    assert_eq!(
        server.storage().codes()[0].code_challenge_method.as_deref(),
        Some("plain")
    );
    let r = redeem_public(&server, &code, Some(VERIFIER)).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Absent method defaults to plain.
    let code = public_code(&server, VERIFIER, None).await;
    assert_eq!(
        server.storage().codes()[0].code_challenge_method.as_deref(),
        Some("plain")
    );
    let r = redeem_public(&server, &code, Some(VERIFIER)).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // A plain challenge still binds the code: another verifier fails.
    let code = public_code(&server, VERIFIER, Some("plain")).await;
    let other = "a".repeat(43);
    let r = redeem_public(&server, &code, Some(&other)).await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 2);

    // S256 is still accepted alongside.
    let code = public_code(&server, CHALLENGE, Some("S256")).await;
    assert_eq!(
        redeem_public(&server, &code, Some(VERIFIER)).await.status,
        200
    );
}

#[tokio::test]
async fn rfc7636_4_4_1_unknown_method_is_invalid_request() {
    let (server, _) = server_with(Config {
        pkce: Pkce {
            allow_plain: true,
            ..Pkce::default()
        },
        ..Config::default()
    });
    for method in ["S512", "s256", "PLAIN", "sha256"] {
        assert_refused_invalid_request(
            &server,
            &code_params(
                "public-client",
                &[
                    ("code_challenge", CHALLENGE),
                    ("code_challenge_method", method),
                ],
            ),
        )
        .await;
    }
}

#[tokio::test]
async fn rfc7636_4_2_code_challenge_of_bad_syntax_is_invalid_request() {
    // The S256 challenge is BASE64URL(SHA256(verifier)), 43 characters; a
    // plain challenge is a verifier. Either way 43 to 128 unreserved chars.
    let (server, _) = server_with(Config {
        pkce: Pkce {
            allow_plain: true,
            ..Pkce::default()
        },
        ..Config::default()
    });
    let short = CHALLENGE[..42].to_owned();
    let long = "a".repeat(129);
    let padded = format!("{CHALLENGE}=");
    let bad_char = format!("{}+", &CHALLENGE[..42]);
    for (challenge, method) in [
        (short.as_str(), "S256"),
        (long.as_str(), "S256"),
        (bad_char.as_str(), "S256"),
        (short.as_str(), "plain"),
        (long.as_str(), "plain"),
        (padded.as_str(), "plain"),
    ] {
        assert_refused_invalid_request(
            &server,
            &code_params(
                "public-client",
                &[
                    ("code_challenge", challenge),
                    ("code_challenge_method", method),
                ],
            ),
        )
        .await;
    }
}

#[tokio::test]
async fn rfc7636_confidential_clients_must_use_pkce_when_configured() {
    let (server, _) = server_with(Config {
        pkce: Pkce {
            require_for_confidential_clients: true,
            ..Pkce::default()
        },
        ..Config::default()
    });
    assert_refused_invalid_request(&server, &code_params("basic-client", &[])).await;

    // With a challenge the confidential client gets a code, and must prove
    // possession at the token endpoint.
    let with_pkce = code_params(
        "basic-client",
        &[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    let code = obtain_code(&server, &with_pkce).await;
    assert_error(
        &redeem_basic(&server, &code, None).await,
        400,
        "invalid_request",
    );
    let code = obtain_code(&server, &with_pkce).await;
    let r = redeem_basic(&server, &code, Some(VERIFIER)).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Control: by default the confidential client needs no PKCE.
    let (default_server, _) = common::server();
    let code = obtain_code(&default_server, &code_params("basic-client", &[])).await;
    assert_eq!(redeem_basic(&default_server, &code, None).await.status, 200);
}
