//! The token endpoint (RFC 6749 §3.2, §5).

use crate::error::OAuth2Error;
use crate::http::{Method, OAuth2Request, OAuth2Response};
use crate::models::OAuth2Client;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

use super::grants::IssuedToken;
use super::{error_response, method_not_allowed};

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Handles a token request: a JSON token response (§5.1) or a JSON
    /// error (§5.2), both with `Cache-Control: no-store`.
    ///
    /// Order of checks: POST (405 otherwise), TLS, `grant_type` present and
    /// supported, client authentication, the client's right to the grant
    /// type, then the grant's own rules.
    pub async fn create_token_response(&self, request: &OAuth2Request) -> OAuth2Response {
        if request.method != Method::Post {
            return method_not_allowed(&self.config);
        }
        let response = match self.token(request).await {
            Ok(issued) => OAuth2Response::json(200, &issued.to_json()),
            Err(error) => error_response(&self.config, &error),
        };
        self.with_dpop_nonce(request, response)
    }

    /// The token endpoint as a typed result: the issued token, or the
    /// error, carrying its challenge ([`OAuth2Error::for_client_request`]).
    pub async fn token(&self, request: &OAuth2Request) -> Result<IssuedToken, OAuth2Error> {
        let plain = |e: OAuth2Error| e.for_client_request(request);
        self.check_transport(request.secure).map_err(plain)?;
        let grant_type = request.form.required("grant_type").map_err(plain)?;
        let grant = self
            .grants
            .get(grant_type)
            .filter(|_| self.profile_allows_grant(grant_type))
            .cloned();
        let Some(grant) = grant else {
            return Err(plain(OAuth2Error::unsupported_grant_type(format!(
                "the grant type \"{grant_type}\" is not supported"
            ))));
        };
        let client = self.authenticate_client(request).await?;
        if !client.check_grant_type(grant_type) {
            return Err(plain(OAuth2Error::unauthorized_client(format!(
                "the client is not allowed to use the grant type \"{grant_type}\""
            ))));
        }
        if client.is_public() && !grant.allows_public_clients() {
            return Err(plain(OAuth2Error::unauthorized_client(format!(
                "the grant type \"{grant_type}\" requires a confidential client"
            ))));
        }
        // RFC 9449 §5: a proof binds what the grant issues to its key.
        let bound;
        // A token model that cannot keep the key gets bearer tokens (§5:
        // as from a server without DPoP), never bound ones stored unbound.
        let proof = if self.storage.binds_tokens_to_dpop_keys() {
            self.check_dpop_proof(request, None).await.map_err(plain)?
        } else {
            None
        };
        // §5.2: a client registered to use DPoP, or every client when the
        // server requires it, sends a proof with each token request.
        if proof.is_none()
            && (self.config.dpop.require || client.metadata().dpop_bound_access_tokens)
        {
            return Err(plain(crate::oauth2::rfc9449::invalid_dpop_proof(
                "this client's token requests must carry a DPoP proof (RFC 9449 §5.2)",
            )));
        }
        let request = match proof {
            Some(proof) => {
                let mut with_key = request.clone();
                with_key.dpop_jkt = Some(proof.jkt);
                bound = with_key;
                &bound
            }
            None => request,
        };
        let mut issued = grant
            .create_token(self, &client, request)
            .await
            .map_err(plain)?;
        for hook in &self.token_hooks {
            hook.issued(self, request, &client, grant_type, &mut issued)
                .await
                .map_err(plain)?;
        }
        Ok(issued)
    }
}
