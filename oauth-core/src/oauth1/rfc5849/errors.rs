//! The errors of RFC 5849 §3.2, named as Authlib names them.
//!
//! RFC 5849 fixes the status codes (400 for a malformed request, 401 for
//! client, token, signature and nonce failures) but not the body; like
//! Authlib, the body is form-encoded `error=...&error_description=...`
//! (the same encoding as the protocol's successful answers), with a JSON
//! rendering for APIs that prefer it.

use std::fmt;

use crate::error::StorageError;
use crate::http::OAuth2Response;

/// An OAuth 1.0a error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OAuth1ErrorCode {
    /// A malformed request (§3.2: 400).
    InvalidRequest,
    /// A parameter the server does not support (§3.2: 400).
    UnsupportedParameter,
    /// A signature method the server does not accept (§3.2: 400).
    UnsupportedSignatureMethod,
    /// A required parameter is missing (§3.2: 400).
    MissingRequiredParameter,
    /// A protocol parameter appears more than once (§3.2: 400).
    DuplicatedOAuthProtocolParameter,
    /// Unknown client (§3.2: 401).
    InvalidClient,
    /// Unknown, expired or used token (§3.2: 401).
    InvalidToken,
    /// The signature does not verify (§3.2: 401).
    InvalidSignature,
    /// The nonce was used before (§3.2: 401).
    InvalidNonce,
    /// The resource owner denied the request, or the token does not cover
    /// the realm of the resource.
    AccessDenied,
    /// The endpoint does not accept this HTTP method (405).
    MethodNotAllowed,
    /// The request needs TLS and did not arrive over it (400).
    InsecureTransport,
    /// The server failed (500).
    ServerError,
    /// The server is temporarily unable to answer (503).
    TemporarilyUnavailable,
}

impl OAuth1ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuth1ErrorCode::InvalidRequest => "invalid_request",
            OAuth1ErrorCode::UnsupportedParameter => "unsupported_parameter",
            OAuth1ErrorCode::UnsupportedSignatureMethod => "unsupported_signature_method",
            OAuth1ErrorCode::MissingRequiredParameter => "missing_required_parameter",
            OAuth1ErrorCode::DuplicatedOAuthProtocolParameter => {
                "duplicated_oauth_protocol_parameter"
            }
            OAuth1ErrorCode::InvalidClient => "invalid_client",
            OAuth1ErrorCode::InvalidToken => "invalid_token",
            OAuth1ErrorCode::InvalidSignature => "invalid_signature",
            OAuth1ErrorCode::InvalidNonce => "invalid_nonce",
            OAuth1ErrorCode::AccessDenied => "access_denied",
            OAuth1ErrorCode::MethodNotAllowed => "method_not_allowed",
            OAuth1ErrorCode::InsecureTransport => "insecure_transport",
            OAuth1ErrorCode::ServerError => "server_error",
            OAuth1ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }

    /// The HTTP status RFC 5849 §3.2 (or Authlib, where the RFC is silent)
    /// gives this error.
    pub fn status(self) -> u16 {
        match self {
            OAuth1ErrorCode::InvalidClient
            | OAuth1ErrorCode::InvalidToken
            | OAuth1ErrorCode::InvalidSignature
            | OAuth1ErrorCode::InvalidNonce => 401,
            OAuth1ErrorCode::MethodNotAllowed => 405,
            OAuth1ErrorCode::ServerError => 500,
            OAuth1ErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for OAuth1ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth 1.0a error: a code, a description for the client developer,
/// and the HTTP status it is sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth1Error {
    /// The error code.
    pub code: OAuth1ErrorCode,
    /// `error_description`: printable ASCII only (anything echoed from a
    /// request is made safe).
    pub description: String,
    /// The HTTP status (the code's own unless overridden).
    pub status: u16,
}

macro_rules! constructors {
    ($($name:ident => $code:ident),* $(,)?) => {
        impl OAuth1Error {
            $(
                #[doc = concat!("An `", stringify!($name), "` error with the given description.")]
                pub fn $name(description: impl Into<String>) -> OAuth1Error {
                    OAuth1Error::new(OAuth1ErrorCode::$code, description)
                }
            )*
        }
    };
}

constructors! {
    invalid_request => InvalidRequest,
    unsupported_parameter => UnsupportedParameter,
    unsupported_signature_method => UnsupportedSignatureMethod,
    duplicated_oauth_protocol_parameter => DuplicatedOAuthProtocolParameter,
    invalid_client => InvalidClient,
    invalid_token => InvalidToken,
    invalid_signature => InvalidSignature,
    invalid_nonce => InvalidNonce,
    access_denied => AccessDenied,
    method_not_allowed => MethodNotAllowed,
    insecure_transport => InsecureTransport,
    server_error => ServerError,
    temporarily_unavailable => TemporarilyUnavailable,
}

impl OAuth1Error {
    /// An error with the given code, its status, and a description.
    pub fn new(code: OAuth1ErrorCode, description: impl Into<String>) -> OAuth1Error {
        OAuth1Error {
            code,
            description: sanitize(description.into()),
            status: code.status(),
        }
    }

    /// `missing_required_parameter` naming the parameter, worded as Authlib
    /// words it.
    pub fn missing_required_parameter(name: &str) -> OAuth1Error {
        OAuth1Error::new(
            OAuth1ErrorCode::MissingRequiredParameter,
            format!("missing \"{name}\" in parameters"),
        )
    }

    /// The same error sent with another HTTP status.
    pub fn with_status(mut self, status: u16) -> OAuth1Error {
        self.status = status;
        self
    }

    /// The error response: form-encoded `error` and `error_description`,
    /// `Cache-Control: no-store`; a 401 carries an `OAuth` challenge (with
    /// `realm` when given) and a 405 says `Allow: POST`.
    pub fn to_response(&self, realm: Option<&str>) -> OAuth2Response {
        let body = form_encode(&[
            ("error", self.code.as_str()),
            ("error_description", &self.description),
        ]);
        self.decorate(form_response(self.status, body), realm)
    }

    /// Like [`OAuth1Error::to_response`], with a JSON body
    /// `{"error", "error_description"}`.
    pub fn to_json_response(&self, realm: Option<&str>) -> OAuth2Response {
        let body = serde_json::json!({
            "error": self.code.as_str(),
            "error_description": self.description,
        });
        self.decorate(OAuth2Response::json(self.status, &body), realm)
    }

    fn decorate(&self, response: OAuth2Response, realm: Option<&str>) -> OAuth2Response {
        match self.status {
            401 => response.with_header("WWW-Authenticate", challenge(realm)),
            405 => response.with_header("Allow", "POST"),
            _ => response,
        }
    }
}

/// The `WWW-Authenticate` value of the `OAuth` scheme (RFC 5849 §3.5.1).
pub fn challenge(realm: Option<&str>) -> String {
    match realm {
        Some(realm) => {
            let escaped: String = realm
                .chars()
                .filter(|c| !c.is_control())
                .flat_map(|c| match c {
                    '"' | '\\' => vec!['\\', c],
                    _ => vec![c],
                })
                .collect();
            format!("OAuth realm=\"{escaped}\"")
        }
        None => "OAuth".to_owned(),
    }
}

impl fmt::Display for OAuth1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

impl std::error::Error for OAuth1Error {}

impl From<StorageError> for OAuth1Error {
    fn from(e: StorageError) -> OAuth1Error {
        e.log("an OAuth 1.0a request");
        if e.temporary {
            OAuth1Error::temporarily_unavailable(
                "the server is temporarily unable to handle the request",
            )
        } else {
            OAuth1Error::server_error("the server encountered an internal error")
        }
    }
}

/// Descriptions may echo request data; keep them printable ASCII so any
/// rendering (form, JSON, a page) stays well-formed.
fn sanitize(description: String) -> String {
    if description.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return description;
    }
    description
        .chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

/// `application/x-www-form-urlencoded` serialization of pairs.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A form-encoded response that must not be cached (it carries
/// credentials, or an error about them).
pub(crate) fn form_response(status: u16, body: String) -> OAuth2Response {
    OAuth2Response {
        status,
        headers: vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Cache-Control".into(), "no-store".into()),
            ("Pragma".into(), "no-cache".into()),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5849_3_2_statuses() {
        assert_eq!(OAuth1Error::invalid_signature("x").status, 401);
        assert_eq!(OAuth1Error::invalid_nonce("x").status, 401);
        assert_eq!(OAuth1Error::invalid_client("x").status, 401);
        assert_eq!(OAuth1Error::invalid_token("x").status, 401);
        assert_eq!(OAuth1Error::missing_required_parameter("a").status, 400);
        assert_eq!(OAuth1Error::unsupported_signature_method("x").status, 400);
        assert_eq!(
            OAuth1Error::duplicated_oauth_protocol_parameter("x").status,
            400
        );
        assert_eq!(OAuth1Error::method_not_allowed("x").status, 405);
    }

    #[test]
    fn error_body_is_form_encoded_with_challenge() {
        let r = OAuth1Error::invalid_signature("bad é").to_response(Some("Photos \"x\""));
        assert_eq!(r.status, 401);
        assert_eq!(r.body, "error=invalid_signature&error_description=bad+%3F");
        assert_eq!(
            r.header("WWW-Authenticate"),
            Some("OAuth realm=\"Photos \\\"x\\\"\"")
        );
        assert_eq!(r.header("Cache-Control"), Some("no-store"));
        let j = OAuth1Error::method_not_allowed("POST only").to_json_response(None);
        assert_eq!(j.json_body()["error"], "method_not_allowed");
        assert_eq!(j.header("Allow"), Some("POST"));
    }
}
