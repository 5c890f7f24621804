//! Log-in sessions (a private cookie), CSRF tokens, and the secrets of
//! newly created clients (shown to the session that created them).

use std::collections::BTreeMap;

use oauth_core::{Login, secrets};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::outcome::IntoOutcome;
use rocket::request::{FromRequest, Outcome, Request};

use crate::db::{AppDb, find_user};
use crate::models::User;

const USER: &str = "user_id";
/// When the session logged in (Unix seconds): the ID token's `auth_time`.
const AUTH_TIME: &str = "auth_time";
const CSRF: &str = "csrf";
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

/// The logged-in user's id, from the private cookie.
pub fn user_id(cookies: &CookieJar<'_>) -> Option<i32> {
    cookies.get_private(USER)?.value().parse().ok()
}

/// Logs `user` in at `now`, with a fresh CSRF token.
pub fn log_in(cookies: &CookieJar<'_>, user: &User, now: i64) {
    cookies.add_private(cookie(USER, user.id.to_string()));
    cookies.add_private(cookie(AUTH_TIME, now.to_string()));
    cookies.add_private(cookie(CSRF, secrets::random_token(32)));
}

/// The session's login as the authorization endpoint needs it: who, and
/// when they logged in.
pub fn login(cookies: &CookieJar<'_>, user: &User) -> Login {
    let auth_time = cookies
        .get_private(AUTH_TIME)
        .and_then(|c| c.value().parse().ok());
    Login {
        auth_time,
        ..Login::user(user.id.to_string())
    }
}

/// Logs out.
pub fn log_out(cookies: &CookieJar<'_>) {
    for name in [USER, AUTH_TIME, CSRF, NEW_SECRETS] {
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

/// The session's CSRF token, for forms.
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
        let cookies = req.cookies();
        let token = match cookies.get_private(CSRF) {
            Some(c) => c.value().to_owned(),
            None => {
                let token = secrets::random_token(32);
                cookies.add_private(cookie(CSRF, token.clone()));
                token
            }
        };
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
