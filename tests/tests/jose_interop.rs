//! `oauth_core::jose` against JOSE written by others (PyJWT over
//! cryptography, `jose_interop.py`), both ways, for RS256, ES256 and EdDSA:
//! PyJWT verifies what this crate signs against the JWK Set it publishes
//! (and refuses a tampered token), and this crate verifies what PyJWT signs
//! against the JWKs PyJWT exports.
//!
//! Without Python and PyJWT the test notes it and passes, unless
//! `OAUTH_TEST_REQUIRE` contains `python`: then it fails.

use oauth_core::jose::{self, Algorithm, JwkSet, SigningKey, Verification};
use serde_json::{Value, json};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/jose_interop.py");
const ALGS: [(Algorithm, &str); 3] = [
    (Algorithm::RS256, "RS256"),
    (Algorithm::ES256, "ES256"),
    (Algorithm::EdDSA, "EdDSA"),
];

fn pyjwt(spec: &Value) -> Option<Value> {
    oauth_tests::python::run_script(
        SCRIPT,
        spec,
        "PyJWT interoperability",
        "pip install 'oauthlib[signedtoken]'",
    )
}

#[test]
fn rfc7515_pyjwt_and_this_crate_verify_each_others_signatures() {
    let claims = json!({"iss": "https://as.example", "sub": "alice", "exp": 1_700_003_600});
    let ours: Vec<Value> = ALGS
        .iter()
        .map(|(alg, name)| {
            let key = SigningKey::generate(*alg).unwrap();
            let token = key.sign("JWT", &claims).unwrap();
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            parts[1] = jose_b64(
                &json!({"iss": "https://as.example", "sub": "admin", "exp": 1_700_003_600}),
            );
            json!({
                "alg": name,
                "jwks": JwkSet { keys: vec![key.public_jwk()] },
                "token": token,
                "tampered": parts.join("."),
            })
        })
        .collect();
    let Some(out) = pyjwt(&json!({ "ours": ours })) else {
        return;
    };
    for verified in out["verified"].as_array().unwrap() {
        assert_eq!(verified, &claims);
    }
    assert_eq!(out["tampered_refused"], json!([true, true, true]));
    let theirs = out["theirs"].as_array().unwrap();
    assert_eq!(theirs.len(), 3);
    for (entry, (alg, _)) in theirs.iter().zip(ALGS) {
        let jwks: JwkSet = serde_json::from_value(entry["jwks"].clone()).unwrap();
        let token = entry["token"].as_str().unwrap();
        let verified = jose::verify(token, &jwks, &Verification::new(&[alg])).unwrap();
        assert_eq!(verified.claims["sub"], "bob", "{alg:?}");
        // The same token under another algorithm's allowance is refused.
        let other = if alg == Algorithm::RS256 {
            Algorithm::ES256
        } else {
            Algorithm::RS256
        };
        assert!(jose::verify(token, &jwks, &Verification::new(&[other])).is_err());
    }
}

fn jose_b64(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}
