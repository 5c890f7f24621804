//! [`DeviceCodeStorage`] for [`MemoryStorage`]: device codes behind their
//! own mutex, each operation one critical section.

use std::collections::HashMap;
use std::sync::MutexGuard;

use async_trait::async_trait;

use crate::oauth2::rfc8628::{
    DeviceCodeStatus, DeviceCodeStorage, DeviceDecision, DevicePoll, NewDeviceCode,
    OAuth2DeviceCode, UserCodeFailures,
};
use crate::scope::Scope;
use crate::storage::StorageResult;

use super::MemoryStorage;

/// A device authorization as the in-memory storage keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeviceCode {
    /// What the engine issued (digests only).
    pub code: NewDeviceCode,
    /// Where it stands.
    pub status: DeviceCodeStatus,
    /// The user who answered.
    pub user_id: Option<String>,
    /// The current polling interval.
    pub interval: i64,
    /// The last poll.
    pub last_polled_at: Option<i64>,
}

impl OAuth2DeviceCode for StoredDeviceCode {
    fn client_id(&self) -> &str {
        &self.code.client_id
    }
    fn scope(&self) -> Scope {
        Scope::from_stored(&self.code.scope)
    }
    fn status(&self) -> DeviceCodeStatus {
        self.status
    }
    fn user_id(&self) -> Option<String> {
        self.user_id.clone()
    }
    fn issued_at(&self) -> i64 {
        self.code.issued_at
    }
    fn expires_at(&self) -> i64 {
        self.code.expires_at
    }
    fn interval(&self) -> i64 {
        self.interval
    }
    fn last_polled_at(&self) -> Option<i64> {
        self.last_polled_at
    }
}

#[derive(Debug, Default)]
pub(super) struct DeviceState {
    /// By device code digest.
    codes: HashMap<String, StoredDeviceCode>,
    /// User code digest → device code digest, for the live holder.
    by_user_code: HashMap<String, String>,
    /// Times of wrong user-code entries, by user.
    failures: HashMap<String, Vec<i64>>,
    /// Times of wrong user-code entries, by client address key.
    address_failures: HashMap<String, Vec<i64>>,
}

impl MemoryStorage {
    fn device_state(&self) -> MutexGuard<'_, DeviceState> {
        // As for the main lock: every update is a few infallible map
        // operations, so a poisoned lock is still consistent.
        self.device.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of every stored device authorization.
    pub fn device_codes(&self) -> Vec<StoredDeviceCode> {
        self.device_state().codes.values().cloned().collect()
    }

    /// Turns the approved, not yet consumed device codes of `client_id`
    /// (of `user_id` only, if given; of any client for a user without a
    /// client) into denied ones: a withdrawn grant issues nothing more.
    pub(super) fn deny_approved_device_codes(
        &self,
        client_id: Option<&str>,
        user_id: Option<&str>,
    ) -> u64 {
        let mut denied = 0;
        for code in self.device_state().codes.values_mut() {
            let of_client = client_id.is_none_or(|c| code.code.client_id == c);
            let of_user = user_id.is_none_or(|u| code.user_id.as_deref() == Some(u));
            if code.status == DeviceCodeStatus::Approved && of_client && of_user {
                code.status = DeviceCodeStatus::Denied;
                denied += 1;
            }
        }
        denied
    }
}

#[async_trait]
impl DeviceCodeStorage for MemoryStorage {
    type DeviceCode = StoredDeviceCode;

    async fn save_device_code(&self, code: NewDeviceCode) -> StorageResult<bool> {
        let mut state = self.device_state();
        let state = &mut *state;
        if let Some(holder) = state.by_user_code.get(&code.user_code_digest)
            && state
                .codes
                .get(holder)
                .is_some_and(|c| code.issued_at < c.code.expires_at)
        {
            return Ok(false);
        }
        if state.codes.contains_key(&code.device_code_digest) {
            return Ok(false);
        }
        state.by_user_code.insert(
            code.user_code_digest.clone(),
            code.device_code_digest.clone(),
        );
        state.codes.insert(
            code.device_code_digest.clone(),
            StoredDeviceCode {
                interval: code.interval,
                code,
                status: DeviceCodeStatus::Pending,
                user_id: None,
                last_polled_at: None,
            },
        );
        Ok(true)
    }

    async fn find_device_code_by_user_code(
        &self,
        user_code_digest: &str,
    ) -> StorageResult<Option<StoredDeviceCode>> {
        let state = self.device_state();
        Ok(state
            .by_user_code
            .get(user_code_digest)
            .and_then(|d| state.codes.get(d))
            .cloned())
    }

    async fn decide_device_code(
        &self,
        user_code_digest: &str,
        decision: DeviceDecision,
        user_id: &str,
        now: i64,
    ) -> StorageResult<bool> {
        let mut state = self.device_state();
        let state = &mut *state;
        let Some(code) = state
            .by_user_code
            .get(user_code_digest)
            .and_then(|d| state.codes.get_mut(d))
        else {
            return Ok(false);
        };
        if code.status != DeviceCodeStatus::Pending || now >= code.code.expires_at {
            return Ok(false);
        }
        code.status = decision.status();
        code.user_id = Some(user_id.to_owned());
        Ok(true)
    }

    async fn poll_device_code(
        &self,
        device_code_digest: &str,
        client_id: &str,
        now: i64,
        slow_down_by: i64,
    ) -> StorageResult<Option<DevicePoll<StoredDeviceCode>>> {
        let mut state = self.device_state();
        let Some(code) = state
            .codes
            .get_mut(device_code_digest)
            .filter(|c| c.code.client_id == client_id)
        else {
            return Ok(None);
        };
        let too_fast = code
            .last_polled_at
            .is_some_and(|last| now < last.saturating_add(code.interval));
        if too_fast {
            code.interval = code.interval.saturating_add(slow_down_by);
        }
        code.last_polled_at = Some(now);
        Ok(Some(DevicePoll {
            device_code: code.clone(),
            too_fast,
        }))
    }

    async fn consume_device_code(&self, device_code_digest: &str) -> StorageResult<bool> {
        let mut state = self.device_state();
        match state.codes.get_mut(device_code_digest) {
            Some(code) if code.status == DeviceCodeStatus::Approved => {
                code.status = DeviceCodeStatus::Consumed;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn count_user_code_failures(
        &self,
        user_id: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<UserCodeFailures> {
        fn count(map: &mut HashMap<String, Vec<i64>>, key: &str, since: i64) -> u32 {
            let Some(times) = map.get_mut(key) else {
                return 0;
            };
            times.retain(|&t| t > since);
            let count = u32::try_from(times.len()).unwrap_or(u32::MAX);
            if times.is_empty() {
                map.remove(key);
            }
            count
        }
        let mut state = self.device_state();
        Ok(UserCodeFailures {
            user: count(&mut state.failures, user_id, since),
            address: address.map_or(0, |a| count(&mut state.address_failures, a, since)),
        })
    }

    async fn record_user_code_failure(
        &self,
        user_id: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()> {
        let mut state = self.device_state();
        state
            .failures
            .entry(user_id.to_owned())
            .or_default()
            .push(at);
        if let Some(address) = address {
            state
                .address_failures
                .entry(address.to_owned())
                .or_default()
                .push(at);
        }
        Ok(())
    }
}
