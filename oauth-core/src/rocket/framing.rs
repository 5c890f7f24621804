//! RFC 9112 message framing, checked before any handler runs: a request
//! with no `Host` (or an invalid one) or with two (§3.2: "A server MUST
//! respond with a 400 (Bad Request) status code"), and one with both
//! `Content-Length` and `Transfer-Encoding` (§6.3: it "ought to be handled
//! as an error", and "the server MUST close the connection after
//! responding"), the signs of request smuggling. Such a request is routed
//! to a handler that answers 400, so nothing it asks for happens (the
//! metadata's `issuer` never follows a second `Host`), and its connection
//! is closed after the answer.

use rocket::http::uri::Origin;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::request::Request;
use rocket::response::Response;
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, async_trait};

/// Where refused requests are sent. Not a path anyone links to; a request
/// for it directly gets the same 400.
const REFUSED: &str = "/.oauth-rs/malformed-request";

/// What was wrong with a request's framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// No `Host`, an invalid one, or more than one.
    Host,
    /// Both `Content-Length` and `Transfer-Encoding`.
    LengthAndEncoding,
}

impl Malformed {
    fn description(self) -> &'static str {
        match self {
            Malformed::Host => "a request needs exactly one valid Host header (RFC 9112 §3.2)",
            Malformed::LengthAndEncoding => {
                "a request may not have both Content-Length and Transfer-Encoding (RFC 9112 §6.3)"
            }
        }
    }
}

/// The request's framing problem, if any.
fn malformed(req: &Request<'_>) -> Option<Malformed> {
    let headers = req.headers();
    // HTTP/2 carries the host in `:authority`, which `host()` reads.
    if headers.get("Host").count() > 1 || req.host().is_none() {
        return Some(Malformed::Host);
    }
    if headers.contains("Content-Length") && headers.contains("Transfer-Encoding") {
        return Some(Malformed::LengthAndEncoding);
    }
    None
}

/// Records the request's problem and reroutes it to the refusal.
pub(crate) fn check(req: &mut Request<'_>) {
    let problem = malformed(req);
    let cached = *req.local_cache(|| problem);
    if cached.is_some() {
        req.set_method(Method::Get);
        req.set_uri(Origin::path_only(REFUSED));
    }
}

/// Closes the connection after the answer to a malformed request.
pub(crate) fn close_if_malformed(req: &Request<'_>, response: &mut Response<'_>) {
    if req.local_cache(|| None::<Malformed>).is_some() {
        response.set_header(Header::new("Connection", "close"));
    }
}

#[derive(Clone)]
struct Refusal;

#[async_trait]
impl Handler for Refusal {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        let problem = req
            .local_cache(|| None::<Malformed>)
            .unwrap_or(Malformed::Host);
        let body = problem.description();
        let response = Response::build()
            .status(Status::BadRequest)
            .header(ContentType::Plain)
            .header(Header::new("Connection", "close"))
            .sized_body(body.len(), std::io::Cursor::new(body))
            .finalize();
        Outcome::Success(response)
    }
}

/// The route refused requests are answered by, ranked before any other.
pub(crate) fn route() -> Route {
    Route::ranked(isize::MIN, Method::Get, REFUSED, Refusal)
}
