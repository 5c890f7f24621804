//! The example OAuth 2.0 and OAuth 1.0a provider: a Rocket site whose users
//! log in with any name, register clients (by form or RFC 7591 JSON; OAuth
//! 1.0a clients by JSON at `/oauth1/clients`), approve them on a consent
//! page, and call `/api/me` (or `/api/oauth1/me`) with the credentials they
//! get.
//!
//! Its HTTP contract is fixed (see README.md); `rocket()` builds it from
//! Rocket's usual configuration, and `rocket_from(figment)` from any.

pub mod activate;
pub mod apps;
pub mod cleanup;
pub mod db;
pub mod logging;
pub mod models;
pub mod oauth1;
pub mod oauth2;
pub mod resource_server;
pub mod routes;
pub mod session;
mod templates;

use rocket::figment::Figment;
use rocket::{Build, Rocket};

/// The site, configured from `Rocket.toml`, `ROCKET_*` and `DATABASE_URL`.
pub fn rocket() -> Rocket<Build> {
    rocket_from(rocket::Config::figment())
}

/// The site, configured from `figment` (plus the example's defaults for
/// what it does not set).
pub fn rocket_from(figment: Figment) -> Rocket<Build> {
    let figment = oauth1::with_defaults(db::with_defaults(figment));
    rocket::custom(figment)
        .attach(db::fairing())
        .attach(oauth2::fairing())
        .attach(oauth1::fairing())
        .attach(cleanup::fairing())
        .mount("/", routes::routes())
        .mount("/", activate::routes())
        .mount("/", oauth1::routes())
        .mount(
            "/oauth1",
            oauth_core::rocket::oauth1_routes::<oauth1::Store>(),
        )
        .mount(
            "/oauth",
            oauth_core::rocket::oauth2_routes::<oauth2::Store>(),
        )
        .mount(
            "/oauth",
            oauth_core::rocket::device_routes::<oauth2::Store>(),
        )
        .mount("/oauth", oauth_core::rocket::jwks_routes::<oauth2::Store>())
        .mount(
            "/oauth",
            oauth_core::rocket::userinfo_routes::<oauth2::Store, models::User>(),
        )
        .mount("/", oauth_core::rocket::metadata_routes::<oauth2::Store>())
        .register("/", oauth_core::rocket::oauth2_catchers())
}
