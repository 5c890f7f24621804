//! Temporary credentials and nonces in Redis (feature `redis`), clients and
//! token credentials in another storage.
//!
//! Temporary credentials live minutes and nonces seconds; Authlib keeps
//! both in a cache rather than in the database. [`RedisOAuth1Storage`]
//! does the same in front of any [`OAuth1Storage`] (usually
//! [`StandardOAuth1Storage`](crate::StandardOAuth1Storage)), which keeps
//! the clients and token credentials. Redis expires what it holds, so
//! nothing needs cleaning up.
//!
//! | value | key | exactly once by |
//! |---|---|---|
//! | temporary credential | `{prefix}temporary:{oauth_token}`, JSON, `EX` until it expires | authorize: read, check, then a compare-and-set script (`SET ... KEEPTTL` only if the value is still the one read); take: `GETDEL` |
//! | nonce | `{prefix}nonce:{SHA-256 of client, timestamp, nonce, token}` | `SET key 1 NX EX ttl` |
//!
//! Redis's expiry is only housekeeping: the engine checks every expiry
//! itself by its own clock. The time to live of a temporary credential is
//! computed from its `expires_at` and the storage's clock, so give the
//! storage the server's clock when that is not the system's
//! ([`RedisOAuth1Storage::with_clock`]).
//!
//! ```no_run
//! use oauth_core::oauth1::{OAuth1Config, OAuth1Server};
//! use oauth_diesel::{DbPool, RedisOAuth1Storage, StandardOAuth1Storage};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let database = StandardOAuth1Storage::new(DbPool::connect("sqlite://oauth.db")?);
//! let storage = RedisOAuth1Storage::connect("redis://127.0.0.1:6379", database).await?;
//! let server = OAuth1Server::new(storage, OAuth1Config::default())?;
//! # Ok(()) }
//! ```

use std::sync::Arc;

use ::redis::aio::ConnectionManager;
use ::redis::{Client, RedisError};
use async_trait::async_trait;
use oauth_core::oauth1::{
    OAuth1Nonce, OAuth1Storage, TemporaryCredentialRecord, TokenCredentialRecord,
};
use oauth_core::{Clock, StorageError, StorageResult, SystemClock, secrets};

/// Sets `KEYS[1]` to `ARGV[2]`, keeping its time to live, only if it still
/// holds `ARGV[1]`; 1 if it did. Scripts run atomically, so of two
/// authorizations that read the same unauthorized credential, one sets it.
const COMPARE_AND_SET: &str = "\
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0";

/// OAuth 1.0a storage with temporary credentials and nonces in Redis, and
/// clients and token credentials in `S`.
pub struct RedisOAuth1Storage<S> {
    inner: S,
    redis: ConnectionManager,
    prefix: String,
    clock: Arc<dyn Clock>,
}

impl<S: Clone> Clone for RedisOAuth1Storage<S> {
    fn clone(&self) -> Self {
        RedisOAuth1Storage {
            inner: self.inner.clone(),
            redis: self.redis.clone(),
            prefix: self.prefix.clone(),
            clock: self.clock.clone(),
        }
    }
}

impl<S: OAuth1Storage> RedisOAuth1Storage<S> {
    /// Connects to Redis at `url` (`redis://host:port/db`, `rediss://`
    /// needs a TLS feature of the `redis` crate) in front of `inner`. The
    /// connection reconnects by itself after a failure; meanwhile calls
    /// fail as temporarily unavailable.
    pub async fn connect(url: &str, inner: S) -> StorageResult<Self> {
        let client =
            Client::open(url).map_err(|e| StorageError::new(format!("invalid Redis URL: {e}")))?;
        let redis = ConnectionManager::new(client)
            .await
            .map_err(|e| StorageError::unavailable(format!("cannot connect to Redis: {e}")))?;
        Ok(Self::new(redis, inner))
    }

    /// Storage over an existing connection, in front of `inner`.
    pub fn new(redis: ConnectionManager, inner: S) -> Self {
        RedisOAuth1Storage {
            inner,
            redis,
            prefix: "oauth1:".to_owned(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Puts every key under `prefix` (`oauth1:` by default), to share a
    /// Redis database with other applications or tests.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The clock that times to live are computed with: the server's.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The storage of clients and token credentials.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The key of a temporary credential.
    pub fn temporary_key(&self, oauth_token: &str) -> String {
        format!("{}temporary:{oauth_token}", self.prefix)
    }

    /// The key of a nonce: a digest of an unambiguous encoding of the four
    /// parts (any of which may contain any separator).
    pub fn nonce_key(&self, nonce: &OAuth1Nonce) -> String {
        let parts = serde_json::json!([
            nonce.client_id,
            nonce.timestamp,
            nonce.nonce,
            nonce.oauth_token
        ]);
        format!(
            "{}nonce:{}",
            self.prefix,
            secrets::digest(&parts.to_string())
        )
    }

    async fn get(&self, key: &str) -> StorageResult<Option<String>> {
        ::redis::cmd("GET")
            .arg(key)
            .query_async(&mut self.redis.clone())
            .await
            .map_err(redis_error)
    }
}

/// Lost connections and timeouts are temporary (503), anything else is
/// permanent (500).
fn redis_error(e: RedisError) -> StorageError {
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout() {
        StorageError::unavailable(format!("Redis: {e}"))
    } else {
        StorageError::new(format!("Redis: {e}"))
    }
}

fn parse(json: &str) -> StorageResult<TemporaryCredentialRecord> {
    serde_json::from_str(json)
        .map_err(|e| StorageError::new(format!("unreadable temporary credential in Redis: {e}")))
}

fn to_json(record: &TemporaryCredentialRecord) -> StorageResult<String> {
    serde_json::to_string(record)
        .map_err(|e| StorageError::new(format!("cannot encode a temporary credential: {e}")))
}

#[async_trait]
impl<S: OAuth1Storage> OAuth1Storage for RedisOAuth1Storage<S> {
    type Client = S::Client;
    type TemporaryCredential = TemporaryCredentialRecord;
    type TokenCredential = S::TokenCredential;

    async fn find_oauth1_client(&self, client_id: &str) -> StorageResult<Option<S::Client>> {
        self.inner.find_oauth1_client(client_id).await
    }

    async fn save_temporary_credential(
        &self,
        credential: TemporaryCredentialRecord,
    ) -> StorageResult<()> {
        // At least a second: one already expired is refused by the engine
        // anyway, and EX must be positive.
        let ttl = credential
            .expires_at
            .saturating_sub(self.clock.now())
            .max(1);
        let key = self.temporary_key(&credential.oauth_token);
        let set: Option<String> = ::redis::cmd("SET")
            .arg(&key)
            .arg(to_json(&credential)?)
            .arg("NX")
            .arg("EX")
            .arg(ttl)
            .query_async(&mut self.redis.clone())
            .await
            .map_err(redis_error)?;
        match set {
            Some(_) => Ok(()),
            // Never replace a live credential: a generator that repeats
            // itself must fail, not hand one client's credential to another.
            None => Err(StorageError::new(
                "a temporary credential with this oauth_token already exists",
            )),
        }
    }

    async fn find_temporary_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<TemporaryCredentialRecord>> {
        match self.get(&self.temporary_key(oauth_token)).await? {
            Some(json) => parse(&json).map(Some),
            None => Ok(None),
        }
    }

    async fn authorize_temporary_credential(
        &self,
        oauth_token: &str,
        user_id: &str,
        verifier_digest: &str,
        now: i64,
    ) -> StorageResult<bool> {
        let key = self.temporary_key(oauth_token);
        let Some(current) = self.get(&key).await? else {
            return Ok(false);
        };
        let mut credential = parse(&current)?;
        if credential.verifier_digest.is_some() || credential.expires_at <= now {
            return Ok(false);
        }
        credential.user_id = Some(user_id.to_owned());
        credential.verifier_digest = Some(verifier_digest.to_owned());
        let swapped: i64 = ::redis::cmd("EVAL")
            .arg(COMPARE_AND_SET)
            .arg(1)
            .arg(&key)
            .arg(&current)
            .arg(to_json(&credential)?)
            .query_async(&mut self.redis.clone())
            .await
            .map_err(redis_error)?;
        // 0: authorized or taken by someone else since it was read.
        Ok(swapped == 1)
    }

    async fn take_temporary_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<TemporaryCredentialRecord>> {
        let taken: Option<String> = ::redis::cmd("GETDEL")
            .arg(self.temporary_key(oauth_token))
            .query_async(&mut self.redis.clone())
            .await
            .map_err(redis_error)?;
        taken.as_deref().map(parse).transpose()
    }

    async fn save_token_credential(&self, credential: TokenCredentialRecord) -> StorageResult<()> {
        self.inner.save_token_credential(credential).await
    }

    async fn find_token_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<S::TokenCredential>> {
        self.inner.find_token_credential(oauth_token).await
    }

    async fn record_nonce(&self, nonce: &OAuth1Nonce, now: i64) -> StorageResult<bool> {
        // Kept through `expires_at` inclusive: the engine accepts the
        // timestamp until then.
        let ttl = nonce
            .expires_at
            .saturating_sub(now)
            .max(0)
            .saturating_add(1);
        let set: Option<String> = ::redis::cmd("SET")
            .arg(self.nonce_key(nonce))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(ttl)
            .query_async(&mut self.redis.clone())
            .await
            .map_err(redis_error)?;
        Ok(set.is_some())
    }
}
