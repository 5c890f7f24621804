//! Log-in sessions, CSRF tokens, and the secrets of newly created clients
//! (shown to the session that created them).
//!
//! A session is a row of the site's `sessions` table: who, when they
//! logged in (the ID token's `auth_time`), until when. The browser holds
//! a random secret naming the row (stored as its digest) together with the
//! session's CSRF token, in one private cookie, so the token cannot be
//! paired with another session's. Logging out deletes the row: a saved
//! cookie is no session afterwards. A row whose user is gone is no session
//! either (the lookup joins the users, and the row is deleted with them).
//! Over TLS the cookies are `__Host-` cookies with `Secure`, which a
//! sibling host or a plain-HTTP attacker cannot set.

use std::collections::BTreeMap;

use oauth_core::{Login, StorageError, secrets};
use oauth_diesel::DbPool;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

use crate::db::{self, AppDb};
use crate::models::User;
use crate::oauth2::Store;

/// The session cookie, over plain HTTP (local development).
const SESSION: &str = "session";
/// The session cookie over TLS.
const SECURE_SESSION: &str = "__Host-session";
const NEW_SECRETS: &str = "new_client_secrets";
const SECURE_NEW_SECRETS: &str = "__Host-new_client_secrets";
/// Cookies of earlier versions, removed at log-in and log-out.
const LEGACY: [&str; 3] = ["user_id", "auth_time", "csrf"];
/// How many fresh client secrets a session remembers.
const KEEP_SECRETS: usize = 16;
/// How long a session lasts from its login, however active (seconds).
pub const SESSION_LIFETIME: i64 = 7 * 86_400;

/// The request's cookies and session store, with whether it came over TLS
/// (which decides the cookies' names and `Secure`).
pub struct Sessions<'r> {
    jar: &'r CookieJar<'r>,
    pool: &'r DbPool,
    secure: bool,
}

impl Sessions<'_> {
    fn names(&self) -> (&'static str, &'static str) {
        if self.secure {
            (SECURE_SESSION, SECURE_NEW_SECRETS)
        } else {
            (SESSION, NEW_SECRETS)
        }
    }

    fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build((name, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .path("/")
            .build()
    }

    /// Logs `user` in at `now`: a new session (a fresh id, so no id a
    /// visitor held before the login carries over) with a fresh CSRF
    /// token. The session the browser had, if any, ends.
    pub async fn log_in(&self, user: &User, now: i64) -> Result<(), StorageError> {
        self.log_out().await;
        let secret = secrets::random_token(32);
        db::create_session(
            self.pool,
            secrets::digest(&secret),
            user.id,
            now,
            now.saturating_add(SESSION_LIFETIME),
        )
        .await?;
        let value = format!("{secret} {}", secrets::random_token(32));
        self.jar.add_private(self.cookie(self.names().0, value));
        Ok(())
    }

    /// Ends the session: its row is deleted (so a copy of the cookie no
    /// longer works), its cookies removed.
    pub async fn log_out(&self) {
        if let Some((secret, _)) = cookie_parts(self.jar, self.names().0)
            && let Err(e) = db::delete_session(self.pool, secrets::digest(&secret)).await
        {
            tracing::warn!("logout: the session row could not be deleted: {e}");
        }
        let (session, new_secrets) = self.names();
        for name in [session, new_secrets].into_iter().chain(LEGACY) {
            self.jar.remove_private(name);
        }
    }

    /// Remembers a new client's secret for this session.
    pub fn remember_secret(&self, client_id: &str, secret: &str) {
        let mut map = self.remembered_secrets();
        map.insert(client_id.to_owned(), secret.to_owned());
        while map.len() > KEEP_SECRETS {
            let first = map.keys().next().cloned().unwrap_or_default();
            map.remove(&first);
        }
        if let Ok(json) = serde_json::to_string(&map) {
            self.jar.add_private(self.cookie(self.names().1, json));
        }
    }

    /// The secrets of the clients this session created.
    pub fn remembered_secrets(&self) -> BTreeMap<String, String> {
        self.jar
            .get_private(self.names().1)
            .and_then(|c| serde_json::from_str(c.value()).ok())
            .unwrap_or_default()
    }
}

/// The session secret and CSRF token of the session cookie `name`.
fn cookie_parts(jar: &CookieJar<'_>, name: &str) -> Option<(String, String)> {
    let cookie = jar.get_private(name)?;
    let (secret, csrf) = cookie.value().split_once(' ')?;
    let valid = |s: &str| !s.is_empty() && !s.contains(' ');
    (valid(secret) && valid(csrf)).then(|| (secret.to_owned(), csrf.to_owned()))
}

fn now_of(req: &Request<'_>) -> i64 {
    req.rocket()
        .state::<oauth_core::rocket::OAuth2<Store>>()
        .map(|o| o.server.now())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Sessions<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Sessions<'r>, ()> {
        match req.rocket().state::<AppDb>() {
            Some(db) => Outcome::Success(Sessions {
                jar: req.cookies(),
                pool: &db.0,
                secure: oauth_core::rocket::is_secure(req),
            }),
            None => Outcome::Error((Status::InternalServerError, ())),
        }
    }
}

/// The logged-in session: its user (read with the session, in one
/// query), when they logged in, and the session's CSRF token. Looked up
/// once per request.
#[derive(Debug, Clone)]
pub struct SiteSession {
    /// Who.
    pub user: User,
    /// When they logged in (Unix seconds).
    pub auth_time: i64,
    csrf: String,
}

impl SiteSession {
    /// The session's login as the authorization endpoint needs it.
    pub fn login(&self) -> Login {
        Login {
            auth_time: Some(self.auth_time),
            ..Login::user(self.user.id.to_string())
        }
    }
}

/// The live session of the request, if any (a database failure counts as
/// none: the visitor is shown the login form).
async fn lookup(req: &Request<'_>) -> Option<SiteSession> {
    let db = req.rocket().state::<AppDb>()?;
    let name = if oauth_core::rocket::is_secure(req) {
        SECURE_SESSION
    } else {
        SESSION
    };
    let (secret, csrf) = cookie_parts(req.cookies(), name)?;
    match db::find_session(&db.0, secrets::digest(&secret), now_of(req)).await {
        Ok(found) => found.map(|(user, auth_time)| SiteSession {
            user,
            auth_time,
            csrf,
        }),
        Err(e) => {
            tracing::warn!("session lookup failed: {e}");
            None
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r SiteSession {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<&'r SiteSession, ()> {
        let cached: &Option<SiteSession> = req.local_cache_async(lookup(req)).await;
        match cached {
            Some(session) => Outcome::Success(session),
            None => Outcome::Forward(Status::Unauthorized),
        }
    }
}

/// The logged-in user (forwards when there is none).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for User {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<User, ()> {
        req.guard::<&SiteSession>()
            .await
            .map(|session| session.user.clone())
    }
}

/// The session's CSRF token, for forms; empty (matching nothing) without
/// a live session.
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
        let token = match req.guard::<&SiteSession>().await {
            Outcome::Success(session) => session.csrf.clone(),
            _ => String::new(),
        };
        Outcome::Success(Csrf(token))
    }
}
