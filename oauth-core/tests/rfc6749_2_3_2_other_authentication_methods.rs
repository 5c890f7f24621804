//! RFC 6749 §2.3.2 ("other authentication methods"): a client
//! authentication method written outside the crate, as a site would, and
//! registered beside the built-in ones. Here a site's `x_client_key`
//! method: an `X-Client-Key: <client_id>.<key>` header, checked against
//! keys the site keeps.

mod common;

use std::collections::HashMap;

use async_trait::async_trait;
use common::*;
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth2::rfc6749::client_auth::ClientAuthentication;
use oauth_core::{
    AuthorizationServer, ClientAuthMethod, ClientMetadata, ClientRecord, Config, Endpoints,
    OAuth2Client, OAuth2Error, OAuth2Request,
};

const METHOD: &str = "x_client_key";

struct ClientKey {
    keys: HashMap<String, String>,
}

#[async_trait]
impl ClientAuthentication<MemoryStorage> for ClientKey {
    fn method(&self) -> ClientAuthMethod {
        ClientAuthMethod::named(METHOD)
    }

    fn claimed_client_id(&self, request: &OAuth2Request) -> Result<Option<String>, OAuth2Error> {
        let Some(value) = request.header("x-client-key") else {
            return Ok(None);
        };
        let (id, _) = value
            .split_once('.')
            .ok_or_else(|| OAuth2Error::invalid_client("malformed X-Client-Key"))?;
        Ok(Some(id.to_owned()))
    }

    async fn verify(
        &self,
        _server: &AuthorizationServer<MemoryStorage>,
        client: &ClientRecord,
        request: &OAuth2Request,
    ) -> Result<(), OAuth2Error> {
        let presented = request
            .header("x-client-key")
            .and_then(|v| v.split_once('.'))
            .map(|(_, key)| key);
        match (presented, self.keys.get(client.client_id())) {
            (Some(p), Some(k))
                if oauth_core::secrets::constant_time_eq(p.as_bytes(), k.as_bytes()) =>
            {
                Ok(())
            }
            _ => Err(OAuth2Error::invalid_client("client authentication failed")),
        }
    }
}

fn keyed_client() -> ClientRecord {
    ClientRecord {
        client_id: "kiosk".into(),
        client_secret_digest: None,
        client_id_issued_at: 0,
        client_secret_expires_at: 0,
        metadata: ClientMetadata {
            token_endpoint_auth_method: ClientAuthMethod::named(METHOD),
            grant_types: vec!["client_credentials".into()],
            response_types: vec![],
            scope: Some("profile".into()),
            ..ClientMetadata::default()
        },
        client_secret_sealed: None,
    }
}

fn keyed_server() -> AuthorizationServer<MemoryStorage> {
    let storage = MemoryStorage::new();
    storage.insert_client(keyed_client());
    for c in clients() {
        storage.insert_client(c);
    }
    let keys = HashMap::from([("kiosk".to_string(), "k3y".to_string())]);
    AuthorizationServer::new(storage, Config::default())
        .unwrap()
        .with_client_authentication(ClientKey { keys })
}

fn cc(header: Option<&str>) -> OAuth2Request {
    let r = OAuth2Request::post("https://as.example/token")
        .with_form([("grant_type", "client_credentials")]);
    match header {
        Some(h) => r.with_header("X-Client-Key", h),
        None => r,
    }
}

#[tokio::test]
async fn rfc6749_2_3_2_registered_method_authenticates_at_the_token_endpoint() {
    let server = keyed_server();
    let ok = server.create_token_response(&cc(Some("kiosk.k3y"))).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.json_body()["access_token"].is_string());

    // The same method at introspection, which authenticates clients too:
    // it refuses no confidential client here, so the key is accepted.
    let token = ok.json_body()["access_token"].as_str().unwrap().to_owned();
    let introspect = server
        .create_introspection_response(
            &OAuth2Request::post("https://as.example/introspect")
                .with_header("X-Client-Key", "kiosk.k3y")
                .with_form([("token", token.as_str())]),
        )
        .await;
    assert_eq!(introspect.status, 200, "{}", introspect.body);
    assert_eq!(introspect.json_body()["active"], true);
}

#[tokio::test]
async fn rfc6749_2_3_2_wrong_credentials_of_a_registered_method_are_invalid_client() {
    let server = keyed_server();
    for header in ["kiosk.wrong", "kiosk.", "nobody.k3y"] {
        let r = server.create_token_response(&cc(Some(header))).await;
        assert_error(&r, 400, "invalid_client");
    }
    let r = server.create_token_response(&cc(Some("no-dot"))).await;
    assert_error(&r, 400, "invalid_client");
}

#[tokio::test]
async fn rfc6749_2_3_a_client_uses_only_its_registered_method() {
    let server = keyed_server();
    // The keyed client may not fall back to a built-in method ...
    let r = server
        .create_token_response(
            &cc(None).with_form([("grant_type", "client_credentials"), ("client_id", "kiosk")]),
        )
        .await;
    assert_error(&r, 400, "invalid_client");
    // ... and a Basic client may not use the key method.
    let r = server
        .create_token_response(&cc(Some("basic-client.k3y")))
        .await;
    assert_error(&r, 400, "invalid_client");
    // One method per request (§2.3): the key and Basic together.
    let r = server
        .create_token_response(
            &cc(Some("kiosk.k3y")).with_header("Authorization", basic("basic-client", SECRET)),
        )
        .await;
    assert_error(&r, 400, "invalid_request");
}

#[tokio::test]
async fn rfc8414_and_rfc7591_know_the_registered_method() {
    let server = keyed_server();
    let doc = server.metadata("https://as.example", &Endpoints::under("/oauth"));
    let methods = doc["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.iter().any(|m| m == METHOD), "{doc}");
    assert!(methods.iter().any(|m| m == "client_secret_basic"), "{doc}");

    // Registration accepts it here, and refuses it where it is not registered.
    assert!(
        server
            .validate_client_metadata(keyed_client().metadata)
            .is_ok()
    );
    let (plain, _) = server_with(Config::default());
    let e = plain
        .validate_client_metadata(keyed_client().metadata)
        .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_client_metadata");
    let doc = plain.metadata("https://as.example", &Endpoints::under("/oauth"));
    let methods = doc["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(!methods.iter().any(|m| m == METHOD), "{doc}");
}
