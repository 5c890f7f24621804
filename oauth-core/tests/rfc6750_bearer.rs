//! RFC 6750: using bearer tokens at a protected resource
//! (`AuthorizationServer::validate_bearer`, `BearerError::to_response`).

mod common;
use common::*;

use oauth_core::config::Bearer;
use oauth_core::{
    BearerError, Config, OAuth2Request, OAuth2Response, OAuth2Token, Params, Scope,
    ScopeRequirement,
};

const API: &str = "https://api.example/resource";

/// A resource request with this `Authorization` header value.
fn with_authorization(value: &str) -> OAuth2Request {
    OAuth2Request::get(API).with_header("Authorization", value)
}

/// A resource request carrying `token` in the `Authorization` header (§2.1).
fn bearer(token: &str) -> OAuth2Request {
    with_authorization(&format!("Bearer {token}"))
}

/// An access token for `basic-client` / `alice` with this scope.
async fn access_token(server: &Server, scope: &str) -> String {
    password_tokens(server, scope).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Runs the request, expects a refusal, and returns it with its response
/// (checking that `validate_bearer_response` gives the same response).
async fn refusal(
    server: &Server,
    request: &OAuth2Request,
    required: &ScopeRequirement,
) -> (BearerError, OAuth2Response) {
    let err = server
        .validate_bearer(request, required)
        .await
        .expect_err("the request should be refused");
    let response = err.to_response(server.config());
    let direct = server
        .validate_bearer_response(request, required)
        .await
        .expect_err("the request should be refused");
    assert_eq!(direct, response);
    (err, response)
}

/// The scheme and auth-params of the response's `WWW-Authenticate` header.
fn challenge(response: &OAuth2Response) -> (String, Vec<(String, String)>) {
    let value = response
        .header("WWW-Authenticate")
        .unwrap_or_else(|| panic!("no WWW-Authenticate in {response:?}"));
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .unwrap_or_else(|| panic!("malformed auth-param in {value:?}"));
        let after = after
            .strip_prefix('"')
            .unwrap_or_else(|| panic!("unquoted auth-param in {value:?}"));
        let (v, tail) = after
            .split_once('"')
            .unwrap_or_else(|| panic!("unterminated quoted-string in {value:?}"));
        params.push((name.trim().to_owned(), v.to_owned()));
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    (scheme.to_owned(), params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Asserts a §3.1 error: the status, a `Bearer` challenge naming the error
/// code, and a JSON body with the same code.
fn assert_bearer_error(err: &BearerError, response: &OAuth2Response, status: u16, code: &str) {
    assert_eq!(err.status(), status, "{err:?}");
    assert_eq!(response.status, status, "{response:?}");
    assert_eq!(
        err.error.as_ref().map(|e| e.code.as_str()),
        Some(code),
        "{err:?}"
    );
    let (scheme, params) = challenge(response);
    assert!(scheme.eq_ignore_ascii_case("Bearer"), "{response:?}");
    assert_eq!(param(&params, "error"), Some(code), "{response:?}");
    assert_eq!(response.json_body()["error"], code, "{response:?}");
}

/// Asserts the §3.1 answer to a request without a token: 401, a bare
/// `Bearer` challenge, and no error information at all.
fn assert_no_token(err: &BearerError, response: &OAuth2Response) {
    assert!(err.error.is_none(), "{err:?}");
    assert_eq!(response.status, 401, "{response:?}");
    let (scheme, params) = challenge(response);
    assert_eq!(scheme, "Bearer", "{response:?}");
    assert!(param(&params, "error").is_none(), "{response:?}");
    assert!(
        param(&params, "error_description").is_none(),
        "{response:?}"
    );
    // No error information at all: the bare challenge, no body.
    assert_eq!(response.body, "", "{response:?}");
    assert_eq!(response.header("Content-Type"), None, "{response:?}");
}

async fn revoke(server: &Server, token: &str) {
    let r = server
        .create_revocation_response(
            &OAuth2Request::post("https://as.example/revoke")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form([("token", token)]),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
}

#[tokio::test]
async fn rfc6750_2_1_valid_token_is_accepted_with_its_grant() {
    let (server, _) = server();
    let token = access_token(&server, "profile email").await;
    let found = server
        .validate_bearer(&bearer(&token), &ScopeRequirement::None)
        .await
        .expect("valid token");
    assert_eq!(found.client_id(), "basic-client");
    assert_eq!(found.user_id().as_deref(), Some("alice"));
    assert!(
        found
            .scope()
            .same_set(&Scope::parse("profile email").unwrap()),
        "{:?}",
        found.scope()
    );
    assert_eq!(found.token_type(), "Bearer");
}

#[tokio::test]
async fn rfc6750_3_1_missing_token_has_no_error_code() {
    let (server, _) = server();
    let (err, response) = refusal(&server, &OAuth2Request::get(API), &ScopeRequirement::None).await;
    assert_no_token(&err, &response);
    assert_eq!(response.header("WWW-Authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn rfc6750_3_missing_token_challenge_carries_configured_realm() {
    let (server, _) = server_with(Config {
        realm: Some("example".into()),
        ..Config::default()
    });
    let (err, response) = refusal(&server, &OAuth2Request::get(API), &ScopeRequirement::None).await;
    assert_no_token(&err, &response);
    assert_eq!(
        response.header("WWW-Authenticate"),
        Some("Bearer realm=\"example\"")
    );
}

#[tokio::test]
async fn rfc6750_3_invalid_token_challenge_carries_realm_and_error() {
    let (server, _) = server_with(Config {
        realm: Some("example".into()),
        ..Config::default()
    });
    let (err, response) = refusal(&server, &bearer("no-such-token"), &ScopeRequirement::None).await;
    assert_bearer_error(&err, &response, 401, "invalid_token");
    let (_, params) = challenge(&response);
    assert_eq!(param(&params, "realm"), Some("example"));
    // §3: the realm attribute MUST NOT appear more than once.
    assert_eq!(params.iter().filter(|(n, _)| n == "realm").count(), 1);
}

#[tokio::test]
async fn rfc6750_3_1_unknown_token_is_invalid_token() {
    let (server, _) = server();
    let _issued = access_token(&server, "profile").await;
    let (err, response) = refusal(&server, &bearer("no-such-token"), &ScopeRequirement::None).await;
    assert_bearer_error(&err, &response, 401, "invalid_token");
    assert_eq!(response.header("Cache-Control"), Some("no-store"));
}

#[tokio::test]
async fn rfc6750_3_1_expired_token_is_invalid_token() {
    let (server, clock) = server();
    let token = access_token(&server, "profile").await;
    // expires_in for the password grant is 864000 s.
    clock.advance(863_999);
    server
        .validate_bearer(&bearer(&token), &ScopeRequirement::None)
        .await
        .expect("still valid one second before expiry");
    clock.advance(2);
    let (err, response) = refusal(&server, &bearer(&token), &ScopeRequirement::None).await;
    assert_bearer_error(&err, &response, 401, "invalid_token");
}

#[tokio::test]
async fn rfc6750_3_1_revoked_token_is_invalid_token() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    server
        .validate_bearer(&bearer(&token), &ScopeRequirement::None)
        .await
        .expect("valid before revocation");
    revoke(&server, &token).await;
    let (err, response) = refusal(&server, &bearer(&token), &ScopeRequirement::None).await;
    assert_bearer_error(&err, &response, 401, "invalid_token");
}

#[tokio::test]
async fn rfc6750_3_1_insufficient_scope_is_403_with_scope_attribute() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    let required = ScopeRequirement::all_of(["profile", "admin"]);
    let (err, response) = refusal(&server, &bearer(&token), &required).await;
    assert_bearer_error(&err, &response, 403, "insufficient_scope");
    let (_, params) = challenge(&response);
    let scope = param(&params, "scope").expect("scope attribute");
    assert!(
        Scope::parse(scope)
            .unwrap()
            .same_set(&Scope::parse("profile admin").unwrap()),
        "{scope:?}"
    );
}

#[tokio::test]
async fn rfc6750_3_any_of_requirement_checks_the_issued_token() {
    let (server, _) = server();
    let token = access_token(&server, "profile email").await;
    for ok in [
        ScopeRequirement::any_of(["admin", "email"]),
        ScopeRequirement::any_of(["profile"]),
    ] {
        server
            .validate_bearer(&bearer(&token), &ok)
            .await
            .unwrap_or_else(|e| panic!("{ok:?} should be satisfied: {e:?}"));
    }
    let required = ScopeRequirement::any_of(["admin", "billing"]);
    let (err, response) = refusal(&server, &bearer(&token), &required).await;
    assert_bearer_error(&err, &response, 403, "insufficient_scope");
    let (_, params) = challenge(&response);
    let scope = param(&params, "scope").expect("scope attribute");
    assert!(
        Scope::parse(scope)
            .unwrap()
            .same_set(&Scope::parse("admin billing").unwrap()),
        "{scope:?}"
    );
}

#[tokio::test]
async fn rfc6750_3_all_of_requirement_checks_the_issued_token() {
    let (server, _) = server();
    let token = access_token(&server, "profile email").await;
    server
        .validate_bearer(
            &bearer(&token),
            &ScopeRequirement::all_of(["email", "profile"]),
        )
        .await
        .expect("both scopes were granted");
    let required = ScopeRequirement::all_of(["email", "admin"]);
    let (err, response) = refusal(&server, &bearer(&token), &required).await;
    assert_bearer_error(&err, &response, 403, "insufficient_scope");
    let (_, params) = challenge(&response);
    let scope = param(&params, "scope").expect("scope attribute");
    assert!(
        Scope::parse(scope)
            .unwrap()
            .same_set(&Scope::parse("email admin").unwrap()),
        "{scope:?}"
    );
}

#[tokio::test]
async fn rfc6750_2_1_scheme_is_case_insensitive() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    for scheme in ["bearer", "BEARER", "BeArEr"] {
        server
            .validate_bearer(
                &with_authorization(&format!("{scheme} {token}")),
                &ScopeRequirement::None,
            )
            .await
            .unwrap_or_else(|e| panic!("scheme {scheme:?} refused: {e:?}"));
    }
}

#[tokio::test]
async fn rfc6750_2_1_one_or_more_spaces_separate_scheme_and_token() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    // credentials = "Bearer" 1*SP b64token
    server
        .validate_bearer(
            &with_authorization(&format!("Bearer   {token}")),
            &ScopeRequirement::None,
        )
        .await
        .expect("several spaces are allowed");
}

#[tokio::test]
async fn rfc6750_2_1_malformed_authorization_header_is_invalid_request() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    let cases = [
        "Bearer a b".to_owned(),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer ==".to_owned(),
        "Bearer a,b".to_owned(),
        "Bearer a\"b".to_owned(),
        "Bearer caf\u{e9}".to_owned(),
        "Bearer a=b".to_owned(),
        format!("Bearer {token} extra"),
        format!("Bearer {token},"),
    ];
    for header in &cases {
        let (err, response) = refusal(
            &server,
            &with_authorization(header),
            &ScopeRequirement::None,
        )
        .await;
        assert_bearer_error(&err, &response, 400, "invalid_request");
    }
}

#[tokio::test]
async fn rfc6750_2_1_other_scheme_is_treated_as_no_token() {
    let (server, _) = server();
    let _issued = access_token(&server, "profile").await;
    let request = with_authorization(&basic("basic-client", SECRET));
    let (err, response) = refusal(&server, &request, &ScopeRequirement::None).await;
    assert_no_token(&err, &response);
}

#[tokio::test]
async fn rfc6750_2_2_form_body_token_is_refused_by_default() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    let request = OAuth2Request::post(API).with_form([("access_token", token.as_str())]);
    let (err, response) = refusal(&server, &request, &ScopeRequirement::None).await;
    assert_no_token(&err, &response);
}

#[tokio::test]
async fn rfc6750_2_2_form_body_token_is_accepted_when_enabled() {
    let (server, _) = server_with(Config {
        bearer: Bearer {
            in_body: true,
            ..Bearer::default()
        },
        ..Config::default()
    });
    let token = access_token(&server, "profile").await;
    let request = OAuth2Request::post(API).with_form([("access_token", token.as_str())]);
    let found = server
        .validate_bearer(&request, &ScopeRequirement::all_of(["profile"]))
        .await
        .expect("form-body token accepted");
    assert_eq!(found.client_id(), "basic-client");
}

#[tokio::test]
async fn rfc6750_2_2_form_body_token_is_not_read_from_a_get_request() {
    let (server, _) = server_with(Config {
        bearer: Bearer {
            in_body: true,
            ..Bearer::default()
        },
        ..Config::default()
    });
    let token = access_token(&server, "profile").await;
    // §2.2: "The HTTP request method is one for which the request-body has
    // defined semantics. In particular, this means that the "GET" method
    // MUST NOT be used."
    let request = OAuth2Request::get(API).with_form([("access_token", token.as_str())]);
    let (err, response) = refusal(&server, &request, &ScopeRequirement::None).await;
    assert_no_token(&err, &response);
}

#[tokio::test]
async fn rfc6750_2_2_form_body_token_requires_form_content_type() {
    let (server, _) = server_with(Config {
        bearer: Bearer {
            in_body: true,
            ..Bearer::default()
        },
        ..Config::default()
    });
    let token = access_token(&server, "profile").await;
    // §2.2: the Content-Type MUST be application/x-www-form-urlencoded.
    let mut request = OAuth2Request::post(API).with_header("Content-Type", "application/json");
    request.form = Params::from_pairs([("access_token", token.as_str())]);
    let (err, response) = refusal(&server, &request, &ScopeRequirement::None).await;
    assert_no_token(&err, &response);
}

#[tokio::test]
async fn rfc6750_2_3_query_token_is_off_by_default() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    let request = OAuth2Request::get(format!("{API}?access_token={token}"));
    let (err, response) = refusal(&server, &request, &ScopeRequirement::None).await;
    assert_no_token(&err, &response);
}

#[tokio::test]
async fn rfc6750_2_3_query_token_is_accepted_when_enabled() {
    let (server, _) = server_with(Config {
        bearer: Bearer {
            in_query: true,
            ..Bearer::default()
        },
        ..Config::default()
    });
    let token = access_token(&server, "profile").await;
    let request = OAuth2Request::get(format!("{API}?access_token={token}"));
    let found = server
        .validate_bearer(&request, &ScopeRequirement::None)
        .await
        .expect("query token accepted");
    assert_eq!(found.client_id(), "basic-client");
}

#[tokio::test]
async fn rfc6750_2_more_than_one_method_is_invalid_request() {
    let (server, _) = server_with(Config {
        bearer: Bearer {
            in_body: true,
            in_query: true,
        },
        ..Config::default()
    });
    let token = access_token(&server, "profile").await;
    let uri_with_query = format!("{API}?access_token={token}");
    let cases = [
        // header + query
        OAuth2Request::get(&uri_with_query).with_header("Authorization", format!("Bearer {token}")),
        // header + body
        OAuth2Request::post(API)
            .with_header("Authorization", format!("Bearer {token}"))
            .with_form([("access_token", token.as_str())]),
        // body + query
        OAuth2Request::post(&uri_with_query).with_form([("access_token", token.as_str())]),
    ];
    for request in &cases {
        let (err, response) = refusal(&server, request, &ScopeRequirement::None).await;
        assert_bearer_error(&err, &response, 400, "invalid_request");
    }
}

#[tokio::test]
async fn rfc6750_2_1_authorization_header_twice_is_invalid_request() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    let cases = [
        bearer(&token).with_header("Authorization", format!("Bearer {token}")),
        bearer(&token).with_header("authorization", basic("basic-client", SECRET)),
    ];
    for request in &cases {
        let (err, response) = refusal(&server, request, &ScopeRequirement::None).await;
        assert_bearer_error(&err, &response, 400, "invalid_request");
    }
}

#[tokio::test]
async fn rfc6750_5_3_request_without_tls_is_refused() {
    let (server, _) = server();
    let token = access_token(&server, "profile").await;
    let plain = OAuth2Request::get("http://api.example/resource")
        .with_header("Authorization", format!("Bearer {token}"));
    assert!(!plain.secure);
    let (err, response) = refusal(&server, &plain, &ScopeRequirement::None).await;
    assert_bearer_error(&err, &response, 400, "invalid_request");
    // The same token over TLS is fine, so it is the transport that was refused.
    server
        .validate_bearer(&bearer(&token), &ScopeRequirement::None)
        .await
        .expect("valid over https");
}
