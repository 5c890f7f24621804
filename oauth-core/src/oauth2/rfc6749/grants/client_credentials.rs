//! Client credentials grant (RFC 6749 §4.4).

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::models::OAuth2Client;
use crate::oauth2::server::{AuthorizationServer, TokenSpec, new_grant_id};
use crate::storage::OAuth2Storage;

use super::{IssuedToken, TokenGrant};

/// `grant_type=client_credentials`: only confidential clients (§4.4), and
/// no refresh token (§4.4.3).
#[derive(Debug, Default, Clone, Copy)]
pub struct ClientCredentialsGrant;

#[async_trait]
impl<S: OAuth2Storage> TokenGrant<S> for ClientCredentialsGrant {
    fn grant_type(&self) -> &str {
        "client_credentials"
    }

    fn allows_public_clients(&self) -> bool {
        false
    }

    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        let scope = server.resolve_scope(client, request.form.single("scope")?)?;
        let audience = server.token_audience(request, &[])?;
        let issuer = server.issuer_for(request);
        server
            .issue_token_for(
                client,
                issuer.as_deref(),
                TokenSpec {
                    grant_type: "client_credentials",
                    client_id: client.client_id(),
                    user_id: None,
                    scope,
                    refresh_scope: None,
                    grant_id: new_grant_id(),
                    dpop_jkt: request.dpop_jkt().map(str::to_owned),
                    audience,
                },
                None,
            )
            .await
    }
}
