//! RFC 6749 §4.1: the authorization code grant. The authorization endpoint
//! for `response_type=code` (§4.1.1, §4.1.2, §4.1.2.1) and the token
//! request that redeems the code (§4.1.3).

mod common;
use common::*;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use oauth_core::config::Scopes;
use oauth_core::secrets::digest;
use oauth_core::{
    AuthorizationError, ClientMetadata, ClientRecord, Config, Consent, OAuth2Client, OAuth2Error,
    OAuth2Request, OAuth2Response, OAuth2Token, ResponseType, ScopeRequirement,
};

// ---------------------------------------------------------------------------
// Helpers local to this file.
// ---------------------------------------------------------------------------

fn alice() -> Consent {
    Consent::Granted {
        user_id: "alice".into(),
    }
}

/// The standard authorization request of `basic-client`, with `extra`
/// parameters appended.
fn code_params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", "basic-client"),
        ("redirect_uri", REDIRECT),
    ];
    p.extend_from_slice(extra);
    p
}

/// Redeems `code` as `basic-client` (HTTP Basic) with the default redirect URI.
async fn redeem(server: &Server, code: &str) -> OAuth2Response {
    server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ]))
        .await
}

/// Asserts that `request` fails validation with an error that must not be
/// redirected (§4.1.2.1), that the full endpoint answers 400 without a
/// `Location`, and that nothing was stored. Returns the error.
async fn assert_fatal(server: &Server, request: &OAuth2Request) -> OAuth2Error {
    let err = server
        .validate_authorization_request(request)
        .await
        .unwrap_err();
    let AuthorizationError::Fatal(error) = &err else {
        panic!("expected a fatal (not redirected) error, got {err:?}");
    };
    assert!(!err.is_redirect());
    let response = err.to_response(server.config());
    assert_eq!(response.status, 400, "{response:?}");
    assert_eq!(response.header("Location"), None, "{response:?}");
    assert_eq!(response.json_body()["error"], error.code.as_str());

    // The resource owner's consent changes nothing: still no redirect.
    let response = server.create_authorization_response(request, alice()).await;
    assert_eq!(response.status, 400, "{response:?}");
    assert_eq!(response.header("Location"), None, "{response:?}");
    assert_eq!(server.storage().code_count(), 0);
    assert_eq!(server.storage().token_count(), 0);
    error.clone()
}

/// Asserts that the authorization request `params` fails with `code`,
/// redirected to [`REDIRECT`] in the query with `error`, `error_description`
/// and `state` (when `state` is `Some`), and that no code was issued.
async fn assert_redirected_error(
    server: &Server,
    params: &[(&str, &str)],
    code: &str,
    state: Option<&str>,
) -> HashMap<String, String> {
    let request = authorize_request(params);
    let err = server
        .validate_authorization_request(&request)
        .await
        .unwrap_err();
    match &err {
        AuthorizationError::Redirect {
            error,
            redirect_uri,
            state: s,
            ..
        } => {
            assert_eq!(error.code.as_str(), code, "{err:?}");
            assert_eq!(redirect_uri, REDIRECT);
            assert_eq!(s.as_deref(), state);
        }
        AuthorizationError::Fatal(_) => panic!("expected a redirected error, got {err:?}"),
    }

    let response = server
        .create_authorization_response(&request, alice())
        .await;
    let location = response.header("Location").expect("Location").to_owned();
    assert!(
        location.starts_with(&format!("{REDIRECT}?")),
        "error not in the query of the redirect URI: {location}"
    );
    let p = redirect_params(&response);
    assert_eq!(p.get("error").map(String::as_str), Some(code), "{location}");
    assert!(
        p.get("error_description").is_some_and(|d| !d.is_empty()),
        "{location}"
    );
    assert_eq!(p.get("state").map(String::as_str), state, "{location}");
    assert!(!p.contains_key("code"), "{location}");
    assert_eq!(server.storage().code_count(), 0);
    assert_eq!(server.storage().token_count(), 0);
    p
}

fn bearer(access_token: &str) -> OAuth2Request {
    OAuth2Request::get("https://api.example/resource")
        .with_header("Authorization", format!("Bearer {access_token}"))
}

// ---------------------------------------------------------------------------
// §4.1.1 / §4.1.2: authorization request and response.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc6749_4_1_2_code_is_returned_in_query_with_exact_state() {
    let (server, _) = server();
    // A state with characters that need encoding must come back unchanged:
    // "state: REQUIRED if the "state" parameter was present in the client
    // authorization request. The exact value received from the client."
    let state = "a b+c&d=e/?#%25é";
    let response = server
        .create_authorization_response(
            &authorize_request(&code_params(&[("scope", "profile"), ("state", state)])),
            alice(),
        )
        .await;
    let location = response.header("Location").expect("Location").to_owned();
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    assert!(
        !location.contains('#'),
        "code response uses the query: {location}"
    );
    let p = redirect_params(&response);
    assert_eq!(p.get("state").map(String::as_str), Some(state));
    let code = p.get("code").expect("code");
    assert!(code.len() >= 43, "code too short to be unguessable: {code}");
    assert!(!p.contains_key("access_token"));
    assert_eq!(server.storage().code_count(), 1);
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_1_2_no_state_in_response_when_request_had_none() {
    let (server, _) = server();
    let response = server
        .create_authorization_response(&authorize_request(&code_params(&[])), alice())
        .await;
    let p = redirect_params(&response);
    assert!(p.contains_key("code"));
    assert!(!p.contains_key("state"), "{p:?}");
}

#[tokio::test]
async fn rfc6749_3_1_2_existing_query_of_redirect_uri_is_retained() {
    // §3.1.2: "The endpoint URI MAY include an "application/x-www-form-
    // urlencoded" formatted query component, which MUST be retained when
    // adding additional query parameters."
    let (server, _) = server();
    let with_query = "https://client.example/cb?tenant=acme&lang=en";
    server.storage().insert_client(ClientRecord::confidential(
        "query-client",
        SECRET,
        ClientMetadata {
            redirect_uris: vec![with_query.into()],
            scope: Some(CLIENT_SCOPE.into()),
            ..ClientMetadata::default()
        },
    ));
    let response = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "query-client"),
                ("redirect_uri", with_query),
                ("state", "xyz"),
            ]),
            alice(),
        )
        .await;
    let location = response.header("Location").expect("Location").to_owned();
    assert!(
        location.starts_with(&format!("{with_query}&")),
        "registered query not retained: {location}"
    );
    let p = redirect_params(&response);
    assert_eq!(p.get("tenant").map(String::as_str), Some("acme"));
    assert_eq!(p.get("lang").map(String::as_str), Some("en"));
    assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
    assert!(p.contains_key("code"));
}

#[tokio::test]
async fn rfc6749_3_1_2_3_redirect_uri_may_be_omitted_when_one_is_registered() {
    let (server, _) = server();
    let request = authorize_request(&[
        ("response_type", "code"),
        ("client_id", "basic-client"),
        ("state", "xyz"),
    ]);
    let validated = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    assert_eq!(validated.redirect_uri, REDIRECT);
    assert!(!validated.redirect_uri_provided);

    let response = server
        .create_authorization_response(&request, alice())
        .await;
    let location = response.header("Location").expect("Location");
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    let p = redirect_params(&response);
    let code = p.get("code").expect("code").clone();
    assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
    assert_eq!(server.storage().codes()[0].redirect_uri, None);

    // §4.1.3: redirect_uri is only required at the token endpoint if it was
    // included in the authorization request; here it was not.
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn rfc6749_4_1_1_validation_returns_what_the_consent_page_shows() {
    let (server, _) = server();
    // `openid` is not in the client's scope: the granted scope is narrowed
    // to what the client may have (§3.3).
    let request = authorize_request(&code_params(&[
        ("scope", "profile openid email"),
        ("state", "st-1"),
    ]));
    let v = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    assert_eq!(v.client.client_id(), "basic-client");
    assert_eq!(v.client.client_name().as_deref(), Some("Test Client"));
    assert_eq!(v.response_type, ResponseType::code());
    assert_eq!(v.scope.to_string(), "profile email");
    assert_eq!(v.state.as_deref(), Some("st-1"));
    assert_eq!(v.redirect_uri, REDIRECT);
    assert!(v.redirect_uri_provided);
    assert_eq!(v.code_challenge, None);
    // Validating alone issues nothing.
    assert_eq!(server.storage().code_count(), 0);

    // Completing it issues a code with exactly that (narrowed) scope.
    let response = server.complete_authorization(&v, alice()).await;
    let p = redirect_params(&response);
    assert_eq!(p.get("state").map(String::as_str), Some("st-1"));
    let code = p.get("code").expect("code").clone();
    let r = redeem(&server, &code).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["scope"], "profile email");
}

// ---------------------------------------------------------------------------
// §4.1.2.1: errors that must not be redirected.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc6749_4_1_2_1_missing_client_id_is_not_redirected() {
    // "If the request fails due to a missing, invalid, or mismatching
    // redirection URI, or if the client identifier is missing or invalid,
    // the authorization server SHOULD inform the resource owner of the error
    // and MUST NOT automatically redirect the user-agent to the invalid
    // redirection URI."
    let (server, _) = server();
    let e = assert_fatal(
        &server,
        &authorize_request(&[
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ]),
    )
    .await;
    assert_eq!(e.code.as_str(), "invalid_request");
}

#[tokio::test]
async fn rfc6749_4_1_2_1_unknown_client_is_not_redirected() {
    let (server, _) = server();
    assert_fatal(
        &server,
        &authorize_request(&[
            ("response_type", "code"),
            ("client_id", "no-such-client"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ]),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_4_1_2_1_unregistered_redirect_uri_is_not_redirected() {
    let (server, _) = server();
    // §3.1.2.3 / RFC 9700 §4.1.3: simple string comparison, so every near
    // miss of the registered `https://client.example/cb` is refused.
    for uri in [
        "https://attacker.example/cb",
        "https://client.example/cb/",
        "https://CLIENT.example/cb",
        "https://client.example/CB",
        "https://client.example/cb?x=1",
        "https://client.example/cb#frag",
        "https://user@client.example/cb",
        "https://client.example:443/cb",
        "https://client.example.attacker.example/cb",
        "http://client.example/cb",
        "https://client.example/cb/../cb",
    ] {
        let e = assert_fatal(
            &server,
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "basic-client"),
                ("redirect_uri", uri),
                ("state", "xyz"),
            ]),
        )
        .await;
        assert_eq!(e.code.as_str(), "invalid_request", "{uri}");
    }
}

#[tokio::test]
async fn rfc6749_3_1_2_3_omitted_redirect_uri_with_two_registered_is_not_redirected() {
    // §3.1.2.3: "If multiple redirection URIs have been registered [...] the
    // client MUST include a redirection URI with the authorization request".
    let (server, _) = server();
    assert_fatal(
        &server,
        &authorize_request(&[
            ("response_type", "code"),
            ("client_id", "multi-client"),
            ("state", "xyz"),
        ]),
    )
    .await;

    // Either registered URI, named explicitly, works.
    for uri in [REDIRECT, "https://client.example/other"] {
        let response = server
            .create_authorization_response(
                &authorize_request(&[
                    ("response_type", "code"),
                    ("client_id", "multi-client"),
                    ("redirect_uri", uri),
                ]),
                alice(),
            )
            .await;
        let location = response.header("Location").expect("Location");
        assert!(location.starts_with(&format!("{uri}?code=")), "{location}");
    }
}

#[tokio::test]
async fn rfc6749_3_1_duplicated_client_id_is_not_redirected() {
    // §3.1: "Request and response parameters MUST NOT be included more than
    // once." With client_id doubled, the client is not identified.
    let (server, _) = server();
    for second in ["basic-client", "post-client"] {
        let e = assert_fatal(
            &server,
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "basic-client"),
                ("client_id", second),
                ("redirect_uri", REDIRECT),
                ("state", "xyz"),
            ]),
        )
        .await;
        assert_eq!(e.code.as_str(), "invalid_request");
    }
}

#[tokio::test]
async fn rfc6749_3_1_duplicated_redirect_uri_is_not_redirected() {
    let (server, _) = server();
    for second in [REDIRECT, "https://attacker.example/cb"] {
        let e = assert_fatal(
            &server,
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
                ("redirect_uri", second),
                ("state", "xyz"),
            ]),
        )
        .await;
        assert_eq!(e.code.as_str(), "invalid_request");
    }
}

#[tokio::test]
async fn rfc6749_3_1_insecure_transport_is_not_redirected() {
    // §3.1: "the authorization server MUST require the use of TLS [...] when
    // sending requests to the authorization endpoint."
    let (server, _) = server();
    let query = "response_type=code&client_id=basic-client&state=xyz&redirect_uri=https%3A%2F%2Fclient.example%2Fcb";
    let plain_http = OAuth2Request::get(format!("http://as.example/authorize?{query}"));
    assert!(!plain_http.secure);
    let e = assert_fatal(&server, &plain_http).await;
    assert_eq!(e.code.as_str(), "invalid_request");
    // The same for an https URI behind a proxy that says it was not TLS.
    let unmarked = authorize_request(&code_params(&[("state", "xyz")])).with_secure(false);
    assert_fatal(&server, &unmarked).await;

    // Only the transport was wrong: with `insecure_transport` it succeeds.
    let (dev, _) = server_with(Config {
        insecure_transport: true,
        ..Config::default()
    });
    let response = dev
        .create_authorization_response(&plain_http, alice())
        .await;
    assert!(redirect_params(&response).contains_key("code"));
}

#[tokio::test]
async fn rfc6749_3_1_2_2_client_without_registered_redirect_uri_is_not_redirected() {
    // RFC 9700 §2.1 requires exact matching against registered URIs; with
    // none registered, no URI the request names can be trusted.
    let (server, _) = server();
    server.storage().insert_client(ClientRecord::confidential(
        "unregistered-uris",
        SECRET,
        ClientMetadata {
            scope: Some(CLIENT_SCOPE.into()),
            ..ClientMetadata::default()
        },
    ));
    for params in [
        vec![
            ("response_type", "code"),
            ("client_id", "unregistered-uris"),
            ("redirect_uri", REDIRECT),
        ],
        vec![
            ("response_type", "code"),
            ("client_id", "unregistered-uris"),
        ],
    ] {
        assert_fatal(&server, &authorize_request(&params)).await;
    }
}

#[tokio::test]
async fn rfc6749_3_1_empty_parameters_are_treated_as_omitted() {
    // §3.1: "Parameters sent without a value MUST be treated as if they were
    // omitted from the request."
    let (server, _) = server();
    // An empty client_id is a missing one.
    let e = assert_fatal(
        &server,
        &authorize_request(&[
            ("response_type", "code"),
            ("client_id", ""),
            ("redirect_uri", REDIRECT),
        ]),
    )
    .await;
    assert_eq!(e.code.as_str(), "invalid_request");

    // An empty redirect_uri and state are omitted ones: the single
    // registered URI is used and no state comes back.
    let request = authorize_request(&[
        ("response_type", "code"),
        ("client_id", "basic-client"),
        ("redirect_uri", ""),
        ("state", ""),
    ]);
    let v = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    assert!(!v.redirect_uri_provided);
    assert_eq!(v.state, None);
    let response = server
        .create_authorization_response(&request, alice())
        .await;
    let location = response.header("Location").expect("Location");
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    assert!(!redirect_params(&response).contains_key("state"));

    // An empty response_type is a missing one.
    let (server, _) = common::server();
    assert_redirected_error(
        &server,
        &[
            ("response_type", ""),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ],
        "invalid_request",
        Some("xyz"),
    )
    .await;
}

// ---------------------------------------------------------------------------
// §4.1.2.1: errors redirected to the client.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc6749_4_1_2_1_missing_response_type_is_redirected_invalid_request() {
    let (server, _) = server();
    assert_redirected_error(
        &server,
        &[
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ],
        "invalid_request",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_4_1_2_1_unknown_response_type_is_unsupported_response_type() {
    let (server, _) = server();
    for rt in ["CODE", "none", "code code"] {
        assert_redirected_error(
            &server,
            &[
                ("response_type", rt),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
                ("state", "xyz"),
            ],
            "unsupported_response_type",
            Some("xyz"),
        )
        .await;
    }
}

/// A response type not served that would return tokens (`id_token`, `code
/// token`) is refused in the fragment, where its answer would have gone
/// (RFC 6749 §4.2.2.1, Multiple Response Type Encoding Practices §2.1).
#[tokio::test]
async fn rfc6749_4_2_2_1_unsupported_token_response_type_is_refused_in_the_fragment() {
    let (server, _) = server();
    for rt in ["id_token", "code token", "code id_token token"] {
        let response = server
            .create_authorization_response(
                &authorize_request(&[
                    ("response_type", rt),
                    ("client_id", "basic-client"),
                    ("redirect_uri", REDIRECT),
                    ("state", "xyz"),
                ]),
                alice(),
            )
            .await;
        let location = response.header("Location").expect("Location");
        assert!(
            location.starts_with(&format!("{REDIRECT}#")),
            "{rt}: {location}"
        );
        let p = redirect_params(&response);
        assert_eq!(p["error"], "unsupported_response_type", "{rt}");
        assert_eq!(p["state"], "xyz");
    }
}

#[tokio::test]
async fn rfc6749_4_1_2_1_error_description_uses_only_allowed_characters() {
    // "Values for the "error_description" parameter MUST NOT include
    // characters outside the set %x20-21 / %x23-5B / %x5D-7E."
    // The refused response type is echoed in the description.
    let (server, _) = server();
    let p = assert_redirected_error(
        &server,
        &[
            ("response_type", "we\"ird\\typé\n"),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ],
        "unsupported_response_type",
        Some("xyz"),
    )
    .await;
    let description = &p["error_description"];
    assert!(
        description
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
        "{description:?}"
    );
}

#[tokio::test]
async fn rfc6749_4_1_2_1_response_type_not_registered_is_unauthorized_client() {
    // "unauthorized_client: The client is not authorized to request an
    // authorization code using this method." post-client is registered for
    // `code` only.
    let (server, _) = server();
    let request = authorize_request(&[
        ("response_type", "token"),
        ("client_id", "post-client"),
        ("redirect_uri", REDIRECT),
        ("state", "xyz"),
    ]);
    let err = server
        .validate_authorization_request(&request)
        .await
        .unwrap_err();
    assert!(err.is_redirect(), "{err:?}");
    assert_eq!(err.error().code.as_str(), "unauthorized_client");
    let response = server
        .create_authorization_response(&request, alice())
        .await;
    let p = redirect_params(&response);
    assert_eq!(
        p.get("error").map(String::as_str),
        Some("unauthorized_client")
    );
    assert!(p.get("error_description").is_some_and(|d| !d.is_empty()));
    assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
    assert!(!p.contains_key("access_token"));
    assert_eq!(server.storage().token_count(), 0);
    assert_eq!(server.storage().code_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_1_2_1_client_without_code_response_type_is_unauthorized_client() {
    let (server, _) = server();
    server.storage().insert_client(ClientRecord::confidential(
        "token-only",
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            response_types: vec!["token".into()],
            grant_types: vec!["implicit".into()],
            ..ClientMetadata::default()
        },
    ));
    assert_redirected_error(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "token-only"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ],
        "unauthorized_client",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_3_3_scope_with_invalid_characters_is_invalid_scope() {
    // §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    for scope in ["profile \"email\"", "pro\\file", "profilé", "a\tb"] {
        let (server, _) = server();
        assert_redirected_error(
            &server,
            &code_params(&[("scope", scope), ("state", "xyz")]),
            "invalid_scope",
            Some("xyz"),
        )
        .await;
    }
}

#[tokio::test]
async fn rfc6749_4_1_2_1_scope_not_supported_is_invalid_scope() {
    let (server, _) = server_with(Config {
        scopes: Scopes {
            supported: Some(vec!["profile".into(), "email".into()]),
            ..Scopes::default()
        },
        ..Config::default()
    });
    // `admin` is in the client's scope but not known to the server.
    assert_redirected_error(
        &server,
        &code_params(&[("scope", "profile admin"), ("state", "xyz")]),
        "invalid_scope",
        Some("xyz"),
    )
    .await;
    // Control: supported scopes pass.
    let code = obtain_code(
        &server,
        &code_params(&[("scope", "profile email"), ("state", "xyz")]),
    )
    .await;
    assert!(!code.is_empty());
}

#[tokio::test]
async fn rfc6749_4_1_2_1_scope_outside_client_scope_entirely_is_invalid_scope() {
    let (server, _) = server();
    assert_redirected_error(
        &server,
        &code_params(&[("scope", "openid"), ("state", "xyz")]),
        "invalid_scope",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_3_1_duplicated_scope_is_redirected_invalid_request() {
    let (server, _) = server();
    assert_redirected_error(
        &server,
        &code_params(&[("scope", "profile"), ("scope", "email"), ("state", "xyz")]),
        "invalid_request",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_3_1_duplicated_response_type_is_redirected_invalid_request() {
    let (server, _) = server();
    assert_redirected_error(
        &server,
        &code_params(&[("response_type", "code"), ("state", "xyz")]),
        "invalid_request",
        Some("xyz"),
    )
    .await;
}

#[tokio::test]
async fn rfc6749_3_1_duplicated_state_is_redirected_without_state() {
    // Which of two states to return cannot be known: the error goes back
    // without one.
    let (server, _) = server();
    assert_redirected_error(
        &server,
        &code_params(&[("state", "one"), ("state", "two")]),
        "invalid_request",
        None,
    )
    .await;
}

#[tokio::test]
async fn rfc6749_4_1_2_1_denied_consent_is_access_denied() {
    // "access_denied: The resource owner or authorization server denied the
    // request."
    let (server, _) = server();
    let response = server
        .create_authorization_response(
            &authorize_request(&code_params(&[("scope", "profile"), ("state", "xyz")])),
            Consent::Denied,
        )
        .await;
    let location = response.header("Location").expect("Location");
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    let p = redirect_params(&response);
    assert_eq!(p.get("error").map(String::as_str), Some("access_denied"));
    assert!(p.get("error_description").is_some_and(|d| !d.is_empty()));
    assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
    assert!(!p.contains_key("code"));
    assert_eq!(server.storage().code_count(), 0);
    assert_eq!(server.storage().token_count(), 0);
}

// ---------------------------------------------------------------------------
// §4.1.3 / §4.1.4: the access token request.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn rfc6749_4_1_4_code_is_exchanged_for_access_and_refresh_token() {
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let r = redeem(&server, &code).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert_eq!(r.header("Pragma"), Some("no-cache"));
    let body = r.json_body();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 864_000);
    assert_eq!(body["scope"], "profile");
    let access = body["access_token"].as_str().expect("access_token");
    // basic-client may use the refresh_token grant.
    let refresh = body["refresh_token"].as_str().expect("refresh_token");
    assert_ne!(access, refresh);
    assert_eq!(server.storage().code_count(), 0, "the code is spent");
    assert_eq!(server.storage().token_count(), 1);

    let token = server
        .validate_bearer(&bearer(access), &ScopeRequirement::all_of(["profile"]))
        .await
        .unwrap();
    assert_eq!(OAuth2Token::client_id(&token), "basic-client");
    assert_eq!(token.user_id().as_deref(), Some("alice"));
    assert_eq!(token.scope().to_string(), "profile");
}

#[tokio::test]
async fn rfc6749_4_1_3_missing_code_is_invalid_request() {
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ]))
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
    // The outstanding code is untouched and still works.
    assert_eq!(server.storage().code_count(), 1);
    assert_eq!(redeem(&server, &code).await.status, 200);
}

#[tokio::test]
async fn rfc6749_4_1_3_unknown_code_is_invalid_grant() {
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let r = redeem(&server, "not-a-code-this-server-issued-0123456789abcd").await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);
    assert_eq!(server.storage().code_count(), 1);
    // A code that differs in one character is unknown too.
    let mut near = code.clone();
    let last = near.pop().unwrap();
    near.push(if last == 'A' { 'B' } else { 'A' });
    assert_error(&redeem(&server, &near).await, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_1_3_code_issued_to_another_client_is_invalid_grant() {
    // "ensure that the authorization code was issued to the authenticated
    // confidential client"
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_1_3_confidential_client_must_authenticate() {
    // "require client authentication for confidential clients"
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let r = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", "basic-client"),
            ],
        ))
        .await;
    assert_error(&r, r.status, "invalid_client");
    assert!(r.status == 400 || r.status == 401, "{r:?}");
    assert_eq!(server.storage().token_count(), 0);
    // Nothing was redeemed: the client can still use its code.
    assert_eq!(redeem(&server, &code).await.status, 200);
}

#[tokio::test]
async fn rfc6749_4_1_2_expired_code_is_invalid_grant() {
    // §4.1.2: "The authorization code MUST expire shortly after it is issued
    // [...] A maximum authorization code lifetime of 10 minutes is
    // RECOMMENDED." The configured lifetime is 300 s.
    let (server, clock) = server();
    let fresh = basic_client_code(&server).await;
    clock.advance(299);
    let r = redeem(&server, &fresh).await;
    assert_eq!(r.status, 200, "still valid at 299 s: {}", r.body);

    let stale = basic_client_code(&server).await;
    clock.advance(301);
    let r = redeem(&server, &stale).await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_4_1_3_redirect_uri_mismatch_is_invalid_grant() {
    // "ensure that the "redirect_uri" parameter is present if [it] was
    // included in the initial authorization request [...] and if included
    // ensure that their values are identical."
    let (server, _) = server();
    // multi-client has both URIs registered: a registered but different URI
    // still does not match the one the code was issued for.
    let code = obtain_code(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "multi-client"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    let r = server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic("multi-client", SECRET))
                .with_form([
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", "https://client.example/other"),
                ]),
        )
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);

    // And an unregistered near miss for basic-client.
    let code = basic_client_code(&server).await;
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://client.example/cb/"),
        ]))
        .await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_1_3_redirect_uri_required_when_it_was_in_authorization_request() {
    let (server, _) = server();
    let code = basic_client_code(&server).await; // sent redirect_uri
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
        ]))
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_4_1_2_replayed_code_is_refused_and_revokes_its_tokens() {
    // §4.1.2: "If an authorization code is used more than once, the
    // authorization server MUST deny the request and SHOULD revoke (when
    // possible) all tokens previously issued based on that authorization
    // code."
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let first = redeem(&server, &code).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let body = first.json_body();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    // Valid before the replay.
    server
        .validate_bearer(&bearer(&access), &ScopeRequirement::None)
        .await
        .unwrap();

    let second = redeem(&server, &code).await;
    assert_error(&second, 400, "invalid_grant");
    assert_eq!(server.storage().token_count(), 1, "no new token issued");

    let refused = server
        .validate_bearer(&bearer(&access), &ScopeRequirement::None)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.error.as_ref().map(|e| e.code.as_str()),
        Some("invalid_token")
    );
    let stored = server.storage().tokens();
    assert!(stored[0].access_token_revoked_at.is_some());
    assert!(stored[0].refresh_token_revoked_at.is_some());
    // The refresh token is dead too.
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
        ]))
        .await;
    assert_error(&r, 400, "invalid_grant");
}

#[tokio::test]
async fn rfc6749_4_1_2_replayed_code_revokes_tokens_refreshed_from_it() {
    // Tokens obtained by refreshing are "issued based on that authorization
    // code" too.
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let body = redeem(&server, &code).await.json_body();
    let refresh = body["refresh_token"].as_str().unwrap();
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let refreshed = r.json_body();
    let new_access = refreshed["access_token"].as_str().unwrap();
    server
        .validate_bearer(&bearer(new_access), &ScopeRequirement::None)
        .await
        .unwrap();

    assert_error(&redeem(&server, &code).await, 400, "invalid_grant");
    assert!(
        server
            .validate_bearer(&bearer(new_access), &ScopeRequirement::None)
            .await
            .is_err(),
        "a token refreshed from a replayed code must be revoked"
    );
    assert!(
        server
            .storage()
            .tokens()
            .iter()
            .all(|t| t.access_token_revoked_at.is_some())
    );
}

#[tokio::test]
async fn rfc6749_10_5_codes_are_stored_only_as_digests() {
    // §10.5: "Authorization codes MUST be kept confidential"; the engine
    // keeps only their SHA-256 digest.
    let (server, _) = server();
    let code = basic_client_code(&server).await;
    let codes = server.storage().codes();
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].code_digest, digest(&code));
    assert_ne!(codes[0].code_digest, code);
    let dump = serde_json::to_string(&codes).unwrap();
    assert!(!dump.contains(&code), "raw code in storage: {dump}");

    // Nor do the tokens it buys reach storage raw.
    let body = redeem(&server, &code).await.json_body();
    let dump = serde_json::to_string(
        &server
            .storage()
            .tokens()
            .into_iter()
            .map(|t| t.token)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for raw in ["access_token", "refresh_token"] {
        let value = body[raw].as_str().unwrap();
        assert!(!dump.contains(value), "raw {raw} in storage");
        assert!(dump.contains(&digest(value)), "{raw} digest not stored");
    }
}

/// Holds each caller until `parties` callers have arrived, by spinning, so
/// that what follows starts at the same moment on each thread. Gives up
/// after a few seconds rather than hang.
fn start_gate(arrived: &AtomicUsize, parties: usize) {
    arrived.fetch_add(1, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(5);
    while arrived.load(Ordering::SeqCst) < parties && Instant::now() < deadline {
        std::hint::spin_loop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc6749_4_1_2_concurrent_redemption_succeeds_exactly_once() {
    // §4.1.2: "If an authorization code is used more than once, the
    // authorization server MUST deny the request". Two simultaneous uses are
    // no exception: exactly one may succeed.
    //
    // The redemption never actually waits (in-memory storage), so two
    // `tokio::spawn`ed tasks tend to run one after the other on one worker.
    // Each task therefore gets a thread of its own (`spawn_blocking`), meets
    // the other at a start gate, and drives its redemption on the runtime
    // from there: the two really overlap.
    let (server, _) = server();
    let server = Arc::new(server);
    let runtime = tokio::runtime::Handle::current();
    for round in 0..50 {
        let code = basic_client_code(&server).await;
        let arrived = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let server = Arc::clone(&server);
                let code = code.clone();
                let arrived = Arc::clone(&arrived);
                let runtime = runtime.clone();
                tokio::task::spawn_blocking(move || {
                    start_gate(&arrived, 2);
                    runtime.block_on(redeem(&server, &code))
                })
            })
            .collect();
        let mut ok = 0;
        let mut refused = 0;
        for t in tasks {
            let r = t.await.unwrap();
            match r.status {
                200 => ok += 1,
                _ => {
                    assert_error(&r, 400, "invalid_grant");
                    refused += 1;
                }
            }
        }
        assert_eq!((ok, refused), (1, 1), "round {round}");
        assert_eq!(server.storage().token_count(), round + 1, "round {round}");
        assert_eq!(server.storage().code_count(), 0, "round {round}");
    }
}
