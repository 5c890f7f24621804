//! Authorization code grant, token request (RFC 6749 §4.1.3, RFC 7636 §4.5).

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::events;
use crate::http::OAuth2Request;
use crate::models::{Authentication, OAuth2AuthorizationCode, OAuth2Client};
use crate::oauth2::rfc7636;
use crate::oauth2::server::{AuthorizationServer, TokenSpec};
use crate::oidc::OPENID;
use crate::secrets;
use crate::storage::OAuth2Storage;

use super::{IssuedToken, TokenGrant};

/// `grant_type=authorization_code`.
///
/// The code is taken from storage atomically before anything else, so it is
/// spent whatever the outcome; a code that cannot be taken (unknown, or
/// already used) is `invalid_grant`, and every token issued from it is
/// revoked (RFC 6749 §4.1.2). Tokens issued from a code carry the code's
/// digest as their grant id.
#[derive(Debug, Default, Clone, Copy)]
pub struct AuthorizationCodeGrant;

#[async_trait]
impl<S: OAuth2Storage> TokenGrant<S> for AuthorizationCodeGrant {
    fn grant_type(&self) -> &str {
        "authorization_code"
    }

    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        let form = &request.form;
        let code = form.required("code")?;
        let redirect_uri = form.single("redirect_uri")?;
        let verifier = form.single("code_verifier")?;
        let digest = secrets::digest(code);
        let now = server.now();
        // RFC 8707 §2: a malformed or unknown resource is refused before
        // the code is spent.
        server.requested_resources(request, form)?;

        let Some(stored) = server.storage.take_authorization_code(&digest).await? else {
            // Unknown or replayed: revoke what the code produced, if anything.
            let revoked = server.storage.revoke_grant(&digest, now).await?;
            if revoked > 0 {
                events::authorization_code_replayed(client.client_id(), &digest, revoked);
            }
            return Err(OAuth2Error::invalid_grant(
                "the authorization code is invalid or has already been used",
            ));
        };
        if stored.client_id() != client.client_id() {
            return Err(OAuth2Error::invalid_grant(
                "the authorization code was issued to another client",
            ));
        }
        if now
            >= stored
                .auth_time()
                .saturating_add(server.config.lifetimes.authorization_code)
        {
            return Err(OAuth2Error::invalid_grant(
                "the authorization code has expired",
            ));
        }
        match (stored.redirect_uri(), redirect_uri) {
            (Some(expected), Some(given)) if expected == given => {}
            (Some(_), Some(_)) => {
                return Err(OAuth2Error::invalid_grant(
                    "redirect_uri does not match the authorization request",
                ));
            }
            (Some(_), None) => {
                return Err(OAuth2Error::invalid_request(
                    "redirect_uri is required: the authorization request included it",
                ));
            }
            (None, Some(given)) if !client.check_redirect_uri(given) => {
                return Err(OAuth2Error::invalid_grant(
                    "redirect_uri is not registered for this client",
                ));
            }
            (None, _) => {}
        }
        rfc7636::verify(
            stored.code_challenge(),
            stored.code_challenge_method(),
            verifier,
        )
        .inspect_err(|_| {
            let class = rfc7636::failure_class(stored.code_challenge(), verifier);
            events::pkce_failed(client.client_id(), class);
        })?;
        // RFC 9449 §10: a code bound to a key is redeemed with a proof by
        // that key (the code is spent either way, as after a PKCE failure).
        if let Some(bound) = stored.dpop_jkt()
            && request.dpop_jkt() != Some(bound)
        {
            return Err(crate::oauth2::rfc9449::invalid_dpop_proof(
                "the authorization code is bound to a DPoP key: redeem it with a proof by that key",
            ));
        }

        // RFC 8707 §2.2: the token for some or all of the grant's resources.
        let audience = server.token_audience(request, &stored.audience())?;
        let scope = stored.scope();
        let refresh_scope = server
            .issues_refresh_token_to(client)
            .then(|| scope.clone());
        let mut context = stored.authentication();
        if let Some(nonce) = stored.nonce().filter(|_| scope.contains(OPENID)) {
            // Also for a code model with a nonce column and no context one.
            let context = context.get_or_insert_with(Authentication::default);
            context.nonce.get_or_insert_with(|| nonce.to_owned());
        }
        let issuer = server.issuer_for(request);
        let issued = server
            .mint_token(
                client,
                issuer.as_deref(),
                TokenSpec {
                    grant_type: "authorization_code",
                    client_id: client.client_id(),
                    user_id: Some(stored.user_id()),
                    scope,
                    refresh_scope,
                    grant_id: digest,
                    dpop_jkt: request.dpop_jkt().map(str::to_owned),
                    audience,
                },
                context,
            )
            .await?;
        server.storage.save_token(issued.record.clone()).await?;
        Ok(issued)
    }
}
