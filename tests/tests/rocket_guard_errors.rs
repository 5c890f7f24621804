//! The guards' typed error and the catchers, on real Rocket servers over
//! HTTP (in-memory storage): a handler that takes
//! `Result<RequireOAuth<_>, GuardError>` sees the refusal and decides; the
//! catchers answer the OAuth way only what an OAuth guard refused, and
//! leave the site's own 401/403/400 to the site (Rocket's default catcher,
//! or the site's catcher wrapped by `oauth2_catchers_around`).

use oauth_core::memory::MemoryStorage;
use oauth_core::rocket::{
    GuardError, OAuth2, RequireOAuth, oauth2_catchers, oauth2_catchers_around,
};
use oauth_core::{AuthorizationServer, OAuth2Storage, scope};
use oauth_tests::served::{Served, bearer_token, figment, serve as serve_on};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Catcher, catch, catchers, get, routes};

scope!(Profile = "profile");

#[get("/api/me")]
fn me(token: RequireOAuth<Profile>) -> String {
    format!("token of {}", token.client_id)
}

#[get("/greeting")]
fn greeting(token: Result<RequireOAuth, GuardError>) -> Result<String, GuardError> {
    match token {
        Ok(token) => Ok(format!("hello, {}", token.client_id)),
        Err(e) if e.credentials_missing() => Ok("hello, stranger".into()),
        Err(e) => Err(e),
    }
}

/// What the handler learns of a refusal.
#[get("/why")]
fn why(token: Result<RequireOAuth<Profile>, GuardError>) -> String {
    match token {
        Ok(_) => "admitted".into(),
        Err(e) => format!("{} {:?}", e.status().code, e.error_code()),
    }
}

/// A protected answer the handler lets caches keep, for a reason of its own.
#[get("/public-ish")]
fn cacheable(_token: RequireOAuth<Profile>) -> oauth_core::OAuth2Response {
    oauth_core::OAuth2Response {
        status: 200,
        headers: vec![("Cache-Control".into(), "private, max-age=60".into())],
        body: "ok".into(),
    }
}

/// A page of the site's own that needs a login.
#[get("/private")]
fn private() -> Status {
    Status::Unauthorized
}

/// The site's own refusal of a bad form.
#[get("/bad")]
fn bad() -> Status {
    Status::BadRequest
}

#[catch(401)]
fn login_required() -> Redirect {
    Redirect::to("/login")
}

async fn storage() -> MemoryStorage {
    let s = MemoryStorage::new();
    for (raw, scope) in [("good", "profile"), ("narrow", "email")] {
        s.save_token(bearer_token(raw, Some("7"), scope))
            .await
            .unwrap();
    }
    s
}

async fn serve(catchers: Vec<Catcher>) -> Served {
    let storage = storage().await;
    let (figment, port) = figment();
    let rocket = rocket::custom(figment)
        .attach(OAuth2::fairing(move |_, config| {
            AuthorizationServer::new(storage, config).map_err(|e| e.to_string())
        }))
        .mount("/", routes![me, greeting, why, private, bad, cacheable])
        .register("/", catchers);
    serve_on(rocket, port, "/greeting").await
}

struct Answer {
    status: u16,
    challenge: Option<String>,
    location: Option<String>,
    content_type: Option<String>,
    body: String,
}

async fn get(server: &Served, path: &str, token: Option<&str>) -> Answer {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client
        .get(format!("{}{path}", server.base))
        .header("Accept", "application/json");
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let r = request.send().await.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    Answer {
        status: r.status().as_u16(),
        challenge: header("www-authenticate"),
        location: header("location"),
        content_type: header("content-type"),
        body: r.text().await.unwrap(),
    }
}

/// RFC 6750 §3: the guard's answers, sent by the catchers.
#[tokio::test]
async fn rfc6750_3_guard_refusals_are_sent_by_the_catchers() {
    let server = serve(oauth2_catchers()).await;
    // §3.1: no token: the bare challenge, no body.
    let a = get(&server, "/api/me", None).await;
    assert_eq!((a.status, a.challenge.as_deref()), (401, Some("Bearer")));
    assert_eq!((a.body.as_str(), a.content_type), ("", None));
    let a = get(&server, "/api/me", Some("unknown")).await;
    assert_eq!(a.status, 401);
    assert!(a.challenge.unwrap().contains(r#"error="invalid_token""#));
    assert!(a.body.contains(r#""error":"invalid_token""#), "{}", a.body);
    let a = get(&server, "/api/me", Some("narrow")).await;
    assert_eq!(a.status, 403);
    assert!(a.body.contains("insufficient_scope"), "{}", a.body);
    let a = get(&server, "/api/me", Some("good")).await;
    assert_eq!((a.status, a.body.as_str()), (200, "token of app"));
}

/// The site's own 401 and 400 are not OAuth errors: with
/// `oauth2_catchers` they get Rocket's default answer, with no
/// `WWW-Authenticate` and no made-up error code.
#[tokio::test]
async fn the_sites_own_errors_are_left_to_rocket() {
    let server = serve(oauth2_catchers()).await;
    for (path, status) in [("/private", 401), ("/bad", 400)] {
        let a = get(&server, path, None).await;
        assert_eq!(a.status, status, "{path}");
        assert_eq!(a.challenge, None, "{path}");
        assert!(!a.body.contains("invalid_token"), "{path}: {}", a.body);
        assert!(!a.body.contains("invalid_request"), "{path}: {}", a.body);
        // Rocket's default catcher, in JSON for an `Accept: application/json`.
        assert!(a.body.contains(r#""code": "#), "{path}: {}", a.body);
    }
}

/// The site's own catcher, wrapped: the site's 401 goes to its login page,
/// the guard's 401 keeps its RFC 6750 answer, and the guard's 403 (which
/// the site does not catch) is still sent.
#[tokio::test]
async fn oauth2_catchers_around_keep_the_sites_catcher() {
    let server = serve(oauth2_catchers_around(catchers![login_required])).await;
    let a = get(&server, "/private", None).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/login")));
    let a = get(&server, "/api/me", None).await;
    assert_eq!((a.status, a.challenge.as_deref()), (401, Some("Bearer")));
    let a = get(&server, "/api/me", Some("unknown")).await;
    assert_eq!(a.status, 401);
    assert!(a.body.contains("invalid_token"), "{}", a.body);
    let a = get(&server, "/api/me", Some("narrow")).await;
    assert_eq!(a.status, 403);
    assert!(a.body.contains("insufficient_scope"), "{}", a.body);
}

/// A handler that takes `Result<RequireOAuth<_>, GuardError>` decides: an
/// anonymous caller is served, a bad token gets the guard's answer (the
/// error is a responder), and the error says what happened.
#[tokio::test]
async fn a_handler_taking_the_result_sees_the_guard_error() {
    let server = serve(oauth2_catchers()).await;
    let a = get(&server, "/greeting", None).await;
    assert_eq!((a.status, a.body.as_str()), (200, "hello, stranger"));
    let a = get(&server, "/greeting", Some("good")).await;
    assert_eq!((a.status, a.body.as_str()), (200, "hello, app"));
    let a = get(&server, "/greeting", Some("unknown")).await;
    assert_eq!(a.status, 401);
    assert!(a.challenge.unwrap().contains("invalid_token"));
    assert!(a.body.contains("invalid_token"), "{}", a.body);

    let a = get(&server, "/why", None).await;
    assert_eq!(a.body, "401 None");
    let a = get(&server, "/why", Some("unknown")).await;
    assert_eq!(a.body, r#"401 Some("invalid_token")"#);
    let a = get(&server, "/why", Some("narrow")).await;
    assert_eq!(a.body, r#"403 Some("insufficient_scope")"#);
    let a = get(&server, "/why", Some("good")).await;
    assert_eq!(a.body, "admitted");
}

/// RFC 6750 §5.3, RFC 9700 §4.13: what an OAuth guard admitted is about
/// the token's owner, so the fairing makes it `no-store`; a handler that
/// sets a policy of its own keeps it, and the site's other pages are left
/// alone.
#[tokio::test]
async fn rfc6750_5_3_admitted_responses_are_not_cached() {
    let server = serve(oauth2_catchers()).await;
    let client = reqwest::Client::new();
    let cache = |path: &'static str, token: Option<&'static str>| {
        let mut request = client.get(format!("{}{path}", server.base));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        async move {
            let r = request.send().await.unwrap();
            r.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap().to_owned())
        }
    };
    assert_eq!(
        cache("/api/me", Some("good")).await.as_deref(),
        Some("no-store")
    );
    assert_eq!(
        cache("/public-ish", Some("good")).await.as_deref(),
        Some("private, max-age=60")
    );
    // An anonymous greeting was not admitted by the guard.
    assert_eq!(cache("/greeting", None).await, None);
}
