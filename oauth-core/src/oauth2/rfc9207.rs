//! RFC 9207, OAuth 2.0 Authorization Server Issuer Identification: the
//! `iss` parameter of authorization responses, the defence against mix-up
//! attacks (RFC 9700 §4.4). A client that talks to several authorization
//! servers learns from `iss` which one answered, and can refuse a response
//! that did not come from the server it sent the user to.
//!
//! Every response that goes back to the client's redirect URI carries it
//! (§2): codes and tokens, and errors, in the query or the fragment as the
//! other parameters. Errors shown to the user instead (unknown client, bad
//! redirect URI) go nowhere and carry nothing. The value is the issuer of
//! the RFC 8414 metadata (§2.3): [`Config::issuer`] when configured, else
//! the origin of the request's absolute URI, which is how the Rocket
//! adapter's metadata route names the issuer too.
//!
//! [`Config::issuer`]: crate::Config::issuer

use crate::http::OAuth2Request;
use crate::http::origin;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The name of the parameter (§2).
pub const ISS: &str = "iss";

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The issuer identifier for a request (RFC 8414 §2): [`Config::issuer`]
    /// if set, else `scheme://authority` of the request's URI when it is
    /// absolute; `None` when neither is known, and then authorization
    /// responses carry no `iss`.
    ///
    /// [`Config::issuer`]: crate::Config::issuer
    pub fn issuer_for(&self, request: &OAuth2Request) -> Option<String> {
        match &self.config.issuer {
            Some(issuer) => Some(issuer.clone()),
            None => origin(&request.uri),
        }
    }

    /// The URL of the endpoint a request was sent to, query and fragment
    /// left out: its path under the origin of
    /// [`issuer_for`](Self::issuer_for), so with a configured issuer a
    /// `Host` header cannot choose it. What a client assertion's `aud`
    /// (RFC 7523 §3) and a DPoP proof's `htu` (RFC 9449 §4.3) name.
    pub fn endpoint_url_for(&self, request: &OAuth2Request) -> Option<String> {
        Some(format!(
            "{}{}",
            origin(&self.issuer_for(request)?)?,
            request.path()
        ))
    }
}
