//! RFC 6749 §2.3: client authentication at the token endpoint
//! (`client_secret_basic`, `client_secret_post`, `none`), and the §5.2
//! rules for reporting `invalid_client`.

mod common;
use common::*;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oauth_core::{ClientAuthMethod, ClientMetadata, ClientRecord, Config, OAuth2Request};

const TOKEN_URI: &str = "https://as.example/token";

/// A client-credentials request with this `Authorization` header.
fn with_authorization(value: &str, form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post(TOKEN_URI)
        .with_header("Authorization", value)
        .with_form(form.iter().copied())
}

fn cc_form() -> [(&'static str, &'static str); 2] {
    [("grant_type", "client_credentials"), ("scope", "profile")]
}

/// Asserts a 401 `invalid_client` carrying a Basic challenge with `realm`.
fn assert_401_basic_challenge(response: &oauth_core::OAuth2Response, realm: &str) {
    assert_error(response, 401, "invalid_client");
    let challenge = response
        .header("WWW-Authenticate")
        .unwrap_or_else(|| panic!("no WWW-Authenticate: {response:?}"));
    assert_eq!(challenge, format!("Basic realm=\"{realm}\""));
}

#[tokio::test]
async fn rfc6749_2_3_1_client_secret_basic_succeeds() {
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(
            &basic("basic-client", SECRET),
            &cc_form(),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["token_type"], "Bearer");
    let tokens = server.storage().tokens();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].token.client_id, "basic-client");
}

#[tokio::test]
async fn rfc6749_2_3_1_client_secret_post_succeeds() {
    let (server, _) = server();
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(server.storage().tokens()[0].token.client_id, "post-client");
}

#[tokio::test]
async fn rfc6749_2_3_1_basic_id_and_secret_are_form_urlencoded() {
    // §2.3.1: "The client identifier is encoded using the
    // "application/x-www-form-urlencoded" encoding algorithm per Appendix B,
    // and the encoded value is used as the username; the client password is
    // encoded using the same algorithm and used as the password."
    let (server, _) = server();
    let id = "my app:1%+é";
    let secret = "p:a ss%word+ü€";
    server.storage().insert_client(ClientRecord::confidential(
        id,
        secret,
        ClientMetadata {
            grant_types: vec!["client_credentials".into()],
            scope: Some("profile".into()),
            ..ClientMetadata::default()
        },
    ));
    let r = server
        .create_token_response(&with_authorization(&basic(id, secret), &cc_form()))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tokens = server.storage().tokens();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].token.client_id, id);

    // The decoded secret is compared exactly: the same secret, not
    // form-encoded, is a different secret ("+" decodes to a space).
    let raw = format!(
        "Basic {}",
        STANDARD.encode(format!("my%20app%3A1%25%2B%C3%A9:{secret}"))
    );
    let r = server
        .create_token_response(&with_authorization(&raw, &cc_form()))
        .await;
    assert_401_basic_challenge(&r, "OAuth2");
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_5_2_wrong_secret_under_basic_is_401_with_challenge() {
    // §5.2 invalid_client: "If the client attempted to authenticate via the
    // "Authorization" request header field, the authorization server MUST
    // respond with an HTTP 401 (Unauthorized) status code and include the
    // "WWW-Authenticate" response header field matching the authentication
    // scheme used by the client."
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(
            &basic("basic-client", "wrong"),
            &cc_form(),
        ))
        .await;
    assert_401_basic_challenge(&r, "OAuth2");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_2_basic_challenge_uses_configured_realm() {
    let (server, _) = server_with(Config {
        realm: Some("tokens".into()),
        ..Config::default()
    });
    let r = server
        .create_token_response(&with_authorization(
            &basic("basic-client", "wrong"),
            &cc_form(),
        ))
        .await;
    assert_401_basic_challenge(&r, "tokens");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_2_unknown_client_under_basic_is_401_with_challenge() {
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(&basic("nobody", SECRET), &cc_form()))
        .await;
    assert_401_basic_challenge(&r, "OAuth2");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_2_invalid_client_without_basic_is_400_without_challenge() {
    // client_secret_post with a wrong secret: no Authorization header was
    // used, so the 401 + challenge rule does not apply.
    let (server, _) = server();
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "post-client"),
                ("client_secret", "wrong"),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
    assert_eq!(r.header("WWW-Authenticate"), None);
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_5_2_invalid_client_under_other_authorization_scheme_is_401() {
    // §5.2: the 401 rule applies whenever the client "attempted to
    // authenticate via the "Authorization" request header field", whatever
    // the scheme; the challenge is then not a 400 without WWW-Authenticate.
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(
            "Digest username=\"basic-client\", response=\"x\"",
            &cc_form(),
        ))
        .await;
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(r.json_body()["error"], "invalid_client");
    assert!(r.header("WWW-Authenticate").is_some(), "{r:?}");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_2_3_basic_client_using_client_secret_post_is_invalid_client() {
    // §2.3: "The client MUST NOT use more than one authentication method in
    // each request"; a client uses the method it registered.
    let (server, _) = server();
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "basic-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_2_3_post_client_using_basic_is_invalid_client() {
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(
            &basic("post-client", SECRET),
            &cc_form(),
        ))
        .await;
    assert_401_basic_challenge(&r, "OAuth2");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_2_3_confidential_client_sending_only_client_id_is_invalid_client() {
    // §3.2.1: "Confidential clients or other clients issued client
    // credentials MUST authenticate with the authorization server".
    let (server, _) = server();
    for id in ["basic-client", "post-client"] {
        let r = server
            .create_token_response(&post(
                TOKEN_URI,
                &[("grant_type", "client_credentials"), ("client_id", id)],
            ))
            .await;
        assert_error(&r, 400, "invalid_client");
    }
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_2_3_public_client_sending_a_secret_is_invalid_client() {
    let (server, _) = server();
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "valid"),
                ("client_id", "public-client"),
                ("client_secret", "anything"),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
    let r = server
        .create_token_response(&with_authorization(
            &basic("public-client", "anything"),
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "valid"),
            ],
        ))
        .await;
    assert_401_basic_challenge(&r, "OAuth2");
    assert_eq!(server.storage().token_count(), 0);

    // The same request with client_id alone is how it authenticates.
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "valid"),
                ("client_id", "public-client"),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn rfc6749_2_3_basic_and_body_secret_together_is_invalid_request() {
    // §2.3: "The client MUST NOT use more than one authentication method in
    // each request."
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(
            &basic("basic-client", SECRET),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "basic-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_2_3_1_basic_with_matching_client_id_in_body_is_accepted() {
    // client_id in the body is not a second authentication method.
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(
            &basic("basic-client", SECRET),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "basic-client"),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_3_2_empty_client_secret_with_basic_is_treated_as_omitted() {
    // §3.2: "Parameters sent without a value MUST be treated as if they were
    // omitted from the request." An empty client_secret is no second
    // authentication method.
    let (server, _) = server();
    let r = server
        .create_token_response(&with_authorization(
            &basic("basic-client", SECRET),
            &[("grant_type", "client_credentials"), ("client_secret", "")],
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_2_3_1_client_secret_in_query_is_invalid_request() {
    // §2.3.1: "The parameters can only be transmitted in the request-body
    // and MUST NOT be included in the request URI."
    let (server, _) = server();
    let r = server
        .create_token_response(
            &OAuth2Request::post(format!("{TOKEN_URI}?client_secret={SECRET}")).with_form([
                ("grant_type", "client_credentials"),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ]),
        )
        .await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_3_2_1_no_credentials_at_all_is_invalid_client() {
    let (server, _) = server();
    let r = server
        .create_token_response(&post(TOKEN_URI, &[("grant_type", "client_credentials")]))
        .await;
    assert_error(&r, 400, "invalid_client");
    assert_eq!(r.header("WWW-Authenticate"), None);
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_2_3_1_malformed_basic_header_is_401_invalid_client() {
    let (server, _) = server();
    let cases = [
        "Basic".to_owned(),
        "Basic ".to_owned(),
        "Basic !!!not-base64!!!".to_owned(),
        // no ":" separator
        format!("Basic {}", STANDARD.encode("basic-client")),
        // empty client id
        format!("Basic {}", STANDARD.encode(format!(":{SECRET}"))),
        // not UTF-8 once decoded
        format!("Basic {}", STANDARD.encode(b"basic-client:\xff\xfe")),
        // invalid UTF-8 inside a percent-encoding
        format!("Basic {}", STANDARD.encode("basic-client:%FF")),
    ];
    for header in &cases {
        let r = server
            .create_token_response(&with_authorization(header, &cc_form()))
            .await;
        assert_error(&r, 401, "invalid_client");
        assert!(
            r.header("WWW-Authenticate")
                .is_some_and(|c| c.starts_with("Basic ")),
            "{header}: {r:?}"
        );
    }
    assert_eq!(server.storage().token_count(), 0);
}

#[tokio::test]
async fn rfc6749_2_3_expired_client_secret_is_invalid_client() {
    // RFC 7591 §3.2.1 client_secret_expires_at: "Time at which the client
    // secret will expire or 0 if it will not expire."
    let (server, clock) = server();
    let mut client = ClientRecord::confidential(
        "expiring-client",
        SECRET,
        ClientMetadata {
            grant_types: vec!["client_credentials".into()],
            scope: Some("profile".into()),
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            ..ClientMetadata::default()
        },
    );
    client.client_secret_expires_at = NOW + 60;
    server.storage().insert_client(client);
    let request = with_authorization(&basic("expiring-client", SECRET), &cc_form());

    // Still valid before the expiry.
    let r = server.create_token_response(&request).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(server.storage().token_count(), 1);

    clock.advance(61);
    let r = server.create_token_response(&request).await;
    assert_401_basic_challenge(&r, "OAuth2");
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc6749_2_3_secret_expired_before_now_is_invalid_client_under_post() {
    let (server, _) = server();
    let mut client = ClientRecord::confidential(
        "expired-post-client",
        SECRET,
        ClientMetadata {
            grant_types: vec!["client_credentials".into()],
            scope: Some("profile".into()),
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretPost,
            ..ClientMetadata::default()
        },
    );
    client.client_secret_expires_at = NOW - 1;
    server.storage().insert_client(client);
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "expired-post-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_error(&r, 400, "invalid_client");
    assert_eq!(server.storage().token_count(), 0);
}
