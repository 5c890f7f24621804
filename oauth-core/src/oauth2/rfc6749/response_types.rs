//! Response types of the authorization endpoint (RFC 6749 §3.1.1), as
//! registered handlers, the way grants are at the token endpoint.
//!
//! `code` (§4.1) and `token` (§4.2, the implicit grant, while
//! `implicit_grant` is on) are registered from the start; a site, or a
//! module built on this one (OpenID Connect's `id_token` and its
//! combinations), registers more with
//! [`AuthorizationServer::with_response_type`]. A request is served by the
//! handler of its response type, compared as a set of values (OAuth 2.0
//! Multiple Response Type Encoding Practices §3: `"id_token code"` is
//! `"code id_token"`).

use std::fmt;

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::http::{OAuth2Response, Params, add_params_to_uri};
use crate::models::{NewAuthorizationCode, OAuth2Client};
use crate::oauth2::form_post::form_post_response;
use crate::oauth2::rfc6749::authorization::{AuthorizationRequest, Login};
use crate::oauth2::rfc7636;
use crate::oauth2::server::{AuthorizationServer, TokenContext, TokenSpec, new_grant_id};
use crate::secrets;
use crate::storage::OAuth2Storage;

/// A response type: a set of space-separated values, kept sorted so that
/// two spellings of one set are equal.
///
/// ```
/// use oauth_core::ResponseType;
/// let a = ResponseType::parse("id_token code").unwrap();
/// assert_eq!(a, ResponseType::parse("code id_token").unwrap());
/// assert_eq!(a.as_str(), "code id_token");
/// assert!(a.contains("code"));
/// assert_eq!(ResponseType::parse("code code"), None); // a value twice
/// assert_eq!(ResponseType::parse(" "), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResponseType(String);

impl ResponseType {
    /// `code` (§4.1).
    pub fn code() -> ResponseType {
        ResponseType("code".into())
    }

    /// `token` (§4.2).
    pub fn token() -> ResponseType {
        ResponseType("token".into())
    }

    /// The set named by a `response_type` value; `None` when it is empty
    /// or names a value twice.
    pub fn parse(value: &str) -> Option<ResponseType> {
        let mut values: Vec<&str> = value.split(' ').filter(|v| !v.is_empty()).collect();
        values.sort_unstable();
        let before = values.len();
        values.dedup();
        (before > 0 && values.len() == before).then(|| ResponseType(values.join(" ")))
    }

    /// The values, sorted, space-separated.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the set has `value` (`code`, `token`, `id_token`, ...).
    pub fn contains(&self, value: &str) -> bool {
        self.0.split(' ').any(|v| v == value)
    }
}

impl fmt::Display for ResponseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the parameters of an authorization response reach the client
/// (OAuth 2.0 Multiple Response Type Encoding Practices §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseMode {
    /// In the redirect URI's query (`code`).
    Query,
    /// In the redirect URI's fragment (every type that returns a token:
    /// it must not reach the client's server in a request line).
    Fragment,
    /// Posted to the redirect URI by an auto-submitting HTML form (OAuth
    /// 2.0 Form Post Response Mode).
    FormPost,
}

impl ResponseMode {
    /// Every mode served, as `response_modes_supported` lists them.
    pub const ALL: [ResponseMode; 3] = [
        ResponseMode::Query,
        ResponseMode::Fragment,
        ResponseMode::FormPost,
    ];

    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
            ResponseMode::FormPost => "form_post",
        }
    }

    /// The mode of a `response_mode` value.
    pub fn parse(name: &str) -> Option<ResponseMode> {
        ResponseMode::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The answer carrying `params` to `redirect_uri` in this mode.
    pub fn respond(self, redirect_uri: &str, params: &[(&str, &str)]) -> OAuth2Response {
        match self {
            ResponseMode::Query => {
                OAuth2Response::redirect(add_params_to_uri(redirect_uri, params, false))
            }
            ResponseMode::Fragment => {
                OAuth2Response::redirect(add_params_to_uri(redirect_uri, params, true))
            }
            ResponseMode::FormPost => form_post_response(redirect_uri, params),
        }
    }
}

/// What the authorization endpoint does for one response type.
///
/// The endpoint does the common part (client, redirect URI, `state`,
/// scope, the client's registered response types, `iss`); the handler adds
/// the checks of its own parameters and issues the answer's parameters.
#[async_trait]
pub trait ResponseTypeHandler<S: OAuth2Storage>: Send + Sync {
    /// The response type served.
    fn response_type(&self) -> ResponseType;

    /// Where the answer goes unless the request asks otherwise.
    fn default_response_mode(&self) -> ResponseMode;

    /// The grant types a client must register to use it (RFC 7591 §2.1:
    /// `code` needs `authorization_code`, `token` needs `implicit`).
    fn grant_types(&self) -> Vec<&'static str>;

    /// Checks the request's parameters of this response type, and records
    /// what it needs in `request` (the PKCE challenge for `code`). An error
    /// is sent to the client's redirect URI.
    fn validate(
        &self,
        server: &AuthorizationServer<S>,
        params: &Params,
        request: &mut AuthorizationRequest<S::Client>,
    ) -> Result<(), OAuth2Error> {
        let _ = (server, params, request);
        Ok(())
    }

    /// Issues the answer to a granted request: the parameters for the
    /// client (`state` and `iss` are added by the endpoint).
    async fn issue(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<Vec<(String, String)>, OAuth2Error>;
}

/// `code` (§4.1): a single-use code in the query, PKCE (RFC 7636) checked
/// and stored with it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CodeResponse;

#[async_trait]
impl<S: OAuth2Storage> ResponseTypeHandler<S> for CodeResponse {
    fn response_type(&self) -> ResponseType {
        ResponseType::code()
    }

    fn default_response_mode(&self) -> ResponseMode {
        ResponseMode::Query
    }

    fn grant_types(&self) -> Vec<&'static str> {
        vec!["authorization_code"]
    }

    fn validate(
        &self,
        server: &AuthorizationServer<S>,
        params: &Params,
        request: &mut AuthorizationRequest<S::Client>,
    ) -> Result<(), OAuth2Error> {
        let config = server.config();
        let required = request.client.is_public() || config.pkce.require_for_confidential_clients;
        request.code_challenge = rfc7636::validate_challenge(
            params.single("code_challenge")?,
            params.single("code_challenge_method")?,
            required,
            config.pkce.allow_plain,
        )?;
        Ok(())
    }

    async fn issue(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<Vec<(String, String)>, OAuth2Error> {
        let user_id = login.user_id.as_str();
        let code = server.code_generator.generate(&TokenContext {
            grant_type: "authorization_code",
            client_id: request.client.client_id(),
            user_id: Some(user_id),
            scope: &request.scope,
        });
        let (code_challenge, code_challenge_method) = match &request.code_challenge {
            Some((c, m)) => (Some(c.clone()), Some(m.clone())),
            None => (None, None),
        };
        server
            .storage
            .save_authorization_code(NewAuthorizationCode {
                code_digest: secrets::digest(&code),
                client_id: request.client.client_id().to_owned(),
                user_id: user_id.to_owned(),
                redirect_uri: request
                    .redirect_uri_provided
                    .then(|| request.redirect_uri.clone()),
                response_type: request.response_type.to_string(),
                scope: request.scope.to_string(),
                auth_time: server.now(),
                code_challenge,
                code_challenge_method,
                nonce: request.nonce.clone(),
                authentication: request.authentication(login),
                dpop_jkt: request
                    .extensions
                    .get::<crate::oauth2::rfc9449::DpopBinding>()
                    .map(|b| b.jkt.clone()),
                audience: crate::oauth2::rfc8707::to_stored(&request.resources),
            })
            .await?;
        Ok(vec![("code".into(), code)])
    }
}

/// `token` (§4.2, the implicit grant): an access token in the fragment,
/// never a refresh token (§4.2.2).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenResponse;

#[async_trait]
impl<S: OAuth2Storage> ResponseTypeHandler<S> for TokenResponse {
    fn response_type(&self) -> ResponseType {
        ResponseType::token()
    }

    fn default_response_mode(&self) -> ResponseMode {
        ResponseMode::Fragment
    }

    fn grant_types(&self) -> Vec<&'static str> {
        vec!["implicit"]
    }

    async fn issue(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<Vec<(String, String)>, OAuth2Error> {
        // §4.2.2: the implicit grant MUST NOT issue a refresh token.
        let issued = server
            .issue_token_for(
                &request.client,
                request.issuer.as_deref(),
                TokenSpec {
                    grant_type: "implicit",
                    client_id: request.client.client_id(),
                    user_id: Some(login.user_id.clone()),
                    scope: request.scope.clone(),
                    refresh_scope: None,
                    grant_id: new_grant_id(),
                    // The implicit grant has no token request to prove a key at.
                    dpop_jkt: None,
                    audience: crate::oauth2::rfc8707::Audience::of(request.resources.clone()),
                },
                request.authentication(login),
            )
            .await?;
        let mut params = vec![
            ("access_token".into(), issued.access_token.into_secret()),
            ("token_type".into(), issued.token_type),
            ("expires_in".into(), issued.expires_in.to_string()),
        ];
        if !issued.scope.is_empty() {
            params.push(("scope".into(), issued.scope.to_string()));
        }
        Ok(params)
    }
}
