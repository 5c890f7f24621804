//! [`SigningKeyStorage`] for [`MemoryStorage`].

use std::sync::Mutex;

use async_trait::async_trait;

use super::MemoryStorage;
use crate::jose::{SigningKeyStorage, StoredSigningKey};
use crate::storage::StorageResult;

/// The signing keys of a [`MemoryStorage`].
#[derive(Debug, Default)]
pub(crate) struct KeyTable(Mutex<Vec<StoredSigningKey>>);

impl KeyTable {
    fn with<T>(&self, f: impl FnOnce(&mut Vec<StoredSigningKey>) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait]
impl SigningKeyStorage for MemoryStorage {
    async fn signing_keys(&self) -> StorageResult<Vec<StoredSigningKey>> {
        Ok(self.keys.with(|keys| keys.clone()))
    }

    async fn save_signing_key(&self, key: StoredSigningKey) -> StorageResult<()> {
        self.keys.with(|keys| keys.push(key));
        Ok(())
    }

    async fn retire_signing_keys(
        &self,
        except: &str,
        signs_until: i64,
        published_until: i64,
    ) -> StorageResult<u64> {
        Ok(self.keys.with(|keys| {
            let mut n = 0;
            for k in keys
                .iter_mut()
                .filter(|k| k.kid != except && k.signs_until.is_none())
            {
                k.signs_until = Some(signs_until);
                k.published_until = Some(published_until);
                n += 1;
            }
            n
        }))
    }

    async fn delete_unpublished_signing_keys(&self, now: i64) -> StorageResult<u64> {
        Ok(self.keys.with(|keys| {
            let before = keys.len();
            keys.retain(|k| k.published_until.is_none_or(|until| now < until));
            (before - keys.len()) as u64
        }))
    }
}
