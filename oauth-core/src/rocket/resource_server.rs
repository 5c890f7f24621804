//! The resource-server mode (feature `resource-server`): a fairing for a
//! Rocket app apart from the authorization server, so that its
//! [`RequireOAuth`](crate::rocket::RequireOAuth) guards check tokens
//! against the authorization server ([`RemoteValidator`]), and its
//! metadata (RFC 9728) is served.
//!
//! ```no_run
//! use oauth_core::rocket::{RequireOAuth, ResourceServer, oauth2_catchers};
//! use oauth_core::scope;
//! use rocket::{get, routes};
//!
//! scope!(Profile = "profile");
//!
//! #[get("/api/hello")]
//! fn hello(token: RequireOAuth<Profile>) -> String {
//!     format!("hello {:?}", token.user_id)
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     // [default.resource_server] issuer = "https://login.example",
//!     // resource = "https://api.example", client_id, client_secret
//!     rocket::build()
//!         .attach(ResourceServer::fairing())
//!         .mount("/", routes![hello])
//!         .register("/", oauth2_catchers())
//! }
//! ```
//!
//! The HTTP client is `reqwest` with timeouts and without redirects; for
//! an `https` issuer build with the feature `resource-server-tls`
//! (rustls).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::Method;
use rocket::route::{self, Handler, Route};
use rocket::{Build, Data, Request, Rocket};

use crate::config::Config;
use crate::http::OAuth2Request;
use crate::resource_server::{RemoteConfig, RemoteValidator, Reply, Transport, Unreachable};
use crate::rocket::fairing::SharedConfig;
use crate::rocket::guard_error::{GuardError, no_store_if_admitted};
use crate::rocket::guards::{BearerGate, BearerValidator, TokenInfo};
use crate::scope::ScopeRequirement;

/// The resource-server fairing's entry point.
pub struct ResourceServer;

impl ResourceServer {
    /// A fairing configured from the `resource_server` table of Rocket's
    /// figment ([`RemoteConfig`]); a bad value stops launch.
    pub fn fairing() -> ResourceServerFairing {
        ResourceServerFairing { config: None }
    }

    /// A fairing with this configuration.
    pub fn with_config(config: RemoteConfig) -> ResourceServerFairing {
        ResourceServerFairing {
            config: Some(config),
        }
    }
}

/// See [`ResourceServer`].
pub struct ResourceServerFairing {
    config: Option<RemoteConfig>,
}

/// The `reqwest` transport: timeouts on connecting and on the whole call,
/// no redirects followed.
pub struct ReqwestTransport(reqwest::Client);

impl ReqwestTransport {
    /// A client whose calls take at most `timeout`.
    pub fn new(timeout: Duration) -> Result<ReqwestTransport, String> {
        reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(ReqwestTransport)
            .map_err(|e| format!("the HTTP client could not be built: {e}"))
    }
}

async fn reply(result: reqwest::Result<reqwest::Response>) -> Result<Reply, Unreachable> {
    let response = result.map_err(|e| Unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|e| Unreachable(e.to_string()))?;
    Ok(Reply { status, body })
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn get(&self, url: &str) -> Result<Reply, Unreachable> {
        reply(self.0.get(url).send().await).await
    }

    async fn post_form(
        &self,
        url: &str,
        authorization: &str,
        form: &[(&str, &str)],
    ) -> Result<Reply, Unreachable> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter())
            .finish();
        reply(
            self.0
                .post(url)
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await,
        )
        .await
    }
}

struct RemoteGate(RemoteValidator);

#[async_trait]
impl BearerValidator for RemoteGate {
    async fn validate(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<TokenInfo, GuardError> {
        match self.0.validate(request, required).await {
            Ok(t) => Ok(TokenInfo {
                client_id: t.client_id,
                user_id: t.user_id,
                scope: t.scope,
                expires_at: t.expires_at,
                grant_id: String::new(),
            }),
            Err(e) => Err(
                GuardError::bearer(&e, self.0.bearer_config()).with_resource_metadata(
                    crate::oauth2::rfc9728::metadata_url(&self.0.remote_config().resource),
                ),
            ),
        }
    }

    fn config(&self) -> &Config {
        self.0.bearer_config()
    }
}

/// Serves the resource's metadata document (RFC 9728 §3).
#[derive(Clone)]
struct MetadataHandler(Arc<serde_json::Value>);

#[async_trait]
impl Handler for MetadataHandler {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> route::Outcome<'r> {
        let mut response = crate::http::OAuth2Response::json(200, &self.0);
        response
            .headers
            .retain(|(k, _)| k != "Cache-Control" && k != "Pragma");
        route::Outcome::from(req, response)
    }
}

#[rocket::async_trait]
impl Fairing for ResourceServerFairing {
    fn info(&self) -> Info {
        Info {
            name: "OAuth 2.0 resource server",
            kind: Kind::Ignite | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let config = match &self.config {
            Some(c) => c.clone(),
            None => match rocket
                .figment()
                .extract_inner::<RemoteConfig>("resource_server")
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(target: "oauth::launch", "invalid [resource_server] configuration: {e}");
                    return Err(rocket);
                }
            },
        };
        if !cfg!(feature = "resource-server-tls") && config.issuer.starts_with("https:") {
            tracing::error!(target: "oauth::launch", "resource_server.issuer is https: build oauth-core with the feature resource-server-tls");
            return Err(rocket);
        }
        let validator = ReqwestTransport::new(Duration::from_millis(config.timeout_ms))
            .and_then(|t| RemoteValidator::new(config, t));
        let validator = match validator {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(target: "oauth::launch", "the resource server could not be built: {e}");
                return Err(rocket);
            }
        };
        let remote = validator.remote_config();
        let doc = Arc::new(validator.protected_resource_metadata());
        let path = crate::oauth2::rfc9728::metadata_url(&remote.resource)
            .and_then(|url| crate::http::origin(&url).map(|o| url[o.len()..].to_owned()))
            .unwrap_or_else(|| crate::oauth2::rfc9728::WELL_KNOWN.to_owned());
        tracing::info!(
            target: "oauth::launch",
            issuer = %remote.issuer,
            resource = %remote.resource,
            introspection = remote.client_id.is_some(),
            "resource server: tokens checked against the authorization server"
        );
        let shared = SharedConfig(Arc::new(validator.bearer_config().clone()));
        let gate: Arc<dyn BearerValidator> = Arc::new(RemoteGate(validator));
        Ok(rocket
            .mount(
                "/",
                vec![Route::new(Method::Get, &path, MetadataHandler(doc))],
            )
            .manage(BearerGate(gate))
            .manage(shared))
    }

    /// A protected answer is about the token's owner: not to be cached
    /// (RFC 6750 §5.3).
    async fn on_response<'r>(&self, req: &'r Request<'_>, response: &mut rocket::Response<'r>) {
        no_store_if_admitted(req, response);
    }
}
