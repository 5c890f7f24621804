//! Errors that carry their RFC error code and a description all the way out.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// An error code registered by an OAuth RFC.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// RFC 6749 §4.1.2.1, §5.2: malformed request.
    InvalidRequest,
    /// RFC 6749 §5.2: client authentication failed.
    InvalidClient,
    /// RFC 6749 §5.2: the grant (code, refresh token, credentials) is invalid.
    InvalidGrant,
    /// RFC 6749 §4.1.2.1, §5.2: the client may not use this grant or response type.
    UnauthorizedClient,
    /// RFC 6749 §5.2: the grant type is not supported.
    UnsupportedGrantType,
    /// RFC 6749 §4.1.2.1: the response type is not supported.
    UnsupportedResponseType,
    /// RFC 6749 §4.1.2.1, §5.2: the scope is invalid, unknown or malformed.
    InvalidScope,
    /// RFC 6749 §4.1.2.1: the resource owner or server denied the request.
    AccessDenied,
    /// RFC 6749 §4.1.2.1: an unexpected condition on the server.
    ServerError,
    /// RFC 6749 §4.1.2.1: the server is temporarily unable to handle the request.
    TemporarilyUnavailable,
    /// RFC 6750 §3.1: the access token is expired, revoked, malformed or invalid.
    InvalidToken,
    /// RFC 6750 §3.1: the token lacks the scope the resource requires.
    InsufficientScope,
    /// RFC 7009 §2.2.1: the server cannot revoke this type of token.
    UnsupportedTokenType,
    /// RFC 7591 §3.2.2: a redirect URI of the registration is invalid.
    InvalidRedirectUri,
    /// RFC 7591 §3.2.2: a metadata field of the registration is invalid.
    InvalidClientMetadata,
    /// RFC 8628 §3.5: the user has not yet answered; keep polling.
    AuthorizationPending,
    /// RFC 8628 §3.5: still pending, and the client polled too fast; its
    /// interval grows by 5 seconds.
    SlowDown,
    /// RFC 8628 §3.5: the device code has expired.
    ExpiredToken,
    /// RFC 8707 §2: a `resource` is invalid, unknown or malformed, or not
    /// one the grant is for.
    InvalidTarget,
    /// An extension error code (for custom grants).
    Other(Cow<'static, str>),
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
            ErrorCode::InvalidClientMetadata => "invalid_client_metadata",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::Other(code) => code,
        }
    }

    /// The HTTP status this error is sent with when it is not redirected.
    pub fn status(&self) -> u16 {
        match self {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => 401,
            ErrorCode::InsufficientScope => 403,
            ErrorCode::ServerError => 500,
            ErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth error: an RFC error code, a human-readable description, and
/// the HTTP authentication challenge its answer carries, if any. The error
/// owns its status ([`OAuth2Error::status`]) and its challenge all the way
/// out, as Authlib's `InvalidClientError` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2Error {
    /// The RFC error code.
    pub code: ErrorCode,
    /// `error_description`: ASCII text for the client developer.
    pub description: String,
    /// The `WWW-Authenticate` challenge of the answer.
    pub challenge: Option<Challenge>,
}

/// The authentication scheme an error answer challenges the client to
/// use (RFC 9110 §11.6.1, `WWW-Authenticate`). The realm comes from the
/// configuration when the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Challenge {
    /// `Basic realm="..."`: the client authenticated (or tried to) with an
    /// `Authorization` header, so `invalid_client` is 401 with this
    /// challenge (RFC 6749 §5.2).
    Basic,
}

macro_rules! constructors {
    ($($name:ident => $code:ident),* $(,)?) => {
        impl OAuth2Error {
            $(
                #[doc = concat!("An `", stringify!($name), "` error with the given description.")]
                pub fn $name(description: impl Into<String>) -> OAuth2Error {
                    OAuth2Error::new(ErrorCode::$code, description)
                }
            )*
        }
    };
}

constructors! {
    invalid_request => InvalidRequest,
    invalid_client => InvalidClient,
    invalid_grant => InvalidGrant,
    unauthorized_client => UnauthorizedClient,
    unsupported_grant_type => UnsupportedGrantType,
    unsupported_response_type => UnsupportedResponseType,
    invalid_scope => InvalidScope,
    access_denied => AccessDenied,
    server_error => ServerError,
    temporarily_unavailable => TemporarilyUnavailable,
    invalid_token => InvalidToken,
    insufficient_scope => InsufficientScope,
    unsupported_token_type => UnsupportedTokenType,
    invalid_redirect_uri => InvalidRedirectUri,
    invalid_client_metadata => InvalidClientMetadata,
    authorization_pending => AuthorizationPending,
    slow_down => SlowDown,
    expired_token => ExpiredToken,
    invalid_target => InvalidTarget,
}

impl OAuth2Error {
    /// An error with the given code and description.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> OAuth2Error {
        OAuth2Error {
            code,
            description: sanitize_description(description.into()),
            challenge: None,
        }
    }

    /// The same error, answered with `challenge`.
    pub fn with_challenge(mut self, challenge: Challenge) -> OAuth2Error {
        self.challenge = Some(challenge);
        self
    }

    /// The HTTP status of the answer when it is not redirected: the code's,
    /// except that `invalid_client` without a challenge is 400 (a 401
    /// without `WWW-Authenticate` is not valid HTTP; Authlib does the same).
    pub fn status(&self) -> u16 {
        match (&self.code, self.challenge) {
            (ErrorCode::InvalidClient, None) => 400,
            (code, _) => code.status(),
        }
    }
}

/// RFC 6749 §5.2: `error_description` MUST NOT include characters outside
/// %x20-21 / %x23-5B / %x5D-7E. Anything else (quotes, backslashes, non-ASCII
/// echoed from a request) is replaced so the response stays valid.
fn sanitize_description(description: String) -> String {
    if description
        .bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
    {
        return description;
    }
    description
        .chars()
        .map(|c| match c as u32 {
            0x22 => '\'',
            0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E => c,
            _ => '?',
        })
        .collect()
}

impl fmt::Display for OAuth2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

impl std::error::Error for OAuth2Error {}

/// A failure of the storage layer (database down, constraint violated, ...).
///
/// The engine answers it with `server_error` (500) or, when the storage says
/// the condition is temporary, `temporarily_unavailable` (503). It never
/// reaches the client as anything more detailed than that; the operator
/// gets the whole chain in the log (`error` level, `warn` when temporary),
/// written where the engine turns it into the client's error.
#[derive(Clone)]
pub struct StorageError {
    /// Whether retrying later may succeed (connection lost, pool exhausted).
    pub temporary: bool,
    /// What went wrong, for the server's logs.
    pub message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StorageError {
    /// A permanent storage failure.
    pub fn new(message: impl Into<String>) -> StorageError {
        StorageError {
            temporary: false,
            message: message.into(),
            source: None,
        }
    }

    /// A storage failure that may go away (database unreachable, pool timeout).
    pub fn unavailable(message: impl Into<String>) -> StorageError {
        StorageError {
            temporary: true,
            message: message.into(),
            source: None,
        }
    }

    /// Keeps the error this one was made from, so that the log shows the
    /// whole chain ([`std::error::Error::source`]).
    ///
    /// ```
    /// use std::error::Error as _;
    /// use oauth_core::StorageError;
    ///
    /// let io = std::io::Error::other("connection reset");
    /// let e = StorageError::unavailable("no database connection").with_source(io);
    /// assert_eq!(e.source().unwrap().to_string(), "connection reset");
    /// assert_eq!(e.chain().to_string(), "no database connection: connection reset");
    /// ```
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The message and every source below it, joined by `": "` (a source
    /// whose text the message already ends with is not repeated).
    pub fn chain(&self) -> impl fmt::Display + '_ {
        ErrorChain(self)
    }

    /// Writes the error to the log, at `warn` when temporary, else `error`.
    pub(crate) fn log(&self, during: &'static str) {
        if self.temporary {
            tracing::warn!(target: "oauth::storage", during, error = %self.chain(), "storage temporarily unavailable");
        } else {
            tracing::error!(target: "oauth::storage", during, error = %self.chain(), "storage error");
        }
    }
}

struct ErrorChain<'a>(&'a StorageError);

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        let mut written = self.0.message.clone();
        let mut next = std::error::Error::source(self.0);
        while let Some(e) = next {
            let text = e.to_string();
            if !written.ends_with(&text) {
                write!(f, ": {text}")?;
                written = text;
            }
            next = e.source();
        }
        Ok(())
    }
}

impl fmt::Debug for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageError")
            .field("temporary", &self.temporary)
            .field("message", &self.message)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

/// Two storage errors are equal when they say the same; their sources are
/// not compared.
impl PartialEq for StorageError {
    fn eq(&self, other: &StorageError) -> bool {
        self.temporary == other.temporary && self.message == other.message
    }
}

impl Eq for StorageError {}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage error: {}", self.message)
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<StorageError> for OAuth2Error {
    fn from(e: StorageError) -> OAuth2Error {
        e.log("an OAuth 2.0 request");
        if e.temporary {
            OAuth2Error::temporarily_unavailable(
                "the server is temporarily unable to handle the request",
            )
        } else {
            OAuth2Error::server_error("the server encountered an internal error")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6749_5_2_error_description_charset_is_enforced() {
        let e = OAuth2Error::invalid_request("bad \"x\" \\ é\n");
        assert!(
            e.description
                .bytes()
                .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
        );
    }

    #[test]
    fn storage_errors_become_server_errors() {
        let e: OAuth2Error = StorageError::new("disk full").into();
        assert_eq!(e.code, ErrorCode::ServerError);
        assert!(!e.description.contains("disk"));
        let e: OAuth2Error = StorageError::unavailable("down").into();
        assert_eq!(e.code.status(), 503);
    }
}
