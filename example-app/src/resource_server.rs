//! `cargo run --release -p example-app --bin resource-server`: an API of
//! its own, apart from the site, with no database, that takes the site's
//! tokens.
//!
//! Its tokens are checked against the authorization server
//! (`AUTHORIZATION_SERVER`, default `http://127.0.0.1:8000`): JWT access
//! tokens locally with the server's JWK Set, opaque ones by introspection
//! with its own client (`RESOURCE_CLIENT_ID`, `RESOURCE_CLIENT_SECRET`).
//! Its identifier, the `resource` clients ask tokens for (RFC 8707), is
//! `RESOURCE_SERVER_URL`, default `http://127.0.0.1:PORT` (`ROCKET_PORT`,
//! default 8001).

use oauth_core::resource_server::RemoteConfig;
use oauth_core::rocket::{RequireOAuth, ResourceServer, oauth2_catchers};
use oauth_core::scope;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::ContentType;
use rocket::{Build, Rocket, get, routes};
use serde_json::{Value, json};

/// Where the site is when `AUTHORIZATION_SERVER` is not set.
pub const DEFAULT_AUTHORIZATION_SERVER: &str = "http://127.0.0.1:8000";
/// The port when `ROCKET_PORT` is not set.
pub const DEFAULT_PORT: u16 = 8001;

scope!(
    /// `/api/hello` requires the `profile` scope.
    Profile = "profile"
);

/// `GET /api/hello`: who the token is for.
#[get("/api/hello")]
fn hello(token: RequireOAuth<Profile>) -> (ContentType, String) {
    let body: Value = json!({
        "sub": token.user_id,
        "client_id": token.client_id,
        "scope": token.scope.to_string(),
    });
    (ContentType::JSON, body.to_string())
}

/// `GET /`: unprotected, for probes and as the benchmark's baseline.
#[get("/")]
fn index() -> &'static str {
    "resource server"
}

/// The resource server's configuration from the environment, for a
/// server listening on `port`.
pub fn config_from_env(port: u16) -> RemoteConfig {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    RemoteConfig {
        issuer: env("AUTHORIZATION_SERVER")
            .unwrap_or_else(|| DEFAULT_AUTHORIZATION_SERVER.to_owned())
            .trim_end_matches('/')
            .to_owned(),
        resource: env("RESOURCE_SERVER_URL").unwrap_or_else(|| format!("http://127.0.0.1:{port}")),
        client_id: env("RESOURCE_CLIENT_ID"),
        client_secret: env("RESOURCE_CLIENT_SECRET").map(oauth_core::secrets::ClientSecret::new),
        scopes_supported: Some(vec!["profile".into()]),
        resource_name: Some("Example resource server".into()),
        // Like the site, plain http on a developer's machine.
        insecure_transport: true,
        ..RemoteConfig::default()
    }
}

/// The resource server, configured from Rocket's figment and the
/// environment.
pub fn rocket() -> Rocket<Build> {
    rocket_from(rocket::Config::figment())
}

/// The resource server on `figment`. Its port is 8001 unless one was
/// configured: Rocket's own default, 8000, is the site's.
pub fn rocket_from(figment: Figment) -> Rocket<Build> {
    let rocket_default = rocket::Config::default().port;
    let port = figment
        .extract_inner::<u16>("port")
        .unwrap_or(rocket_default);
    let mut figment = if port == rocket_default && std::env::var_os("ROCKET_PORT").is_none() {
        figment.merge(Serialized::default("port", DEFAULT_PORT))
    } else {
        figment
    };
    // Rocket's release profile refuses to start without a secret key; this
    // server sets no cookies, so a fresh one each start will do.
    let configured = figment
        .extract_inner::<rocket::config::SecretKey>("secret_key")
        .is_ok_and(|key| !key.is_zero());
    if !configured {
        figment = figment.merge(Serialized::default(
            "secret_key",
            crate::db::random_secret_key(),
        ));
    }
    let port = figment.extract_inner::<u16>("port").unwrap_or(DEFAULT_PORT);
    let fairing = match figment.find_value("resource_server") {
        Ok(_) => ResourceServer::fairing(),
        Err(_) => ResourceServer::with_config(config_from_env(port)),
    };
    rocket::custom(figment)
        .attach(fairing)
        .mount("/", routes![index, hello])
        .register("/", oauth2_catchers())
}
