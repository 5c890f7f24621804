//! The ID Token (OpenID Connect Core 1.0 §2): its claims, the `at_hash` and
//! `c_hash` that bind it to the access token and code issued beside it
//! (§3.1.3.6, §3.3.2.11), and its signature with the server's current key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::OAuth2Error;
use crate::jose::{JoseError, SigningKeyStorage};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The claims of an ID Token. The required ones (§2: `iss`, `sub`, `aud`,
/// `exp`, `iat`) are plain fields; the others are left out of the JSON when
/// absent, and `extra` carries claims a site adds (§5.1 standard claims
/// for response types that return no access token, §5.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// The issuer identifier: an `https` URL, exactly the `issuer` of the
    /// discovery document.
    pub iss: String,
    /// The subject: the user's identifier at this issuer, at most 255 ASCII
    /// characters, never reassigned.
    pub sub: String,
    /// The audience: the client's `client_id`.
    pub aud: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issuance, Unix seconds.
    pub iat: i64,
    /// When the user authenticated (required when `max_age` was asked or
    /// the client registered `require_auth_time`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth_time: Option<i64>,
    /// The authorization request's `nonce`, unchanged (§3.1.2.1).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nonce: Option<String>,
    /// Authentication context class reference, as the site supplies it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub acr: Option<String>,
    /// Authentication methods, as the site supplies them (RFC 8176 names).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub amr: Vec<String>,
    /// The party the token was issued to (the `client_id`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub azp: Option<String>,
    /// Hash of the access token issued with it ([`token_hash`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub at_hash: Option<String>,
    /// Hash of the code issued with it ([`token_hash`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c_hash: Option<String>,
    /// Further claims.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The claims of the ID token itself (§2, §3.1.3.6, §3.3.2.11): what it
/// can carry, and what a site's user claims never replace.
pub(crate) const ID_TOKEN_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
];

impl IdTokenClaims {
    /// The required claims for `sub` and the client `aud`, issued by `iss`
    /// at `now` and valid `lifetime` seconds.
    pub fn new(
        iss: impl Into<String>,
        sub: impl Into<String>,
        aud: impl Into<String>,
        now: i64,
        lifetime: i64,
    ) -> IdTokenClaims {
        let aud = aud.into();
        IdTokenClaims {
            iss: iss.into(),
            sub: sub.into(),
            azp: Some(aud.clone()),
            aud,
            exp: now.saturating_add(lifetime),
            iat: now,
            auth_time: None,
            nonce: None,
            acr: None,
            amr: Vec::new(),
            at_hash: None,
            c_hash: None,
            extra: serde_json::Map::new(),
        }
    }
}

/// `at_hash` / `c_hash` (§3.1.3.6, §3.3.2.11): the base64url encoding of
/// the left-most half of the hash of the ASCII value, with the hash of the
/// ID Token's `alg` (SHA-256 for `RS256` and `ES256`). For `EdDSA` with
/// Ed25519 the hash is SHA-512, as relying parties compute it.
///
/// ```
/// use oauth_core::oidc::token_hash;
/// use jsonwebtoken::Algorithm;
/// // SHA-256("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y") begins with
/// // these 16 bytes (OpenID Connect Core, Appendix A.3).
/// assert_eq!(
///     token_hash(Algorithm::RS256, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
///     "77QmUPtjPfzWtF2AnpK9RQ"
/// );
/// ```
pub fn token_hash(alg: Algorithm, value: &str) -> String {
    let digest: Vec<u8> = match alg {
        Algorithm::RS384 | Algorithm::ES384 | Algorithm::PS384 => {
            Sha384::digest(value.as_bytes()).to_vec()
        }
        Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            Sha512::digest(value.as_bytes()).to_vec()
        }
        _ => Sha256::digest(value.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// What an ID token this server signed says of whom it is for: the hint
/// of `id_token_hint` (OpenID Connect Core §3.1.2.1, RP-Initiated Logout
/// §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenHint {
    /// The user.
    pub sub: String,
    /// The clients it was issued to.
    pub aud: Vec<String>,
}

impl IdTokenHint {
    /// Whether it was issued to `client_id`.
    pub fn is_for(&self, client_id: &str) -> bool {
        self.aud.iter().any(|a| a == client_id)
    }
}

impl<S: OAuth2Storage + SigningKeyStorage> AuthorizationServer<S> {
    /// Reads an ID token this server signed, sent back as a hint: its
    /// signature must verify with the published keys and its `iss` be
    /// `issuer` (when known); it may have expired (a hint, not a
    /// credential). `None` for anything else.
    pub async fn verify_id_token_hint(
        &self,
        token: &str,
        issuer: Option<&str>,
    ) -> Result<Option<IdTokenHint>, OAuth2Error> {
        let Some(ring) = self.key_ring() else {
            return Ok(None);
        };
        let keys = ring.jwks(&self.storage, self.now()).await?;
        let Ok(verified) = crate::jose::verify(
            token,
            &keys,
            &crate::jose::Verification::new(&crate::jose::SUPPORTED_ALGORITHMS),
        ) else {
            return Ok(None);
        };
        let claims = &verified.claims;
        let iss = claims.get("iss").and_then(|v| v.as_str());
        if iss.is_none() || issuer.is_some_and(|expected| Some(expected) != iss) {
            return Ok(None);
        }
        let aud = match claims.get("aud") {
            Some(serde_json::Value::String(a)) => vec![a.clone()],
            Some(serde_json::Value::Array(list)) => list
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
            _ => return Ok(None),
        };
        Ok(claims
            .get("sub")
            .and_then(|v| v.as_str())
            .map(|sub| IdTokenHint {
                sub: sub.to_owned(),
                aud,
            }))
    }

    /// Signs `claims` as an ID Token (`typ` `JWT`) with the key that signs
    /// now, filling `at_hash` and `c_hash` for the access token and code
    /// issued beside it, with that key's algorithm. Needs
    /// [`with_signing_keys`](Self::with_signing_keys); without it the
    /// answer is `server_error`.
    pub async fn sign_id_token(
        &self,
        claims: IdTokenClaims,
        access_token: Option<&str>,
        code: Option<&str>,
    ) -> Result<String, OAuth2Error> {
        self.sign_id_token_as(None, claims, access_token, code)
            .await
    }

    /// [`sign_id_token`](Self::sign_id_token) with the key of `alg` (a
    /// client's `id_token_signed_response_alg`), or the ring's default
    /// for `None`; an algorithm the ring has no keys of is `server_error`.
    pub async fn sign_id_token_as(
        &self,
        alg: Option<Algorithm>,
        mut claims: IdTokenClaims,
        access_token: Option<&str>,
        code: Option<&str>,
    ) -> Result<String, OAuth2Error> {
        let ring = self
            .key_ring()
            .ok_or_else(|| OAuth2Error::server_error("no signing keys are configured"))?;
        let alg = alg.unwrap_or(ring.alg);
        if !ring.algorithms().contains(&alg) {
            return Err(OAuth2Error::server_error(
                "the client's ID token algorithm is not one the server signs with",
            ));
        }
        let key = ring.current_for(&self.storage, self.now(), alg).await?;
        claims.at_hash = access_token.map(|t| token_hash(key.alg(), t));
        claims.c_hash = code.map(|c| token_hash(key.alg(), c));
        key.sign("JWT", &claims).map_err(|e: JoseError| {
            tracing::error!(kid = key.kid(), "an ID token could not be signed: {e}");
            OAuth2Error::server_error("the ID token could not be signed")
        })
    }
}
