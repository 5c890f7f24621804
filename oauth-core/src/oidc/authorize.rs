//! The OpenID Connect parameters of an authentication request (OpenID
//! Connect Core 1.0 §3.1.2.1): `prompt`, `max_age`, `login_hint`,
//! `id_token_hint`, `acr_values` and `claims`, read by
//! [`OpenIdConnectHook`] when the request is validated, and the decision
//! they lead to ([`AuthorizationRequest::interaction`]): log in, ask for
//! consent, or answer at once; or, with `prompt=none`, the error that
//! says which of those was needed (§3.1.2.6).

use async_trait::async_trait;

use crate::error::{ErrorCode, OAuth2Error};
use crate::http::Params;
use crate::jose::SigningKeyStorage;
use crate::models::OAuth2Client;
use crate::oauth2::rfc6749::authorization::{AuthorizationRequest, Login};
use crate::oauth2::rfc6749::authorization_hooks::AuthorizationHook;
use crate::oauth2::server::AuthorizationServer;
use crate::oidc::claims::ClaimsRequest;
use crate::oidc::subject::{SubjectKey, subject_of};
use crate::storage::OAuth2Storage;

/// `login_required` (§3.1.2.6): the user must log in, and `prompt=none`
/// forbids showing the page.
pub fn login_required(description: &str) -> OAuth2Error {
    OAuth2Error::new(ErrorCode::Other("login_required".into()), description)
}

/// `consent_required` (§3.1.2.6).
pub fn consent_required(description: &str) -> OAuth2Error {
    OAuth2Error::new(ErrorCode::Other("consent_required".into()), description)
}

/// `interaction_required` (§3.1.2.6).
pub fn interaction_required(description: &str) -> OAuth2Error {
    OAuth2Error::new(ErrorCode::Other("interaction_required".into()), description)
}

/// `account_selection_required` (§3.1.2.6).
pub fn account_selection_required(description: &str) -> OAuth2Error {
    OAuth2Error::new(
        ErrorCode::Other("account_selection_required".into()),
        description,
    )
}

/// The `prompt` values this provider serves (§3.1.2.1).
pub const PROMPT_VALUES: &[&str] = &["none", "login", "consent", "select_account"];

/// What an OpenID Connect request asked of the authorization endpoint,
/// as [`OpenIdConnectHook`] read it; in the request's
/// [`extensions`](AuthorizationRequest::extensions).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OidcRequest {
    /// `prompt`: no page at all.
    pub prompt_none: bool,
    /// `prompt`: log in again, even with a session.
    pub prompt_login: bool,
    /// `prompt`: ask for consent, even if it was given before.
    pub prompt_consent: bool,
    /// `prompt`: let the user choose an account.
    pub prompt_select_account: bool,
    /// `max_age`: seconds since the login beyond which the user logs in
    /// again.
    pub max_age: Option<i64>,
    /// `login_hint`: who the client thinks is logging in (for the login
    /// form).
    pub login_hint: Option<String>,
    /// The `sub` of a valid `id_token_hint`: the user the client thinks
    /// is logged in.
    pub id_token_hint_sub: Option<String>,
    /// `acr_values`, in order of preference.
    pub acr_values: Vec<String>,
    /// The client registered `require_auth_time` (Registration §2).
    pub require_auth_time: bool,
    /// How the client knows its users (§8): `None` for `public`.
    pub subject_key: Option<SubjectKey>,
    /// The request's query without `prompt=login` and `max_age`: where
    /// the login page sends the user back. The login just made satisfies
    /// both, and the request must not ask for another.
    pub query_after_login: String,
}

impl OidcRequest {
    /// Whether `user_id` is the user the `id_token_hint` names (by the
    /// `sub` this client knows them by); true without a hint.
    pub fn hint_names(&self, user_id: &str) -> bool {
        self.id_token_hint_sub
            .as_ref()
            .is_none_or(|sub| *sub == subject_of(self.subject_key.as_ref(), user_id))
    }
}

/// What the site does next with a validated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interaction {
    /// Show the login page (no session, `prompt=login`, `max_age` passed,
    /// or the session is not the user the client named), then come back
    /// to the authorization endpoint with
    /// [`AuthorizationRequest::query_after_login`].
    Login,
    /// Show the consent page.
    Consent,
    /// Nothing to show: the consent is on record and nothing asks for a
    /// page; answer with [`Consent::LoggedIn`](crate::Consent::LoggedIn)
    /// at once.
    Grant,
}

impl<C> AuthorizationRequest<C> {
    /// The OpenID Connect parameters, for an `openid` request validated by
    /// a server with [`OpenIdConnectHook`].
    pub fn oidc(&self) -> Option<&OidcRequest> {
        self.extensions.get::<OidcRequest>()
    }

    /// The query to come back to the authorization endpoint with after a
    /// login: the request's own, without `prompt=login` and `max_age`.
    pub fn query_after_login(&self) -> Option<&str> {
        self.oidc().map(|o| o.query_after_login.as_str())
    }

    /// What to do with this request for the site's `session` (the user
    /// logged in, if any) at `now`, when `consent_remembered` says whether
    /// this user has already granted this client this scope.
    ///
    /// With `prompt=none` no page may be shown (§3.1.2.1), so what would
    /// be one is the error to send instead: `login_required`,
    /// `consent_required`, or `account_selection_required`
    /// ([`AuthorizationRequest::refusal`] makes the redirect).
    pub fn interaction(
        &self,
        session: Option<&Login>,
        now: i64,
        consent_remembered: bool,
    ) -> Result<Interaction, OAuth2Error> {
        let none = OidcRequest::default();
        let oidc = self.oidc().unwrap_or(&none);
        let login_needed = match session {
            None => Some("the user is not logged in"),
            Some(_) if oidc.prompt_login => Some("the client asked for a new login"),
            Some(login) if !login_fresh_enough(login, oidc.max_age, now) => {
                Some("the login is older than max_age")
            }
            Some(login) if !oidc.hint_names(&login.user_id) => {
                Some("the logged-in user is not the one id_token_hint names")
            }
            Some(_) => None,
        };
        if let Some(why) = login_needed {
            return if oidc.prompt_none {
                Err(login_required(why))
            } else {
                Ok(Interaction::Login)
            };
        }
        if oidc.prompt_select_account {
            return Ok(Interaction::Login);
        }
        if oidc.prompt_consent || !consent_remembered {
            return if oidc.prompt_none {
                Err(consent_required(
                    "the user has not consented to this client",
                ))
            } else {
                Ok(Interaction::Consent)
            };
        }
        Ok(Interaction::Grant)
    }
}

/// Whether `login` is recent enough for `max_age` (§3.1.2.1); a login of
/// unknown time is not.
fn login_fresh_enough(login: &Login, max_age: Option<i64>, now: i64) -> bool {
    match (max_age, login.auth_time) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(max_age), Some(auth_time)) => now.saturating_sub(auth_time) <= max_age,
    }
}

/// OpenID Connect at the authorization endpoint: reads and checks the
/// parameters of §3.1.2.1 for `openid` requests, and refuses a grant that
/// cannot give what they ask (`max_age` with a login of unknown time, or
/// a user other than the one `id_token_hint` names: `login_required`).
///
/// Registered by
/// [`with_openid_connect`](AuthorizationServer::with_openid_connect).
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenIdConnectHook;

#[async_trait]
impl<S: OAuth2Storage + SigningKeyStorage> AuthorizationHook<S> for OpenIdConnectHook {
    async fn validated(
        &self,
        server: &AuthorizationServer<S>,
        params: &Params,
        request: &mut AuthorizationRequest<S::Client>,
    ) -> Result<(), OAuth2Error> {
        // §6: request objects by value are the engine's (RFC 9101), and
        // its parameters are what reaches here; a request_uri other than a
        // pushed request's is never fetched.
        if params.single("request_uri")?.is_some() {
            return Err(OAuth2Error::new(
                ErrorCode::Other("request_uri_not_supported".into()),
                "request_uri is not supported",
            ));
        }
        if !request.is_openid() {
            return Ok(());
        }
        let mut oidc = OidcRequest::default();
        if let Some(prompt) = params.single("prompt")? {
            for value in prompt.split(' ').filter(|v| !v.is_empty()) {
                match value {
                    "none" => oidc.prompt_none = true,
                    "login" => oidc.prompt_login = true,
                    "consent" => oidc.prompt_consent = true,
                    "select_account" => oidc.prompt_select_account = true,
                    other => {
                        return Err(OAuth2Error::invalid_request(format!(
                            "prompt value \"{other}\" is not supported"
                        )));
                    }
                }
            }
            let others = oidc.prompt_login || oidc.prompt_consent || oidc.prompt_select_account;
            if oidc.prompt_none && others {
                // §3.1.2.1: none with any other value is an error.
                return Err(OAuth2Error::invalid_request(
                    "prompt=none cannot be combined with other values",
                ));
            }
        }
        if let Some(max_age) = params.single("max_age")? {
            let seconds = max_age
                .parse::<i64>()
                .ok()
                .filter(|s| *s >= 0 && max_age.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    OAuth2Error::invalid_request("max_age must be a non-negative integer")
                })?;
            oidc.max_age = Some(seconds);
        }
        // Registration §2: the client's default_max_age, unless the
        // request says otherwise; require_auth_time is checked at grant.
        let metadata = request.client.metadata();
        if oidc.max_age.is_none() {
            oidc.max_age = metadata.default_max_age;
        }
        oidc.require_auth_time = metadata.require_auth_time;
        oidc.subject_key = server.subject_key(&request.client);
        oidc.login_hint = params.single("login_hint")?.map(str::to_owned);
        if let Some(hint) = params.single("id_token_hint")? {
            oidc.id_token_hint_sub = Some(id_token_hint_subject(server, request, hint).await?);
        }
        if let Some(acr) = params.single("acr_values")? {
            oidc.acr_values = acr
                .split(' ')
                .filter(|v| !v.is_empty())
                .map(Into::into)
                .collect();
        }
        if let Some(claims) = params.single("claims")? {
            request.extensions.insert(ClaimsRequest::parse(claims)?);
        }
        // §3.2.2.1, §3.3.2.11: a response type that returns an ID token
        // from the authorization endpoint needs a nonce.
        if request.response_type.contains("id_token") && request.nonce.is_none() {
            return Err(OAuth2Error::invalid_request(
                "nonce is required for response types that return an id_token",
            ));
        }
        oidc.query_after_login = query_without_prompt_login(params);
        request.extensions.insert(oidc);
        Ok(())
    }

    async fn granting(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<(), OAuth2Error> {
        let Some(oidc) = request.oidc() else {
            return Ok(());
        };
        // §3.1.2.1: with max_age the ID token MUST carry an auth_time. Its
        // freshness was checked when the request arrived
        // ([`AuthorizationRequest::interaction`]), not now: the consent
        // page's time does not count against the login.
        let _ = server;
        if (oidc.max_age.is_some() || oidc.require_auth_time) && login.auth_time.is_none() {
            return Err(login_required(
                "the ID token must carry auth_time, but the site did not give the time of the login",
            ));
        }
        if !oidc.hint_names(&login.user_id) {
            return Err(login_required(
                "the user granting is not the one id_token_hint names",
            ));
        }
        Ok(())
    }
}

/// The `sub` of an `id_token_hint` this server issued to this client
/// (§3.1.2.1: it may have expired; its signature and audience must hold).
async fn id_token_hint_subject<S: OAuth2Storage + SigningKeyStorage>(
    server: &AuthorizationServer<S>,
    request: &AuthorizationRequest<S::Client>,
    hint: &str,
) -> Result<String, OAuth2Error> {
    match server
        .verify_id_token_hint(hint, request.issuer.as_deref())
        .await?
    {
        Some(hint) if hint.is_for(request.client.client_id()) => Ok(hint.sub),
        _ => Err(OAuth2Error::invalid_request(
            "id_token_hint is not an ID token of this server for this client",
        )),
    }
}

/// The parameters, form-encoded, with `login` taken out of `prompt` (and
/// `prompt` left out when nothing remains) and without `max_age`.
fn query_without_prompt_login(params: &Params) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params.iter() {
        if name == "max_age" {
            continue;
        }
        if name == "prompt" {
            let rest: Vec<&str> = value
                .split(' ')
                .filter(|v| *v != "login" && !v.is_empty())
                .collect();
            if !rest.is_empty() {
                out.append_pair(name, &rest.join(" "));
            }
        } else {
            out.append_pair(name, value);
        }
    }
    out.finish()
}
