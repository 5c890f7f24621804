//! The server's signing keys: `with_signing_keys`, the JWK Set endpoint
//! (RFC 7517 §5) and `jwks_uri` in the metadata (RFC 8414 §2), from the
//! `[oauth2.signing_keys]` section.

use oauth_core::config::SigningKeys;
use oauth_core::jose::{self, Algorithm, SigningKeyStorage, Verification};
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth2::rfc8414::Endpoints;
use oauth_core::{AuthorizationServer, Config, ManualClock};

const ISSUER: &str = "https://as.example";
const T0: i64 = 1_700_000_000;

fn endpoints() -> Endpoints {
    Endpoints {
        jwks: Some("/oauth/jwks".into()),
        ..Endpoints::under("/oauth")
    }
}

fn server(keys: SigningKeys) -> AuthorizationServer<MemoryStorage> {
    let config = Config {
        signing_keys: keys,
        ..Config::default()
    };
    AuthorizationServer::new(MemoryStorage::new(), config)
        .unwrap()
        .with_clock(ManualClock::new(T0))
        .with_signing_keys()
}

#[tokio::test]
async fn rfc7517_5_the_jwks_holds_the_signing_key_with_kid_alg_and_use() {
    let server = server(SigningKeys::default());
    let r = server.create_jwks_response().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Cache-Control"), Some("public, max-age=300"));
    let set = r.json_body();
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "RSA", "RS256 by default (OIDC Core §15.1)");
    assert_eq!(keys[0]["alg"], "RS256");
    assert_eq!(keys[0]["use"], "sig");
    assert!(keys[0]["kid"].is_string());
    assert!(keys[0].get("d").is_none(), "no private part");
    // What the ring signs verifies against what the endpoint publishes.
    let ring = server.key_ring().unwrap();
    let token = ring
        .current(server.storage(), T0)
        .await
        .unwrap()
        .sign("JWT", &serde_json::json!({"exp": T0 + 60}))
        .unwrap();
    let published: jose::JwkSet = serde_json::from_value(set).unwrap();
    assert!(jose::verify(&token, &published, &Verification::new(&[Algorithm::RS256])).is_ok());
}

#[tokio::test]
async fn rfc8414_2_jwks_uri_is_listed_only_when_the_server_signs() {
    let signing = server(SigningKeys::default());
    assert_eq!(
        signing.metadata(ISSUER, &endpoints())["jwks_uri"],
        "https://as.example/oauth/jwks"
    );
    let plain = AuthorizationServer::new(MemoryStorage::new(), Config::default()).unwrap();
    assert!(
        plain
            .metadata(ISSUER, &endpoints())
            .get("jwks_uri")
            .is_none()
    );
    assert_eq!(plain.create_jwks_response().await.status, 404);
    assert!(plain.key_ring().is_none());
}

#[tokio::test]
async fn the_section_chooses_the_algorithm_the_sealing_and_the_schedule() {
    let server = server(SigningKeys {
        algorithm: "EdDSA".into(),
        additional_algorithms: Vec::new(),
        key_encryption_key: Some("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
        publish_ahead: 60,
        rotate_after: 0,
        keys: Vec::new(),
    });
    let set = server.create_jwks_response().await.json_body();
    assert_eq!(set["keys"][0]["kty"], "OKP");
    assert_eq!(set["keys"][0]["crv"], "Ed25519");
    let ring = server.key_ring().unwrap();
    assert!(ring.sealer.is_sealing());
    assert_eq!(ring.publish_ahead, 60);
    assert_eq!(ring.rotate_after, None);
    // A key stays published after it stops signing as long as the longest
    // access token lives (864000 s by default, Authlib's).
    assert_eq!(ring.signed_lifetime, 864_000);
    let stored = server.storage().signing_keys().await.unwrap();
    assert!(stored[0].private_key.starts_with("v1:"));
    // A rotation is in the set at once.
    ring.rotate(server.storage(), T0).await.unwrap();
    let set = server.create_jwks_response().await.json_body();
    assert_eq!(set["keys"].as_array().unwrap().len(), 2);
}

#[test]
fn signing_key_settings_that_cannot_work_are_named() {
    let invalid = |keys: SigningKeys| {
        Config {
            signing_keys: keys,
            ..Config::default()
        }
        .validate()
        .unwrap_err()
    };
    let err = invalid(SigningKeys {
        algorithm: "HS256".into(),
        ..SigningKeys::default()
    });
    assert!(err.contains("oauth2.signing_keys.algorithm"), "{err}");
    let err = invalid(SigningKeys {
        additional_algorithms: vec!["ES256".into(), "none".into()],
        ..SigningKeys::default()
    });
    assert!(
        err.contains("additional_algorithms") && err.contains("none"),
        "{err}"
    );
    let err = invalid(SigningKeys {
        key_encryption_key: Some("c2hvcnQ=".into()),
        ..SigningKeys::default()
    });
    assert!(
        err.contains("key_encryption_key") && !err.contains("c2hvcnQ"),
        "{err}"
    );
    let err = invalid(SigningKeys {
        publish_ahead: 0,
        ..SigningKeys::default()
    });
    assert!(err.contains("publish_ahead"), "{err}");
    // The key encryption key never shows in Debug.
    let config = Config {
        signing_keys: SigningKeys {
            key_encryption_key: Some("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
            ..SigningKeys::default()
        },
        ..Config::default()
    };
    assert!(!format!("{config:?}").contains("MDEy"));
}
