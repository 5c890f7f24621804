//! User interaction (§3.3), rate-limited (§5.1).

use std::fmt;
use std::net::IpAddr;

use crate::error::StorageError;
use crate::events::{self, CutOff};
use crate::models::OAuth2Client;
use crate::oauth2::rfc6819::address_key;
use crate::oauth2::server::AuthorizationServer;
use crate::scope::Scope;
use crate::secrets;

use super::{
    DeviceCodeStatus, DeviceCodeStorage, DeviceDecision, OAuth2DeviceCode, format_user_code,
    normalize_user_code,
};

/// What the verification page shows before the user decides (§3.3, §5.4:
/// who is asking, for what, so that a user tricked into entering an
/// attacker's code can notice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDeviceAuthorization {
    /// The user code, formatted for display.
    pub user_code: String,
    /// The client that asked.
    pub client_id: String,
    /// Its display name, if it has one.
    pub client_name: Option<String>,
    /// The scope it asked for.
    pub scope: Scope,
    /// When the codes expire (Unix seconds).
    pub expires_at: i64,
}

/// Why a user code was refused on the verification page. The messages are
/// meant for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCodeError {
    /// The input does not have the shape of a user code (not counted as a
    /// failed attempt: no code was looked up).
    Malformed,
    /// No device code has this user code (counted as a failed attempt).
    NotFound,
    /// The code has expired; the device must start over (not counted: the
    /// code was real).
    Expired,
    /// The code was already approved or denied (not counted, so that a
    /// user reloading the page is not penalised).
    AlreadyDecided,
    /// Too many wrong codes lately (§5.1); the user must wait until older
    /// failures leave [`UserCodeLimit::window`](crate::config::UserCodeLimit::window).
    TooManyAttempts,
    /// Storage failed.
    Storage(StorageError),
}

impl fmt::Display for UserCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UserCodeError::Malformed => "That does not look like a code. Check it and try again.",
            UserCodeError::NotFound => "That code is not valid. Check it and try again.",
            UserCodeError::Expired => {
                "That code has expired. Start again on your device to get a new one."
            }
            UserCodeError::AlreadyDecided => "That code has already been used.",
            UserCodeError::TooManyAttempts => {
                "Too many incorrect codes. Wait a few minutes and try again."
            }
            UserCodeError::Storage(_) => "Something went wrong. Try again later.",
        })
    }
}

impl std::error::Error for UserCodeError {}

impl From<StorageError> for UserCodeError {
    fn from(e: StorageError) -> UserCodeError {
        e.log("a device verification");
        UserCodeError::Storage(e)
    }
}

impl<S: DeviceCodeStorage> AuthorizationServer<S> {
    /// Looks up a user code that `user_id` typed on the verification page,
    /// and returns what the page shows before asking for approval.
    ///
    /// The input may be in any case, with or without dashes or spaces
    /// (§6.1). A user with too many recent wrong codes is refused without
    /// a lookup; each unknown code counts as one more (§5.1). The count is
    /// read before the lookup and a failure written after it, so parallel
    /// requests of one user can overshoot the limit by those in flight.
    /// Failures are counted per client address too (`remote_addr`, when
    /// known), across users, so that one guesser with many accounts is cut
    /// off as well ([`UserCodeLimit::max_failures_per_address`](crate::config::UserCodeLimit::max_failures_per_address)).
    pub async fn lookup_user_code(
        &self,
        user_id: &str,
        remote_addr: Option<IpAddr>,
        user_code: &str,
    ) -> Result<PendingDeviceAuthorization, UserCodeError> {
        let (normalized, code) = self
            .find_pending_user_code(user_id, remote_addr, user_code)
            .await?;
        self.pending_view(&normalized, &code).await
    }

    /// Approves the device authorization of `user_code` for `user_id`; the
    /// device's next poll gets the token. Only a pending, unexpired code can
    /// be decided, once, whatever the concurrency.
    pub async fn approve_user_code(
        &self,
        user_id: &str,
        remote_addr: Option<IpAddr>,
        user_code: &str,
    ) -> Result<PendingDeviceAuthorization, UserCodeError> {
        self.decide_user_code(user_id, remote_addr, user_code, DeviceDecision::Approve)
            .await
    }

    /// Denies the device authorization of `user_code`; the device's next
    /// poll gets `access_denied`.
    pub async fn deny_user_code(
        &self,
        user_id: &str,
        remote_addr: Option<IpAddr>,
        user_code: &str,
    ) -> Result<PendingDeviceAuthorization, UserCodeError> {
        self.decide_user_code(user_id, remote_addr, user_code, DeviceDecision::Deny)
            .await
    }

    /// Records `decision` for `user_code` on behalf of `user_id`, with the
    /// same checks as [`AuthorizationServer::lookup_user_code`].
    pub async fn decide_user_code(
        &self,
        user_id: &str,
        remote_addr: Option<IpAddr>,
        user_code: &str,
        decision: DeviceDecision,
    ) -> Result<PendingDeviceAuthorization, UserCodeError> {
        let (normalized, code) = self
            .find_pending_user_code(user_id, remote_addr, user_code)
            .await?;
        let now = self.now();
        let decided = self
            .storage
            .decide_device_code(&secrets::digest(&normalized), decision, user_id, now)
            .await?;
        if !decided {
            // Someone else decided first, or it expired in between.
            return Err(if code.is_expired(now) {
                UserCodeError::Expired
            } else {
                UserCodeError::AlreadyDecided
            });
        }
        self.pending_view(&normalized, &code).await
    }

    /// The normalised user code and its pending, unexpired device code,
    /// after the per-user and per-address failure limits.
    async fn find_pending_user_code(
        &self,
        user_id: &str,
        remote_addr: Option<IpAddr>,
        input: &str,
    ) -> Result<(String, S::DeviceCode), UserCodeError> {
        let config = &self.config;
        let now = self.now();
        let since = now.saturating_sub(config.limits.user_code.window);
        let address = remote_addr.map(address_key);
        let address = address.as_deref();
        let failures = self
            .storage
            .count_user_code_failures(user_id, address, since)
            .await?;
        let per_address = config.limits.user_code.max_failures_per_address;
        let by_user = failures.user >= config.limits.user_code.max_failures;
        if by_user || (per_address > 0 && address.is_some() && failures.address >= per_address) {
            let by = if by_user {
                CutOff::User
            } else {
                CutOff::Address
            };
            events::user_code_cut_off(user_id, remote_addr, by);
            return Err(UserCodeError::TooManyAttempts);
        }
        let normalized = normalize_user_code(input, &config.device.user_code_alphabet);
        if normalized.len() != config.device.user_code_length {
            return Err(UserCodeError::Malformed);
        }
        let found = self
            .storage
            .find_device_code_by_user_code(&secrets::digest(&normalized))
            .await?;
        let Some(code) = found else {
            self.storage
                .record_user_code_failure(user_id, address, now)
                .await?;
            return Err(UserCodeError::NotFound);
        };
        if code.status() != DeviceCodeStatus::Pending {
            return Err(UserCodeError::AlreadyDecided);
        }
        if code.is_expired(now) {
            return Err(UserCodeError::Expired);
        }
        Ok((normalized, code))
    }

    async fn pending_view(
        &self,
        normalized: &str,
        code: &S::DeviceCode,
    ) -> Result<PendingDeviceAuthorization, UserCodeError> {
        let client = self.storage.find_client(code.client_id()).await?;
        Ok(PendingDeviceAuthorization {
            user_code: format_user_code(normalized),
            client_id: code.client_id().to_owned(),
            client_name: client.and_then(|c| c.client_name()),
            scope: code.scope(),
            expires_at: code.expires_at(),
        })
    }
}
