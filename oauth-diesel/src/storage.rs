//! `OAuth2Storage` for derived models, on any of the three databases.

use std::marker::PhantomData;

use async_trait::async_trait;
use oauth_core::{
    ClientRecord, ClientRegistry, NewAuthorizationCode, NewToken, OAuth2Storage, StorageError,
    StorageResult,
};

use crate::glue::{DieselAuthorizationCode, DieselClient, DieselToken};
use crate::migrations::run_migrations;
use crate::models;
use crate::pool::DbPool;

/// Storage over a [`DbPool`] for the client, token and code models `C`,
/// `T` and `A` (any structs with the derives).
///
/// Exactly-once is held by the database: a code is taken by a `DELETE`
/// whose affected-row count says who took it, and a refresh token is rotated
/// by an `UPDATE ... WHERE refresh_token_revoked_at IS NULL` in the same
/// transaction as the insert of its successor. Two processes on one database
/// racing on one code or one refresh token get one winner.
pub struct DieselStorage<C, T, A> {
    pool: DbPool,
    _models: Models<C, T, A>,
}

/// The model types, held by type only (`fn() -> _` keeps the storage
/// `Send + Sync` whatever the models are).
type Models<C, T, A> = PhantomData<fn() -> (C, T, A)>;

/// [`DieselStorage`] over the standard tables and models.
pub type StandardStorage = DieselStorage<models::Client, models::Token, models::AuthorizationCode>;

impl<C, T, A> Clone for DieselStorage<C, T, A> {
    fn clone(&self) -> Self {
        DieselStorage {
            pool: self.pool.clone(),
            _models: PhantomData,
        }
    }
}

impl<C, T, A> DieselStorage<C, T, A>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
{
    /// Storage over an existing pool.
    pub fn new(pool: DbPool) -> Self {
        DieselStorage {
            pool,
            _models: PhantomData,
        }
    }

    /// Connects to `url` (SQLite path or `sqlite://`, `postgres://`,
    /// `mysql://`) and runs the bundled migrations.
    pub fn connect_and_migrate(url: &str) -> Result<Self, StorageError> {
        let pool = DbPool::connect(url)?;
        let mut conn = pool.get()?;
        run_migrations(&mut conn)
            .map_err(|e| StorageError::new(format!("migrations failed: {e}")))?;
        drop(conn);
        Ok(Self::new(pool))
    }

    /// The pool.
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Registers a client, owned by `owner` if the model has a `user_id`.
    pub async fn insert_client(
        &self,
        record: ClientRecord,
        owner: Option<String>,
    ) -> StorageResult<()> {
        self.pool
            .write(move |conn| C::insert(conn, &record, owner.as_deref()))
            .await
    }

    /// Deletes a client; whether it existed.
    pub async fn delete_client(&self, client_id: &str) -> StorageResult<bool> {
        let id = client_id.to_owned();
        self.pool
            .write(move |conn| C::delete_by_client_id(conn, &id).map(|n| n > 0))
            .await
    }

    /// Deletes expired authorization codes and tokens that can no longer be
    /// used (access token expired, and refresh token absent or past
    /// `refresh_lifetime`). Rows of rotated-out refresh tokens stay until
    /// then, so that their reuse is still detected. Call it periodically.
    pub async fn delete_expired(
        &self,
        now: i64,
        code_lifetime: i64,
        refresh_lifetime: Option<i64>,
    ) -> StorageResult<Cleanup> {
        self.pool
            .transaction(move |conn| {
                let codes = A::delete_issued_before(conn, now.saturating_sub(code_lifetime))?;
                let tokens = T::delete_expired(conn, now, refresh_lifetime)?;
                Ok(Cleanup { codes, tokens })
            })
            .await
    }
}

/// What [`DieselStorage::delete_expired`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cleanup {
    /// Authorization codes deleted.
    pub codes: usize,
    /// Tokens deleted.
    pub tokens: usize,
}

#[async_trait]
impl<C, T, A> ClientRegistry for DieselStorage<C, T, A>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
{
    async fn register_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
    ) -> StorageResult<()> {
        self.insert_client(client, owner).await
    }
}

#[async_trait]
impl<C, T, A> OAuth2Storage for DieselStorage<C, T, A>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
{
    type Client = C;
    type Token = T;
    type AuthorizationCode = A;

    async fn find_client(&self, client_id: &str) -> StorageResult<Option<C>> {
        let id = client_id.to_owned();
        self.pool
            .run(move |conn| C::find_by_client_id(conn, &id))
            .await
    }

    async fn save_authorization_code(&self, code: NewAuthorizationCode) -> StorageResult<()> {
        self.pool.write(move |conn| A::insert(conn, &code)).await
    }

    async fn take_authorization_code(&self, code_digest: &str) -> StorageResult<Option<A>> {
        let digest = code_digest.to_owned();
        self.pool
            .write(move |conn| {
                let Some(code) = A::find_by_digest(conn, &digest)? else {
                    return Ok(None);
                };
                // Whoever's DELETE removed the row owns the code.
                let deleted = A::delete_by_digest(conn, &digest)?;
                Ok((deleted == 1).then_some(code))
            })
            .await
    }

    async fn save_token(&self, token: NewToken) -> StorageResult<()> {
        self.pool.write(move |conn| T::insert(conn, &token)).await
    }

    async fn find_access_token(&self, access_digest: &str) -> StorageResult<Option<T>> {
        let digest = access_digest.to_owned();
        self.pool
            .run(move |conn| T::find_by_access_digest(conn, &digest))
            .await
    }

    async fn find_refresh_token(&self, refresh_digest: &str) -> StorageResult<Option<T>> {
        let digest = refresh_digest.to_owned();
        self.pool
            .run(move |conn| T::find_by_refresh_digest(conn, &digest))
            .await
    }

    async fn rotate_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        now: i64,
    ) -> StorageResult<bool> {
        let digest = old_refresh_digest.to_owned();
        self.pool
            .transaction(move |conn| {
                if T::revoke_refresh_if_active(conn, &digest, now)? != 1 {
                    return Ok(false);
                }
                T::insert(conn, &new)?;
                Ok(true)
            })
            .await
    }

    async fn revoke_access_token(&self, access_digest: &str, now: i64) -> StorageResult<()> {
        let digest = access_digest.to_owned();
        self.pool
            .write(move |conn| T::revoke_access(conn, &digest, now).map(drop))
            .await
    }

    async fn revoke_grant(&self, grant_id: &str, now: i64) -> StorageResult<()> {
        let grant = grant_id.to_owned();
        self.pool
            .write(move |conn| T::revoke_grant(conn, &grant, now).map(drop))
            .await
    }
}
