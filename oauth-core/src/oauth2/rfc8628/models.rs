//! Model and storage.

use std::fmt;

use async_trait::async_trait;

use crate::scope::Scope;
use crate::storage::{OAuth2Storage, StorageResult};

/// Where a device authorization stands.
///
/// Stored as text ([`DeviceCodeStatus::as_str`]) so that a SQL storage can
/// change it with one conditional `UPDATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceCodeStatus {
    /// Issued; the user has not answered yet.
    Pending,
    /// The user approved; the next poll gets the token.
    Approved,
    /// The user denied.
    Denied,
    /// The token has been issued; the device code is spent.
    Consumed,
}

impl DeviceCodeStatus {
    /// The stored form: `pending`, `approved`, `denied` or `consumed`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceCodeStatus::Pending => "pending",
            DeviceCodeStatus::Approved => "approved",
            DeviceCodeStatus::Denied => "denied",
            DeviceCodeStatus::Consumed => "consumed",
        }
    }

    /// Parses the stored form.
    pub fn parse(text: &str) -> Option<DeviceCodeStatus> {
        match text {
            "pending" => Some(DeviceCodeStatus::Pending),
            "approved" => Some(DeviceCodeStatus::Approved),
            "denied" => Some(DeviceCodeStatus::Denied),
            "consumed" => Some(DeviceCodeStatus::Consumed),
            _ => None,
        }
    }

    /// Parses the stored form, reading anything unknown as
    /// [`DeviceCodeStatus::Denied`] so that a corrupt row fails closed.
    pub fn from_stored(text: &str) -> DeviceCodeStatus {
        DeviceCodeStatus::parse(text).unwrap_or(DeviceCodeStatus::Denied)
    }
}

impl fmt::Display for DeviceCodeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The user's answer on the verification page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceDecision {
    /// Let the device have the token.
    Approve,
    /// Refuse; the device gets `access_denied`.
    Deny,
}

impl DeviceDecision {
    /// The status the decision leads to.
    pub fn status(self) -> DeviceCodeStatus {
        match self {
            DeviceDecision::Approve => DeviceCodeStatus::Approved,
            DeviceDecision::Deny => DeviceCodeStatus::Denied,
        }
    }
}

/// A stored device authorization, as the engine reads it. Implemented on
/// the application's model (the `OAuth2DeviceCode` derive of oauth-derive
/// maps it onto a Diesel struct's columns).
pub trait OAuth2DeviceCode: Send + Sync {
    /// The client that asked.
    fn client_id(&self) -> &str;
    /// The scope the client asked for, already narrowed (§3.1).
    fn scope(&self) -> Scope;
    /// Where the authorization stands.
    fn status(&self) -> DeviceCodeStatus;
    /// The user who answered (set on approval or denial).
    fn user_id(&self) -> Option<String>;
    /// When it was issued (Unix seconds).
    fn issued_at(&self) -> i64;
    /// When the device code and user code stop working (Unix seconds).
    fn expires_at(&self) -> i64;
    /// The polling interval in seconds, raised by every `slow_down`.
    fn interval(&self) -> i64;
    /// When the client last polled, if it has.
    fn last_polled_at(&self) -> Option<i64>;

    /// Whether the codes have expired at `now`.
    fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at()
    }
}

/// A device authorization the engine has issued and storage must persist,
/// with status [`DeviceCodeStatus::Pending`], no user and no poll yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeviceCode {
    /// SHA-256 digest of the device code ([`secrets::digest`](crate::secrets::digest)).
    pub device_code_digest: String,
    /// SHA-256 digest of the normalised user code ([`normalize_user_code`](super::normalize_user_code)).
    pub user_code_digest: String,
    /// The client that asked.
    pub client_id: String,
    /// The granted scope, space-delimited.
    pub scope: String,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The polling interval in seconds.
    pub interval: i64,
}

/// What [`DeviceCodeStorage::poll_device_code`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePoll<D> {
    /// The device code as it is after the poll was recorded (new
    /// `last_polled_at`, and the raised interval if `too_fast`).
    pub device_code: D,
    /// Whether this poll came sooner than the interval after the previous
    /// one.
    pub too_fast: bool,
}

/// Persistence for the device authorization grant.
///
/// Every method that changes state is one atomic call, so that concurrent
/// requests (two polls, two browser tabs deciding) cannot both win. The
/// notes give a SQL shape for each, where a single conditional statement
/// and its affected-row count hold the guarantee.
#[async_trait]
pub trait DeviceCodeStorage: OAuth2Storage {
    /// The device code model.
    type DeviceCode: OAuth2DeviceCode;

    /// Persists a new device authorization.
    ///
    /// Returns `false`, storing nothing, if another device code that has
    /// not expired at `code.issued_at` holds the same user code digest:
    /// user codes are short enough to collide, and the engine then draws
    /// another. SQL: a unique index on the user code digest; first
    /// `UPDATE ... SET user_code_digest = NULL WHERE user_code_digest = ?
    /// AND expires_at <= ?` to free it from an expired holder, then
    /// `INSERT`, a unique violation meaning `false`.
    async fn save_device_code(&self, code: NewDeviceCode) -> StorageResult<bool>;

    /// The device code whose user code has this digest (any status, expired
    /// or not).
    async fn find_device_code_by_user_code(
        &self,
        user_code_digest: &str,
    ) -> StorageResult<Option<Self::DeviceCode>>;

    /// Records the user's decision, atomically: only a code that is still
    /// pending and not expired at `now` changes (status from
    /// [`DeviceDecision::status`], user `user_id`), and the answer is
    /// whether it did. SQL: `UPDATE ... SET status = ?, user_id = ? WHERE
    /// user_code_digest = ? AND status = 'pending' AND expires_at > ?`,
    /// `true` when one row was affected.
    async fn decide_device_code(
        &self,
        user_code_digest: &str,
        decision: DeviceDecision,
        user_id: &str,
        now: i64,
    ) -> StorageResult<bool>;

    /// Records a poll by `client_id` at `now`, atomically, and returns the
    /// code as it is afterwards; `None` if no device code has this digest
    /// *and* this client (so another client's poll changes nothing).
    ///
    /// The poll is too fast when the code was polled before and `now <
    /// last_polled_at + interval`; then the interval grows by
    /// `slow_down_by`. `last_polled_at` becomes `now` in either case. SQL,
    /// two statements that each hold a row lock:
    /// `UPDATE ... SET last_polled_at = :now WHERE device_code_digest = :d
    /// AND client_id = :c AND (last_polled_at IS NULL OR last_polled_at +
    /// polling_interval <= :now)`; if no row was affected, `UPDATE ... SET
    /// polling_interval = polling_interval + :by, last_polled_at = :now
    /// WHERE device_code_digest = :d AND client_id = :c` (affected: too
    /// fast; not affected: `None`); then `SELECT` the row.
    async fn poll_device_code(
        &self,
        device_code_digest: &str,
        client_id: &str,
        now: i64,
        slow_down_by: i64,
    ) -> StorageResult<Option<DevicePoll<Self::DeviceCode>>>;

    /// Marks an approved device code consumed, atomically, and answers
    /// whether this call did it: of any number of concurrent calls, at most
    /// one returns `true`, and so exactly one token set is issued. SQL:
    /// `UPDATE ... SET status = 'consumed' WHERE device_code_digest = ? AND
    /// status = 'approved'`, `true` when one row was affected.
    async fn consume_device_code(&self, device_code_digest: &str) -> StorageResult<bool>;

    /// The number of wrong user codes entered after `since` (exclusive) by
    /// `user_id` (from any address) and from `address` (by any user; 0
    /// when `None`), an [`address_key`](crate::oauth2::rfc6819::address_key).
    /// Entries at or before `since` may be deleted.
    async fn count_user_code_failures(
        &self,
        user_id: &str,
        address: Option<&str>,
        since: i64,
    ) -> StorageResult<UserCodeFailures>;

    /// Records that `user_id` entered a wrong user code from `address` (if
    /// known) at `at`: one failure, counted for both.
    async fn record_user_code_failure(
        &self,
        user_id: &str,
        address: Option<&str>,
        at: i64,
    ) -> StorageResult<()>;
}

/// Recent wrong user codes, as
/// [`DeviceCodeStorage::count_user_code_failures`] counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserCodeFailures {
    /// Entered by the user, from any address.
    pub user: u32,
    /// Entered from the address, by any user.
    pub address: u32,
}
