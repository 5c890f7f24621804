//! The FAPI 2.0 Security Profile as one switch: `[oauth2] profile =
//! "fapi2"` turns on its requirements together, and refuses what
//! contradicts them.
//!
//! What the switch implies (§5.3 of the profile), over the defaults:
//!
//! - pushed authorization requests for every client (`par.require`);
//! - PKCE with `S256` for every client, confidential ones too
//!   (`pkce.require_for_confidential_clients`; `plain` refused);
//! - sender-constrained access tokens: a DPoP proof with every token
//!   request (`dpop.require`), by ES256 or EdDSA (§5.4.1 allows PS256,
//!   ES256 and EdDSA; RS256 is not among them);
//! - client authentication by `private_key_jwt`, or none for a public
//!   client (whose tokens are DPoP-bound like every other), at every
//!   endpoint; no secret-based method;
//! - the `code` response type only: no implicit, no hybrid; no password
//!   grant;
//! - authorization codes living at most 60 seconds (§5.3.2.1);
//! - `iss` in authorization responses (RFC 9207), which this server
//!   always sends;
//! - signatures by ES256 or EdDSA (ID tokens, JWT access tokens, and what
//!   clients sign: assertions and request objects).
//!
//! A setting left at its default takes the profile's value; one set to a
//! value the profile forbids (`pkce.allow_plain`, an authorization code
//! lifetime over 60 seconds, an RS256 key or algorithm, `bearer.in_query`)
//! stops the server from starting, as does the password grant registered
//! on the server ([`AuthorizationServer::check_profile`]). Clients are held to it when
//! they register and whenever they are used, so a client stored some other
//! way cannot slip past.

use crate::config::{Config, Profile};
use crate::error::OAuth2Error;
use crate::models::ClientAuthMethod;
use crate::oauth2::rfc6749::response_types::ResponseType;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The longest authorization code lifetime the profile allows (§5.3.2.1).
pub const MAX_CODE_LIFETIME: i64 = 60;

/// The algorithms the profile allows that this crate has (§5.4.1).
pub const ALGORITHMS: [&str; 2] = ["ES256", "EdDSA"];

/// The grant types the profile forbids.
const FORBIDDEN_GRANTS: [&str; 2] = ["password", "implicit"];

/// Applies the profile to `config` (module documentation): defaults give
/// way, contradictions are refused with the key to change.
pub(crate) fn apply(mut config: Config) -> Result<Config, String> {
    if config.profile != Some(Profile::Fapi2) {
        return Ok(config);
    }
    let defaults = Config::default();
    let contradiction = |key: &str, why: &str| {
        Err(format!(
            "oauth2.profile = \"fapi2\" contradicts oauth2.{key}: {why}"
        ))
    };
    if config.pkce.allow_plain {
        return contradiction("pkce.allow_plain", "FAPI 2.0 allows only S256");
    }
    if config.bearer.in_query {
        return contradiction(
            "bearer.in_query",
            "access tokens must not travel in the query",
        );
    }
    let code = &mut config.lifetimes.authorization_code;
    if *code == defaults.lifetimes.authorization_code {
        *code = MAX_CODE_LIFETIME;
    } else if *code > MAX_CODE_LIFETIME {
        return contradiction(
            "lifetimes.authorization_code",
            "FAPI 2.0 allows at most 60 seconds",
        );
    }
    if config.dpop.algorithms == defaults.dpop.algorithms {
        config.dpop.algorithms = ALGORITHMS.iter().map(|a| (*a).to_owned()).collect();
    } else if let Some(alg) = config
        .dpop
        .algorithms
        .iter()
        .find(|a| !ALGORITHMS.contains(&a.as_str()))
    {
        return contradiction("dpop.algorithms", &format!("{alg} is not allowed"));
    }
    let keys = &mut config.signing_keys;
    if keys.algorithm == defaults.signing_keys.algorithm && keys.keys.is_empty() {
        keys.algorithm = "ES256".into();
    }
    let named = std::iter::once(&keys.algorithm)
        .chain(&keys.additional_algorithms)
        .chain(keys.keys.iter().map(|k| &k.alg));
    for alg in named {
        if !ALGORITHMS.contains(&alg.as_str()) {
            return contradiction(
                "signing_keys",
                &format!("{alg} is not allowed (ES256 or EdDSA)"),
            );
        }
    }
    config.par.require = true;
    config.pkce.require_for_confidential_clients = true;
    config.dpop.require = true;
    config.implicit_grant = false;
    Ok(config)
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Whether the FAPI 2.0 profile is on.
    pub fn is_fapi2(&self) -> bool {
        self.config.profile == Some(Profile::Fapi2)
    }

    /// The server as built, against its profile: under FAPI 2.0 no
    /// forbidden grant (password) may be registered. Response types other
    /// than `code` (OpenID Connect registers the hybrid ones) are simply
    /// not served. The Rocket fairing refuses to launch on an error.
    pub fn check_profile(&self) -> Result<(), String> {
        if !self.is_fapi2() {
            return Ok(());
        }
        match FORBIDDEN_GRANTS
            .iter()
            .find(|g| self.grants.contains_key(**g))
        {
            Some(grant) => Err(format!(
                "oauth2.profile = \"fapi2\" forbids the {grant} grant, which this server registers"
            )),
            None => Ok(()),
        }
    }

    /// Whether the profile lets a client use `method`.
    pub(crate) fn profile_allows_method(&self, method: &ClientAuthMethod) -> bool {
        !self.is_fapi2()
            || *method == ClientAuthMethod::None
            || method.as_str() == crate::oauth2::rfc7523::PRIVATE_KEY_JWT
    }

    /// Whether the profile lets a request use `grant_type`.
    pub(crate) fn profile_allows_grant(&self, grant_type: &str) -> bool {
        !self.is_fapi2() || !FORBIDDEN_GRANTS.contains(&grant_type)
    }

    /// Whether the profile lets a request use `response_type`.
    pub(crate) fn profile_allows_response_type(&self, response_type: &ResponseType) -> bool {
        !self.is_fapi2() || *response_type == ResponseType::code()
    }

    /// Whether the profile lets assertions and request objects be signed
    /// with `alg`.
    pub(crate) fn profile_allows_algorithm(&self, alg: &str) -> bool {
        !self.is_fapi2() || ALGORITHMS.contains(&alg)
    }

    /// The registration checks of the profile: the client authenticates
    /// with `private_key_jwt` (or is public), asks for the `code` response
    /// type only and for no forbidden grant.
    pub(crate) fn validate_profile_metadata(
        &self,
        metadata: &crate::models::ClientMetadata,
    ) -> Result<(), OAuth2Error> {
        if !self.is_fapi2() {
            return Ok(());
        }
        let refuse = |why: String| {
            Err(OAuth2Error::invalid_client_metadata(format!(
                "FAPI 2.0: {why}"
            )))
        };
        if !self.profile_allows_method(&metadata.token_endpoint_auth_method) {
            return refuse(format!(
                "clients authenticate with private_key_jwt (or none for a public client), \
                 not {}",
                metadata.token_endpoint_auth_method.as_str()
            ));
        }
        if let Some(t) = metadata.response_types.iter().find(|t| *t != "code") {
            return refuse(format!("only the code response type is allowed, not {t}"));
        }
        if let Some(g) = metadata
            .grant_types
            .iter()
            .find(|g| !self.profile_allows_grant(g))
        {
            return refuse(format!("the {g} grant is not allowed"));
        }
        if let Some(alg) = metadata
            .token_endpoint_auth_signing_alg
            .iter()
            .chain(&metadata.request_object_signing_alg)
            .find(|a| !self.profile_allows_algorithm(a))
        {
            return refuse(format!("{alg} is not allowed (ES256 or EdDSA)"));
        }
        Ok(())
    }
}
