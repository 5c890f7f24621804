//! Signing keys in storage and their rotation: a new key is in the JWK Set
//! before it signs, the old one stays there until what it signed has
//! expired, then leaves; instances on one storage sign with one key;
//! private keys are sealed at rest.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use oauth_core::jose::{
    self, Algorithm, JoseError, KeyRing, KeySealer, SigningKeyStorage, Verification,
};
use oauth_core::memory::MemoryStorage;
use serde_json::json;

const T0: i64 = 1_700_000_000;
const SEALING_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes
const LIFETIME: i64 = 3_600;

fn ring() -> KeyRing {
    KeyRing::new(
        Algorithm::ES256,
        LIFETIME,
        KeySealer::new(SEALING_KEY).unwrap(),
    )
}

fn kids(set: &jose::JwkSet) -> Vec<String> {
    let mut kids: Vec<String> = set
        .keys
        .iter()
        .map(|k| k.common.key_id.clone().unwrap())
        .collect();
    kids.sort();
    kids
}

#[tokio::test]
async fn the_first_key_signs_at_once_and_is_published() {
    let storage = MemoryStorage::new();
    let key = ring().current(&storage, T0).await.unwrap();
    assert_eq!(key.alg(), Algorithm::ES256);
    let jwks = ring().jwks(&storage, T0).await.unwrap();
    assert_eq!(kids(&jwks), vec![key.kid().to_owned()]);
    // Asked again, the same key: one key, not one per call.
    assert_eq!(
        ring().current(&storage, T0 + 5).await.unwrap().kid(),
        key.kid()
    );
    assert_eq!(storage.signing_keys().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_new_key_is_published_before_it_signs_and_the_old_one_until_its_tokens_expire() {
    let storage = MemoryStorage::new();
    let ring = ring();
    let old = ring.current(&storage, T0).await.unwrap();
    let old_token = old
        .sign("JWT", &json!({"sub": "alice", "exp": T0 + 7_200}))
        .unwrap();

    let rotated_at = T0 + 100;
    let new_kid = ring.rotate(&storage, rotated_at).await.unwrap();
    assert_ne!(new_kid, old.kid());
    // Published at once, both keys in the set ...
    let jwks = ring.jwks(&storage, rotated_at).await.unwrap();
    assert!(kids(&jwks).contains(&new_kid) && kids(&jwks).contains(&old.kid().to_owned()));
    // ... but the old key signs until the new one has been published for
    // publish_ahead.
    let switch = rotated_at + ring.publish_ahead;
    assert_eq!(
        ring.current(&storage, switch - 1).await.unwrap().kid(),
        old.kid()
    );
    assert_eq!(ring.current(&storage, switch).await.unwrap().kid(), new_kid);

    // What the old key signed verifies as long as it can be presented.
    let still = ring.jwks(&storage, switch + LIFETIME - 1).await.unwrap();
    assert!(jose::verify(&old_token, &still, &Verification::new(&[Algorithm::ES256])).is_ok());
    // Then the old key leaves the set, and storage.
    let after = ring.jwks(&storage, switch + LIFETIME).await.unwrap();
    assert_eq!(kids(&after), vec![new_kid.clone()]);
    assert_eq!(
        jose::verify(&old_token, &after, &Verification::new(&[Algorithm::ES256])).unwrap_err(),
        JoseError::UnknownKey
    );
    ring.rotate_if_due(&storage, switch + LIFETIME)
        .await
        .unwrap();
    let left: Vec<String> = storage
        .signing_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(left, vec![new_kid]);
}

#[tokio::test]
async fn instances_on_one_storage_sign_with_one_key() {
    let storage = Arc::new(MemoryStorage::new());
    let (a, b) = (ring(), ring());
    let first = a.current(storage.as_ref(), T0).await.unwrap();
    assert_eq!(
        b.current(storage.as_ref(), T0).await.unwrap().kid(),
        first.kid()
    );
    let new_kid = b.rotate(storage.as_ref(), T0).await.unwrap();
    let switch = T0 + b.publish_ahead;
    assert_eq!(
        a.current(storage.as_ref(), switch).await.unwrap().kid(),
        new_kid
    );
    // A token b signs verifies against the set a publishes.
    let token = b
        .current(storage.as_ref(), switch)
        .await
        .unwrap()
        .sign("JWT", &json!({"exp": switch + 60}))
        .unwrap();
    let jwks = a.jwks(storage.as_ref(), switch).await.unwrap();
    assert!(jose::verify(&token, &jwks, &Verification::new(&[Algorithm::ES256])).is_ok());
}

/// Two instances that rotate at once make two keys; the later rotation
/// retires the other new key too, so one key signs afterwards.
#[tokio::test]
async fn concurrent_rotations_leave_one_signing_key() {
    let storage = MemoryStorage::new();
    let ring = ring();
    ring.current(&storage, T0).await.unwrap();
    let _first = ring.rotate(&storage, T0 + 10).await.unwrap();
    let second = ring.rotate(&storage, T0 + 10).await.unwrap();
    let later = T0 + 10 + ring.publish_ahead;
    assert_eq!(ring.current(&storage, later).await.unwrap().kid(), second);
    let signing: Vec<_> = storage
        .signing_keys()
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.signs_until.is_none())
        .collect();
    assert_eq!(signing.len(), 1);
}

#[tokio::test]
async fn rotation_is_due_after_rotate_after() {
    let storage = MemoryStorage::new();
    let ring = ring();
    let first = ring.current(&storage, T0).await.unwrap();
    let after = ring.rotate_after.unwrap();
    assert_eq!(
        ring.rotate_if_due(&storage, T0 + after - 1).await.unwrap(),
        None
    );
    let rotated = ring.rotate_if_due(&storage, T0 + after).await.unwrap();
    assert!(rotated.is_some_and(|kid| kid != first.kid()));
    let never = KeyRing {
        rotate_after: None,
        ..ring.clone()
    };
    assert_eq!(
        never
            .rotate_if_due(&storage, T0 + 10 * after)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn private_keys_are_sealed_at_rest() {
    let storage = MemoryStorage::new();
    let key = ring().current(&storage, T0).await.unwrap();
    let stored = storage.signing_keys().await.unwrap().remove(0);
    assert!(stored.private_key.starts_with("v1:"));
    assert!(
        !stored
            .private_key
            .contains(&STANDARD.encode(key.private_der()))
    );
    assert!(
        !format!("{stored:?}").contains(&stored.private_key),
        "Debug hides it"
    );
    // Another sealing key, or none, cannot open it.
    let other = KeySealer::new(&STANDARD.encode([7u8; 32])).unwrap();
    assert!(other.open(&stored.private_key).is_err());
    let none = KeySealer::clear();
    assert!(matches!(
        none.open(&stored.private_key).unwrap_err(),
        JoseError::Key(m) if m.contains("configure")
    ));
    // Without a sealing key, keys are stored in clear and still work.
    let clear_ring = KeyRing::new(Algorithm::EdDSA, LIFETIME, KeySealer::clear());
    let clear_storage = MemoryStorage::new();
    let clear_key = clear_ring.current(&clear_storage, T0).await.unwrap();
    let stored = clear_storage.signing_keys().await.unwrap().remove(0);
    assert!(stored.private_key.starts_with("clear:"));
    assert_eq!(
        clear_ring.current(&clear_storage, T0).await.unwrap().kid(),
        clear_key.kid()
    );
    // A sealing key must be 32 bytes of base64.
    assert!(KeySealer::new("c2hvcnQ=").is_err());
    assert!(KeySealer::new("not base64!").is_err());
}

/// A ring of several algorithms rotates them together: one new key per
/// algorithm, published ahead, each signing for its own algorithm once it
/// begins; the keys it replaces stay published.
#[tokio::test]
async fn a_ring_of_several_algorithms_rotates_each() {
    use oauth_core::jose::{Algorithm, KeyRing, KeySealer};
    use oauth_core::memory::MemoryStorage;
    let storage = MemoryStorage::new();
    let mut ring = KeyRing::new(Algorithm::RS256, 600, KeySealer::clear());
    ring.additional = vec![Algorithm::ES256, Algorithm::EdDSA];
    let t0 = 1_700_000_000;
    assert_eq!(ring.jwks(&storage, t0).await.unwrap().keys.len(), 3);
    let before: Vec<String> = {
        let mut kids = Vec::new();
        for alg in ring.algorithms() {
            let key = ring.current_for(&storage, t0, alg).await.unwrap();
            assert_eq!(key.alg(), alg);
            kids.push(key.kid().to_owned());
        }
        kids
    };
    ring.rotate(&storage, t0 + 10).await.unwrap();
    // Six published; the old ones still sign until the new ones begin.
    assert_eq!(ring.jwks(&storage, t0 + 10).await.unwrap().keys.len(), 6);
    for (alg, old) in ring.algorithms().into_iter().zip(&before) {
        assert_eq!(
            ring.current_for(&storage, t0 + 10, alg)
                .await
                .unwrap()
                .kid(),
            old
        );
        let switch = t0 + 10 + ring.publish_ahead;
        let new = ring.current_for(&storage, switch, alg).await.unwrap();
        assert_ne!(new.kid(), old);
        assert_eq!(new.alg(), alg);
    }
    // Once the old keys' tokens have expired, only the new keys remain.
    let gone = t0 + 10 + ring.publish_ahead + 600;
    assert_eq!(ring.jwks(&storage, gone).await.unwrap().keys.len(), 3);
}
