//! JWS (RFC 7515), JWK (RFC 7517) and the algorithms of RFC 7518, with the
//! refusals of RFC 8725 (JWT Best Current Practices): what the verifier
//! must not accept, each shown to be refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{EncodingKey, Header};
use oauth_core::jose::{self, Algorithm, JoseError, JwkSet, SigningKey, Verification};
use serde_json::{Value, json};

const ALL: &[Algorithm] = &[Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];

fn claims() -> Value {
    json!({"iss": "https://as.example", "sub": "alice", "exp": 1_700_003_600})
}

fn set(keys: &[&SigningKey]) -> JwkSet {
    JwkSet {
        keys: keys.iter().map(|k| k.public_jwk()).collect(),
    }
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A token with any header, signed by `key` with jsonwebtoken directly
/// (as an attacker or a careless signer would make it).
fn signed_with_header(key: &SigningKey, header: Header) -> String {
    let encoding = match key.alg() {
        Algorithm::RS256 => EncodingKey::from_rsa_der(key.private_der()),
        Algorithm::ES256 => EncodingKey::from_ec_der(key.private_der()),
        _ => EncodingKey::from_ed_der(key.private_der()),
    };
    jsonwebtoken::encode(&header, &claims(), &encoding).unwrap()
}

fn rsa() -> SigningKey {
    SigningKey::generate(Algorithm::RS256).unwrap()
}

#[test]
fn rfc7515_5_each_algorithm_signs_and_verifies() {
    for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
        let key = SigningKey::generate(alg).unwrap();
        let token = key.sign("JWT", &claims()).unwrap();
        let verified = jose::verify(&token, &set(&[&key]), &Verification::new(ALL)).unwrap();
        assert_eq!(verified.claims, claims());
        assert_eq!(verified.kid, key.kid());
        assert_eq!(verified.header.alg, alg);
        assert_eq!(verified.header.typ.as_deref(), Some("JWT"));
    }
}

#[test]
fn rfc7517_4_the_public_jwk_says_its_use_alg_and_kid_and_holds_no_private_part() {
    for (alg, kty, ka) in [
        (Algorithm::RS256, "RSA", KeyAlgorithm::RS256),
        (Algorithm::ES256, "EC", KeyAlgorithm::ES256),
        (Algorithm::EdDSA, "OKP", KeyAlgorithm::EdDSA),
    ] {
        let key = SigningKey::generate(alg).unwrap();
        let jwk = key.public_jwk();
        assert_eq!(jwk.common.public_key_use, Some(PublicKeyUse::Signature));
        assert_eq!(jwk.common.key_algorithm, Some(ka));
        assert_eq!(jwk.common.key_id.as_deref(), Some(key.kid()));
        let published = serde_json::to_value(&jwk).unwrap();
        assert_eq!(published["kty"], kty);
        // RFC 7517 §4 / RFC 7518 §6.2.2, §6.3.2: `d`, `p`, `q`, ... are private.
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(
                published.get(private).is_none(),
                "{alg:?} publishes {private}"
            );
        }
    }
}

#[test]
fn rfc7518_3_6_alg_none_is_refused() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    for none in ["none", "None", "NONE"] {
        let unsigned = format!("{}.{}.", b64(&json!({"alg": none})), b64(&claims()));
        assert_eq!(
            jose::verify(&unsigned, &set(&[&key]), &Verification::new(ALL)).unwrap_err(),
            JoseError::AlgorithmNotAllowed,
            "{none}"
        );
    }
}

#[test]
fn rfc8725_3_1_an_algorithm_the_verifier_did_not_allow_is_refused() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let token = key.sign("JWT", &claims()).unwrap();
    let only_rs256 = Verification::new(&[Algorithm::RS256]);
    assert_eq!(
        jose::verify(&token, &set(&[&key]), &only_rs256).unwrap_err(),
        JoseError::AlgorithmNotAllowed
    );
}

/// The classic confusion: the RSA public key used as an HMAC secret. Even
/// a verifier that allowed HS256 would not use an RSA key for it.
#[test]
fn rfc8725_3_1_hs256_signed_with_the_rsa_public_key_is_refused() {
    let key = rsa();
    let jwk = key.public_jwk();
    let public = serde_json::to_vec(&jwk).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(key.kid().to_owned());
    let forged =
        jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(&public)).unwrap();
    let keys = set(&[&key]);
    assert_eq!(
        jose::verify(&forged, &keys, &Verification::new(ALL)).unwrap_err(),
        JoseError::AlgorithmNotAllowed
    );
    let careless = Verification::new(&[Algorithm::RS256, Algorithm::HS256]);
    assert!(matches!(
        jose::verify(&forged, &keys, &careless).unwrap_err(),
        JoseError::KeyMismatch(_)
    ));
}

#[test]
fn rfc8725_3_1_a_token_naming_another_algorithm_than_its_key_is_refused() {
    let rsa = rsa();
    let ec = SigningKey::generate(Algorithm::ES256).unwrap();
    // An ES256 signature presented under the RSA key's kid.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(rsa.kid().to_owned());
    let token = signed_with_header(&ec, header);
    assert!(matches!(
        jose::verify(&token, &set(&[&rsa, &ec]), &Verification::new(ALL)).unwrap_err(),
        JoseError::KeyMismatch(_)
    ));
    // A key whose published alg is another than the token's.
    let mut keys = set(&[&ec]);
    keys.keys[0].common.key_algorithm = Some(KeyAlgorithm::ES384);
    let token = ec.sign("JWT", &claims()).unwrap();
    assert!(matches!(
        jose::verify(&token, &keys, &Verification::new(ALL)).unwrap_err(),
        JoseError::KeyMismatch(_)
    ));
}

#[test]
fn rfc7517_4_2_a_key_for_encryption_does_not_verify_signatures() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let token = key.sign("JWT", &claims()).unwrap();
    let mut keys = set(&[&key]);
    keys.keys[0].common.public_key_use = Some(PublicKeyUse::Encryption);
    assert!(matches!(
        jose::verify(&token, &keys, &Verification::new(ALL)).unwrap_err(),
        JoseError::KeyMismatch(_)
    ));
    // key_ops without "verify" (RFC 7517 §4.3).
    let mut keys = set(&[&key]);
    keys.keys[0].common.key_operations = Some(vec![jsonwebtoken::jwk::KeyOperations::Sign]);
    assert!(matches!(
        jose::verify(&token, &keys, &Verification::new(ALL)).unwrap_err(),
        JoseError::KeyMismatch(_)
    ));
}

#[test]
fn rfc7515_4_1_4_unknown_kid_is_refused_and_no_kid_needs_a_single_key() {
    let a = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let b = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let token = a.sign("JWT", &claims()).unwrap();
    assert_eq!(
        jose::verify(&token, &set(&[&b]), &Verification::new(ALL)).unwrap_err(),
        JoseError::UnknownKey
    );
    let no_kid = signed_with_header(&a, Header::new(Algorithm::EdDSA));
    assert!(jose::verify(&no_kid, &set(&[&a]), &Verification::new(ALL)).is_ok());
    assert_eq!(
        jose::verify(&no_kid, &set(&[&a, &b]), &Verification::new(ALL)).unwrap_err(),
        JoseError::UnknownKey
    );
}

#[test]
fn rfc7515_5_2_a_tampered_payload_or_signature_is_refused() {
    for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
        let key = SigningKey::generate(alg).unwrap();
        let keys = set(&[&key]);
        let token = key.sign("JWT", &claims()).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let mut admin = claims();
        admin["sub"] = "admin".into();
        let payload_swapped = format!("{}.{}.{}", parts[0], b64(&admin), parts[2]);
        assert_eq!(
            jose::verify(&payload_swapped, &keys, &Verification::new(ALL)).unwrap_err(),
            JoseError::BadSignature,
            "{alg:?}"
        );
        let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        sig[0] ^= 1;
        let sig_flipped = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
        assert_eq!(
            jose::verify(&sig_flipped, &keys, &Verification::new(ALL)).unwrap_err(),
            JoseError::BadSignature,
            "{alg:?}"
        );
        // Someone else's valid signature under this key's kid.
        let other = SigningKey::generate(alg).unwrap();
        let mut header = Header::new(alg);
        header.kid = Some(key.kid().to_owned());
        let impostor = signed_with_header(&other, header);
        assert_eq!(
            jose::verify(&impostor, &keys, &Verification::new(ALL)).unwrap_err(),
            JoseError::BadSignature
        );
    }
}

/// RFC 8725 §3.10: a key the token brings along is not trusted.
#[test]
fn rfc8725_3_10_a_key_embedded_in_the_header_is_not_used() {
    let ours = SigningKey::generate(Algorithm::ES256).unwrap();
    let attacker = SigningKey::generate(Algorithm::ES256).unwrap();
    for kid in [attacker.kid(), ours.kid()] {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        header.jwk = Some(attacker.public_jwk());
        let token = signed_with_header(&attacker, header);
        assert!(jose::verify(&token, &set(&[&ours]), &Verification::new(ALL)).is_err());
    }
}

#[test]
fn rfc7515_4_1_11_crit_extensions_are_refused() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key.kid().to_owned());
    header.crit = Some(vec!["exp".into()]);
    let token = signed_with_header(&key, header);
    assert!(matches!(
        jose::verify(&token, &set(&[&key]), &Verification::new(ALL)).unwrap_err(),
        JoseError::Header(_)
    ));
}

#[test]
fn rfc8725_3_11_typ_is_checked_when_required() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let keys = set(&[&key]);
    let access = Verification::new(ALL).with_typ("at+jwt");
    let id_token = key.sign("JWT", &claims()).unwrap();
    assert!(matches!(
        jose::verify(&id_token, &keys, &access).unwrap_err(),
        JoseError::Header(_)
    ));
    for typ in ["at+jwt", "AT+JWT", "application/at+jwt"] {
        let token = key.sign(typ, &claims()).unwrap();
        assert!(jose::verify(&token, &keys, &access).is_ok(), "{typ}");
    }
}

#[test]
fn rfc7515_7_1_not_a_compact_jws_is_malformed() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let keys = set(&[&key]);
    let token = key.sign("JWT", &claims()).unwrap();
    for bad in [
        "",
        "a.b",
        "a.b.c.d",
        "!!!.e30.",
        &format!("{}.{}", token, "extra"),
        &format!("{}.bm90IGpzb24.{}", b64(&json!({"alg": "EdDSA"})), "c2ln"),
    ] {
        assert!(
            matches!(
                jose::verify(bad, &keys, &Verification::new(ALL)),
                Err(JoseError::Malformed(_) | JoseError::UnknownKey | JoseError::BadSignature)
            ),
            "{bad}"
        );
    }
    // Claims that are JSON but not an object.
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid().to_owned());
    let array = jsonwebtoken::encode(
        &header,
        &json!(["sub"]),
        &EncodingKey::from_ed_der(key.private_der()),
    )
    .unwrap();
    assert!(matches!(
        jose::verify(&array, &keys, &Verification::new(ALL)).unwrap_err(),
        JoseError::Malformed(_)
    ));
}

#[test]
fn keys_read_from_pem_sign_as_generated_ones() {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::pkcs8::LineEnding;
    let mut rng = rand::rngs::OsRng;
    let rsa_key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let ec_key = p256::SecretKey::random(&mut rng);
    let ed_key = ed25519_dalek::SigningKey::generate(&mut rng);
    let pems = [
        (
            Algorithm::RS256,
            rsa_key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string(),
        ),
        (
            Algorithm::RS256,
            rsa_key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        ),
        (
            Algorithm::ES256,
            p256::pkcs8::EncodePrivateKey::to_pkcs8_pem(&ec_key, LineEnding::LF)
                .unwrap()
                .to_string(),
        ),
        (
            Algorithm::EdDSA,
            ed_key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        ),
    ];
    let mut kids = Vec::new();
    for (alg, pem) in &pems {
        let key = SigningKey::from_pem(*alg, pem).unwrap();
        let token = key.sign("JWT", &claims()).unwrap();
        assert!(jose::verify(&token, &set(&[&key]), &Verification::new(ALL)).is_ok());
        kids.push(key.kid().to_owned());
    }
    assert_eq!(kids[0], kids[1], "PKCS#1 and PKCS#8 of one key: one kid");
    // A PEM of another algorithm's key is refused, naming no key material.
    let err = SigningKey::from_pem(Algorithm::ES256, &pems[3].1).unwrap_err();
    assert!(matches!(&err, JoseError::Key(m) if !m.contains("BEGIN")));
}

#[test]
fn rfc7518_3_3_rsa_keys_shorter_than_2048_bits_are_refused() {
    use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
    let short = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
    let pem = short.to_pkcs8_pem(LineEnding::LF).unwrap();
    assert!(matches!(
        SigningKey::from_pem(Algorithm::RS256, &pem).unwrap_err(),
        JoseError::Key(m) if m.contains("2048")
    ));
}
