//! RFC 8707, Resource Indicators for OAuth 2.0: a client names the
//! resources it wants a token for with `resource` (several allowed) at the
//! authorization, PAR and token endpoints; the token is restricted to them
//! (its audience, `aud` in introspection and in JWT access tokens), and a
//! resource refuses a token restricted to others.
//!
//! A grant keeps the resources of its authorization request; each token
//! request may narrow to some of them (§2.2), and the refresh token keeps
//! the grant's whole set, so one refresh token gets a token for each.
//! The resources a server issues for are [`Config::resources`] and the
//! protected resource it serves itself
//! ([`with_protected_resource`](AuthorizationServer::with_protected_resource));
//! any other is `invalid_target`.
//!
//! [`Config::resources`]: crate::Config::resources

use url::Url;

use crate::error::OAuth2Error;
use crate::http::{OAuth2Request, Params};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The request parameter (§2).
pub const RESOURCE: &str = "resource";

/// Where a new token may be used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// The access token's resources (`aud`); empty: not restricted.
    pub access: Vec<String>,
    /// The resources its refresh token may ask for later.
    pub refresh: Vec<String>,
}

impl Audience {
    /// Both tokens for the same resources.
    pub fn of(resources: Vec<String>) -> Audience {
        Audience {
            access: resources.clone(),
            refresh: resources,
        }
    }
}

/// §2: a resource is an absolute URI without a fragment. A query is
/// discouraged, not forbidden, so it is admitted; whitespace is not, as
/// grants keep their resources space-delimited.
///
/// ```
/// use oauth_core::oauth2::rfc8707::check_resource;
/// assert!(check_resource("https://api.example/v1").is_ok());
/// assert!(check_resource("urn:example:api").is_ok());
/// assert!(check_resource("/v1").is_err());
/// assert!(check_resource("https://api.example/#top").is_err());
/// ```
pub fn check_resource(resource: &str) -> Result<(), OAuth2Error> {
    if resource.contains('#') {
        return Err(OAuth2Error::invalid_target(
            "a resource must not include a fragment (RFC 8707 §2)",
        ));
    }
    if resource
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
        || Url::parse(resource).is_err()
    {
        return Err(OAuth2Error::invalid_target(
            "a resource must be an absolute URI (RFC 8707 §2)",
        ));
    }
    Ok(())
}

/// Resources as a model keeps them: space-delimited, `None` for none.
pub fn to_stored(resources: &[String]) -> Option<String> {
    (!resources.is_empty()).then(|| resources.join(" "))
}

/// Resources from their stored form.
pub fn from_stored(stored: Option<&str>) -> Vec<String> {
    stored
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// An audience as a JWT or introspection claim: one resource as a string,
/// several as an array (RFC 7519 §4.1.3).
pub fn aud_claim(resources: &[String]) -> serde_json::Value {
    match resources {
        [one] => one.clone().into(),
        many => many.to_vec().into(),
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Whether this server issues tokens for `resource`, for a request to
    /// it: one of [`Config::resources`](crate::Config::resources), or its
    /// own protected resource.
    pub fn knows_resource(&self, request: &OAuth2Request, resource: &str) -> bool {
        self.config.resources.iter().any(|r| r == resource)
            || self.protected_resource_id(request).as_deref() == Some(resource)
    }

    /// The resources `params` name, each checked (§2), without repeats;
    /// empty when none.
    pub fn requested_resources(
        &self,
        request: &OAuth2Request,
        params: &Params,
    ) -> Result<Vec<String>, OAuth2Error> {
        self.requested_targets(request, params, &[RESOURCE])
    }

    /// The targets `params` name under each of `names` (`resource`, and
    /// for token exchange `audience` too), checked as resources are.
    pub(crate) fn requested_targets(
        &self,
        request: &OAuth2Request,
        params: &Params,
        names: &[&str],
    ) -> Result<Vec<String>, OAuth2Error> {
        let mut resources: Vec<String> = Vec::new();
        for (name, resource) in names
            .iter()
            .flat_map(|name| params.all(name).map(move |v| (*name, v)))
        {
            check_resource(resource)?;
            if !self.knows_resource(request, resource) {
                return Err(OAuth2Error::invalid_target(format!(
                    "the {name} \"{resource}\" is not one this server issues tokens for"
                )));
            }
            if !resources.iter().any(|r| r == resource) {
                resources.push(resource.to_owned());
            }
        }
        if !resources.is_empty() && !self.storage.restricts_audiences() {
            return Err(OAuth2Error::invalid_target(
                "resource is not supported: this server's tokens cannot be restricted to a resource",
            ));
        }
        Ok(resources)
    }

    /// The audience of a token request (§2.2), for a grant for `granted`
    /// (the code's or the refresh token's resources; empty: the grant is
    /// not restricted): the resources the request names, all of them the
    /// grant's, or the grant's when it names none. Its refresh token keeps
    /// the grant's.
    pub fn token_audience(
        &self,
        request: &OAuth2Request,
        granted: &[String],
    ) -> Result<Audience, OAuth2Error> {
        let requested = self.requested_resources(request, &request.form)?;
        if granted.is_empty() {
            return Ok(Audience::of(requested));
        }
        if let Some(other) = requested.iter().find(|r| !granted.contains(r)) {
            return Err(OAuth2Error::invalid_target(format!(
                "the resource \"{other}\" is not one the grant is for"
            )));
        }
        Ok(Audience {
            access: if requested.is_empty() {
                granted.to_vec()
            } else {
                requested
            },
            refresh: granted.to_vec(),
        })
    }

    /// Whether a token for `audience` may be used at this application, for
    /// `request`: a token for no resource in particular may; a restricted
    /// one only when its resources include this application's protected
    /// resource or this server itself (its UserInfo).
    pub fn accepts_audience(&self, request: &OAuth2Request, audience: &[String]) -> bool {
        if audience.is_empty() {
            return true;
        }
        let own = [
            self.protected_resource_id(request),
            self.issuer_for(request),
        ];
        own.iter()
            .flatten()
            .any(|id| audience.iter().any(|a| a == id))
    }
}
