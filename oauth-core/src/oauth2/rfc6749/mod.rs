//! RFC 6749, The OAuth 2.0 Authorization Framework: client authentication
//! (§2.3), the authorization endpoint (§3.1, §4.1.1, §4.2.1), the token
//! endpoint (§3.2, §5) and the grants (§4, §6).

pub mod authorization;
pub mod authorization_hooks;
pub mod client_auth;
pub mod grants;
pub mod response_types;
pub mod token;
pub mod token_hooks;

use crate::config::Config;
use crate::error::{Challenge, OAuth2Error};
use crate::http::OAuth2Response;

/// The JSON error response of RFC 6749 §5.2 (also used by RFC 7009 and
/// RFC 7662): `{"error", "error_description", "error_uri"?}` with
/// `Cache-Control: no-store`.
///
/// The status and the `WWW-Authenticate` challenge are the error's own
/// ([`OAuth2Error::status`], [`OAuth2Error::challenge`]): `invalid_client`
/// after an `Authorization` header is 401 with `Basic` (§5.2 "MUST"),
/// otherwise 400.
pub fn error_response(config: &Config, error: &OAuth2Error) -> OAuth2Response {
    let mut body = serde_json::json!({
        "error": error.code.as_str(),
        "error_description": error.description,
    });
    if let Some(uri) = config.error_uri(error.code.as_str()) {
        body["error_uri"] = uri.into();
    }
    let response = OAuth2Response::json(error.status(), &body);
    match error.challenge {
        Some(Challenge::Basic) => {
            let realm = config.realm.as_deref().unwrap_or("OAuth2");
            response.with_header("WWW-Authenticate", format!("Basic realm=\"{realm}\""))
        }
        None => response,
    }
}

/// 405 for an endpoint that only accepts POST (RFC 6749 §3.2).
pub(crate) fn method_not_allowed(config: &Config) -> OAuth2Response {
    let mut r = error_response(
        config,
        &OAuth2Error::invalid_request("this endpoint accepts only POST"),
    );
    r.status = 405;
    r.with_header("Allow", "POST")
}
