//! OpenID Connect RP-Initiated Logout 1.0: the end-session endpoint's
//! request (§2), checked here, and where the user goes after the site
//! has ended the session (§3: only to a `post_logout_redirect_uri` the
//! client registered, by exact match, with the request's `state`).

use crate::error::OAuth2Error;
use crate::http::{Method, OAuth2Request, add_params_to_uri};
use crate::jose::SigningKeyStorage;
use crate::models::OAuth2Client;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// A valid end-session request: whose session the client asks to end,
/// and where to send the user once it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSession {
    /// The client that asked (from `client_id`, or the `id_token_hint`'s
    /// audience), if known.
    pub client_id: Option<String>,
    /// The user the `id_token_hint` names, if one was sent: the site may
    /// check it is the session's.
    pub subject: Option<String>,
    /// `logout_hint`, as sent.
    pub logout_hint: Option<String>,
    /// Where to redirect after the logout: the registered
    /// `post_logout_redirect_uri` with `state` added; `None` to show the
    /// site's own signed-out page.
    pub redirect_to: Option<String>,
}

impl<S: OAuth2Storage + SigningKeyStorage> AuthorizationServer<S> {
    /// Checks an end-session request (GET query or POST form, §2). Refused
    /// with `invalid_request`, and never redirected: an `id_token_hint`
    /// this server did not sign (expired ones are fine), a `client_id`
    /// the hint was not issued to, a `post_logout_redirect_uri` without a
    /// known client or not registered by it (§3: exact match).
    pub async fn validate_end_session_request(
        &self,
        request: &OAuth2Request,
    ) -> Result<EndSession, OAuth2Error> {
        let params = if request.method == Method::Post && !request.form.is_empty() {
            &request.form
        } else {
            &request.query
        };
        let subject_and_audience = match params.single("id_token_hint")? {
            None => None,
            Some(hint) => {
                let issuer = self.issuer_for(request);
                let hint = self
                    .verify_id_token_hint(hint, issuer.as_deref())
                    .await?
                    .ok_or_else(|| {
                        OAuth2Error::invalid_request(
                            "id_token_hint is not an ID token of this server",
                        )
                    })?;
                Some(hint)
            }
        };
        let client_id = match (params.single("client_id")?, &subject_and_audience) {
            (Some(id), Some(hint)) if !hint.is_for(id) => {
                return Err(OAuth2Error::invalid_request(
                    "id_token_hint was not issued to this client_id",
                ));
            }
            (Some(id), _) => Some(id.to_owned()),
            (None, Some(hint)) => hint.aud.first().cloned(),
            (None, None) => None,
        };
        let redirect_to = match params.single("post_logout_redirect_uri")? {
            None => None,
            Some(uri) => {
                let Some(client_id) = &client_id else {
                    return Err(OAuth2Error::invalid_request(
                        "post_logout_redirect_uri needs id_token_hint or client_id to name the client",
                    ));
                };
                let client = self
                    .storage
                    .find_client(client_id)
                    .await?
                    .ok_or_else(|| OAuth2Error::invalid_request("the client is not known"))?;
                if !client
                    .metadata()
                    .post_logout_redirect_uris
                    .iter()
                    .any(|registered| registered == uri)
                {
                    return Err(OAuth2Error::invalid_request(
                        "post_logout_redirect_uri is not registered for this client",
                    ));
                }
                let mut pairs = Vec::new();
                if let Some(state) = params.single("state")? {
                    pairs.push(("state", state));
                }
                Some(add_params_to_uri(uri, &pairs, false))
            }
        };
        Ok(EndSession {
            client_id,
            subject: subject_and_audience.map(|h| h.sub),
            logout_hint: params.single("logout_hint")?.map(str::to_owned),
            redirect_to,
        })
    }
}
