//! RFC 9728, OAuth 2.0 Protected Resource Metadata: a resource says which
//! authorization servers issue its tokens, which scopes it knows and how it
//! takes tokens, at `/.well-known/oauth-protected-resource` (§3), and its
//! `WWW-Authenticate` challenges point there (`resource_metadata`, §5.1),
//! so a client that meets a 401 can find where to get a token.
//!
//! This module serves the metadata of a resource that lives beside the
//! authorization server (the site's own API, protected by `RequireOAuth`):
//! its `authorization_servers` is this server's issuer, and the
//! authorization server's metadata lists it in `protected_resources` (§4),
//! so the two documents agree.

use crate::http::{OAuth2Request, origin};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The well-known URI suffix (§3).
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// A protected resource served by the same application as the
/// authorization server ([`AuthorizationServer::with_protected_resource`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProtectedResource {
    /// The resource identifier's path under the issuer's origin: empty for
    /// the origin itself (the identifier is then, for example,
    /// `https://login.example`), or `/api`.
    pub path: String,
    /// `scopes_supported`: the scopes its handlers require (none: omitted).
    pub scopes_supported: Option<Vec<String>>,
    /// `resource_name`, for people.
    pub resource_name: Option<String>,
}

/// The metadata URL of a resource identifier (§3.1): the well-known suffix
/// inserted between the host and the path, a trailing `/` of the path
/// dropped first. `None` for an identifier that is not an `http(s)` URL
/// without query or fragment (§2: it has neither).
///
/// ```
/// use oauth_core::oauth2::rfc9728::metadata_url;
/// assert_eq!(
///     metadata_url("https://api.example").as_deref(),
///     Some("https://api.example/.well-known/oauth-protected-resource")
/// );
/// assert_eq!(
///     metadata_url("https://api.example/v1/").as_deref(),
///     Some("https://api.example/.well-known/oauth-protected-resource/v1")
/// );
/// assert_eq!(metadata_url("https://api.example/?q=1"), None);
/// ```
pub fn metadata_url(resource: &str) -> Option<String> {
    if resource.contains(['?', '#']) {
        return None;
    }
    let base = origin(resource)?;
    let path = resource[base.len()..].trim_end_matches('/');
    Some(format!("{base}{WELL_KNOWN}{path}"))
}

/// A challenge with the `resource_metadata` parameter added (§5.1).
///
/// ```
/// use oauth_core::oauth2::rfc9728::with_resource_metadata;
/// let url = "https://api.example/.well-known/oauth-protected-resource";
/// assert_eq!(
///     with_resource_metadata("Bearer", url),
///     format!("Bearer resource_metadata=\"{url}\"")
/// );
/// assert_eq!(
///     with_resource_metadata("Bearer error=\"invalid_token\"", url),
///     format!("Bearer error=\"invalid_token\", resource_metadata=\"{url}\"")
/// );
/// ```
pub fn with_resource_metadata(challenge: &str, url: &str) -> String {
    if challenge.contains(' ') {
        format!("{challenge}, resource_metadata=\"{url}\"")
    } else {
        format!("{challenge} resource_metadata=\"{url}\"")
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Serves the metadata of `resource`, an API of this application that
    /// takes this server's tokens, and points its challenges there.
    pub fn with_protected_resource(mut self, resource: ProtectedResource) -> Self {
        self.protected_resource = Some(resource);
        self
    }

    /// The identifier of the protected resource, for a request to this
    /// application: the issuer's origin and the resource's path.
    pub fn protected_resource_id(&self, request: &OAuth2Request) -> Option<String> {
        self.protected_resource_id_under(&self.issuer_for(request)?)
    }

    /// The identifier of the protected resource under `issuer`: its origin
    /// and the resource's path.
    pub(crate) fn protected_resource_id_under(&self, issuer: &str) -> Option<String> {
        let resource = self.protected_resource.as_ref()?;
        let base = origin(issuer)?;
        Some(format!("{base}{}", resource.path.trim_end_matches('/')))
    }

    /// Where the resource's metadata is (§3.1), for its challenges.
    pub fn resource_metadata_url(&self, request: &OAuth2Request) -> Option<String> {
        metadata_url(&self.protected_resource_id(request)?)
    }

    /// The metadata document (§2), for a request to its well-known URL:
    /// `None` when no resource is configured or the request's URL is not
    /// the one its identifier makes (§3.3: the `resource` of the document
    /// must be the identifier the URL was made from).
    pub fn protected_resource_metadata(
        &self,
        request: &OAuth2Request,
    ) -> Option<serde_json::Value> {
        let resource = self.protected_resource.as_ref()?;
        let id = self.protected_resource_id(request)?;
        let wanted = metadata_url(&id)?;
        let asked = self.endpoint_url_for(request)?;
        if asked.trim_end_matches('/') != wanted {
            return None;
        }
        let issuer = self.issuer_for(request)?;
        let mut methods = vec!["header"];
        if self.config.bearer.in_body {
            methods.push("body");
        }
        if self.config.bearer.in_query {
            methods.push("query");
        }
        let mut doc = serde_json::json!({
            "resource": id,
            "authorization_servers": [issuer],
            "bearer_methods_supported": methods,
            "dpop_signing_alg_values_supported": self
                .dpop_algorithms()
                .into_iter()
                .map(crate::jose::algorithm_name)
                .collect::<Vec<_>>(),
            "dpop_bound_access_tokens_required": self.config.dpop.require,
        });
        if let Some(scopes) = &resource.scopes_supported {
            doc["scopes_supported"] = scopes.clone().into();
        }
        if let Some(name) = &resource.resource_name {
            doc["resource_name"] = name.clone().into();
        }
        Some(doc)
    }
}
