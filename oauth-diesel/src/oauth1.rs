//! `OAuth1Storage` for derived models, on any of the three databases.
//!
//! Clients, temporary credentials and token credentials live in the tables
//! of your models (`#[derive(OAuth1Client)]`, `#[derive(OAuth1TemporaryCredential)]`,
//! `#[derive(OAuth1TokenCredential)]`), or in the standard ones
//! ([`StandardOAuth1Storage`]); nonces always live in the standard
//! `oauth1_nonce` table, whose shape the engine fixes.
//!
//! Each exactly-once step is one database statement whose affected-row
//! count decides, so two processes on one database agree:
//!
//! | step | statement |
//! |---|---|
//! | authorize a temporary credential | `UPDATE ... WHERE oauth_token = ? AND oauth_verifier_digest IS NULL AND expires_at > ?` |
//! | exchange it | `SELECT`, then `DELETE`; the caller whose `DELETE` removed the row owns it |
//! | record a nonce | `INSERT` under the unique index on (client, timestamp, nonce, token); a unique violation means "seen" |
//!
//! With the `redis` feature, `RedisOAuth1Storage` (in `oauth1::redis`)
//! keeps temporary credentials and nonces in Redis instead, as Authlib
//! keeps them in a cache.
//!
//! ## Columns
//!
//! Roles follow column names, Authlib's where its OAuth 1 mixins have one;
//! `#[oauth1(role)]` gives a differently named column a role.
//!
//! | derive | column (role) | Rust type |
//! |---|---|---|
//! | `OAuth1Client` | `client_id` | `String` |
//! | | `client_secret` (in clear: the HMAC-SHA1 key; empty/NULL for RSA only) | `String` or `Option<String>` |
//! | | `redirect_uris` (space-separated; Authlib's `default_redirect_uri` is a list of one) | `String` or `Option<String>` |
//! | | optional `rsa_public_key` (PEM), `default_realms` (space-separated), `client_name` | `String` or `Option<String>` |
//! | | optional `user_id` (the owner) | `String`, `i32`, `i64`, or an `Option` of one |
//! | `OAuth1TemporaryCredential` | `oauth_token`, `oauth_token_secret`, `client_id`, `oauth_callback` | `String` |
//! | | `oauth_verifier_digest` (SHA-256 of the verifier; Authlib keeps `oauth_verifier` in clear) | `Option<String>` |
//! | | `user_id` (NULL until authorized) | `Option<i32>`, `Option<i64>` or `Option<String>` |
//! | | `expires_at` | `i64` or `i32` |
//! | | optional `realms` (space-separated) | `String` or `Option<String>` |
//! | `OAuth1TokenCredential` | `oauth_token`, `oauth_token_secret`, `client_id` | `String` |
//! | | `user_id` | `String`, `i32`, `i64`, or an `Option` of one |
//! | | optional `realms`, `issued_at` | as above |
//!
//! A record with an RSA key or realms is refused by a model without the
//! column to keep it, rather than stored without it.
//!
//! ```
//! use diesel::prelude::*;
//! use oauth_diesel::{
//!     DieselOAuth1Storage, OAuth1Client, OAuth1TemporaryCredential, OAuth1TokenCredential,
//! };
//!
//! diesel::table! {
//!     consumers (id) {
//!         id -> Integer,
//!         client_id -> Text,
//!         client_secret -> Text,
//!         default_redirect_uri -> Text,
//!     }
//! }
//!
//! diesel::table! {
//!     request_tokens (id) {
//!         id -> Integer,
//!         client_id -> Text,
//!         user_id -> Nullable<Integer>,
//!         oauth_token -> Text,
//!         oauth_token_secret -> Text,
//!         oauth_callback -> Text,
//!         verifier -> Nullable<Text>,
//!         expires_at -> BigInt,
//!     }
//! }
//!
//! diesel::table! {
//!     access_tokens (id) {
//!         id -> Integer,
//!         client_id -> Text,
//!         user_id -> Integer,
//!         oauth_token -> Text,
//!         oauth_token_secret -> Text,
//!         realms -> Text,
//!     }
//! }
//!
//! #[derive(Queryable, Selectable, OAuth1Client)]
//! #[diesel(table_name = consumers)]
//! pub struct Consumer {
//!     pub id: i32,
//!     pub client_id: String,
//!     pub client_secret: String,
//!     #[oauth1(redirect_uris)]
//!     pub default_redirect_uri: String,
//! }
//!
//! #[derive(Queryable, Selectable, OAuth1TemporaryCredential)]
//! #[diesel(table_name = request_tokens)]
//! pub struct RequestToken {
//!     pub id: i32,
//!     pub client_id: String,
//!     pub user_id: Option<i32>,
//!     pub oauth_token: String,
//!     pub oauth_token_secret: String,
//!     pub oauth_callback: String,
//!     #[oauth1(oauth_verifier_digest)]
//!     pub verifier: Option<String>,
//!     pub expires_at: i64,
//! }
//!
//! #[derive(Queryable, Selectable, OAuth1TokenCredential)]
//! #[diesel(table_name = access_tokens)]
//! pub struct AccessToken {
//!     pub id: i32,
//!     pub client_id: String,
//!     pub user_id: i32,
//!     pub oauth_token: String,
//!     pub oauth_token_secret: String,
//!     pub realms: String,
//! }
//!
//! type Storage = DieselOAuth1Storage<Consumer, RequestToken, AccessToken>;
//! ```
//!
//! ## On the standard tables
//!
//! ```
//! use oauth_core::oauth1::rfc5849::client::Signer;
//! use oauth_core::oauth1::{OAuth1ClientRecord, OAuth1Config, OAuth1Server};
//! use oauth_core::{OAuth2Request, Params};
//! use oauth_diesel::StandardOAuth1Storage;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("oauth1-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let url = format!("sqlite://{}", dir.join("oauth.db").display());
//! let storage = StandardOAuth1Storage::connect_and_migrate(&url).unwrap();
//! storage
//!     .insert_client(
//!         OAuth1ClientRecord::new("printer", "kd94hf93k423kf44", ["https://printer.example/ready"]),
//!         Some("1".into()), // the owner's user id
//!     )
//!     .await
//!     .unwrap();
//! let server = OAuth1Server::new(storage, OAuth1Config::default()).unwrap();
//! let now = server.now().to_string();
//! let request = Signer::new("printer", "kd94hf93k423kf44")
//!     .sign(
//!         OAuth2Request::post("https://photos.example/initiate"),
//!         &[("oauth_callback", "https://printer.example/ready"),
//!           ("oauth_timestamp", &now), ("oauth_nonce", "n1")],
//!     )
//!     .unwrap();
//! let response = server.create_temporary_credentials_response(&request).await;
//! assert_eq!(response.status, 200);
//! assert!(Params::parse(&response.body).required("oauth_token").is_ok());
//! // The same request again: its nonce is in `oauth1_nonce` now.
//! let replay = server.create_temporary_credentials_response(&request).await;
//! assert_eq!(replay.status, 401);
//! # std::fs::remove_dir_all(&dir).ok();
//! # });
//! ```

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use oauth_core::oauth1::{
    OAuth1ClientRecord, OAuth1Nonce, OAuth1Storage, TemporaryCredentialRecord,
    TokenCredentialRecord,
};
use oauth_core::{StorageError, StorageResult};

use crate::glue::{DieselOAuth1Client, DieselTemporaryCredential, DieselTokenCredential};
use crate::models;
use crate::pool::DbPool;
use crate::schema::oauth1_nonce;

#[cfg(feature = "redis")]
pub mod redis;

/// Expired nonces are purged after this many recorded nonces (per storage
/// value), so that the table stays bounded even when the application never
/// calls [`DieselOAuth1Storage::delete_expired`].
const NONCE_PURGE_EVERY: u64 = 1024;

/// OAuth 1.0a storage over a [`DbPool`] for the client, temporary
/// credential and token credential models `C`, `R` and `K` (any structs
/// with the derives).
pub struct DieselOAuth1Storage<C, R, K> {
    pool: DbPool,
    nonces_recorded: Arc<AtomicU64>,
    _models: Models<C, R, K>,
}

/// The model types, held by type only (`fn() -> _` keeps the storage
/// `Send + Sync` whatever the models are).
type Models<C, R, K> = PhantomData<fn() -> (C, R, K)>;

/// [`DieselOAuth1Storage`] over the standard tables and models.
pub type StandardOAuth1Storage = DieselOAuth1Storage<
    models::OAuth1Client,
    models::OAuth1TemporaryCredential,
    models::OAuth1TokenCredential,
>;

impl<C, R, K> Clone for DieselOAuth1Storage<C, R, K> {
    fn clone(&self) -> Self {
        DieselOAuth1Storage {
            pool: self.pool.clone(),
            nonces_recorded: self.nonces_recorded.clone(),
            _models: PhantomData,
        }
    }
}

/// What [`DieselOAuth1Storage::delete_expired`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OAuth1Cleanup {
    /// Temporary credentials deleted (expired, exchanged or not).
    pub temporary_credentials: usize,
    /// Nonces deleted (their timestamp has left the window).
    pub nonces: usize,
}

impl<C, R, K> DieselOAuth1Storage<C, R, K>
where
    C: DieselOAuth1Client,
    R: DieselTemporaryCredential,
    K: DieselTokenCredential,
{
    /// Storage over an existing pool (migrated: see
    /// [`crate::migrations`]).
    pub fn new(pool: DbPool) -> Self {
        DieselOAuth1Storage {
            pool,
            nonces_recorded: Arc::new(AtomicU64::new(0)),
            _models: PhantomData,
        }
    }

    /// Connects to `url` (SQLite path or `sqlite://`, `postgres://`,
    /// `mysql://`) and runs the bundled migrations.
    pub fn connect_and_migrate(url: &str) -> Result<Self, StorageError> {
        DbPool::connect_and_migrate(url).map(Self::new)
    }

    /// The pool.
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Registers a client, owned by `owner` (a user id) if the model has a
    /// `user_id`. Fails if the id is taken.
    pub async fn insert_client(
        &self,
        record: OAuth1ClientRecord,
        owner: Option<String>,
    ) -> StorageResult<()> {
        self.pool
            .write(move |conn| C::insert(conn, &record, owner.as_deref()))
            .await
    }

    /// Deletes a client; whether it existed. Its token credentials stay
    /// until revoked, but cannot be used: every request names the client,
    /// which is no longer found.
    pub async fn delete_client(&self, client_id: &str) -> StorageResult<bool> {
        let id = client_id.to_owned();
        self.pool
            .write(move |conn| C::delete_by_client_id(conn, &id).map(|n| n > 0))
            .await
    }

    /// Revokes (deletes) a token credential; whether it existed.
    pub async fn revoke_token_credential(&self, oauth_token: &str) -> StorageResult<bool> {
        let token = oauth_token.to_owned();
        self.pool
            .write(move |conn| K::delete_by_token(conn, &token).map(|n| n > 0))
            .await
    }

    /// Deletes the temporary credentials that have expired at `now`, and
    /// the nonces whose timestamp has left the window (the engine refuses
    /// those timestamps anyway). Call it periodically; nonces are also
    /// purged now and then as they are recorded.
    pub async fn delete_expired(&self, now: i64) -> StorageResult<OAuth1Cleanup> {
        // Two statements, each its own transaction: no lock on one table
        // waits for the other's delete, and a deadlock with concurrent
        // inserts (InnoDB's gap locks) is retried.
        let temporary_credentials = self
            .pool
            .transaction(move |conn| R::delete_expired(conn, now))
            .await?;
        let nonces = self.delete_expired_nonces(now).await?;
        Ok(OAuth1Cleanup {
            temporary_credentials,
            nonces,
        })
    }

    async fn delete_expired_nonces(&self, now: i64) -> StorageResult<usize> {
        self.pool
            .transaction(move |conn| {
                diesel::delete(oauth1_nonce::table.filter(oauth1_nonce::expires_at.lt(now)))
                    .execute(conn)
            })
            .await
    }
}

#[async_trait]
impl<C, R, K> OAuth1Storage for DieselOAuth1Storage<C, R, K>
where
    C: DieselOAuth1Client,
    R: DieselTemporaryCredential,
    K: DieselTokenCredential,
{
    type Client = C;
    type TemporaryCredential = R;
    type TokenCredential = K;

    async fn find_oauth1_client(&self, client_id: &str) -> StorageResult<Option<C>> {
        let id = client_id.to_owned();
        self.pool
            .run(move |conn| C::find_by_client_id(conn, &id))
            .await
    }

    async fn save_temporary_credential(
        &self,
        credential: TemporaryCredentialRecord,
    ) -> StorageResult<()> {
        self.pool
            .write(move |conn| R::insert(conn, &credential))
            .await
    }

    async fn find_temporary_credential(&self, oauth_token: &str) -> StorageResult<Option<R>> {
        let token = oauth_token.to_owned();
        self.pool
            .run(move |conn| R::find_by_token(conn, &token))
            .await
    }

    async fn authorize_temporary_credential(
        &self,
        oauth_token: &str,
        user_id: &str,
        verifier_digest: &str,
        now: i64,
    ) -> StorageResult<bool> {
        let (token, user, digest) = (
            oauth_token.to_owned(),
            user_id.to_owned(),
            verifier_digest.to_owned(),
        );
        self.pool
            .write(move |conn| R::authorize(conn, &token, &user, &digest, now).map(|n| n == 1))
            .await
    }

    async fn take_temporary_credential(&self, oauth_token: &str) -> StorageResult<Option<R>> {
        let token = oauth_token.to_owned();
        self.pool
            .write(move |conn| {
                let Some(credential) = R::find_by_token(conn, &token)? else {
                    return Ok(None);
                };
                // Whoever's DELETE removed the row owns the credential.
                let deleted = R::delete_by_token(conn, &token)?;
                Ok((deleted == 1).then_some(credential))
            })
            .await
    }

    async fn save_token_credential(&self, credential: TokenCredentialRecord) -> StorageResult<()> {
        self.pool
            .write(move |conn| K::insert(conn, &credential))
            .await
    }

    async fn find_token_credential(&self, oauth_token: &str) -> StorageResult<Option<K>> {
        let token = oauth_token.to_owned();
        self.pool
            .run(move |conn| K::find_by_token(conn, &token))
            .await
    }

    async fn record_nonce(&self, nonce: &OAuth1Nonce, now: i64) -> StorageResult<bool> {
        let n = nonce.clone();
        let recorded = self
            .pool
            .write(move |conn| {
                let inserted = diesel::insert_into(oauth1_nonce::table)
                    .values((
                        oauth1_nonce::client_id.eq(&n.client_id),
                        oauth1_nonce::timestamp.eq(n.timestamp),
                        oauth1_nonce::nonce.eq(&n.nonce),
                        oauth1_nonce::oauth_token.eq(&n.oauth_token),
                        oauth1_nonce::expires_at.eq(n.expires_at),
                    ))
                    .execute(conn);
                match inserted {
                    Ok(_) => Ok(true),
                    // Another request (of this process or another) recorded it.
                    Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                        Ok(false)
                    }
                    Err(e) => Err(e),
                }
            })
            .await?;
        if recorded
            && self
                .nonces_recorded
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(NONCE_PURGE_EVERY)
        {
            // Housekeeping, off the request's path (a first purge may have
            // much to delete): the nonce is recorded whatever this does, and
            // the next purge retries what this one could not delete.
            let this = self.clone();
            tokio::spawn(async move {
                let _ = this.delete_expired_nonces(now).await;
            });
        }
        Ok(recorded)
    }
}
