//! The server's signing keys: `with_signing_keys` and the JWK Set endpoint
//! (RFC 7517 §5; `jwks_uri` of RFC 8414 §2 and OpenID Connect Discovery).

use super::{Algorithm, KeyRing, SigningKey, SigningKeyStorage, supported_algorithm};
use crate::AuthorizationServer;
use crate::error::OAuth2Error;
use crate::http::OAuth2Response;
use crate::oauth2::rfc6749::error_response;
use crate::storage::OAuth2Storage;

/// How long relying parties may cache the JWK Set: well under
/// `publish_ahead`, so a new key is seen before it signs.
const JWKS_MAX_AGE: i64 = 300;

impl<S: OAuth2Storage + SigningKeyStorage> AuthorizationServer<S> {
    /// Signs with keys kept in storage, rotated by the `[oauth2.signing_keys]`
    /// section. A key stays published after it stops signing for as long
    /// as the longest access token or ID token lifetime, or an hour if
    /// that is shorter.
    pub fn with_signing_keys(mut self) -> Self {
        let section = &self.config.signing_keys;
        // Validated with the configuration.
        let alg = supported_algorithm(&section.algorithm).unwrap_or(Algorithm::RS256);
        let sealer = section.sealer();
        let lifetimes = &self.config.lifetimes;
        let signed_lifetime = lifetimes
            .access_token_by_grant
            .values()
            .copied()
            .chain([lifetimes.access_token, lifetimes.id_token, 3_600])
            .max()
            .unwrap_or(3_600);
        let mut ring = KeyRing::new(alg, signed_lifetime, sealer);
        ring.additional = section
            .additional_algorithms
            .iter()
            .filter_map(|a| supported_algorithm(a))
            .collect();
        // Validated with the configuration: every key parses.
        ring.configured = section
            .keys
            .iter()
            .filter_map(|k| {
                let alg = supported_algorithm(&k.alg)?;
                SigningKey::from_pem(alg, k.pem.secret()).ok()
            })
            .collect();
        if let Some(first) = ring.configured.first() {
            ring.alg = first.alg();
            let mut algs: Vec<Algorithm> = Vec::new();
            for key in &ring.configured[1..] {
                if key.alg() != ring.alg && !algs.contains(&key.alg()) {
                    algs.push(key.alg());
                }
            }
            ring.additional = algs;
        }
        ring.publish_ahead = section.publish_ahead;
        ring.rotate_after = (section.rotate_after > 0).then_some(section.rotate_after);
        self.signer = Some(std::sync::Arc::new(crate::oauth2::rfc9068::RingSigner(
            ring.clone(),
        )));
        self.key_ring = Some(ring);
        self
    }

    /// The JWK Set document: the public keys that sign now, that will sign
    /// soon, and that signed what may still be presented; cacheable for
    /// five minutes. 404 when the server has no signing keys.
    pub async fn create_jwks_response(&self) -> OAuth2Response {
        let Some(ring) = &self.key_ring else {
            return OAuth2Response::json(
                404,
                &serde_json::json!({"error": "not_found", "error_description": "no signing keys"}),
            );
        };
        match ring.jwks(&self.storage, self.now()).await {
            Ok(set) => OAuth2Response::cacheable_json(&serde_json::json!(set), JWKS_MAX_AGE),
            Err(e) => error_response(&self.config, &OAuth2Error::from(e)),
        }
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The key ring, if the server signs (`with_signing_keys`).
    pub fn key_ring(&self) -> Option<&KeyRing> {
        self.key_ring.as_ref()
    }
}
