//! The OAuth 1.0a tables of [`MemoryStorage`].
//!
//! One mutex over all of them; each storage call holds it for its whole
//! duration, which gives the exactly-once guarantees of [`OAuth1Storage`]
//! within the process.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::MemoryStorage;
use crate::oauth1::models::{OAuth1ClientRecord, TemporaryCredentialRecord, TokenCredentialRecord};
use crate::oauth1::storage::{OAuth1Nonce, OAuth1Storage};
use crate::storage::StorageResult;

type NonceKey = (String, i64, String, String);

#[derive(Default)]
struct Tables {
    clients: HashMap<String, OAuth1ClientRecord>,
    temporary: HashMap<String, TemporaryCredentialRecord>,
    tokens: HashMap<String, TokenCredentialRecord>,
    nonces: HashMap<NonceKey, i64>,
    /// Purge expired nonces when the table reaches this size.
    purge_at: usize,
}

/// The OAuth 1.0a part of [`MemoryStorage`].
#[derive(Default)]
pub struct OAuth1Tables(Mutex<Tables>);

impl OAuth1Tables {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        // Each update is a few infallible map operations: a poisoned lock
        // still holds consistent tables.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl MemoryStorage {
    /// Adds or replaces an OAuth 1.0a client.
    pub fn insert_oauth1_client(&self, client: OAuth1ClientRecord) {
        self.oauth1
            .lock()
            .clients
            .insert(client.client_id.clone(), client);
    }

    /// A copy of every temporary credential (pending or authorized).
    pub fn temporary_credentials(&self) -> Vec<TemporaryCredentialRecord> {
        self.oauth1.lock().temporary.values().cloned().collect()
    }

    /// A copy of every token credential.
    pub fn token_credentials(&self) -> Vec<TokenCredentialRecord> {
        self.oauth1.lock().tokens.values().cloned().collect()
    }

    /// Revokes a token credential (deletes it); `true` if it existed.
    pub fn revoke_token_credential(&self, oauth_token: &str) -> bool {
        self.oauth1.lock().tokens.remove(oauth_token).is_some()
    }

    /// The number of nonces remembered.
    pub fn nonce_count(&self) -> usize {
        self.oauth1.lock().nonces.len()
    }
}

#[async_trait]
impl OAuth1Storage for MemoryStorage {
    type Client = OAuth1ClientRecord;
    type TemporaryCredential = TemporaryCredentialRecord;
    type TokenCredential = TokenCredentialRecord;

    async fn find_oauth1_client(
        &self,
        client_id: &str,
    ) -> StorageResult<Option<OAuth1ClientRecord>> {
        Ok(self.oauth1.lock().clients.get(client_id).cloned())
    }

    async fn save_temporary_credential(
        &self,
        credential: TemporaryCredentialRecord,
    ) -> StorageResult<()> {
        self.oauth1
            .lock()
            .temporary
            .insert(credential.oauth_token.clone(), credential);
        Ok(())
    }

    async fn find_temporary_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<TemporaryCredentialRecord>> {
        Ok(self.oauth1.lock().temporary.get(oauth_token).cloned())
    }

    async fn authorize_temporary_credential(
        &self,
        oauth_token: &str,
        user_id: &str,
        verifier_digest: &str,
        now: i64,
    ) -> StorageResult<bool> {
        let mut tables = self.oauth1.lock();
        let Some(credential) = tables.temporary.get_mut(oauth_token) else {
            return Ok(false);
        };
        if credential.verifier_digest.is_some() || credential.expires_at <= now {
            return Ok(false);
        }
        credential.user_id = Some(user_id.to_owned());
        credential.verifier_digest = Some(verifier_digest.to_owned());
        Ok(true)
    }

    async fn take_temporary_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<TemporaryCredentialRecord>> {
        Ok(self.oauth1.lock().temporary.remove(oauth_token))
    }

    async fn save_token_credential(&self, credential: TokenCredentialRecord) -> StorageResult<()> {
        self.oauth1
            .lock()
            .tokens
            .insert(credential.oauth_token.clone(), credential);
        Ok(())
    }

    async fn find_token_credential(
        &self,
        oauth_token: &str,
    ) -> StorageResult<Option<TokenCredentialRecord>> {
        Ok(self.oauth1.lock().tokens.get(oauth_token).cloned())
    }

    async fn record_nonce(&self, nonce: &OAuth1Nonce, now: i64) -> StorageResult<bool> {
        let mut tables = self.oauth1.lock();
        if tables.nonces.len() >= tables.purge_at {
            tables.nonces.retain(|_, expires_at| *expires_at >= now);
            tables.purge_at = (tables.nonces.len() * 2).max(1024);
        }
        let key = (
            nonce.client_id.clone(),
            nonce.timestamp,
            nonce.nonce.clone(),
            nonce.oauth_token.clone(),
        );
        if tables.nonces.contains_key(&key) {
            return Ok(false);
        }
        tables.nonces.insert(key, nonce.expires_at);
        Ok(true)
    }
}
