//! RFC 7523 §2.2 and §3, JWT client authentication, in the two forms
//! OpenID Connect Core §9 names: `private_key_jwt` (the client signs an
//! assertion with a private key whose public half it registered in its
//! `jwks`) and `client_secret_jwt` (it signs by HMAC with its client
//! secret). Either way it sends the assertion as `client_assertion` with
//! `client_assertion_type`
//! `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, at every
//! endpoint that authenticates clients.
//!
//! What is checked, in this order, so that a forged assertion costs one
//! signature check and stores nothing:
//!
//! 1. `iss` and `sub` are both the `client_id` (§3 items 1-2), and agree
//!    with a `client_id` in the body (RFC 6749 §2.3: one client per request);
//! 2. the client registered the method, and the signature verifies by an
//!    allowed algorithm (and by its `token_endpoint_auth_signing_alg` when
//!    it registered one): with one of its registered keys
//!    ([`jose::verify`](crate::jose::verify), RFC 8725), or with its secret
//!    ([`jose::verify_with_secret`](crate::jose::verify_with_secret); HMAC algorithms only, and only for
//!    `client_secret_jwt`);
//! 3. `aud` names this server (§3 item 3): its issuer identifier, or the
//!    URL of the endpoint the assertion was sent to (OpenID Connect Core §9:
//!    "the URL of the Token Endpoint"). Both are derived from
//!    [`Config::issuer`](crate::Config::issuer) when it is set, so set it:
//!    otherwise they come from the request's `Host`;
//! 4. `exp` is there and not passed (§3 item 4), and not further ahead than
//!    [`PrivateKeyJwt::max_lifetime`] (or
//!    [`ClientSecretJwt::max_lifetime`]); `nbf` and `iat` are not ahead;
//! 5. `jti` is there (OpenID Connect Core §9: REQUIRED) and is accepted once
//!    (§3 item 7) through [`OAuth2Storage::record_used_jti`], across every
//!    instance on the storage.
//!
//! Each refusal is `invalid_client` (RFC 7523 §3.2).
//!
//! ```
//! use oauth_core::jose::{Algorithm, JwkSet, SigningKey};
//! use oauth_core::memory::MemoryStorage;
//! use oauth_core::oauth2::rfc7523::CLIENT_ASSERTION_TYPE_JWT;
//! use oauth_core::{AuthorizationServer, ClientAuthMethod, ClientMetadata, ClientRecord, Config,
//!                  OAuth2Request};
//! use serde_json::json;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let key = SigningKey::generate(Algorithm::ES256).unwrap();
//! let storage = MemoryStorage::new();
//! storage.insert_client(ClientRecord {
//!     client_secret_digest: None,
//!     ..ClientRecord::confidential("reports", "unused", ClientMetadata {
//!         token_endpoint_auth_method: ClientAuthMethod::named("private_key_jwt"),
//!         jwks: Some(JwkSet { keys: vec![key.public_jwk()] }),
//!         grant_types: vec!["client_credentials".into()],
//!         response_types: vec![],
//!         ..ClientMetadata::default()
//!     })
//! });
//! let config = Config { issuer: Some("https://as.example".into()), ..Config::default() };
//! let server = AuthorizationServer::new(storage, config).unwrap().with_private_key_jwt();
//!
//! let now = server.now();
//! let assertion = key.sign("JWT", &json!({
//!     "iss": "reports", "sub": "reports", "aud": "https://as.example",
//!     "jti": "a1", "iat": now, "exp": now + 60,
//! })).unwrap();
//! let request = OAuth2Request::post("https://as.example/token").with_form([
//!     ("grant_type", "client_credentials"),
//!     ("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT),
//!     ("client_assertion", assertion.as_str()),
//! ]);
//! assert_eq!(server.create_token_response(&request).await.status, 200);
//! // The same assertion again is a replay.
//! let again = server.create_token_response(&request).await;
//! assert_eq!(again.json_body()["error"], "invalid_client");
//! # });
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::jose::{JoseError, TimeClaims};
use crate::models::{ClientMetadata, OAuth2Client};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::{OAuth2Storage, UsedJti};

/// The `client_assertion_type` of a JWT assertion (RFC 7523 §2.2).
pub const CLIENT_ASSERTION_TYPE_JWT: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The purpose under which assertion `jti`s are recorded.
const JTI_PURPOSE: &str = "client_assertion";

/// An assertion longer than this is refused before it is decoded.
const MAX_ASSERTION_LEN: usize = 16 * 1024;

mod client_secret_jwt;
mod private_key_jwt;

pub use client_secret_jwt::{CLIENT_SECRET_JWT, ClientSecretJwt};
pub use private_key_jwt::{PRIVATE_KEY_JWT, PrivateKeyJwt};

/// How long an assertion may live and how much clock skew is allowed:
/// the part of the checks both methods share.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AssertionRules {
    max_lifetime: i64,
    leeway: i64,
}

fn refused(why: impl Into<String>) -> OAuth2Error {
    OAuth2Error::invalid_client(why)
}

/// The assertion of a request, if it presents one of type
/// [`CLIENT_ASSERTION_TYPE_JWT`].
pub fn presented_assertion(request: &OAuth2Request) -> Result<Option<&str>, OAuth2Error> {
    let kind = request.form.single("client_assertion_type")?;
    let assertion = request.form.single("client_assertion")?;
    match (kind, assertion) {
        (None, None) => Ok(None),
        (Some(CLIENT_ASSERTION_TYPE_JWT), Some(assertion)) => Ok(Some(assertion)),
        (Some(CLIENT_ASSERTION_TYPE_JWT), None) => Err(OAuth2Error::invalid_request(
            "client_assertion is required with this client_assertion_type",
        )),
        (None, Some(_)) => Err(OAuth2Error::invalid_request(
            "client_assertion_type is required with client_assertion",
        )),
        (Some(_), _) => Err(refused("the client_assertion_type is not supported")),
    }
}

/// The header and the claims of a compact JWS, decoded but not verified:
/// enough to know which client an assertion claims to be, and which
/// algorithm it says it is signed with.
fn peek(assertion: &str) -> Result<(Value, Value), OAuth2Error> {
    if assertion.len() > MAX_ASSERTION_LEN {
        return Err(refused("the client assertion is too long"));
    }
    let mut parts = assertion.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused("the client assertion is not a signed JWT"));
    };
    let decode = |part: &str| -> Option<Value> {
        let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .filter(Value::is_object)
    };
    match (decode(header), decode(payload)) {
        (Some(h), Some(p)) => Ok((h, p)),
        _ => Err(refused("the client assertion is not a signed JWT")),
    }
}

/// RFC 7523 §3 items 1-2: for client authentication `iss` and `sub` are
/// both the `client_id`.
fn claimed_client(claims: &Value) -> Result<String, OAuth2Error> {
    let iss = claims.get("iss").and_then(Value::as_str);
    let sub = claims.get("sub").and_then(Value::as_str);
    match (iss, sub) {
        (Some(iss), Some(sub)) if iss == sub && !iss.is_empty() => Ok(iss.to_owned()),
        (Some(_), Some(_)) => Err(refused(
            "the client assertion's iss and sub must both be the client_id",
        )),
        _ => Err(refused("the client assertion must have iss and sub")),
    }
}

/// The `aud` values this server accepts for a `request`: its issuer
/// identifier, and the URL of the endpoint the request was sent to.
fn audiences<S: OAuth2Storage>(
    server: &AuthorizationServer<S>,
    request: &OAuth2Request,
) -> Vec<String> {
    [server.endpoint_url_for(request), server.issuer_for(request)]
        .into_iter()
        .flatten()
        .collect()
}

/// §3 item 3: `aud` is a string or an array of strings, one of which is
/// accepted.
fn check_audience(claims: &Value, accepted: &[String]) -> Result<(), OAuth2Error> {
    let names = |v: &str| accepted.iter().any(|a| a == v);
    let ok = match claims.get("aud") {
        Some(Value::String(aud)) => names(aud),
        Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(names),
        _ => return Err(refused("the client assertion must have aud")),
    };
    if ok {
        Ok(())
    } else {
        Err(refused(
            "the client assertion's aud is neither this server's issuer nor this endpoint's URL",
        ))
    }
}

fn jose_refusal(e: JoseError) -> OAuth2Error {
    match e {
        JoseError::AlgorithmNotAllowed => {
            refused("the client assertion's alg is not allowed for this client")
        }
        JoseError::UnknownKey => {
            refused("no key the client registered verifies the client assertion (kid unknown)")
        }
        JoseError::BadSignature => refused("the client assertion's signature does not verify"),
        JoseError::Claim(what) => refused(format!("the client assertion is refused: {what}")),
        other => refused(format!("the client assertion is refused: {other}")),
    }
}

/// Items 1-5 of the module's list past the signature, for a verified
/// assertion's `claims`: the client is the one claimed, `aud` names this
/// server, the times hold, and the `jti` is new (then recorded).
async fn check_assertion<S: OAuth2Storage>(
    server: &AuthorizationServer<S>,
    client: &S::Client,
    request: &OAuth2Request,
    claims: &Value,
    rules: AssertionRules,
) -> Result<(), OAuth2Error> {
    if claimed_client(claims)? != client.client_id() {
        return Err(refused("the client assertion is not this client's"));
    }
    check_audience(claims, &audiences(server, request))?;
    let now = server.now();
    TimeClaims {
        now,
        leeway: rules.leeway,
        require_exp: true,
    }
    .check(claims)
    .map_err(jose_refusal)?;
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(now);
    if exp > now.saturating_add(rules.max_lifetime) {
        return Err(refused(format!(
            "the client assertion's exp is more than {} seconds ahead",
            rules.max_lifetime
        )));
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty())
        .ok_or_else(|| refused("the client assertion must have a jti"))?;
    // Kept until the assertion could no longer be accepted anyway.
    let used = UsedJti::new(
        JTI_PURPOSE,
        client.client_id(),
        jti,
        exp.saturating_add(rules.leeway),
    );
    if !server.storage.record_used_jti(&used, now).await? {
        crate::events::client_assertion_replayed(client.client_id(), request.remote_addr);
        return Err(refused("the client assertion was used before (jti)"));
    }
    Ok(())
}

/// Of a method's `algorithms`, those a client's assertion may use: its
/// registered `token_endpoint_auth_signing_alg` alone if it registered one
/// (OpenID Connect Registration §2), and what the server's profile allows.
fn client_algorithms<S: OAuth2Storage>(
    server: &AuthorizationServer<S>,
    client: &S::Client,
    algorithms: &[jsonwebtoken::Algorithm],
) -> Vec<jsonwebtoken::Algorithm> {
    let registered = client.metadata().token_endpoint_auth_signing_alg.as_deref();
    algorithms
        .iter()
        .copied()
        .map(|a| (a, crate::jose::algorithm_name(a)))
        .filter(|(_, name)| registered.is_none_or(|r| r == *name))
        .filter(|(_, name)| server.profile_allows_algorithm(name))
        .map(|(a, _)| a)
        .collect()
}

/// The client an assertion of the request claims to be, if the request
/// presents one whose kind is the caller's: HMAC-signed (`hmac`, for
/// `client_secret_jwt`) or not (`private_key_jwt`). So each assertion has
/// one method that claims it.
fn claimed_by(request: &OAuth2Request, hmac: bool) -> Result<Option<String>, OAuth2Error> {
    let Some(assertion) = presented_assertion(request)? else {
        return Ok(None);
    };
    let (header, claims) = peek(assertion)?;
    let is_hmac = header
        .get("alg")
        .and_then(Value::as_str)
        .is_some_and(|alg| alg.starts_with("HS"));
    if is_hmac != hmac {
        return Ok(None);
    }
    claimed_client(&claims).map(Some)
}

/// The members of a JWK that belong to a private or symmetric key: a JWK
/// Set registered for verification holds none of them.
pub use crate::jose::PRIVATE_JWK_MEMBERS;

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The checks of registration for JWT client authentication: a
    /// `private_key_jwt` client registers its keys inline as `jwks` (a
    /// `jwks_uri` is not fetched), each one a public key this server can
    /// verify with; `token_endpoint_auth_signing_alg`, when given, is an
    /// algorithm the method accepts (never `none`: OpenID Connect
    /// Registration §2).
    pub(crate) fn validate_client_assertion_metadata(
        &self,
        metadata: &ClientMetadata,
    ) -> Result<(), OAuth2Error> {
        let invalid = |d: String| OAuth2Error::invalid_client_metadata(d);
        let method = &metadata.token_endpoint_auth_method;
        let handler = self.client_authentication(method);
        if let Some(alg) = &metadata.token_endpoint_auth_signing_alg {
            let allowed: Vec<&str> = handler.map(|h| h.signing_algorithms()).unwrap_or_default();
            if !allowed.contains(&alg.as_str()) {
                return Err(invalid(format!(
                    "token_endpoint_auth_signing_alg \"{alg}\" is not accepted for {} ({})",
                    method.as_str(),
                    if allowed.is_empty() {
                        "it signs no assertions".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                )));
            }
        }
        // Any registered JWK Set (for assertions or request objects) holds
        // keys this server can verify with.
        if let Some(keys) = &metadata.jwks {
            if keys.keys.len() > crate::oauth2::rfc7591::MAX_LIST_LEN {
                return Err(invalid(format!(
                    "jwks may hold at most {} keys",
                    crate::oauth2::rfc7591::MAX_LIST_LEN
                )));
            }
            if keys
                .keys
                .iter()
                .any(|key| jsonwebtoken::DecodingKey::from_jwk(key).is_err())
            {
                return Err(invalid(
                    "a key of jwks cannot be used to verify signatures".into(),
                ));
            }
        }
        if method.as_str() != PRIVATE_KEY_JWT {
            return Ok(());
        }
        if metadata.jwks_uri.is_some() {
            return Err(invalid(
                "private_key_jwt clients register their keys inline as jwks; jwks_uri is not fetched"
                    .into(),
            ));
        }
        if metadata.jwks.as_ref().is_none_or(|k| k.keys.is_empty()) {
            return Err(invalid(
                "private_key_jwt needs jwks: the public keys the client signs its assertions with"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The algorithms the registered `private_key_jwt` method accepts
    /// (none when it is not registered).
    pub fn private_key_jwt_algorithms(&self) -> Vec<&'static str> {
        self.client_authentications
            .iter()
            .find(|m| m.method().as_str() == PRIVATE_KEY_JWT)
            .map(|m| m.signing_algorithms())
            .unwrap_or_default()
            .into_iter()
            .filter(|a| self.profile_allows_algorithm(a))
            .collect()
    }

    /// Accepts `private_key_jwt` client authentication with the defaults
    /// of [`PrivateKeyJwt`]; clients register it with their `jwks`.
    pub fn with_private_key_jwt(self) -> Self {
        self.with_client_authentication(PrivateKeyJwt::default())
    }

    /// Accepts `client_secret_jwt` client authentication with the defaults
    /// of [`ClientSecretJwt`], its clients' secrets sealed with
    /// `[oauth2.signing_keys] key_encryption_key` (kept in clear without
    /// one, as the signing keys are).
    pub fn with_client_secret_jwt(self) -> Self {
        let sealer = self.config.signing_keys.sealer();
        self.with_client_authentication(ClientSecretJwt::new(sealer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7523_3_aud_may_be_a_string_or_an_array() {
        let accepted = vec!["https://as.example".to_owned()];
        assert!(
            check_audience(&serde_json::json!({"aud": "https://as.example"}), &accepted).is_ok()
        );
        assert!(
            check_audience(
                &serde_json::json!({"aud": ["https://other", "https://as.example"]}),
                &accepted
            )
            .is_ok()
        );
        for claims in [
            serde_json::json!({}),
            serde_json::json!({"aud": "https://other"}),
            serde_json::json!({"aud": ["https://other"]}),
            serde_json::json!({"aud": 1}),
        ] {
            assert_eq!(
                check_audience(&claims, &accepted)
                    .unwrap_err()
                    .code
                    .as_str(),
                "invalid_client"
            );
        }
    }

    #[test]
    fn rfc7523_3_iss_and_sub_are_the_client_id() {
        assert_eq!(
            claimed_client(&serde_json::json!({"iss": "a", "sub": "a"})).unwrap(),
            "a"
        );
        for claims in [
            serde_json::json!({"iss": "a", "sub": "b"}),
            serde_json::json!({"iss": "a"}),
            serde_json::json!({"sub": "a"}),
            serde_json::json!({"iss": "", "sub": ""}),
        ] {
            assert!(claimed_client(&claims).is_err(), "{claims}");
        }
    }
}
