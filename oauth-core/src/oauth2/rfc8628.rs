//! RFC 8628, OAuth 2.0 Device Authorization Grant.
//!
//! A device with no browser or keyboard (a TV, a CLI) asks the device
//! authorization endpoint for a `device_code` and a short `user_code`
//! (§3.1–3.2), shows the user code and the verification URI, and polls the
//! token endpoint with the device code (§3.4–3.5). Meanwhile the user signs
//! in on another device, types the user code into the application's
//! verification page and approves or denies (§3.3).
//!
//! The engine provides the three parts:
//!
//! - the device authorization endpoint,
//!   [`AuthorizationServer::create_device_authorization_response`];
//! - the token endpoint side, with every §3.5 error, [`DeviceCodeGrant`],
//!   registered by [`AuthorizationServer::with_device_grant`];
//! - what the verification page (`/activate`) calls for a signed-in user,
//!   rate-limited per user and per client address (§5.1),
//!   [`AuthorizationServer::lookup_user_code`],
//!   [`AuthorizationServer::approve_user_code`] and
//!   [`AuthorizationServer::deny_user_code`].
//!
//! Persistence is the [`DeviceCodeStorage`] trait; device codes and user
//! codes reach it only as SHA-256 digests, and every state change
//! (decide, poll, consume) is one atomic call.
//!
//! ```
//! use oauth_core::memory::MemoryStorage;
//! use oauth_core::{AuthorizationServer, ClientMetadata, ClientRecord, Config, ManualClock,
//!                  OAuth2Request, ScopeRequirement, DEVICE_CODE_GRANT_TYPE};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let storage = MemoryStorage::new();
//! storage.insert_client(ClientRecord::public("tv-app", ClientMetadata {
//!     grant_types: vec![DEVICE_CODE_GRANT_TYPE.into()],
//!     scope: Some("videos:watch".into()),
//!     ..ClientMetadata::default()
//! }));
//! let config = Config {
//!     verification_uri: Some("https://as.example/activate".into()),
//!     ..Config::default()
//! };
//! let clock = ManualClock::new(1_700_000_000);
//! let server = AuthorizationServer::new(storage, config).unwrap()
//!     .with_clock(clock.clone())
//!     .with_device_grant()
//!     .unwrap();
//!
//! // The device asks (§3.1) and shows the user code and URI (§3.2).
//! let asked = server.create_device_authorization_response(
//!     &OAuth2Request::post("https://as.example/device_authorization")
//!         .with_form([("client_id", "tv-app"), ("scope", "videos:watch")]),
//! ).await;
//! assert_eq!(asked.status, 200);
//! let asked = asked.json_body();
//! let device_code = asked["device_code"].as_str().unwrap();
//! let user_code = asked["user_code"].as_str().unwrap(); // like "WDJB-MJHT"
//! assert_eq!(asked["verification_uri"], "https://as.example/activate");
//!
//! // It polls (§3.4) while the user has not answered yet.
//! let poll = OAuth2Request::post("https://as.example/token").with_form([
//!     ("grant_type", DEVICE_CODE_GRANT_TYPE),
//!     ("device_code", device_code),
//!     ("client_id", "tv-app"),
//! ]);
//! let pending = server.create_token_response(&poll).await;
//! assert_eq!(pending.json_body()["error"], "authorization_pending");
//!
//! // Alice, signed in on her phone, types the code, however she likes, and
//! // sees who is asking for what before she approves (§3.3, §5.4).
//! let typed = user_code.to_lowercase().replace('-', " ");
//! // The page passes her address, for the per-address guessing limit.
//! let from = Some("192.0.2.10".parse().unwrap());
//! let shown = server.lookup_user_code("alice", from, &typed).await.unwrap();
//! assert_eq!(shown.client_id, "tv-app");
//! server.approve_user_code("alice", from, &typed).await.unwrap();
//!
//! // The next poll, an interval later, gets the token.
//! clock.advance(asked["interval"].as_i64().unwrap());
//! let granted = server.create_token_response(&poll).await;
//! assert_eq!(granted.status, 200);
//! let access_token = granted.json_body()["access_token"].as_str().unwrap().to_owned();
//! let api = OAuth2Request::get("https://api.example/videos")
//!     .with_header("Authorization", format!("Bearer {access_token}"));
//! let token = server
//!     .validate_bearer(&api, &ScopeRequirement::all_of(["videos:watch"]))
//!     .await
//!     .unwrap();
//! assert_eq!(oauth_core::OAuth2Token::user_id(&token).as_deref(), Some("alice"));
//! # });
//! ```

use std::fmt;
use std::net::IpAddr;

use async_trait::async_trait;
use rand::RngCore;

use crate::error::{OAuth2Error, StorageError};
use crate::http::{Method, OAuth2Request, OAuth2Response, add_params_to_uri};
use crate::models::OAuth2Client;
use crate::oauth2::rfc6749::client_auth::authorization_header_used;
use crate::oauth2::rfc6749::grants::{IssuedToken, TokenGrant};
use crate::oauth2::rfc6749::{error_response, method_not_allowed};
use crate::oauth2::rfc6819::address_key;
use crate::oauth2::server::{AuthorizationServer, ConfigError, TokenSpec};
use crate::scope::Scope;
use crate::secrets;
use crate::storage::{OAuth2Storage, StorageResult};

/// The grant type of the device access token request (§3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The default user code alphabet (§6.1): the 20 consonants, no vowels (so
/// no words form), no digits (nothing to confuse with `O` or `I`), all
/// typeable on a phone keyboard without modifier keys.
pub const DEFAULT_USER_CODE_ALPHABET: &str = "BCDFGHJKLMNPQRSTVWXZ";

/// How much a `slow_down` answer adds to a device code's polling interval
/// (§3.5: "MUST be increased by 5 seconds").
pub const SLOW_DOWN_INCREMENT: i64 = 5;

/// Random bytes in a device code (256 bits, like every other secret here;
/// §5.2 asks for enough entropy to make guessing impractical).
const DEVICE_CODE_BYTES: usize = 32;

/// How many user codes are drawn before giving up on finding a free one.
const USER_CODE_ATTEMPTS: usize = 8;

// ---------------------------------------------------------------------------
// Model and storage
// ---------------------------------------------------------------------------

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
    /// SHA-256 digest of the device code ([`secrets::digest`]).
    pub device_code_digest: String,
    /// SHA-256 digest of the normalised user code ([`normalize_user_code`]).
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
    /// when `None`), an [`address_key`].
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

// ---------------------------------------------------------------------------
// User codes (§6.1)
// ---------------------------------------------------------------------------

/// A fresh user code of `length` characters of `alphabet`, unformatted
/// (its normalised form).
///
/// Characters come from the OS CSPRNG by rejection sampling: a random byte
/// is used only if it is below the largest multiple of the alphabet size
/// that fits in a byte, so every character is exactly equally likely (no
/// modulo bias). An alphabet of more than 256 characters is cut to 256
/// (configurations are validated to at most 36).
pub fn generate_user_code(alphabet: &str, length: usize) -> String {
    let chars: Vec<char> = alphabet.chars().take(256).collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    // The largest multiple of n that is <= 256: bytes below it map evenly.
    let limit = 256 - 256 % n;
    let mut code = String::with_capacity(length);
    let mut drawn = 0;
    let mut buf = [0u8; 32];
    while drawn < length {
        rand::rngs::OsRng.fill_bytes(&mut buf);
        for &b in &buf {
            let b = usize::from(b);
            if b < limit && drawn < length {
                code.push(chars[b % n]);
                drawn += 1;
            }
        }
    }
    code
}

/// The form a user types or compares: ASCII upper case, with every
/// character outside `alphabet` removed (dashes, spaces, any punctuation),
/// as §6.1 recommends so that neither case nor separators matter.
///
/// ```
/// use oauth_core::oauth2::rfc8628::{normalize_user_code, DEFAULT_USER_CODE_ALPHABET};
/// assert_eq!(normalize_user_code(" wdjb-mjht\n", DEFAULT_USER_CODE_ALPHABET), "WDJBMJHT");
/// ```
pub fn normalize_user_code(input: &str, alphabet: &str) -> String {
    input
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| alphabet.contains(*c))
        .collect()
}

/// The form shown to the user: groups of at most four characters, as even
/// as possible, joined by dashes (`WDJBMJHT` → `WDJB-MJHT`, 9 characters →
/// `XXX-XXX-XXX`).
///
/// ```
/// use oauth_core::oauth2::rfc8628::format_user_code;
/// assert_eq!(format_user_code("WDJBMJHT"), "WDJB-MJHT");
/// assert_eq!(format_user_code("019450730"), "019-450-730");
/// ```
pub fn format_user_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let groups = chars.len().div_ceil(4).max(1);
    let (base, extra) = (chars.len() / groups, chars.len() % groups);
    let mut out = String::with_capacity(chars.len() + groups);
    let mut start = 0;
    for g in 0..groups {
        let size = base + usize::from(g < extra);
        if g > 0 {
            out.push('-');
        }
        out.extend(&chars[start..start + size]);
        start += size;
    }
    out
}

// ---------------------------------------------------------------------------
// The device authorization endpoint (§3.1–3.2)
// ---------------------------------------------------------------------------

/// A device authorization response (§3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorizationResponse {
    /// The device verification code, raw (storage keeps its digest).
    pub device_code: String,
    /// The user code as shown to the user (`WDJB-MJHT`).
    pub user_code: String,
    /// Where the user goes to enter it.
    pub verification_uri: String,
    /// The same with the user code in the query (§3.3.1), for a QR code or
    /// a link; the page must still show the code and ask for approval.
    pub verification_uri_complete: String,
    /// Seconds until both codes expire.
    pub expires_in: i64,
    /// Seconds the client must wait between polls.
    pub interval: i64,
}

impl DeviceAuthorizationResponse {
    /// The JSON body of §3.2.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "device_code": self.device_code,
            "user_code": self.user_code,
            "verification_uri": self.verification_uri,
            "verification_uri_complete": self.verification_uri_complete,
            "expires_in": self.expires_in,
            "interval": self.interval,
        })
    }
}

/// `base` joined with a relative `path`, as endpoint paths are joined with
/// the issuer in the RFC 8414 metadata; an absolute `path` is kept.
fn join(base: &str, path: &str) -> String {
    if path.contains("://") {
        path.to_owned()
    } else {
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

/// `scheme://authority` of an absolute URI, if it is one.
pub(crate) fn origin(uri: &str) -> Option<&str> {
    let (scheme, rest) = uri.split_once("://")?;
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if end == 0 {
        return None;
    }
    uri.get(..scheme.len() + 3 + end)
}

impl<S: DeviceCodeStorage> AuthorizationServer<S> {
    /// Registers the device code grant at the token endpoint, which also
    /// enables the device authorization endpoint.
    ///
    /// Fails if [`Config::verification_uri`](crate::Config::verification_uri)
    /// is not set: every device authorization response must name it (§3.2).
    pub fn with_device_grant(self) -> Result<Self, ConfigError> {
        if self.config.verification_uri.is_none() {
            return Err(ConfigError(
                "oauth2.verification_uri is required for the device authorization grant (RFC 8628 §3.2)"
                    .into(),
            ));
        }
        Ok(self.with_grant(DeviceCodeGrant))
    }

    /// Handles a device authorization request (§3.1): a JSON device
    /// authorization response (§3.2) or a JSON error (RFC 6749 §5.2), both
    /// with `Cache-Control: no-store`.
    ///
    /// Order of checks: POST (405 otherwise), TLS, the grant enabled,
    /// client authentication as at the token endpoint (a public client
    /// names itself with `client_id`), the client's right to the device
    /// grant type, then the scope.
    pub async fn create_device_authorization_response(
        &self,
        request: &OAuth2Request,
    ) -> OAuth2Response {
        if request.method != Method::Post {
            return method_not_allowed(&self.config);
        }
        match self.device_authorization(request).await {
            Ok(response) => OAuth2Response::json(200, &response.to_json()),
            Err((error, basic)) => error_response(&self.config, &error, basic),
        }
    }

    /// The device authorization endpoint as a typed result: the response,
    /// or the error with whether an `Authorization` header was sent.
    ///
    /// A relative `verification_uri` is made absolute against the issuer if
    /// one is configured, else against the request URI if that is absolute;
    /// otherwise it is left relative for the adapter to complete.
    pub async fn device_authorization(
        &self,
        request: &OAuth2Request,
    ) -> Result<DeviceAuthorizationResponse, (OAuth2Error, bool)> {
        let basic = authorization_header_used(request);
        let plain = |e: OAuth2Error| (e, basic);
        self.check_transport(request.secure).map_err(plain)?;
        let verification_uri = match &self.config.verification_uri {
            Some(uri) if self.grants.contains_key(DEVICE_CODE_GRANT_TYPE) => uri,
            _ => {
                return Err(plain(OAuth2Error::unsupported_grant_type(
                    "the device authorization grant is not enabled on this server",
                )));
            }
        };
        let client = self
            .authenticate_client(request)
            .await
            .map_err(|e| (e.error, e.authorization_header_used))?;
        if !client.check_grant_type(DEVICE_CODE_GRANT_TYPE) {
            return Err(plain(OAuth2Error::unauthorized_client(
                "the client is not allowed to use the device authorization grant",
            )));
        }
        let scope = self
            .resolve_scope(&client, request.form.single("scope").map_err(plain)?)
            .map_err(plain)?;

        let now = self.now();
        let device_code = secrets::random_token(DEVICE_CODE_BYTES);
        let config = &self.config;
        let mut saved = None;
        for _ in 0..USER_CODE_ATTEMPTS {
            let user_code = generate_user_code(&config.user_code_alphabet, config.user_code_length);
            let record = NewDeviceCode {
                device_code_digest: secrets::digest(&device_code),
                user_code_digest: secrets::digest(&user_code),
                client_id: client.client_id().to_owned(),
                scope: scope.to_string(),
                issued_at: now,
                expires_at: now.saturating_add(config.device_code_expires_in),
                interval: config.device_polling_interval,
            };
            if self
                .storage
                .save_device_code(record)
                .await
                .map_err(|e| plain(e.into()))?
            {
                saved = Some(user_code);
                break;
            }
        }
        let Some(user_code) = saved else {
            // Only when nearly every user code is in use: the alphabet or
            // length is too small for the traffic.
            return Err(plain(OAuth2Error::temporarily_unavailable(
                "no user code is available; try again later",
            )));
        };

        let verification_uri = match (&config.issuer, origin(&request.uri)) {
            _ if verification_uri.contains("://") => verification_uri.clone(),
            (Some(issuer), _) => join(issuer, verification_uri),
            (None, Some(origin)) => join(origin, verification_uri),
            (None, None) => verification_uri.clone(),
        };
        let user_code = format_user_code(&user_code);
        let verification_uri_complete =
            add_params_to_uri(&verification_uri, &[("user_code", &user_code)], false);
        Ok(DeviceAuthorizationResponse {
            device_code,
            user_code,
            verification_uri,
            verification_uri_complete,
            expires_in: config.device_code_expires_in,
            interval: config.device_polling_interval,
        })
    }
}

// ---------------------------------------------------------------------------
// The device access token request (§3.4–3.5)
// ---------------------------------------------------------------------------

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`.
///
/// Each poll is recorded atomically; the answer is, in this order:
/// `invalid_grant` for a device code that is unknown, issued to another
/// client or already spent; `expired_token` once it has expired;
/// `access_denied` if the user denied; `slow_down` (and an interval 5 s
/// longer from then on) for a pending code polled sooner than its interval
/// after the previous poll; `authorization_pending` otherwise; and for an
/// approved code, the token, exactly once. The first poll is never too
/// fast: the interval is between polls (§3.5).
///
/// Tokens carry the device code's digest as grant id. A spent device code
/// presented again does not revoke them (unlike an authorization code): it
/// never leaves the device, and two racing polls of one honest device are
/// the likely cause.
#[derive(Debug, Default, Clone, Copy)]
pub struct DeviceCodeGrant;

#[async_trait]
impl<S: DeviceCodeStorage> TokenGrant<S> for DeviceCodeGrant {
    fn grant_type(&self) -> &str {
        DEVICE_CODE_GRANT_TYPE
    }

    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        let raw = request.form.required("device_code")?;
        let digest = secrets::digest(raw);
        let now = server.now();
        let Some(poll) = server
            .storage
            .poll_device_code(&digest, client.client_id(), now, SLOW_DOWN_INCREMENT)
            .await?
        else {
            return Err(OAuth2Error::invalid_grant(
                "the device code is invalid or was issued to another client",
            ));
        };
        let code = poll.device_code;
        match code.status() {
            DeviceCodeStatus::Consumed => {
                return Err(OAuth2Error::invalid_grant(
                    "the device code has already been used",
                ));
            }
            _ if code.is_expired(now) => {
                return Err(OAuth2Error::expired_token("the device code has expired"));
            }
            DeviceCodeStatus::Denied => {
                return Err(OAuth2Error::access_denied(
                    "the user denied the authorization request",
                ));
            }
            DeviceCodeStatus::Pending if poll.too_fast => {
                return Err(OAuth2Error::slow_down(format!(
                    "polling too fast; wait at least {} seconds between requests",
                    code.interval()
                )));
            }
            DeviceCodeStatus::Pending => {
                return Err(OAuth2Error::authorization_pending(
                    "the user has not yet answered the authorization request",
                ));
            }
            DeviceCodeStatus::Approved => {}
        }
        let Some(user_id) = code.user_id() else {
            return Err(OAuth2Error::server_error(
                "the approved device code has no user",
            ));
        };
        if !server.storage.consume_device_code(&digest).await? {
            return Err(OAuth2Error::invalid_grant(
                "the device code has already been used",
            ));
        }
        let scope = code.scope();
        let refresh_scope = server
            .issues_refresh_token_to(client)
            .then(|| scope.clone());
        server
            .issue_token(TokenSpec {
                grant_type: DEVICE_CODE_GRANT_TYPE,
                client_id: client.client_id(),
                user_id: Some(user_id),
                scope,
                refresh_scope,
                grant_id: digest,
            })
            .await
    }
}

// ---------------------------------------------------------------------------
// User interaction (§3.3), rate-limited (§5.1)
// ---------------------------------------------------------------------------

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
    /// failures leave [`Config::user_code_failure_window`](crate::Config::user_code_failure_window).
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
    /// off as well ([`Config::user_code_max_failures_per_address`](crate::Config::user_code_max_failures_per_address)).
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
        let since = now.saturating_sub(config.user_code_failure_window);
        let address = remote_addr.map(address_key);
        let address = address.as_deref();
        let failures = self
            .storage
            .count_user_code_failures(user_id, address, since)
            .await?;
        let per_address = config.user_code_max_failures_per_address;
        if failures.user >= config.user_code_max_failures
            || (per_address > 0 && address.is_some() && failures.address >= per_address)
        {
            return Err(UserCodeError::TooManyAttempts);
        }
        let normalized = normalize_user_code(input, &config.user_code_alphabet);
        if normalized.len() != config.user_code_length {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8628_6_1_generated_codes_use_only_the_alphabet() {
        for _ in 0..200 {
            let code = generate_user_code(DEFAULT_USER_CODE_ALPHABET, 8);
            assert_eq!(code.len(), 8);
            assert!(code.chars().all(|c| DEFAULT_USER_CODE_ALPHABET.contains(c)));
        }
        assert_eq!(generate_user_code("0123456789", 9).len(), 9);
        assert_eq!(generate_user_code("", 8), "");
    }

    #[test]
    fn rfc8628_6_1_formatting_groups() {
        assert_eq!(format_user_code(""), "");
        assert_eq!(format_user_code("ABCD"), "ABCD");
        assert_eq!(format_user_code("ABCDEF"), "ABC-DEF");
        assert_eq!(format_user_code("ABCDEFGHIJ"), "ABCD-EFG-HIJ");
        assert_eq!(format_user_code("ABCDEFGHIJKL"), "ABCD-EFGH-IJKL");
    }

    #[test]
    fn origin_of_absolute_uris_only() {
        assert_eq!(
            origin("https://as.example:8443/device?x#y"),
            Some("https://as.example:8443")
        );
        assert_eq!(origin("https://as.example"), Some("https://as.example"));
        assert_eq!(origin("/device"), None);
        assert_eq!(origin("https:///x"), None);
        assert_eq!(origin("://x"), None);
        assert_eq!(origin("/a?u=https://b"), None);
    }

    #[test]
    fn status_round_trips_and_fails_closed() {
        for s in [
            DeviceCodeStatus::Pending,
            DeviceCodeStatus::Approved,
            DeviceCodeStatus::Denied,
            DeviceCodeStatus::Consumed,
        ] {
            assert_eq!(DeviceCodeStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            DeviceCodeStatus::from_stored("APPROVED"),
            DeviceCodeStatus::Denied
        );
    }
}
