//! Verifying a compact JWS against a JWK Set, with the refusals of RFC 8725
//! made before any key is used.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::Value;

use super::{JoseError, algorithm_name};

/// What a verifier accepts.
#[derive(Debug, Clone, Copy)]
pub struct Verification<'a> {
    /// The `alg` values allowed. RFC 8725 §3.1: the verifier, not the
    /// token, decides; `none` can never be among them.
    pub algorithms: &'a [Algorithm],
    /// The `typ` header required, if any (`at+jwt` for RFC 9068 access
    /// tokens, RFC 8725 §3.11); compared case-insensitively, with or
    /// without the `application/` prefix (RFC 7515 §4.1.9).
    pub typ: Option<&'a str>,
}

impl<'a> Verification<'a> {
    /// Any of `algorithms`, any `typ`.
    pub fn new(algorithms: &'a [Algorithm]) -> Verification<'a> {
        Verification {
            algorithms,
            typ: None,
        }
    }

    /// Requiring the `typ` header.
    pub fn with_typ(self, typ: &'a str) -> Verification<'a> {
        Verification {
            typ: Some(typ),
            ..self
        }
    }
}

/// A verified token: its header, the `kid` of the key that verified it,
/// and its claims (a JSON object). Time claims are left to the caller
/// ([`TimeClaims`](super::TimeClaims)).
#[derive(Debug, Clone)]
pub struct Verified {
    /// The protected header.
    pub header: Header,
    /// The key that verified the signature.
    pub kid: String,
    /// The payload.
    pub claims: Value,
}

/// Verifies a compact JWS: the header's `alg` allowed, no `crit`, the key
/// found by `kid` (or the only key of the set when the token names none),
/// fit for the algorithm (its `alg`, `use`, `key_ops` and key type), then
/// the signature. Keys the token carries (`jwk`, `jku`, `x5u`, `x5c`) are
/// never used: only `keys` is trusted (RFC 8725 §3.10).
pub fn verify(token: &str, keys: &JwkSet, v: &Verification<'_>) -> Result<Verified, JoseError> {
    verify_keys(token, keys, v, false)
}

/// [`verify`], or with `embedded` the key of the header's own `jwk` (which
/// is then the only key of `keys`).
fn verify_keys(
    token: &str,
    keys: &JwkSet,
    v: &Verification<'_>,
    embedded: bool,
) -> Result<Verified, JoseError> {
    let (raw_header, alg) = allowed_header(token, v.algorithms.iter().copied())?;
    if let Some(expected) = v.typ {
        let typ = raw_header.get("typ").and_then(Value::as_str).unwrap_or("");
        let typ = typ
            .get(..12)
            .filter(|p| p.eq_ignore_ascii_case("application/"))
            .map_or(typ, |_| &typ[12..]);
        if !typ.eq_ignore_ascii_case(expected) {
            return Err(JoseError::Header("typ is not the one required"));
        }
    }
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| JoseError::Malformed("the header is not a JWS header"))?;
    let key = match header.kid.as_deref() {
        _ if embedded => keys.keys.first(),
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or(JoseError::UnknownKey)?;
    check_key_fits(key, alg)?;
    let decoding = DecodingKey::from_jwk(key).map_err(|e| JoseError::Key(e.to_string()))?;
    let (header, claims) = decode_signed(token, &decoding, alg)?;
    Ok(Verified {
        kid: key.common.key_id.clone().unwrap_or_default(),
        header,
        claims,
    })
}

/// The signature checked with `key` by `alg` alone, and the header and
/// the claims (a JSON object); time claims are left to the caller.
fn decode_signed(
    token: &str,
    key: &DecodingKey,
    alg: Algorithm,
) -> Result<(Header, Value), JoseError> {
    let mut validation = Validation::new(alg);
    validation.algorithms = vec![alg];
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let data =
        jsonwebtoken::decode::<Value>(token, key, &validation).map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => JoseError::BadSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
                JoseError::KeyMismatch("the key cannot verify this algorithm")
            }
            _ => JoseError::Malformed("the payload or signature cannot be decoded"),
        })?;
    if !data.claims.is_object() {
        return Err(JoseError::Malformed("the claims are not a JSON object"));
    }
    Ok((data.header, data.claims))
}

/// The header of a compact JWS (three parts, a JSON object) and its `alg`,
/// which must be one of `allowed`; no `crit`. The allowed list is checked
/// on the text, so `none` (which the JOSE crate cannot even parse) and any
/// other name get the same answer. RFC 7515 §4.1.11: extensions the
/// recipient does not understand make the JWS invalid; this verifier
/// understands none.
fn allowed_header(
    token: &str,
    mut allowed: impl Iterator<Item = Algorithm>,
) -> Result<(Value, Algorithm), JoseError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Malformed("not three base64url parts"));
    };
    let raw_header: Value = URL_SAFE_NO_PAD
        .decode(header_b64)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(Value::is_object)
        .ok_or(JoseError::Malformed("the header is not a JSON object"))?;
    let alg_name = raw_header.get("alg").and_then(Value::as_str);
    let alg = allowed
        .find(|a| Some(algorithm_name(*a)) == alg_name)
        .ok_or(JoseError::AlgorithmNotAllowed)?;
    if raw_header.get("crit").is_some() {
        return Err(JoseError::Header("crit names extensions not understood"));
    }
    Ok((raw_header, alg))
}

/// The HMAC algorithms (RFC 7518 §3.2), which [`verify_with_secret`]
/// alone accepts.
pub const HMAC_ALGORITHMS: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Verifies a compact JWS signed with a shared secret by one of the HMAC
/// algorithms of `v` (`client_secret_jwt`, RFC 7523 §2.2 and OpenID
/// Connect Core §9), with [`verify`]'s refusals of the header: `alg`
/// allowed (any other is refused, so an asymmetric one cannot be fed a
/// secret as its key), no `crit`. RFC 7518 §3.2: the secret is at least as
/// long as the hash; a shorter one is refused.
pub fn verify_with_secret(
    token: &str,
    secret: &[u8],
    v: &Verification<'_>,
) -> Result<Verified, JoseError> {
    let hmac = v
        .algorithms
        .iter()
        .copied()
        .filter(|a| HMAC_ALGORITHMS.contains(a));
    let (_, alg) = allowed_header(token, hmac)?;
    let min_len = match alg {
        Algorithm::HS256 => 32,
        Algorithm::HS384 => 48,
        _ => 64,
    };
    if secret.len() < min_len {
        return Err(JoseError::Key(format!(
            "the secret is shorter than {min_len} bytes, too short for {}",
            algorithm_name(alg)
        )));
    }
    let (header, claims) = decode_signed(token, &DecodingKey::from_secret(secret), alg)?;
    Ok(Verified {
        kid: String::new(),
        header,
        claims,
    })
}

/// The members of a JWK that belong to a private or symmetric key (RFC
/// 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
pub const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Verifies a compact JWS signed by the key its own header carries as
/// `jwk`: a proof of possession of that key (RFC 9449 §4.3), not a token
/// whose issuer is trusted, which [`verify`] is for. The same refusals
/// apply (`alg` allowed, never `none` or a symmetric one; no `crit`; the
/// key fits the algorithm), and the `jwk` must be a public key. Returns
/// the verified token and the key, whose RFC 7638 thumbprint names it.
pub fn verify_with_header_jwk(
    token: &str,
    v: &Verification<'_>,
) -> Result<(Verified, Jwk), JoseError> {
    let header_b64 = token.split('.').next().unwrap_or_default();
    let raw_header: Value = URL_SAFE_NO_PAD
        .decode(header_b64)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(Value::is_object)
        .ok_or(JoseError::Malformed("the header is not a JSON object"))?;
    let raw_jwk = raw_header
        .get("jwk")
        .filter(|j| j.is_object())
        .ok_or(JoseError::Header("the header has no jwk"))?;
    if PRIVATE_JWK_MEMBERS.iter().any(|m| raw_jwk.get(m).is_some()) {
        return Err(JoseError::Header("the header's jwk is not a public key"));
    }
    let jwk: Jwk = serde_json::from_value(raw_jwk.clone())
        .map_err(|_| JoseError::Header("the header's jwk is not a JWK"))?;
    let keys = JwkSet {
        keys: vec![jwk.clone()],
    };
    let verified = verify_keys(token, &keys, v, true)?;
    Ok((verified, jwk))
}

/// RFC 8725 §3.1 and RFC 7517 §4.2-§4.4: a key is used only with its own
/// algorithm, only for signatures, and only if its type is the
/// algorithm's.
fn check_key_fits(key: &Jwk, alg: Algorithm) -> Result<(), JoseError> {
    match &key.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err(JoseError::KeyMismatch("the key's use is not sig")),
    }
    if let Some(ops) = &key.common.key_operations
        && !ops.contains(&KeyOperations::Verify)
    {
        return Err(JoseError::KeyMismatch(
            "the key's key_ops do not include verify",
        ));
    }
    if let Some(key_alg) = key.common.key_algorithm {
        let same = matches!(
            (key_alg, alg),
            (KeyAlgorithm::RS256, Algorithm::RS256)
                | (KeyAlgorithm::ES256, Algorithm::ES256)
                | (KeyAlgorithm::EdDSA, Algorithm::EdDSA)
        );
        if !same {
            return Err(JoseError::KeyMismatch("the key's alg is another"));
        }
    }
    let type_fits = match (&key.algorithm, alg) {
        (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            ec.curve == EllipticCurve::P256
        }
        (AlgorithmParameters::OctetKeyPair(okp), Algorithm::EdDSA) => {
            okp.curve == EllipticCurve::Ed25519
        }
        _ => false,
    };
    if type_fits {
        Ok(())
    } else {
        Err(JoseError::KeyMismatch(
            "the key's type or curve is not the algorithm's",
        ))
    }
}
