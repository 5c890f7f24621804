//! OpenID Connect Discovery 1.0 §3: what an OpenID provider adds to the
//! authorization server metadata (RFC 8414), served as one document at
//! both `/.well-known/oauth-authorization-server` and
//! `/.well-known/openid-configuration`, so the two never disagree.

use serde_json::Value;

use crate::jose::algorithm_name;
use crate::oauth2::rfc8414::{Endpoints, absolute};
use crate::oauth2::server::AuthorizationServer;
use crate::oidc::OPENID;
use crate::oidc::authorize::PROMPT_VALUES;
use crate::oidc::claims::claims_of_scope;
use crate::oidc::id_token::ID_TOKEN_CLAIMS;
use crate::storage::OAuth2Storage;

/// The scopes of OpenID Connect Core §5.4, which a provider with no
/// configured scope list accepts.
const OIDC_SCOPES: &[&str] = &[OPENID, "profile", "email", "address", "phone"];

/// The settings of OpenID Connect on a server
/// ([`with_openid_connect`](AuthorizationServer::with_openid_connect)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenIdConnect {
    /// The claims listed as `claims_supported`: by default those of the
    /// ID token and every claim of §5.4; a site lists the ones its users
    /// have with [`AuthorizationServer::with_claims_supported`].
    pub claims_supported: Vec<String>,
}

impl Default for OpenIdConnect {
    fn default() -> OpenIdConnect {
        let scope_claims = ["profile", "email", "address", "phone"]
            .into_iter()
            .flat_map(claims_of_scope);
        OpenIdConnect {
            claims_supported: ID_TOKEN_CLAIMS
                .iter()
                .chain(scope_claims)
                .map(|c| (*c).to_owned())
                .collect(),
        }
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Lists these user claims (beside those of the ID token) as
    /// `claims_supported`: the ones the site's users have.
    pub fn with_claims_supported<I, T>(mut self, claims: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        let mut names: Vec<String> = ID_TOKEN_CLAIMS.iter().map(|c| (*c).to_owned()).collect();
        for claim in claims {
            let claim = claim.into();
            if !names.contains(&claim) {
                names.push(claim);
            }
        }
        // Kept apart from the OpenID Connect settings, so that the order
        // of this call and `with_openid_connect` does not matter.
        self.claims_supported = Some(names);
        self
    }

    /// Whether the server serves OpenID Connect.
    pub fn serves_openid_connect(&self) -> bool {
        self.openid_connect.is_some()
    }

    /// The OpenID Provider Metadata (Discovery §3), which is the RFC 8414
    /// document of [`metadata`](Self::metadata) for a server with
    /// OpenID Connect; `None` for one without.
    pub fn openid_configuration(&self, issuer: &str, endpoints: &Endpoints) -> Option<Value> {
        self.serves_openid_connect()
            .then(|| self.metadata(issuer, endpoints))
    }

    /// The members of Discovery §3 that RFC 8414 does not have.
    pub(crate) fn add_openid_metadata(&self, doc: &mut Value, issuer: &str, endpoints: &Endpoints) {
        let Some(oidc) = &self.openid_connect else {
            return;
        };
        let url = |p: &str| absolute(issuer, p);
        if let Some(p) = &endpoints.userinfo {
            doc["userinfo_endpoint"] = url(p).into();
        }
        if let Some(p) = &endpoints.end_session {
            doc["end_session_endpoint"] = url(p).into();
        }
        // §3: scopes_supported, which MUST include openid when listed.
        let mut scopes: Vec<String> = match &self.config.scopes.supported {
            Some(listed) => listed.clone(),
            None => OIDC_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        };
        if !scopes.iter().any(|s| s == OPENID) {
            scopes.insert(0, OPENID.to_owned());
        }
        doc["scopes_supported"] = scopes.into();
        doc["subject_types_supported"] = if self.config.pairwise_salt.is_some() {
            vec!["public", "pairwise"]
        } else {
            vec!["public"]
        }
        .into();
        let algs: Vec<&str> = self
            .key_ring()
            .map(|ring| ring.algorithms().into_iter().map(algorithm_name).collect())
            .unwrap_or_default();
        doc["id_token_signing_alg_values_supported"] = algs.into();
        doc["claims_supported"] = self
            .claims_supported
            .as_ref()
            .unwrap_or(&oidc.claims_supported)
            .clone()
            .into();
        doc["claims_parameter_supported"] = true.into();
        // Request objects by value (RFC 9101); Discovery §3 defaults
        // request_uri_parameter_supported to true, but no URL is fetched
        // (only pushed requests' references are accepted).
        doc["request_parameter_supported"] = true.into();
        doc["request_uri_parameter_supported"] = false.into();
        doc["prompt_values_supported"] = PROMPT_VALUES.to_vec().into();
    }
}
