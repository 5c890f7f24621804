//! The OAuth 1.0a (RFC 5849) side of the adapter: a fairing that builds an
//! [`OAuth1Server`] from the `oauth1` table of Rocket's configuration, the
//! credential endpoints to mount, a guard for protected resources and one
//! for the consent page.
//!
//! It shares the OAuth 2.0 side's mechanics: routes are
//! [`Handler`](rocket::route::Handler) values generic over the storage, the
//! resource guard finds a type-erased validator in state (so handlers name
//! no storage type), and a failed guard leaves its response in the request's
//! local cache for the catchers of
//! [`oauth2_catchers`](crate::rocket::oauth2_catchers) to send: one set of
//! catchers answers for both protocols.
//!
//! Two things differ from OAuth 2.0 and shape this module:
//!
//! - **The signature covers the request URI.** The engine rebuilds the
//!   base string URI (§3.4.1.2) from an absolute URI, so requests are
//!   converted with the scheme (TLS, or a trusted `X-Forwarded-Proto`) and
//!   the `Host` header; behind a proxy that rewrites them, set
//!   `public_origin` in the `oauth1` table.
//! - **The signature covers a form-encoded body** (§3.4.1.3.1). The
//!   endpoints read it; a request guard cannot, so [`RequireOAuth1`] is also
//!   a data guard for protected `POST`s with form bodies.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rocket::data::{Data, FromData, Outcome as DataOutcome};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{Method, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::route::{self, Handler, Route};
use rocket::{Build, Orbit, Rocket};

use crate::http::{OAuth2Request, OAuth2Response, Params};
use crate::oauth1::rfc5849::signature::PLAINTEXT;
use crate::oauth1::{
    OAuth1Authorization, OAuth1AuthorizationRequest, OAuth1Config, OAuth1Error, OAuth1Server,
    OAuth1Storage,
};
use crate::oauth2::rfc6749::authorization::Consent;
use crate::rocket::guards;
use crate::rocket::request::{read_form, to_engine_request};

/// The OAuth 1.0a provider as Rocket state.
pub struct OAuth1<S: OAuth1Storage> {
    /// The engine.
    pub server: Arc<OAuth1Server<S>>,
    trust_forwarded_proto: bool,
}

impl<S: OAuth1Storage> OAuth1<S> {
    /// The engine request of a Rocket request (with its form body, if
    /// read), with this provider's view of TLS.
    pub fn engine_request(&self, req: &Request<'_>, form_body: Option<&str>) -> OAuth2Request {
        to_engine_request(req, form_body, self.trust_forwarded_proto)
    }
}

type Builder<S> =
    Box<dyn FnOnce(&Rocket<Build>, OAuth1Config) -> Result<OAuth1Server<S>, String> + Send>;

/// Builds the OAuth 1.0a server at ignite. See [`OAuth1::fairing`].
pub struct OAuth1Fairing<S: OAuth1Storage> {
    build: Mutex<Option<Builder<S>>>,
    trust_forwarded_proto: bool,
}

impl<S: OAuth1Storage> OAuth1<S> {
    /// A fairing that reads the `oauth1` table of Rocket's configuration
    /// into an [`OAuth1Config`], hands it to `build` (which makes the
    /// storage and the server), and manages the result as [`OAuth1`] state.
    /// An invalid configuration or a failing `build` stops launch.
    ///
    /// ```no_run
    /// use oauth_core::memory::MemoryStorage;
    /// use oauth_core::oauth1::OAuth1Server;
    /// use oauth_core::rocket::{OAuth1, RequireOAuth1, oauth1_routes, oauth2_catchers};
    /// use rocket::{get, routes};
    ///
    /// #[get("/api/photos")]
    /// fn photos(access: RequireOAuth1) -> String {
    ///     format!("photos of user {} for client {}", access.user_id, access.client_id)
    /// }
    ///
    /// #[rocket::launch]
    /// fn rocket() -> _ {
    ///     // Rocket.toml: [default.oauth1] signature_methods = ["HMAC-SHA1", "RSA-SHA1"]
    ///     rocket::build()
    ///         .attach(OAuth1::fairing(|_rocket, config| {
    ///             OAuth1Server::new(MemoryStorage::new(), config).map_err(|e| e.to_string())
    ///         }))
    ///         .mount("/oauth1", oauth1_routes::<MemoryStorage>())
    ///         .mount("/", routes![photos])
    ///         .register("/", oauth2_catchers())
    /// }
    /// ```
    pub fn fairing<F>(build: F) -> OAuth1Fairing<S>
    where
        F: FnOnce(&Rocket<Build>, OAuth1Config) -> Result<OAuth1Server<S>, String> + Send + 'static,
    {
        OAuth1Fairing {
            build: Mutex::new(Some(Box::new(build))),
            trust_forwarded_proto: false,
        }
    }
}

impl<S: OAuth1Storage> OAuth1Fairing<S> {
    /// Treat `X-Forwarded-Proto: https` as TLS (off by default). Turn it on
    /// only behind a proxy that terminates TLS and sets the header itself:
    /// otherwise a client could claim TLS it does not have, and credential
    /// requests and `PLAINTEXT` signatures would be accepted in clear.
    pub fn trust_forwarded_proto(mut self, trust: bool) -> Self {
        self.trust_forwarded_proto = trust;
        self
    }
}

#[rocket::async_trait]
impl<S: OAuth1Storage> Fairing for OAuth1Fairing<S> {
    fn info(&self) -> Info {
        Info {
            name: "OAuth 1.0a provider",
            kind: Kind::Ignite | Kind::Liftoff,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let config: OAuth1Config = match rocket.figment().find_value("oauth1") {
            Err(_) => OAuth1Config::default(),
            Ok(_) => match rocket.figment().extract_inner("oauth1") {
                Ok(c) => c,
                Err(e) => {
                    rocket::error!("invalid [oauth1] configuration: {e}");
                    return Err(rocket);
                }
            },
        };
        if let Err(e) = config.validate() {
            rocket::error!("invalid OAuth 1.0a configuration: {e}");
            return Err(rocket);
        }
        let Some(build) = self.build.lock().ok().and_then(|mut b| b.take()) else {
            rocket::error!("the OAuth 1.0a fairing was attached twice");
            return Err(rocket);
        };
        let server = match build(&rocket, config) {
            Ok(server) => Arc::new(server),
            Err(e) => {
                rocket::error!("the OAuth 1.0a server could not be built: {e}");
                return Err(rocket);
            }
        };
        let gate = OAuth1Gate {
            validator: server.clone(),
            trust_forwarded_proto: self.trust_forwarded_proto,
        };
        Ok(rocket
            .manage(OAuth1 {
                server,
                trust_forwarded_proto: self.trust_forwarded_proto,
            })
            .manage(gate))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        if let Some(state) = rocket.state::<OAuth1<S>>() {
            let config = state.server.config();
            if config.insecure_transport {
                let plaintext = if config.signature_methods.iter().any(|m| m == PLAINTEXT) {
                    " PLAINTEXT signatures (the secrets themselves) are accepted in clear too."
                } else {
                    ""
                };
                rocket::warn!(
                    "OAuth 1.0a insecure transport is ON: credential requests over plain HTTP \
                     are accepted.{plaintext} Use this for local development only."
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The credential endpoints.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Initiate,
    Token,
}

struct EndpointHandler<S> {
    endpoint: Endpoint,
    _storage: PhantomData<fn() -> S>,
}

impl<S> Clone for EndpointHandler<S> {
    fn clone(&self) -> Self {
        EndpointHandler {
            endpoint: self.endpoint,
            _storage: PhantomData,
        }
    }
}

fn missing_state() -> OAuth2Response {
    OAuth1Error::server_error("the OAuth 1.0a fairing is not attached").to_response(None)
}

#[rocket::async_trait]
impl<S: OAuth1Storage> Handler for EndpointHandler<S> {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth1<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        let server = &state.server;
        // The body is read for POST only: the engine answers anything else
        // with 405 before looking at parameters.
        let body = if req.method() == Method::Post {
            match read_form(req, data).await {
                Ok(body) => Some(body),
                Err(status) => {
                    let e =
                        OAuth1Error::invalid_request("the request body is too large or not UTF-8")
                            .with_status(status.code);
                    return route::Outcome::from(req, server.error_response(&e));
                }
            }
        } else {
            None
        };
        let request = state.engine_request(req, body.as_deref());
        let response = match self.endpoint {
            Endpoint::Initiate => server.create_temporary_credentials_response(&request).await,
            Endpoint::Token => server.create_token_response(&request).await,
        };
        route::Outcome::from(req, response)
    }
}

/// The OAuth 1.0a credential endpoints, to mount under a base such as
/// `/oauth1`: `POST /initiate` (temporary credentials, RFC 5849 §2.1) and
/// `POST /token` (token credentials, §2.3), each also routed for `GET` so
/// that the engine answers 405 with `Allow: POST` rather than Rocket a
/// 404. The resource owner authorization endpoint (§2.2) is the
/// application's own handler, with the [`OAuth1Authorize`] guard, since it
/// shows the application's login and consent pages.
pub fn oauth1_routes<S: OAuth1Storage>() -> Vec<Route> {
    let mut routes = Vec::new();
    for (path, endpoint) in [
        ("/initiate", Endpoint::Initiate),
        ("/token", Endpoint::Token),
    ] {
        for method in [Method::Post, Method::Get] {
            let handler = EndpointHandler::<S> {
                endpoint,
                _storage: PhantomData,
            };
            routes.push(Route::new(method, path, handler));
        }
    }
    routes
}

// ---------------------------------------------------------------------------
// Protected resources.

/// What a protected handler learns of a verified OAuth 1.0a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth1TokenInfo {
    /// The client that signed the request (`oauth_consumer_key`).
    pub client_id: String,
    /// The resource owner the token credential acts for.
    pub user_id: String,
    /// The realms the token credential covers.
    pub realms: Vec<String>,
}

/// Resource request verification with the storage type erased, so the
/// guard needs no storage type parameter.
#[async_trait]
trait OAuth1Validator: Send + Sync {
    async fn validate(
        &self,
        request: &OAuth2Request,
        realms: &[&str],
    ) -> Result<OAuth1TokenInfo, OAuth2Response>;
}

#[async_trait]
impl<S: OAuth1Storage> OAuth1Validator for OAuth1Server<S> {
    async fn validate(
        &self,
        request: &OAuth2Request,
        realms: &[&str],
    ) -> Result<OAuth1TokenInfo, OAuth2Response> {
        match self.validate_request(request, realms).await {
            Ok(access) => Ok(OAuth1TokenInfo {
                client_id: access.client_id().to_owned(),
                user_id: access.user_id(),
                realms: access.realms(),
            }),
            Err(e) => Err(self.error_response(&e)),
        }
    }
}

struct OAuth1Gate {
    validator: Arc<dyn OAuth1Validator>,
    trust_forwarded_proto: bool,
}

/// The realms a [`RequireOAuth1`] guard requires: the token credential must
/// cover every one of them (403 `access_denied` otherwise).
///
/// ```
/// use oauth_core::rocket::{RealmSpec, RequireOAuth1};
///
/// /// Resources of the "photos" realm.
/// struct Photos;
/// impl RealmSpec for Photos {
///     fn realms() -> &'static [&'static str] {
///         &["photos"]
///     }
/// }
///
/// // #[get("/photos")] fn photos(access: RequireOAuth1<Photos>) -> ...
/// # fn _handler(_: RequireOAuth1<Photos>) {}
/// ```
pub trait RealmSpec: Send + Sync + 'static {
    /// The realms required.
    fn realms() -> &'static [&'static str];
}

/// No realm required: any valid token credential.
pub struct AnyRealm;

impl RealmSpec for AnyRealm {
    fn realms() -> &'static [&'static str] {
        &[]
    }
}

/// A guard that admits only requests signed with a valid token credential
/// (RFC 5849 §3.2: protocol parameters in the `Authorization` header, the
/// form body or the query; signature, timestamp window, unused nonce)
/// covering the realms `R` requires. The rest are answered with the
/// engine's error (400, 401 with `WWW-Authenticate: OAuth`, 403 for a
/// realm not covered) through the catchers of
/// [`oauth2_catchers`](crate::rocket::oauth2_catchers).
///
/// It dereferences to the [`OAuth1TokenInfo`].
///
/// As a request guard it cannot read the body, which a form-encoded
/// request's signature covers (§3.4.1.3.1), so it refuses form-encoded
/// requests with a body (400). On routes that take such requests, use it
/// as the data guard instead: `#[post("/notes", data = "<access>")]`; the
/// body's parameters are then in [`RequireOAuth1::form`].
pub struct RequireOAuth1<R: RealmSpec = AnyRealm> {
    /// The verified request's credential.
    pub token: OAuth1TokenInfo,
    /// The form body's parameters, when used as the data guard of a
    /// form-encoded request (empty otherwise).
    pub form: Params,
    _realm: PhantomData<R>,
}

impl<R: RealmSpec> Deref for RequireOAuth1<R> {
    type Target = OAuth1TokenInfo;
    fn deref(&self) -> &OAuth1TokenInfo {
        &self.token
    }
}

/// Whether the request is form-encoded with a (possibly) non-empty body.
fn has_form_body(req: &Request<'_>) -> bool {
    let form = req.content_type().is_some_and(|ct| ct.is_form());
    let empty = req
        .headers()
        .get_one("Content-Length")
        .is_some_and(|l| l.trim() == "0");
    form && !empty
}

async fn verify<R: RealmSpec>(
    req: &Request<'_>,
    form_body: Option<&str>,
) -> Result<OAuth1TokenInfo, OAuth2Response> {
    let Some(gate) = req.rocket().state::<OAuth1Gate>() else {
        return Err(missing_state());
    };
    let request = to_engine_request(req, form_body, gate.trust_forwarded_proto);
    gate.validator.validate(&request, R::realms()).await
}

#[rocket::async_trait]
impl<'r, R: RealmSpec> FromRequest<'r> for RequireOAuth1<R> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        if has_form_body(req) {
            let e = OAuth1Error::invalid_request(
                "this resource does not read form-encoded bodies, so it cannot verify \
                 a signature over one; send the parameters in the query",
            );
            return guards::fail(req, e.to_response(None));
        }
        match verify::<R>(req, None).await {
            Ok(token) => Outcome::Success(RequireOAuth1 {
                token,
                form: Params::default(),
                _realm: PhantomData,
            }),
            Err(response) => guards::fail(req, response),
        }
    }
}

#[rocket::async_trait]
impl<'r, R: RealmSpec> FromData<'r> for RequireOAuth1<R> {
    type Error = ();

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> DataOutcome<'r, Self> {
        // Only a form-encoded body is signed (§3.4.1.3.1); any other body is
        // the handler's business and stays unread.
        let body = if req.content_type().is_some_and(|ct| ct.is_form()) {
            match read_form(req, data).await {
                Ok(body) => Some(body),
                Err(status) => {
                    let e =
                        OAuth1Error::invalid_request("the request body is too large or not UTF-8")
                            .with_status(status.code);
                    return fail_data(req, e.to_response(None));
                }
            }
        } else {
            None
        };
        match verify::<R>(req, body.as_deref()).await {
            Ok(token) => DataOutcome::Success(RequireOAuth1 {
                token,
                form: body.as_deref().map(Params::parse).unwrap_or_default(),
                _realm: PhantomData,
            }),
            Err(response) => fail_data(req, response),
        }
    }
}

/// [`guards::fail`] for a data guard.
fn fail_data<'r, T>(req: &Request<'_>, response: OAuth2Response) -> DataOutcome<'r, T, ()> {
    let status = Status::new(response.status);
    let _: Outcome<(), ()> = guards::fail(req, response);
    DataOutcome::Error((status, ()))
}

// ---------------------------------------------------------------------------
// The consent page.

/// The pending authorization of the current request (RFC 5849 §2.2),
/// validated: `oauth_token` in the query names a temporary credential that
/// exists, has not expired and is not yet authorized.
///
/// On `GET /authorize?oauth_token=...` it gives the consent page what to
/// show (or the error to show instead: errors here never redirect, since
/// without a valid credential there is no trusted callback); on the consent
/// form's `POST` to the same URL, [`OAuth1Authorize::complete`] validates
/// again and records the decision.
pub struct OAuth1Authorize<S: OAuth1Storage> {
    server: Arc<OAuth1Server<S>>,
    request: OAuth2Request,
    validated: Result<OAuth1AuthorizationRequest<S::Client, S::TemporaryCredential>, OAuth1Error>,
}

impl<S: OAuth1Storage> OAuth1Authorize<S> {
    /// The pending authorization, or why there is none (to show the user).
    pub fn request(
        &self,
    ) -> Result<&OAuth1AuthorizationRequest<S::Client, S::TemporaryCredential>, &OAuth1Error> {
        self.validated.as_ref()
    }

    /// Records the resource owner's decision: the redirect to the
    /// callback, or for an `oob` callback the verifier to show (see
    /// [`OAuth1Authorization`]). Validated again, atomically in storage, so
    /// a credential is authorized at most once even if the form is posted
    /// twice.
    pub async fn complete(&self, consent: Consent) -> Result<OAuth1Authorization, OAuth1Error> {
        match &self.validated {
            Ok(_) => {
                self.server
                    .create_authorization_response(&self.request, consent)
                    .await
            }
            Err(e) => Err(e.clone()),
        }
    }

    /// The engine request this was validated from.
    pub fn engine_request(&self) -> &OAuth2Request {
        &self.request
    }
}

#[rocket::async_trait]
impl<'r, S: OAuth1Storage> FromRequest<'r> for OAuth1Authorize<S> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(state) = req.rocket().state::<OAuth1<S>>() else {
            return guards::fail(req, missing_state());
        };
        let server = state.server.clone();
        let request = state.engine_request(req, None);
        let validated = server.validate_authorization_request(&request).await;
        Outcome::Success(OAuth1Authorize {
            server,
            request,
            validated,
        })
    }
}
