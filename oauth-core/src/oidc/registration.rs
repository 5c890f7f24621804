//! OpenID Connect Dynamic Client Registration 1.0 §2: the client metadata
//! OpenID Connect adds to RFC 7591's, checked at registration, so that a
//! client is never registered for what this provider cannot do.

use crate::error::OAuth2Error;
use crate::jose::{Algorithm, algorithm_name, supported_algorithm};
use crate::models::{ClientMetadata, OAuth2Client};
use crate::oauth2::server::AuthorizationServer;
use crate::oidc::subject::{PAIRWISE, sector_identifier};
use crate::storage::OAuth2Storage;

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The checks of OpenID Connect Registration §2 (and RFC 7591 §2 for
    /// `jwks`): `jwks` and `jwks_uri` not both; the ID token algorithm the
    /// one this server signs with; `subject_type` one it serves (`public`);
    /// `default_max_age` not negative.
    pub(crate) fn validate_openid_metadata(
        &self,
        metadata: &ClientMetadata,
    ) -> Result<(), OAuth2Error> {
        let invalid = |d: String| OAuth2Error::invalid_client_metadata(d);
        if metadata.jwks.is_some() && metadata.jwks_uri.is_some() {
            return Err(invalid("jwks and jwks_uri must not both be given".into()));
        }
        if let Some(alg) = &metadata.id_token_signed_response_alg {
            let signs_with: Vec<&str> = self
                .key_ring()
                .map(|ring| ring.algorithms().into_iter().map(algorithm_name).collect())
                .unwrap_or_default();
            if !signs_with.contains(&alg.as_str()) {
                return Err(invalid(format!(
                    "id_token_signed_response_alg \"{alg}\" is not an algorithm this server signs ID tokens with ({})",
                    if signs_with.is_empty() {
                        "none: it issues no ID tokens".to_owned()
                    } else {
                        signs_with.join(", ")
                    }
                )));
            }
        }
        match metadata.subject_type.as_deref() {
            None | Some("public") => {}
            Some(PAIRWISE) if self.config.pairwise_salt.is_none() => {
                return Err(invalid(
                    "subject_type \"pairwise\" is not served: the server has no pairwise_salt"
                        .into(),
                ));
            }
            Some(PAIRWISE) if sector_identifier(metadata).is_none() => {
                return Err(invalid(
                    "subject_type \"pairwise\" needs redirect_uris on one host (the sector, §8.1); sector_identifier_uri is not supported".into(),
                ));
            }
            Some(PAIRWISE) => {}
            Some(other) => {
                return Err(invalid(format!(
                    "subject_type \"{other}\" is not supported: \"public\" or \"pairwise\""
                )));
            }
        }
        if metadata.default_max_age.is_some_and(|s| s < 0) {
            return Err(invalid("default_max_age must not be negative".into()));
        }
        Ok(())
    }
}

/// The algorithm a client registered for its ID tokens
/// (`id_token_signed_response_alg`), if it did.
pub fn id_token_alg<C: OAuth2Client + ?Sized>(client: &C) -> Option<Algorithm> {
    client
        .metadata()
        .id_token_signed_response_alg
        .as_deref()
        .and_then(supported_algorithm)
}
