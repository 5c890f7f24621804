//! The sections of [`Config`](super::Config), each a sub-table of
//! `[oauth2]` with defaults of its own, so a table given in part keeps the
//! defaults of the keys it leaves out.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::DEFAULT_USER_CODE_ALPHABET;
use crate::secrets::{DpopNonceKey, KeyEncryptionKey, PrivateKeyPem};

/// Lifetimes, in seconds (`[oauth2.lifetimes]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lifetimes {
    /// Access token lifetime for grant types not in
    /// [`Lifetimes::access_token_by_grant`] (3600).
    pub access_token: i64,
    /// Access token lifetime by grant type. Defaults (Authlib's):
    /// `authorization_code`, `password` and `client_credentials` 864000,
    /// `implicit` 3600.
    pub access_token_by_grant: HashMap<String, i64>,
    /// Authorization code lifetime (300; RFC 6749 §4.1.2 recommends at most
    /// 10 minutes).
    pub authorization_code: i64,
    /// Idle lifetime of refresh tokens: a refresh token expires this long
    /// after it was issued, so with rotation a grant unused this long ends,
    /// and each refresh starts it anew; `None` for no limit (2592000, 30
    /// days). Without rotation the one refresh token counts from its issue.
    pub refresh_token: Option<i64>,
    /// Absolute lifetime of a grant's refresh tokens, counted from the
    /// original authorization (the first token of the family) however often
    /// it is refreshed: after it, the user must authorize again (RFC 9700
    /// §4.14.2); `None` for no limit (7776000, 90 days).
    pub refresh_token_absolute: Option<i64>,
    /// Seconds after a rotation during which the rotated-out refresh token,
    /// presented again by the same client, gets one new pair instead of
    /// revoking its grant (0: off, the default). For clients that refresh
    /// from two tabs at once, or retry a refresh whose answer was lost;
    /// each rotated-out token gets one such retry. Needs a token model that
    /// keeps `refresh_token_rotated_at`.
    pub refresh_token_grace_period: i64,
    /// Lifetime of device codes and user codes (1800). Shorter gives a
    /// guesser fewer live codes to hit (RFC 8628 §5.1).
    pub device_code: i64,
    /// ID token lifetime (3600). A relying party checks it once, at login
    /// (OpenID Connect Core §3.1.3.7), so an hour is plenty.
    pub id_token: i64,
}

/// Refresh tokens (`[oauth2.refresh_tokens]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RefreshTokens {
    /// Whether refresh tokens are issued to clients that may use the
    /// `refresh_token` grant (true).
    pub issue: bool,
    /// Whether each refresh issues a new refresh token and revokes the old
    /// one (true). With rotation, presenting a rotated-out refresh token
    /// revokes every token of its grant.
    pub rotate: bool,
}

/// Remembered consent (`[oauth2.consent]`): the grants a user gave, and
/// when the consent page may be skipped because of them
/// ([`AuthorizationServer::remembered_consent`](crate::AuthorizationServer::remembered_consent)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentSettings {
    /// How long a consent is remembered after it was last given, in
    /// seconds; `None` for as long as the grant is kept (7776000, 90 days).
    pub remember_for: Option<i64>,
    /// Whether consent is remembered for public clients too (false). A
    /// public client's identity is not proven (RFC 6749 §10.2): anyone can
    /// send its `client_id` with one of its redirect URIs, so a page skipped
    /// for it would grant an impostor without the user seeing a thing.
    pub remember_public_clients: bool,
}

impl Default for ConsentSettings {
    fn default() -> ConsentSettings {
        ConsentSettings {
            remember_for: Some(7_776_000),
            remember_public_clients: false,
        }
    }
}

/// A security profile the server follows (`[oauth2] profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The FAPI 2.0 Security Profile (`"fapi2"`):
    /// [`oauth2::fapi2`](crate::oauth2::fapi2) says what it turns on.
    Fapi2,
}

/// DPoP, RFC 9449 (`[oauth2.dpop]`): proofs of possession that bind
/// tokens to a client's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Dpop {
    /// The `alg` values proofs may be signed with (`ES256`, `EdDSA`,
    /// `RS256`; RFC 9449 §4.3: asymmetric only).
    pub algorithms: Vec<String>,
    /// How old a proof's `iat` may be, in seconds (300); a proof's `jti`
    /// is remembered that long to refuse its replay (§11.1).
    pub proof_max_age: i64,
    /// Whether every token request must carry a proof (false; a client
    /// may also be registered with `dpop_bound_access_tokens`, §5.2).
    pub require: bool,
    /// When set, proofs must carry a `nonce` this server provided (§8 at
    /// the token and pushed authorization request endpoints, §9 at
    /// resources): 32 random bytes in base64, the same on every instance,
    /// which derive the nonces (none is stored). Off by default.
    pub nonce_key: Option<DpopNonceKey>,
    /// How long a nonce is accepted, in seconds (300): a new one is given
    /// out each period, and the previous period's is still accepted.
    pub nonce_lifetime: i64,
}

impl Default for Dpop {
    fn default() -> Dpop {
        Dpop {
            algorithms: vec!["ES256".into(), "EdDSA".into(), "RS256".into()],
            proof_max_age: 300,
            require: false,
            nonce_key: None,
            nonce_lifetime: 300,
        }
    }
}

/// Pushed authorization requests, RFC 9126 (`[oauth2.par]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Par {
    /// Whether every client must push its authorization requests (false;
    /// a client may also be registered with
    /// `require_pushed_authorization_requests`). RFC 9126 §5.
    pub require: bool,
    /// How long a `request_uri` may be used, in seconds (60; at most 600).
    pub request_uri_lifetime: i64,
}

impl Default for Par {
    fn default() -> Par {
        Par {
            require: false,
            request_uri_lifetime: 60,
        }
    }
}

/// PKCE, RFC 7636 (`[oauth2.pkce]`). Public clients always need it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pkce {
    /// Whether the `plain` method is accepted (false: only `S256`).
    pub allow_plain: bool,
    /// Whether confidential clients must use PKCE too (false).
    pub require_for_confidential_clients: bool,
}

/// Bearer token transport, RFC 6750 §2 (`[oauth2.bearer]`). The
/// `Authorization` header is always accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bearer {
    /// Whether a form body may carry the token (§2.2) (false).
    pub in_body: bool,
    /// Whether the query may carry the token (§2.3) (false).
    pub in_query: bool,
}

/// Scopes (`[oauth2.scopes]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scopes {
    /// The scopes the server knows; a request for any other is
    /// `invalid_scope`. `None` accepts any syntactically valid scope.
    pub supported: Option<Vec<String>>,
    /// The scope used when a request omits `scope` (RFC 6749 §3.3), before
    /// narrowing to what the client may have (empty).
    pub default: Vec<String>,
}

/// A reverse proxy in front of the server (`[oauth2.proxy]`). Switch these
/// on only behind a proxy that sets the header and drops any the client
/// sent: otherwise anyone can claim it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Proxy {
    /// Whether `X-Forwarded-Proto: https` counts as TLS (false).
    pub trust_forwarded_proto: bool,
    /// Whether the Rocket adapter takes the client's address from Rocket's
    /// `ip_header` (`X-Real-IP` unless configured otherwise) rather than
    /// from the connection (false). Without a trusted proxy, anyone could
    /// claim any address and escape the per-address limits; behind a proxy
    /// without it, every request comes from the proxy's address, and one
    /// guesser cuts every client off.
    pub trust_ip_header: bool,
}

/// The device authorization grant, RFC 8628 (`[oauth2.device]`). Its
/// lifetime is [`Lifetimes::device_code`], its guessing limit
/// [`Limits::user_code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Device {
    /// The verification page (§3.2), where users enter user codes; required
    /// to enable the grant (none). May be relative (`/activate`): it is then
    /// joined to [`Config::issuer`](super::Config::issuer), or to the request's own URL if that is
    /// absolute.
    pub verification_uri: Option<String>,
    /// Seconds a device must wait between polls (5, §3.2's default).
    pub polling_interval: i64,
    /// Significant characters in a user code (8; with the default alphabet,
    /// 34.5 bits, §6.1's example).
    pub user_code_length: usize,
    /// The characters of user codes: upper-case ASCII letters and digits,
    /// each once (`BCDFGHJKLMNPQRSTVWXZ`, §6.1: no vowels, so no words; no
    /// digits to confuse with letters). Entry is case-insensitive.
    pub user_code_alphabet: String,
}

/// Guessing limits (`[oauth2.limits.client_secret]`,
/// `[oauth2.limits.user_code]`, `[oauth2.limits.password]`) and the cap on
/// registrations (`oauth2.limits.clients_per_owner`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Wrong client secrets (RFC 6819 §5.1.4.2.3).
    pub client_secret: ClientSecretLimit,
    /// Wrong user codes (RFC 8628 §5.1).
    pub user_code: UserCodeLimit,
    /// Wrong passwords at the password grant (RFC 6749 §4.3.2).
    pub password: PasswordLimit,
    /// How many clients one owner (the user a registration policy names)
    /// may register (100; 0 for no cap), so that one account cannot fill
    /// the client table. Registrations without an owner are not capped.
    /// Checked before the insert: parallel registrations can overshoot by
    /// those in flight.
    pub clients_per_owner: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            client_secret: ClientSecretLimit::default(),
            user_code: UserCodeLimit::default(),
            password: PasswordLimit::default(),
            clients_per_owner: 100,
        }
    }
}

/// Wrong client secrets, counted in storage
/// ([`OAuth2Storage::count_client_auth_failures`](crate::OAuth2Storage::count_client_auth_failures)),
/// so the limits hold across processes and restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSecretLimit {
    /// Wrong secrets a client may be presented with, from all addresses
    /// together, within the window before it is refused, even with its
    /// right secret, until older failures leave the window (100; 0 turns
    /// this limit off). It is the backstop against guessing spread over
    /// many addresses: one address is cut off by
    /// [`ClientSecretLimit::max_failures_per_address`] long before, so
    /// locking a client out takes this many failures from more than
    /// `max_failures / max_failures_per_address` addresses.
    pub max_failures: u32,
    /// Wrong secrets one client address may present, for any clients
    /// together, within the window before that address is refused for
    /// every client (10; 0 turns this limit off). Its further attempts are
    /// not checked nor counted, so they do not add to any client's count.
    /// IPv6 addresses count by their /64 network, which one host usually
    /// has whole. Needs the address of the request
    /// ([`OAuth2Request::remote_addr`](crate::OAuth2Request::remote_addr)):
    /// behind a reverse proxy, see [`Proxy::trust_ip_header`], or every
    /// client shares the proxy's address.
    pub max_failures_per_address: u32,
    /// The window, in seconds, over which wrong secrets are counted (300).
    pub window: i64,
}

/// Wrong user codes at the verification page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserCodeLimit {
    /// Wrong user codes a user may enter within the window before being
    /// refused (5).
    pub max_failures: u32,
    /// Wrong user codes that may be entered from one client address, by
    /// any users together, within the window before that address is
    /// refused (20; 0 turns this limit off). Stops one guesser who signs in
    /// as many users; a household or office behind one address still gets
    /// four users' worth of typos. IPv6 addresses count by their /64, as
    /// for client secrets.
    pub max_failures_per_address: u32,
    /// The window, in seconds, over which wrong user codes are counted
    /// (900); a refused user may try again once older failures leave it.
    pub window: i64,
}

/// Wrong passwords at the password grant, counted in storage
/// ([`OAuth2Storage::count_password_failures`](crate::OAuth2Storage::count_password_failures))
/// per username and per client address, so the limits hold across
/// processes and restarts (RFC 6749 §4.3.2: the server MUST protect the
/// endpoint against brute force attacks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordLimit {
    /// Wrong passwords for one username, from all addresses together,
    /// within the window before the username is refused, even with its
    /// right password, until older failures leave the window (10; 0 turns
    /// this limit off). Anyone who knows a username can use this to keep
    /// its owner out of the password grant for a window; the per-address
    /// limit stops one address long before.
    pub max_failures: u32,
    /// Wrong passwords one client address may present, for any usernames
    /// together, within the window before that address is refused for
    /// every username (20; 0 turns this limit off); its further attempts
    /// are neither checked nor counted. IPv6 addresses count by their /64.
    pub max_failures_per_address: u32,
    /// The window, in seconds, over which wrong passwords are counted
    /// (900; at most a day).
    pub window: i64,
}

impl Default for PasswordLimit {
    fn default() -> PasswordLimit {
        PasswordLimit {
            max_failures: 10,
            max_failures_per_address: 20,
            window: 900,
        }
    }
}

impl Default for Lifetimes {
    fn default() -> Lifetimes {
        let access_token_by_grant = [
            ("authorization_code", 864_000),
            ("implicit", 3_600),
            ("password", 864_000),
            ("client_credentials", 864_000),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Lifetimes {
            access_token: 3_600,
            access_token_by_grant,
            authorization_code: 300,
            refresh_token: Some(2_592_000),
            refresh_token_absolute: Some(7_776_000),
            refresh_token_grace_period: 0,
            device_code: 1_800,
            id_token: 3_600,
        }
    }
}

impl Default for RefreshTokens {
    fn default() -> RefreshTokens {
        RefreshTokens {
            issue: true,
            rotate: true,
        }
    }
}

impl Default for Device {
    fn default() -> Device {
        Device {
            verification_uri: None,
            polling_interval: 5,
            user_code_length: 8,
            user_code_alphabet: DEFAULT_USER_CODE_ALPHABET.to_owned(),
        }
    }
}

impl Default for ClientSecretLimit {
    fn default() -> ClientSecretLimit {
        ClientSecretLimit {
            max_failures: 100,
            max_failures_per_address: 10,
            window: 300,
        }
    }
}

impl Default for UserCodeLimit {
    fn default() -> UserCodeLimit {
        UserCodeLimit {
            max_failures: 5,
            max_failures_per_address: 20,
            window: 900,
        }
    }
}

/// Signing keys for ID tokens and JWT access tokens
/// (`[oauth2.signing_keys]`), kept in storage and rotated
/// ([`KeyRing`](crate::jose::KeyRing)); used once the server has
/// `with_signing_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SigningKeys {
    /// The algorithm of new keys: `RS256` (the default, which OpenID
    /// Connect Core §15.1 requires every provider to support), `ES256` or
    /// `EdDSA`.
    pub algorithm: String,
    /// Further algorithms to keep keys of, for clients that register
    /// `id_token_signed_response_alg` (none by default).
    pub additional_algorithms: Vec<String>,
    /// 32 bytes in base64 that seal the private keys in storage with
    /// AES-256-GCM (none: stored in clear, with a warning at launch). Every
    /// instance on one database needs the same one.
    pub key_encryption_key: Option<KeyEncryptionKey>,
    /// Seconds a new key is in the JWK Set before it signs (3600), so that
    /// relying parties that cached the set find it.
    pub publish_ahead: i64,
    /// Seconds after which the signing key is replaced (7776000, 90 days;
    /// 0: never).
    pub rotate_after: i64,
    /// Keys managed elsewhere, instead of keys in storage: every one is
    /// published, and the first of each algorithm signs (the very first is
    /// the default). Rotation is then the operator's: add the new key
    /// after the old one, move it first once relying parties have seen it,
    /// remove the old one when its tokens have expired. None by default.
    pub keys: Vec<ConfiguredKey>,
}

impl SigningKeys {
    /// What seals private keys (and `client_secret_jwt` secrets) at rest:
    /// [`key_encryption_key`](SigningKeys::key_encryption_key), or clear
    /// without one (validated with the configuration).
    pub fn sealer(&self) -> crate::jose::KeySealer {
        self.key_encryption_key
            .as_ref()
            .and_then(|k| crate::jose::KeySealer::new(k.secret()).ok())
            .unwrap_or_else(crate::jose::KeySealer::clear)
    }
}

/// A signing key given in the configuration (`[[oauth2.signing_keys.keys]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredKey {
    /// `RS256`, `ES256` or `EdDSA`.
    pub alg: String,
    /// The private key in PEM (PKCS#8; PKCS#1 for RSA too).
    pub pem: PrivateKeyPem,
}

impl Default for SigningKeys {
    fn default() -> SigningKeys {
        SigningKeys {
            algorithm: "RS256".into(),
            additional_algorithms: Vec::new(),
            key_encryption_key: None,
            publish_ahead: 3_600,
            rotate_after: 90 * 86_400,
            keys: Vec::new(),
        }
    }
}
