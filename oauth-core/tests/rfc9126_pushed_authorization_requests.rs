//! RFC 9126: pushed authorization requests
//! (`AuthorizationServer::create_pushed_authorization_response`) and their
//! use at the authorization endpoint.

mod common;
use common::*;

use oauth_core::http::form_urlencode;
use oauth_core::{
    AuthorizationError, ClientMetadata, ClientRecord, Config, Consent, OAuth2Request,
    OAuth2Response, OAuth2Storage, secrets,
};

const PAR: &str = "https://as.example/par";

fn push_request(form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post(PAR)
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form(form.iter().copied())
}

fn code_request() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "profile email"),
        ("state", "pushed-state"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

async fn push(server: &Server, form: &[(&str, &str)]) -> OAuth2Response {
    server
        .create_pushed_authorization_response(&push_request(form))
        .await
}

/// Pushes the standard code request of `basic-client`: its `request_uri`.
async fn pushed(server: &Server) -> String {
    let r = push(server, &code_request()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json_body()["request_uri"].as_str().unwrap().to_owned()
}

/// The authorization request that uses `request_uri`, with more query
/// parameters.
fn by_reference(client_id: &str, request_uri: &str, more: &str) -> OAuth2Request {
    OAuth2Request::get(format!(
        "https://as.example/authorize?client_id={client_id}&request_uri={}{more}",
        form_urlencode(request_uri)
    ))
}

fn fatal_code(e: &AuthorizationError) -> &str {
    match e {
        AuthorizationError::Fatal(e) => e.code.as_str(),
        other => panic!("redirected: {other:?}"),
    }
}

#[tokio::test]
async fn rfc9126_2_2_a_push_answers_201_with_request_uri_and_expires_in() {
    let (server, _) = server();
    let r = push(&server, &code_request()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let body = r.json_body();
    assert_eq!(body["expires_in"], 60);
    let uri = body["request_uri"].as_str().unwrap();
    let random = uri
        .strip_prefix("urn:ietf:params:oauth:request_uri:")
        .unwrap();
    assert!(random.len() >= 43, "{uri}");
    // Stored by digest, with the client_id and without the credentials.
    let stored = server
        .storage()
        .find_pushed_request(&secrets::digest(uri))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.client_id, "basic-client");
    assert!(stored.params.contains("client_id=basic-client"));
    assert!(!stored.params.contains(SECRET));
    assert_eq!(stored.expires_at, NOW + 60);
}

#[tokio::test]
async fn rfc9126_2_1_the_client_authenticates_as_at_the_token_endpoint() {
    let (server, _) = server();
    let r = server
        .create_pushed_authorization_response(
            &OAuth2Request::post(PAR)
                .with_header("Authorization", basic("basic-client", "wrong"))
                .with_form(code_request()),
        )
        .await;
    assert_error(&r, 401, "invalid_client");
    assert!(r.header("WWW-Authenticate").is_some());
    // client_secret_post works as well.
    let mut form = code_request();
    form.extend([("client_id", "post-client"), ("client_secret", SECRET)]);
    let r = server
        .create_pushed_authorization_response(&post(PAR, &form))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // A public client sends its client_id (and PKCE).
    let mut form = code_request();
    form.push(("client_id", "public-client"));
    let r = server
        .create_pushed_authorization_response(&post(PAR, &form))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Another client_id in the body than the authenticated one.
    let mut form = code_request();
    form.push(("client_id", "post-client"));
    assert_error(&push(&server, &form).await, 400, "invalid_request");
}

#[tokio::test]
async fn rfc9126_2_1_request_uri_must_not_be_pushed() {
    let (server, _) = server();
    let mut form = code_request();
    form.push(("request_uri", "urn:ietf:params:oauth:request_uri:x"));
    assert_error(&push(&server, &form).await, 400, "invalid_request");
}

#[tokio::test]
async fn rfc9126_2_1_the_request_is_validated_as_at_the_authorization_endpoint() {
    let (server, _) = server();
    let with = |name: &'static str, value: &'static str| {
        let mut form: Vec<(&str, &str)> = code_request()
            .into_iter()
            .filter(|(k, _)| *k != name)
            .collect();
        if !value.is_empty() {
            form.push((name, value));
        }
        form
    };
    for (form, code) in [
        (
            with("redirect_uri", "https://evil.example/cb"),
            "invalid_request",
        ),
        (
            with("response_type", "unknown"),
            "unsupported_response_type",
        ),
        (with("response_type", ""), "invalid_request"),
        (with("scope", "nope"), "invalid_scope"),
        (with("code_challenge_method", "plain"), "invalid_request"),
    ] {
        let r = push(&server, &form).await;
        // §2.3: answered here as JSON, never redirected.
        assert_error(&r, 400, code);
        assert!(r.header("Location").is_none());
    }
    // A public client without PKCE, as at the authorization endpoint.
    let r = server
        .create_pushed_authorization_response(&post(
            PAR,
            &[
                ("client_id", "public-client"),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_request");
}

#[tokio::test]
async fn rfc9126_4_the_pushed_parameters_are_the_request() {
    let (server, _) = server();
    let uri = pushed(&server).await;
    // The query's own parameters besides client_id and request_uri are
    // ignored: the pushed ones are the request.
    let request = by_reference(
        "basic-client",
        &uri,
        "&scope=admin&state=other&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
    );
    let validated = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    assert_eq!(validated.scope.to_string(), "profile email");
    assert_eq!(validated.state.as_deref(), Some("pushed-state"));
    assert_eq!(validated.redirect_uri, REDIRECT);
    assert!(validated.code_challenge.is_some());
}

#[tokio::test]
async fn rfc9126_4_a_request_uri_is_used_once() {
    let (server, _) = server();
    let uri = pushed(&server).await;
    let request = by_reference("basic-client", &uri, "");
    // The consent page validates when shown and when answered: both read
    // the pushed request without using it up.
    server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    let granted = server
        .create_authorization_response(
            &request,
            Consent::Granted {
                user_id: "alice".into(),
            },
        )
        .await;
    let params = redirect_params(&granted);
    assert!(params.contains_key("code"), "{granted:?}");
    assert_eq!(params["state"], "pushed-state");
    // The code is redeemed with the pushed PKCE verifier.
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &params["code"]),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Used: the same request_uri again is an error shown, not redirected.
    let e = server
        .validate_authorization_request(&request)
        .await
        .unwrap_err();
    assert_eq!(fatal_code(&e), "invalid_request_uri");
}

#[tokio::test]
async fn rfc9126_4_a_denial_uses_the_request_uri_too() {
    let (server, _) = server();
    let uri = pushed(&server).await;
    let request = by_reference("basic-client", &uri, "");
    let denied = server
        .create_authorization_response(&request, Consent::Denied)
        .await;
    assert_eq!(redirect_params(&denied)["error"], "access_denied");
    let e = server
        .validate_authorization_request(&request)
        .await
        .unwrap_err();
    assert_eq!(fatal_code(&e), "invalid_request_uri");
}

#[tokio::test]
async fn rfc9126_4_of_two_answers_to_one_request_uri_one_is_given() {
    let (server, _) = server();
    let uri = pushed(&server).await;
    let request = by_reference("basic-client", &uri, "");
    // Two tabs validated the same pushed request; both answer.
    let first = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    let second = server
        .validate_authorization_request(&request)
        .await
        .unwrap();
    let granted = |r| {
        let server = &server;
        async move {
            server
                .complete_authorization(
                    r,
                    Consent::Granted {
                        user_id: "alice".into(),
                    },
                )
                .await
        }
    };
    let a = redirect_params(&granted(&first).await);
    let b = redirect_params(&granted(&second).await);
    assert!(a.contains_key("code"));
    assert_eq!(
        b.get("error").map(String::as_str),
        Some("invalid_request_uri")
    );
    assert!(!b.contains_key("code"));
}

#[tokio::test]
async fn rfc9126_4_an_expired_or_unknown_request_uri_is_refused() {
    let (server, clock) = server();
    let uri = pushed(&server).await;
    clock.advance(60);
    let e = server
        .validate_authorization_request(&by_reference("basic-client", &uri, ""))
        .await
        .unwrap_err();
    assert_eq!(fatal_code(&e), "invalid_request_uri");
    let e = server
        .validate_authorization_request(&by_reference(
            "basic-client",
            "urn:ietf:params:oauth:request_uri:made-up",
            "",
        ))
        .await
        .unwrap_err();
    assert_eq!(fatal_code(&e), "invalid_request_uri");
}

#[tokio::test]
async fn rfc9126_4_the_client_id_must_be_the_pushing_clients() {
    let (server, _) = server();
    let uri = pushed(&server).await;
    let e = server
        .validate_authorization_request(&by_reference("post-client", &uri, ""))
        .await
        .unwrap_err();
    assert_eq!(fatal_code(&e), "invalid_request_uri");
    // Without client_id at all.
    let e = server
        .validate_authorization_request(&OAuth2Request::get(format!(
            "https://as.example/authorize?request_uri={}",
            form_urlencode(&uri)
        )))
        .await
        .unwrap_err();
    assert_eq!(fatal_code(&e), "invalid_request");
    // Neither attempt used it up.
    server
        .validate_authorization_request(&by_reference("basic-client", &uri, ""))
        .await
        .unwrap();
}

#[tokio::test]
async fn rfc9126_6_a_client_registered_to_push_may_send_only_pushed_requests() {
    let (server, _) = server();
    let mut metadata = ClientMetadata {
        redirect_uris: vec![REDIRECT.into()],
        scope: Some("profile".into()),
        require_pushed_authorization_requests: true,
        ..ClientMetadata::default()
    };
    metadata.grant_types.push("refresh_token".into());
    server
        .storage()
        .insert_client(ClientRecord::confidential("pushing", SECRET, metadata));
    let direct = authorize_request(&[
        ("response_type", "code"),
        ("client_id", "pushing"),
        ("redirect_uri", REDIRECT),
        ("state", "s"),
    ]);
    let e = server
        .validate_authorization_request(&direct)
        .await
        .unwrap_err();
    assert!(e.is_redirect());
    assert_eq!(e.error().code.as_str(), "invalid_request");
    let r = server
        .create_pushed_authorization_response(
            &OAuth2Request::post(PAR)
                .with_header("Authorization", basic("pushing", SECRET))
                .with_form([("response_type", "code"), ("redirect_uri", REDIRECT)]),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let uri = r.json_body()["request_uri"].as_str().unwrap().to_owned();
    server
        .validate_authorization_request(&by_reference("pushing", &uri, ""))
        .await
        .unwrap();
    // Other clients are not held to it.
    server
        .validate_authorization_request(&authorize_request(&[
            ("response_type", "code"),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
        ]))
        .await
        .unwrap();
}

#[tokio::test]
async fn rfc9126_5_a_server_may_require_pushed_requests_of_every_client() {
    let mut config = Config::default();
    config.par.require = true;
    let (server, _) = server_with(config);
    let e = server
        .validate_authorization_request(&authorize_request(&[
            ("response_type", "code"),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
        ]))
        .await
        .unwrap_err();
    assert_eq!(e.error().code.as_str(), "invalid_request");
    let uri = pushed(&server).await;
    server
        .validate_authorization_request(&by_reference("basic-client", &uri, ""))
        .await
        .unwrap();
    let doc = server.metadata("https://as.example", &oauth_core::Endpoints::under(""));
    assert_eq!(doc["require_pushed_authorization_requests"], true);
    assert_eq!(
        doc["pushed_authorization_request_endpoint"],
        "https://as.example/par"
    );
}

#[tokio::test]
async fn rfc9126_2_only_post_is_accepted() {
    let (server, _) = server();
    let r = server
        .create_pushed_authorization_response(&OAuth2Request::get(PAR))
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("POST"));
}

#[tokio::test]
async fn rfc9126_7_1_lifetime_is_configured_within_bounds() {
    let mut config = Config::default();
    config.par.request_uri_lifetime = 30;
    let (server, clock) = server_with(config);
    let r = push(&server, &code_request()).await;
    assert_eq!(r.json_body()["expires_in"], 30);
    let uri = r.json_body()["request_uri"].as_str().unwrap().to_owned();
    clock.advance(29);
    server
        .validate_authorization_request(&by_reference("basic-client", &uri, ""))
        .await
        .unwrap();
    for bad in [0, 601] {
        let mut config = Config::default();
        config.par.request_uri_lifetime = bad;
        assert!(config.validate().is_err(), "{bad}");
    }
}
