//! Signing keys: generated or read from PEM, kept as DER (the form
//! `jsonwebtoken` signs with and storage keeps), published as a public JWK
//! whose `kid` is its RFC 7638 thumbprint.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk, KeyAlgorithm, OctetKeyPairParameters, OctetKeyPairType,
    PublicKeyUse, RSAKeyParameters, RSAKeyType, ThumbprintHash,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use super::{JoseError, algorithm_name};

/// RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used".
const RSA_MIN_BITS: usize = 2048;

/// A private key of one algorithm, with its public JWK. `Debug` shows the
/// `kid` and the algorithm, never the key.
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    /// PKCS#1 DER for RSA, PKCS#8 DER for EC and Ed25519.
    der: Vec<u8>,
    encoding: EncodingKey,
    public: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &algorithm_name(self.alg))
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

fn key_error(e: impl std::fmt::Display) -> JoseError {
    JoseError::Key(e.to_string())
}

fn unsupported(alg: Algorithm) -> JoseError {
    JoseError::Key(format!(
        "{} keys are not supported (RS256, ES256, EdDSA)",
        algorithm_name(alg)
    ))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl SigningKey {
    /// A new random key: RSA 2048 bits for `RS256`, P-256 for `ES256`,
    /// Ed25519 for `EdDSA`.
    pub fn generate(alg: Algorithm) -> Result<SigningKey, JoseError> {
        let mut rng = rand::rngs::OsRng;
        match alg {
            Algorithm::RS256 => {
                let key = rsa::RsaPrivateKey::new(&mut rng, RSA_MIN_BITS).map_err(key_error)?;
                SigningKey::from_rsa(key)
            }
            Algorithm::ES256 => SigningKey::from_p256(p256::SecretKey::random(&mut rng)),
            Algorithm::EdDSA => {
                SigningKey::from_ed25519(ed25519_dalek::SigningKey::generate(&mut rng))
            }
            other => Err(unsupported(other)),
        }
    }

    /// A key from PEM: PKCS#8 (`BEGIN PRIVATE KEY`) for every algorithm, or
    /// PKCS#1 (`BEGIN RSA PRIVATE KEY`) for `RS256`.
    pub fn from_pem(alg: Algorithm, pem: &str) -> Result<SigningKey, JoseError> {
        match alg {
            Algorithm::RS256 => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                use rsa::pkcs8::DecodePrivateKey;
                let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
                    .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
                    .map_err(|_| JoseError::Key("not an RSA private key in PEM".into()))?;
                SigningKey::from_rsa(key)
            }
            Algorithm::ES256 => {
                use p256::pkcs8::DecodePrivateKey;
                let key = p256::SecretKey::from_pkcs8_pem(pem)
                    .map_err(|_| JoseError::Key("not a P-256 private key in PKCS#8 PEM".into()))?;
                SigningKey::from_p256(key)
            }
            Algorithm::EdDSA => {
                use ed25519_dalek::pkcs8::DecodePrivateKey;
                let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| {
                    JoseError::Key("not an Ed25519 private key in PKCS#8 PEM".into())
                })?;
                SigningKey::from_ed25519(key)
            }
            other => Err(unsupported(other)),
        }
    }

    /// A key from the DER that [`SigningKey::private_der`] gave (how
    /// storage keeps it).
    pub fn from_private_der(alg: Algorithm, der: &[u8]) -> Result<SigningKey, JoseError> {
        match alg {
            Algorithm::RS256 => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                SigningKey::from_rsa(rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(key_error)?)
            }
            Algorithm::ES256 => {
                use p256::pkcs8::DecodePrivateKey;
                SigningKey::from_p256(p256::SecretKey::from_pkcs8_der(der).map_err(key_error)?)
            }
            Algorithm::EdDSA => {
                use ed25519_dalek::pkcs8::DecodePrivateKey;
                SigningKey::from_ed25519(
                    ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(key_error)?,
                )
            }
            other => Err(unsupported(other)),
        }
    }

    fn from_rsa(key: rsa::RsaPrivateKey) -> Result<SigningKey, JoseError> {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        if key.size() * 8 < RSA_MIN_BITS {
            return Err(JoseError::Key(format!(
                "an RSA key must have at least {RSA_MIN_BITS} bits (RFC 7518 §3.3)"
            )));
        }
        let der = key.to_pkcs1_der().map_err(key_error)?.as_bytes().to_vec();
        let params = AlgorithmParameters::RSA(RSAKeyParameters {
            key_type: RSAKeyType::RSA,
            n: b64(&key.n().to_bytes_be()),
            e: b64(&key.e().to_bytes_be()),
        });
        Ok(SigningKey::assemble(
            Algorithm::RS256,
            EncodingKey::from_rsa_der(&der),
            der,
            params,
        ))
    }

    fn from_p256(key: p256::SecretKey) -> Result<SigningKey, JoseError> {
        use p256::elliptic_curve::sec1::{Coordinates, ToEncodedPoint};
        use p256::pkcs8::EncodePrivateKey;
        let der = key.to_pkcs8_der().map_err(key_error)?.as_bytes().to_vec();
        let point = key.public_key().to_encoded_point(false);
        let Coordinates::Uncompressed { x, y } = point.coordinates() else {
            return Err(JoseError::Key("P-256 public key not uncompressed".into()));
        };
        let params = AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
            key_type: EllipticCurveKeyType::EC,
            curve: EllipticCurve::P256,
            x: b64(x),
            y: b64(y),
        });
        Ok(SigningKey::assemble(
            Algorithm::ES256,
            EncodingKey::from_ec_der(&der),
            der,
            params,
        ))
    }

    fn from_ed25519(key: ed25519_dalek::SigningKey) -> Result<SigningKey, JoseError> {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let der = key.to_pkcs8_der().map_err(key_error)?.as_bytes().to_vec();
        let params = AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: b64(key.verifying_key().as_bytes()),
        });
        Ok(SigningKey::assemble(
            Algorithm::EdDSA,
            EncodingKey::from_ed_der(&der),
            der,
            params,
        ))
    }

    /// The public JWK: `use` `sig`, the algorithm, and the RFC 7638
    /// SHA-256 thumbprint as `kid`.
    fn assemble(
        alg: Algorithm,
        encoding: EncodingKey,
        der: Vec<u8>,
        algorithm: AlgorithmParameters,
    ) -> SigningKey {
        let mut public = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(match alg {
                    Algorithm::RS256 => KeyAlgorithm::RS256,
                    Algorithm::ES256 => KeyAlgorithm::ES256,
                    _ => KeyAlgorithm::EdDSA,
                }),
                ..CommonParameters::default()
            },
            algorithm,
        };
        public.common.key_id = Some(public.thumbprint(ThumbprintHash::SHA256));
        SigningKey {
            alg,
            der,
            encoding,
            public,
        }
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        self.public.common.key_id.as_deref().unwrap_or_default()
    }

    /// The public key as a JWK, for the JWK Set.
    pub fn public_jwk(&self) -> Jwk {
        self.public.clone()
    }

    /// The private key as DER, to keep in storage (encrypted). A secret:
    /// never log it.
    pub fn private_der(&self) -> &[u8] {
        &self.der
    }

    /// `claims` as a compact JWS (RFC 7515 §7.1) with this key's `alg` and
    /// `kid`, and `typ` (`JWT` for ID tokens, `at+jwt` for RFC 9068 access
    /// tokens).
    pub fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, JoseError> {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid().to_owned());
        header.typ = Some(typ.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(key_error)
    }

    /// A compact JWS whose header carries this key's public JWK (`jwk`)
    /// instead of a `kid`: a proof of possession, as a DPoP proof is
    /// (RFC 9449 §4.2, `typ` `dpop+jwt`), for clients and tests.
    ///
    /// ```
    /// use oauth_core::jose::{Algorithm, SigningKey, Verification, verify_with_header_jwk};
    /// let key = SigningKey::generate(Algorithm::ES256).unwrap();
    /// let proof = key.sign_with_jwk("dpop+jwt", &serde_json::json!({"htm": "POST"})).unwrap();
    /// let (verified, jwk) =
    ///     verify_with_header_jwk(&proof, &Verification::new(&[Algorithm::ES256])).unwrap();
    /// assert_eq!(verified.claims["htm"], "POST");
    /// assert_eq!(jwk.common.key_id.as_deref(), Some(key.kid()));
    /// ```
    pub fn sign_with_jwk<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, JoseError> {
        let mut header = Header::new(self.alg);
        header.typ = Some(typ.to_owned());
        header.jwk = Some(self.public.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(key_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_kid_is_the_thumbprint_and_survives_storage() {
        for alg in [Algorithm::ES256, Algorithm::EdDSA] {
            let key = SigningKey::generate(alg).unwrap();
            let again = SigningKey::from_private_der(alg, key.private_der()).unwrap();
            assert_eq!(again.kid(), key.kid());
            assert_eq!(key.kid().len(), 43, "base64url of a SHA-256 digest");
            assert_ne!(SigningKey::generate(alg).unwrap().kid(), key.kid());
        }
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains(key.kid()) && shown.contains("EdDSA"));
        assert!(!shown.contains(&b64(key.private_der())));
        assert!(!shown.contains("der"));
    }
}
