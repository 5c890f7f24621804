//! The authorization endpoint (RFC 6749 §3.1, §4.1.1–§4.1.2, §4.2.1–§4.2.2).
//!
//! Two steps, as a consent page needs them: [`validate_authorization_request`]
//! turns the request into an [`AuthorizationRequest`] to show the resource
//! owner; [`create_authorization_response`] validates again and answers with
//! the redirect that grants or denies.
//!
//! [`validate_authorization_request`]: AuthorizationServer::validate_authorization_request
//! [`create_authorization_response`]: AuthorizationServer::create_authorization_response

use crate::config::Config;
use crate::error::{ErrorCode, OAuth2Error};
use crate::http::{Method, OAuth2Request, OAuth2Response, Params, add_params_to_uri};
use crate::models::{NewAuthorizationCode, OAuth2Client};
use crate::oauth2::server::{AuthorizationServer, TokenContext, TokenSpec, new_grant_id};
use crate::oauth2::{rfc7636, rfc9207};
use crate::scope::Scope;
use crate::secrets;
use crate::storage::OAuth2Storage;

/// The response types the endpoint serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `code` (§4.1): the code goes back in the query.
    Code,
    /// `token` (§4.2, implicit): the token goes back in the fragment.
    Token,
}

impl ResponseType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
        }
    }
}

/// A validated authorization request: what the consent page shows.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest<C> {
    /// The client asking.
    pub client: C,
    /// `code` or `token`.
    pub response_type: ResponseType,
    /// Where the answer goes (the request's, or the client's only one).
    pub redirect_uri: String,
    /// Whether the request named `redirect_uri` itself.
    pub redirect_uri_provided: bool,
    /// The scope that will be granted (already narrowed to the client's).
    pub scope: Scope,
    /// The client's `state`, returned untouched.
    pub state: Option<String>,
    /// PKCE challenge and method.
    pub code_challenge: Option<(String, String)>,
    /// OpenID Connect nonce, stored with the code.
    pub nonce: Option<String>,
    /// The issuer identifier sent back as `iss` (RFC 9207), if known.
    pub issuer: Option<String>,
}

/// Why an authorization request failed, and where the answer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationError {
    /// The client or redirect URI cannot be trusted: show the error to the
    /// resource owner, never redirect (§4.1.2.1).
    Fatal(OAuth2Error),
    /// Send the error to the client's redirect URI.
    Redirect {
        /// The error.
        error: OAuth2Error,
        /// The verified redirect URI.
        redirect_uri: String,
        /// The request's `state`.
        state: Option<String>,
        /// Whether the parameters go in the fragment (implicit grant).
        fragment: bool,
        /// The issuer identifier sent back as `iss` (RFC 9207), if known.
        issuer: Option<String>,
    },
}

impl AuthorizationError {
    /// The error.
    pub fn error(&self) -> &OAuth2Error {
        match self {
            AuthorizationError::Fatal(e) | AuthorizationError::Redirect { error: e, .. } => e,
        }
    }

    /// Whether the error is redirected to the client.
    pub fn is_redirect(&self) -> bool {
        matches!(self, AuthorizationError::Redirect { .. })
    }

    /// The response: a 302 to the client for redirectable errors, otherwise
    /// a 400 JSON body (an HTML adapter renders its own page instead).
    pub fn to_response(&self, config: &Config) -> OAuth2Response {
        match self {
            AuthorizationError::Fatal(error) => {
                let mut r = super::error_response(config, error, false);
                if !matches!(
                    error.code,
                    ErrorCode::ServerError | ErrorCode::TemporarilyUnavailable
                ) {
                    r.status = 400;
                }
                r
            }
            AuthorizationError::Redirect {
                error,
                redirect_uri,
                state,
                fragment,
                issuer,
            } => {
                let mut params = vec![
                    ("error", error.code.as_str()),
                    ("error_description", error.description.as_str()),
                ];
                if let Some(uri) = config.error_uri(error.code.as_str()) {
                    params.push(("error_uri", uri));
                }
                if let Some(state) = state {
                    params.push(("state", state.as_str()));
                }
                if let Some(issuer) = issuer {
                    params.push((rfc9207::ISS, issuer.as_str()));
                }
                OAuth2Response::redirect(add_params_to_uri(redirect_uri, &params, *fragment))
            }
        }
    }
}

/// The resource owner's decision on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consent {
    /// Granted by this user.
    Granted {
        /// The resource owner's id.
        user_id: String,
    },
    /// Denied: the client gets `access_denied`.
    Denied,
}

/// The parameters of an authorization request: the query, or for a POST
/// without them in the query, the form body (§3.1 allows POST).
fn authorization_params(request: &OAuth2Request) -> &Params {
    let in_query = request.query.contains("client_id") || request.query.contains("response_type");
    if !in_query && request.method == Method::Post && !request.form.is_empty() {
        &request.form
    } else {
        &request.query
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Validates an authorization request (§4.1.1, §4.2.1, RFC 7636 §4.3).
    ///
    /// An unknown client or a bad redirect URI is
    /// [`AuthorizationError::Fatal`]; every other error is redirected with
    /// `state`.
    pub async fn validate_authorization_request(
        &self,
        request: &OAuth2Request,
    ) -> Result<AuthorizationRequest<S::Client>, AuthorizationError> {
        use AuthorizationError::Fatal;
        self.check_transport(request.secure).map_err(Fatal)?;
        let params = authorization_params(request);

        let client_id = params.required("client_id").map_err(Fatal)?;
        let client = self
            .storage
            .find_client(client_id)
            .await
            .map_err(|e| Fatal(e.into()))?
            .ok_or_else(|| Fatal(OAuth2Error::invalid_client("unknown client_id")))?;

        let requested_uri = params.single("redirect_uri").map_err(Fatal)?;
        let redirect_uri = match requested_uri {
            Some(uri) if client.check_redirect_uri(uri) => uri.to_owned(),
            Some(_) => {
                return Err(Fatal(OAuth2Error::invalid_request(
                    "redirect_uri is not registered for this client",
                )));
            }
            None => client.default_redirect_uri().ok_or_else(|| {
                Fatal(OAuth2Error::invalid_request(
                    "redirect_uri is required: the client has no single registered redirect URI",
                ))
            })?,
        };

        // From here on errors go back to the client, with `iss` (RFC 9207).
        // A duplicated state is an error whose answer carries no state (we
        // cannot tell which).
        let issuer = self.issuer_for(request);
        let state = params.single("state");
        let response_type_param = params.single("response_type");
        let fragment = matches!(response_type_param, Ok(Some("token")));
        let redirect = |error: OAuth2Error, state: Option<String>| AuthorizationError::Redirect {
            error,
            redirect_uri: redirect_uri.clone(),
            state,
            fragment,
            issuer: issuer.clone(),
        };
        let state = match state {
            Ok(s) => s.map(str::to_owned),
            Err(e) => return Err(redirect(e, None)),
        };
        let fail = |error: OAuth2Error| redirect(error, state.clone());

        let response_type = match response_type_param.map_err(fail)? {
            None => {
                return Err(fail(OAuth2Error::invalid_request(
                    "the \"response_type\" parameter is missing",
                )));
            }
            Some("code") => ResponseType::Code,
            Some("token") if self.config.implicit_grant => ResponseType::Token,
            Some(other) => {
                return Err(fail(OAuth2Error::unsupported_response_type(format!(
                    "the response type \"{other}\" is not supported"
                ))));
            }
        };
        if !client.check_response_type(response_type.as_str()) {
            return Err(fail(OAuth2Error::unauthorized_client(format!(
                "the client is not allowed to use the response type \"{}\"",
                response_type.as_str()
            ))));
        }

        let scope = self
            .resolve_scope(&client, params.single("scope").map_err(fail)?)
            .map_err(fail)?;

        let code_challenge = match response_type {
            ResponseType::Code => {
                let required =
                    client.is_public() || self.config.require_pkce_for_confidential_clients;
                rfc7636::validate_challenge(
                    params.single("code_challenge").map_err(fail)?,
                    params.single("code_challenge_method").map_err(fail)?,
                    required,
                    self.config.allow_plain_pkce,
                )
                .map_err(fail)?
            }
            ResponseType::Token => None,
        };
        let nonce = params.single("nonce").map_err(fail)?.map(str::to_owned);

        Ok(AuthorizationRequest {
            client,
            response_type,
            redirect_uri,
            redirect_uri_provided: requested_uri.is_some(),
            scope,
            state,
            code_challenge,
            nonce,
            issuer,
        })
    }

    /// Validates the request again and answers the resource owner's
    /// decision with the redirect to the client (§4.1.2, §4.2.2), or with the
    /// validation error.
    pub async fn create_authorization_response(
        &self,
        request: &OAuth2Request,
        consent: Consent,
    ) -> OAuth2Response {
        match self.validate_authorization_request(request).await {
            Ok(validated) => self.complete_authorization(&validated, consent).await,
            Err(e) => e.to_response(&self.config),
        }
    }

    /// Answers an already validated request with the resource owner's
    /// decision: a code in the query, a token in the fragment, or
    /// `access_denied`.
    pub async fn complete_authorization(
        &self,
        request: &AuthorizationRequest<S::Client>,
        consent: Consent,
    ) -> OAuth2Response {
        let fragment = request.response_type == ResponseType::Token;
        let error_redirect = |error: OAuth2Error| {
            AuthorizationError::Redirect {
                error,
                redirect_uri: request.redirect_uri.clone(),
                state: request.state.clone(),
                fragment,
                issuer: request.issuer.clone(),
            }
            .to_response(&self.config)
        };
        let user_id = match consent {
            Consent::Denied => {
                return error_redirect(OAuth2Error::access_denied(
                    "the resource owner denied the request",
                ));
            }
            Consent::Granted { user_id } => user_id,
        };
        let result = match request.response_type {
            ResponseType::Code => self.issue_code(request, user_id).await,
            ResponseType::Token => self.issue_implicit_token(request, user_id).await,
        };
        match result {
            Ok(params) => {
                let mut pairs: Vec<(&str, &str)> =
                    params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                if let Some(state) = &request.state {
                    pairs.push(("state", state));
                }
                if let Some(issuer) = &request.issuer {
                    pairs.push((rfc9207::ISS, issuer));
                }
                OAuth2Response::redirect(add_params_to_uri(&request.redirect_uri, &pairs, fragment))
            }
            Err(e) => error_redirect(e),
        }
    }

    async fn issue_code(
        &self,
        request: &AuthorizationRequest<S::Client>,
        user_id: String,
    ) -> Result<Vec<(&'static str, String)>, OAuth2Error> {
        let code = self.code_generator.generate(&TokenContext {
            grant_type: "authorization_code",
            client_id: request.client.client_id(),
            user_id: Some(&user_id),
            scope: &request.scope,
        });
        let (code_challenge, code_challenge_method) = match &request.code_challenge {
            Some((c, m)) => (Some(c.clone()), Some(m.clone())),
            None => (None, None),
        };
        self.storage
            .save_authorization_code(NewAuthorizationCode {
                code_digest: secrets::digest(&code),
                client_id: request.client.client_id().to_owned(),
                user_id,
                redirect_uri: request
                    .redirect_uri_provided
                    .then(|| request.redirect_uri.clone()),
                response_type: "code".into(),
                scope: request.scope.to_string(),
                auth_time: self.now(),
                code_challenge,
                code_challenge_method,
                nonce: request.nonce.clone(),
            })
            .await?;
        Ok(vec![("code", code)])
    }

    async fn issue_implicit_token(
        &self,
        request: &AuthorizationRequest<S::Client>,
        user_id: String,
    ) -> Result<Vec<(&'static str, String)>, OAuth2Error> {
        // §4.2.2: the implicit grant MUST NOT issue a refresh token.
        let issued = self
            .issue_token(TokenSpec {
                grant_type: "implicit",
                client_id: request.client.client_id(),
                user_id: Some(user_id),
                scope: request.scope.clone(),
                refresh_scope: None,
                grant_id: new_grant_id(),
            })
            .await?;
        let mut params = vec![
            ("access_token", issued.access_token),
            ("token_type", issued.token_type),
            ("expires_in", issued.expires_in.to_string()),
        ];
        if !issued.scope.is_empty() {
            params.push(("scope", issued.scope.to_string()));
        }
        Ok(params)
    }
}
