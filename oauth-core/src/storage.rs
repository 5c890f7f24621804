//! What the engine needs from persistence.
//!
//! Every method that consumes something (an authorization code, a refresh
//! token) is a single call that must be atomic in the implementation: there
//! is no "find, then delete" pair to get wrong, so two concurrent redemptions
//! cannot both succeed. Secrets arrive and are looked up as SHA-256 digests
//! ([`crate::secrets::digest`]); storage never sees a raw token or code.

use async_trait::async_trait;

use crate::error::StorageError;
pub use crate::oauth2::rfc9126::PushedRequest;

use crate::models::{
    NewAuthorizationCode, NewToken, OAuth2AuthorizationCode, OAuth2Client, OAuth2Token,
};

/// The result type of storage calls.
pub type StorageResult<T> = Result<T, StorageError>;

/// Persistence for the OAuth 2.0 engine.
#[async_trait]
pub trait OAuth2Storage: Send + Sync + 'static {
    /// The client model.
    type Client: OAuth2Client;
    /// The token model.
    type Token: OAuth2Token;
    /// The authorization code model.
    type AuthorizationCode: OAuth2AuthorizationCode;

    /// What the storage keeps its data in (`"SQLite"`, `"memory"`, ...),
    /// for the line the Rocket fairing logs at launch.
    fn backend(&self) -> &str {
        "custom"
    }

    /// The client with this `client_id`.
    async fn find_client(&self, client_id: &str) -> StorageResult<Option<Self::Client>>;

    /// Persists a new authorization code.
    async fn save_authorization_code(&self, code: NewAuthorizationCode) -> StorageResult<()>;

    /// Removes the code with this digest and returns it, atomically: of any
    /// number of concurrent calls with one digest, at most one returns
    /// `Some`. Expired codes may be returned; the engine checks expiry.
    async fn take_authorization_code(
        &self,
        code_digest: &str,
    ) -> StorageResult<Option<Self::AuthorizationCode>>;

    /// Persists a newly issued token.
    async fn save_token(&self, token: NewToken) -> StorageResult<()>;

    /// The token whose access token has this digest (revoked or not).
    async fn find_access_token(&self, access_digest: &str) -> StorageResult<Option<Self::Token>>;

    /// The token whose refresh token has this digest (revoked or not).
    async fn find_refresh_token(&self, refresh_digest: &str) -> StorageResult<Option<Self::Token>>;

    /// Refresh-token rotation, atomically: if the refresh token with digest
    /// `old_refresh_digest` is not revoked, revoke it and its access token
    /// (noting when it was rotated out, where the model keeps it),
    /// save `new`, and return `true`; otherwise change nothing and return
    /// `false`. Of concurrent calls with one digest, at most one returns
    /// `true`.
    async fn rotate_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        now: i64,
    ) -> StorageResult<bool>;

    /// Whether the token model keeps when a refresh token was rotated out
    /// ([`OAuth2Token::refresh_token_rotated_at`]), which the refresh grace
    /// period needs: a server configured with one refuses to start on a
    /// storage without it. The default is false.
    fn supports_refresh_grace(&self) -> bool {
        false
    }

    /// Whether the token model keeps the DPoP key a token is bound to
    /// ([`OAuth2Token::dpop_jkt`]). Without it, a token request with a
    /// DPoP proof gets a bearer token (`token_type: Bearer`, as from a
    /// server without DPoP, RFC 9449 §5), never a "bound" token stored
    /// unbound. The default is false.
    fn binds_tokens_to_dpop_keys(&self) -> bool {
        false
    }

    /// Whether the code model keeps the DPoP key a code is bound to
    /// ([`OAuth2AuthorizationCode::dpop_jkt`]). Without it, an
    /// authorization request naming `dpop_jkt` is refused rather than
    /// given an unbound code. The default is false.
    fn binds_codes_to_dpop_keys(&self) -> bool {
        false
    }

    /// Whether the code and token models keep the resources a grant is
    /// for ([`OAuth2AuthorizationCode::audience`],
    /// [`OAuth2Token::audience`]). Without it, a request naming `resource`
    /// (RFC 8707) is refused with `invalid_target` rather than given a
    /// token usable anywhere. The default is false.
    fn restricts_audiences(&self) -> bool {
        false
    }

    /// The grace retry of a rotated-out refresh token, atomically: if the
    /// refresh token with digest `old_refresh_digest` was rotated out at or
    /// after `rotated_since` and its retry is unused, use the retry (its
    /// [`refresh_token_rotated_at`](OAuth2Token::refresh_token_rotated_at)
    /// becomes `None`), save `new`, and return `true`; otherwise change
    /// nothing and return `false`. Of concurrent calls with one digest, at
    /// most one returns `true`. The default never retries.
    async fn retry_rotated_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        rotated_since: i64,
    ) -> StorageResult<bool> {
        let _ = (old_refresh_digest, new, rotated_since);
        Ok(false)
    }

    /// Marks the access token with this digest revoked at `now` (no-op if
    /// unknown or already revoked).
    async fn revoke_access_token(&self, access_digest: &str, now: i64) -> StorageResult<()>;

    /// Revokes the access and refresh tokens of every token with this
    /// `grant_id` (no-op if none), ending any grace retry of its rotated-out
    /// refresh tokens, and returns how many credentials (access
    /// and refresh tokens, each counting one) were not revoked before: the
    /// engine logs a replay that revoked something as a security event.
    async fn revoke_grant(&self, grant_id: &str, now: i64) -> StorageResult<u64>;

    /// Records a used JWT ID, exactly once: `true` if no unexpired record
    /// with `used.key` exists and one is now recorded, `false` if it was
    /// used before. Of concurrent calls with one key (from any process on
    /// the storage), at most one returns `true` (in SQL: an insert under a
    /// unique index, a unique violation meaning `false`). Records whose
    /// `expires_at` is before `now` may be deleted: the engine refuses their
    /// JWTs as expired anyway.
    ///
    /// JWT client authentication (RFC 7523, OpenID Connect Core §9) accepts
    /// an assertion's `jti` once through it. The default records nothing and
    /// fails, so a server on a storage without it refuses those methods
    /// (`server_error`) rather than accept replays.
    async fn record_used_jti(&self, used: &UsedJti, now: i64) -> StorageResult<bool> {
        let _ = (used, now);
        Err(crate::error::StorageError::new(
            "this storage cannot record used JWT IDs (OAuth2Storage::record_used_jti), \
             which JWT client authentication needs to refuse replays",
        ))
    }

    /// Persists a pushed authorization request (RFC 9126 §2). The default
    /// keeps nothing and fails, so the pushed authorization request
    /// endpoint of a server on a storage without it answers `server_error`.
    async fn save_pushed_request(&self, request: PushedRequest) -> StorageResult<()> {
        let _ = request;
        Err(crate::error::StorageError::new(
            "this storage cannot keep pushed authorization requests \
             (OAuth2Storage::save_pushed_request)",
        ))
    }

    /// The pushed request whose `request_uri` has this digest, expired or
    /// not (the engine checks), without using it up: the consent page
    /// validates its request twice, once to show it and once to answer.
    async fn find_pushed_request(
        &self,
        request_uri_digest: &str,
    ) -> StorageResult<Option<PushedRequest>> {
        let _ = request_uri_digest;
        Ok(None)
    }

    /// Removes the pushed request with this digest, atomically: `true` for
    /// the one caller that removed it, of any number of concurrent ones
    /// (RFC 9126 §4: a `request_uri` is used once). Expired requests may
    /// be deleted by the storage at any time.
    async fn take_pushed_request(&self, request_uri_digest: &str) -> StorageResult<bool> {
        let _ = request_uri_digest;
        Ok(false)
    }

    /// How many wrong secrets were presented after `since` for `client_id`
    /// (from any address) and from `address` (for any client; 0 when
    /// `None`): RFC 6819 §5.1.4.2.3, RFC 9700 §4.6, online guessing of
    /// client secrets. Read on every authentication with a secret, so it
    /// should be indexed reads. `address` is an
    /// [`address_key`](crate::oauth2::rfc6819::address_key).
    ///
    /// The default counts nothing: a storage that does not keep the counts
    /// has no limit on guessing. [`MemoryStorage`](crate::memory::MemoryStorage)
    /// and the Diesel storage keep them.
    async fn count_client_auth_failures(
        &self,
        client_id: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<ClientAuthFailures> {
        let _ = (client_id, address, since);
        Ok(ClientAuthFailures::default())
    }

    /// Records a wrong secret presented for `client_id` from `address` (if
    /// known) at `at`: one failure, counted for both. The storage may drop
    /// failures older than the counting window then.
    async fn record_client_auth_failure(
        &self,
        client_id: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        let _ = (client_id, address, at);
        Ok(())
    }

    /// How many wrong passwords the password grant saw after `since` for
    /// the username with this digest ([`crate::secrets::digest`]; from any
    /// address) and from `address` (for any username; 0 when `None`):
    /// RFC 6749 §4.3.2, the endpoint MUST be protected against brute force.
    /// The default counts nothing, as for client secrets;
    /// [`MemoryStorage`](crate::memory::MemoryStorage) and the Diesel
    /// storage keep the counts.
    async fn count_password_failures(
        &self,
        username_digest: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<PasswordFailures> {
        let _ = (username_digest, address, since);
        Ok(PasswordFailures::default())
    }

    /// Records a wrong password for the username with this digest from
    /// `address` (if known) at `at`. The storage may drop failures older
    /// than the counting window then.
    async fn record_password_failure(
        &self,
        username_digest: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        let _ = (username_digest, address, at);
        Ok(())
    }
}

/// A used JWT ID ([`OAuth2Storage::record_used_jti`]): one key for what
/// it was used for, who issued it and its `jti`, and when the JWT expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedJti {
    /// The SHA-256 digest (hex) of the purpose, the issuer and the `jti`:
    /// fixed length whatever the `jti`, and one client's `jti` never
    /// collides with another's.
    pub key: String,
    /// The JWT's `exp` (Unix seconds): until then the `jti` must not be
    /// accepted again.
    pub expires_at: i64,
}

impl UsedJti {
    /// The record of `jti`, issued by `issuer`, used for `purpose` (for
    /// example `client_assertion`), until `expires_at`.
    ///
    /// ```
    /// use oauth_core::UsedJti;
    /// let a = UsedJti::new("client_assertion", "app", "1", 100);
    /// assert_eq!(a.key.len(), 64);
    /// assert_ne!(a.key, UsedJti::new("client_assertion", "other", "1", 100).key);
    /// // The parts are length-prefixed: no two triples share a key.
    /// assert_ne!(UsedJti::new("p", "a:b", "c", 1).key, UsedJti::new("p", "a", "b:c", 1).key);
    /// ```
    pub fn new(purpose: &str, issuer: &str, jti: &str, expires_at: i64) -> UsedJti {
        let text = format!(
            "{}:{purpose}{}:{issuer}{}:{jti}",
            purpose.len(),
            issuer.len(),
            jti.len()
        );
        UsedJti {
            key: crate::secrets::digest(&text),
            expires_at,
        }
    }
}

/// Recent wrong passwords, as [`OAuth2Storage::count_password_failures`]
/// counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PasswordFailures {
    /// For the username, from any address.
    pub username: u32,
    /// From the address, for any username.
    pub address: u32,
}

/// Recent wrong client secrets, as
/// [`OAuth2Storage::count_client_auth_failures`] counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientAuthFailures {
    /// Presented for the client, from any address.
    pub client: u32,
    /// Presented from the address, for any client.
    pub address: u32,
}

/// Storage that reads the user a token acts for together with the token,
/// for guards that hand the user to the handler
/// (`RequireOAuthUser` of the Rocket adapter). `U` is the
/// application's user model.
///
/// A protected handler nearly always needs the user behind the token; read
/// apart, that is a second lookup after the guard's. Read together, the
/// Diesel storage makes it one database read: one read transaction on
/// SQLite (whose per-transaction locking cost more than both queries in
/// profiles), one trip to a blocking thread on PostgreSQL and MySQL.
#[async_trait]
pub trait UserStorage<U: Send + 'static>: OAuth2Storage {
    /// The token whose access token has this digest (revoked or not, as
    /// [`OAuth2Storage::find_access_token`]), and the user it acts for:
    /// `None` when the token acts for no user (client credentials) or that
    /// user no longer exists.
    async fn find_access_token_and_user(
        &self,
        access_digest: &str,
    ) -> StorageResult<Option<(Self::Token, Option<U>)>>;

    /// The user of this id, for the claims an ID token carries (OpenID
    /// Connect Core §5.4, §5.5). `None` when there is none; the default
    /// finds none, so a storage that does not override it releases no
    /// claims in ID tokens (UserInfo still does).
    async fn find_user(&self, user_id: &str) -> StorageResult<Option<U>> {
        let _ = user_id;
        Ok(None)
    }
}
