//! Rocket requests as engine requests.

use rocket::data::{Data, FromData, Outcome as DataOutcome, ToByteUnit};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use crate::config::Config;
use crate::http::{Method, OAuth2Request, Params};
use crate::rocket::MISSING_STATE;
use crate::rocket::address::client_address;
use crate::rocket::fairing::SharedConfig;
use crate::rocket::guard_error::{GuardError, fail, refuse};

/// Copies a Rocket request (and its form body, if read) into an engine
/// request. TLS is Rocket's own TLS, or `X-Forwarded-Proto: https` when
/// [`Proxy::trust_forwarded_proto`](crate::config::Proxy::trust_forwarded_proto) is on.
///
/// The URI is made absolute from the `Host` header, so that the engine can
/// build absolute URLs (the device flow's `verification_uri`) when no
/// [`Config::issuer`] is configured. The client's address is the
/// connection's, or Rocket's `ip_header` when [`Proxy::trust_ip_header`](crate::config::Proxy::trust_ip_header)
/// is on ([`client_address`]).
pub fn engine_request(
    req: &Request<'_>,
    form_body: Option<&str>,
    config: &Config,
) -> OAuth2Request {
    to_engine_request(req, form_body, config.proxy.trust_forwarded_proto)
        .with_remote_addr(client_address(req, config.proxy.trust_ip_header))
}

/// Whether `req` arrived over TLS as the engine sees it: Rocket's own
/// TLS, or `X-Forwarded-Proto: https` when the OAuth 2.0 fairing's
/// configuration trusts it. For what a site decides by it, such as
/// `__Host-` cookies with `Secure`.
pub fn is_secure(req: &Request<'_>) -> bool {
    let trust = req
        .rocket()
        .state::<SharedConfig>()
        .is_some_and(|c| c.0.proxy.trust_forwarded_proto);
    arrived_over_tls(req, trust)
}

/// Rocket's own TLS, or a trusted `X-Forwarded-Proto: https`.
fn arrived_over_tls(req: &Request<'_>, trust_forwarded_proto: bool) -> bool {
    req.rocket().config().tls_enabled()
        || (trust_forwarded_proto
            && req
                .headers()
                .get_one("X-Forwarded-Proto")
                .is_some_and(|p| p.eq_ignore_ascii_case("https")))
}

/// [`engine_request`] without an OAuth 2.0 [`Config`]: the OAuth 1.0a side
/// has its own configuration, and only this flag of it matters here.
pub(crate) fn to_engine_request(
    req: &Request<'_>,
    form_body: Option<&str>,
    trust_forwarded_proto: bool,
) -> OAuth2Request {
    let secure = arrived_over_tls(req, trust_forwarded_proto);
    let uri = match req.host() {
        Some(host) => format!(
            "{}://{}{}",
            if secure { "https" } else { "http" },
            host,
            req.uri()
        ),
        None => req.uri().to_string(),
    };
    let mut r = OAuth2Request::new(Method::parse(req.method().as_str()), uri);
    r.headers = req
        .headers()
        .iter()
        .map(|h| (h.name().as_str().to_owned(), h.value().to_owned()))
        .collect();
    if let Some(body) = form_body
        && r.is_form_encoded()
    {
        r.form = Params::parse(body);
    }
    r.secure = secure;
    r
}

/// The engine request of a Rocket request, as a guard (without the body)
/// or a data guard (with a form body, up to the `form` limit), read with
/// the OAuth 2.0 fairing's configuration (which proxy headers to trust).
/// Without that fairing a handler that takes it stops launch (it is a
/// sentinel): there is no configuration to read it with.
#[derive(Debug, Clone)]
pub struct EngineRequest(pub OAuth2Request);

/// The OAuth 2.0 fairing's configuration.
fn config_of<'r>(req: &'r Request<'_>) -> Result<&'r Config, GuardError> {
    req.rocket()
        .state::<SharedConfig>()
        .map(|c| &*c.0)
        .ok_or_else(|| GuardError::misconfigured(MISSING_STATE))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for EngineRequest {
    type Error = GuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, GuardError> {
        match config_of(req) {
            Ok(config) => Outcome::Success(EngineRequest(engine_request(req, None, config))),
            Err(e) => fail(req, e),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromData<'r> for EngineRequest {
    type Error = GuardError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> DataOutcome<'r, Self> {
        let config = match config_of(req) {
            Ok(config) => config,
            Err(e) => return DataOutcome::Error(refuse(req, e)),
        };
        match read_form(req, data).await {
            Ok(body) => {
                DataOutcome::Success(EngineRequest(engine_request(req, Some(&body), config)))
            }
            Err(status) => DataOutcome::Error(refuse(req, GuardError::unreadable_body(status))),
        }
    }
}

/// Reads a form body up to Rocket's `form` limit (32 KiB by default):
/// 413 when larger, 400 when not UTF-8.
pub(crate) async fn read_form(req: &Request<'_>, data: Data<'_>) -> Result<String, Status> {
    let limit = req.limits().get("form").unwrap_or_else(|| 32.kibibytes());
    let capped = data
        .open(limit)
        .into_string()
        .await
        .map_err(|_| Status::BadRequest)?;
    if !capped.is_complete() {
        return Err(Status::PayloadTooLarge);
    }
    Ok(capped.into_inner())
}
