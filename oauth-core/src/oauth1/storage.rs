//! What the OAuth 1.0a engine needs from persistence.
//!
//! As for OAuth 2.0, every step that must happen once is one storage call
//! that the implementation makes atomic: authorizing a temporary credential
//! (a conditional update), exchanging it (a delete that reports whether it
//! deleted), recording a nonce (an insert under a unique key). There is no
//! "find, then update" pair for two processes to interleave.

use async_trait::async_trait;

use crate::oauth1::models::{
    OAuth1Client, OAuth1TemporaryCredential, OAuth1TokenCredential, TemporaryCredentialRecord,
    TokenCredentialRecord,
};
use crate::storage::StorageResult;

/// A nonce to record (§3.3): unique per client, timestamp and token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth1Nonce {
    /// The client (`oauth_consumer_key`).
    pub client_id: String,
    /// `oauth_timestamp`.
    pub timestamp: i64,
    /// `oauth_nonce` (at most 255 bytes; the engine refuses longer ones).
    pub nonce: String,
    /// `oauth_token`, or `""` when the request had none (temporary
    /// credential requests). Empty rather than NULL so that a SQL unique
    /// index covers it: NULLs never collide.
    pub oauth_token: String,
    /// After this time (Unix seconds) the engine refuses the timestamp
    /// anyway, so storage may forget the nonce.
    pub expires_at: i64,
}

/// Persistence for the OAuth 1.0a engine.
///
/// Credentials are looked up by their `oauth_token` value; their secrets
/// are kept in clear (they are HMAC keys, see [`crate::oauth1::models`]).
#[async_trait]
pub trait OAuth1Storage: Send + Sync + 'static {
    /// The client model.
    type Client: OAuth1Client;
    /// The temporary credential model.
    type TemporaryCredential: OAuth1TemporaryCredential;
    /// The token credential model.
    type TokenCredential: OAuth1TokenCredential;

    /// The client with this identifier (`oauth_consumer_key`). Named apart
    /// from [`OAuth2Storage::find_client`](crate::OAuth2Storage::find_client)
    /// so one type can implement both traits without ambiguous calls.
    async fn find_oauth1_client(&self, client_id: &str) -> StorageResult<Option<Self::Client>>;

    /// Persists a new temporary credential (not yet authorized).
    async fn save_temporary_credential(
        &self,
        credential: TemporaryCredentialRecord,
    ) -> StorageResult<()>;

    /// The temporary credential with this `oauth_token` (authorized or not,
    /// expired or not: the engine checks).
    async fn find_temporary_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<Self::TemporaryCredential>>;

    /// Records the resource owner's approval, atomically and once: if the
    /// credential exists, is not yet authorized and has not expired at
    /// `now`, set `user_id` and `verifier_digest` and return `true`;
    /// otherwise change nothing and return `false`. Of concurrent calls for
    /// one token, at most one returns `true` (in SQL: `UPDATE ... WHERE
    /// oauth_token = ? AND verifier_digest IS NULL AND expires_at > ?`,
    /// owning it when one row was affected).
    async fn authorize_temporary_credential(
        &self,
        oauth_token: &str,
        user_id: &str,
        verifier_digest: &str,
        now: i64,
    ) -> StorageResult<bool>;

    /// Removes the temporary credential with this `oauth_token` and returns
    /// it, atomically: of concurrent calls for one token, at most one
    /// returns `Some` (in SQL: read it, `DELETE`, and own it only when the
    /// delete affected the row).
    async fn take_temporary_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<Self::TemporaryCredential>>;

    /// Persists a newly issued token credential.
    async fn save_token_credential(&self, credential: TokenCredentialRecord) -> StorageResult<()>;

    /// The token credential with this `oauth_token`. Revoking one is
    /// deleting it (or not returning it here).
    async fn find_token_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<Self::TokenCredential>>;

    /// Records a nonce, exactly once: `true` if the (client, timestamp,
    /// nonce, token) combination was new and is now recorded, `false` if it
    /// was seen before. Of concurrent calls with one combination, at most
    /// one returns `true` (in SQL: an insert under a unique index, a
    /// unique violation meaning `false`). Nonces whose `expires_at` is
    /// before `now` may be deleted.
    async fn record_nonce(&self, nonce: &OAuth1Nonce, now: i64) -> StorageResult<bool>;
}
