//! # oauth-diesel
//!
//! Diesel storage for the `oauth-core` engine, on SQLite (the default,
//! bundled: no system library needed), PostgreSQL and MySQL, chosen at run
//! time by URL.
//!
//! - Derive the models onto your own Diesel structs with
//!   [`OAuth2Client`](derive@OAuth2Client), [`OAuth2Token`](derive@OAuth2Token)
//!   and [`OAuth2AuthorizationCode`](derive@OAuth2AuthorizationCode), or use
//!   the ready-made [`models`] over the standard [`schema`].
//! - [`DieselStorage`] implements `OAuth2Storage` for them over a
//!   [`DbPool`]; queries run on Tokio's blocking threads.
//! - Your user struct may derive [`OAuth2User`](derive@OAuth2User): the
//!   storage then reads a token's user together with the token
//!   (`UserStorage`, one SQLite read transaction), for the
//!   `RequireOAuthUser` guard of `oauth_core::rocket`.
//! - [`migrations`] embeds the standard tables for each backend.
//! - OAuth 1.0a (RFC 5849) the same way: [`OAuth1Client`](derive@OAuth1Client),
//!   [`OAuth1TemporaryCredential`](derive@OAuth1TemporaryCredential) and
//!   [`OAuth1TokenCredential`](derive@OAuth1TokenCredential) (roles named
//!   with `#[oauth1(role)]`), [`DieselOAuth1Storage`] implementing
//!   `OAuth1Storage`, [`StandardOAuth1Storage`] over the standard `oauth1_*`
//!   tables; see [`oauth1`]. With the `redis` feature,
//!   `oauth1::redis::RedisOAuth1Storage` keeps temporary credentials and
//!   nonces in Redis.
//!
//! ## The structs you write
//!
//! Fields are found by name (Authlib's column names); any other field may
//! be there too, and `#[oauth2(role)]` gives a differently named field a
//! role. Derive Diesel's `Queryable` and `Selectable` as well.
//!
//! ```
//! use diesel::prelude::*;
//! use oauth_diesel::{OAuth2AuthorizationCode, OAuth2Client, OAuth2Token};
//!
//! diesel::table! {
//!     clients (id) {
//!         id -> Integer,
//!         owner -> Nullable<Integer>,
//!         client_id -> Text,
//!         client_secret -> Nullable<Text>,
//!         client_metadata -> Text,
//!         created_at -> BigInt,
//!     }
//! }
//!
//! #[derive(Queryable, Selectable, OAuth2Client)]
//! #[diesel(table_name = clients)]
//! pub struct Client {
//!     pub id: i32,
//!     #[oauth2(user_id)]
//!     pub owner: Option<i32>,
//!     pub client_id: String,
//!     pub client_secret: Option<String>,
//!     pub client_metadata: String,
//!     #[oauth2(client_id_issued_at)]
//!     pub created_at: i64,
//! }
//!
//! diesel::table! {
//!     tokens (id) {
//!         id -> Integer,
//!         user_id -> Nullable<Integer>,
//!         client_id -> Text,
//!         token_type -> Text,
//!         access_token -> Text,
//!         refresh_token -> Nullable<Text>,
//!         scope -> Text,
//!         issued_at -> BigInt,
//!         expires_in -> BigInt,
//!         access_token_revoked_at -> Nullable<BigInt>,
//!         refresh_token_revoked_at -> Nullable<BigInt>,
//!         family -> Text,
//!     }
//! }
//!
//! #[derive(Queryable, Selectable, OAuth2Token)]
//! #[diesel(table_name = tokens)]
//! pub struct Token {
//!     pub id: i32,
//!     pub user_id: Option<i32>,
//!     pub client_id: String,
//!     pub token_type: String,
//!     pub access_token: String,
//!     pub refresh_token: Option<String>,
//!     pub scope: String,
//!     pub issued_at: i64,
//!     pub expires_in: i64,
//!     pub access_token_revoked_at: Option<i64>,
//!     pub refresh_token_revoked_at: Option<i64>,
//!     #[oauth2(grant_id)]
//!     pub family: String,
//! }
//!
//! diesel::table! {
//!     codes (id) {
//!         id -> Integer,
//!         user_id -> Integer,
//!         code -> Text,
//!         client_id -> Text,
//!         redirect_uri -> Nullable<Text>,
//!         response_type -> Text,
//!         scope -> Text,
//!         auth_time -> BigInt,
//!         code_challenge -> Nullable<Text>,
//!         code_challenge_method -> Nullable<Text>,
//!     }
//! }
//!
//! #[derive(Queryable, Selectable, OAuth2AuthorizationCode)]
//! #[diesel(table_name = codes)]
//! pub struct AuthorizationCode {
//!     pub id: i32,
//!     pub user_id: i32,
//!     pub code: String,
//!     pub client_id: String,
//!     pub redirect_uri: Option<String>,
//!     pub response_type: String,
//!     pub scope: String,
//!     pub auth_time: i64,
//!     pub code_challenge: Option<String>,
//!     pub code_challenge_method: Option<String>,
//! }
//!
//! type Storage = oauth_diesel::DieselStorage<Client, Token, AuthorizationCode>;
//! ```
//!
//! ## Time columns
//!
//! The models above keep their instants (`issued_at`, `auth_time`,
//! `client_id_issued_at`, revocations, ...) as integer Unix seconds
//! (`BigInt` or `Integer`). With the `chrono` feature, any instant may be
//! a `TIMESTAMP` instead, read as `chrono::NaiveDateTime` (taken as UTC) or
//! `chrono::DateTime<Utc>` (PostgreSQL's `TIMESTAMPTZ`, and SQLite; Diesel
//! maps no MySQL type to it, so with the `mysql` feature use
//! `NaiveDateTime`). Lifetimes (`expires_in`) and intervals stay integer
//! seconds. Types may be mixed within a model; no query adds seconds to a
//! timestamp in SQL, so each backend's timestamp type works as it is.
//!
//! ```
//! # #[cfg(feature = "chrono")]
//! # mod with_chrono {
//! use diesel::prelude::*;
//! use oauth_diesel::OAuth2Token;
//! use oauth_diesel::chrono::NaiveDateTime;
//!
//! diesel::table! {
//!     tokens (id) {
//!         id -> Integer,
//!         user_id -> Nullable<Integer>,
//!         client_id -> Text,
//!         token_type -> Text,
//!         access_token -> Text,
//!         refresh_token -> Nullable<Text>,
//!         scope -> Text,
//!         created_at -> Timestamp,
//!         expires_in -> Integer,
//!         access_token_revoked_at -> Nullable<Timestamp>,
//!         refresh_token_revoked_at -> Nullable<Timestamp>,
//!         grant_id -> Text,
//!     }
//! }
//!
//! #[derive(Queryable, Selectable, OAuth2Token)]
//! #[diesel(table_name = tokens)]
//! pub struct Token {
//!     pub id: i32,
//!     pub user_id: Option<i32>,
//!     pub client_id: String,
//!     pub token_type: String,
//!     pub access_token: String,
//!     pub refresh_token: Option<String>,
//!     pub scope: String,
//!     #[oauth2(issued_at)]
//!     pub created_at: NaiveDateTime,
//!     pub expires_in: i32,
//!     pub access_token_revoked_at: Option<NaiveDateTime>,
//!     pub refresh_token_revoked_at: Option<NaiveDateTime>,
//!     pub grant_id: String,
//! }
//! # }
//! ```
//!
//! ## Running on the standard tables
//!
//! ```
//! use oauth_core::{AuthorizationServer, ClientMetadata, ClientRecord, Config, OAuth2Request};
//! use oauth_diesel::StandardStorage;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("oauth-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let url = format!("sqlite://{}", dir.join("oauth.db").display());
//! let storage = StandardStorage::connect_and_migrate(&url).unwrap();
//! storage
//!     .insert_client(
//!         ClientRecord::confidential("svc", "s3cret", ClientMetadata {
//!             grant_types: vec!["client_credentials".into()],
//!             ..ClientMetadata::default()
//!         }),
//!         None,
//!     )
//!     .await
//!     .unwrap();
//! let server = AuthorizationServer::new(storage, Config::default()).unwrap();
//! let response = server
//!     .create_token_response(
//!         &OAuth2Request::post("https://as.example/token")
//!             .with_form([("grant_type", "client_credentials"),
//!                         ("client_id", "svc"), ("client_secret", "s3cret")]),
//!     )
//!     .await;
//! // svc registered client_secret_basic (the default), not client_secret_post:
//! assert_eq!(response.json_body()["error"], "invalid_client");
//! # std::fs::remove_dir_all(&dir).ok();
//! # });
//! ```

#![warn(missing_docs)]

// The derives name this crate by its path; this makes that work inside it.
extern crate self as oauth_diesel;

#[allow(missing_docs)] // the MultiConnection derive generates undocumented items
pub mod connection;
pub mod glue;
mod group_commit;
mod loaded;
pub mod migrations;
pub mod models;
pub mod oauth1;
pub mod pool;
pub mod queries;
#[allow(missing_docs)] // column structs generated by diesel::table!
pub mod schema;
pub mod storage;

pub use connection::{AnyConnection, Backend, establish, redact_password};
pub use glue::{
    DieselAuthorizationCode, DieselClient, DieselDeviceCode, DieselGrant, DieselOAuth1Client,
    DieselSigningKey, DieselTemporaryCredential, DieselToken, DieselTokenCredential, DieselUser,
};
pub use loaded::LoadedClient;
#[cfg(feature = "redis")]
pub use oauth1::redis::RedisOAuth1Storage;
pub use oauth1::{DieselOAuth1Storage, OAuth1Cleanup, StandardOAuth1Storage};
pub use pool::{DbPool, PoolOptions, server_pool_size};
pub use storage::{Cleanup, DieselStorage, StandardStorage};

pub use oauth_core::consent::OAuth2Grant;
pub use oauth_core::oauth1::{OAuth1Client, OAuth1TemporaryCredential, OAuth1TokenCredential};
/// The model traits, each beside the derive of the same name.
pub use oauth_core::oauth2::rfc8628::OAuth2DeviceCode;
pub use oauth_core::{OAuth2AuthorizationCode, OAuth2Client, OAuth2Token};
pub use oauth_derive::{OAuth1Client, OAuth1TemporaryCredential, OAuth1TokenCredential};
pub use oauth_derive::{
    OAuth2AuthorizationCode, OAuth2Client, OAuth2DeviceCode, OAuth2Grant, OAuth2SigningKey,
    OAuth2Token, OAuth2User,
};

/// The chrono of the `chrono` feature, for timestamp fields of the models.
#[cfg(feature = "chrono")]
pub use chrono;
pub use oauth_core;
/// The Redis client the OAuth 1.0a Redis storage is built on, to make its
/// connection with ([`RedisOAuth1Storage::new`]).
#[cfg(feature = "redis")]
pub use redis;

#[doc(hidden)]
pub mod __private {
    pub use crate::connection::AnyConnection;
    pub use crate::glue::*;
    pub use crate::on_backend;
    pub use crate::{
        oauth1_client, oauth1_temporary_credential, oauth1_token_credential,
        oauth2_authorization_code, oauth2_client, oauth2_device_code, oauth2_grant,
        oauth2_signing_key, oauth2_token, oauth2_user,
    };
    pub use diesel;
    pub use oauth_core;
    pub use serde_json;
}
