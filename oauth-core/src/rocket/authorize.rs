//! The consent page guard.

use std::sync::Arc;

use rocket::request::{FromRequest, Outcome, Request};

use crate::consent::{GrantStorage, RememberedConsent};
use crate::http::{OAuth2Request, OAuth2Response};
use crate::oauth2::rfc6749::authorization::{AuthorizationError, AuthorizationRequest, Consent};
use crate::oauth2::server::AuthorizationServer;
use crate::rocket::MISSING_STATE;
use crate::rocket::fairing::OAuth2;
use crate::rocket::guard_error::{GuardError, fail};
use crate::rocket::request::engine_request;
use crate::storage::{OAuth2Storage, StorageResult};

/// The authorization request of the current request, validated.
///
/// On `GET /authorize` it gives the consent page what to show (or the error
/// to show instead); on the consent form's `POST` (to the same URL, so the
/// query still holds the request) [`OAuth2Authorize::complete`] validates
/// again and answers with the redirect to the client.
pub struct OAuth2Authorize<S: OAuth2Storage> {
    server: Arc<AuthorizationServer<S>>,
    request: OAuth2Request,
    validated: Result<AuthorizationRequest<S::Client>, AuthorizationError>,
}

impl<S: OAuth2Storage> OAuth2Authorize<S> {
    /// The validated request, or why it is invalid. A
    /// [`AuthorizationError::Fatal`] must be shown to the user (never
    /// redirected); any other error goes back with
    /// [`AuthorizationError::to_response`] or [`OAuth2Authorize::error_response`].
    pub fn request(&self) -> Result<&AuthorizationRequest<S::Client>, &AuthorizationError> {
        self.validated.as_ref()
    }

    /// The response for an invalid request: a redirect to the client, or a
    /// 400 JSON error for fatal errors.
    pub fn error_response(&self) -> Option<OAuth2Response> {
        self.validated
            .as_ref()
            .err()
            .map(|e| e.to_response(self.server.config()))
    }

    /// Answers the resource owner's decision.
    pub async fn complete(&self, consent: Consent) -> OAuth2Response {
        match &self.validated {
            Ok(validated) => self.server.complete_authorization(validated, consent).await,
            Err(e) => e.to_response(self.server.config()),
        }
    }

    /// The engine request this was validated from.
    pub fn engine_request(&self) -> &OAuth2Request {
        &self.request
    }
}

impl<S: GrantStorage> OAuth2Authorize<S> {
    /// Whether `user_id` already granted what this request asks
    /// ([`AuthorizationServer::remembered_consent`]): the consent page may
    /// be skipped when it [`covers`](RememberedConsent::covers) the
    /// request. [`RememberedConsent::No`] for an invalid request.
    pub async fn remembered_consent(&self, user_id: &str) -> StorageResult<RememberedConsent> {
        match &self.validated {
            Ok(request) => self.server.remembered_consent(request, user_id).await,
            Err(_) => Ok(RememberedConsent::No),
        }
    }
}

#[rocket::async_trait]
impl<'r, S: OAuth2Storage> FromRequest<'r> for OAuth2Authorize<S> {
    type Error = GuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, GuardError> {
        let Some(state) = req.rocket().state::<OAuth2<S>>() else {
            return fail(req, GuardError::misconfigured(MISSING_STATE));
        };
        let server = state.server.clone();
        let request = engine_request(req, None, server.config());
        let validated = server.validate_authorization_request(&request).await;
        Outcome::Success(OAuth2Authorize {
            server,
            request,
            validated,
        })
    }
}
