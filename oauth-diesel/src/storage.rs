//! `OAuth2Storage` for derived models, on any of the three databases.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use oauth_core::consent::{GrantStorage, NewGrant, Withdrawn};
use oauth_core::jose::{SigningKeyStorage, StoredSigningKey};
use oauth_core::oauth2::rfc8628::{
    DeviceCodeStorage, DeviceDecision, DevicePoll, NewDeviceCode, UserCodeFailures,
};
use oauth_core::{
    ClientAuthFailures, ClientMetadata, ClientRecord, ClientRegistry, NewAuthorizationCode,
    NewToken, OAuth2Storage, PasswordFailures, PushedRequest, SecretUpdate, StorageError,
    StorageResult, UsedJti, UserStorage,
};

use crate::glue::{
    DieselAuthorizationCode, DieselClient, DieselDeviceCode, DieselGrant, DieselSigningKey,
    DieselToken, DieselUser,
};
use crate::loaded::LoadedClient;
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
pub struct DieselStorage<C, T, A, D = models::DeviceCode, K = models::SigningKey, G = models::Grant>
{
    pool: DbPool,
    /// How many JWT IDs this storage recorded: every
    /// [`JTI_PURGE_EVERY`]th one purges the expired ones.
    jtis_recorded: Arc<AtomicU64>,
    _models: Models<C, T, A, D, K, G>,
}

/// Expired JWT IDs are purged after this many are recorded.
const JTI_PURGE_EVERY: u64 = 1024;

/// The model types, held by type only (`fn() -> _` keeps the storage
/// `Send + Sync` whatever the models are).
type Models<C, T, A, D, K, G> = PhantomData<fn() -> (C, T, A, D, K, G)>;

/// [`DieselStorage`] over the standard tables and models.
pub type StandardStorage =
    DieselStorage<models::Client, models::Token, models::AuthorizationCode, models::DeviceCode>;

impl<C, T, A, D, K, G> Clone for DieselStorage<C, T, A, D, K, G> {
    fn clone(&self) -> Self {
        DieselStorage {
            pool: self.pool.clone(),
            jtis_recorded: self.jtis_recorded.clone(),
            _models: PhantomData,
        }
    }
}

impl<C, T, A, D, K, G> DieselStorage<C, T, A, D, K, G>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
    D: DieselDeviceCode,
    K: DieselSigningKey,
    G: DieselGrant,
{
    /// Storage over an existing pool.
    pub fn new(pool: DbPool) -> Self {
        DieselStorage {
            pool,
            jtis_recorded: Arc::new(AtomicU64::new(0)),
            _models: PhantomData,
        }
    }

    /// Connects to `url` (SQLite path or `sqlite://`, `postgres://`,
    /// `mysql://`) and runs the bundled migrations.
    pub fn connect_and_migrate(url: &str) -> Result<Self, StorageError> {
        DbPool::connect_and_migrate(url).map(Self::new)
    }

    /// The pool, shared with the site's own handlers (manage a clone of
    /// it, or of the storage, as Rocket state): one pool for the site and
    /// the OAuth tables.
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Reads once from every table the storage uses, through the models'
    /// own queries, so that a missing table or column stops start-up with
    /// a message naming what to migrate, instead of answering `server_error`
    /// to the first request that needs it. Call it when building the
    /// server; it takes a few milliseconds.
    ///
    /// ```
    /// use oauth_diesel::StandardStorage;
    /// use oauth_diesel::migrations::{MigrationSet, run_migration_sets};
    ///
    /// let pool = oauth_diesel::DbPool::connect("sqlite://:memory:")?;
    /// let storage = StandardStorage::new(pool.clone());
    /// let e = storage.check_schema().unwrap_err();
    /// assert!(e.chain().to_string().contains("no such table: oauth2_client"), "{}", e.chain());
    /// run_migration_sets(&mut *pool.get()?, &[MigrationSet::STANDARD])?;
    /// storage.check_schema()?;
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn check_schema(&self) -> Result<(), StorageError> {
        use crate::schema::{
            oauth2_client_auth_failure as cf, oauth2_password_failure as pf,
            oauth2_user_code_failure as uf,
        };
        let mut conn = self.pool.get()?;
        let conn = &mut *conn;
        let unusable = |what: &str, hint: &str| {
            let what = what.to_owned();
            let hint = hint.to_owned();
            move |e: diesel::result::Error| {
                StorageError::new(format!("{what} cannot be read: {hint}")).with_source(e)
            }
        };
        let models = "run the site's migrations for it";
        C::find_by_client_id(conn, "").map_err(unusable("the client model's table", models))?;
        T::find_by_access_digest(conn, "").map_err(unusable("the token model's table", models))?;
        A::find_by_digest(conn, "")
            .map_err(unusable("the authorization code model's table", models))?;
        let support = "run MigrationSet::SUPPORT (or STANDARD)";
        D::find_by_device_code(conn, "", "")
            .map_err(unusable("the device code model's table", support))?;
        let _: i64 = crate::on_backend!(conn, |c| cf::table
            .filter(cf::client_address.eq(""))
            .count()
            .get_result(c))
        .map_err(unusable("oauth2_client_auth_failure", support))?;
        let _: i64 = crate::on_backend!(conn, |c| uf::table
            .filter(uf::client_address.eq(""))
            .count()
            .get_result(c))
        .map_err(unusable("oauth2_user_code_failure", support))?;
        let _: i64 = crate::on_backend!(conn, |c| pf::table
            .filter(pf::client_address.eq(""))
            .count()
            .get_result(c))
        .map_err(unusable("oauth2_password_failure", support))?;
        let _: i64 = crate::on_backend!(conn, |c| crate::schema::oauth2_used_jti::table
            .filter(crate::schema::oauth2_used_jti::jti_key.eq(""))
            .count()
            .get_result(c))
        .map_err(unusable("oauth2_used_jti", support))?;
        let _: i64 = crate::on_backend!(conn, |c| crate::schema::oauth2_pushed_request::table
            .filter(crate::schema::oauth2_pushed_request::request_uri_digest.eq(""))
            .count()
            .get_result(c))
        .map_err(unusable("oauth2_pushed_request", support))?;
        let _: i64 = crate::on_backend!(conn, |c| crate::schema::oauth2_registration_token::table
            .filter(crate::schema::oauth2_registration_token::token_digest.eq(""))
            .count()
            .get_result(c))
        .map_err(unusable("oauth2_registration_token", support))?;
        K::all(conn).map_err(unusable("the signing key model's table", support))?;
        G::find(conn, "0", "").map_err(unusable("the grant model's table", support))?;
        Ok(())
    }

    /// A refresh token's successor, saved only by the caller whose `claim`
    /// (a conditional `UPDATE` of the old token, by its digest) changed
    /// one row, in the same transaction: rotation and the grace retry.
    async fn claim_and_save<F>(
        &self,
        old_digest: &str,
        new: NewToken,
        claim: F,
    ) -> StorageResult<bool>
    where
        F: Fn(&mut crate::AnyConnection, &str) -> diesel::QueryResult<usize> + Send + 'static,
    {
        let digest = old_digest.to_owned();
        self.pool
            .transaction(move |conn| {
                if claim(conn, &digest)? != 1 {
                    return Ok(false);
                }
                T::insert(conn, &new)?;
                Ok(true)
            })
            .await
    }

    /// Withdraws what belongs to `client_id` and to `user_id` (each when
    /// given), in one transaction: the tokens (by `tokens`: revoked, or a
    /// forgotten user's deleted), the codes, the approved device codes
    /// (denied) and the grants.
    async fn withdraw<F>(
        &self,
        client_id: Option<&str>,
        user_id: Option<&str>,
        tokens: F,
    ) -> StorageResult<Withdrawn>
    where
        F: Fn(&mut crate::AnyConnection) -> diesel::QueryResult<usize> + Send + 'static,
    {
        let (client, user) = (client_id.map(str::to_owned), user_id.map(str::to_owned));
        self.pool
            .transaction(move |conn| {
                let (client, user) = (client.as_deref(), user.as_deref());
                Ok(Withdrawn {
                    tokens: tokens(conn)? as u64,
                    codes: A::delete_of(conn, client, user)? as u64,
                    device_codes: D::deny_approved_of(conn, client, user)? as u64,
                    grants: G::delete_of(conn, client, user)? as u64,
                })
            })
            .await
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

    /// Deletes a client and its registration access token (RFC 7592);
    /// whether it existed. What was issued to it stays: see
    /// [`ClientRegistry::delete_registered_client`] to withdraw that too.
    pub async fn delete_client(&self, client_id: &str) -> StorageResult<bool> {
        use crate::schema::oauth2_registration_token as r;
        let id = client_id.to_owned();
        self.pool
            .transaction(move |conn| {
                diesel::delete(r::table.filter(r::client_id.eq(&id))).execute(conn)?;
                C::delete_by_client_id(conn, &id).map(|n| n > 0)
            })
            .await
    }

    /// Deletes expired authorization codes and tokens that can no longer be
    /// used (access token expired, and refresh token absent or past
    /// `refresh_lifetime`), and grants last given before `grants_before`
    /// (`AuthorizationServer::grant_expiry`: no longer remembered, and no
    /// token issued under them alive; `None` keeps them). Rows of
    /// rotated-out refresh tokens stay until then, so that their reuse is
    /// still detected. Used JWT IDs whose JWTs have expired, and expired
    /// pushed authorization requests, go too. Call it
    /// periodically.
    pub async fn delete_expired(
        &self,
        now: i64,
        code_lifetime: i64,
        refresh_lifetime: Option<i64>,
        grants_before: Option<i64>,
    ) -> StorageResult<Cleanup> {
        self.pool
            .transaction(move |conn| {
                let codes = A::delete_issued_before(conn, now.saturating_sub(code_lifetime))?;
                let tokens = T::delete_expired(conn, now, refresh_lifetime)?;
                let device_codes = D::delete_expired(conn, now)?;
                let grants = match grants_before {
                    Some(before) => G::delete_updated_before(conn, before)?,
                    None => 0,
                };
                use crate::schema::{oauth2_pushed_request as p, oauth2_used_jti as j};
                let used_jtis =
                    diesel::delete(j::table.filter(j::expires_at.lt(now))).execute(conn)?;
                let pushed_requests =
                    diesel::delete(p::table.filter(p::expires_at.lt(now))).execute(conn)?;
                Ok(Cleanup {
                    codes,
                    tokens,
                    device_codes,
                    grants,
                    used_jtis,
                    pushed_requests,
                })
            })
            .await
    }
}

/// The token and its user in one read ([`DbPool::run_together`]): one
/// SQLite read transaction, or one trip to a blocking thread.
#[async_trait]
impl<C, T, A, D, K, G, U> UserStorage<U> for DieselStorage<C, T, A, D, K, G>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
    D: DieselDeviceCode,
    K: DieselSigningKey,
    G: DieselGrant,
    U: DieselUser,
{
    async fn find_access_token_and_user(
        &self,
        access_digest: &str,
    ) -> StorageResult<Option<(T, Option<U>)>> {
        let digest = access_digest.to_owned();
        self.pool
            .run_together(move |conn| {
                let Some(token) = T::find_by_access_digest(conn, &digest)? else {
                    return Ok(None);
                };
                let user = match token.user_id() {
                    Some(id) => U::find_by_user_id(conn, &id)?,
                    None => None,
                };
                Ok(Some((token, user)))
            })
            .await
    }

    async fn find_user(&self, user_id: &str) -> StorageResult<Option<U>> {
        let id = user_id.to_owned();
        self.pool
            .run(move |conn| U::find_by_user_id(conn, &id))
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
    /// Device codes deleted.
    pub device_codes: usize,
    /// Grants deleted.
    pub grants: usize,
    /// Expired JWT IDs forgotten.
    pub used_jtis: usize,
    /// Expired pushed authorization requests deleted.
    pub pushed_requests: usize,
}

#[async_trait]
impl<C, T, A, D, K, G> ClientRegistry for DieselStorage<C, T, A, D, K, G>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
    D: DieselDeviceCode,
    K: DieselSigningKey,
    G: DieselGrant,
{
    async fn register_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
    ) -> StorageResult<()> {
        self.insert_client(client, owner).await
    }

    async fn count_clients_of(&self, owner: &str) -> StorageResult<Option<u64>> {
        let owner = owner.to_owned();
        self.pool
            .run(move |conn| C::count_by_owner(conn, &owner))
            .await
            .map(|n| n.map(|n| u64::try_from(n).unwrap_or(0)))
    }

    fn manages_registrations(&self) -> bool {
        true
    }

    fn keeps_sealed_client_secrets(&self) -> bool {
        C::keeps_sealed_secret()
    }

    /// The client and its token row in one transaction.
    async fn register_managed_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
        registration_token_digest: String,
    ) -> StorageResult<()> {
        use crate::schema::oauth2_registration_token as r;
        self.pool
            .transaction(move |conn| {
                C::insert(conn, &client, owner.as_deref())?;
                diesel::insert_into(r::table)
                    .values((
                        r::token_digest.eq(&registration_token_digest),
                        r::client_id.eq(&client.client_id),
                    ))
                    .execute(conn)?;
                Ok(())
            })
            .await
    }

    async fn find_client_by_registration_token(
        &self,
        registration_token_digest: &str,
    ) -> StorageResult<Option<String>> {
        use crate::schema::oauth2_registration_token as r;
        let digest = registration_token_digest.to_owned();
        self.pool
            .run(move |conn| {
                r::table
                    .filter(r::token_digest.eq(&digest))
                    .select(r::client_id)
                    .first::<String>(conn)
                    .optional()
            })
            .await
    }

    async fn update_client(
        &self,
        client_id: &str,
        metadata: ClientMetadata,
        secret: SecretUpdate,
    ) -> StorageResult<bool> {
        let id = client_id.to_owned();
        self.pool
            .write(move |conn| {
                let secret = match &secret {
                    SecretUpdate::Keep => None,
                    SecretUpdate::Replace { digest, sealed } => {
                        Some((Some(digest.as_str()), sealed.as_deref()))
                    }
                    SecretUpdate::Remove => Some((None, None)),
                };
                C::update(conn, &id, &metadata, secret).map(|n| n > 0)
            })
            .await
    }

    /// One transaction: what was issued to the client is withdrawn as
    /// [`GrantStorage::revoke_client_grants`] does, then its token row and
    /// the client go.
    async fn delete_registered_client(
        &self,
        client_id: &str,
        now: i64,
    ) -> StorageResult<Option<Withdrawn>> {
        use crate::schema::oauth2_registration_token as r;
        let id = client_id.to_owned();
        self.pool
            .transaction(move |conn| {
                let withdrawn = Withdrawn {
                    tokens: T::revoke_of(conn, &id, None, now)? as u64,
                    codes: A::delete_of(conn, Some(&id), None)? as u64,
                    device_codes: D::deny_approved_of(conn, Some(&id), None)? as u64,
                    grants: G::delete_of(conn, Some(&id), None)? as u64,
                };
                diesel::delete(r::table.filter(r::client_id.eq(&id))).execute(conn)?;
                let deleted = C::delete_by_client_id(conn, &id)?;
                Ok((deleted > 0).then_some(withdrawn))
            })
            .await
    }
}

/// The failures in `$table` (a table of `schema` with the key column
/// `$column`, `client_address` and `failed_at`) after `$since`: for `$key`
/// and from `$address`, as `(key, address)` counts. Indexed reads in one
/// pooled call, narrowed to the backend so Diesel reuses its prepared
/// statements (it runs on every authentication with a secret).
macro_rules! count_failures {
    ($pool:expr, $table:ident, $column:ident, $key:expr, $address:expr, $since:expr) => {{
        use crate::schema::$table as f;
        let key = $key.to_owned();
        let address = $address.map(str::to_owned);
        let since: i64 = $since;
        $pool
            .run(move |conn| {
                let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
                let by_key: i64 = crate::on_backend!(conn, |c| f::table
                    .filter(f::$column.eq(&key))
                    .filter(f::failed_at.gt(since))
                    .count()
                    .get_result(c))?;
                let by_address: i64 = match &address {
                    Some(address) => crate::on_backend!(conn, |c| f::table
                        .filter(f::client_address.eq(address))
                        .filter(f::failed_at.gt(since))
                        .count()
                        .get_result(c))?,
                    None => 0,
                };
                Ok((count(by_key), count(by_address)))
            })
            .await
    }};
}

/// Inserts a failure into `$table` (as for [`count_failures`]) and drops
/// the key's and the address's failures older than a day (no window is
/// that long in practice; the password window may not be), so the table
/// stays small without a sweeper.
macro_rules! record_failure {
    ($pool:expr, $table:ident, $column:ident, $key:expr, $address:expr, $at:expr) => {{
        use crate::schema::$table as f;
        let key = $key.to_owned();
        let address = $address.map(str::to_owned);
        let at: i64 = $at;
        let old = at.saturating_sub(86_400);
        $pool
            .write(move |conn| {
                diesel::delete(
                    f::table
                        .filter(f::$column.eq(&key))
                        .filter(f::failed_at.lt(old)),
                )
                .execute(conn)?;
                if let Some(address) = &address {
                    diesel::delete(
                        f::table
                            .filter(f::client_address.eq(address))
                            .filter(f::failed_at.lt(old)),
                    )
                    .execute(conn)?;
                }
                diesel::insert_into(f::table)
                    .values((
                        f::$column.eq(&key),
                        f::client_address.eq(&address),
                        f::failed_at.eq(at),
                    ))
                    .execute(conn)
                    .map(drop)
            })
            .await
    }};
}

#[async_trait]
impl<C, T, A, D, K, G> OAuth2Storage for DieselStorage<C, T, A, D, K, G>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
    D: DieselDeviceCode,
    K: DieselSigningKey,
    G: DieselGrant,
{
    type Client = LoadedClient<C>;
    type Token = T;
    type AuthorizationCode = A;

    fn backend(&self) -> &str {
        self.pool.backend().name()
    }

    async fn find_client(&self, client_id: &str) -> StorageResult<Option<LoadedClient<C>>> {
        let id = client_id.to_owned();
        self.pool
            .run(move |conn| C::find_by_client_id(conn, &id).map(|row| row.map(LoadedClient::new)))
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
        self.claim_and_save(old_refresh_digest, new, move |conn, digest| {
            T::revoke_refresh_if_active(conn, digest, now)
        })
        .await
    }

    fn supports_refresh_grace(&self) -> bool {
        T::keeps_rotation_time()
    }

    fn binds_tokens_to_dpop_keys(&self) -> bool {
        T::keeps_dpop_jkt()
    }

    fn binds_codes_to_dpop_keys(&self) -> bool {
        A::keeps_dpop_jkt()
    }

    fn restricts_audiences(&self) -> bool {
        T::keeps_audience() && A::keeps_audience()
    }

    async fn retry_rotated_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        rotated_since: i64,
    ) -> StorageResult<bool> {
        self.claim_and_save(old_refresh_digest, new, move |conn, digest| {
            T::retry_rotated(conn, digest, rotated_since)
        })
        .await
    }

    async fn revoke_access_token(&self, access_digest: &str, now: i64) -> StorageResult<()> {
        let digest = access_digest.to_owned();
        self.pool
            .write(move |conn| T::revoke_access(conn, &digest, now).map(drop))
            .await
    }

    async fn revoke_grant(&self, grant_id: &str, now: i64) -> StorageResult<u64> {
        let grant = grant_id.to_owned();
        self.pool
            .write(move |conn| T::revoke_grant(conn, &grant, now).map(|n| n as u64))
            .await
    }

    /// Indexed reads in one pooled call (it runs on every authentication
    /// with a secret): per client, and per address when there is one.
    async fn count_client_auth_failures(
        &self,
        client_id: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<ClientAuthFailures> {
        let (client, address) = count_failures!(
            self.pool,
            oauth2_client_auth_failure,
            client_id,
            client_id,
            address,
            since
        )?;
        Ok(ClientAuthFailures { client, address })
    }

    async fn record_client_auth_failure(
        &self,
        client_id: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        record_failure!(
            self.pool,
            oauth2_client_auth_failure,
            client_id,
            client_id,
            address,
            at
        )
    }

    async fn count_password_failures(
        &self,
        username_digest: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<PasswordFailures> {
        let (username, address) = count_failures!(
            self.pool,
            oauth2_password_failure,
            username_digest,
            username_digest,
            address,
            since
        )?;
        Ok(PasswordFailures { username, address })
    }

    async fn record_password_failure(
        &self,
        username_digest: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        record_failure!(
            self.pool,
            oauth2_password_failure,
            username_digest,
            username_digest,
            address,
            at
        )
    }

    async fn save_pushed_request(&self, request: PushedRequest) -> StorageResult<()> {
        use crate::schema::oauth2_pushed_request as p;
        self.pool
            .write(move |conn| {
                diesel::insert_into(p::table)
                    .values((
                        p::request_uri_digest.eq(&request.request_uri_digest),
                        p::client_id.eq(&request.client_id),
                        p::params.eq(&request.params),
                        p::expires_at.eq(request.expires_at),
                    ))
                    .execute(conn)
                    .map(drop)
            })
            .await
    }

    async fn find_pushed_request(&self, digest: &str) -> StorageResult<Option<PushedRequest>> {
        use crate::schema::oauth2_pushed_request as p;
        let digest = digest.to_owned();
        self.pool
            .run(move |conn| {
                p::table
                    .filter(p::request_uri_digest.eq(&digest))
                    .select((p::client_id, p::params, p::expires_at))
                    .first::<(String, String, i64)>(conn)
                    .optional()
                    .map(|row| {
                        row.map(|(client_id, params, expires_at)| PushedRequest {
                            request_uri_digest: digest.clone(),
                            client_id,
                            params,
                            expires_at,
                        })
                    })
            })
            .await
    }

    /// Whoever's `DELETE` removed the row used the request.
    async fn take_pushed_request(&self, digest: &str) -> StorageResult<bool> {
        use crate::schema::oauth2_pushed_request as p;
        let digest = digest.to_owned();
        self.pool
            .write(move |conn| {
                diesel::delete(p::table.filter(p::request_uri_digest.eq(&digest)))
                    .execute(conn)
                    .map(|n| n == 1)
            })
            .await
    }

    /// An insert under the unique key; on a unique violation, a row that
    /// has expired is taken over by a conditional update (a `jti` may be
    /// used again once its first JWT could no longer be accepted).
    async fn record_used_jti(&self, used: &UsedJti, now: i64) -> StorageResult<bool> {
        use crate::schema::oauth2_used_jti as j;
        let used = used.clone();
        let recorded = self
            .pool
            .write(move |conn| {
                let inserted = diesel::insert_into(j::table)
                    .values((j::jti_key.eq(&used.key), j::expires_at.eq(used.expires_at)))
                    .execute(conn);
                match inserted {
                    Ok(_) => Ok(true),
                    // Used before, by this process or another.
                    Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                        let taken = diesel::update(
                            j::table
                                .filter(j::jti_key.eq(&used.key))
                                .filter(j::expires_at.lt(now)),
                        )
                        .set(j::expires_at.eq(used.expires_at))
                        .execute(conn)?;
                        Ok(taken == 1)
                    }
                    Err(e) => Err(e),
                }
            })
            .await?;
        if recorded
            && self
                .jtis_recorded
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(JTI_PURGE_EVERY)
        {
            // Housekeeping off the request's path; the next purge retries
            // what this one could not delete.
            let pool = self.pool.clone();
            tokio::spawn(async move {
                let _ = pool
                    .write(move |conn| {
                        diesel::delete(j::table.filter(j::expires_at.lt(now))).execute(conn)
                    })
                    .await;
            });
        }
        Ok(recorded)
    }
}

#[async_trait]
impl<C, T, A, D, K, G> DeviceCodeStorage for DieselStorage<C, T, A, D, K, G>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
    D: DieselDeviceCode,
    K: DieselSigningKey,
    G: DieselGrant,
{
    type DeviceCode = D;

    async fn save_device_code(&self, code: NewDeviceCode) -> StorageResult<bool> {
        self.pool
            .transaction(move |conn| {
                D::free_expired_user_code(conn, &code.user_code_digest, code.issued_at)?;
                match D::insert(conn, &code) {
                    Ok(()) => Ok(true),
                    // The user code is held by a live device code: draw another.
                    Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                        Ok(false)
                    }
                    Err(e) => Err(e),
                }
            })
            .await
    }

    async fn find_device_code_by_user_code(
        &self,
        user_code_digest: &str,
    ) -> StorageResult<Option<D>> {
        let digest = user_code_digest.to_owned();
        self.pool
            .run(move |conn| D::find_by_user_code(conn, &digest))
            .await
    }

    async fn decide_device_code(
        &self,
        user_code_digest: &str,
        decision: DeviceDecision,
        user_id: &str,
        now: i64,
    ) -> StorageResult<bool> {
        let (digest, user) = (user_code_digest.to_owned(), user_id.to_owned());

        self.pool
            .write(move |conn| D::decide(conn, &digest, decision, &user, now).map(|n| n == 1))
            .await
    }

    async fn poll_device_code(
        &self,
        device_code_digest: &str,
        client_id: &str,
        now: i64,
        slow_down_by: i64,
    ) -> StorageResult<Option<DevicePoll<D>>> {
        let (digest, client) = (device_code_digest.to_owned(), client_id.to_owned());
        self.pool
            .transaction(move |conn| {
                let too_fast = if D::poll_on_time(conn, &digest, &client, now)? == 1 {
                    false
                } else if D::poll_too_fast(conn, &digest, &client, now, slow_down_by)? == 1 {
                    true
                } else {
                    return Ok(None);
                };
                Ok(
                    D::find_by_device_code(conn, &digest, &client)?.map(|device_code| DevicePoll {
                        device_code,
                        too_fast,
                    }),
                )
            })
            .await
    }

    async fn consume_device_code(&self, device_code_digest: &str) -> StorageResult<bool> {
        let digest = device_code_digest.to_owned();
        self.pool
            .write(move |conn| D::consume(conn, &digest).map(|n| n == 1))
            .await
    }

    async fn count_user_code_failures(
        &self,
        user_id: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<UserCodeFailures> {
        use crate::schema::oauth2_user_code_failure as f;
        let user = user_id.to_owned();
        let address = address.map(str::to_owned);
        self.pool
            .write(move |conn| {
                let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
                // Entries at or before `since` no longer count: drop the
                // user's (other users' go when they are counted).
                diesel::delete(
                    f::table
                        .filter(f::user_id.eq(&user))
                        .filter(f::failed_at.le(since)),
                )
                .execute(conn)?;
                let by_user: i64 = f::table
                    .filter(f::user_id.eq(&user))
                    .count()
                    .get_result(conn)?;
                let by_address: i64 = match &address {
                    Some(address) => f::table
                        .filter(f::client_address.eq(address))
                        .filter(f::failed_at.gt(since))
                        .count()
                        .get_result(conn)?,
                    None => 0,
                };
                Ok(UserCodeFailures {
                    user: count(by_user),
                    address: count(by_address),
                })
            })
            .await
    }

    async fn record_user_code_failure(
        &self,
        user_id: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        use crate::schema::oauth2_user_code_failure as f;
        let user = user_id.to_owned();
        let address = address.map(str::to_owned);
        self.pool
            .write(move |conn| {
                diesel::insert_into(f::table)
                    .values((
                        f::user_id.eq(&user),
                        f::client_address.eq(&address),
                        f::failed_at.eq(at),
                    ))
                    .execute(conn)
                    .map(drop)
            })
            .await
    }
}

#[async_trait]
impl<C, T, A, D, K, G> SigningKeyStorage for DieselStorage<C, T, A, D, K, G>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
    D: DieselDeviceCode,
    K: DieselSigningKey,
    G: DieselGrant,
{
    async fn signing_keys(&self) -> StorageResult<Vec<StoredSigningKey>> {
        self.pool
            .run(|conn| K::all(conn))
            .await
            .map(|rows| rows.iter().map(K::to_stored).collect())
    }

    async fn save_signing_key(&self, key: StoredSigningKey) -> StorageResult<()> {
        self.pool.write(move |conn| K::insert(conn, &key)).await
    }

    async fn retire_signing_keys(
        &self,
        except: &str,
        signs_until: i64,
        published_until: i64,
    ) -> StorageResult<u64> {
        let except = except.to_owned();
        self.pool
            .write(move |conn| K::retire_all_but(conn, &except, signs_until, published_until))
            .await
            .map(|n| n as u64)
    }

    async fn delete_unpublished_signing_keys(&self, now: i64) -> StorageResult<u64> {
        self.pool
            .write(move |conn| K::delete_unpublished(conn, now))
            .await
            .map(|n| n as u64)
    }
}

/// Grants in the grant model's table; withdrawing revokes the tokens and
/// deletes the codes in the same transaction.
#[async_trait]
impl<C, T, A, D, K, G> GrantStorage for DieselStorage<C, T, A, D, K, G>
where
    C: DieselClient,
    T: DieselToken,
    A: DieselAuthorizationCode,
    D: DieselDeviceCode,
    K: DieselSigningKey,
    G: DieselGrant,
{
    type Grant = G;

    async fn find_grant(&self, user_id: &str, client_id: &str) -> StorageResult<Option<G>> {
        let (user, client) = (user_id.to_owned(), client_id.to_owned());
        self.pool
            .run(move |conn| G::find(conn, &user, &client))
            .await
    }

    async fn save_grant(&self, grant: NewGrant) -> StorageResult<()> {
        // A first grant is one insert. Otherwise the row is locked, merged
        // and written in one transaction, so concurrent consents queue on
        // the row and none is lost. (The insert comes first when there is
        // no row, so that the lock is taken on a row that exists: no gap
        // locks, on which concurrent inserts deadlock in MySQL. A consent
        // given again, the common case, is one read and one write.)
        let (user, client) = (grant.user_id.clone(), grant.client_id.clone());
        let exists = self
            .pool
            .run(move |conn| G::find(conn, &user, &client))
            .await?
            .is_some();
        let first = grant.first();
        if !exists
            && self
                .pool
                .write(move |conn| G::insert_if_absent(conn, &first))
                .await?
                == 1
        {
            return Ok(());
        }
        self.pool
            .transaction(move |conn| {
                match G::find_for_update(conn, &grant.user_id, &grant.client_id)? {
                    Some(existing) => G::update(conn, &grant.merged_into(&existing)).map(drop),
                    // Withdrawn in between: this consent is the grant now.
                    None => G::insert(conn, &grant.first()),
                }
            })
            .await
    }

    async fn grants_of(&self, user_id: &str) -> StorageResult<Vec<G>> {
        let user = user_id.to_owned();
        self.pool.run(move |conn| G::of_user(conn, &user)).await
    }

    async fn revoke_user_grant(
        &self,
        user_id: &str,
        client_id: &str,
        now: i64,
    ) -> StorageResult<Withdrawn> {
        let (user, client) = (user_id.to_owned(), client_id.to_owned());
        self.withdraw(Some(client_id), Some(user_id), move |conn| {
            T::revoke_of(conn, &client, Some(&user), now)
        })
        .await
    }

    async fn revoke_client_grants(&self, client_id: &str, now: i64) -> StorageResult<Withdrawn> {
        let client = client_id.to_owned();
        self.withdraw(Some(client_id), None, move |conn| {
            T::revoke_of(conn, &client, None, now)
        })
        .await
    }

    async fn forget_user(&self, user_id: &str) -> StorageResult<Withdrawn> {
        let user = user_id.to_owned();
        self.withdraw(None, Some(user_id), move |conn| {
            T::delete_of_user(conn, &user)
        })
        .await
    }

    async fn delete_grants_before(&self, before: i64) -> StorageResult<usize> {
        self.pool
            .write(move |conn| G::delete_updated_before(conn, before))
            .await
    }
}
