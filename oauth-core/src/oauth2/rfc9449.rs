//! RFC 9449, OAuth 2.0 Demonstrating Proof of Possession (DPoP): tokens
//! bound to a key the client holds, usable only with a fresh proof signed
//! by it.
//!
//! - **Proofs** (§4.3) are checked the same way at the token endpoint and
//!   at resources: one `DPoP` header; `typ` `dpop+jwt`; an `alg` of
//!   [`Dpop::algorithms`](crate::config::Dpop::algorithms) (asymmetric
//!   only); a public `jwk` in the header whose key verifies the signature;
//!   `htm` the request's method and `htu` its URL (query and fragment
//!   ignored, compared after normalisation; from the configured issuer's
//!   origin when there is one, so a `Host` header cannot choose it); `iat`
//!   at most [`Dpop::proof_max_age`](crate::config::Dpop::proof_max_age)
//!   seconds old and not ahead; a `jti` used once, across every instance on
//!   the storage ([`OAuth2Storage::record_used_jti`], §11.1); and at a
//!   resource `ath`, the hash of the access token presented (§7.1).
//! - **Binding** (§5, §6): a token request with a valid proof gets
//!   `token_type: DPoP`, and its token is stored with the RFC 7638
//!   thumbprint of the key (`cnf.jkt`, shown by introspection and carried
//!   by JWT access tokens). The refresh token of a public client is bound
//!   too: refreshing it takes a proof by the same key (§5.0); a
//!   confidential client's may be refreshed with any key, or none.
//! - **Resources** (§7): a bound token is accepted only in the `DPoP`
//!   authorization scheme, with a proof by its key; presented as `Bearer`,
//!   it is refused (§7.2), as is a token that is not bound presented as
//!   `DPoP`. Refusals carry a `WWW-Authenticate: DPoP` challenge with the
//!   `algs` accepted.
//!
//! - **Nonces** (§8, §9), when
//!   [`Dpop::nonce_key`](crate::config::Dpop::nonce_key) is set: every
//!   proof must carry a `nonce` the server provided in a `DPoP-Nonce`
//!   header; one without, or with a stale one, is refused
//!   `use_dpop_nonce` with the current nonce. Nonces are derived from the
//!   key and the time period, so every instance with the key accepts them
//!   and none is stored.
//!
//! Errors are `invalid_dpop_proof` (§5.0 at the token endpoint, §7.1 at
//! resources) and `use_dpop_nonce`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::ThumbprintHash;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{ErrorCode, OAuth2Error};
use crate::http::OAuth2Request;
use crate::jose::{self, Algorithm, Verification};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::{OAuth2Storage, UsedJti};

/// The `typ` of a proof (§4.2).
pub const DPOP_JWT: &str = "dpop+jwt";
/// The token type and authorization scheme of bound tokens (§5, §7.1).
pub const DPOP: &str = "DPoP";
/// The purpose under which proof `jti`s are recorded.
const JTI_PURPOSE: &str = "dpop";
/// A proof longer than this is refused before it is decoded.
const MAX_PROOF_LEN: usize = 8 * 1024;
/// How far ahead of the server's clock a proof's `iat` may be.
const IAT_LEEWAY: i64 = 60;

/// The error of a proof without the nonce the server wants (§8, §9).
pub const USE_DPOP_NONCE: &str = "use_dpop_nonce";

/// `use_dpop_nonce` (§8 at the token endpoint, §9 at resources).
pub fn use_dpop_nonce(description: impl Into<String>) -> OAuth2Error {
    OAuth2Error::new(ErrorCode::Other(USE_DPOP_NONCE.into()), description)
}

/// The nonce of period `period` under `key`: the period, then 16 bytes of
/// HMAC-SHA256 over it, base64url. Any instance with the key derives and
/// checks it; no one without the key can make the next one.
fn nonce_for(key: &[u8], period: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(b"dpop-nonce");
    mac.update(&period.to_be_bytes());
    let mut out = period.to_be_bytes().to_vec();
    out.extend_from_slice(&mac.finalize().into_bytes()[..16]);
    URL_SAFE_NO_PAD.encode(out)
}

/// The bytes of a configured nonce key (32 or more, validated with the
/// configuration).
pub(crate) fn nonce_key_bytes(key: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::STANDARD;
    STANDARD
        .decode(key.trim())
        .or_else(|_| URL_SAFE_NO_PAD.decode(key.trim()))
        .ok()
        .filter(|k| k.len() >= 32)
}

/// `invalid_dpop_proof` (§5.0, §7.1).
pub fn invalid_dpop_proof(description: impl Into<String>) -> OAuth2Error {
    OAuth2Error::new(ErrorCode::Other("invalid_dpop_proof".into()), description)
}

/// A proof that passed every check of §4.3: the thumbprint of its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpopProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key (`cnf.jkt`).
    pub jkt: String,
}

/// Attached to a validated authorization request that named a key
/// (`dpop_jkt`, §10): the code it issues is bound to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpopBinding {
    /// The thumbprint of the key.
    pub jkt: String,
}

/// A `dpop_jkt` value as §10 makes it: the base64url SHA-256 thumbprint.
fn is_thumbprint(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `dpop_jkt` parameter of an authorization request, checked (§10).
pub(crate) fn requested_binding(
    params: &crate::http::Params,
) -> Result<Option<DpopBinding>, OAuth2Error> {
    match params.single("dpop_jkt")? {
        None => Ok(None),
        Some(jkt) if is_thumbprint(jkt) => Ok(Some(DpopBinding {
            jkt: jkt.to_owned(),
        })),
        Some(_) => Err(OAuth2Error::invalid_request(
            "dpop_jkt must be a JWK SHA-256 thumbprint (RFC 9449 §10)",
        )),
    }
}

/// `ath` (§4.2): the base64url SHA-256 of an access token.
pub fn access_token_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

/// A URL as the proof's `htu` is compared (§4.3 item 9): parsed (which
/// lowercases the scheme and host, drops a default port and resolves dot
/// segments), without query and fragment.
fn normalized(uri: &str) -> Option<String> {
    let mut url = url::Url::parse(uri).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    Some(url.to_string())
}

/// What a proof is checked against (§4.3).
#[derive(Debug, Clone, Copy)]
pub struct ProofRules<'a> {
    /// The algorithms it may be signed with.
    pub algorithms: &'a [Algorithm],
    /// The URL of the request as this server sees it (for `htu`).
    pub url: Option<&'a str>,
    /// How old its `iat` may be, in seconds.
    pub max_age: i64,
    /// Now, in Unix seconds.
    pub now: i64,
}

/// A proof that passed every check of §4.3 but the once-only use of its
/// `jti`, which the caller records ([`CheckedProof::used`]), and the
/// server nonce, which the caller checks when it wants one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedProof {
    /// The RFC 7638 thumbprint of the proof's key.
    pub jkt: String,
    /// The `jti` to record, until the proof's `iat` leaves the window.
    pub used: UsedJti,
    /// The proof's `nonce`, if it has one.
    pub nonce: Option<String>,
}

/// The checks of §4.3 that need no storage: one `DPoP` header, its
/// signature by the header's key, `typ`, `alg`, `jti` present, `htm`,
/// `htu`, `iat` within the window and, with `access_token`, `ath`.
/// `None` when the request has no proof.
pub fn verify_proof(
    request: &OAuth2Request,
    access_token: Option<&str>,
    rules: &ProofRules<'_>,
) -> Result<Option<CheckedProof>, OAuth2Error> {
    let mut proofs = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("dpop"))
        .map(|(_, v)| v.as_str());
    let Some(proof) = proofs.next() else {
        return Ok(None);
    };
    // §4.3 item 1: one proof, one header.
    if proofs.next().is_some() {
        return Err(invalid_dpop_proof("more than one DPoP header"));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(invalid_dpop_proof("the DPoP proof is too long"));
    }
    let (verified, jwk) = jose::verify_with_header_jwk(
        proof,
        &Verification::new(rules.algorithms).with_typ(DPOP_JWT),
    )
    .map_err(|e| invalid_dpop_proof(format!("the DPoP proof is refused: {e}")))?;
    let claims = &verified.claims;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let jti = text("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or_else(|| invalid_dpop_proof("the DPoP proof needs a jti"))?;
    if text("htm") != Some(request.method.as_str()) {
        return Err(invalid_dpop_proof(
            "the DPoP proof's htm is not this request's method",
        ));
    }
    let htu = text("htu").and_then(normalized);
    if htu.is_none() || htu != rules.url.and_then(normalized) {
        return Err(invalid_dpop_proof(
            "the DPoP proof's htu is not this request's URL",
        ));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid_dpop_proof("the DPoP proof needs an iat"))?;
    if iat < rules.now.saturating_sub(rules.max_age) || iat > rules.now.saturating_add(IAT_LEEWAY) {
        return Err(invalid_dpop_proof(
            "the DPoP proof's iat is too old or ahead of the server's clock",
        ));
    }
    if let Some(token) = access_token
        && text("ath") != Some(access_token_hash(token).as_str())
    {
        return Err(invalid_dpop_proof(
            "the DPoP proof's ath is not the hash of the access token",
        ));
    }
    let jkt = jwk.thumbprint(ThumbprintHash::SHA256);
    let used = UsedJti::new(
        JTI_PURPOSE,
        &jkt,
        jti,
        iat.saturating_add(rules.max_age).saturating_add(IAT_LEEWAY),
    );
    Ok(Some(CheckedProof {
        jkt,
        used,
        nonce: text("nonce").map(str::to_owned),
    }))
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The algorithms proofs may be signed with, as configured.
    pub fn dpop_algorithms(&self) -> Vec<Algorithm> {
        self.config
            .dpop
            .algorithms
            .iter()
            .filter_map(|a| jose::supported_algorithm(a))
            .collect()
    }

    /// The DPoP proof of `request`, checked (§4.3); `None` when it has no
    /// `DPoP` header. `access_token` is the token presented with it at a
    /// resource, whose hash the proof's `ath` must be.
    pub async fn check_dpop_proof(
        &self,
        request: &OAuth2Request,
        access_token: Option<&str>,
    ) -> Result<Option<DpopProof>, OAuth2Error> {
        let url = self.endpoint_url_for(request);
        let rules = ProofRules {
            algorithms: &self.dpop_algorithms(),
            url: url.as_deref(),
            max_age: self.config.dpop.proof_max_age,
            now: self.now(),
        };
        let Some(checked) = verify_proof(request, access_token, &rules)? else {
            return Ok(None);
        };
        // §8, §9: a nonce the server provided, when it wants one; checked
        // before the jti is recorded, so the client's retry with the
        // nonce is not a replay.
        if let Some(key) = self.config.dpop.nonce_key.as_ref() {
            let key = nonce_key_bytes(key.secret()).unwrap_or_default();
            match checked.nonce.as_deref() {
                None => {
                    return Err(use_dpop_nonce(
                        "this server requires a DPoP nonce: use the DPoP-Nonce header's",
                    ));
                }
                Some(nonce) if !self.accepts_dpop_nonce(&key, nonce) => {
                    return Err(use_dpop_nonce(
                        "the DPoP proof's nonce is not current: use the DPoP-Nonce header's",
                    ));
                }
                Some(_) => {}
            }
        }
        // §11.1: a proof is used once, across every instance.
        if !self
            .storage
            .record_used_jti(&checked.used, rules.now)
            .await?
        {
            return Err(invalid_dpop_proof("the DPoP proof was used before (jti)"));
        }
        Ok(Some(DpopProof { jkt: checked.jkt }))
    }

    /// The nonce proofs must carry now (§8.1), when
    /// [`Dpop::nonce_key`](crate::config::Dpop::nonce_key) is set: sent as
    /// the `DPoP-Nonce` header. A new one each
    /// [`nonce_lifetime`](crate::config::Dpop::nonce_lifetime).
    pub fn dpop_nonce(&self) -> Option<String> {
        let key = nonce_key_bytes(self.config.dpop.nonce_key.as_ref()?.secret())?;
        Some(nonce_for(
            &key,
            self.now() / self.config.dpop.nonce_lifetime.max(1),
        ))
    }

    /// Whether `nonce` is this period's or the previous one's.
    fn accepts_dpop_nonce(&self, key: &[u8], nonce: &str) -> bool {
        let period = self.now() / self.config.dpop.nonce_lifetime.max(1);
        [period, period - 1].into_iter().any(|p| {
            crate::secrets::constant_time_eq(nonce_for(key, p).as_bytes(), nonce.as_bytes())
        })
    }

    /// `response` to a request at the token or pushed authorization
    /// request endpoint, with the `DPoP-Nonce` header when nonces are on
    /// and the request carried a proof or was refused for want of a nonce
    /// (§8.1, §8.2: the client learns the next one before it needs it).
    pub(crate) fn with_dpop_nonce(
        &self,
        request: &OAuth2Request,
        response: crate::http::OAuth2Response,
    ) -> crate::http::OAuth2Response {
        let sent_proof = request.header("dpop").is_some();
        match self.dpop_nonce() {
            Some(nonce) if sent_proof => response.with_header("DPoP-Nonce", nonce),
            _ => response,
        }
    }

    /// The `algs` of a `WWW-Authenticate: DPoP` challenge (§7.1).
    pub(crate) fn dpop_challenge_algs(&self) -> String {
        self.dpop_algorithms()
            .into_iter()
            .map(jose::algorithm_name)
            .collect::<Vec<_>>()
            .join(" ")
    }
}
