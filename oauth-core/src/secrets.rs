//! Secret values: generation, digests for storage, constant-time comparison.
//!
//! Access tokens, refresh tokens, authorization codes and client secrets are
//! random values of at least 256 bits. Storage only ever sees their SHA-256
//! digest: a leaked table yields nothing usable, and lookups go by digest on
//! an index. A plain hash (not a password hash) is the right tool here: the
//! inputs have full entropy, so there is nothing to brute-force.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

/// Hex-encoded SHA-256 of `secret`: what storage keeps for a token, a
/// refresh token, an authorization code or a client secret.
///
/// ```
/// let d = oauth_core::secrets::digest("abc");
/// assert_eq!(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in hash {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Checks a presented client secret against the stored digest, in constant
/// time. The stored value is what [`hash_client_secret`] returned.
pub fn verify_client_secret(stored_digest: &str, presented: &str) -> bool {
    constant_time_eq(stored_digest.as_bytes(), digest(presented).as_bytes())
}

/// The value to store for a newly issued client secret.
pub fn hash_client_secret(secret: &str) -> String {
    digest(secret)
}

/// `bytes` bytes from the operating system's CSPRNG, URL-safe base64
/// without padding (43 characters for 32 bytes).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(&buf)
}

/// BASE64URL-ENCODE(SHA256(ASCII(input))), as RFC 7636 §4.2 defines S256.
pub fn s256(input: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token(32);
        let b = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn client_secret_roundtrip() {
        let stored = hash_client_secret("s3cret");
        assert!(verify_client_secret(&stored, "s3cret"));
        assert!(!verify_client_secret(&stored, "s3cret "));
        assert!(!verify_client_secret(&stored, ""));
    }

    #[test]
    fn rfc7636_appendix_b_s256_example() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}

/// Declares a type that holds one secret string: its `Debug` shows
/// `Name([redacted])`, equality is in constant time, and the value is
/// reached only by naming it (`.secret()`), as oauth2-rs's
/// `new_secret_type!` does. It serializes as the bare string, for the
/// response that hands it to its owner.
macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(secret: impl Into<String>) -> $name {
                $name(secret.into())
            }

            /// The secret itself: for the response that hands it over, or
            /// the request that presents it; never for a log.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// The secret itself, owned.
            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl From<String> for $name {
            fn from(secret: String) -> $name {
                $name(secret)
            }
        }

        impl From<&str> for $name {
            fn from(secret: &str) -> $name {
                $name(secret.to_owned())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &$name) -> bool {
                constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
            }
        }
    };
}

secret_type!(
    /// The 32-byte key, in base64, that seals signing keys at rest
    /// (`[oauth2.signing_keys] key_encryption_key`).
    KeyEncryptionKey
);
secret_type!(
    /// The 32-byte key, in base64, that DPoP server nonces are derived from
    /// (`[oauth2.dpop] nonce_key`, RFC 9449 §8).
    DpopNonceKey
);
secret_type!(
    /// The secret salt of pairwise subject identifiers (OpenID Connect
    /// Core §8.1; `[oauth2] pairwise_salt`).
    PairwiseSalt
);
secret_type!(
    /// A private signing key in PEM, from the configuration
    /// (`[[oauth2.signing_keys.keys]] pem`).
    PrivateKeyPem
);

secret_type!(
    /// A raw access token (RFC 6749 §1.4).
    AccessToken
);
secret_type!(
    /// A raw refresh token (RFC 6749 §1.5).
    RefreshToken
);
secret_type!(
    /// A raw authorization code (RFC 6749 §1.3.1).
    AuthorizationCode
);
secret_type!(
    /// A client secret in the clear (RFC 6749 §2.3.1): presented, or just
    /// issued.
    ClientSecret
);
secret_type!(
    /// A registration access token in the clear (RFC 7592 §3): the bearer
    /// credential of a client's configuration endpoint.
    RegistrationAccessToken
);
secret_type!(
    /// A raw device code (RFC 8628 §3.2).
    DeviceCode
);
secret_type!(
    /// A user code as shown to the user (RFC 8628 §3.2).
    UserCode
);
secret_type!(
    /// An OAuth 1.0a credential secret in the clear (RFC 5849 §2.1, §2.3):
    /// the secret of a temporary or token credential.
    CredentialSecret
);
