//! The ID Token (OpenID Connect Core 1.0 §2) as the server signs it: the
//! required claims, `at_hash` and `c_hash` (§3.1.3.6, §3.3.2.11) with the
//! hash of the signing key's algorithm, and a signature that verifies
//! against the published JWK Set and against nothing else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth_core::config::SigningKeys;
use oauth_core::jose::{self, Algorithm, JwkSet, Verification};
use oauth_core::memory::MemoryStorage;
use oauth_core::oidc::{IdTokenClaims, token_hash};
use oauth_core::{AuthorizationServer, Config, ErrorCode, ManualClock};
use sha2::{Digest, Sha256, Sha512};

const ISSUER: &str = "https://as.example";
const T0: i64 = 1_700_000_000;

fn server(algorithm: &str) -> AuthorizationServer<MemoryStorage> {
    let config = Config {
        signing_keys: SigningKeys {
            algorithm: algorithm.into(),
            ..SigningKeys::default()
        },
        ..Config::default()
    };
    AuthorizationServer::new(MemoryStorage::new(), config)
        .unwrap()
        .with_clock(ManualClock::new(T0))
        .with_signing_keys()
}

async fn published(server: &AuthorizationServer<MemoryStorage>) -> JwkSet {
    serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap()
}

fn claims() -> IdTokenClaims {
    let mut c = IdTokenClaims::new(ISSUER, "42", "client-1", T0, 300);
    c.auth_time = Some(T0 - 60);
    c.nonce = Some("n-0S6_WzA2Mj".into());
    c
}

#[tokio::test]
async fn oidc_core_2_id_token_carries_the_required_claims_and_verifies_with_the_jwks() {
    for (name, alg) in [
        ("RS256", Algorithm::RS256),
        ("ES256", Algorithm::ES256),
        ("EdDSA", Algorithm::EdDSA),
    ] {
        let server = server(name);
        let token = server
            .sign_id_token(claims(), Some("access"), None)
            .await
            .unwrap();
        let verified = jose::verify(
            &token,
            &published(&server).await,
            &Verification::new(&[alg]),
        )
        .unwrap();
        assert_eq!(verified.header.alg, alg);
        assert_eq!(verified.header.typ.as_deref(), Some("JWT"));
        let c = &verified.claims;
        assert_eq!(c["iss"], ISSUER, "{name}");
        assert_eq!(c["sub"], "42");
        assert_eq!(c["aud"], "client-1");
        assert_eq!(c["azp"], "client-1");
        assert_eq!(c["iat"], T0);
        assert_eq!(c["exp"], T0 + 300);
        assert_eq!(c["auth_time"], T0 - 60);
        assert_eq!(c["nonce"], "n-0S6_WzA2Mj", "§3.1.2.1: the nonce unchanged");
        assert!(c.get("c_hash").is_none(), "no code was issued");
        assert!(c.get("acr").is_none() && c.get("amr").is_none());
    }
}

#[tokio::test]
async fn oidc_core_3_1_3_6_at_hash_is_the_left_half_of_the_algorithms_hash() {
    let half = |d: &[u8]| URL_SAFE_NO_PAD.encode(&d[..d.len() / 2]);
    for (name, alg) in [("ES256", Algorithm::ES256), ("EdDSA", Algorithm::EdDSA)] {
        let server = server(name);
        let token = server
            .sign_id_token(claims(), Some("the-access-token"), Some("the-code"))
            .await
            .unwrap();
        let c = jose::verify(
            &token,
            &published(&server).await,
            &Verification::new(&[alg]),
        )
        .unwrap()
        .claims;
        let hash = |value: &[u8]| match alg {
            Algorithm::EdDSA => half(&Sha512::digest(value)),
            _ => half(&Sha256::digest(value)),
        };
        let (at, code) = (hash(b"the-access-token"), hash(b"the-code"));
        assert_eq!(c["at_hash"], at, "{name}");
        // §3.3.2.11: c_hash the same way, over the code.
        assert_eq!(c["c_hash"], code, "{name}");
        assert_eq!(token_hash(alg, "the-code"), code);
        assert_eq!(at.len(), if name == "EdDSA" { 43 } else { 22 });
    }
}

#[tokio::test]
async fn oidc_core_3_1_3_7_a_tampered_id_token_or_another_issuers_keys_are_refused() {
    let server = server("RS256");
    let token = server.sign_id_token(claims(), None, None).await.unwrap();
    let keys = published(&server).await;
    // Another subject in the payload, the signature kept.
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["sub"] = "43".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    let v = Verification::new(&[Algorithm::RS256]);
    assert!(jose::verify(&token, &keys, &v).is_ok());
    assert!(jose::verify(&forged, &keys, &v).is_err());
    // Signed by another server's key: its kid is unknown here.
    let other = published(&crate::server("RS256")).await;
    assert!(jose::verify(&token, &other, &v).is_err());
    // An RP that expects ES256 refuses the RS256 token (RFC 8725 §3.1).
    assert!(jose::verify(&token, &keys, &Verification::new(&[Algorithm::ES256])).is_err());
}

#[tokio::test]
async fn oidc_core_2_without_signing_keys_no_id_token_is_made() {
    let server = AuthorizationServer::new(MemoryStorage::new(), Config::default()).unwrap();
    let e = server
        .sign_id_token(claims(), None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ServerError);
}

#[test]
fn oidc_core_2_absent_optional_claims_are_left_out_and_extra_claims_kept() {
    let mut c = IdTokenClaims::new(ISSUER, "42", "client-1", T0, 300);
    c.extra.insert("email".into(), "a@example.test".into());
    c.amr = vec!["pwd".into()];
    let json = serde_json::to_value(&c).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["amr", "aud", "azp", "email", "exp", "iat", "iss", "sub"]
    );
    let back: IdTokenClaims = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
}
