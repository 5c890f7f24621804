//! `client_secret_jwt` (OpenID Connect Core §9): assertions signed by HMAC
//! with the client secret itself as the key. The server must hold the
//! secret, not only its digest: registration keeps it sealed
//! ([`KeySealer`], AES-256-GCM under `key_encryption_key`) beside the
//! digest, and only for clients of this method.

use async_trait::async_trait;

use super::{
    AssertionRules, check_assertion, claimed_by, client_algorithms, jose_refusal,
    presented_assertion, refused,
};
use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::jose::{self, Algorithm, HMAC_ALGORITHMS, KeySealer, Verification};
use crate::models::{ClientAuthMethod, OAuth2Client};
use crate::oauth2::rfc6749::client_auth::ClientAuthentication;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The `token_endpoint_auth_method` of [`ClientSecretJwt`].
pub const CLIENT_SECRET_JWT: &str = "client_secret_jwt";

/// `client_secret_jwt` client authentication (RFC 7523 §2.2, OpenID
/// Connect Core §9), registered with
/// [`AuthorizationServer::with_client_secret_jwt`]. Its clients get a
/// secret of 64 characters at registration, long enough for every HMAC
/// algorithm (RFC 7518 §3.2).
#[derive(Debug, Clone)]
pub struct ClientSecretJwt {
    /// The algorithms assertions may be signed with: HS256, HS384 and
    /// HS512 by default; no other is ever accepted.
    pub algorithms: Vec<Algorithm>,
    /// How far ahead `exp` may be, in seconds (3600).
    pub max_lifetime: i64,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (60).
    pub leeway: i64,
    /// Seals the secrets at registration and opens them to verify.
    pub sealer: KeySealer,
}

impl ClientSecretJwt {
    /// The defaults, sealing with `sealer`.
    pub fn new(sealer: KeySealer) -> ClientSecretJwt {
        ClientSecretJwt {
            algorithms: HMAC_ALGORITHMS.to_vec(),
            max_lifetime: 3600,
            leeway: 60,
            sealer,
        }
    }
}

#[async_trait]
impl<S: OAuth2Storage> ClientAuthentication<S> for ClientSecretJwt {
    fn method(&self) -> ClientAuthMethod {
        ClientAuthMethod::named(CLIENT_SECRET_JWT)
    }

    fn signing_algorithms(&self) -> Vec<&'static str> {
        self.algorithms
            .iter()
            .filter(|a| HMAC_ALGORITHMS.contains(a))
            .map(|a| jose::algorithm_name(*a))
            .collect()
    }

    fn issues_client_secret(&self) -> bool {
        true
    }

    fn client_secret_sealer(&self) -> Option<&KeySealer> {
        Some(&self.sealer)
    }

    fn claimed_client_id(&self, request: &OAuth2Request) -> Result<Option<String>, OAuth2Error> {
        claimed_by(request, true)
    }

    async fn verify(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<(), OAuth2Error> {
        let assertion = presented_assertion(request)?
            .ok_or_else(|| refused("client authentication is required"))?;
        let Some(sealed) = client.sealed_client_secret() else {
            return Err(refused(
                "the server holds no secret of this client to verify its assertion with",
            ));
        };
        let secret = self.sealer.open(sealed).map_err(|_| {
            OAuth2Error::server_error("the client's sealed secret cannot be opened")
        })?;
        // The sealed secret is the one whose digest is stored: a secret
        // replaced or removed since is not accepted through a stale copy.
        let as_text = std::str::from_utf8(&secret).unwrap_or_default();
        if !client.check_client_secret(as_text) {
            return Err(refused("the client's secret has changed"));
        }
        let algorithms = client_algorithms(server, client, &self.algorithms);
        let verified =
            jose::verify_with_secret(assertion, &secret, &Verification::new(&algorithms))
                .map_err(jose_refusal)?;
        let rules = AssertionRules {
            max_lifetime: self.max_lifetime,
            leeway: self.leeway,
        };
        check_assertion(server, client, request, &verified.claims, rules).await
    }
}
