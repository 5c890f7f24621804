//! The consent page (RFC 5849 §2.2).

use std::sync::Arc;

use rocket::request::{FromRequest, Outcome, Request};

use super::OAuth1;
use super::routes::MISSING_STATE;
use crate::http::OAuth2Request;
use crate::oauth1::{
    OAuth1Authorization, OAuth1AuthorizationRequest, OAuth1Error, OAuth1Server, OAuth1Storage,
};
use crate::oauth2::rfc6749::authorization::Consent;
use crate::rocket::guard_error::{GuardError, fail};

/// The pending authorization of the current request (RFC 5849 §2.2),
/// validated: `oauth_token` in the query names a temporary credential that
/// exists, has not expired and is not yet authorized.
///
/// On `GET /authorize?oauth_token=...` it gives the consent page what to
/// show (or the error to show instead: errors here never redirect, since
/// without a valid credential there is no trusted callback); on the consent
/// form's `POST` to the same URL, [`OAuth1Authorize::complete`] validates
/// again and records the decision.
pub struct OAuth1Authorize<S: OAuth1Storage> {
    server: Arc<OAuth1Server<S>>,
    request: OAuth2Request,
    validated: Result<OAuth1AuthorizationRequest<S::Client, S::TemporaryCredential>, OAuth1Error>,
}

impl<S: OAuth1Storage> OAuth1Authorize<S> {
    /// The pending authorization, or why there is none (to show the user).
    pub fn request(
        &self,
    ) -> Result<&OAuth1AuthorizationRequest<S::Client, S::TemporaryCredential>, &OAuth1Error> {
        self.validated.as_ref()
    }

    /// Records the resource owner's decision: the redirect to the
    /// callback, or for an `oob` callback the verifier to show (see
    /// [`OAuth1Authorization`]). Validated again, atomically in storage, so
    /// a credential is authorized at most once even if the form is posted
    /// twice.
    pub async fn complete(&self, consent: Consent) -> Result<OAuth1Authorization, OAuth1Error> {
        match &self.validated {
            Ok(_) => {
                self.server
                    .create_authorization_response(&self.request, consent)
                    .await
            }
            Err(e) => Err(e.clone()),
        }
    }

    /// The engine request this was validated from.
    pub fn engine_request(&self) -> &OAuth2Request {
        &self.request
    }
}

#[rocket::async_trait]
impl<'r, S: OAuth1Storage> FromRequest<'r> for OAuth1Authorize<S> {
    type Error = GuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, GuardError> {
        let Some(state) = req.rocket().state::<OAuth1<S>>() else {
            return fail(req, GuardError::misconfigured(MISSING_STATE));
        };
        let server = state.server.clone();
        let request = state.engine_request(req, None);
        let validated = server.validate_authorization_request(&request).await;
        Outcome::Success(OAuth1Authorize {
            server,
            request,
            validated,
        })
    }
}
