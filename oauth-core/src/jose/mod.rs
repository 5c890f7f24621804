//! JOSE: JSON Web Signatures (RFC 7515) and JSON Web Keys (RFC 7517) with
//! the algorithms of RFC 7518 that OpenID Connect needs, on the
//! `jsonwebtoken` crate and RustCrypto (no C).
//!
//! - [`SigningKey`]: a private key of one algorithm, `RS256` (required by
//!   OpenID Connect Core §15.1), `ES256` or `EdDSA` (Ed25519), generated
//!   here or read from PEM; its `kid` is the RFC 7638 thumbprint of its
//!   public key, so the same key has the same `kid` on every instance.
//! - [`sign`](SigningKey::sign): a compact JWS with `alg`, `kid` and `typ`.
//! - [`verify`]: a compact JWS checked against a JWK Set, refusing what
//!   RFC 8725 (JWT Best Current Practices) names: `alg=none` and any
//!   algorithm not allowed, a key used with another algorithm than its own
//!   (algorithm confusion), a key not for signatures, keys the token brings
//!   along (`jwk`, `jku`), and `crit` extensions. Claims are checked by the
//!   caller with the engine's clock ([`TimeClaims`]), not the system time.
//! - [`KeyRing`]: keys kept in a [`SigningKeyStorage`], sealed at rest,
//!   rotated with their publication ahead of use and after it.
//!
//! ```
//! use oauth_core::jose::{self, Algorithm, SigningKey, Verification};
//! use serde_json::json;
//!
//! let key = SigningKey::generate(Algorithm::ES256).unwrap();
//! let jwks = jose::JwkSet { keys: vec![key.public_jwk()] };
//! let token = key.sign("JWT", &json!({"sub": "alice", "exp": 1_700_003_600})).unwrap();
//!
//! let verified = jose::verify(&token, &jwks, &Verification::new(&[Algorithm::ES256])).unwrap();
//! assert_eq!(verified.claims["sub"], "alice");
//! assert_eq!(verified.kid, key.kid());
//! // Another algorithm than the key's own is refused before any signature check.
//! assert!(jose::verify(&token, &jwks, &Verification::new(&[Algorithm::RS256])).is_err());
//! ```

mod claims;
mod endpoint;
pub mod keyring;
mod keys;
mod verify;

pub use claims::TimeClaims;
pub use jsonwebtoken::Algorithm;
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use keyring::{KeyRing, KeySealer, OpenedKeys, SigningKeyStorage, StoredSigningKey};
pub use keys::SigningKey;
pub use verify::{
    HMAC_ALGORITHMS, PRIVATE_JWK_MEMBERS, Verification, Verified, verify, verify_with_header_jwk,
    verify_with_secret,
};

/// Why a key could not be made or read, or a token not be signed or
/// verified. The messages name the rule, never key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoseError {
    /// Not a compact JWS, or its header or claims are not JSON objects.
    Malformed(&'static str),
    /// The `alg` of the token is not one the verifier allows (`none`
    /// included: it is never allowed).
    AlgorithmNotAllowed,
    /// No key of the set has the token's `kid` (or the set has several
    /// keys and the token names none).
    UnknownKey,
    /// The key is not for this use: another algorithm than the token's,
    /// another `use` than `sig`, or a key type the algorithm cannot use.
    KeyMismatch(&'static str),
    /// The signature does not verify.
    BadSignature,
    /// A header the verifier does not accept (`crit`, an embedded key).
    Header(&'static str),
    /// A claim is missing or wrong (`exp` passed, `nbf` ahead, `iat` in the
    /// future).
    Claim(&'static str),
    /// A key cannot be generated or read (not PEM, too short, wrong curve).
    Key(String),
}

impl std::fmt::Display for JoseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JoseError::Malformed(what) => write!(f, "malformed JWS: {what}"),
            JoseError::AlgorithmNotAllowed => f.write_str("the token's alg is not allowed"),
            JoseError::UnknownKey => f.write_str("no key of the JWK Set has the token's kid"),
            JoseError::KeyMismatch(what) => write!(f, "the key does not fit the token: {what}"),
            JoseError::BadSignature => f.write_str("the signature does not verify"),
            JoseError::Header(what) => write!(f, "header refused: {what}"),
            JoseError::Claim(what) => write!(f, "claim refused: {what}"),
            JoseError::Key(what) => write!(f, "key: {what}"),
        }
    }
}

impl std::error::Error for JoseError {}

/// The algorithms this crate signs and verifies with.
pub const SUPPORTED_ALGORITHMS: [Algorithm; 3] =
    [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];

/// The supported algorithm of a JOSE name (`RS256`, `ES256`, `EdDSA`), as
/// configuration and storage write it.
pub fn supported_algorithm(name: &str) -> Option<Algorithm> {
    SUPPORTED_ALGORITHMS
        .into_iter()
        .find(|a| algorithm_name(*a) == name)
}

/// The JOSE name of an algorithm (`RS256`), as in `alg` and metadata.
pub fn algorithm_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::EdDSA => "EdDSA",
    }
}
