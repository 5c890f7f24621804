//! RFC 9101, JWT-Secured Authorization Request (JAR): the authorization
//! request as a signed JWT, the `request` parameter, at the authorization
//! endpoint and at the pushed authorization request endpoint (RFC 9126 §3).
//!
//! - The object is verified with the keys the client registered (`jwks`),
//!   by an algorithm this server allows (and the client's
//!   `request_object_signing_alg` when it registered one); unsigned objects
//!   (`alg=none`) are refused, as are the rules of
//!   [`jose::verify`] (RFC 8725).
//! - Its `client_id` claim is the request's `client_id` (§5, §6.3), its
//!   `iss` (if any) the client's, its `aud` this server's issuer identifier
//!   (§10.2, the audience confusion it prevents), and its `exp` and `nbf`
//!   are honoured.
//! - The parameters are the object's only (§6.3): the query's others are
//!   ignored. An object that holds `request` or `request_uri` is refused
//!   (§4).
//! - `request_uri` is accepted only as the reference of a pushed request
//!   ([`rfc9126`](super::rfc9126)): this server never fetches a URL a
//!   request names (§10.4, server-side request forgery).
//! - A client registered with `require_signed_request_object` (§10.5) may
//!   send only signed requests.
//!
//! Every refusal is `invalid_request_object` (§6.2), shown to the user and
//! never redirected: the redirect URI is inside what could not be trusted.

use serde_json::Value;

use crate::error::{ErrorCode, OAuth2Error};
use crate::http::Params;
use crate::jose::{self, Algorithm, TimeClaims, Verification};
use crate::models::OAuth2Client;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// The claims of a request object that are the JWT's, not parameters of
/// the authorization request.
const JWT_CLAIMS: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];

/// An object longer than this is refused before it is decoded.
const MAX_REQUEST_OBJECT_LEN: usize = 32 * 1024;

/// `invalid_request_object` (RFC 9101 §6.2).
pub fn invalid_request_object(description: impl Into<String>) -> OAuth2Error {
    OAuth2Error::new(
        ErrorCode::Other("invalid_request_object".into()),
        description,
    )
}

/// A claim's value as a request parameter: strings as they are, numbers
/// and booleans written out, objects and arrays as JSON (OpenID Connect
/// Core §6.1: `claims` is an object, `max_age` a number).
fn parameter_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The algorithms request objects may be signed with (RFC 8414
    /// `request_object_signing_alg_values_supported`).
    pub fn request_object_algorithms(&self) -> Vec<&'static str> {
        jose::SUPPORTED_ALGORITHMS
            .iter()
            .map(|a| jose::algorithm_name(*a))
            .filter(|a| self.profile_allows_algorithm(a))
            .collect()
    }

    /// The parameters of the signed request object `object` of a request
    /// whose other parameters are `outer`, verified for its client
    /// (module documentation).
    pub(crate) async fn request_object_params(
        &self,
        request: &crate::http::OAuth2Request,
        outer: &Params,
        object: &str,
    ) -> Result<Params, OAuth2Error> {
        if object.len() > MAX_REQUEST_OBJECT_LEN {
            return Err(invalid_request_object("the request object is too long"));
        }
        // §5: client_id is sent beside the object, so that the client (and
        // its keys) is known before the object is read.
        let client_id = outer.required("client_id")?;
        let client = self
            .storage
            .find_client(client_id)
            .await?
            .ok_or_else(|| OAuth2Error::invalid_client("unknown client_id"))?;
        let metadata = client.metadata();
        let Some(keys) = metadata.jwks.as_ref().filter(|k| !k.keys.is_empty()) else {
            return Err(invalid_request_object(
                "the client registered no jwks to verify its request object with",
            ));
        };
        let registered = metadata.request_object_signing_alg.as_deref();
        let algorithms: Vec<Algorithm> = jose::SUPPORTED_ALGORITHMS
            .into_iter()
            .filter(|a| registered.is_none_or(|r| r == jose::algorithm_name(*a)))
            .collect();
        let verified = jose::verify(object, keys, &Verification::new(&algorithms))
            .map_err(|e| invalid_request_object(format!("the request object is refused: {e}")))?;
        let claims = verified
            .claims
            .as_object()
            .ok_or_else(|| invalid_request_object("the request object's claims"))?;
        // §6.3: the client_id of the object is the request's.
        if claims.get("client_id").and_then(Value::as_str) != Some(client_id) {
            return Err(invalid_request_object(
                "the request object's client_id is not the request's",
            ));
        }
        if claims
            .get("iss")
            .is_some_and(|iss| iss.as_str() != Some(client_id))
        {
            return Err(invalid_request_object(
                "the request object's iss is not the client",
            ));
        }
        // §10.2: the object is for this server.
        let issuer = self.issuer_for(request).unwrap_or_default();
        let for_us = match claims.get("aud") {
            Some(Value::String(aud)) => *aud == issuer,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(&issuer)),
            _ => false,
        };
        if issuer.is_empty() || !for_us {
            return Err(invalid_request_object(
                "the request object's aud must be this server's issuer identifier",
            ));
        }
        TimeClaims {
            now: self.now(),
            leeway: 60,
            require_exp: false,
        }
        .check(&verified.claims)
        .map_err(|e| invalid_request_object(format!("the request object is refused: {e}")))?;
        // §4: no object inside an object.
        if claims.contains_key("request") || claims.contains_key("request_uri") {
            return Err(invalid_request_object(
                "a request object must not hold request or request_uri",
            ));
        }
        let mut params = Params::default();
        for (name, value) in claims {
            if JWT_CLAIMS.contains(&name.as_str()) || value.is_null() {
                continue;
            }
            // RFC 8707 §2: several resources, as an array in an object.
            match (name.as_str(), value) {
                (crate::oauth2::rfc8707::RESOURCE, Value::Array(items)) => {
                    for item in items {
                        params.push(name.as_str(), parameter_value(item));
                    }
                }
                _ => params.push(name.as_str(), parameter_value(value)),
            }
        }
        Ok(params)
    }

    /// Registration (OpenID Connect Registration §2, RFC 9101 §10.5):
    /// `request_object_signing_alg` is an algorithm this server verifies
    /// (never `none`), and a client that must sign its requests registers
    /// the keys to verify them with.
    pub(crate) fn validate_request_object_metadata(
        &self,
        metadata: &crate::models::ClientMetadata,
    ) -> Result<(), OAuth2Error> {
        let invalid = |d: String| OAuth2Error::invalid_client_metadata(d);
        if let Some(alg) = &metadata.request_object_signing_alg {
            let allowed = self.request_object_algorithms();
            if !allowed.contains(&alg.as_str()) {
                return Err(invalid(format!(
                    "request_object_signing_alg \"{alg}\" is not one this server verifies ({})",
                    allowed.join(", ")
                )));
            }
        }
        if metadata.dpop_bound_access_tokens && !self.storage.binds_tokens_to_dpop_keys() {
            return Err(invalid(
                "dpop_bound_access_tokens is not supported: this server's tokens cannot be \
                 bound to a key"
                    .into(),
            ));
        }
        if metadata.require_signed_request_object
            && metadata.jwks.as_ref().is_none_or(|k| k.keys.is_empty())
        {
            return Err(invalid(
                "require_signed_request_object needs jwks: the keys request objects are verified with"
                    .into(),
            ));
        }
        Ok(())
    }

    /// §10.5: whether `client` may send only signed request objects.
    pub fn requires_signed_request_object<C: OAuth2Client + ?Sized>(&self, client: &C) -> bool {
        client.metadata().require_signed_request_object
    }
}
