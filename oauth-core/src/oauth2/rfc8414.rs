//! RFC 8414, OAuth 2.0 Authorization Server Metadata.

use crate::oauth2::rfc6749::response_types::ResponseMode;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// Where the endpoints are, relative to the issuer or absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The authorization endpoint.
    pub authorization: String,
    /// The token endpoint.
    pub token: String,
    /// The revocation endpoint (RFC 7009), if served.
    pub revocation: Option<String>,
    /// The introspection endpoint (RFC 7662), if served.
    pub introspection: Option<String>,
    /// The registration endpoint (RFC 7591), if served.
    pub registration: Option<String>,
    /// The device authorization endpoint (RFC 8628), if served.
    pub device_authorization: Option<String>,
    /// The JWK Set (`jwks_uri`), if served (the server needs
    /// `with_signing_keys`).
    pub jwks: Option<String>,
    /// The UserInfo endpoint (OpenID Connect Core §5.3), if served.
    pub userinfo: Option<String>,
    /// The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0),
    /// if served.
    pub end_session: Option<String>,
    /// The pushed authorization request endpoint (RFC 9126), if served.
    pub pushed_authorization_request: Option<String>,
}

impl Endpoints {
    /// The paths the Rocket adapter mounts under `base` (e.g. `/oauth`).
    pub fn under(base: &str) -> Endpoints {
        let base = base.trim_end_matches('/');
        Endpoints {
            authorization: format!("{base}/authorize"),
            token: format!("{base}/token"),
            revocation: Some(format!("{base}/revoke")),
            introspection: Some(format!("{base}/introspect")),
            registration: Some(format!("{base}/register")),
            device_authorization: None,
            jwks: None,
            userinfo: None,
            end_session: None,
            pushed_authorization_request: Some(format!("{base}/par")),
        }
    }
}

pub(crate) fn absolute(issuer: &str, path: &str) -> String {
    if path.contains("://") {
        path.to_owned()
    } else {
        format!(
            "{}/{}",
            issuer.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The metadata document (§2) for `issuer`, listing what this server
    /// actually serves: its grant types, response types, authentication
    /// methods, PKCE methods and (if configured) scopes. It announces the
    /// `iss` authorization response parameter (RFC 9207), so `issuer` must
    /// be [`AuthorizationServer::issuer_for`] the requests this server
    /// answers.
    pub fn metadata(&self, issuer: &str, endpoints: &Endpoints) -> serde_json::Value {
        let url = |p: &str| absolute(issuer, p);
        let mut grant_types: Vec<String> =
            self.grant_types().into_iter().map(str::to_owned).collect();
        // A response type is served when the token endpoint serves the
        // grants it stands for (`implicit` has none there).
        let mut response_types = Vec::new();
        for response_type in self.response_types() {
            let Some(handler) = self.response_type_handler(response_type) else {
                continue;
            };
            let needs = handler.grant_types();
            if !needs
                .iter()
                .all(|g| *g == "implicit" || self.grants.contains_key(*g))
            {
                continue;
            }
            for g in needs {
                if !grant_types.iter().any(|have| have == g) {
                    grant_types.push(g.to_owned());
                }
            }
            response_types.push(response_type.as_str());
        }
        // Every response type may ask for any mode (Multiple Response
        // Types §2.1, Form Post Response Mode), but the query for those
        // that return tokens.
        let response_modes: Vec<&str> = if response_types.is_empty() {
            Vec::new()
        } else {
            ResponseMode::ALL.iter().map(|m| m.as_str()).collect()
        };
        grant_types.sort();
        let mut pkce = vec!["S256"];
        if self.config.pkce.allow_plain {
            pkce.push("plain");
        }
        let auth_methods: Vec<String> = self
            .client_authentication_methods()
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect();
        let mut doc = serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": url(&endpoints.authorization),
            "token_endpoint": url(&endpoints.token),
            "response_types_supported": response_types,
            "response_modes_supported": response_modes,
            "grant_types_supported": grant_types,
            "token_endpoint_auth_methods_supported": auth_methods,
            "code_challenge_methods_supported": pkce,
        });
        if !response_types.is_empty() {
            // RFC 9207 §3: every authorization response carries `iss`,
            // which is this `issuer` when it is `Config::issuer` or the
            // origin the requests arrive at (see `rfc9207`).
            doc["authorization_response_iss_parameter_supported"] = true.into();
        }
        if let Some(scopes) = &self.config.scopes.supported {
            doc["scopes_supported"] = scopes.clone().into();
        }
        // RFC 8414 §2: the algorithms of the methods that sign, when one
        // is served ("none" is never among them).
        let mut signing_algs: Vec<&str> = self
            .client_authentications
            .iter()
            .filter(|m| self.profile_allows_method(&m.method()))
            .flat_map(|m| m.signing_algorithms())
            .filter(|a| self.profile_allows_algorithm(a))
            .collect();
        signing_algs.dedup();
        if !signing_algs.is_empty() {
            doc["token_endpoint_auth_signing_alg_values_supported"] = signing_algs.clone().into();
        }
        if let Some(p) = &endpoints.revocation {
            doc["revocation_endpoint"] = url(p).into();
            doc["revocation_endpoint_auth_methods_supported"] = auth_methods.to_vec().into();
            if !signing_algs.is_empty() {
                doc["revocation_endpoint_auth_signing_alg_values_supported"] =
                    signing_algs.clone().into();
            }
        }
        if let Some(p) = &endpoints.introspection {
            doc["introspection_endpoint"] = url(p).into();
            // Introspection is for confidential clients: every method but
            // `none`.
            let confidential: Vec<&str> = auth_methods
                .iter()
                .map(String::as_str)
                .filter(|m| *m != "none")
                .collect();
            doc["introspection_endpoint_auth_methods_supported"] = confidential.into();
            if !signing_algs.is_empty() {
                doc["introspection_endpoint_auth_signing_alg_values_supported"] =
                    signing_algs.clone().into();
            }
        }
        if let Some(p) = &endpoints.registration {
            doc["registration_endpoint"] = url(p).into();
        }
        // RFC 9728 §4: the resource beside this server, and those it
        // issues tokens for (RFC 8707).
        let resources: Vec<String> = self
            .protected_resource_id_under(issuer)
            .into_iter()
            .chain(self.config.resources.iter().cloned())
            .collect();
        if !resources.is_empty() {
            doc["protected_resources"] = resources.into();
        }
        if let Some(p) = &endpoints.device_authorization {
            doc["device_authorization_endpoint"] = url(p).into();
        }
        // RFC 9449 §5.1.
        doc["dpop_signing_alg_values_supported"] = self
            .dpop_algorithms()
            .into_iter()
            .map(crate::jose::algorithm_name)
            .collect::<Vec<_>>()
            .into();
        if !response_types.is_empty() {
            // RFC 9101 §10.5 (and RFC 8414 §2).
            doc["request_object_signing_alg_values_supported"] =
                self.request_object_algorithms().into();
            doc["require_signed_request_object"] = false.into();
        }
        if let Some(p) = &endpoints.pushed_authorization_request {
            // RFC 9126 §5.
            doc["pushed_authorization_request_endpoint"] = url(p).into();
            doc["require_pushed_authorization_requests"] = self.config.par.require.into();
        }
        if let (Some(p), Some(_)) = (&endpoints.jwks, &self.key_ring) {
            doc["jwks_uri"] = url(p).into();
        }
        if let Some(uri) = self.config.error_uris.get("documentation") {
            doc["service_documentation"] = uri.clone().into();
        }
        if self.openid_connect.is_some() {
            self.add_openid_metadata(&mut doc, issuer, endpoints);
        }
        doc
    }
}
