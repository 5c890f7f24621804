//! The response types of OpenID Connect at the authorization endpoint:
//! `id_token` and `id_token token` (the Implicit Flow, §3.2) and
//! `code id_token`, `code token` and `code id_token token` (the Hybrid
//! Flow, §3.3), each answered in the fragment unless `response_mode` says
//! `form_post`. An ID token issued here binds the code (`c_hash`) and the
//! access token (`at_hash`) issued beside it (§3.3.2.11, §3.2.2.10).

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::http::Params;
use crate::jose::SigningKeyStorage;
use crate::models::OAuth2Client;
use crate::oauth2::rfc6749::authorization::{AuthorizationRequest, Login};
use crate::oauth2::rfc6749::response_types::{
    CodeResponse, ResponseMode, ResponseType, ResponseTypeHandler, TokenResponse,
};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The response types that return no access token from the authorization
/// endpoint, served whenever OpenID Connect is.
pub const WITHOUT_TOKEN: [&str; 2] = ["id_token", "code id_token"];

/// The response types that return an access token in the front channel,
/// served only while `implicit_grant` is on (RFC 9700 §2.1.2 advises
/// against them).
pub const WITH_TOKEN: [&str; 3] = ["id_token token", "code token", "code id_token token"];

/// One OpenID Connect response type (a combination of `code`, `token` and
/// `id_token` other than `code` and `token` alone).
#[derive(Debug, Clone)]
pub struct OidcResponse {
    response_type: ResponseType,
}

impl OidcResponse {
    /// The handler of `response_type` (one of [`WITHOUT_TOKEN`] and
    /// [`WITH_TOKEN`]); `None` for another value.
    pub fn new(response_type: &str) -> Option<OidcResponse> {
        let response_type = ResponseType::parse(response_type)?;
        let known = WITHOUT_TOKEN
            .iter()
            .chain(WITH_TOKEN.iter())
            .any(|t| ResponseType::parse(t).as_ref() == Some(&response_type));
        known.then_some(OidcResponse { response_type })
    }

    fn has(&self, value: &str) -> bool {
        self.response_type.contains(value)
    }
}

#[async_trait]
impl<S: OAuth2Storage + SigningKeyStorage> ResponseTypeHandler<S> for OidcResponse {
    fn response_type(&self) -> ResponseType {
        self.response_type.clone()
    }

    fn default_response_mode(&self) -> ResponseMode {
        // §3.2.2.5, §3.3.2.5: the fragment, as for every response type
        // that returns more than a code.
        ResponseMode::Fragment
    }

    fn grant_types(&self) -> Vec<&'static str> {
        // OpenID Connect Registration §2: code needs authorization_code,
        // id_token and token need implicit.
        let mut grants = Vec::new();
        if self.has("code") {
            grants.push("authorization_code");
        }
        if self.has("token") || self.has("id_token") {
            grants.push("implicit");
        }
        grants
    }

    fn validate(
        &self,
        server: &AuthorizationServer<S>,
        params: &Params,
        request: &mut AuthorizationRequest<S::Client>,
    ) -> Result<(), OAuth2Error> {
        // §3.2.2.1, §3.3.2.1: an ID token is for OpenID Connect requests.
        if self.has("id_token") && !request.is_openid() {
            return Err(OAuth2Error::invalid_request(
                "response types with id_token need the openid scope",
            ));
        }
        if self.has("code") {
            <CodeResponse as ResponseTypeHandler<S>>::validate(
                &CodeResponse,
                server,
                params,
                request,
            )?;
        }
        Ok(())
    }

    async fn issue(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<Vec<(String, String)>, OAuth2Error> {
        let mut params = Vec::new();
        let mut code = None;
        if self.has("code") {
            let issued = <CodeResponse as ResponseTypeHandler<S>>::issue(
                &CodeResponse,
                server,
                request,
                login,
            )
            .await?;
            code = issued
                .iter()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.clone());
            params.extend(issued);
        }
        let mut access_token = None;
        if self.has("token") {
            // As the implicit grant (RFC 6749 §4.2.2): no refresh token.
            let issued = <TokenResponse as ResponseTypeHandler<S>>::issue(
                &TokenResponse,
                server,
                request,
                login,
            )
            .await?;
            access_token = issued
                .iter()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.clone());
            params.extend(issued);
        }
        if self.has("id_token") {
            let issuer = request
                .issuer
                .as_deref()
                .ok_or_else(|| OAuth2Error::server_error("the issuer identifier is not known"))?;
            let authentication = request.authentication(login);
            let mut claims = server.id_token_claims(
                issuer,
                request.client.client_id(),
                &server.subject_for(&request.client, &login.user_id),
                authentication.as_ref(),
            );
            // §5.4: when no access token is issued at all (`id_token`
            // alone), the scope's claims are here, not at UserInfo.
            let no_access_token = !self.has("code") && !self.has("token");
            let scope = no_access_token.then_some(&request.scope);
            server
                .add_user_claims(&mut claims, &login.user_id, scope, authentication.as_ref())
                .await?;
            let id_token = server
                .sign_id_token_as(
                    crate::oidc::registration::id_token_alg(&request.client),
                    claims,
                    access_token.as_deref(),
                    code.as_deref(),
                )
                .await?;
            params.push(("id_token".into(), id_token));
        }
        Ok(params)
    }
}
