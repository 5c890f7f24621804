//! # oauth-core
//!
//! The protocol engine of an OAuth 2.0 provider: every rule of RFC 6749
//! (the framework), RFC 6750 (bearer tokens), RFC 7009 (revocation),
//! RFC 7636 (PKCE) and RFC 7662 (introspection), with no web framework and
//! no database in it.
//!
//! The engine is sans-IO. An adapter (Rocket, or your own) copies an HTTP
//! request into an [`OAuth2Request`] and sends back the [`OAuth2Response`]
//! the engine returns; persistence is behind the [`OAuth2Storage`] trait,
//! and what the engine knows of clients, tokens and codes is behind the
//! model traits [`OAuth2Client`], [`OAuth2Token`] and
//! [`OAuth2AuthorizationCode`].
//!
//! ## The engine on its own
//!
//! In-memory storage, one confidential client, the client credentials
//! grant, and the token used at a protected resource:
//!
//! ```
//! use oauth_core::memory::MemoryStorage;
//! use oauth_core::{AuthorizationServer, ClientMetadata, ClientRecord, Config,
//!                  OAuth2Request, ScopeRequirement};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let storage = MemoryStorage::new();
//! storage.insert_client(ClientRecord::confidential(
//!     "reporting",
//!     "s3cret",
//!     ClientMetadata {
//!         grant_types: vec!["client_credentials".into()],
//!         scope: Some("reports:read reports:write".into()),
//!         ..ClientMetadata::default()
//!     },
//! ));
//! let server = AuthorizationServer::new(storage, Config::default()).unwrap();
//!
//! // POST /token, client_secret_basic ("reporting:s3cret").
//! let request = OAuth2Request::post("https://auth.example/token")
//!     .with_header("Authorization", "Basic cmVwb3J0aW5nOnMzY3JldA==")
//!     .with_form([("grant_type", "client_credentials"), ("scope", "reports:read")]);
//! let response = server.create_token_response(&request).await;
//! assert_eq!(response.status, 200);
//! assert_eq!(response.header("Cache-Control"), Some("no-store"));
//! let body = response.json_body();
//! assert_eq!(body["token_type"], "Bearer");
//! assert_eq!(body["expires_in"], 864000);
//! assert_eq!(body["scope"], "reports:read");
//! let access_token = body["access_token"].as_str().unwrap();
//!
//! // GET /reports with the token; the resource requires `reports:read`.
//! let api = OAuth2Request::get("https://api.example/reports")
//!     .with_header("Authorization", format!("Bearer {access_token}"));
//! let token = server
//!     .validate_bearer(&api, &ScopeRequirement::all_of(["reports:read"]))
//!     .await
//!     .unwrap();
//! assert_eq!(oauth_core::OAuth2Token::client_id(&token), "reporting");
//!
//! // Asking for more than the token holds is 403 insufficient_scope.
//! let refused = server
//!     .validate_bearer(&api, &ScopeRequirement::all_of(["reports:write"]))
//!     .await
//!     .unwrap_err();
//! assert_eq!(refused.status(), 403);
//! # });
//! ```
//!
//! ## Where things are
//!
//! | module | what |
//! |---|---|
//! | [`oauth2::rfc6749`] | client authentication, authorization endpoint, token endpoint, grants |
//! | [`oauth2::rfc6750`] | bearer tokens at protected resources |
//! | [`oauth2::rfc7009`] | revocation |
//! | [`oauth2::rfc7636`] | PKCE |
//! | [`oauth2::rfc7662`] | introspection |
//! | [`oauth2::rfc7523`] | JWT client authentication: `private_key_jwt`, `client_secret_jwt` |
//! | [`oauth2::rfc7591`] | dynamic client registration |
//! | [`oauth2::rfc7592`] | dynamic client registration management |
//! | [`oauth2::rfc8414`] | server metadata |
//! | [`oauth2::rfc8628`] | device authorization grant: endpoint, polling, user codes |
//! | [`oauth2::rfc9101`], [`oauth2::rfc9126`] | signed request objects, pushed authorization requests |
//! | [`oauth2::rfc9449`] | DPoP: sender-constrained tokens, server nonces |
//! | [`oauth2::rfc9728`] | protected resource metadata |
//! | [`oauth2::fapi2`] | the FAPI 2.0 Security Profile switch |
//! | [`jose`] | JWS signing and verification, JWK and JWK Set (RFC 7515, 7517, 7518) |
//! | [`oauth1`] | OAuth 1.0a provider (RFC 5849): [`oauth1::OAuth1Server`], its models and storage |
//! | [`models`], [`storage`], [`memory`] | model traits, storage trait, in-memory storage |
//! | [`config`], [`secrets`], [`scope`](mod@scope), [`http`], [`error`] | the parts they share |
//!
//! ## Safe defaults
//!
//! Tokens, refresh tokens and codes reach storage only as SHA-256 digests;
//! codes are taken exactly once, and a replayed code revokes what it issued;
//! refresh tokens rotate, and a rotated-out one revokes its whole grant;
//! PKCE `S256` is required of public clients and `plain` is off; redirect
//! URIs match exactly; secrets compare in constant time; TLS is required
//! unless [`Config::insecure_transport`] is on.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod consent;
pub mod error;
pub mod events;
pub mod http;
pub mod jose;
pub mod memory;
pub mod models;
pub mod oauth1;
pub mod oauth2;
pub mod oidc;
pub mod resource_server;
#[cfg(feature = "rocket")]
pub mod rocket;
pub mod scope;
pub mod secrets;
pub mod storage;

pub use config::Config;
pub use error::{Challenge, ErrorCode, OAuth2Error, StorageError};
pub use http::{Method, OAuth2Request, OAuth2Response, Params};
pub use models::{
    Authentication, ClientAuthMethod, ClientMetadata, ClientRecord, NewAuthorizationCode, NewToken,
    OAuth2AuthorizationCode, OAuth2Client, OAuth2Token,
};
pub use oauth2::rfc6749::authorization::{
    AuthorizationError, AuthorizationRequest, Consent, Login,
};
pub use oauth2::rfc6749::authorization_hooks::{AuthorizationHook, Extensions};
pub use oauth2::rfc6749::grants;
pub use oauth2::rfc6749::response_types::{
    CodeResponse, ResponseMode, ResponseType, ResponseTypeHandler, TokenResponse,
};
pub use oauth2::rfc6749::token_hooks::TokenHook;
pub use oauth2::rfc6750::BearerError;
pub use oauth2::rfc7591::{ClientRegistry, Registration, SecretUpdate};
pub use oauth2::rfc8414::Endpoints;
pub use oauth2::rfc8628::{
    DEVICE_CODE_GRANT_TYPE, DeviceAuthorizationResponse, DeviceCodeGrant, DeviceCodeStatus,
    DeviceCodeStorage, DeviceDecision, DevicePoll, NewDeviceCode, OAuth2DeviceCode,
    PendingDeviceAuthorization, UserCodeError, UserCodeFailures,
};
pub use oauth2::server::{
    AuthorizationServer, Clock, ConfigError, ManualClock, RandomTokenGenerator, SystemClock,
    TokenContext, TokenGenerator, TokenSpec, new_grant_id,
};
pub use scope::{Scope, ScopeRequirement};
pub use storage::{
    ClientAuthFailures, OAuth2Storage, PasswordFailures, PushedRequest, StorageResult, UsedJti,
    UserStorage,
};
