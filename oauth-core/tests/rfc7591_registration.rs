//! RFC 7591: OAuth 2.0 Dynamic Client Registration.

mod common;
use common::*;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use oauth_core::config::Scopes;
use oauth_core::memory::{MemoryStorage, StoredToken};
use oauth_core::{
    AuthorizationServer, ClientAuthMethod, ClientMetadata, ClientRecord, ClientRegistry, Config,
    ManualClock, NewAuthorizationCode, NewToken, OAuth2Request, OAuth2Response, OAuth2Storage,
    ResponseType, StorageResult, secrets,
};
use serde_json::{Value, json};

/// [`MemoryStorage`] that counts the clients it was asked to register.
#[derive(Default)]
struct CountingStorage {
    inner: MemoryStorage,
    registrations: AtomicUsize,
}

impl CountingStorage {
    fn registrations(&self) -> usize {
        self.registrations.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl ClientRegistry for CountingStorage {
    async fn register_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
    ) -> StorageResult<()> {
        self.registrations.fetch_add(1, Ordering::SeqCst);
        self.inner.register_client(client, owner).await
    }
    async fn count_clients_of(&self, owner: &str) -> StorageResult<Option<u64>> {
        self.inner.count_clients_of(owner).await
    }
}

#[async_trait]
impl OAuth2Storage for CountingStorage {
    type Client = ClientRecord;
    type Token = StoredToken;
    type AuthorizationCode = NewAuthorizationCode;

    async fn find_client(&self, client_id: &str) -> StorageResult<Option<ClientRecord>> {
        self.inner.find_client(client_id).await
    }
    async fn save_authorization_code(&self, code: NewAuthorizationCode) -> StorageResult<()> {
        self.inner.save_authorization_code(code).await
    }
    async fn take_authorization_code(
        &self,
        code_digest: &str,
    ) -> StorageResult<Option<NewAuthorizationCode>> {
        self.inner.take_authorization_code(code_digest).await
    }
    async fn save_token(&self, token: NewToken) -> StorageResult<()> {
        self.inner.save_token(token).await
    }
    async fn find_access_token(&self, access_digest: &str) -> StorageResult<Option<StoredToken>> {
        self.inner.find_access_token(access_digest).await
    }
    async fn find_refresh_token(&self, refresh_digest: &str) -> StorageResult<Option<StoredToken>> {
        self.inner.find_refresh_token(refresh_digest).await
    }
    async fn rotate_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        now: i64,
    ) -> StorageResult<bool> {
        self.inner
            .rotate_refresh_token(old_refresh_digest, new, now)
            .await
    }
    async fn revoke_access_token(&self, access_digest: &str, now: i64) -> StorageResult<()> {
        self.inner.revoke_access_token(access_digest, now).await
    }
    async fn revoke_grant(&self, grant_id: &str, now: i64) -> StorageResult<u64> {
        self.inner.revoke_grant(grant_id, now).await
    }
}

type CountingServer = AuthorizationServer<CountingStorage>;

fn counting_server(config: Config) -> CountingServer {
    AuthorizationServer::new(CountingStorage::default(), config)
        .expect("valid config")
        .with_clock(ManualClock::new(NOW))
}

/// A minimal valid registration request (a confidential code client).
const VALID: &str = r#"{"redirect_uris": ["https://client.example/cb"]}"#;

async fn register(server: &Server, body: &str) -> OAuth2Response {
    server
        .create_registration_response(
            &OAuth2Request::post("https://as.example/register"),
            body,
            None,
        )
        .await
}

/// Registers `body` and expects 201; returns the client information.
async fn register_ok(server: &Server, body: &str) -> Value {
    let r = register(server, body).await;
    assert_eq!(r.status, 201, "{body} -> {}", r.body);
    r.json_body()
}

fn str_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string \"{field}\" in {body}"))
}

/// Asserts that registering `body` on a server with `config` is a §3.2.2
/// error: 400, this `error` code, a description, not cacheable, no client
/// information, and no call to storage. A valid registration afterwards is
/// counted, so the count of zero means something.
async fn assert_rejected_with(config: Config, body: &str, code: &str) {
    let server = counting_server(config);
    let r = server
        .create_registration_response(
            &OAuth2Request::post("https://as.example/register"),
            body,
            None,
        )
        .await;
    assert_error(&r, 400, code);
    let json = r.json_body();
    assert!(json.get("client_id").is_none(), "{json}");
    assert!(json.get("client_secret").is_none(), "{json}");
    assert_eq!(
        server.storage().registrations(),
        0,
        "storage was asked to register a client for {body}"
    );

    let ok = server
        .create_registration_response(
            &OAuth2Request::post("https://as.example/register"),
            VALID,
            None,
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(server.storage().registrations(), 1);
}

async fn assert_rejected(body: &str, code: &str) {
    assert_rejected_with(Config::default(), body, code).await;
}

// §3.2.1: the client information response.

#[tokio::test]
async fn rfc7591_3_2_1_success_is_201_with_metadata_and_client_credentials() {
    let (server, _) = server();
    let request = json!({
        "redirect_uris": [REDIRECT, "https://client.example/other"],
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "client_name": "My Example Client",
        "client_uri": "https://client.example/",
        "logo_uri": "https://client.example/logo.png",
        "scope": "profile email",
        "contacts": ["admin@client.example"],
        "tos_uri": "https://client.example/tos",
        "policy_uri": "https://client.example/policy",
        "jwks_uri": "https://client.example/jwks.json",
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1"
    });
    let r = register(&server, &request.to_string()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(
        r.header("Content-Type")
            .is_some_and(|ct| ct.starts_with("application/json")),
        "{r:?}"
    );
    let body = r.json_body();
    // Every registered metadata value is returned.
    for (field, value) in request.as_object().unwrap() {
        assert_eq!(&body[field], value, "{field} not echoed in {body}");
    }
    assert!(!str_of(&body, "client_id").is_empty());
    assert!(str_of(&body, "client_secret").len() >= 32, "{body}");
    assert_eq!(body["client_id_issued_at"], NOW);
    // 0: the secret does not expire.
    assert_eq!(body["client_secret_expires_at"], 0);
}

#[tokio::test]
async fn rfc7591_3_2_1_response_is_not_cacheable() {
    let (server, _) = server();
    let r = register(&server, VALID).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert_eq!(r.header("Pragma"), Some("no-cache"));
}

#[tokio::test]
async fn rfc7591_3_2_1_client_id_issued_at_is_the_server_clock() {
    let (server, clock) = server();
    clock.advance(4_242);
    let body = register_ok(&server, VALID).await;
    assert_eq!(body["client_id_issued_at"], NOW + 4_242);
    let stored = server
        .storage()
        .find_client(str_of(&body, "client_id"))
        .await
        .unwrap()
        .expect("client stored");
    assert_eq!(stored.client_id_issued_at, NOW + 4_242);
    assert_eq!(stored.client_secret_expires_at, 0);
}

#[tokio::test]
async fn rfc7591_3_2_1_registered_client_gets_a_token_with_http_basic() {
    let (server, _) = server();
    let body = register_ok(
        &server,
        r#"{"grant_types": ["client_credentials"], "response_types": [], "scope": "profile"}"#,
    )
    .await;
    let id = str_of(&body, "client_id");
    let secret = str_of(&body, "client_secret");

    let token = |authorization: String| {
        OAuth2Request::post("https://as.example/token")
            .with_header("Authorization", authorization)
            .with_form([("grant_type", "client_credentials"), ("scope", "profile")])
    };
    let r = server
        .create_token_response(&token(basic(id, secret)))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let issued = r.json_body();
    assert!(!str_of(&issued, "access_token").is_empty());
    assert_eq!(issued["token_type"], "Bearer");
    assert_eq!(issued["scope"], "profile");
    let stored = server.storage().tokens();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token.client_id, id);

    // The secret really is checked.
    let wrong = server
        .create_token_response(&token(basic(id, &format!("{secret}x"))))
        .await;
    assert_error(&wrong, 401, "invalid_client");
    assert_eq!(server.storage().token_count(), 1);
}

#[tokio::test]
async fn rfc7591_3_2_1_registered_client_is_accepted_at_the_authorization_endpoint() {
    let (server, _) = server();
    let body = register_ok(
        &server,
        r#"{"redirect_uris": ["https://app.example/callback"], "scope": "profile email"}"#,
    )
    .await;
    let id = str_of(&body, "client_id");
    let request = server
        .validate_authorization_request(&authorize_request(&[
            ("response_type", "code"),
            ("client_id", id),
            ("redirect_uri", "https://app.example/callback"),
            ("scope", "email"),
            ("state", "s1"),
        ]))
        .await
        .unwrap_or_else(|e| panic!("registered client refused: {e:?}"));
    assert_eq!(request.client.client_id, id);
    assert_eq!(request.response_type, ResponseType::code());
    assert_eq!(request.redirect_uri, "https://app.example/callback");
    assert_eq!(request.scope.to_string(), "email");
    assert_eq!(request.state.as_deref(), Some("s1"));

    // A redirect URI it did not register is still refused.
    let other = server
        .validate_authorization_request(&authorize_request(&[
            ("response_type", "code"),
            ("client_id", id),
            ("redirect_uri", REDIRECT),
        ]))
        .await;
    assert!(other.is_err(), "{other:?}");
}

#[tokio::test]
async fn rfc7591_3_2_1_client_secret_is_stored_only_as_a_digest() {
    let (server, _) = server();
    let body = register_ok(&server, VALID).await;
    let secret = str_of(&body, "client_secret");
    let stored = server
        .storage()
        .find_client(str_of(&body, "client_id"))
        .await
        .unwrap()
        .expect("client stored");
    assert_eq!(
        stored.client_secret_digest.as_deref(),
        Some(secrets::digest(secret).as_str())
    );
    let serialized = serde_json::to_string(&stored).unwrap();
    assert!(
        !serialized.contains(secret),
        "the raw secret is in storage: {serialized}"
    );
}

#[tokio::test]
async fn rfc7591_2_public_client_gets_no_client_secret() {
    let (server, _) = server();
    let body = register_ok(
        &server,
        r#"{"redirect_uris": ["https://client.example/cb"], "token_endpoint_auth_method": "none"}"#,
    )
    .await;
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert!(body.get("client_secret").is_none(), "{body}");
    let stored = server
        .storage()
        .find_client(str_of(&body, "client_id"))
        .await
        .unwrap()
        .expect("client stored");
    assert_eq!(stored.client_secret_digest, None);
    assert_eq!(
        stored.metadata.token_endpoint_auth_method,
        ClientAuthMethod::None
    );
}

#[tokio::test]
async fn rfc7591_2_omitted_metadata_takes_the_defaults() {
    let (server, _) = server();
    let body = register_ok(&server, VALID).await;
    assert_eq!(body["grant_types"], json!(["authorization_code"]));
    assert_eq!(body["response_types"], json!(["code"]));
    assert_eq!(body["token_endpoint_auth_method"], "client_secret_basic");
    let stored = server
        .storage()
        .find_client(str_of(&body, "client_id"))
        .await
        .unwrap()
        .expect("client stored");
    assert_eq!(stored.metadata.grant_types, ["authorization_code"]);
    assert_eq!(stored.metadata.response_types, ["code"]);
    assert_eq!(
        stored.metadata.token_endpoint_auth_method,
        ClientAuthMethod::ClientSecretBasic
    );
    // client_secret_basic: a secret is issued.
    assert!(stored.client_secret_digest.is_some());
}

#[tokio::test]
async fn rfc7591_2_unknown_metadata_is_ignored() {
    let (server, _) = server();
    let body = register_ok(
        &server,
        r#"{"redirect_uris": ["https://client.example/cb"], "frobnication_level": 11}"#,
    )
    .await;
    assert!(body.get("frobnication_level").is_none(), "{body}");
}

#[tokio::test]
async fn rfc7591_2_duplicate_grant_types_are_removed() {
    let (server, _) = server();
    let body = register_ok(
        &server,
        r#"{"grant_types": ["client_credentials", "refresh_token", "client_credentials",
            "refresh_token", "client_credentials"], "response_types": []}"#,
    )
    .await;
    assert_eq!(
        body["grant_types"],
        json!(["client_credentials", "refresh_token"])
    );
    let stored = server
        .storage()
        .find_client(str_of(&body, "client_id"))
        .await
        .unwrap()
        .expect("client stored");
    assert_eq!(
        stored.metadata.grant_types,
        ["client_credentials", "refresh_token"]
    );
}

#[tokio::test]
async fn rfc7591_2_implicit_client_is_registered_only_when_implicit_is_on() {
    let body = r#"{"redirect_uris": ["https://client.example/cb"],
        "grant_types": ["implicit"], "response_types": ["token"]}"#;
    let (server, _) = server();
    let info = register_ok(&server, body).await;
    assert_eq!(info["response_types"], json!(["token"]));

    let off = Config {
        implicit_grant: false,
        ..Config::default()
    };
    assert_rejected_with(off, body, "invalid_client_metadata").await;
}

#[tokio::test]
async fn rfc7591_3_2_1_client_ids_are_unique() {
    let (server, _) = server();
    let mut ids = HashSet::new();
    let mut issued_secrets = HashSet::new();
    for _ in 0..100 {
        let registration = server
            .register_client(
                ClientMetadata {
                    redirect_uris: vec![REDIRECT.into()],
                    ..ClientMetadata::default()
                },
                None,
            )
            .await
            .expect("registered");
        assert!(ids.insert(registration.record.client_id.clone()));
        assert!(issued_secrets.insert(registration.client_secret.expect("a secret").into_secret()));
    }
    assert_eq!(ids.len(), 100);
    // None of them replaced a fixture client or one another.
    for id in &ids {
        assert!(server.storage().find_client(id).await.unwrap().is_some());
    }
    for fixture in clients() {
        assert!(!ids.contains(&fixture.client_id));
    }
}

// §3.2.2: errors, invalid_redirect_uri.

#[tokio::test]
async fn rfc7591_3_2_2_fragment_in_redirect_uri_is_invalid_redirect_uri() {
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb#frag"]}"#,
        "invalid_redirect_uri",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_relative_redirect_uri_is_invalid_redirect_uri() {
    assert_rejected(r#"{"redirect_uris": ["/cb"]}"#, "invalid_redirect_uri").await;
    assert_rejected(
        r#"{"redirect_uris": ["//client.example/cb"]}"#,
        "invalid_redirect_uri",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_http_redirect_uri_to_non_loopback_host_is_invalid_redirect_uri() {
    assert_rejected(
        r#"{"redirect_uris": ["http://client.example/cb"]}"#,
        "invalid_redirect_uri",
    )
    .await;
    // One bad URI among good ones is enough.
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb", "http://client.example/cb"]}"#,
        "invalid_redirect_uri",
    )
    .await;
}

#[tokio::test]
async fn rfc8252_7_3_http_redirect_uri_is_allowed_to_loopback_only() {
    let (server, _) = server();
    for uri in [
        "http://127.0.0.1:8080/cb",
        "http://localhost/cb",
        "http://[::1]/cb",
    ] {
        register_ok(&server, &json!({ "redirect_uris": [uri] }).to_string()).await;
    }
    // Plain HTTP to this server (local development) is not plain HTTP for
    // codes on their way to any host.
    let insecure = Config {
        insecure_transport: true,
        ..Config::default()
    };
    assert_rejected_with(
        insecure.clone(),
        r#"{"redirect_uris": ["http://client.example/cb"]}"#,
        "invalid_redirect_uri",
    )
    .await;
    // Only the setting of its own admits them.
    let (allowed, _) = server_with(Config {
        allow_http_redirect_uris: true,
        ..insecure
    });
    register_ok(
        &allowed,
        r#"{"redirect_uris": ["http://client.example/cb"]}"#,
    )
    .await;
}

/// RFC 7591 §5: metadata is shown to users, so a name that reads backwards
/// (U+202E) or hides a control character is refused; and no value or list
/// is unbounded (a 500 KB name, 20,000 redirect URIs).
#[tokio::test]
async fn rfc7591_5_metadata_without_control_or_bidi_characters_and_within_limits() {
    let code = "invalid_client_metadata";
    let with_name = |name: &str| {
        json!({ "redirect_uris": ["https://client.example/cb"], "client_name": name }).to_string()
    };
    assert_rejected(&with_name("Photos \u{202e}gnp.exe"), code).await;
    assert_rejected(&with_name("Photos\u{0}"), code).await;
    assert_rejected(&with_name("Photos\u{2066}x\u{2069}"), code).await;
    assert_rejected(&with_name(&"x".repeat(500_000)), code).await;
    let many: Vec<String> = (0..20_000)
        .map(|i| format!("https://client.example/cb{i}"))
        .collect();
    assert_rejected(&json!({ "redirect_uris": many }).to_string(), code).await;
    let long_uri = format!("https://client.example/{}", "a".repeat(3_000));
    assert_rejected(&json!({ "redirect_uris": [long_uri] }).to_string(), code).await;
    let contacts: Vec<String> = (0..50).map(|i| format!("ops{i}@client.example")).collect();
    assert_rejected(
        &json!({ "redirect_uris": ["https://client.example/cb"], "contacts": contacts })
            .to_string(),
        code,
    )
    .await;
    // Names in any script are fine.
    let (server, _) = server();
    register_ok(&server, &with_name("Фото · 写真 · صور")).await;
}

#[tokio::test]
async fn rfc7591_3_2_2_userinfo_in_redirect_uri_is_invalid_redirect_uri() {
    assert_rejected(
        r#"{"redirect_uris": ["https://user:pass@client.example/cb"]}"#,
        "invalid_redirect_uri",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_missing_redirect_uris_for_authorization_code_is_invalid_redirect_uri() {
    assert_rejected("{}", "invalid_redirect_uri").await;
    assert_rejected(
        r#"{"redirect_uris": [], "grant_types": ["authorization_code"]}"#,
        "invalid_redirect_uri",
    )
    .await;
    assert_rejected(
        r#"{"grant_types": ["implicit"], "response_types": ["token"]}"#,
        "invalid_redirect_uri",
    )
    .await;
}

// §3.2.2: errors, invalid_client_metadata.

#[tokio::test]
async fn rfc7591_3_2_2_body_that_is_not_json_is_invalid_client_metadata() {
    assert_rejected(
        "redirect_uris=https://client.example/cb",
        "invalid_client_metadata",
    )
    .await;
    assert_rejected("", "invalid_client_metadata").await;
}

#[tokio::test]
async fn rfc7591_3_2_2_json_that_is_not_an_object_is_invalid_client_metadata() {
    // §3.1: the metadata are the top-level members of a JSON object.
    // (An array of the metadata in field order must not register a client.)
    assert_rejected(
        r#"[["https://client.example/cb"]]"#,
        "invalid_client_metadata",
    )
    .await;
    assert_rejected("[]", "invalid_client_metadata").await;
    assert_rejected("null", "invalid_client_metadata").await;
    assert_rejected(r#""https://client.example/cb""#, "invalid_client_metadata").await;
}

#[tokio::test]
async fn rfc7591_3_2_2_unknown_token_endpoint_auth_method_is_invalid_client_metadata() {
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb"],
            "token_endpoint_auth_method": "private_key_magic"}"#,
        "invalid_client_metadata",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_unknown_grant_type_is_invalid_client_metadata() {
    assert_rejected(
        r#"{"grant_types": ["urn:example:unknown"], "response_types": []}"#,
        "invalid_client_metadata",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_grant_type_the_server_does_not_serve_is_invalid_client_metadata() {
    // The bare server has no password grant (no authenticator was given).
    assert_rejected(
        r#"{"grant_types": ["password"], "response_types": []}"#,
        "invalid_client_metadata",
    )
    .await;
    // The fixture server has it.
    let (server, _) = server();
    register_ok(
        &server,
        r#"{"grant_types": ["password"], "response_types": []}"#,
    )
    .await;
}

#[tokio::test]
async fn rfc7591_2_1_response_type_without_its_grant_type_is_invalid_client_metadata() {
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb"],
            "grant_types": ["client_credentials"], "response_types": ["code"]}"#,
        "invalid_client_metadata",
    )
    .await;
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb"],
            "grant_types": ["authorization_code"], "response_types": ["code", "token"]}"#,
        "invalid_client_metadata",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_2_1_grant_type_without_its_response_type_is_invalid_client_metadata() {
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb"],
            "grant_types": ["authorization_code"], "response_types": []}"#,
        "invalid_client_metadata",
    )
    .await;
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb"],
            "grant_types": ["authorization_code", "implicit"], "response_types": ["code"]}"#,
        "invalid_client_metadata",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_scope_not_supported_by_the_server_is_invalid_client_metadata() {
    let config = || Config {
        scopes: Scopes {
            supported: Some(vec!["profile".into(), "email".into()]),
            ..Scopes::default()
        },
        ..Config::default()
    };
    assert_rejected_with(
        config(),
        r#"{"redirect_uris": ["https://client.example/cb"], "scope": "profile admin"}"#,
        "invalid_client_metadata",
    )
    .await;
    // The supported part alone is fine.
    let (server, _) = server_with(config());
    let body = register_ok(
        &server,
        r#"{"redirect_uris": ["https://client.example/cb"], "scope": "email profile"}"#,
    )
    .await;
    assert_eq!(body["scope"], "email profile");
}

#[tokio::test]
async fn rfc7591_3_2_2_public_client_asking_for_client_credentials_is_invalid_client_metadata() {
    assert_rejected(
        r#"{"token_endpoint_auth_method": "none",
            "grant_types": ["client_credentials"], "response_types": []}"#,
        "invalid_client_metadata",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_scope_with_invalid_characters_is_invalid_client_metadata() {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb"], "scope": "profile em\\ail"}"#,
        "invalid_client_metadata",
    )
    .await;
    assert_rejected(
        r#"{"redirect_uris": ["https://client.example/cb"], "scope": "profile \"email\""}"#,
        "invalid_client_metadata",
    )
    .await;
}

#[tokio::test]
async fn rfc7591_3_2_2_error_stores_no_client() {
    let server = counting_server(Config::default());
    let bad = r#"{"redirect_uris": ["https://client.example/cb#frag"]}"#;
    let r = server
        .create_registration_response(
            &OAuth2Request::post("https://as.example/register"),
            bad,
            None,
        )
        .await;
    assert_error(&r, 400, "invalid_redirect_uri");
    assert_eq!(server.storage().registrations(), 0);
    // The direct API refuses before storage too.
    let err = server
        .register_client(
            ClientMetadata {
                grant_types: vec!["client_credentials".into()],
                response_types: vec![],
                token_endpoint_auth_method: ClientAuthMethod::None,
                ..ClientMetadata::default()
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_client_metadata");
    assert_eq!(server.storage().registrations(), 0);

    let r = server
        .create_registration_response(
            &OAuth2Request::post("https://as.example/register"),
            VALID,
            None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(server.storage().registrations(), 1);
    let id = str_of(&r.json_body(), "client_id").to_owned();
    assert!(server.storage().find_client(&id).await.unwrap().is_some());
}

/// RFC 7591 §5 leaves abuse to the server: one owner may register at most
/// `limits.clients_per_owner` clients (100 by default). Past it, 403
/// `access_denied`, nothing stored; other owners and registrations
/// without an owner are not affected; 0 turns the cap off.
#[tokio::test]
async fn rfc7591_5_registrations_per_owner_are_capped() {
    assert_eq!(Config::default().limits.clients_per_owner, 100);
    let mut config = Config::default();
    config.limits.clients_per_owner = 2;
    let server = counting_server(config);
    let register = OAuth2Request::post("https://as.example/register");
    let owned = |owner: &'static str| {
        server.create_registration_response(&register, VALID, Some(owner.into()))
    };
    assert_eq!(owned("alice").await.status, 201);
    assert_eq!(owned("alice").await.status, 201);
    let refused = owned("alice").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.json_body()["error"], "access_denied");
    assert_eq!(server.storage().registrations(), 2, "nothing stored");
    assert_eq!(owned("bob").await.status, 201);
    assert_eq!(
        server
            .create_registration_response(
                &OAuth2Request::post("https://as.example/register"),
                VALID,
                None
            )
            .await
            .status,
        201
    );

    let mut config = Config::default();
    config.limits.clients_per_owner = 0;
    let uncapped = counting_server(config);
    for _ in 0..5 {
        let r = uncapped
            .create_registration_response(
                &OAuth2Request::post("https://as.example/register"),
                VALID,
                Some("alice".into()),
            )
            .await;
        assert_eq!(r.status, 201);
    }
}
