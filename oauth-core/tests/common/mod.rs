//! Fixtures shared by the engine's integration tests: an in-memory server
//! with a few registered clients, a manual clock, and request builders.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oauth_core::grants::ResourceOwnerAuthenticator;
use oauth_core::memory::MemoryStorage;
use oauth_core::{
    AuthorizationServer, ClientAuthMethod, ClientMetadata, ClientRecord, Config, Consent,
    ManualClock, OAuth2Request, OAuth2Response, StorageError,
};

/// The fixed start time of every test.
pub const NOW: i64 = 1_700_000_000;
/// Where every test client is redirected.
pub const REDIRECT: &str = "https://client.example/cb";
/// Secret of every confidential test client.
pub const SECRET: &str = "s3cret";
/// RFC 7636 Appendix B verifier and its S256 challenge.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The scope every test client may have.
pub const CLIENT_SCOPE: &str = "profile email admin";

pub const ALL_GRANTS: [&str; 4] = [
    "authorization_code",
    "refresh_token",
    "password",
    "client_credentials",
];

/// Test clients:
/// - `basic-client`: confidential, `client_secret_basic`, every grant, `code` and `token`;
/// - `post-client`: confidential, `client_secret_post`, every grant, `code`;
/// - `public-client`: public (`none`), `authorization_code` + `refresh_token` + `password`, `code` and `token`;
/// - `multi-client`: confidential basic with two redirect URIs;
/// - `cc-only-client`: confidential basic, only `client_credentials`.
pub fn clients() -> Vec<ClientRecord> {
    let meta = |method: ClientAuthMethod, grants: &[&str], responses: &[&str]| ClientMetadata {
        redirect_uris: vec![REDIRECT.into()],
        token_endpoint_auth_method: method,
        grant_types: grants.iter().map(|s| s.to_string()).collect(),
        response_types: responses.iter().map(|s| s.to_string()).collect(),
        scope: Some(CLIENT_SCOPE.into()),
        client_name: Some("Test Client".into()),
        ..ClientMetadata::default()
    };
    let mut multi = meta(ClientAuthMethod::ClientSecretBasic, &ALL_GRANTS, &["code"]);
    multi
        .redirect_uris
        .push("https://client.example/other".into());
    vec![
        ClientRecord::confidential(
            "basic-client",
            SECRET,
            meta(
                ClientAuthMethod::ClientSecretBasic,
                &ALL_GRANTS,
                &["code", "token"],
            ),
        ),
        ClientRecord::confidential(
            "post-client",
            SECRET,
            meta(ClientAuthMethod::ClientSecretPost, &ALL_GRANTS, &["code"]),
        ),
        ClientRecord::public(
            "public-client",
            meta(
                ClientAuthMethod::None,
                &["authorization_code", "refresh_token", "password"],
                &["code", "token"],
            ),
        ),
        ClientRecord::confidential("multi-client", SECRET, multi),
        ClientRecord::confidential(
            "cc-only-client",
            SECRET,
            meta(
                ClientAuthMethod::ClientSecretBasic,
                &["client_credentials"],
                &[],
            ),
        ),
    ]
}

/// Accepts any username with the password `valid`; the user id is the name.
pub struct Users;

#[async_trait]
impl ResourceOwnerAuthenticator for Users {
    async fn authenticate(
        &self,
        username: &str,
        password: &str,
        _client_id: &str,
    ) -> Result<Option<String>, StorageError> {
        Ok((password == "valid").then(|| username.to_owned()))
    }
}

pub type Server = AuthorizationServer<MemoryStorage>;

/// A server with the default configuration, the test clients, the password
/// grant, and a manual clock at [`NOW`].
pub fn server() -> (Server, Arc<ManualClock>) {
    server_with(Config::default())
}

/// Like [`server`], with the given configuration.
pub fn server_with(config: Config) -> (Server, Arc<ManualClock>) {
    let storage = MemoryStorage::new();
    for c in clients() {
        storage.insert_client(c);
    }
    let clock = ManualClock::new(NOW);
    let server = AuthorizationServer::new(storage, config)
        .expect("valid config")
        .with_password_grant(Users)
        .with_clock(clock.clone());
    (server, clock)
}

/// `Authorization: Basic` value for an id and secret (form-encoded first,
/// as RFC 6749 §2.3.1 requires).
pub fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

/// A token request authenticated as `basic-client` with HTTP Basic.
pub fn token_request(form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", basic("basic-client", SECRET))
        .with_form(form.iter().copied())
}

/// An unauthenticated POST with this form.
pub fn post(uri: &str, form: &[(&str, &str)]) -> OAuth2Request {
    OAuth2Request::post(uri).with_form(form.iter().copied())
}

/// An authorization request (GET) with these query parameters.
pub fn authorize_request(params: &[(&str, &str)]) -> OAuth2Request {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    OAuth2Request::get(format!("https://as.example/authorize?{}", q.finish()))
}

/// The query or fragment parameters of a redirect response's `Location`.
pub fn redirect_params(response: &OAuth2Response) -> HashMap<String, String> {
    assert_eq!(response.status, 302, "not a redirect: {response:?}");
    let location = response.header("Location").expect("Location header");
    let part = match location.split_once('#') {
        Some((_, fragment)) => fragment,
        None => location.split_once('?').map(|(_, q)| q).unwrap_or(""),
    };
    form_urlencoded::parse(part.as_bytes())
        .into_owned()
        .collect()
}

/// Runs the authorization endpoint for `params`, granted by `alice`, and
/// returns the code from the redirect.
pub async fn obtain_code(server: &Server, params: &[(&str, &str)]) -> String {
    let response = server
        .create_authorization_response(
            &authorize_request(params),
            Consent::Granted {
                user_id: "alice".into(),
            },
        )
        .await;
    let p = redirect_params(&response);
    p.get("code")
        .unwrap_or_else(|| panic!("no code in {response:?}"))
        .clone()
}

/// A code for `basic-client` with the default redirect URI and scope `profile`.
pub async fn basic_client_code(server: &Server) -> String {
    obtain_code(
        server,
        &[
            ("response_type", "code"),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "profile"),
            ("state", "xyz"),
        ],
    )
    .await
}

/// Tokens for `basic-client` by the password grant (access + refresh).
pub async fn password_tokens(server: &Server, scope: &str) -> serde_json::Value {
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "valid"),
            ("scope", scope),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

/// Asserts an RFC 6749 §5.2 JSON error with this code and status, carrying
/// a description and the no-store headers.
pub fn assert_error(response: &OAuth2Response, status: u16, code: &str) {
    assert_eq!(response.status, status, "{response:?}");
    let body = response.json_body();
    assert_eq!(body["error"], code, "{response:?}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{response:?}"
    );
    assert_eq!(response.header("Cache-Control"), Some("no-store"));
    assert_eq!(response.header("Pragma"), Some("no-cache"));
}
