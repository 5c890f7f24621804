//! RFC 8628, OAuth 2.0 Device Authorization Grant.
//!
//! A device with no browser or keyboard (a TV, a CLI) asks the device
//! authorization endpoint for a `device_code` and a short `user_code`
//! (§3.1–3.2), shows the user code and the verification URI, and polls the
//! token endpoint with the device code (§3.4–3.5). Meanwhile the user signs
//! in on another device, types the user code into the application's
//! verification page and approves or denies (§3.3).
//!
//! The engine provides the three parts:
//!
//! - the device authorization endpoint,
//!   [`AuthorizationServer::create_device_authorization_response`](crate::AuthorizationServer::create_device_authorization_response);
//! - the token endpoint side, with every §3.5 error, [`DeviceCodeGrant`],
//!   registered by [`AuthorizationServer::with_device_grant`](crate::AuthorizationServer::with_device_grant);
//! - what the verification page (`/activate`) calls for a signed-in user,
//!   rate-limited per user and per client address (§5.1),
//!   [`AuthorizationServer::lookup_user_code`](crate::AuthorizationServer::lookup_user_code),
//!   [`AuthorizationServer::approve_user_code`](crate::AuthorizationServer::approve_user_code) and
//!   [`AuthorizationServer::deny_user_code`](crate::AuthorizationServer::deny_user_code).
//!
//! Persistence is the [`DeviceCodeStorage`] trait; device codes and user
//! codes reach it only as SHA-256 digests, and every state change
//! (decide, poll, consume) is one atomic call.
//!
//! ```
//! use oauth_core::memory::MemoryStorage;
//! use oauth_core::{AuthorizationServer, ClientMetadata, ClientRecord, Config, ManualClock,
//!                  OAuth2Request, ScopeRequirement, DEVICE_CODE_GRANT_TYPE};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let storage = MemoryStorage::new();
//! storage.insert_client(ClientRecord::public("tv-app", ClientMetadata {
//!     grant_types: vec![DEVICE_CODE_GRANT_TYPE.into()],
//!     scope: Some("videos:watch".into()),
//!     ..ClientMetadata::default()
//! }));
//! let mut config = Config::default();
//! config.device.verification_uri = Some("https://as.example/activate".into());
//! let clock = ManualClock::new(1_700_000_000);
//! let server = AuthorizationServer::new(storage, config).unwrap()
//!     .with_clock(clock.clone())
//!     .with_device_grant()
//!     .unwrap();
//!
//! // The device asks (§3.1) and shows the user code and URI (§3.2).
//! let asked = server.create_device_authorization_response(
//!     &OAuth2Request::post("https://as.example/device_authorization")
//!         .with_form([("client_id", "tv-app"), ("scope", "videos:watch")]),
//! ).await;
//! assert_eq!(asked.status, 200);
//! let asked = asked.json_body();
//! let device_code = asked["device_code"].as_str().unwrap();
//! let user_code = asked["user_code"].as_str().unwrap(); // like "WDJB-MJHT"
//! assert_eq!(asked["verification_uri"], "https://as.example/activate");
//!
//! // It polls (§3.4) while the user has not answered yet.
//! let poll = OAuth2Request::post("https://as.example/token").with_form([
//!     ("grant_type", DEVICE_CODE_GRANT_TYPE),
//!     ("device_code", device_code),
//!     ("client_id", "tv-app"),
//! ]);
//! let pending = server.create_token_response(&poll).await;
//! assert_eq!(pending.json_body()["error"], "authorization_pending");
//!
//! // Alice, signed in on her phone, types the code, however she likes, and
//! // sees who is asking for what before she approves (§3.3, §5.4).
//! let typed = user_code.to_lowercase().replace('-', " ");
//! // The page passes her address, for the per-address guessing limit.
//! let from = Some("192.0.2.10".parse().unwrap());
//! let shown = server.lookup_user_code("alice", from, &typed).await.unwrap();
//! assert_eq!(shown.client_id, "tv-app");
//! server.approve_user_code("alice", from, &typed).await.unwrap();
//!
//! // The next poll, an interval later, gets the token.
//! clock.advance(asked["interval"].as_i64().unwrap());
//! let granted = server.create_token_response(&poll).await;
//! assert_eq!(granted.status, 200);
//! let access_token = granted.json_body()["access_token"].as_str().unwrap().to_owned();
//! let api = OAuth2Request::get("https://api.example/videos")
//!     .with_header("Authorization", format!("Bearer {access_token}"));
//! let token = server
//!     .validate_bearer(&api, &ScopeRequirement::all_of(["videos:watch"]))
//!     .await
//!     .unwrap();
//! assert_eq!(oauth_core::OAuth2Token::user_id(&token).as_deref(), Some("alice"));
//! # });
//! ```

mod endpoint;
mod grant;
mod models;
mod user_code;
mod verification;

pub use endpoint::*;
pub use grant::*;
pub use models::*;
pub use user_code::*;
pub use verification::*;

/// The grant type of the device access token request (§3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub use crate::config::DEFAULT_USER_CODE_ALPHABET;

/// How much a `slow_down` answer adds to a device code's polling interval
/// (§3.5: "MUST be increased by 5 seconds").
pub const SLOW_DOWN_INCREMENT: i64 = 5;

/// Random bytes in a device code (256 bits, like every other secret here;
/// §5.2 asks for enough entropy to make guessing impractical).
pub(crate) const DEVICE_CODE_BYTES: usize = 32;

/// How many user codes are drawn before giving up on finding a free one.
pub(crate) const USER_CODE_ATTEMPTS: usize = 8;
