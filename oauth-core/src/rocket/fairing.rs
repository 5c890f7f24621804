//! The fairing: configuration from Rocket's figment, the server built and
//! managed as state.

use std::sync::{Arc, Mutex};

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::futures::future::BoxFuture;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Build, Orbit, Rocket};

use crate::config::Config;
use crate::oauth2::rfc8414::Endpoints;
use crate::oauth2::server::AuthorizationServer;
use crate::rocket::framing;
use crate::rocket::guard_error::no_store_if_admitted;
use crate::rocket::guards::{BearerGate, BearerValidator, UserGate, UserValidator};
use crate::storage::{OAuth2Storage, UserStorage};

/// Decides who may register a client at the registration endpoint, from
/// the request (a session cookie, an initial access token, ...): `Ok(owner)`
/// to allow (the owner's user id, if any), `Err(status)` to refuse. Made by
/// [`OAuth2Fairing::registration`] or [`OAuth2Fairing::registration_by`].
pub type RegistrationPolicy = Arc<
    dyn for<'a> Fn(&'a Request<'_>) -> BoxFuture<'a, Result<Option<String>, Status>> + Send + Sync,
>;

/// The policy of [`OAuth2Fairing::registration_by`]: the guard `G`'s
/// outcome.
fn guard_policy<'a, G>(
    req: &'a Request<'_>,
    owner: fn(&G) -> Option<String>,
) -> BoxFuture<'a, Result<Option<String>, Status>>
where
    G: for<'r> FromRequest<'r> + Send + 'static,
{
    Box::pin(async move {
        match req.guard::<G>().await {
            Outcome::Success(guard) => Ok(owner(&guard)),
            Outcome::Forward(status) | Outcome::Error((status, _)) => Err(status),
        }
    })
}

/// The authorization server as Rocket state.
pub struct OAuth2<S: OAuth2Storage> {
    /// The engine.
    pub server: Arc<AuthorizationServer<S>>,
    /// Where the endpoints are mounted (for the metadata document).
    pub endpoints: Endpoints,
    pub(crate) registration: Option<RegistrationPolicy>,
}

/// The configuration, as state that does not depend on the storage type.
pub(crate) struct SharedConfig(pub Arc<Config>);

type Builder<S> =
    Box<dyn FnOnce(&Rocket<Build>, Config) -> Result<AuthorizationServer<S>, String> + Send>;

/// Manages the validator of one user model ([`OAuth2Fairing::users`]).
type UserGateMaker<S> =
    Box<dyn Fn(Rocket<Build>, &Arc<AuthorizationServer<S>>) -> Rocket<Build> + Send + Sync>;

/// Builds the server at ignite. See [`OAuth2::fairing`].
pub struct OAuth2Fairing<S: OAuth2Storage> {
    build: Mutex<Option<Builder<S>>>,
    endpoints: Endpoints,
    registration: Option<RegistrationPolicy>,
    user_gates: Vec<UserGateMaker<S>>,
}

impl<S: OAuth2Storage> OAuth2<S> {
    /// A fairing that reads the `oauth2` table of Rocket's configuration
    /// into a [`Config`], hands it to `build` (which makes the storage and
    /// the server, adding grants as it likes), and manages the result.
    /// An invalid configuration or a failing `build` stops launch.
    pub fn fairing<F>(build: F) -> OAuth2Fairing<S>
    where
        F: FnOnce(&Rocket<Build>, Config) -> Result<AuthorizationServer<S>, String>
            + Send
            + 'static,
    {
        OAuth2Fairing {
            build: Mutex::new(Some(Box::new(build))),
            endpoints: Endpoints::under("/oauth"),
            registration: None,
            user_gates: Vec::new(),
        }
    }
}

impl<S: OAuth2Storage> OAuth2Fairing<S> {
    /// Where the routes are mounted, for the metadata document
    /// (default: `Endpoints::under("/oauth")`).
    pub fn endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// Opens the registration endpoint (RFC 7591) to the requests `policy`
    /// allows, deciding from the request alone (a header, a certificate).
    /// Without a policy it answers 403.
    pub fn registration<F>(mut self, policy: F) -> Self
    where
        F: Fn(&Request<'_>) -> Result<Option<String>, Status> + Send + Sync + 'static,
    {
        self.registration = Some(Arc::new(move |req| {
            Box::pin(std::future::ready(policy(req)))
        }));
        self
    }

    /// Opens the registration endpoint to the requests for which the
    /// request guard `G` succeeds (a site's logged-in user, read from its
    /// session store), owned by `owner(&guard)`. A guard that forwards or
    /// fails refuses with its status.
    ///
    /// ```no_run
    /// # use oauth_core::memory::MemoryStorage;
    /// # use oauth_core::rocket::OAuth2;
    /// # use oauth_core::AuthorizationServer;
    /// # use rocket::request::{FromRequest, Outcome, Request};
    /// struct User { id: i64 }
    ///
    /// #[rocket::async_trait]
    /// impl<'r> FromRequest<'r> for User {
    ///     type Error = ();
    ///     async fn from_request(req: &'r Request<'_>) -> Outcome<User, ()> {
    ///         // Look the session up in the site's store ...
    ///         Outcome::Forward(rocket::http::Status::Unauthorized)
    ///     }
    /// }
    ///
    /// let fairing = OAuth2::fairing(|_, config| {
    ///     AuthorizationServer::new(MemoryStorage::new(), config).map_err(|e| e.to_string())
    /// })
    /// .registration_by::<User>(|user| Some(user.id.to_string()));
    /// ```
    pub fn registration_by<G>(mut self, owner: fn(&G) -> Option<String>) -> Self
    where
        G: for<'r> FromRequest<'r> + Send + 'static,
    {
        self.registration = Some(Arc::new(move |req| guard_policy(req, owner)));
        self
    }

    /// Lets handlers take [`RequireOAuthUser<_, U>`](crate::rocket::RequireOAuthUser):
    /// the token's user `U` read by the storage together with the token
    /// ([`UserStorage`]). Call once per user model.
    pub fn users<U>(mut self) -> Self
    where
        U: Send + Sync + 'static,
        S: UserStorage<U>,
    {
        self.user_gates.push(Box::new(|rocket, server| {
            if rocket.state::<UserGate<U>>().is_some() {
                return rocket;
            }
            let gate: Arc<dyn UserValidator<U>> = server.clone();
            rocket.manage(UserGate(gate))
        }));
        self
    }
}

#[rocket::async_trait]
impl<S: OAuth2Storage> Fairing for OAuth2Fairing<S> {
    fn info(&self) -> Info {
        Info {
            name: "OAuth 2.0 authorization server",
            kind: Kind::Ignite | Kind::Liftoff | Kind::Request | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let config: Config = match rocket.figment().find_value("oauth2") {
            Err(_) => Config::default(),
            Ok(_) => match rocket.figment().extract_inner("oauth2") {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(target: "oauth::launch", "invalid [oauth2] configuration: {e}");
                    return Err(rocket);
                }
            },
        };
        let config = match config.with_profile().and_then(|c| c.validate().map(|()| c)) {
            Ok(config) => config,
            Err(e) => {
                tracing::error!(target: "oauth::launch", "invalid OAuth 2.0 configuration: {e}");
                return Err(rocket);
            }
        };
        let Some(build) = self.build.lock().ok().and_then(|mut b| b.take()) else {
            tracing::error!(target: "oauth::launch", "the OAuth 2.0 fairing was attached twice");
            return Err(rocket);
        };
        let server = match build(&rocket, config).and_then(|s| s.check_profile().map(|()| s)) {
            Ok(server) => Arc::new(server),
            Err(e) => {
                tracing::error!(target: "oauth::launch", "the OAuth 2.0 server could not be built: {e}");
                return Err(rocket);
            }
        };
        let gate: Arc<dyn BearerValidator> = server.clone();
        let shared = SharedConfig(Arc::new(server.config().clone()));
        let rocket = self
            .user_gates
            .iter()
            .fold(rocket, |rocket, manage| manage(rocket, &server));
        Ok(rocket
            .mount("/", vec![framing::route()])
            .manage(OAuth2 {
                server,
                endpoints: self.endpoints.clone(),
                registration: self.registration.clone(),
            })
            .manage(BearerGate(gate))
            .manage(shared))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        if let Some(state) = rocket.state::<OAuth2<S>>() {
            log_launch(state);
        }
    }

    /// Malformed framing (RFC 9112 §3.2, §6.3) never reaches a handler.
    async fn on_request(&self, req: &mut Request<'_>, _data: &mut rocket::Data<'_>) {
        framing::check(req);
    }

    /// A protected resource's answer is about the token's owner: not to be
    /// cached (RFC 6750 §5.3). A malformed request's connection is closed.
    async fn on_response<'r>(&self, req: &'r Request<'_>, response: &mut rocket::Response<'r>) {
        no_store_if_admitted(req, response);
        framing::close_if_malformed(req, response);
    }
}

/// The one line that says, at launch, what is on.
fn log_launch<S: OAuth2Storage>(state: &OAuth2<S>) {
    let server = &state.server;
    let config = server.config();
    let e = &state.endpoints;
    let mut endpoints = vec![e.authorization.as_str(), e.token.as_str()];
    endpoints.extend(
        [
            &e.revocation,
            &e.introspection,
            &e.device_authorization,
            &e.jwks,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str),
    );
    let registration = match (&e.registration, &state.registration) {
        (Some(path), Some(_)) => format!("open at {path}"),
        (Some(_), None) => "closed (no registration policy)".to_owned(),
        (None, _) => "not served".to_owned(),
    };
    let response_types: Vec<String> = server
        .response_types()
        .into_iter()
        .map(|t| t.to_string())
        .collect();
    let on_off = |on: bool| if on { "on" } else { "off" };
    tracing::info!(
        target: "oauth::launch",
        backend = server.storage().backend(),
        grants = %server.grant_types().join(" "),
        response_types = %response_types.join(", "),
        endpoints = %endpoints.join(" "),
        registration = %registration,
        profile = %if server.is_fapi2() { "fapi2" } else { "none" },
        dpop_nonces = %on_off(config.dpop.nonce_key.is_some()),
        insecure_transport = %on_off(config.insecure_transport),
        trust_forwarded_proto = %on_off(config.proxy.trust_forwarded_proto),
        trust_ip_header = %on_off(config.proxy.trust_ip_header),
        "OAuth 2.0 authorization server started"
    );
    if config.insecure_transport {
        tracing::warn!(
            target: "oauth::launch",
            "OAuth 2.0 insecure transport is ON: plain-HTTP requests are accepted. \
             Use this for local development only."
        );
    }
    if let Some(ring) = server.key_ring() {
        if !ring.configured.is_empty() {
            tracing::info!(
                target: "oauth::launch",
                keys = ring.configured.len(),
                "signing keys come from the configuration (oauth2.signing_keys.keys); \
                 none are kept in storage or rotated here"
            );
        } else if ring.sealer.is_sealing() {
            tracing::info!(
                target: "oauth::launch",
                algorithm = %config.signing_keys.algorithm,
                "signing keys are in storage, sealed with the configured key"
            );
        } else {
            tracing::warn!(
                target: "oauth::launch",
                "signing keys are stored in clear: anyone who reads the database can sign \
                 tokens. Set oauth2.signing_keys.key_encryption_key (32 bytes, base64)."
            );
        }
    }
    let hmac_method = crate::ClientAuthMethod::named(crate::oauth2::rfc7523::CLIENT_SECRET_JWT);
    if server
        .client_authentication(&hmac_method)
        .and_then(|m| m.client_secret_sealer())
        .is_some_and(|sealer| !sealer.is_sealing())
    {
        tracing::warn!(
            target: "oauth::launch",
            "client_secret_jwt secrets are stored in clear: anyone who reads the database can \
             authenticate as those clients. Set oauth2.signing_keys.key_encryption_key."
        );
    }
}
