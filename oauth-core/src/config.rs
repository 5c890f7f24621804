//! Server configuration, with Authlib's defaults.
//!
//! [`Config`] is plain data (it deserializes from a `[oauth2]` table of a
//! figment/TOML configuration); behaviour that is code (token generators,
//! password checks, custom grants) is given to the
//! [`AuthorizationServer`](crate::AuthorizationServer) builder instead.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::scope::Scope;

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
    pub insecure_transport: bool,
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
            realm: None,
            implicit_grant: true,
            issuer: None,
            trust_forwarded_proto: false,
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
        if let Some(issuer) = &self.issuer {
            let https = issuer.starts_with("https://");
            let http_ok = self.insecure_transport && issuer.starts_with("http://");
            let host = issuer
                .split_once("://")
                .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
                .unwrap_or_default();
            if !(https || http_ok) || issuer.contains(['?', '#']) || host.is_empty() {
                return Err(
                    "oauth2.issuer must be an https URL without query or fragment (RFC 8414 §2)"
                        .into(),
                );
            }
        }
        Ok(())
    }

    pub(crate) fn error_uri(&self, code: &str) -> Option<&str> {
        self.error_uris.get(code).map(String::as_str)
    }
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
}
