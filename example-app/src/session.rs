//! Log-in sessions (a private cookie), CSRF tokens, and the secrets of
//! newly created clients (shown to the session that created them).

use std::collections::BTreeMap;

use oauth_core::{Login, secrets};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::outcome::IntoOutcome;
use rocket::request::{FromRequest, Outcome, Request};

use crate::db::{AppDb, find_user};
use crate::models::User;

/// The session: one private cookie holding the user id, when they logged
/// in (the ID token's `auth_time`) and the session's CSRF token, so that
/// the token cannot be paired with another session's (a cookie planted
/// from a sibling host replaces the whole session, never just its token).
const USER: &str = "user_id";
/// Cookies of earlier versions, removed at log-out.
const LEGACY: [&str; 2] = ["auth_time", "csrf"];
const NEW_SECRETS: &str = "new_client_secrets";
/// How many fresh client secrets a session remembers.
const KEEP_SECRETS: usize = 16;

fn cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

/// The session cookie's parts: user id, login time, CSRF token.
struct Session {
    user_id: i32,
    auth_time: i64,
    csrf: String,
}

fn session(cookies: &CookieJar<'_>) -> Option<Session> {
    let cookie = cookies.get_private(USER)?;
    let mut parts = cookie.value().split(' ');
    let session = Session {
        user_id: parts.next()?.parse().ok()?,
        auth_time: parts.next()?.parse().ok()?,
        csrf: parts.next().filter(|t| !t.is_empty())?.to_owned(),
    };
    parts.next().is_none().then_some(session)
}

/// The logged-in user's id, from the private cookie.
pub fn user_id(cookies: &CookieJar<'_>) -> Option<i32> {
    session(cookies).map(|s| s.user_id)
}

/// Logs `user` in at `now`, with a fresh CSRF token.
pub fn log_in(cookies: &CookieJar<'_>, user: &User, now: i64) {
    let value = format!("{} {now} {}", user.id, secrets::random_token(32));
    cookies.add_private(cookie(USER, value));
}

/// The session's login as the authorization endpoint needs it: who, and
/// when they logged in.
pub fn login(cookies: &CookieJar<'_>, user: &User) -> Login {
    Login {
        auth_time: session(cookies).map(|s| s.auth_time),
        ..Login::user(user.id.to_string())
    }
}

/// Logs out.
pub fn log_out(cookies: &CookieJar<'_>) {
    for name in [USER, NEW_SECRETS].into_iter().chain(LEGACY) {
        cookies.remove_private(name);
    }
}

/// The logged-in user (forwards when there is none).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for User {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<User, ()> {
        let Some(id) = user_id(req.cookies()) else {
            return Outcome::Forward(rocket::http::Status::Unauthorized);
        };
        let Some(db) = req.rocket().state::<AppDb>() else {
            return Outcome::Forward(rocket::http::Status::InternalServerError);
        };
        find_user(&db.0, id)
            .await
            .or_forward(rocket::http::Status::Unauthorized)
    }
}

/// The session's CSRF token, for forms; empty (matching nothing) without
/// a session.
pub struct Csrf(pub String);

impl Csrf {
    /// Whether `presented` is the session's token (constant time).
    pub fn verify(&self, presented: &str) -> bool {
        !self.0.is_empty() && secrets::constant_time_eq(self.0.as_bytes(), presented.as_bytes())
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Csrf, ()> {
        let token = session(req.cookies()).map(|s| s.csrf).unwrap_or_default();
        Outcome::Success(Csrf(token))
    }
}

/// Remembers a new client's secret for this session.
pub fn remember_secret(cookies: &CookieJar<'_>, client_id: &str, secret: &str) {
    let mut map = remembered_secrets(cookies);
    map.insert(client_id.to_owned(), secret.to_owned());
    while map.len() > KEEP_SECRETS {
        let first = map.keys().next().cloned().unwrap_or_default();
        map.remove(&first);
    }
    if let Ok(json) = serde_json::to_string(&map) {
        cookies.add_private(cookie(NEW_SECRETS, json));
    }
}

/// The secrets of the clients this session created.
pub fn remembered_secrets(cookies: &CookieJar<'_>) -> BTreeMap<String, String> {
    cookies
        .get_private(NEW_SECRETS)
        .and_then(|c| serde_json::from_str(c.value()).ok())
        .unwrap_or_default()
}
