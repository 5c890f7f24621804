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

mod authorize;
mod resource;
mod routes;

use std::sync::{Arc, Mutex};

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::request::Request;
use rocket::{Build, Orbit, Rocket};

use crate::http::OAuth2Request;
use crate::oauth1::rfc5849::signature::PLAINTEXT;
use crate::oauth1::{OAuth1Config, OAuth1Server, OAuth1Storage};
use crate::rocket::request::to_engine_request;

pub use authorize::*;
pub(crate) use resource::OAuth1Gate;
pub use resource::*;
pub use routes::*;

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
            kind: Kind::Ignite | Kind::Liftoff | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let config: OAuth1Config = match rocket.figment().find_value("oauth1") {
            Err(_) => OAuth1Config::default(),
            Ok(_) => match rocket.figment().extract_inner("oauth1") {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(target: "oauth::launch", "invalid [oauth1] configuration: {e}");
                    return Err(rocket);
                }
            },
        };
        if let Err(e) = config.validate() {
            tracing::error!(target: "oauth::launch", "invalid OAuth 1.0a configuration: {e}");
            return Err(rocket);
        }
        let Some(build) = self.build.lock().ok().and_then(|mut b| b.take()) else {
            tracing::error!(target: "oauth::launch", "the OAuth 1.0a fairing was attached twice");
            return Err(rocket);
        };
        let server = match build(&rocket, config) {
            Ok(server) => Arc::new(server),
            Err(e) => {
                tracing::error!(target: "oauth::launch", "the OAuth 1.0a server could not be built: {e}");
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

    /// A protected resource's answer is about the credential's owner: not
    /// to be cached.
    async fn on_response<'r>(&self, req: &'r Request<'_>, response: &mut rocket::Response<'r>) {
        crate::rocket::guard_error::no_store_if_admitted(req, response);
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        if let Some(state) = rocket.state::<OAuth1<S>>() {
            let config = state.server.config();
            let on_off = |on: bool| if on { "on" } else { "off" };
            tracing::info!(
                target: "oauth::launch",
                signature_methods = %state.server.signature_methods().join(" "),
                insecure_transport = %on_off(config.insecure_transport),
                trust_forwarded_proto = %on_off(state.trust_forwarded_proto),
                "OAuth 1.0a provider started"
            );
            if config.insecure_transport {
                let plaintext = if config.signature_methods.iter().any(|m| m == PLAINTEXT) {
                    " PLAINTEXT signatures (the secrets themselves) are accepted in clear too."
                } else {
                    ""
                };
                tracing::warn!(
                    target: "oauth::launch",
                    "OAuth 1.0a insecure transport is ON: credential requests over plain HTTP \
                     are accepted.{plaintext} Use this for local development only."
                );
            }
        }
    }
}
