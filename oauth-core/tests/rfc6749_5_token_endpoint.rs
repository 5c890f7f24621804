//! RFC 6749 §3.2 and §5: the token endpoint, its successful response (§5.1)
//! and its error response (§5.2).

mod common;
use common::*;

use std::collections::HashMap;

use oauth_core::config::{Lifetimes, Scopes};
use oauth_core::{
    Config, Method, OAuth2Request, OAuth2Response, ScopeRequirement, TokenContext, secrets,
};

const TOKEN_URI: &str = "https://as.example/token";

fn cc(scope: &str) -> OAuth2Request {
    token_request(&[("grant_type", "client_credentials"), ("scope", scope)])
}

fn assert_no_store(r: &OAuth2Response) {
    assert_eq!(r.header("Cache-Control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("Pragma"), Some("no-cache"), "{r:?}");
}

fn bearer(token: &str) -> OAuth2Request {
    OAuth2Request::get("https://api.example/r")
        .with_header("Authorization", format!("Bearer {token}"))
}

#[tokio::test]
async fn rfc6749_5_1_successful_response_shape_and_headers() {
    // §5.1: "The parameters are included in the entity-body of the HTTP
    // response using the "application/json" media type [...] The
    // authorization server MUST include the HTTP "Cache-Control" response
    // header field with a value of "no-store" in any response containing
    // tokens, credentials, or other sensitive information, as well as the
    // "Pragma" response header field with a value of "no-cache"."
    let (server, _) = server();
    let r = server.create_token_response(&cc("profile email")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ct = r.header("Content-Type").expect("Content-Type");
    assert!(
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")),
        "{ct}"
    );
    assert_no_store(&r);
    let body = r.json_body();
    let obj = body.as_object().expect("a JSON object");
    assert!(obj["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 864_000);
    assert_eq!(body["scope"], "profile email");
    for key in obj.keys() {
        assert!(
            ["access_token", "token_type", "expires_in", "scope"].contains(&key.as_str()),
            "unexpected member {key}"
        );
    }
    // The token is the one just stored, and works at a resource.
    let token = server
        .validate_bearer(
            &bearer(body["access_token"].as_str().unwrap()),
            &ScopeRequirement::all_of(["profile", "email"]),
        )
        .await
        .expect("the issued token validates");
    assert_eq!(oauth_core::OAuth2Token::client_id(&token), "basic-client");
}

#[tokio::test]
async fn rfc6749_5_1_expires_in_follows_the_grant_defaults() {
    // Config defaults: authorization_code, password and client_credentials
    // 864000; everything else (refresh_token) default_expires_in 3600.
    let (server, _) = server();

    let code = basic_client_code(&server).await;
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["expires_in"], 864_000);

    let r = server.create_token_response(&cc("profile")).await;
    assert_eq!(r.json_body()["expires_in"], 864_000);

    let tokens = password_tokens(&server, "profile").await;
    assert_eq!(tokens["expires_in"], 864_000);

    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["expires_in"], 3_600);

    // The stored lifetime is the one announced.
    for t in server.storage().tokens() {
        assert!([864_000, 3_600].contains(&t.token.expires_in));
    }
}

#[tokio::test]
async fn rfc6749_5_1_expires_in_is_taken_from_config() {
    let mut expires_in = HashMap::new();
    expires_in.insert("client_credentials".to_owned(), 120);
    let (server, clock) = server_with(Config {
        lifetimes: Lifetimes {
            access_token_by_grant: expires_in,
            access_token: 77,
            ..Lifetimes::default()
        },
        ..Config::default()
    });
    let r = server.create_token_response(&cc("profile")).await;
    assert_eq!(r.json_body()["expires_in"], 120);
    // password is no longer listed: it falls back to default_expires_in.
    let tokens = password_tokens(&server, "profile").await;
    assert_eq!(tokens["expires_in"], 77);

    // And the token really expires then.
    let access = r.json_body()["access_token"].as_str().unwrap().to_owned();
    clock.advance(119);
    assert!(
        server
            .validate_bearer(&bearer(&access), &ScopeRequirement::None)
            .await
            .is_ok()
    );
    clock.advance(1);
    assert!(
        server
            .validate_bearer(&bearer(&access), &ScopeRequirement::None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn rfc6749_3_2_get_is_405_with_allow_post() {
    // §3.2: "The client MUST use the HTTP "POST" method when making access
    // token requests."
    let (server, _) = server();
    let q = "grant_type=client_credentials&client_id=post-client&client_secret=s3cret";
    let r = server
        .create_token_response(&OAuth2Request::get(format!("{TOKEN_URI}?{q}")))
        .await;
    assert_eq!(r.status, 405, "{r:?}");
    assert_eq!(r.header("Allow"), Some("POST"));
    assert_no_store(&r);

    // Any other method too, even with a valid form body.
    let mut put = cc("profile");
    put.method = Method::parse("PUT");
    let r = server.create_token_response(&put).await;
    assert_eq!(r.status, 405, "{r:?}");
    assert_eq!(r.header("Allow"), Some("POST"));
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_3_2_token_endpoint_requires_tls() {
    // §3.2: "the authorization server MUST require the use of TLS [...] when
    // sending requests to the token endpoint."
    let (server, _) = server();
    let plain = OAuth2Request::post("http://as.example/token")
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form([("grant_type", "client_credentials")]);
    let r = server.create_token_response(&plain).await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);

    // An adapter behind a TLS-terminating proxy marks the request secure.
    let r = server
        .create_token_response(&plain.clone().with_secure(true))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn rfc6749_3_2_insecure_transport_config_allows_plain_http() {
    let (server, _) = server_with(Config {
        insecure_transport: true,
        ..Config::default()
    });
    let plain = OAuth2Request::post("http://localhost:8000/token")
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form([("grant_type", "client_credentials")]);
    let r = server.create_token_response(&plain).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_5_2_missing_grant_type_is_invalid_request() {
    let (server, _) = server();
    let r = server
        .create_token_response(&token_request(&[("scope", "profile")]))
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_2_unknown_grant_type_is_unsupported_grant_type() {
    // §5.2 unsupported_grant_type: "The authorization grant type is not
    // supported by the authorization server."
    let (server, _) = server();
    for grant_type in ["urn:example:nope", "implicit", "CLIENT_CREDENTIALS"] {
        let r = server
            .create_token_response(&token_request(&[("grant_type", grant_type)]))
            .await;
        assert_error(&r, 400, "unsupported_grant_type");
    }
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_2_client_not_registered_for_grant_is_unauthorized_client() {
    // §5.2 unauthorized_client: "The authenticated client is not authorized
    // to use this authorization grant type."
    let (server, _) = server();
    let r = server
        .create_token_response(
            &OAuth2Request::post(TOKEN_URI)
                .with_header("Authorization", basic("cc-only-client", SECRET))
                .with_form([
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", "valid"),
                ]),
        )
        .await;
    assert_error(&r, 400, "unauthorized_client");
    assert_eq!(server.storage().token_count(), 0);

    // The same client may use the grant it is registered for.
    let r = server
        .create_token_response(
            &OAuth2Request::post(TOKEN_URI)
                .with_header("Authorization", basic("cc-only-client", SECRET))
                .with_form([("grant_type", "client_credentials")]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn rfc6749_3_2_duplicated_grant_type_is_invalid_request() {
    // §3.2: "Request and response parameters MUST NOT be included more than
    // once."
    let (server, _) = server();
    for form in [
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
        ][..],
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "password"),
        ][..],
    ] {
        let r = server.create_token_response(&token_request(form)).await;
        assert_error(&r, 400, "invalid_request");
    }
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_3_2_duplicated_scope_is_invalid_request() {
    let (server, _) = server();
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "profile"),
            ("scope", "email"),
        ]))
        .await;
    assert_error(&r, 400, "invalid_request");

    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "valid"),
            ("scope", "profile"),
            ("scope", "profile"),
        ]))
        .await;
    assert_error(&r, 400, "invalid_request");

    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("username", "bob"),
            ("password", "valid"),
        ]))
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_3_2_empty_valued_parameter_is_treated_as_omitted() {
    // §3.2: "Parameters sent without a value MUST be treated as if they were
    // omitted from the request."
    let (server, _) = server_with(Config {
        scopes: Scopes {
            default: vec!["email".into()],
            ..Scopes::default()
        },
        ..Config::default()
    });
    // scope= is no scope: the default applies, not an empty scope.
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", ""),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["scope"], "email");

    // grant_type= is a missing grant_type.
    let r = server
        .create_token_response(&token_request(&[("grant_type", "")]))
        .await;
    assert_error(&r, 400, "invalid_request");

    // An empty extra parameter is ignored.
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "client_credentials"),
            ("username", ""),
            ("scope", "profile"),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["scope"], "profile");
    assert_eq!(server.storage().token_count(), 2);
}

#[tokio::test]
async fn rfc6749_3_2_unrecognized_parameters_are_ignored() {
    // §3.2: "The authorization server MUST ignore unrecognized request
    // parameters."
    let (server, _) = server();
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "client_credentials"),
            ("scope", "profile"),
            ("x_extension", "1"),
            ("x_extension", "2"),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn rfc6749_5_2_error_uri_from_config_is_sent() {
    // §5.2 error_uri: "A URI identifying a human-readable web page with
    // information about the error".
    let mut error_uris = HashMap::new();
    error_uris.insert(
        "unsupported_grant_type".to_owned(),
        "https://as.example/errors/grant".to_owned(),
    );
    let (server, _) = server_with(Config {
        error_uris,
        ..Config::default()
    });
    let r = server
        .create_token_response(&token_request(&[("grant_type", "urn:nope")]))
        .await;
    assert_error(&r, 400, "unsupported_grant_type");
    assert_eq!(
        r.json_body()["error_uri"],
        "https://as.example/errors/grant"
    );

    // Codes without a configured URI carry none.
    let r = server.create_token_response(&token_request(&[])).await;
    assert_error(&r, 400, "invalid_request");
    assert!(r.json_body().get("error_uri").is_none(), "{}", r.body);
}

#[tokio::test]
async fn rfc6749_5_2_every_error_code_is_json_with_description_and_no_store() {
    // §5.2: "The authorization server responds with an HTTP 400 (Bad
    // Request) status code (unless specified otherwise)", the parameters in
    // an application/json body; Cache-Control no-store like §5.1.
    let (server, _) = server();
    let plain_basic = |id: &str, form: &[(&str, &str)]| {
        OAuth2Request::post(TOKEN_URI)
            .with_header("Authorization", basic(id, SECRET))
            .with_form(form.iter().copied())
    };
    let cases: Vec<(OAuth2Request, u16, &str)> = vec![
        (
            token_request(&[("scope", "profile")]),
            400,
            "invalid_request",
        ),
        (
            OAuth2Request::post(TOKEN_URI)
                .with_header("Authorization", basic("basic-client", "nope"))
                .with_form([("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        ),
        (
            token_request(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "wrong"),
            ]),
            400,
            "invalid_grant",
        ),
        (
            plain_basic(
                "cc-only-client",
                &[("grant_type", "refresh_token"), ("refresh_token", "x")],
            ),
            400,
            "unauthorized_client",
        ),
        (
            token_request(&[("grant_type", "urn:unknown")]),
            400,
            "unsupported_grant_type",
        ),
        (
            token_request(&[
                ("grant_type", "client_credentials"),
                ("scope", "nothing-allowed"),
            ]),
            400,
            "invalid_scope",
        ),
    ];
    for (request, status, code) in &cases {
        let r = server.create_token_response(request).await;
        assert_error(&r, *status, code);
        assert!(
            r.header("Content-Type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{r:?}"
        );
        let body = r.json_body();
        // error_description: ASCII %x20-21 / %x23-5B / %x5D-7E only.
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .bytes()
                .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
            "{r:?}"
        );
        assert!(body.get("access_token").is_none());
    }
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_1_custom_access_token_generator_is_used() {
    let (server, _) = server();
    let server = server.with_access_token_generator(|ctx: &TokenContext| {
        format!("custom.{}.{}", ctx.grant_type, ctx.client_id)
    });
    let r = server.create_token_response(&cc("profile")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let access = r.json_body()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(access, "custom.client_credentials.basic-client");
    assert_eq!(
        server.storage().tokens()[0].token.access_token_digest,
        secrets::digest(&access)
    );
    assert!(
        server
            .validate_bearer(&bearer(&access), &ScopeRequirement::all_of(["profile"]))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn tokens_are_stored_only_as_digests() {
    let (server, _) = server();
    let tokens = password_tokens(&server, "profile").await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let stored = server.storage().tokens();
    assert_eq!(stored.len(), 1);
    let record = &stored[0].token;
    assert_eq!(record.access_token_digest, secrets::digest(access));
    assert_eq!(
        record.refresh_token_digest.as_deref(),
        Some(secrets::digest(refresh).as_str())
    );
    let dump = serde_json::to_string(record).unwrap();
    assert!(!dump.contains(access), "raw access token stored: {dump}");
    assert!(!dump.contains(refresh), "raw refresh token stored: {dump}");
}

#[tokio::test]
async fn rfc6749_5_2_grant_removed_with_without_grant_is_unsupported() {
    let (server, _) = server();
    let server = server.without_grant("client_credentials");
    assert!(!server.grant_types().contains(&"client_credentials"));
    let r = server.create_token_response(&cc("profile")).await;
    assert_error(&r, 400, "unsupported_grant_type");
    assert_eq!(server.storage().token_count(), 0);
    // Other grants are unaffected.
    password_tokens(&server, "profile").await;
    assert_eq!(server.storage().token_count(), 1);
}
