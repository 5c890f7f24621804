//! In-memory storage: for tests, examples, and single-process servers that
//! can afford to forget every token on restart.
//!
//! Every operation holds one mutex for its whole duration, which gives the
//! exactly-once guarantees of [`OAuth2Storage`] within the process.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::consent::{GrantRecord, GrantStorage, NewGrant, Withdrawn};
use crate::models::{
    Authentication, ClientMetadata, ClientRecord, NewAuthorizationCode, NewToken,
    OAuth2AuthorizationCode, OAuth2Token,
};
use crate::oauth2::rfc7591::{ClientRegistry, SecretUpdate};
use crate::scope::Scope;
use crate::storage::{
    ClientAuthFailures, OAuth2Storage, PasswordFailures, PushedRequest, StorageResult, UsedJti,
    UserStorage,
};

mod device;
mod keys;
mod oauth1;
pub use device::StoredDeviceCode;

/// A token as the in-memory storage keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredToken {
    /// What the engine issued.
    pub token: NewToken,
    /// When the access token was revoked.
    pub access_token_revoked_at: Option<i64>,
    /// When the refresh token was revoked.
    pub refresh_token_revoked_at: Option<i64>,
    /// When the refresh token was rotated out, while its grace retry is
    /// unused.
    pub refresh_token_rotated_at: Option<i64>,
}

impl OAuth2Token for StoredToken {
    fn client_id(&self) -> &str {
        &self.token.client_id
    }
    fn user_id(&self) -> Option<String> {
        self.token.user_id.clone()
    }
    fn token_type(&self) -> &str {
        &self.token.token_type
    }
    fn scope(&self) -> Scope {
        Scope::from_stored(&self.token.scope)
    }
    fn refresh_token_scope(&self) -> Scope {
        Scope::from_stored(&self.token.refresh_token_scope)
    }
    fn issued_at(&self) -> i64 {
        self.token.issued_at
    }
    fn expires_in(&self) -> i64 {
        self.token.expires_in
    }
    fn has_refresh_token(&self) -> bool {
        self.token.refresh_token_digest.is_some()
    }
    fn is_access_token_revoked(&self) -> bool {
        self.access_token_revoked_at.is_some()
    }
    fn is_refresh_token_revoked(&self) -> bool {
        self.refresh_token_revoked_at.is_some()
    }
    fn grant_id(&self) -> &str {
        &self.token.grant_id
    }
    fn authentication(&self) -> Option<Authentication> {
        self.token.authentication.clone()
    }
    fn grant_issued_at(&self) -> Option<i64> {
        self.token.grant_issued_at
    }
    fn refresh_token_revoked_at(&self) -> Option<i64> {
        self.refresh_token_revoked_at
    }
    fn refresh_token_rotated_at(&self) -> Option<i64> {
        self.refresh_token_rotated_at
    }
    fn dpop_jkt(&self) -> Option<&str> {
        self.token.dpop_jkt.as_deref()
    }
    fn audience(&self) -> Vec<String> {
        crate::oauth2::rfc8707::from_stored(self.token.audience.as_deref())
    }
    fn refresh_token_audience(&self) -> Vec<String> {
        crate::oauth2::rfc8707::from_stored(self.token.refresh_token_audience.as_deref())
    }
    fn actor(&self) -> Option<serde_json::Value> {
        self.token.actor.clone()
    }
}

impl OAuth2AuthorizationCode for NewAuthorizationCode {
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn user_id(&self) -> String {
        self.user_id.clone()
    }
    fn redirect_uri(&self) -> Option<&str> {
        self.redirect_uri.as_deref()
    }
    fn scope(&self) -> Scope {
        Scope::from_stored(&self.scope)
    }
    fn auth_time(&self) -> i64 {
        self.auth_time
    }
    fn code_challenge(&self) -> Option<&str> {
        self.code_challenge.as_deref()
    }
    fn code_challenge_method(&self) -> Option<&str> {
        self.code_challenge_method.as_deref()
    }
    fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
    fn authentication(&self) -> Option<Authentication> {
        self.authentication.clone()
    }
    fn dpop_jkt(&self) -> Option<&str> {
        self.dpop_jkt.as_deref()
    }
    fn audience(&self) -> Vec<String> {
        crate::oauth2::rfc8707::from_stored(self.audience.as_deref())
    }
}

#[derive(Default)]
struct Inner {
    clients: HashMap<String, ClientRecord>,
    codes: HashMap<String, NewAuthorizationCode>,
    tokens: Vec<StoredToken>,
    by_access: HashMap<String, usize>,
    by_refresh: HashMap<String, usize>,
    by_grant: HashMap<String, Vec<usize>>,
    /// Wrong client secrets, per client and per client address key.
    client_auth_failures: FailureLog,
    /// The owner of each client registered with one.
    client_owners: HashMap<String, String>,
    /// Registration access tokens (RFC 7592), by digest: their clients.
    registration_tokens: HashMap<String, String>,
    /// Wrong passwords, per username digest and per client address key.
    password_failures: FailureLog,
    /// The application's users, by user id ([`MemoryStorage::insert_user`]).
    users: HashMap<String, Arc<dyn Any + Send + Sync>>,
    /// Grants, by user id and client id.
    grants: HashMap<(String, String), GrantRecord>,
    /// Used JWT IDs, by key, with when they may be forgotten.
    used_jtis: HashMap<String, i64>,
    /// Pushed authorization requests, by the digest of their request_uri.
    pushed_requests: HashMap<String, PushedRequest>,
}

/// Times of failures (wrong client secrets, wrong passwords), by what
/// they were for and by the client address they came from.
#[derive(Default)]
struct FailureLog {
    by_key: HashMap<String, Vec<i64>>,
    by_address: HashMap<String, Vec<i64>>,
}

impl FailureLog {
    /// How many failures after `since`: for `key`, and from `address`.
    fn count(&self, key: &str, address: Option<&str>, since: i64) -> (u32, u32) {
        let count = |times: Option<&Vec<i64>>| {
            let n = times.map_or(0, |t| t.iter().filter(|at| **at > since).count());
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        (
            count(self.by_key.get(key)),
            address.map_or(0, |a| count(self.by_address.get(a))),
        )
    }

    /// Records a failure at `at`, keeping each list bounded: only the
    /// most recent failures can count.
    fn record(&mut self, key: &str, address: Option<&str>, at: i64) {
        fn push(times: &mut Vec<i64>, at: i64) {
            if times.len() >= 1024 {
                times.remove(0);
            }
            times.push(at);
        }
        push(self.by_key.entry(key.to_owned()).or_default(), at);
        if let Some(address) = address {
            push(self.by_address.entry(address.to_owned()).or_default(), at);
        }
    }
}

impl Inner {
    fn insert_token(&mut self, token: NewToken) {
        let idx = self.tokens.len();
        self.by_access
            .insert(token.access_token_digest.clone(), idx);
        if let Some(r) = &token.refresh_token_digest {
            self.by_refresh.insert(r.clone(), idx);
        }
        self.by_grant
            .entry(token.grant_id.clone())
            .or_default()
            .push(idx);
        self.tokens.push(StoredToken {
            token,
            access_token_revoked_at: None,
            refresh_token_revoked_at: None,
            refresh_token_rotated_at: None,
        });
    }

    /// Revokes every token `matches` accepts at `now`, ending their grace
    /// retries; how many credentials were not revoked before.
    fn revoke_where(&mut self, now: i64, matches: impl Fn(&NewToken) -> bool) -> u64 {
        let mut revoked = 0;
        for t in self.tokens.iter_mut().filter(|t| matches(&t.token)) {
            revoked += t.revoke(now);
        }
        revoked
    }

    /// Deletes the codes `matches` accepts; how many.
    fn delete_codes_where(&mut self, matches: impl Fn(&NewAuthorizationCode) -> bool) -> u64 {
        let before = self.codes.len();
        self.codes.retain(|_, c| !matches(c));
        (before - self.codes.len()) as u64
    }

    /// Deletes the tokens `matches` accepts, and indexes the rest anew;
    /// how many.
    fn delete_tokens_where(&mut self, matches: impl Fn(&NewToken) -> bool) -> u64 {
        let before = self.tokens.len();
        let kept: Vec<StoredToken> = std::mem::take(&mut self.tokens)
            .into_iter()
            .filter(|t| !matches(&t.token))
            .collect();
        self.by_access.clear();
        self.by_refresh.clear();
        self.by_grant.clear();
        for t in kept {
            let (access, refresh, rotated) = (
                t.access_token_revoked_at,
                t.refresh_token_revoked_at,
                t.refresh_token_rotated_at,
            );
            self.insert_token(t.token);
            if let Some(last) = self.tokens.last_mut() {
                last.access_token_revoked_at = access;
                last.refresh_token_revoked_at = refresh;
                last.refresh_token_rotated_at = rotated;
            }
        }
        (before - self.tokens.len()) as u64
    }
}

impl StoredToken {
    /// Revokes both halves at `now` (keeping earlier revocation times) and
    /// ends the grace retry; how many were not revoked before.
    fn revoke(&mut self, now: i64) -> u64 {
        let mut revoked = 0;
        self.refresh_token_rotated_at = None;
        if self.access_token_revoked_at.is_none() {
            self.access_token_revoked_at = Some(now);
            revoked += 1;
        }
        if self.token.refresh_token_digest.is_some() && self.refresh_token_revoked_at.is_none() {
            self.refresh_token_revoked_at = Some(now);
            revoked += 1;
        }
        revoked
    }
}

/// Storage that keeps everything in process memory.
///
/// ```
/// use oauth_core::memory::MemoryStorage;
/// use oauth_core::{ClientMetadata, ClientRecord};
///
/// let storage = MemoryStorage::new();
/// storage.insert_client(ClientRecord::confidential("app", "s3cret", ClientMetadata::default()));
/// assert_eq!(storage.token_count(), 0);
/// ```
#[derive(Default)]
pub struct MemoryStorage {
    inner: Mutex<Inner>,
    device: Mutex<device::DeviceState>,
    /// The OAuth 1.0a tables (`memory/oauth1.rs`).
    pub(crate) oauth1: oauth1::OAuth1Tables,
    /// The signing keys (`memory/keys.rs`).
    keys: keys::KeyTable,
}

impl MemoryStorage {
    /// Empty storage.
    pub fn new() -> MemoryStorage {
        MemoryStorage::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-applied update
        // (each update is a few infallible map operations), so a poisoned
        // lock is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds or replaces a client.
    pub fn insert_client(&self, client: ClientRecord) {
        self.lock().clients.insert(client.client_id.clone(), client);
    }

    /// The number of tokens stored (revoked ones included).
    pub fn token_count(&self) -> usize {
        self.lock().tokens.len()
    }

    /// The number of authorization codes stored.
    pub fn code_count(&self) -> usize {
        self.lock().codes.len()
    }

    /// A copy of every stored token, in issue order.
    pub fn tokens(&self) -> Vec<StoredToken> {
        self.lock().tokens.clone()
    }

    /// A copy of every stored authorization code.
    pub fn codes(&self) -> Vec<NewAuthorizationCode> {
        self.lock().codes.values().cloned().collect()
    }

    /// Adds or replaces the user with this id: what
    /// [`UserStorage::find_access_token_and_user`] returns, as a `U`, for
    /// the tokens that act for `user_id`.
    pub fn insert_user<U: Clone + Send + Sync + 'static>(&self, user_id: &str, user: U) {
        self.lock().users.insert(user_id.to_owned(), Arc::new(user));
    }
}

#[async_trait]
impl<U: Clone + Send + Sync + 'static> UserStorage<U> for MemoryStorage {
    async fn find_access_token_and_user(
        &self,
        access_digest: &str,
    ) -> StorageResult<Option<(StoredToken, Option<U>)>> {
        let inner = self.lock();
        let Some(&idx) = inner.by_access.get(access_digest) else {
            return Ok(None);
        };
        let token = inner.tokens[idx].clone();
        // A user stored as another type is no `U`: none.
        let user = token
            .token
            .user_id
            .as_ref()
            .and_then(|id| inner.users.get(id))
            .and_then(|u| u.downcast_ref::<U>())
            .cloned();
        Ok(Some((token, user)))
    }

    async fn find_user(&self, user_id: &str) -> StorageResult<Option<U>> {
        Ok(self
            .lock()
            .users
            .get(user_id)
            .and_then(|u| u.downcast_ref::<U>())
            .cloned())
    }
}

#[async_trait]
impl ClientRegistry for MemoryStorage {
    async fn register_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
    ) -> StorageResult<()> {
        let mut inner = self.lock();
        if let Some(owner) = owner {
            inner.client_owners.insert(client.client_id.clone(), owner);
        }
        inner.clients.insert(client.client_id.clone(), client);
        Ok(())
    }

    async fn count_clients_of(&self, owner: &str) -> StorageResult<Option<u64>> {
        let inner = self.lock();
        Ok(Some(
            inner.client_owners.values().filter(|o| *o == owner).count() as u64,
        ))
    }

    fn manages_registrations(&self) -> bool {
        true
    }

    fn keeps_sealed_client_secrets(&self) -> bool {
        true
    }

    async fn register_managed_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
        registration_token_digest: String,
    ) -> StorageResult<()> {
        let id = client.client_id.clone();
        self.register_client(client, owner).await?;
        self.lock()
            .registration_tokens
            .insert(registration_token_digest, id);
        Ok(())
    }

    async fn find_client_by_registration_token(
        &self,
        registration_token_digest: &str,
    ) -> StorageResult<Option<String>> {
        Ok(self
            .lock()
            .registration_tokens
            .get(registration_token_digest)
            .cloned())
    }

    async fn update_client(
        &self,
        client_id: &str,
        metadata: ClientMetadata,
        secret: SecretUpdate,
    ) -> StorageResult<bool> {
        let mut inner = self.lock();
        let Some(client) = inner.clients.get_mut(client_id) else {
            return Ok(false);
        };
        client.metadata = metadata;
        match secret {
            SecretUpdate::Keep => {}
            SecretUpdate::Replace { digest, sealed } => {
                client.client_secret_digest = Some(digest);
                client.client_secret_sealed = sealed;
            }
            SecretUpdate::Remove => {
                client.client_secret_digest = None;
                client.client_secret_sealed = None;
            }
        }
        Ok(true)
    }

    async fn delete_registered_client(
        &self,
        client_id: &str,
        now: i64,
    ) -> StorageResult<Option<Withdrawn>> {
        let existed = {
            let mut inner = self.lock();
            inner.registration_tokens.retain(|_, c| c != client_id);
            inner.client_owners.remove(client_id);
            inner.clients.remove(client_id).is_some()
        };
        let withdrawn = self.withdraw(Some(client_id), None, Some(now));
        Ok(existed.then_some(withdrawn))
    }
}

#[async_trait]
impl OAuth2Storage for MemoryStorage {
    type Client = ClientRecord;
    type Token = StoredToken;
    type AuthorizationCode = NewAuthorizationCode;

    fn backend(&self) -> &str {
        "memory"
    }

    async fn find_client(&self, client_id: &str) -> StorageResult<Option<ClientRecord>> {
        Ok(self.lock().clients.get(client_id).cloned())
    }

    async fn save_authorization_code(&self, code: NewAuthorizationCode) -> StorageResult<()> {
        self.lock().codes.insert(code.code_digest.clone(), code);
        Ok(())
    }

    async fn take_authorization_code(
        &self,
        code_digest: &str,
    ) -> StorageResult<Option<NewAuthorizationCode>> {
        Ok(self.lock().codes.remove(code_digest))
    }

    async fn save_token(&self, token: NewToken) -> StorageResult<()> {
        self.lock().insert_token(token);
        Ok(())
    }

    async fn find_access_token(&self, access_digest: &str) -> StorageResult<Option<StoredToken>> {
        let inner = self.lock();
        Ok(inner
            .by_access
            .get(access_digest)
            .map(|&i| inner.tokens[i].clone()))
    }

    async fn find_refresh_token(&self, refresh_digest: &str) -> StorageResult<Option<StoredToken>> {
        let inner = self.lock();
        Ok(inner
            .by_refresh
            .get(refresh_digest)
            .map(|&i| inner.tokens[i].clone()))
    }

    async fn rotate_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        now: i64,
    ) -> StorageResult<bool> {
        let mut inner = self.lock();
        let Some(&idx) = inner.by_refresh.get(old_refresh_digest) else {
            return Ok(false);
        };
        let old = &mut inner.tokens[idx];
        if old.refresh_token_revoked_at.is_some() {
            return Ok(false);
        }
        old.refresh_token_revoked_at = Some(now);
        old.refresh_token_rotated_at = Some(now);
        old.access_token_revoked_at.get_or_insert(now);
        inner.insert_token(new);
        Ok(true)
    }

    fn supports_refresh_grace(&self) -> bool {
        true
    }

    async fn retry_rotated_refresh_token(
        &self,
        old_refresh_digest: &str,
        new: NewToken,
        rotated_since: i64,
    ) -> StorageResult<bool> {
        let mut inner = self.lock();
        let Some(&idx) = inner.by_refresh.get(old_refresh_digest) else {
            return Ok(false);
        };
        let old = &mut inner.tokens[idx];
        if old
            .refresh_token_rotated_at
            .is_none_or(|at| at < rotated_since)
        {
            return Ok(false);
        }
        old.refresh_token_rotated_at = None;
        inner.insert_token(new);
        Ok(true)
    }

    async fn revoke_access_token(&self, access_digest: &str, now: i64) -> StorageResult<()> {
        let mut inner = self.lock();
        if let Some(&idx) = inner.by_access.get(access_digest) {
            inner.tokens[idx].access_token_revoked_at.get_or_insert(now);
        }
        Ok(())
    }

    async fn revoke_grant(&self, grant_id: &str, now: i64) -> StorageResult<u64> {
        let mut inner = self.lock();
        let Some(indices) = inner.by_grant.get(grant_id).cloned() else {
            return Ok(0);
        };
        Ok(indices
            .into_iter()
            .map(|idx| inner.tokens[idx].revoke(now))
            .sum())
    }

    async fn count_client_auth_failures(
        &self,
        client_id: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<ClientAuthFailures> {
        let (client, address) = self
            .lock()
            .client_auth_failures
            .count(client_id, address, since);
        Ok(ClientAuthFailures { client, address })
    }

    async fn record_client_auth_failure(
        &self,
        client_id: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        self.lock()
            .client_auth_failures
            .record(client_id, address, at);
        Ok(())
    }

    async fn count_password_failures(
        &self,
        username_digest: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<PasswordFailures> {
        let (username, address) =
            self.lock()
                .password_failures
                .count(username_digest, address, since);
        Ok(PasswordFailures { username, address })
    }

    async fn record_password_failure(
        &self,
        username_digest: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        self.lock()
            .password_failures
            .record(username_digest, address, at);
        Ok(())
    }

    async fn save_pushed_request(&self, request: PushedRequest) -> StorageResult<()> {
        let mut inner = self.lock();
        let kept = inner.pushed_requests.len();
        if kept >= 4096 && kept.is_power_of_two() {
            // A request_uri lives at most 600 s, so one that expires 600 s
            // before this one has expired by now.
            let now = request.expires_at.saturating_sub(600);
            inner.pushed_requests.retain(|_, p| p.expires_at >= now);
        }
        inner
            .pushed_requests
            .insert(request.request_uri_digest.clone(), request);
        Ok(())
    }

    async fn find_pushed_request(&self, digest: &str) -> StorageResult<Option<PushedRequest>> {
        Ok(self.lock().pushed_requests.get(digest).cloned())
    }

    async fn take_pushed_request(&self, digest: &str) -> StorageResult<bool> {
        Ok(self.lock().pushed_requests.remove(digest).is_some())
    }

    fn binds_tokens_to_dpop_keys(&self) -> bool {
        true
    }

    fn binds_codes_to_dpop_keys(&self) -> bool {
        true
    }

    fn restricts_audiences(&self) -> bool {
        true
    }

    async fn record_used_jti(&self, used: &UsedJti, now: i64) -> StorageResult<bool> {
        let mut inner = self.lock();
        // What has expired is swept once many are kept, at each doubling:
        // amortised constant time however many are live.
        let kept = inner.used_jtis.len();
        if kept >= 4096 && kept.is_power_of_two() {
            inner.used_jtis.retain(|_, expires_at| *expires_at >= now);
        }
        match inner.used_jtis.get(&used.key) {
            Some(expires_at) if *expires_at >= now => Ok(false),
            _ => {
                inner.used_jtis.insert(used.key.clone(), used.expires_at);
                Ok(true)
            }
        }
    }
}

impl MemoryStorage {
    /// Withdraws what belongs to `client_id` and to `user_id` (each when
    /// given): revokes their tokens at `now`, or deletes them when `now` is
    /// `None` (a forgotten user), deletes their codes and grants, and
    /// denies their approved device codes.
    fn withdraw(
        &self,
        client_id: Option<&str>,
        user_id: Option<&str>,
        now: Option<i64>,
    ) -> Withdrawn {
        let of = |client: &str, user: Option<&str>| {
            client_id.is_none_or(|c| c == client) && user_id.is_none_or(|u| user == Some(u))
        };
        let mut inner = self.lock();
        let tokens = match now {
            Some(now) => inner.revoke_where(now, |t| of(&t.client_id, t.user_id.as_deref())),
            None => inner.delete_tokens_where(|t| of(&t.client_id, t.user_id.as_deref())),
        };
        let codes = inner.delete_codes_where(|c| of(&c.client_id, Some(&c.user_id)));
        let before = inner.grants.len();
        inner.grants.retain(|(u, c), _| !of(c, Some(u)));
        let grants = (before - inner.grants.len()) as u64;
        drop(inner);
        Withdrawn {
            grants,
            tokens,
            codes,
            device_codes: self.deny_approved_device_codes(client_id, user_id),
        }
    }
}

#[async_trait]
impl GrantStorage for MemoryStorage {
    type Grant = GrantRecord;

    async fn find_grant(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StorageResult<Option<GrantRecord>> {
        Ok(self
            .lock()
            .grants
            .get(&(user_id.to_owned(), client_id.to_owned()))
            .cloned())
    }

    async fn save_grant(&self, grant: NewGrant) -> StorageResult<()> {
        let mut inner = self.lock();
        let key = (grant.user_id.clone(), grant.client_id.clone());
        let record = match inner.grants.get(&key) {
            Some(existing) => grant.merged_into(existing),
            None => grant.first(),
        };
        inner.grants.insert(key, record);
        Ok(())
    }

    async fn grants_of(&self, user_id: &str) -> StorageResult<Vec<GrantRecord>> {
        let mut grants: Vec<GrantRecord> = self
            .lock()
            .grants
            .values()
            .filter(|g| g.user_id == user_id)
            .cloned()
            .collect();
        grants.sort_by(|a, b| (b.updated_at, &b.client_id).cmp(&(a.updated_at, &a.client_id)));
        Ok(grants)
    }

    async fn revoke_user_grant(
        &self,
        user_id: &str,
        client_id: &str,
        now: i64,
    ) -> StorageResult<Withdrawn> {
        Ok(self.withdraw(Some(client_id), Some(user_id), Some(now)))
    }

    async fn revoke_client_grants(&self, client_id: &str, now: i64) -> StorageResult<Withdrawn> {
        Ok(self.withdraw(Some(client_id), None, Some(now)))
    }

    async fn forget_user(&self, user_id: &str) -> StorageResult<Withdrawn> {
        Ok(self.withdraw(None, Some(user_id), None))
    }

    async fn delete_grants_before(&self, before: i64) -> StorageResult<usize> {
        let mut inner = self.lock();
        let count = inner.grants.len();
        inner.grants.retain(|_, g| g.updated_at >= before);
        Ok(count - inner.grants.len())
    }
}
