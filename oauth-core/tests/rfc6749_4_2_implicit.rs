//! RFC 6749 §4.2: the implicit grant (`response_type=token`).

mod common;
use common::*;

use std::collections::HashMap;

use oauth_core::config::Scopes;
use oauth_core::{
    AuthorizationError, ClientMetadata, ClientRecord, Config, Consent, OAuth2Request,
    OAuth2Response, OAuth2Token, ScopeRequirement,
};

fn alice() -> Consent {
    Consent::Granted {
        user_id: "alice".into(),
    }
}

/// An implicit request of `client_id` to [`REDIRECT`], with `extra`.
fn token_params<'a>(client_id: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "token"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
    ];
    p.extend_from_slice(extra);
    p
}

async fn authorize(server: &Server, params: &[(&str, &str)], consent: Consent) -> OAuth2Response {
    server
        .create_authorization_response(&authorize_request(params), consent)
        .await
}

/// The fragment parameters of a redirect to `base`, asserting that they are
/// in the fragment and that nothing was added to the query.
fn fragment_params(response: &OAuth2Response, base: &str) -> HashMap<String, String> {
    let location = response.header("Location").expect("Location");
    assert!(
        location.starts_with(&format!("{base}#")),
        "parameters not in the fragment of {base}: {location}"
    );
    redirect_params(response)
}

/// Asserts an implicit-grant error redirected in the fragment (§4.2.2.1)
/// with `error`, `error_description` and `state`, and that no token was
/// issued.
async fn assert_fragment_error(
    server: &Server,
    params: &[(&str, &str)],
    consent: Consent,
    code: &str,
    state: Option<&str>,
) {
    let response = authorize(server, params, consent).await;
    let p = fragment_params(&response, REDIRECT);
    assert_eq!(p.get("error").map(String::as_str), Some(code), "{p:?}");
    assert!(
        p.get("error_description").is_some_and(|d| !d.is_empty()),
        "{p:?}"
    );
    assert_eq!(p.get("state").map(String::as_str), state, "{p:?}");
    assert!(!p.contains_key("access_token"), "{p:?}");
    assert_eq!(server.storage().token_count(), 0);
    assert_eq!(server.storage().code_count(), 0);
}

fn bearer(access_token: &str) -> OAuth2Request {
    OAuth2Request::get("https://api.example/resource")
        .with_header("Authorization", format!("Bearer {access_token}"))
}

#[tokio::test]
async fn rfc6749_4_2_2_access_token_is_returned_in_the_fragment() {
    // §4.2.2: "the authorization server issues an access token and delivers
    // it to the client by adding the following parameters to the fragment
    // component of the redirection URI"
    let (server, _) = server();
    let response = authorize(
        &server,
        &token_params("basic-client", &[("scope", "profile"), ("state", "xyz")]),
        alice(),
    )
    .await;
    let location = response.header("Location").expect("Location");
    assert!(!location.contains('?'), "nothing in the query: {location}");
    let p = fragment_params(&response, REDIRECT);
    assert!(
        p.get("access_token").is_some_and(|t| t.len() >= 43),
        "{p:?}"
    );
    assert_eq!(p.get("token_type").map(String::as_str), Some("Bearer"));
    assert_eq!(p.get("expires_in").map(String::as_str), Some("3600"));
    assert_eq!(p.get("scope").map(String::as_str), Some("profile"));
    assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
    assert!(!p.contains_key("code"));
    assert_eq!(server.storage().token_count(), 1);
    assert_eq!(server.storage().code_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_2_2_state_is_returned_exactly() {
    let (server, _) = server();
    let state = "s p&a=c#e%20é+";
    let response = authorize(
        &server,
        &token_params("basic-client", &[("state", state)]),
        alice(),
    )
    .await;
    let p = fragment_params(&response, REDIRECT);
    assert_eq!(p.get("state").map(String::as_str), Some(state));
}

#[tokio::test]
async fn rfc6749_4_2_2_no_refresh_token_is_issued() {
    // §4.2.2: "The authorization server MUST NOT issue a refresh token."
    // Both clients may use the refresh_token grant at the token endpoint.
    let (server, _) = server();
    for client in ["basic-client", "public-client"] {
        let response = authorize(
            &server,
            &token_params(client, &[("scope", "profile email"), ("state", "xyz")]),
            alice(),
        )
        .await;
        let p = fragment_params(&response, REDIRECT);
        assert!(p.contains_key("access_token"), "{client}: {p:?}");
        assert!(!p.contains_key("refresh_token"), "{client}: {p:?}");
    }
    let tokens = server.storage().tokens();
    assert_eq!(tokens.len(), 2);
    for t in &tokens {
        assert_eq!(t.token.refresh_token_digest, None, "{t:?}");
        assert!(!t.has_refresh_token());
    }
}

#[tokio::test]
async fn rfc6749_4_2_2_issued_token_is_a_valid_bearer_token_for_expires_in() {
    let (server, clock) = server();
    let response = authorize(
        &server,
        &token_params("basic-client", &[("scope", "profile email")]),
        alice(),
    )
    .await;
    let p = fragment_params(&response, REDIRECT);
    let access = p.get("access_token").unwrap().clone();
    let token = server
        .validate_bearer(
            &bearer(&access),
            &ScopeRequirement::all_of(["profile", "email"]),
        )
        .await
        .unwrap();
    assert_eq!(token.client_id(), "basic-client");
    assert_eq!(token.user_id().as_deref(), Some("alice"));
    // Not more than granted.
    let e = server
        .validate_bearer(&bearer(&access), &ScopeRequirement::all_of(["admin"]))
        .await
        .unwrap_err();
    assert_eq!(e.status(), 403);

    // expires_in is 3600: valid one second before, invalid at expiry.
    clock.advance(3599);
    assert!(
        server
            .validate_bearer(&bearer(&access), &ScopeRequirement::None)
            .await
            .is_ok()
    );
    clock.advance(1);
    let e = server
        .validate_bearer(&bearer(&access), &ScopeRequirement::None)
        .await
        .unwrap_err();
    assert_eq!(e.status(), 401);
}

#[tokio::test]
async fn rfc6749_4_2_2_scope_is_returned_when_narrowed() {
    // §4.2.2: scope "OPTIONAL, if identical to the scope requested by the
    // client; otherwise, REQUIRED."
    let (server, _) = server();
    let response = authorize(
        &server,
        &token_params("basic-client", &[("scope", "profile openid")]),
        alice(),
    )
    .await;
    let p = fragment_params(&response, REDIRECT);
    assert_eq!(p.get("scope").map(String::as_str), Some("profile"));
    assert_eq!(server.storage().tokens()[0].token.scope, "profile");
}

#[tokio::test]
async fn rfc6749_3_1_2_existing_query_is_retained_with_fragment_response() {
    let (server, _) = server();
    let with_query = "https://client.example/cb?tenant=acme";
    server.storage().insert_client(ClientRecord::public(
        "spa",
        ClientMetadata {
            redirect_uris: vec![with_query.into()],
            response_types: vec!["token".into()],
            scope: Some(CLIENT_SCOPE.into()),
            ..ClientMetadata::default()
        },
    ));
    let response = authorize(
        &server,
        &[
            ("response_type", "token"),
            ("client_id", "spa"),
            ("redirect_uri", with_query),
            ("state", "xyz"),
        ],
        alice(),
    )
    .await;
    let p = fragment_params(&response, with_query);
    assert!(p.contains_key("access_token"));
    assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
}

#[tokio::test]
async fn rfc6749_4_2_2_1_denied_consent_is_access_denied_in_fragment() {
    // §4.2.2.1: "the authorization server informs the client by adding the
    // following parameters to the fragment component of the redirection URI"
    let (server, _) = server();
    assert_fragment_error(
        &server,
        &token_params("basic-client", &[("scope", "profile"), ("state", "xyz")]),
        Consent::Denied,
        "access_denied",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_4_2_2_1_invalid_scope_is_redirected_in_fragment() {
    let (server, _) = server();
    assert_fragment_error(
        &server,
        &token_params("basic-client", &[("scope", "bad\"scope"), ("state", "xyz")]),
        alice(),
        "invalid_scope",
        Some("xyz"),
    )
    .await;
    let (server, _) = server_with(Config {
        scopes: Scopes {
            supported: Some(vec!["profile".into()]),
            ..Scopes::default()
        },
        ..Config::default()
    });
    assert_fragment_error(
        &server,
        &token_params("basic-client", &[("scope", "email"), ("state", "xyz")]),
        alice(),
        "invalid_scope",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_4_2_2_1_response_type_not_registered_is_unauthorized_client() {
    // post-client is registered for `code` only.
    let (server, _) = server();
    assert_fragment_error(
        &server,
        &token_params("post-client", &[("state", "xyz")]),
        alice(),
        "unauthorized_client",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_4_2_2_1_duplicated_parameters_are_invalid_request_in_fragment() {
    let (server, _) = server();
    assert_fragment_error(
        &server,
        &token_params(
            "basic-client",
            &[("scope", "profile"), ("scope", "email"), ("state", "xyz")],
        ),
        alice(),
        "invalid_request",
        Some("xyz"),
    )
    .await;
    // A doubled state cannot be returned.
    assert_fragment_error(
        &server,
        &token_params("basic-client", &[("state", "a"), ("state", "b")]),
        alice(),
        "invalid_request",
        None,
    )
    .await;
}

#[tokio::test]
async fn rfc6749_4_2_2_1_implicit_disabled_is_unsupported_response_type() {
    let (server, _) = server_with(Config {
        implicit_grant: false,
        ..Config::default()
    });
    let params = token_params("basic-client", &[("scope", "profile"), ("state", "xyz")]);
    let err = server
        .validate_authorization_request(&authorize_request(&params))
        .await
        .unwrap_err();
    assert!(err.is_redirect(), "{err:?}");
    assert_eq!(err.error().code.as_str(), "unsupported_response_type");
    assert_fragment_error(
        &server,
        &params,
        alice(),
        "unsupported_response_type",
        Some("xyz"),
    )
    .await;
    // Only the implicit grant is off: the same client still gets codes.
    let code = obtain_code(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert!(!code.is_empty());
}

#[tokio::test]
async fn rfc6749_4_2_2_1_bad_redirect_uri_is_not_redirected() {
    // §4.2.2.1: "If the request fails due to a missing, invalid, or
    // mismatching redirection URI, or if the client identifier is missing or
    // invalid, the authorization server [...] MUST NOT automatically
    // redirect the user-agent to the invalid redirection URI."
    let (server, _) = server();
    for params in [
        vec![
            ("response_type", "token"),
            ("client_id", "basic-client"),
            ("redirect_uri", "https://attacker.example/cb"),
            ("state", "xyz"),
        ],
        vec![
            ("response_type", "token"),
            ("client_id", "nobody"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ],
    ] {
        let request = authorize_request(&params);
        let err = server
            .validate_authorization_request(&request)
            .await
            .unwrap_err();
        assert!(matches!(err, AuthorizationError::Fatal(_)), "{err:?}");
        let response = server
            .create_authorization_response(&request, alice())
            .await;
        assert_eq!(response.status, 400, "{response:?}");
        assert_eq!(response.header("Location"), None);
    }
    assert_eq!(server.storage().token_count(), 0);
}
