//! The OAuth 1.0a provider engine (RFC 5849), sans-IO like the OAuth 2.0
//! one: [`OAuth2Request`](crate::OAuth2Request) in,
//! [`OAuth2Response`](crate::OAuth2Response) or a typed value out.
//!
//! | module | what |
//! |---|---|
//! | [`rfc5849`] | the endpoints (§2.1, §2.2, §2.3, §3), signatures, parameters, errors |
//! | [`models`], [`storage`] | model traits, storage trait (the in-memory tables are in [`crate::memory`]) |
//! | [`server`] | [`OAuth1Server`] and [`OAuth1Config`] |
//!
//! See [`OAuth1Server`] for the whole flow in one example.
//!
//! ## Safe defaults
//!
//! Only HMAC-SHA1 is accepted until configured otherwise (as Authlib);
//! PLAINTEXT only over TLS; credential requests only over TLS; timestamps
//! more than 300 s away and reused nonces are refused; temporary
//! credentials are authorized once and exchanged once, atomically; the
//! verifier is stored as a digest and compared in constant time; callbacks
//! match registered URIs exactly.

pub mod models;
pub mod rfc5849;
pub mod server;
pub mod storage;

pub use models::{
    OAuth1Client, OAuth1ClientRecord, OAuth1TemporaryCredential, OAuth1TokenCredential,
    TemporaryCredentialRecord, TokenCredentialRecord,
};
pub use rfc5849::authorization::{OAuth1Authorization, OAuth1AuthorizationRequest};
pub use rfc5849::errors::{OAuth1Error, OAuth1ErrorCode};
pub use rfc5849::resource::OAuth1Access;
pub use rfc5849::signature::SignatureMethod;
pub use server::{
    CredentialGenerator, CredentialKind, OAuth1Config, OAuth1ConfigError, OAuth1Server,
    RandomCredentialGenerator,
};
pub use storage::{OAuth1Nonce, OAuth1Storage};
