//! `private_key_jwt`: assertions signed with a private key whose public
//! half the client registered in its `jwks`.

use async_trait::async_trait;

use super::{
    AssertionRules, check_assertion, claimed_by, client_algorithms, jose_refusal,
    presented_assertion, refused,
};
use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::jose::{self, Algorithm, Verification};
use crate::models::{ClientAuthMethod, OAuth2Client};
use crate::oauth2::rfc6749::client_auth::ClientAuthentication;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The `token_endpoint_auth_method` of [`PrivateKeyJwt`].
pub const PRIVATE_KEY_JWT: &str = "private_key_jwt";

/// `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect
/// Core §9), registered with
/// [`AuthorizationServer::with_private_key_jwt`] or
/// [`with_client_authentication`](AuthorizationServer::with_client_authentication).
#[derive(Debug, Clone)]
pub struct PrivateKeyJwt {
    /// The algorithms assertions may be signed with (RS256, ES256 and
    /// EdDSA by default); `none` and HMAC never.
    pub algorithms: Vec<Algorithm>,
    /// How far ahead `exp` may be, in seconds (3600 by default): RFC 7523
    /// §3 lets a server refuse an `exp` "unreasonably far in the future",
    /// and a `jti` is kept until its assertion expires.
    pub max_lifetime: i64,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (60).
    pub leeway: i64,
}

impl Default for PrivateKeyJwt {
    fn default() -> PrivateKeyJwt {
        PrivateKeyJwt {
            algorithms: jose::SUPPORTED_ALGORITHMS.to_vec(),
            max_lifetime: 3600,
            leeway: 60,
        }
    }
}

impl PrivateKeyJwt {
    /// The names of [`algorithms`](Self::algorithms), for the metadata's
    /// `token_endpoint_auth_signing_alg_values_supported` (RFC 8414 §2).
    pub fn algorithm_names(&self) -> Vec<&'static str> {
        self.algorithms
            .iter()
            .map(|a| jose::algorithm_name(*a))
            .collect()
    }
}

#[async_trait]
impl<S: OAuth2Storage> ClientAuthentication<S> for PrivateKeyJwt {
    fn method(&self) -> ClientAuthMethod {
        ClientAuthMethod::named(PRIVATE_KEY_JWT)
    }

    fn signing_algorithms(&self) -> Vec<&'static str> {
        self.algorithm_names()
    }

    fn claimed_client_id(&self, request: &OAuth2Request) -> Result<Option<String>, OAuth2Error> {
        claimed_by(request, false)
    }

    async fn verify(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<(), OAuth2Error> {
        let assertion = presented_assertion(request)?
            .ok_or_else(|| refused("client authentication is required"))?;
        let metadata = client.metadata();
        let Some(keys) = metadata.jwks.as_ref().filter(|k| !k.keys.is_empty()) else {
            return Err(refused(
                "the client registered no jwks to verify its assertion with",
            ));
        };
        let algorithms = client_algorithms(server, client, &self.algorithms);
        let verified =
            jose::verify(assertion, keys, &Verification::new(&algorithms)).map_err(jose_refusal)?;
        let rules = AssertionRules {
            max_lifetime: self.max_lifetime,
            leeway: self.leeway,
        };
        check_assertion(server, client, request, &verified.claims, rules).await
    }
}
