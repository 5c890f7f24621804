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
use crate::events;
use crate::http::{Method, OAuth2Request, OAuth2Response, Params};
use crate::models::{Authentication, OAuth2Client};
use crate::oauth2::rfc6749::authorization_hooks::Extensions;
use crate::oauth2::rfc6749::response_types::{ResponseMode, ResponseType};
use crate::oauth2::rfc9126::{FromPushedRequest, RequestSource};
use crate::oauth2::rfc9207;
use crate::oauth2::server::AuthorizationServer;
use crate::oidc::ClaimsRequest;
use crate::scope::Scope;
use crate::storage::OAuth2Storage;

/// A validated authorization request: what the consent page shows.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest<C> {
    /// The client asking.
    pub client: C,
    /// The response type (`code`, `token`, or a registered one).
    pub response_type: ResponseType,
    /// Where the answer's parameters go: the response type's default.
    pub response_mode: ResponseMode,
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
    /// The resources the grant is for (RFC 8707 §2.1, `resource`); empty
    /// when the request named none.
    pub resources: Vec<String>,
    /// What hooks and response types attached while validating.
    pub extensions: Extensions,
}

impl<C> AuthorizationRequest<C> {
    /// Whether this is an OpenID Connect request (scope `openid`).
    pub fn is_openid(&self) -> bool {
        self.scope.contains(crate::oidc::OPENID)
    }

    /// What is stored with the grant of an OpenID Connect request: the
    /// login, the `nonce` and the `claims` asked for; `None` otherwise.
    pub fn authentication(&self, login: &Login) -> Option<Authentication> {
        self.is_openid().then(|| Authentication {
            auth_time: login.auth_time,
            acr: login.acr.clone(),
            amr: login.amr.clone(),
            nonce: self.nonce.clone(),
            claims: self.extensions.get::<ClaimsRequest>().cloned(),
        })
    }

    /// The answer refusing this request with `error`: sent to its redirect
    /// URI with its `state` and `iss`, in its response mode.
    pub fn refusal(&self, error: OAuth2Error) -> AuthorizationError {
        AuthorizationError::Redirect {
            error,
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
            mode: self.response_mode,
            issuer: self.issuer.clone(),
        }
    }
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
        /// How the parameters reach the client (query, fragment or form).
        mode: ResponseMode,
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
                let mut r = super::error_response(config, error);
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
                mode,
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
                mode.respond(redirect_uri, &params)
            }
        }
    }
}

/// The resource owner's decision on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consent {
    /// Granted by this user. When they logged in is not said, so an
    /// OpenID Connect request that needs it (`max_age`, a client that
    /// requires `auth_time`) is answered `login_required`: use
    /// [`Consent::LoggedIn`] there.
    Granted {
        /// The resource owner's id.
        user_id: String,
    },
    /// Granted by this user, with when and how they logged in (what an ID
    /// token reports as `auth_time`, `acr` and `amr`).
    LoggedIn(Login),
    /// Denied: the client gets `access_denied`.
    Denied,
}

/// Who granted a request, and when and how they logged in: the site's
/// session, as the authorization endpoint needs it.
///
/// ```
/// use oauth_core::{Consent, Login};
/// let login = Login::new("42", 1_700_000_000).with_amr(["pwd"]);
/// assert_eq!(login.auth_time, Some(1_700_000_000));
/// let _ = Consent::LoggedIn(login);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The resource owner's id (the ID token's `sub`).
    pub user_id: String,
    /// When they logged in (Unix seconds), if known.
    pub auth_time: Option<i64>,
    /// The Authentication Context Class Reference satisfied.
    pub acr: Option<String>,
    /// The Authentication Methods References (RFC 8176).
    pub amr: Vec<String>,
}

impl Login {
    /// `user_id`, logged in at `auth_time`.
    pub fn new(user_id: impl Into<String>, auth_time: i64) -> Login {
        Login {
            user_id: user_id.into(),
            auth_time: Some(auth_time),
            acr: None,
            amr: Vec::new(),
        }
    }

    /// `user_id`, logged in at a time not known.
    pub fn user(user_id: impl Into<String>) -> Login {
        Login {
            user_id: user_id.into(),
            auth_time: None,
            acr: None,
            amr: Vec::new(),
        }
    }

    /// With the `acr` the login satisfied.
    pub fn with_acr(mut self, acr: impl Into<String>) -> Login {
        self.acr = Some(acr.into());
        self
    }

    /// With the methods used (`pwd`, `otp`, `hwk`, ...).
    pub fn with_amr<I: IntoIterator<Item = T>, T: Into<String>>(mut self, amr: I) -> Login {
        self.amr = amr.into_iter().map(Into::into).collect();
        self
    }
}

impl Consent {
    /// The login of a grant; `None` when denied.
    pub fn into_login(self) -> Option<Login> {
        match self {
            Consent::Granted { user_id } => Some(Login::user(user_id)),
            Consent::LoggedIn(login) => Some(login),
            Consent::Denied => None,
        }
    }
}

/// Whether `mode` may carry the answer of a response type whose default
/// is `default`: the query never carries what the fragment would (tokens,
/// ID tokens: OAuth 2.0 Multiple Response Types §5, RFC 9700 §4.3).
fn allowed_mode(mode: ResponseMode, default: ResponseMode) -> bool {
    !(mode == ResponseMode::Query && default != ResponseMode::Query)
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
        // RFC 9101 §6.3: a signed request object's parameters are the
        // request.
        if let Some(object) = params.single("request").map_err(Fatal)? {
            let object_params = self
                .request_object_params(request, params, object)
                .await
                .map_err(Fatal)?;
            return self
                .validate_authorization_params(
                    request,
                    &object_params,
                    RequestSource::Direct { signed: true },
                )
                .await;
        }
        // RFC 9126 §4: a pushed request's parameters are the pushed ones.
        match self.pushed_params(params).await.map_err(Fatal)? {
            Some((pushed, digest)) => {
                self.validate_authorization_params(request, &pushed, RequestSource::Pushed(digest))
                    .await
            }
            None => {
                self.validate_authorization_params(
                    request,
                    params,
                    RequestSource::Direct { signed: false },
                )
                .await
            }
        }
    }

    /// [`validate_authorization_request`](Self::validate_authorization_request)
    /// of these parameters, which came from `source`.
    pub(crate) async fn validate_authorization_params(
        &self,
        request: &OAuth2Request,
        params: &Params,
        source: RequestSource,
    ) -> Result<AuthorizationRequest<S::Client>, AuthorizationError> {
        use AuthorizationError::Fatal;

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
            Some(uri) => {
                events::redirect_uri_refused(client_id, uri);
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
        let parsed = match response_type_param {
            Ok(Some(value)) => ResponseType::parse(value),
            _ => None,
        };
        let handler = parsed
            .as_ref()
            .and_then(|t| self.response_types.get(t).cloned());
        // Errors go where the answer would have: the handler's mode, or for
        // a type not served, the fragment for one with `token` or
        // `id_token` (RFC 6749 §4.2.2.1, Multiple Response Types §2.1:
        // also while the implicit grant is off), else the query; a valid
        // `response_mode` the client asked for wins (Multiple Response
        // Types §2.1).
        let default_mode = match (&handler, &parsed) {
            (Some(h), _) => h.default_response_mode(),
            (None, Some(t)) if t.contains("token") || t.contains("id_token") => {
                ResponseMode::Fragment
            }
            (None, _) => ResponseMode::Query,
        };
        let requested_mode = params.single("response_mode");
        let mode = match requested_mode {
            Ok(Some(name)) => ResponseMode::parse(name)
                .filter(|m| allowed_mode(*m, default_mode))
                .unwrap_or(default_mode),
            _ => default_mode,
        };
        let redirect = |error: OAuth2Error, state: Option<String>| AuthorizationError::Redirect {
            error,
            redirect_uri: redirect_uri.clone(),
            state,
            mode,
            issuer: issuer.clone(),
        };
        let state = match state {
            Ok(s) => s.map(str::to_owned),
            Err(e) => return Err(redirect(e, None)),
        };
        let fail = |error: OAuth2Error| redirect(error, state.clone());
        let unsigned = matches!(
            source,
            RequestSource::Direct { signed: false } | RequestSource::Pushing { signed: false }
        );
        if unsigned && self.requires_signed_request_object(&client) {
            return Err(fail(OAuth2Error::invalid_request(
                "this client's authorization requests must be signed request objects (RFC 9101 §10.5)",
            )));
        }
        if matches!(source, RequestSource::Direct { .. }) && self.requires_pushed_requests(&client)
        {
            return Err(fail(OAuth2Error::invalid_request(
                "this client's authorization requests must be pushed to the pushed \
                 authorization request endpoint (RFC 9126)",
            )));
        }

        let handler = match (response_type_param.map_err(fail)?, handler) {
            (None, _) => {
                return Err(fail(OAuth2Error::invalid_request(
                    "the \"response_type\" parameter is missing",
                )));
            }
            (Some(_), Some(handler))
                if self.profile_allows_response_type(&handler.response_type()) =>
            {
                handler
            }
            (Some(other), _) => {
                return Err(fail(OAuth2Error::unsupported_response_type(format!(
                    "the response type \"{other}\" is not supported"
                ))));
            }
        };
        let response_type = handler.response_type();
        if let Some(name) = requested_mode.map_err(fail)? {
            match ResponseMode::parse(name) {
                None => {
                    return Err(fail(OAuth2Error::invalid_request(format!(
                        "the response mode \"{name}\" is not supported"
                    ))));
                }
                Some(m) if !allowed_mode(m, default_mode) => {
                    return Err(fail(OAuth2Error::invalid_request(
                        "response_mode=query cannot carry tokens: use fragment or form_post",
                    )));
                }
                Some(_) => {}
            }
        }
        // Registration stores response types in their sorted form
        // (`validate_client_metadata`), so the client's check is exact.
        if !client.check_response_type(response_type.as_str()) {
            return Err(fail(OAuth2Error::unauthorized_client(format!(
                "the client is not allowed to use the response type \"{response_type}\""
            ))));
        }

        let scope = self
            .resolve_scope(&client, params.single("scope").map_err(fail)?)
            .map_err(fail)?;
        let nonce = params.single("nonce").map_err(fail)?.map(str::to_owned);

        let mut validated = AuthorizationRequest {
            client,
            response_mode: mode,
            response_type,
            redirect_uri,
            redirect_uri_provided: requested_uri.is_some(),
            scope,
            state,
            code_challenge: None,
            nonce,
            issuer,
            resources: Vec::new(),
            extensions: Extensions::default(),
        };
        // RFC 8707 §2.1: the resources, refused with invalid_target.
        match self.requested_resources(request, params) {
            Ok(resources) => validated.resources = resources,
            Err(e) => return Err(validated.refusal(e)),
        }
        // RFC 9449 §10: a code bound to the key the client named.
        match crate::oauth2::rfc9449::requested_binding(params) {
            Ok(Some(_)) if !self.storage.binds_codes_to_dpop_keys() => {
                return Err(validated.refusal(OAuth2Error::invalid_request(
                    "dpop_jkt is not supported: this server's codes cannot be bound to a key",
                )));
            }
            Ok(Some(binding)) => validated.extensions.insert(binding),
            Ok(None) => {}
            Err(e) => return Err(validated.refusal(e)),
        }
        if let RequestSource::Pushed(digest) = source {
            validated.extensions.insert(FromPushedRequest {
                request_uri_digest: digest,
            });
        }
        if let Err(e) = handler.validate(self, params, &mut validated) {
            return Err(validated.refusal(e));
        }
        for hook in &self.authorization_hooks {
            if let Err(e) = hook.validated(self, params, &mut validated).await {
                return Err(validated.refusal(e));
            }
        }
        Ok(validated)
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
        let error_redirect = |error: OAuth2Error| request.refusal(error).to_response(&self.config);
        // A pushed request is answered once, granted or denied (RFC 9126 §4).
        if let Err(e) = self.take_pushed(request).await {
            return error_redirect(e);
        }
        let Some(login) = consent.into_login() else {
            return error_redirect(OAuth2Error::access_denied(
                "the resource owner denied the request",
            ));
        };
        match self.grant_authorization(request, &login).await {
            Ok(params) => {
                let mut pairs: Vec<(&str, &str)> = params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                if let Some(state) = &request.state {
                    pairs.push(("state", state));
                }
                if let Some(issuer) = &request.issuer {
                    pairs.push((rfc9207::ISS, issuer));
                }
                request.response_mode.respond(&request.redirect_uri, &pairs)
            }
            Err(e) => error_redirect(e),
        }
    }

    /// The parameters of a granted answer: the response type's, then what
    /// the hooks add.
    async fn grant_authorization(
        &self,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<Vec<(String, String)>, OAuth2Error> {
        let handler = self
            .response_types
            .get(&request.response_type)
            .cloned()
            .ok_or_else(|| {
                OAuth2Error::unsupported_response_type(format!(
                    "the response type \"{}\" is not supported",
                    request.response_type
                ))
            })?;
        for hook in &self.authorization_hooks {
            hook.granting(self, request, login).await?;
        }
        let mut params = handler.issue(self, request, login).await?;
        for hook in &self.authorization_hooks {
            hook.granted(self, request, login, &mut params).await?;
        }
        Ok(params)
    }
}
