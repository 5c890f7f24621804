//! The Rocket adapter (feature `rocket`): a fairing that builds the
//! authorization server from Rocket's configuration, routes to mount, and
//! request guards for protected handlers and the consent page.
//!
//! ```no_run
//! # use oauth_core::memory::MemoryStorage;
//! use oauth_core::rocket::{OAuth2, RequireOAuth, oauth2_catchers, oauth2_routes, metadata_routes};
//! use oauth_core::{AuthorizationServer, scope};
//! use rocket::{get, routes};
//!
//! scope!(Profile = "profile");
//!
//! #[get("/api/me")]
//! fn me(token: RequireOAuth<Profile>) -> String {
//!     format!("user {:?} via client {}", token.user_id, token.client_id)
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::build()
//!         .attach(OAuth2::fairing(|_rocket, config| {
//!             AuthorizationServer::new(MemoryStorage::new(), config).map_err(|e| e.to_string())
//!         }))
//!         .mount("/oauth", oauth2_routes::<MemoryStorage>())
//!         .mount("/", metadata_routes::<MemoryStorage>())
//!         .mount("/", routes![me])
//!         .register("/", oauth2_catchers())
//! }
//! ```
//!
//! Configuration comes from the `oauth2` table of Rocket's figment
//! (`Rocket.toml` `[default.oauth2]`, or `ROCKET_OAUTH2={...}`); every key of
//! [`Config`](crate::Config) may be set there, and a bad value stops launch
//! with a message naming it.

mod address;
mod authorize;
mod catchers;
mod fairing;
mod framing;
mod guard_error;
mod guards;
mod logging;
mod oauth1;
mod request;
#[cfg(feature = "resource-server")]
mod resource_server;
mod response;
mod routes;
mod same_origin;
mod sentinels;

pub use address::{ClientAddress, client_address};
pub use authorize::OAuth2Authorize;
pub use catchers::{oauth2_catchers, oauth2_catchers_around};
pub use fairing::{OAuth2, OAuth2Fairing, RegistrationPolicy};
pub use guard_error::{GuardError, guard_refusal};
pub use guards::{OptionalOAuth, RequireOAuth, RequireOAuthUser, ScopeSpec, TokenInfo};
pub use logging::{RedactingLogger, redact_uris};
pub use oauth1::{
    AnyRealm, OAuth1, OAuth1Authorize, OAuth1Fairing, OAuth1TokenInfo, RealmSpec, RequireOAuth1,
    oauth1_routes,
};
pub use request::{EngineRequest, engine_request, is_secure};
#[cfg(feature = "resource-server")]
pub use resource_server::{ReqwestTransport, ResourceServer, ResourceServerFairing};
pub use routes::{device_routes, jwks_routes, metadata_routes, oauth2_routes, userinfo_routes};
pub use same_origin::{CrossOrigin, SameOrigin};

/// What a guard or route says when its fairing is not attached (launch
/// sentinels keep a configured app from getting there).
pub(crate) const MISSING_STATE: &str = "the OAuth 2.0 fairing is not attached";

/// Declares a scope requirement for [`RequireOAuth`].
///
/// `scope!(Profile = "profile")` requires `profile`;
/// `scope!(Admin = "admin", "write")` requires both;
/// `scope!(Reader = any_of("read", "admin"))` requires at least one.
///
/// ```
/// use oauth_core::rocket::ScopeSpec;
/// use oauth_core::{Scope, scope};
///
/// scope!(Profile = "profile");
/// scope!(Reader = any_of("read", "admin"));
/// assert!(Profile::requirement().is_satisfied_by(&Scope::parse("profile email").unwrap()));
/// assert!(Reader::requirement().is_satisfied_by(&Scope::parse("admin").unwrap()));
/// assert!(!Reader::requirement().is_satisfied_by(&Scope::parse("write").unwrap()));
/// ```
#[macro_export]
macro_rules! scope {
    ($(#[$meta:meta])* $vis:vis $name:ident = any_of($($token:literal),+ $(,)?)) => {
        $(#[$meta])*
        $vis struct $name;
        impl $crate::rocket::ScopeSpec for $name {
            fn requirement() -> $crate::ScopeRequirement {
                $crate::ScopeRequirement::any_of([$($token),+])
            }
        }
    };
    ($(#[$meta:meta])* $vis:vis $name:ident = $($token:literal),+ $(,)?) => {
        $(#[$meta])*
        $vis struct $name;
        impl $crate::rocket::ScopeSpec for $name {
            fn requirement() -> $crate::ScopeRequirement {
                $crate::ScopeRequirement::all_of([$($token),+])
            }
        }
    };
}
