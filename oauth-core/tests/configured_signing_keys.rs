//! Signing keys managed outside the server and given in the configuration
//! (`[[oauth2.signing_keys.keys]]`, PEM): they are the JWK Set, the first
//! of each algorithm signs, storage keeps no key, rotation is left to the
//! operator; a key that does not parse stops the start, named by its place
//! and never shown.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use oauth_core::config::{ConfiguredKey, SigningKeys};
use oauth_core::jose::{self, Algorithm, JwkSet, SigningKey, SigningKeyStorage, Verification};
use oauth_core::memory::MemoryStorage;
use oauth_core::oidc::IdTokenClaims;
use oauth_core::{AuthorizationServer, Config, Endpoints};

/// `key` in PEM, as an operator's tooling writes it.
fn pem(key: &SigningKey) -> String {
    let label = if key.alg() == Algorithm::RS256 {
        "RSA PRIVATE KEY"
    } else {
        "PRIVATE KEY"
    };
    let body = STANDARD.encode(key.private_der());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn configured(keys: &[(&str, String)]) -> Config {
    Config {
        issuer: Some("https://as.example".into()),
        signing_keys: SigningKeys {
            keys: keys
                .iter()
                .map(|(alg, pem)| ConfiguredKey {
                    alg: (*alg).into(),
                    pem: pem.as_str().into(),
                })
                .collect(),
            ..SigningKeys::default()
        },
        ..Config::default()
    }
}

#[tokio::test]
async fn configured_keys_are_the_jwk_set_and_the_first_signs() {
    let ed = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let rsa = SigningKey::generate(Algorithm::RS256).unwrap();
    let config = configured(&[("EdDSA", pem(&ed)), ("RS256", pem(&rsa))]);
    let storage = MemoryStorage::new();
    let server = AuthorizationServer::new(storage, config)
        .unwrap()
        .with_openid_connect();
    let set: JwkSet =
        serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap();
    let kids: Vec<String> = set
        .keys
        .iter()
        .map(|k| k.common.key_id.clone().unwrap())
        .collect();
    assert_eq!(kids, [ed.kid(), rsa.kid()]);
    // Nothing is made in storage.
    assert!(server.storage().signing_keys().await.unwrap().is_empty());
    let token = server
        .sign_id_token(
            IdTokenClaims::new("https://as.example", "alice", "rp", 1_700_000_000, 300),
            None,
            None,
        )
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.kid.as_deref(), Some(ed.kid()));
    assert!(jose::verify(&token, &set, &Verification::new(&[Algorithm::EdDSA])).is_ok());
    let doc = server.metadata("https://as.example", &Endpoints::under("/oauth"));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["EdDSA", "RS256"])
    );
    // Rotation is the operator's.
    let ring = server.key_ring().unwrap();
    assert_eq!(
        ring.rotate_if_due(server.storage(), 1_800_000_000)
            .await
            .unwrap(),
        None
    );
    assert!(ring.rotate(server.storage(), 1_800_000_000).await.is_err());
}

#[test]
fn a_configured_key_that_cannot_work_stops_the_start_without_showing_it() {
    let rsa = SigningKey::generate(Algorithm::RS256).unwrap();
    let secret_pem = pem(&rsa);
    // The RSA key named as ES256.
    let err = configured(&[("ES256", secret_pem.clone())])
        .validate()
        .unwrap_err();
    assert!(err.contains("keys[0].pem"), "{err}");
    assert!(
        !err.contains("PRIVATE KEY") && !err.contains(&secret_pem[40..80]),
        "{err}"
    );
    let err = configured(&[("HS256", secret_pem.clone())])
        .validate()
        .unwrap_err();
    assert!(err.contains("keys[0].alg"), "{err}");
    let mut both = configured(&[("RS256", secret_pem.clone())]);
    both.signing_keys.additional_algorithms = vec!["ES256".into()];
    assert!(
        both.validate()
            .unwrap_err()
            .contains("additional_algorithms")
    );
    // Debug never shows the PEM.
    let shown = format!("{:?}", configured(&[("RS256", secret_pem.clone())]));
    assert!(!shown.contains(&secret_pem[40..80]), "{shown}");
}
