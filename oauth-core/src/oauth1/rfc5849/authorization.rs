//! Resource owner authorization (RFC 5849 §2.2): the consent step.
//!
//! Two calls, as a consent page needs them:
//! [`validate_authorization_request`](OAuth1Server::validate_authorization_request)
//! finds what the page shows; [`create_authorization_response`](OAuth1Server::create_authorization_response)
//! validates again and records the decision. Errors here never redirect:
//! a credential that cannot be found leaves no trusted callback, so the
//! page shows them.

use crate::http::{Method, OAuth2Request, OAuth2Response, Params, add_params_to_uri};
use crate::oauth1::models::OAuth1TemporaryCredential;
use crate::oauth1::rfc5849::errors::{OAuth1Error, form_encode, form_response};
use crate::oauth1::server::{CredentialKind, OAuth1Server};
use crate::oauth1::storage::OAuth1Storage;
use crate::oauth2::rfc6749::authorization::{Consent, Login};
use crate::secrets;

/// A pending authorization: what the consent page shows.
#[derive(Debug, Clone)]
pub struct OAuth1AuthorizationRequest<C, T> {
    /// The client asking.
    pub client: C,
    /// The temporary credential being authorized.
    pub credential: T,
}

impl<C, T: OAuth1TemporaryCredential> OAuth1AuthorizationRequest<C, T> {
    /// The temporary credential identifier (the consent form posts it back).
    pub fn oauth_token(&self) -> &str {
        self.credential.oauth_token()
    }
    /// The realms the client asked for.
    pub fn realms(&self) -> Vec<String> {
        self.credential.realms()
    }
    /// Whether the verifier will be shown to the resource owner rather than
    /// sent to a callback.
    pub fn is_out_of_band(&self) -> bool {
        self.credential.callback() == "oob"
    }
}

/// The outcome of the consent step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuth1Authorization {
    /// Send the user agent here (302): the callback with `oauth_token` and
    /// `oauth_verifier` when granted, or with `error=access_denied` (and
    /// `oauth_token`) when denied.
    Redirect(String),
    /// Granted with an `oob` callback: show the verifier, which the
    /// resource owner gives the client by hand (§2.2).
    ShowVerifier {
        /// The temporary credential identifier.
        oauth_token: String,
        /// The verifier to show.
        oauth_verifier: String,
    },
    /// Denied with an `oob` callback: tell the resource owner the client
    /// was refused.
    DeniedOutOfBand,
}

impl OAuth1Authorization {
    /// The plain HTTP answer: a 302 for redirects; otherwise a 200 (with
    /// the verifier, form-encoded) or a 403 `access_denied`. An HTML
    /// adapter renders its own page for the out-of-band cases instead.
    pub fn to_response(&self) -> OAuth2Response {
        match self {
            OAuth1Authorization::Redirect(location) => OAuth2Response::redirect(location.clone()),
            OAuth1Authorization::ShowVerifier {
                oauth_token,
                oauth_verifier,
            } => form_response(
                200,
                form_encode(&[
                    ("oauth_token", oauth_token),
                    ("oauth_verifier", oauth_verifier),
                ]),
            ),
            OAuth1Authorization::DeniedOutOfBand => denied().with_status(403).to_response(None),
        }
    }
}

fn denied() -> OAuth1Error {
    OAuth1Error::access_denied("the resource owner denied the request")
}

/// The parameters of the authorization request: the query, or for a POST
/// (the consent form) without `oauth_token` in the query, the form body.
fn authorization_params(request: &OAuth2Request) -> &Params {
    if !request.query.contains("oauth_token") && request.method == Method::Post {
        &request.form
    } else {
        &request.query
    }
}

impl<S: OAuth1Storage> OAuth1Server<S> {
    /// Validates an authorization request (§2.2): `oauth_token` names a
    /// temporary credential that exists, has not expired and is not yet
    /// authorized, of a client that still exists. Requires TLS unless
    /// insecure transport is on.
    pub async fn validate_authorization_request(
        &self,
        request: &OAuth2Request,
    ) -> Result<OAuth1AuthorizationRequest<S::Client, S::TemporaryCredential>, OAuth1Error> {
        self.check_transport(request)?;
        let token = authorization_params(request)
            .single("oauth_token")
            .map_err(|e| OAuth1Error::invalid_request(e.description))?
            .ok_or_else(|| OAuth1Error::missing_required_parameter("oauth_token"))?;
        let credential = self
            .storage
            .find_temporary_credential(token)
            .await?
            .filter(|c| !c.is_expired(self.now()))
            .ok_or_else(|| OAuth1Error::invalid_token("unknown or expired temporary credential"))?;
        if credential.verifier_digest().is_some() {
            return Err(OAuth1Error::invalid_token(
                "this temporary credential was already authorized",
            ));
        }
        let client = self
            .storage
            .find_oauth1_client(credential.client_id())
            .await?
            .ok_or_else(|| OAuth1Error::invalid_client("the client no longer exists"))?;
        Ok(OAuth1AuthorizationRequest { client, credential })
    }

    /// Records the resource owner's decision (§2.2) after validating the
    /// request again.
    ///
    /// Granted: a verifier is made, its digest stored with the user (once:
    /// a second approval of the same credential is `invalid_token`), and the
    /// answer redirects to the callback with `oauth_token` and
    /// `oauth_verifier` (the callback's own query kept), or, for `oob`,
    /// gives the verifier to show. Denied: the temporary credential is
    /// deleted and the callback gets `error=access_denied`.
    pub async fn create_authorization_response(
        &self,
        request: &OAuth2Request,
        consent: Consent,
    ) -> Result<OAuth1Authorization, OAuth1Error> {
        let pending = self.validate_authorization_request(request).await?;
        let token = pending.credential.oauth_token().to_owned();
        let callback = pending.credential.callback().to_owned();
        let out_of_band = callback == "oob";
        match consent.into_login() {
            Some(Login { user_id, .. }) => {
                let verifier = self.generator.generate(CredentialKind::Verifier);
                let authorized = self
                    .storage
                    .authorize_temporary_credential(
                        &token,
                        &user_id,
                        &secrets::digest(&verifier),
                        self.now(),
                    )
                    .await?;
                if !authorized {
                    return Err(OAuth1Error::invalid_token(
                        "this temporary credential was already authorized",
                    ));
                }
                Ok(if out_of_band {
                    OAuth1Authorization::ShowVerifier {
                        oauth_token: token,
                        oauth_verifier: verifier,
                    }
                } else {
                    OAuth1Authorization::Redirect(add_params_to_uri(
                        &callback,
                        &[("oauth_token", &token), ("oauth_verifier", &verifier)],
                        false,
                    ))
                })
            }
            None => {
                // Deny once: a denied credential can never be authorized.
                if self
                    .storage
                    .take_temporary_credential(&token)
                    .await?
                    .is_none()
                {
                    return Err(OAuth1Error::invalid_token(
                        "this temporary credential was already used",
                    ));
                }
                if out_of_band {
                    return Ok(OAuth1Authorization::DeniedOutOfBand);
                }
                let error = denied();
                Ok(OAuth1Authorization::Redirect(add_params_to_uri(
                    &callback,
                    &[
                        ("error", error.code.as_str()),
                        ("error_description", &error.description),
                        ("oauth_token", &token),
                    ],
                    false,
                )))
            }
        }
    }
}
