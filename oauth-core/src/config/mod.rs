//! Server configuration, with Authlib's defaults, in sections.
//!
//! [`Config`] is plain data: it deserializes from the `[oauth2]` table of a
//! figment/TOML configuration, whose sub-tables are the sections
//! (`[default.oauth2.lifetimes]`, `[default.oauth2.pkce]`, ...), as node
//! oidc-provider groups its `ttl` and `features`. Every section, and every
//! key in it, may be left out. Behaviour that is code (token generators,
//! password checks, custom grants) is given to the
//! [`AuthorizationServer`](crate::AuthorizationServer) builder instead.
//!
//! ```
//! use oauth_core::{Config, config::Pkce};
//!
//! // In Rust, a section is set with its own `..Default::default()`:
//! let config = Config {
//!     pkce: Pkce { require_for_confidential_clients: true, ..Pkce::default() },
//!     ..Config::default()
//! };
//! // or field by field:
//! let mut same = Config::default();
//! same.pkce.require_for_confidential_clients = true;
//! assert_eq!(config, same);
//!
//! // The same from TOML (`Rocket.toml`'s `[default.oauth2]` table):
//! let from_toml: Config = serde_json::from_value(serde_json::json!({
//!     "pkce": { "require_for_confidential_clients": true }
//! })).unwrap();
//! assert_eq!(from_toml, config);
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::scope::Scope;

mod sections;

pub use sections::{
    Bearer, ClientSecretLimit, ConfiguredKey, ConsentSettings, Device, Dpop, Lifetimes, Limits,
    Par, PasswordLimit, Pkce, Profile, Proxy, RefreshTokens, Scopes, SigningKeys, UserCodeLimit,
};

/// The default user code alphabet (§6.1): the 20 consonants, no vowels (so
/// no words form), no digits (nothing to confuse with `O` or `I`), all
/// typeable on a phone keyboard without modifier keys.
pub const DEFAULT_USER_CODE_ALPHABET: &str = "BCDFGHJKLMNPQRSTVWXZ";

/// Configuration of the authorization server. Every field has a safe default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The issuer identifier (RFC 8414 §2): an `https` URL with no query or
    /// fragment; the server metadata and its endpoint URLs are built on it.
    pub issuer: Option<String>,
    /// Accept requests that did not arrive over TLS (false). RFC 6749 §3.1
    /// and §3.2 require TLS; switch this on only for local development.
    /// It does not admit `http://` redirect URIs: see
    /// [`Config::allow_http_redirect_uris`].
    pub insecure_transport: bool,
    /// Let clients register `http://` redirect URIs to any host (false).
    /// Without it, `http://` is admitted only to a loopback address
    /// (`127.0.0.1`, `[::1]`, `localhost`; RFC 8252 §7.3), since codes and
    /// implicit tokens would travel in clear; this is apart from
    /// [`Config::insecure_transport`], which is about requests to this
    /// server.
    pub allow_http_redirect_uris: bool,
    /// Whether the implicit grant (`response_type=token`) is available
    /// (true; clients must still register the `token` response type).
    pub implicit_grant: bool,
    /// The `realm` of `WWW-Authenticate` challenges, `Bearer` and `Basic`
    /// (none).
    pub realm: Option<String>,
    /// `error_uri` values to send, by error code.
    pub error_uris: HashMap<String, String>,
    /// How long codes and tokens live.
    pub lifetimes: Lifetimes,
    /// Refresh token issue and rotation.
    pub refresh_tokens: RefreshTokens,
    /// Remembered consent.
    pub consent: ConsentSettings,
    /// PKCE (RFC 7636).
    pub pkce: Pkce,
    /// Pushed authorization requests (RFC 9126).
    pub par: Par,
    /// DPoP proofs (RFC 9449).
    pub dpop: Dpop,
    /// Where resource requests may carry bearer tokens (RFC 6750 §2).
    pub bearer: Bearer,
    /// The scopes the server knows, and the default one.
    pub scopes: Scopes,
    /// What a reverse proxy in front of the server is trusted to say.
    pub proxy: Proxy,
    /// The device authorization grant (RFC 8628).
    pub device: Device,
    /// Limits on guessing client secrets and user codes (RFC 6819 §5.1.4.2.3,
    /// RFC 8628 §5.1).
    pub limits: Limits,
    /// Signing keys (OpenID Connect, JWT access tokens).
    pub signing_keys: SigningKeys,
    /// The secret that makes pairwise subject identifiers (OpenID Connect
    /// Core §8.1) for clients registered with `subject_type: pairwise`
    /// (none: only `public`). Every instance needs the same one, and it
    /// must never change: the identifiers would.
    pub pairwise_salt: Option<crate::secrets::PairwiseSalt>,
    /// A security profile to follow (none): `"fapi2"` turns on the FAPI
    /// 2.0 Security Profile's requirements and refuses settings that
    /// contradict them ([`oauth2::fapi2`](crate::oauth2::fapi2)).
    pub profile: Option<Profile>,
    /// The resource identifiers (RFC 8707) clients may ask tokens for with
    /// `resource`, besides the protected resource this application serves
    /// itself ([`AuthorizationServer::with_protected_resource`](crate::AuthorizationServer::with_protected_resource)):
    /// absolute URIs without fragment, compared exactly. A `resource` not
    /// among them is refused with `invalid_target`.
    pub resources: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            issuer: None,
            insecure_transport: false,
            allow_http_redirect_uris: false,
            implicit_grant: true,
            realm: None,
            error_uris: HashMap::new(),
            lifetimes: Lifetimes::default(),
            refresh_tokens: RefreshTokens::default(),
            consent: ConsentSettings::default(),
            pkce: Pkce::default(),
            par: Par::default(),
            dpop: Dpop::default(),
            bearer: Bearer::default(),
            scopes: Scopes::default(),
            proxy: Proxy::default(),
            device: Device::default(),
            limits: Limits::default(),
            signing_keys: SigningKeys::default(),
            pairwise_salt: None,
            profile: None,
            resources: Vec::new(),
        }
    }
}

impl Config {
    /// This configuration with its [`profile`](Config::profile) applied:
    /// the settings the profile fixes take its values where they were left
    /// at their defaults; a setting that contradicts it is an error naming
    /// the key. Without a profile, the configuration as it is.
    pub fn with_profile(self) -> Result<Config, String> {
        crate::oauth2::fapi2::apply(self)
    }

    /// The access token lifetime for a grant type.
    pub fn expires_in_for(&self, grant_type: &str) -> i64 {
        self.lifetimes
            .access_token_by_grant
            .get(grant_type)
            .copied()
            .unwrap_or(self.lifetimes.access_token)
    }

    /// Checks the configuration for values that cannot work, with a message
    /// that names the key (`oauth2.section.key`).
    pub fn validate(&self) -> Result<(), String> {
        if let Some(issuer) = &self.issuer
            && !self.is_issuer(issuer)
        {
            return Err(
                "oauth2.issuer must be an https URL without query or fragment (RFC 8414 §2)".into(),
            );
        }
        self.validate_lifetimes()?;
        let check_scope = |name: &str, tokens: &[String]| -> Result<(), String> {
            for t in tokens {
                if Scope::parse(t).map(|s| s.len()).unwrap_or(0) != 1 {
                    return Err(format!(
                        "oauth2.scopes.{name}: {t:?} is not a valid scope token"
                    ));
                }
            }
            Ok(())
        };
        if let Some(s) = &self.scopes.supported {
            check_scope("supported", s)?;
        }
        check_scope("default", &self.scopes.default)?;
        self.validate_device()?;
        self.validate_limits()?;
        if self.dpop.algorithms.is_empty()
            || self
                .dpop
                .algorithms
                .iter()
                .any(|a| crate::jose::supported_algorithm(a).is_none())
        {
            return Err("oauth2.dpop.algorithms must name RS256, ES256 or EdDSA".into());
        }
        if !(1..=3600).contains(&self.dpop.proof_max_age) {
            return Err("oauth2.dpop.proof_max_age must be 1 to 3600 seconds".into());
        }
        if let Some(key) = &self.dpop.nonce_key
            && crate::oauth2::rfc9449::nonce_key_bytes(key.secret()).is_none()
        {
            return Err("oauth2.dpop.nonce_key must be at least 32 bytes in base64".into());
        }
        if !(10..=3600).contains(&self.dpop.nonce_lifetime) {
            return Err("oauth2.dpop.nonce_lifetime must be 10 to 3600 seconds".into());
        }
        if !(1..=600).contains(&self.par.request_uri_lifetime) {
            return Err("oauth2.par.request_uri_lifetime must be 1 to 600 seconds".into());
        }
        if let Some(bad) = self
            .resources
            .iter()
            .find(|r| crate::oauth2::rfc8707::check_resource(r).is_err())
        {
            return Err(format!(
                "oauth2.resources: {bad:?} is not an absolute URI without fragment (RFC 8707 §2)"
            ));
        }
        self.validate_signing_keys()
    }

    /// The `[oauth2.signing_keys]` section.
    fn validate_signing_keys(&self) -> Result<(), String> {
        let k = &self.signing_keys;
        if crate::jose::supported_algorithm(&k.algorithm).is_none() {
            return Err("oauth2.signing_keys.algorithm must be RS256, ES256 or EdDSA".into());
        }
        if let Some(other) = k
            .additional_algorithms
            .iter()
            .find(|a| crate::jose::supported_algorithm(a).is_none())
        {
            return Err(format!(
                "oauth2.signing_keys.additional_algorithms: \"{other}\" is not RS256, ES256 or EdDSA"
            ));
        }
        if let Some(key) = &k.key_encryption_key
            && crate::jose::KeySealer::new(key.secret()).is_err()
        {
            return Err("oauth2.signing_keys.key_encryption_key must be 32 bytes in base64".into());
        }
        if k.publish_ahead <= 0 {
            return Err("oauth2.signing_keys.publish_ahead must be positive".into());
        }
        for (i, key) in k.keys.iter().enumerate() {
            // The message names the key by its place, never its text.
            let alg = crate::jose::supported_algorithm(&key.alg).ok_or_else(|| {
                format!("oauth2.signing_keys.keys[{i}].alg must be RS256, ES256 or EdDSA")
            })?;
            crate::jose::SigningKey::from_pem(alg, key.pem.secret()).map_err(|_| {
                format!(
                    "oauth2.signing_keys.keys[{i}].pem is not a {} private key in PEM",
                    key.alg
                )
            })?;
        }
        if !k.keys.is_empty() && !k.additional_algorithms.is_empty() {
            return Err("oauth2.signing_keys: with keys, their algorithms are the ones used; leave additional_algorithms out".into());
        }
        if k.rotate_after < 0 {
            return Err("oauth2.signing_keys.rotate_after must be 0 (never) or positive".into());
        }
        Ok(())
    }

    fn validate_lifetimes(&self) -> Result<(), String> {
        let l = &self.lifetimes;
        for (grant, secs) in &l.access_token_by_grant {
            if *secs <= 0 {
                return Err(format!(
                    "oauth2.lifetimes.access_token_by_grant.{grant} must be positive"
                ));
            }
        }
        if l.access_token <= 0 {
            return Err("oauth2.lifetimes.access_token must be positive".into());
        }
        if l.id_token <= 0 {
            return Err("oauth2.lifetimes.id_token must be positive".into());
        }
        if l.authorization_code <= 0 || l.authorization_code > 600 {
            return Err(
                "oauth2.lifetimes.authorization_code must be between 1 and 600 seconds (RFC 6749 §4.1.2)"
                    .into(),
            );
        }
        if matches!(l.refresh_token, Some(s) if s <= 0) {
            return Err("oauth2.lifetimes.refresh_token must be positive".into());
        }
        if matches!(l.refresh_token_absolute, Some(s) if s <= 0) {
            return Err("oauth2.lifetimes.refresh_token_absolute must be positive".into());
        }
        if l.device_code <= 0 {
            return Err("oauth2.lifetimes.device_code must be positive".into());
        }
        if l.refresh_token_grace_period < 0 || l.refresh_token_grace_period > 300 {
            // A retry comes within seconds; a long window would let a
            // stolen, rotated-out token in without revoking anything.
            return Err(
                "oauth2.lifetimes.refresh_token_grace_period must be between 0 and 300 seconds"
                    .into(),
            );
        }
        if matches!(self.consent.remember_for, Some(s) if s <= 0) {
            return Err("oauth2.consent.remember_for must be positive".into());
        }
        Ok(())
    }

    /// Whether the scheme is `https` (or `http` with insecure transport).
    fn transport_ok(&self, url: &Url) -> bool {
        url.scheme() == "https" || (self.insecure_transport && url.scheme() == "http")
    }

    /// RFC 8414 §2: an `https` URL with a host and no query or fragment.
    /// The `url` crate parses; what it would quietly repair (white space, a
    /// missing `//`) is refused on the text itself, since the issuer is
    /// compared as written.
    fn is_issuer(&self, issuer: &str) -> bool {
        let written_as_url = issuer
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
        written_as_url
            && is_clean(issuer)
            && Url::parse(issuer).is_ok_and(|url| {
                self.transport_ok(&url)
                    && url.host_str().is_some_and(|h| !h.is_empty())
                    && url.query().is_none()
                    && url.fragment().is_none()
                    && url.username().is_empty()
                    && url.password().is_none()
            })
    }

    /// The RFC 8628 section.
    fn validate_device(&self) -> Result<(), String> {
        let d = &self.device;
        if let Some(uri) = &d.verification_uri {
            let valid = if uri.starts_with('/') {
                // A path, joined to the issuer: `//` would start an authority.
                !uri.starts_with("//")
                    && Url::parse("https://issuer.invalid")
                        .and_then(|base| base.join(uri))
                        .is_ok_and(|url| url.fragment().is_none())
            } else {
                uri.contains("://")
                    && Url::parse(uri).is_ok_and(|url| {
                        self.transport_ok(&url)
                            && url.host_str().is_some_and(|h| !h.is_empty())
                            && url.fragment().is_none()
                    })
            };
            if !valid || !is_clean(uri) {
                return Err("oauth2.device.verification_uri must be an https URL or a path starting with /, without fragment".into());
            }
        }
        if d.polling_interval <= 0 {
            return Err("oauth2.device.polling_interval must be positive".into());
        }
        let alphabet = d.user_code_alphabet.as_bytes();
        let mut seen = [false; 128];
        for &b in alphabet {
            if !(b.is_ascii_uppercase() || b.is_ascii_digit()) || seen[usize::from(b)] {
                return Err("oauth2.device.user_code_alphabet must be distinct upper-case ASCII letters and digits".into());
            }
            seen[usize::from(b)] = true;
        }
        // RFC 8628 §5.1, §6.1: enough entropy that rate limiting makes
        // guessing infeasible; 2^20 is the floor, the default is 20^8.
        let combinations = u128::try_from(alphabet.len())
            .unwrap_or(u128::MAX)
            .saturating_pow(u32::try_from(d.user_code_length).unwrap_or(u32::MAX));
        if alphabet.len() < 2 || !(4..=32).contains(&d.user_code_length) || combinations < 1 << 20 {
            return Err("oauth2.device.user_code_length and user_code_alphabet must give 4 to 32 characters and at least 2^20 codes (RFC 8628 §6.1)".into());
        }
        Ok(())
    }

    /// The guessing limits.
    fn validate_limits(&self) -> Result<(), String> {
        let l = &self.limits;
        if !(1..=86_400).contains(&l.password.window) {
            return Err("oauth2.limits.password.window must be 1 to 86400 seconds".into());
        }
        if l.user_code.max_failures == 0 {
            return Err("oauth2.limits.user_code.max_failures must be at least 1".into());
        }
        if l.user_code.window <= 0 {
            return Err("oauth2.limits.user_code.window must be positive".into());
        }
        if l.client_secret.window <= 0 {
            return Err("oauth2.limits.client_secret.window must be positive".into());
        }
        Ok(())
    }

    pub(crate) fn error_uri(&self, code: &str) -> Option<&str> {
        self.error_uris.get(code).map(String::as_str)
    }
}

/// No white space, control characters or backslashes: the `url` crate
/// drops or rewrites them, and a configured URL is used as written.
fn is_clean(uri: &str) -> bool {
    !uri.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authlib_default_lifetimes() {
        let c = Config::default();
        assert_eq!(c.expires_in_for("authorization_code"), 864_000);
        assert_eq!(c.expires_in_for("password"), 864_000);
        assert_eq!(c.expires_in_for("client_credentials"), 864_000);
        assert_eq!(c.expires_in_for("implicit"), 3_600);
        assert_eq!(c.expires_in_for("refresh_token"), 3_600);
        assert_eq!(c.lifetimes.authorization_code, 300);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn bad_values_are_named() {
        let mut c = Config::default();
        c.lifetimes.authorization_code = 3600;
        assert!(
            c.validate()
                .unwrap_err()
                .contains("oauth2.lifetimes.authorization_code")
        );
        let mut c = Config::default();
        c.scopes.supported = Some(vec!["a b".into()]);
        assert!(
            c.validate()
                .unwrap_err()
                .contains("oauth2.scopes.supported")
        );
    }

    #[test]
    fn deserializes_partial_tables() {
        let c: Config = serde_json::from_str(
            r#"{"insecure_transport": true, "limits": {"user_code": {"window": 60}}}"#,
        )
        .unwrap();
        assert!(c.insecure_transport);
        assert_eq!(c.lifetimes.authorization_code, 300);
        // A section given in part keeps its own defaults for the rest.
        assert_eq!(c.limits.user_code.window, 60);
        assert_eq!(c.limits.user_code.max_failures, 5);
        assert_eq!(c.limits.client_secret.max_failures, 100);
        assert!(serde_json::from_str::<Config>(r#"{"no_such_option": 1}"#).is_err());
        assert!(serde_json::from_str::<Config>(r#"{"pkce": {"allow": true}}"#).is_err());
        // The flat keys of earlier versions are refused, not ignored.
        assert!(serde_json::from_str::<Config>(r#"{"allow_plain_pkce": true}"#).is_err());
    }

    #[test]
    fn rfc8628_device_settings_are_validated() {
        let c = Config::default();
        assert_eq!(c.lifetimes.device_code, 1_800);
        assert_eq!(c.device.polling_interval, 5);
        assert_eq!(c.device.user_code_length, 8);
        assert_eq!(c.device.user_code_alphabet, "BCDFGHJKLMNPQRSTVWXZ");
        assert_eq!(c.device.verification_uri, None);
        let ok = |c: Config| c.validate().is_ok();
        let with = |f: fn(&mut Config)| {
            let mut c = Config::default();
            f(&mut c);
            c
        };
        assert!(ok(with(
            |c| c.device.verification_uri = Some("/activate".into())
        )));
        assert!(ok(with(
            |c| c.device.verification_uri = Some("https://as.example/device?x=1".into())
        )));
        assert!(!ok(with(
            |c| c.device.verification_uri = Some("http://as.example/device".into())
        )));
        assert!(!ok(with(
            |c| c.device.verification_uri = Some("activate".into())
        )));
        assert!(!ok(with(
            |c| c.device.verification_uri = Some("//evil.example/a".into())
        )));
        assert!(!ok(with(
            |c| c.device.verification_uri = Some("/activate#x".into())
        )));
        assert!(!ok(with(|c| c.lifetimes.device_code = 0)));
        assert!(!ok(with(|c| c.device.polling_interval = 0)));
        assert!(!ok(with(|c| c.device.user_code_alphabet = "bcdf".into())));
        assert!(!ok(with(|c| c.device.user_code_alphabet = "BCDB".into())));
        assert!(!ok(with(|c| c.device.user_code_alphabet = "BC-D".into())));
        assert!(!ok(with(|c| c.device.user_code_length = 4)));
        assert!(ok(with(|c| {
            c.device.user_code_alphabet = "0123456789".into();
            c.device.user_code_length = 9;
        })));
        assert!(!ok(with(|c| c.device.user_code_length = 1000)));
        assert!(!ok(with(|c| c.limits.user_code.max_failures = 0)));
        assert!(!ok(with(|c| c.limits.user_code.window = 0)));
        assert!(!ok(with(|c| c.limits.password.window = 0)));
        assert!(!ok(with(|c| c.limits.password.window = 86_401)));
    }

    /// RFC 8414 §2: the issuer is an `https` URL with a host and no query
    /// or fragment. The `url` crate refuses what is not a URL at all (a
    /// broken IPv6 literal, a port that is not a number); the written form
    /// must not be one that WHATWG parsing repairs.
    #[test]
    fn rfc8414_2_issuer_is_an_https_url_without_query_or_fragment() {
        let valid = |issuer: &str| {
            Config {
                issuer: Some(issuer.into()),
                ..Config::default()
            }
            .validate()
            .is_ok()
        };
        for ok in [
            "https://as.example",
            "https://as.example/tenant",
            "https://as.example:8443",
            "https://[::1]:8443",
        ] {
            assert!(valid(ok), "{ok}");
        }
        for bad in [
            "http://as.example",
            "https://as.example?x=1",
            "https://as.example/#",
            "https://as.example?",
            "https:/as.example",
            "https:///as.example",
            "https://user@as.example",
            "https://as example",
            "https://[::1",
            "https://as.example:99999",
            "https:\\\\as.example",
            "as.example",
        ] {
            assert!(!valid(bad), "{bad}");
        }
        let insecure = Config {
            issuer: Some("http://localhost:8000".into()),
            insecure_transport: true,
            ..Config::default()
        };
        assert!(insecure.validate().is_ok());
    }
}
