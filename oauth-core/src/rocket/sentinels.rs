//! Mistakes that stop launch, not requests: each guard that needs state a
//! fairing manages is a Rocket [`Sentinel`], as `rocket_db_pools`'s
//! `Connection` is. Rocket asks the sentinels of every mounted handler's
//! guards once the fairings have run; one whose state is missing aborts
//! launch, and logs what to add.

use std::any::type_name;

use rocket::{Ignite, Rocket, Sentinel};

use crate::oauth1::storage::OAuth1Storage;
use crate::rocket::authorize::OAuth2Authorize;
use crate::rocket::fairing::{OAuth2, SharedConfig};
use crate::rocket::guards::{
    BearerGate, OptionalOAuth, RequireOAuth, RequireOAuthUser, ScopeSpec, UserGate,
};
use crate::rocket::oauth1::{OAuth1, OAuth1Authorize, OAuth1Gate, RealmSpec, RequireOAuth1};
use crate::rocket::request::EngineRequest;
use crate::storage::OAuth2Storage;

/// Whether to abort: `present` is false. The message says what to add.
fn missing(present: bool, message: impl FnOnce() -> String) -> bool {
    if !present {
        tracing::error!(target: "oauth::launch", "{}", message());
    }
    !present
}

const ATTACH: &str = "attach `OAuth2::<Store>::fairing(...)` (oauth_core::rocket::OAuth2)";

impl<S: ScopeSpec> Sentinel for RequireOAuth<S> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing(rocket.state::<BearerGate>().is_some(), || {
            format!("a handler takes RequireOAuth, but no OAuth 2.0 fairing is attached: {ATTACH}")
        })
    }
}

impl Sentinel for EngineRequest {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing(rocket.state::<SharedConfig>().is_some(), || {
            format!(
                "a handler takes EngineRequest, which reads requests with the OAuth 2.0 \
                 configuration, but no OAuth 2.0 fairing is attached: {ATTACH}"
            )
        })
    }
}

impl<S: ScopeSpec> Sentinel for OptionalOAuth<S> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing(rocket.state::<BearerGate>().is_some(), || {
            format!("a handler takes OptionalOAuth, but no OAuth 2.0 fairing is attached: {ATTACH}")
        })
    }
}

impl<S: ScopeSpec, U: Send + Sync + 'static> Sentinel for RequireOAuthUser<S, U> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        if rocket.state::<BearerGate>().is_none() {
            return missing(false, || {
                format!(
                    "a handler takes RequireOAuthUser, but no OAuth 2.0 fairing is attached: {ATTACH}"
                )
            });
        }
        missing(rocket.state::<UserGate<U>>().is_some(), || {
            format!(
                "a handler takes RequireOAuthUser<_, {user}>, but the OAuth 2.0 fairing was not \
                 told of that user model: add `.users::<{user}>()` to the fairing",
                user = type_name::<U>()
            )
        })
    }
}

impl<S: OAuth2Storage> Sentinel for OAuth2Authorize<S> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing(rocket.state::<OAuth2<S>>().is_some(), || {
            format!(
                "a handler takes OAuth2Authorize<{store}>, but no OAuth 2.0 fairing over that \
                 storage is attached: attach `OAuth2::<{store}>::fairing(...)`, with the same \
                 storage type as the guard",
                store = type_name::<S>()
            )
        })
    }
}

impl<R: RealmSpec> Sentinel for RequireOAuth1<R> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing(rocket.state::<OAuth1Gate>().is_some(), || {
            "a handler takes RequireOAuth1, but no OAuth 1.0a fairing is attached: attach \
             `OAuth1::<Store>::fairing(...)` (oauth_core::rocket::OAuth1)"
                .to_owned()
        })
    }
}

impl<S: OAuth1Storage> Sentinel for OAuth1Authorize<S> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        missing(rocket.state::<OAuth1<S>>().is_some(), || {
            format!(
                "a handler takes OAuth1Authorize<{store}>, but no OAuth 1.0a fairing over that \
                 storage is attached: attach `OAuth1::<{store}>::fairing(...)`",
                store = type_name::<S>()
            )
        })
    }
}
