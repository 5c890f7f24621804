//! Mistakes stop launch, not requests: a Rocket whose handlers take a guard
//! that needs a fairing's state, without that fairing (or with one over
//! another storage type, or not told of the user model), refuses to launch,
//! naming the guard; the same Rocket configured right launches.

use oauth_core::memory::MemoryStorage;
use oauth_core::oauth1::OAuth1Server;
use oauth_core::rocket::{
    EngineRequest, GuardError, OAuth1, OAuth1Authorize, OAuth2, OAuth2Authorize, OptionalOAuth,
    RequireOAuth, RequireOAuth1, RequireOAuthUser,
};
use oauth_core::{AuthorizationServer, scope};
use rocket::error::ErrorKind;
use rocket::{Build, Rocket, get, routes};

scope!(Profile = "profile");

#[derive(Clone)]
struct Member;

/// Another storage type, to mismatch the consent guard's.
type OtherStore = oauth_diesel::StandardStorage;

#[get("/a")]
fn require(_t: RequireOAuth<Profile>) {}
#[get("/b")]
fn optional(_t: OptionalOAuth<Profile>) {}
#[get("/c")]
fn with_user(_t: RequireOAuthUser<Profile, Member>) {}
#[get("/d")]
fn consent(_t: OAuth2Authorize<MemoryStorage>) {}
#[get("/e")]
fn consent_elsewhere(_t: OAuth2Authorize<OtherStore>) {}
#[get("/f")]
fn oauth1(_t: RequireOAuth1) {}
#[get("/g")]
fn oauth1_consent(_t: OAuth1Authorize<MemoryStorage>) {}
#[get("/h")]
fn as_result(_t: Result<RequireOAuth<Profile>, GuardError>) {}
#[get("/i")]
fn engine(_r: EngineRequest) {}

fn base() -> Rocket<Build> {
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("oauth2.insecure_transport", true))
        .merge(("oauth1.insecure_transport", true));
    rocket::custom(figment)
}

fn oauth2_fairing(with_users: bool) -> oauth_core::rocket::OAuth2Fairing<MemoryStorage> {
    let fairing = OAuth2::fairing(|_, config| {
        AuthorizationServer::new(MemoryStorage::new(), config).map_err(|e| e.to_string())
    });
    if with_users {
        fairing.users::<Member>()
    } else {
        fairing
    }
}

fn oauth1_fairing() -> oauth_core::rocket::OAuth1Fairing<MemoryStorage> {
    OAuth1::fairing(|_, config| {
        OAuth1Server::new(MemoryStorage::new(), config).map_err(|e| e.to_string())
    })
}

/// The guards whose sentinels stopped the launch, or `None` if it ignited.
async fn aborted_by(rocket: Rocket<Build>) -> Option<Vec<String>> {
    match rocket.ignite().await {
        Ok(_) => None,
        Err(e) => match e.kind() {
            ErrorKind::SentinelAborts(sentries) => {
                Some(sentries.iter().map(|s| s.type_name.to_owned()).collect())
            }
            other => panic!("launch failed, but not by a sentinel: {other:?}"),
        },
    }
}

fn names(aborts: Option<Vec<String>>, guard: &str) -> bool {
    aborts.is_some_and(|v| v.iter().any(|t| t.contains(guard)))
}

#[tokio::test]
async fn bearer_guards_without_the_fairing_stop_launch() {
    for (route, guard) in [
        (routes![require], "RequireOAuth<"),
        (routes![optional], "OptionalOAuth<"),
        (routes![with_user], "RequireOAuthUser<"),
        (routes![as_result], "RequireOAuth<"),
        (routes![engine], "EngineRequest"),
    ] {
        let aborts = aborted_by(base().mount("/", route)).await;
        assert!(names(aborts, guard), "{guard}");
    }
}

#[tokio::test]
async fn require_oauth_user_without_users_stops_launch_and_with_them_launches() {
    let aborts = aborted_by(
        base()
            .attach(oauth2_fairing(false))
            .mount("/", routes![with_user]),
    )
    .await;
    assert!(names(aborts, "RequireOAuthUser<"));
    let launched = aborted_by(
        base()
            .attach(oauth2_fairing(true))
            .mount("/", routes![with_user, require, optional, as_result]),
    )
    .await;
    assert_eq!(launched, None);
}

#[tokio::test]
async fn consent_guard_over_another_storage_stops_launch() {
    let aborts = aborted_by(
        base()
            .attach(oauth2_fairing(false))
            .mount("/", routes![consent_elsewhere]),
    )
    .await;
    assert!(names(aborts, "OAuth2Authorize<"));
    let launched = aborted_by(
        base()
            .attach(oauth2_fairing(false))
            .mount("/", routes![consent]),
    )
    .await;
    assert_eq!(launched, None);
}

#[tokio::test]
async fn oauth1_guards_without_their_fairing_stop_launch() {
    let aborts = aborted_by(
        base()
            .attach(oauth2_fairing(false))
            .mount("/", routes![oauth1, oauth1_consent]),
    )
    .await;
    let aborts = aborts.expect("launch refused");
    assert!(
        aborts.iter().any(|t| t.contains("RequireOAuth1")),
        "{aborts:?}"
    );
    assert!(
        aborts.iter().any(|t| t.contains("OAuth1Authorize<")),
        "{aborts:?}"
    );
    let launched = aborted_by(
        base()
            .attach(oauth1_fairing())
            .mount("/", routes![oauth1, oauth1_consent]),
    )
    .await;
    assert_eq!(launched, None);
}
