//! Server configuration, with Authlib's defaults.
//!
//! [`Config`] is plain data (it deserializes from a `[oauth2]` table of a
//! figment/TOML configuration); behaviour that is code (token generators,
//! password checks, custom grants) is given to the
//! [`AuthorizationServer`](crate::AuthorizationServer) builder instead.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::scope::Scope;

/// The default user code alphabet (§6.1): the 20 consonants, no vowels (so
/// no words form), no digits (nothing to confuse with `O` or `I`), all
/// typeable on a phone keyboard without modifier keys.
pub const DEFAULT_USER_CODE_ALPHABET: &str = "BCDFGHJKLMNPQRSTVWXZ";

/// Configuration of the authorization server. Every field has a safe default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Access token lifetime in seconds, by grant type. Grant types not listed
    /// use [`Config::default_expires_in`]. Defaults (Authlib's):
    /// `authorization_code`, `password` and `client_credentials` 864000,
    /// `implicit` 3600.
    pub expires_in: HashMap<String, i64>,
    /// Lifetime for grant types not in [`Config::expires_in`] (3600).
    pub default_expires_in: i64,
    /// Authorization code lifetime in seconds (300; RFC 6749 §4.1.2
    /// recommends at most 10 minutes).
    pub authorization_code_expires_in: i64,
    /// Whether refresh tokens are issued to clients that may use the
    /// `refresh_token` grant (true).
    pub issue_refresh_tokens: bool,
    /// Whether each refresh issues a new refresh token and revokes the old
    /// one (true). With rotation, presenting a rotated-out refresh token
    /// revokes every token of its grant.
    pub rotate_refresh_tokens: bool,
    /// Refresh token lifetime in seconds, counted from the issue of the token
    /// it belongs to; `None` for no limit (2592000, 30 days).
    pub refresh_token_expires_in: Option<i64>,
    /// Whether PKCE `plain` is accepted (false: only `S256`).
    pub allow_plain_pkce: bool,
    /// Whether confidential clients must use PKCE too (false; public clients
    /// always must).
    pub require_pkce_for_confidential_clients: bool,
    /// Whether resource requests may carry the bearer token in a form body
    /// (RFC 6750 §2.2) (false: only the `Authorization` header).
    pub bearer_token_in_body: bool,
    /// Whether resource requests may carry the bearer token in the query
    /// (RFC 6750 §2.3) (false).
    pub bearer_token_in_query: bool,
    /// `error_uri` values to send, by error code.
    pub error_uris: HashMap<String, String>,
    /// The scopes the server knows; a request for any other is
    /// `invalid_scope`. `None` accepts any syntactically valid scope.
    pub scopes_supported: Option<Vec<String>>,
    /// The scope used when a request omits `scope` (RFC 6749 §3.3), before
    /// narrowing to what the client may have (empty).
    pub default_scope: Vec<String>,
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
    /// The `realm` of `WWW-Authenticate` challenges (none).
    pub realm: Option<String>,
    /// Whether the implicit grant (`response_type=token`) is available
    /// (true; clients must still register the `token` response type).
    pub implicit_grant: bool,
    /// The issuer identifier (RFC 8414 §2): an `https` URL with no query or
    /// fragment; the server metadata and its endpoint URLs are built on it.
    pub issuer: Option<String>,
    /// Whether `X-Forwarded-Proto: https` from a reverse proxy counts as TLS
    /// (false; switch on only behind a proxy that sets it).
    pub trust_forwarded_proto: bool,
    /// Whether the Rocket adapter takes the client's address from Rocket's
    /// `ip_header` (`X-Real-IP` unless configured otherwise) rather than
    /// from the connection (false). Switch on only behind a reverse proxy
    /// that sets that header and drops any the client sent: otherwise
    /// anyone can claim any address and escape the per-address limits.
    /// Without it, behind a proxy, every request comes from the proxy's
    /// address, and one guesser cuts every client off.
    pub trust_ip_header: bool,
    /// The verification page of the device authorization grant (RFC 8628
    /// §3.2), where users enter user codes; required to enable the grant
    /// (none). May be relative (`/activate`): it is then joined to
    /// [`Config::issuer`], or to the request's own URL if that is absolute.
    pub verification_uri: Option<String>,
    /// Lifetime of device codes and user codes in seconds (1800). Shorter
    /// gives a guesser fewer live codes to hit (RFC 8628 §5.1).
    pub device_code_expires_in: i64,
    /// Seconds a device must wait between polls (5, RFC 8628 §3.2's default).
    pub device_polling_interval: i64,
    /// Significant characters in a user code (8; with the default alphabet,
    /// 34.5 bits, RFC 8628 §6.1's example).
    pub user_code_length: usize,
    /// The characters of user codes: upper-case ASCII letters and digits,
    /// each once (`BCDFGHJKLMNPQRSTVWXZ`, RFC 8628 §6.1: no vowels, so no
    /// words; no digits to confuse with letters). Entry is case-insensitive.
    pub user_code_alphabet: String,
    /// Wrong user codes a user may enter within
    /// [`Config::user_code_failure_window`] before being refused (5,
    /// RFC 8628 §5.1).
    pub user_code_max_failures: u32,
    /// Wrong user codes that may be entered from one client address, by
    /// any users together, within [`Config::user_code_failure_window`]
    /// before that address is refused (20; 0 turns this limit off). Stops
    /// one guesser who signs in as many users; a household or office behind
    /// one address still gets four users' worth of typos. IPv6 addresses
    /// count by their /64, as for client secrets.
    pub user_code_max_failures_per_address: u32,
    /// The window, in seconds, over which wrong user codes are counted
    /// (900); a refused user may try again once older failures leave it.
    pub user_code_failure_window: i64,
    /// Wrong client secrets a client may be presented with, from all
    /// addresses together, within [`Config::client_auth_failure_window`]
    /// before it is refused, even with its right secret, until older
    /// failures leave the window (100; 0 turns this limit off). The count
    /// is kept in storage
    /// ([`OAuth2Storage::count_client_auth_failures`](crate::OAuth2Storage::count_client_auth_failures)),
    /// so it holds across processes and restarts. It is the backstop
    /// against guessing spread over many addresses: one address is cut off
    /// by [`Config::client_auth_max_failures_per_address`] long before, so
    /// locking a client out takes this many failures from more than
    /// `client_auth_max_failures / client_auth_max_failures_per_address`
    /// addresses.
    pub client_auth_max_failures: u32,
    /// Wrong client secrets one client address may present, for any
    /// clients together, within [`Config::client_auth_failure_window`]
    /// before that address is refused for every client (10; 0 turns this
    /// limit off). Its further attempts are not checked nor counted, so
    /// they do not add to any client's count. IPv6 addresses count by
    /// their /64 network, which one host usually has whole. Needs the
    /// address of the request
    /// ([`OAuth2Request::remote_addr`](crate::OAuth2Request::remote_addr)):
    /// behind a reverse proxy, see [`Config::trust_ip_header`], or every
    /// client shares the proxy's address.
    pub client_auth_max_failures_per_address: u32,
    /// The window, in seconds, over which wrong client secrets are counted
    /// (300).
    pub client_auth_failure_window: i64,
}

impl Default for Config {
    fn default() -> Config {
        let expires_in = [
            ("authorization_code", 864_000),
            ("implicit", 3_600),
            ("password", 864_000),
            ("client_credentials", 864_000),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Config {
            expires_in,
            default_expires_in: 3_600,
            authorization_code_expires_in: 300,
            issue_refresh_tokens: true,
            rotate_refresh_tokens: true,
            refresh_token_expires_in: Some(2_592_000),
            allow_plain_pkce: false,
            require_pkce_for_confidential_clients: false,
            bearer_token_in_body: false,
            bearer_token_in_query: false,
            error_uris: HashMap::new(),
            scopes_supported: None,
            default_scope: Vec::new(),
            insecure_transport: false,
            allow_http_redirect_uris: false,
            realm: None,
            implicit_grant: true,
            issuer: None,
            trust_forwarded_proto: false,
            trust_ip_header: false,
            verification_uri: None,
            device_code_expires_in: 1_800,
            device_polling_interval: 5,
            user_code_length: 8,
            user_code_alphabet: DEFAULT_USER_CODE_ALPHABET.to_owned(),
            user_code_max_failures: 5,
            user_code_max_failures_per_address: 20,
            user_code_failure_window: 900,
            client_auth_max_failures: 100,
            client_auth_max_failures_per_address: 10,
            client_auth_failure_window: 300,
        }
    }
}

impl Config {
    /// The access token lifetime for a grant type.
    pub fn expires_in_for(&self, grant_type: &str) -> i64 {
        self.expires_in
            .get(grant_type)
            .copied()
            .unwrap_or(self.default_expires_in)
    }

    /// Checks the configuration for values that cannot work, with a message
    /// that names the field.
    pub fn validate(&self) -> Result<(), String> {
        for (grant, secs) in &self.expires_in {
            if *secs <= 0 {
                return Err(format!("oauth2.expires_in.{grant} must be positive"));
            }
        }
        if self.default_expires_in <= 0 {
            return Err("oauth2.default_expires_in must be positive".into());
        }
        if self.authorization_code_expires_in <= 0 || self.authorization_code_expires_in > 600 {
            return Err(
                "oauth2.authorization_code_expires_in must be between 1 and 600 seconds (RFC 6749 §4.1.2)"
                    .into(),
            );
        }
        if matches!(self.refresh_token_expires_in, Some(s) if s <= 0) {
            return Err("oauth2.refresh_token_expires_in must be positive".into());
        }
        let check_scope = |name: &str, tokens: &[String]| -> Result<(), String> {
            for t in tokens {
                if Scope::parse(t).map(|s| s.len()).unwrap_or(0) != 1 {
                    return Err(format!("oauth2.{name}: {t:?} is not a valid scope token"));
                }
            }
            Ok(())
        };
        if let Some(s) = &self.scopes_supported {
            check_scope("scopes_supported", s)?;
        }
        check_scope("default_scope", &self.default_scope)?;
        if let Some(issuer) = &self.issuer
            && !self.is_issuer(issuer)
        {
            return Err(
                "oauth2.issuer must be an https URL without query or fragment (RFC 8414 §2)".into(),
            );
        }
        self.validate_device()
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

    /// The RFC 8628 fields.
    fn validate_device(&self) -> Result<(), String> {
        if let Some(uri) = &self.verification_uri {
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
                return Err("oauth2.verification_uri must be an https URL or a path starting with /, without fragment".into());
            }
        }
        if self.device_code_expires_in <= 0 {
            return Err("oauth2.device_code_expires_in must be positive".into());
        }
        if self.device_polling_interval <= 0 {
            return Err("oauth2.device_polling_interval must be positive".into());
        }
        let alphabet = self.user_code_alphabet.as_bytes();
        let mut seen = [false; 128];
        for &b in alphabet {
            if !(b.is_ascii_uppercase() || b.is_ascii_digit()) || seen[usize::from(b)] {
                return Err("oauth2.user_code_alphabet must be distinct upper-case ASCII letters and digits".into());
            }
            seen[usize::from(b)] = true;
        }
        // RFC 8628 §5.1, §6.1: enough entropy that rate limiting makes
        // guessing infeasible; 2^20 is the floor, the default is 20^8.
        let combinations = u128::try_from(alphabet.len())
            .unwrap_or(u128::MAX)
            .saturating_pow(u32::try_from(self.user_code_length).unwrap_or(u32::MAX));
        if alphabet.len() < 2
            || !(4..=32).contains(&self.user_code_length)
            || combinations < 1 << 20
        {
            return Err("oauth2.user_code_length and user_code_alphabet must give 4 to 32 characters and at least 2^20 codes (RFC 8628 §6.1)".into());
        }
        if self.user_code_max_failures == 0 {
            return Err("oauth2.user_code_max_failures must be at least 1".into());
        }
        if self.user_code_failure_window <= 0 {
            return Err("oauth2.user_code_failure_window must be positive".into());
        }
        if self.client_auth_failure_window <= 0 {
            return Err("oauth2.client_auth_failure_window must be positive".into());
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
        assert_eq!(c.authorization_code_expires_in, 300);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn bad_values_are_named() {
        let c = Config {
            authorization_code_expires_in: 3600,
            ..Config::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .contains("authorization_code_expires_in")
        );
        let c = Config {
            scopes_supported: Some(vec!["a b".into()]),
            ..Config::default()
        };
        assert!(c.validate().unwrap_err().contains("scopes_supported"));
    }

    #[test]
    fn deserializes_partial_tables() {
        let c: Config = serde_json::from_str(r#"{"insecure_transport": true}"#).unwrap();
        assert!(c.insecure_transport);
        assert_eq!(c.authorization_code_expires_in, 300);
        assert!(serde_json::from_str::<Config>(r#"{"no_such_option": 1}"#).is_err());
    }

    #[test]
    fn rfc8628_device_settings_are_validated() {
        let c = Config::default();
        assert_eq!(c.device_code_expires_in, 1_800);
        assert_eq!(c.device_polling_interval, 5);
        assert_eq!(c.user_code_length, 8);
        assert_eq!(c.user_code_alphabet, "BCDFGHJKLMNPQRSTVWXZ");
        assert_eq!(c.verification_uri, None);
        let ok = |c: Config| c.validate().is_ok();
        let with = |f: fn(&mut Config)| {
            let mut c = Config::default();
            f(&mut c);
            c
        };
        assert!(ok(with(|c| c.verification_uri = Some("/activate".into()))));
        assert!(ok(with(
            |c| c.verification_uri = Some("https://as.example/device?x=1".into())
        )));
        assert!(!ok(with(
            |c| c.verification_uri = Some("http://as.example/device".into())
        )));
        assert!(!ok(with(|c| c.verification_uri = Some("activate".into()))));
        assert!(!ok(with(
            |c| c.verification_uri = Some("//evil.example/a".into())
        )));
        assert!(!ok(with(
            |c| c.verification_uri = Some("/activate#x".into())
        )));
        assert!(!ok(with(|c| c.device_code_expires_in = 0)));
        assert!(!ok(with(|c| c.device_polling_interval = 0)));
        assert!(!ok(with(|c| c.user_code_alphabet = "bcdf".into())));
        assert!(!ok(with(|c| c.user_code_alphabet = "BCDB".into())));
        assert!(!ok(with(|c| c.user_code_alphabet = "BC-D".into())));
        assert!(!ok(with(|c| c.user_code_length = 4)));
        assert!(ok(with(|c| {
            c.user_code_alphabet = "0123456789".into();
            c.user_code_length = 9;
        })));
        assert!(!ok(with(|c| c.user_code_length = 1000)));
        assert!(!ok(with(|c| c.user_code_max_failures = 0)));
        assert!(!ok(with(|c| c.user_code_failure_window = 0)));
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
