//! The typed error of the OAuth guards, and how a refusal reaches the
//! catchers.

use std::sync::Mutex;

use rocket::http::Status;
use rocket::request::{Outcome, Request};
use rocket::response::{self, Responder};

use crate::config::Config;
use crate::http::OAuth2Response;
use crate::oauth1::OAuth1Error;
use crate::oauth2::rfc6750::BearerError;
use crate::rocket::response::plain_error;

/// Why an OAuth guard refused a request, with the answer its spec wants:
/// the status, the `WWW-Authenticate` challenge and the body (RFC 6750 §3
/// for bearer tokens, RFC 5849 §3.2 for OAuth 1.0a).
///
/// A handler that takes `Result<RequireOAuth<S>, GuardError>` sees the
/// refusal instead of the catchers, and may send it as it is (it is a
/// [`Responder`]) or answer its own way:
///
/// ```no_run
/// use oauth_core::rocket::{GuardError, RequireOAuth};
/// use rocket::get;
///
/// #[get("/greeting")]
/// fn greeting(token: Result<RequireOAuth, GuardError>) -> Result<String, GuardError> {
///     match token {
///         Ok(token) => Ok(format!("hello, {:?}", token.user_id)),
///         // Anonymous callers get a greeting too; a bad token does not.
///         Err(e) if e.credentials_missing() => Ok("hello, stranger".into()),
///         Err(e) => Err(e),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardError {
    code: Option<String>,
    response: OAuth2Response,
}

impl GuardError {
    /// The refusal of a bearer token (RFC 6750 §3).
    pub(crate) fn bearer(error: &BearerError, config: &Config) -> GuardError {
        GuardError {
            code: error.error.as_ref().map(|e| e.code.as_str().to_owned()),
            response: error.to_response(config),
        }
    }

    /// This refusal with `resource_metadata` (RFC 9728 §5.1) in its
    /// challenge, when the resource has a metadata URL.
    pub(crate) fn with_resource_metadata(mut self, url: Option<String>) -> GuardError {
        let Some(url) = url else {
            return self;
        };
        for (name, value) in &mut self.response.headers {
            if name.eq_ignore_ascii_case("WWW-Authenticate") {
                *value = crate::oauth2::rfc9728::with_resource_metadata(value, &url);
            }
        }
        self
    }

    /// The refusal of an OAuth 1.0a request (RFC 5849 §3.2).
    pub(crate) fn oauth1(error: &OAuth1Error, response: OAuth2Response) -> GuardError {
        GuardError {
            code: Some(error.code.as_str().to_owned()),
            response,
        }
    }

    /// A refusal of a token the guard admitted, for a reason the handler
    /// knows (a client credentials token where a user is needed): 403 with
    /// the `insufficient_scope` challenge of RFC 6750 §3.1, as every 403 of
    /// a protected resource must carry one.
    ///
    /// ```
    /// use oauth_core::rocket::GuardError;
    /// let e = GuardError::insufficient_scope("this token does not act for a user");
    /// assert_eq!(e.status().code, 403);
    /// assert!(e.response().header("WWW-Authenticate").unwrap().contains("insufficient_scope"));
    /// ```
    pub fn insufficient_scope(description: &str) -> GuardError {
        let error = BearerError {
            error: Some(crate::OAuth2Error::insufficient_scope(description)),
            scope: None,
            dpop_algs: None,
            dpop_nonce: None,
        };
        GuardError::bearer(&error, &Config::default())
    }

    /// A guard whose fairing state is missing (a launch sentinel stops
    /// this from happening in a configured app).
    pub(crate) fn misconfigured(message: &str) -> GuardError {
        GuardError {
            code: Some("server_error".to_owned()),
            response: plain_error(500, "server_error", message),
        }
    }

    /// A form body too large (413) or not UTF-8 (400).
    pub(crate) fn unreadable_body(status: Status) -> GuardError {
        GuardError {
            code: Some("invalid_request".to_owned()),
            response: plain_error(
                status.code,
                "invalid_request",
                "the request body is too large or not UTF-8",
            ),
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> Status {
        Status::new(self.response.status)
    }

    /// The spec's error code (`invalid_token`, `insufficient_scope`,
    /// `invalid_request`, `server_error`, `invalid_signature`, ...); `None`
    /// when the request presented no credentials at all (RFC 6750 §3.1:
    /// the answer then names no error).
    pub fn error_code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Whether the request carried no token or OAuth credentials at all,
    /// as an anonymous caller's does.
    pub fn credentials_missing(&self) -> bool {
        self.code.is_none()
    }

    /// The answer the guard prepared.
    pub fn response(&self) -> &OAuth2Response {
        &self.response
    }

    /// The answer the guard prepared, owned.
    pub fn into_response(self) -> OAuth2Response {
        self.response
    }
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "refused by an OAuth guard: {code}"),
            None => f.write_str("refused by an OAuth guard: no credentials"),
        }
    }
}

impl std::error::Error for GuardError {}

impl<'r> Responder<'r, 'static> for GuardError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        self.response.respond_to(req)
    }
}

/// The refusal of an OAuth guard on this request, for the catchers of
/// [`oauth2_catchers`](crate::rocket::oauth2_catchers): only what a guard
/// put here is answered the OAuth way.
#[derive(Default)]
pub(crate) struct GuardFailure(pub Mutex<Option<GuardError>>);

/// Marks a request an OAuth guard admitted: its response is about the
/// token's owner, so the fairings make it `Cache-Control: no-store`
/// (RFC 6750 §5.3, RFC 9700 §4.13) unless the handler set a policy.
pub(crate) struct Admitted;

/// Records that an OAuth guard admitted this request.
pub(crate) fn admitted(req: &Request<'_>) {
    req.local_cache(|| Some(Admitted));
}

/// What the fairings do to the response of an admitted request: `no-store`
/// unless the handler chose a `Cache-Control` of its own.
pub(crate) fn no_store_if_admitted(req: &Request<'_>, response: &mut rocket::Response<'_>) {
    let admitted = req.local_cache(|| None::<Admitted>).is_some();
    if admitted && !response.headers().contains("Cache-Control") {
        response.set_raw_header("Cache-Control", "no-store");
    }
}

/// Leaves `error` for the catchers, and gives it back with its status, as
/// a failing request or data guard returns it.
pub(crate) fn refuse(req: &Request<'_>, error: GuardError) -> (Status, GuardError) {
    let slot = req.local_cache(GuardFailure::default);
    if let Ok(mut s) = slot.0.lock() {
        s.get_or_insert_with(|| error.clone());
    }
    (error.status(), error)
}

/// Fails a request guard with `error`, leaving it for the catchers.
pub(crate) fn fail<T>(req: &Request<'_>, error: GuardError) -> Outcome<T, GuardError> {
    Outcome::Error(refuse(req, error))
}

/// The refusal an OAuth guard left on this request for a catcher of
/// `status`, if any: a catcher of the application's own can answer OAuth
/// refusals this way and everything else as it likes.
///
/// ```
/// use oauth_core::rocket::guard_refusal;
/// use rocket::http::Status;
/// use rocket::response::{Redirect, Responder};
/// use rocket::{Request, catch};
///
/// #[catch(401)]
/// fn unauthorized<'r>(req: &'r Request<'_>) -> Result<oauth_core::OAuth2Response, Redirect> {
///     // A bearer refusal keeps its RFC 6750 answer; the site's own 401s
///     // (a page that needs a login) go to the login form.
///     guard_refusal(req, Status::Unauthorized)
///         .map(|e| e.into_response())
///         .ok_or_else(|| Redirect::to("/login"))
/// }
/// ```
pub fn guard_refusal(req: &Request<'_>, status: Status) -> Option<GuardError> {
    let slot = req.local_cache(GuardFailure::default);
    let cached = slot.0.lock().ok()?;
    cached.as_ref().filter(|e| e.status() == status).cloned()
}
