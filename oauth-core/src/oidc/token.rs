//! ID tokens from the token endpoint (OpenID Connect Core 1.0 §3.1.3.3,
//! §12.2): beside the access token of an `openid` grant, from the code
//! and from every refresh, and
//! [`with_openid_connect`](AuthorizationServer::with_openid_connect),
//! which turns OpenID Connect on.

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::jose::SigningKeyStorage;
use crate::models::{Authentication, OAuth2Client};
use crate::oauth2::rfc6749::grants::IssuedToken;
use crate::oauth2::rfc6749::token_hooks::TokenHook;
use crate::oauth2::server::AuthorizationServer;
use crate::oidc::OPENID;
use crate::oidc::authorize::OpenIdConnectHook;
use crate::oidc::id_token::IdTokenClaims;
use crate::oidc::registration::id_token_alg;
use crate::oidc::response_types::{OidcResponse, WITH_TOKEN, WITHOUT_TOKEN};
use crate::storage::OAuth2Storage;

impl<S: OAuth2Storage + SigningKeyStorage> AuthorizationServer<S> {
    /// Serves OpenID Connect: checks the parameters of `openid` requests
    /// at the authorization endpoint ([`OpenIdConnectHook`]) and answers
    /// the token requests of `openid` grants with an ID token
    /// ([`IdTokenHook`]), signed by the key ring (turned on here with
    /// [`with_signing_keys`](Self::with_signing_keys) if it is not yet);
    /// serves the response types `id_token` and `code id_token`, and while
    /// `implicit_grant` is on `id_token token`, `code token` and `code
    /// id_token token` ([`OidcResponse`]).
    pub fn with_openid_connect(self) -> Self {
        let mut server = if self.key_ring().is_some() {
            self
        } else {
            self.with_signing_keys()
        };
        server.openid_connect = Some(crate::oidc::OpenIdConnect::default());
        let mut types: Vec<&str> = WITHOUT_TOKEN.to_vec();
        if server.config.implicit_grant {
            types.extend(WITH_TOKEN);
        }
        for response_type in types {
            if let Some(handler) = OidcResponse::new(response_type) {
                server = server.with_response_type(handler);
            }
        }
        server
            .with_authorization_hook(OpenIdConnectHook)
            .with_token_hook(IdTokenHook)
    }

    /// The claims of an ID token for the user the client knows as `sub`
    /// ([`subject_for`](Self::subject_for)) and `client_id`, issued by
    /// `issuer` now, with the login of `authentication` (`auth_time`,
    /// `acr`, `amr`) and its `nonce`.
    pub fn id_token_claims(
        &self,
        issuer: &str,
        client_id: &str,
        sub: &str,
        authentication: Option<&Authentication>,
    ) -> IdTokenClaims {
        let mut claims = IdTokenClaims::new(
            issuer,
            sub,
            client_id,
            self.now(),
            self.config.lifetimes.id_token,
        );
        if let Some(a) = authentication {
            claims.auth_time = a.auth_time;
            claims.nonce = a.nonce.clone();
            claims.acr = a.acr.clone();
            claims.amr = a.amr.clone();
        }
        claims
    }
}

/// Adds `id_token` to the token response of the `authorization_code` and
/// `refresh_token` grants when the token's scope has `openid` and it acts
/// for a user (§3.1.3.3; §12.2 after a refresh: same `iss`, `sub`, `aud`,
/// `auth_time` of the original login, no `nonce`). `at_hash` binds it to
/// the access token.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdTokenHook;

#[async_trait]
impl<S: OAuth2Storage + SigningKeyStorage> TokenHook<S> for IdTokenHook {
    async fn issued(
        &self,
        server: &AuthorizationServer<S>,
        request: &OAuth2Request,
        client: &S::Client,
        grant_type: &str,
        token: &mut IssuedToken,
    ) -> Result<(), OAuth2Error> {
        if !matches!(grant_type, "authorization_code" | "refresh_token")
            || !token.scope.contains(OPENID)
        {
            return Ok(());
        }
        let Some(user_id) = token.record.user_id.as_deref() else {
            return Ok(());
        };
        let issuer = server
            .issuer_for(request)
            .ok_or_else(|| OAuth2Error::server_error("the issuer identifier is not known"))?;
        let mut claims = server.id_token_claims(
            &issuer,
            client.client_id(),
            &server.subject_for(client, user_id),
            token.record.authentication.as_ref(),
        );
        // An access token goes with it: the scope's claims are UserInfo's.
        server
            .add_user_claims(
                &mut claims,
                user_id,
                None,
                token.record.authentication.as_ref(),
            )
            .await?;
        let id_token = server
            .sign_id_token_as(
                id_token_alg(client),
                claims,
                Some(token.access_token.secret()),
                None,
            )
            .await?;
        token.extra.insert("id_token".into(), id_token.into());
        Ok(())
    }
}
