//! Fixtures of the RFC 8628 tests: a server with the device grant, device
//! clients, and request builders. Built on `common`.
#![allow(dead_code)]

use oauth_core::config::Device;
use std::sync::Arc;

use oauth_core::{
    ClientAuthMethod, ClientMetadata, ClientRecord, Config, DEVICE_CODE_GRANT_TYPE, ManualClock,
    OAuth2Request, OAuth2Response,
};
use serde_json::Value;

use crate::common::*;

pub const DEVICE_URI: &str = "https://as.example/device_authorization";
pub const TOKEN_URI: &str = "https://as.example/token";
pub const ISSUER: &str = "https://as.example";

/// Public, device grant and refresh tokens, with a display name.
pub const TV: &str = "tv";
/// Confidential (`client_secret_basic`), device grant only.
pub const CONSOLE: &str = "console";
/// Another public device client.
pub const OTHER_TV: &str = "other-tv";

/// The default configuration with a relative verification URI and an issuer.
pub fn device_config() -> Config {
    Config {
        issuer: Some(ISSUER.into()),
        device: Device {
            verification_uri: Some("/activate".into()),
            ..Device::default()
        },
        ..Config::default()
    }
}

pub fn device_clients() -> Vec<ClientRecord> {
    let meta = |method: ClientAuthMethod, grants: &[&str], name: &str| ClientMetadata {
        token_endpoint_auth_method: method,
        grant_types: grants.iter().map(|s| s.to_string()).collect(),
        response_types: vec![],
        scope: Some(CLIENT_SCOPE.into()),
        client_name: Some(name.into()),
        ..ClientMetadata::default()
    };
    vec![
        ClientRecord::public(
            TV,
            meta(
                ClientAuthMethod::None,
                &[DEVICE_CODE_GRANT_TYPE, "refresh_token"],
                "Living Room TV",
            ),
        ),
        ClientRecord::confidential(
            CONSOLE,
            SECRET,
            meta(
                ClientAuthMethod::ClientSecretBasic,
                &[DEVICE_CODE_GRANT_TYPE],
                "Game Console",
            ),
        ),
        ClientRecord::public(
            OTHER_TV,
            meta(
                ClientAuthMethod::None,
                &[DEVICE_CODE_GRANT_TYPE],
                "Bedroom TV",
            ),
        ),
    ]
}

/// `common::server_with(config)` plus the device grant and clients.
pub fn device_server_with(config: Config) -> (Server, Arc<ManualClock>) {
    let (server, clock) = server_with(config);
    let server = server.with_device_grant().expect("verification_uri is set");
    for c in device_clients() {
        server.storage().insert_client(c);
    }
    (server, clock)
}

pub fn device_server() -> (Server, Arc<ManualClock>) {
    device_server_with(device_config())
}

/// A device authorization request of a public client.
pub fn device_request(client_id: &str, scope: Option<&str>) -> OAuth2Request {
    let mut form = vec![("client_id", client_id)];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    post(DEVICE_URI, &form)
}

/// Runs a device authorization request and returns the §3.2 body.
pub async fn ask(server: &Server, client_id: &str, scope: Option<&str>) -> Value {
    let r = server
        .create_device_authorization_response(&device_request(client_id, scope))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

/// `(device_code, user_code)` of a §3.2 body.
pub fn codes(body: &Value) -> (String, String) {
    (
        body["device_code"]
            .as_str()
            .expect("device_code")
            .to_owned(),
        body["user_code"].as_str().expect("user_code").to_owned(),
    )
}

/// A device access token request (§3.4) of a public client.
pub fn poll_request(client_id: &str, device_code: &str) -> OAuth2Request {
    post(
        TOKEN_URI,
        &[
            ("grant_type", DEVICE_CODE_GRANT_TYPE),
            ("device_code", device_code),
            ("client_id", client_id),
        ],
    )
}

pub async fn poll(server: &Server, client_id: &str, device_code: &str) -> OAuth2Response {
    server
        .create_token_response(&poll_request(client_id, device_code))
        .await
}
