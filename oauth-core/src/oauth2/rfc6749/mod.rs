//! RFC 6749, The OAuth 2.0 Authorization Framework: client authentication
//! (§2.3), the authorization endpoint (§3.1, §4.1.1, §4.2.1), the token
//! endpoint (§3.2, §5) and the grants (§4, §6).

pub mod authorization;
pub mod authorization_hooks;
pub mod client_auth;
pub mod grants;
pub mod response_types;
pub mod token;

use crate::config::Config;
use crate::error::{ErrorCode, OAuth2Error};
use crate::http::OAuth2Response;

/// The JSON error response of RFC 6749 §5.2 (also used by RFC 7009 and
/// RFC 7662): `{"error", "error_description", "error_uri"?}` with
/// `Cache-Control: no-store`.
///
/// `invalid_client` is 401 with a `WWW-Authenticate: Basic` challenge when
/// the client tried HTTP Basic (§5.2 "MUST"), otherwise 400.
pub fn error_response(
    config: &Config,
    error: &OAuth2Error,
    authorization_header_used: bool,
) -> OAuth2Response {
    let mut body = serde_json::json!({
        "error": error.code.as_str(),
        "error_description": error.description,
    });
    if let Some(uri) = config.error_uri(error.code.as_str()) {
        body["error_uri"] = uri.into();
    }
    let status = match error.code {
        ErrorCode::InvalidClient if !authorization_header_used => 400,
        _ => error.code.status(),
    };
    let response = OAuth2Response::json(status, &body);
    if error.code == ErrorCode::InvalidClient && authorization_header_used {
        let realm = config.realm.as_deref().unwrap_or("OAuth2");
        response.with_header("WWW-Authenticate", format!("Basic realm=\"{realm}\""))
    } else {
        response
    }
}

/// 405 for an endpoint that only accepts POST (RFC 6749 §3.2).
pub(crate) fn method_not_allowed(config: &Config) -> OAuth2Response {
    let mut r = error_response(
        config,
        &OAuth2Error::invalid_request("this endpoint accepts only POST"),
        false,
    );
    r.status = 405;
    r.with_header("Allow", "POST")
}
