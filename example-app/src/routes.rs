//! The site's pages and its protected API.

use oauth_core::consent::RememberedConsent;
use oauth_core::oidc::Interaction;
use oauth_core::rocket::{
    EngineRequest, GuardError, OAuth2, OAuth2Authorize, RequireOAuthUser, SameOrigin,
};
use oauth_core::{
    AuthorizationError, ClientAuthMethod, ClientMetadata, Consent, OAuth2Client, OAuth2Request,
    scope,
};
use rocket::form::{Form, FromForm};
use rocket::http::uri::Origin;
use rocket::http::{ContentType, Status};
use rocket::response::Redirect;
use rocket::{Responder, Route, State, get, post, routes};

use crate::db::{AppDb, clients_of, find_or_create_user};
use crate::models::User;
use crate::oauth2::Store;
use crate::session::{Csrf, Sessions, SiteSession};
use crate::templates::{self, ClientCard, Page};

scope!(
    /// `/api/me` requires the `profile` scope.
    pub Profile = "profile"
);

/// The routes of the site.
pub fn routes() -> Vec<Route> {
    routes![
        home,
        login,
        logout_form,
        logout,
        create_client_form,
        create_client,
        authorize,
        authorize_confirm,
        crate::apps::apps,
        crate::apps::revoke,
        end_session,
        end_session_form,
        api_me,
        ping
    ]
}

/// What a page handler may answer.
#[derive(Responder)]
pub enum Answer {
    /// An HTML page.
    Page(Page),
    /// A redirect within the site (303).
    Redirect(Box<Redirect>),
    /// An engine response (redirect to the client, JSON error).
    Engine(oauth_core::OAuth2Response),
}

pub(crate) fn error_page(
    status: Status,
    user: Option<&User>,
    title: &str,
    description: &str,
) -> Answer {
    Answer::Page(Page::with_status(
        status,
        &templates::ErrorPage {
            username: user.map(|u| u.username.clone()),
            title: title.into(),
            description: description.into(),
        },
    ))
}

/// Only a path on this site may be a `next` target (no open redirect).
/// Control characters and white space are refused too: browsers drop tabs
/// and line breaks from a `Location`, so `/\t/evil.example` would lead to
/// `//evil.example`, and a header cannot carry them anyway.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.chars().any(|c| c.is_control() || c.is_whitespace())
    })
    .map(str::to_owned)
}

pub(crate) fn login_redirect(uri: &str, login_hint: Option<&str>) -> Redirect {
    let next = oauth_core::http::form_urlencode(uri);
    match login_hint {
        Some(hint) => Redirect::to(format!(
            "/?next={next}&login_hint={}",
            oauth_core::http::form_urlencode(hint)
        )),
        None => Redirect::to(format!("/?next={next}")),
    }
}

#[get("/?<next>&<login_hint>")]
async fn home(
    user: Option<User>,
    next: Option<&str>,
    login_hint: Option<&str>,
    db: &State<AppDb>,
    sessions: Sessions<'_>,
) -> Page {
    let Some(user) = user else {
        return Page::ok(&templates::Home {
            username: None,
            next: safe_next(next),
            login_hint: login_hint
                .filter(|h| h.chars().count() <= 64 && !h.chars().any(char::is_control))
                .map(str::to_owned),
            clients: Vec::new(),
            oauth1_clients: Vec::new(),
        });
    };
    let secrets = sessions.remembered_secrets();
    let clients = clients_of(&db.0, user.id)
        .await
        .into_iter()
        .map(|c| {
            let metadata = serde_json::from_str::<serde_json::Value>(&c.metadata)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| c.metadata.clone());
            ClientCard {
                name: c.client_name().unwrap_or_else(|| c.client_id.clone()),
                client_secret: secrets.get(&c.client_id).cloned(),
                secret_note: if c.secret_digest.is_none() {
                    "none (public client)"
                } else {
                    "stored hashed; shown only to the session that created the client"
                },
                client_id: c.into_row().client_id,
                metadata,
            }
        })
        .collect();
    let oauth1_clients = crate::oauth1::clients_of(&db.0, user.id)
        .await
        .into_iter()
        .map(crate::oauth1::card)
        .collect();
    Page::ok(&templates::Home {
        username: Some(user.username),
        next: None,
        login_hint: None,
        clients,
        oauth1_clients,
    })
}

#[derive(FromForm)]
struct LoginForm<'r> {
    username: &'r str,
}

/// Logs in. `SameOrigin` refuses a form another site's page posts (login
/// CSRF: `SameSite=Lax` does not stop a top-level cross-site POST, and
/// there is no session yet to hold a CSRF token).
#[post("/?<next>", data = "<form>")]
async fn login(
    _same_origin: SameOrigin,
    form: Form<LoginForm<'_>>,
    next: Option<&str>,
    db: &State<AppDb>,
    oauth: &State<OAuth2<Store>>,
    sessions: Sessions<'_>,
) -> Answer {
    let name = form.username.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return error_page(
            Status::BadRequest,
            None,
            "Invalid username",
            "Use 1 to 64 printable characters.",
        );
    }
    let logged_in = match find_or_create_user(&db.0, name.to_owned()).await {
        Ok(user) => sessions
            .log_in(&user, oauth.server.now())
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match logged_in {
        Ok(()) => Answer::Redirect(Box::new(Redirect::to(
            safe_next(next).unwrap_or_else(|| "/".into()),
        ))),
        Err(e) => {
            tracing::error!("login: {e}");
            error_page(
                Status::ServiceUnavailable,
                None,
                "Try again later",
                "The user database is unavailable.",
            )
        }
    }
}

/// Asks before logging out: a link or an image elsewhere cannot end the
/// session, only this page's form can.
#[get("/logout")]
fn logout_form(user: Option<User>, csrf: Csrf) -> Answer {
    match user {
        None => Answer::Redirect(Box::new(Redirect::to("/"))),
        Some(user) => Answer::Page(Page::ok(&templates::Logout {
            username: Some(user.username),
            csrf_token: csrf.0,
        })),
    }
}

#[derive(FromForm)]
struct LogoutForm<'r> {
    csrf_token: Option<&'r str>,
}

/// Ends the session on the server (a copy of the cookie no longer works),
/// then 303 to `/`.
#[post("/logout", data = "<form>")]
async fn logout(
    _same_origin: SameOrigin,
    user: Option<User>,
    csrf: Csrf,
    form: Form<LogoutForm<'_>>,
    sessions: Sessions<'_>,
) -> Answer {
    if user.is_some() && !csrf.verify(form.csrf_token.unwrap_or_default()) {
        return error_page(
            Status::Forbidden,
            user.as_ref(),
            "Forbidden",
            "The form has expired; reload it and try again.",
        );
    }
    sessions.log_out().await;
    Answer::Redirect(Box::new(Redirect::to("/")))
}

#[get("/create_client")]
fn create_client_form(user: Option<User>, csrf: Csrf, uri: &Origin<'_>) -> Answer {
    match user {
        None => Answer::Redirect(Box::new(login_redirect(&uri.to_string(), None))),
        Some(user) => Answer::Page(Page::ok(&templates::CreateClient {
            username: Some(user.username),
            csrf_token: csrf.0,
            error: None,
        })),
    }
}

#[derive(FromForm)]
struct NewClient<'r> {
    csrf_token: Option<&'r str>,
    client_name: &'r str,
    client_uri: Option<&'r str>,
    scope: Option<&'r str>,
    redirect_uri: Option<&'r str>,
    grant_type: Option<&'r str>,
    response_type: Option<&'r str>,
    token_endpoint_auth_method: Option<&'r str>,
}

fn lines(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[post("/create_client", data = "<form>")]
async fn create_client(
    user: Option<User>,
    csrf: Csrf,
    form: Form<NewClient<'_>>,
    oauth: &State<OAuth2<Store>>,
    sessions: Sessions<'_>,
) -> Answer {
    let Some(user) = user else {
        return Answer::Redirect(Box::new(Redirect::to("/?next=/create_client")));
    };
    if !csrf.verify(form.csrf_token.unwrap_or_default()) {
        return error_page(
            Status::Forbidden,
            Some(&user),
            "Forbidden",
            "The form has expired; reload it and try again.",
        );
    }
    let rerender = |error: String| {
        Answer::Page(Page::with_status(
            Status::BadRequest,
            &templates::CreateClient {
                username: Some(user.username.clone()),
                csrf_token: csrf.0.clone(),
                error: Some(error),
            },
        ))
    };
    let method = match form
        .token_endpoint_auth_method
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => ClientAuthMethod::ClientSecretBasic,
        Some(m) => match ClientAuthMethod::parse(m) {
            Some(m) => m,
            None => {
                return rerender(format!(
                    "Unknown token endpoint authentication method {m:?}."
                ));
            }
        },
    };
    let nonempty = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let metadata = ClientMetadata {
        client_name: nonempty(Some(form.client_name)),
        client_uri: nonempty(form.client_uri),
        scope: nonempty(form.scope),
        redirect_uris: lines(form.redirect_uri),
        grant_types: lines(form.grant_type),
        response_types: lines(form.response_type),
        token_endpoint_auth_method: method,
        ..ClientMetadata::default()
    };
    match oauth
        .server
        .register_client(metadata, Some(user.id.to_string()))
        .await
    {
        Ok(registration) => {
            if let Some(secret) = &registration.client_secret {
                sessions.remember_secret(&registration.record.client_id, secret.secret());
            }
            Answer::Redirect(Box::new(Redirect::to("/")))
        }
        Err(e) => rerender(e.description),
    }
}

#[get("/oauth/authorize")]
async fn authorize(
    session: Option<&SiteSession>,
    auth: OAuth2Authorize<Store>,
    oauth: &State<OAuth2<Store>>,
    csrf: Csrf,
    sessions: Sessions<'_>,
    uri: &Origin<'_>,
) -> Answer {
    let user = session.map(|s| s.user.clone());
    // What the user granted this client before: a confidential client
    // asking for nothing more skips the consent page (never a public one,
    // never with prompt=consent); one asking for more is asked for the
    // rest only. A database failure asks again rather than skipping.
    let remembered = match &user {
        Some(user) => auth
            .remembered_consent(&user.id.to_string())
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("remembered consent unavailable: {e}");
                RememberedConsent::No
            }),
        None => RememberedConsent::No,
    };
    // What the request needs (OpenID Connect's prompt, max_age and
    // id_token_hint included) before any page is shown.
    if let Ok(request) = auth.request() {
        let login = session.map(SiteSession::login);
        match request.interaction(login.as_ref(), oauth.server.now(), remembered.covers()) {
            Err(e) => {
                return Answer::Engine(request.refusal(e).to_response(oauth.server.config()));
            }
            Ok(Interaction::Login) => {
                // A new login: the session ends, the login form comes back
                // here without the prompt=login and max_age it satisfies.
                sessions.log_out().await;
                let back = match request.query_after_login() {
                    Some(query) => format!("{}?{query}", uri.path()),
                    None => uri.to_string(),
                };
                let hint = request.oidc().and_then(|o| o.login_hint.as_deref());
                return Answer::Redirect(Box::new(login_redirect(&back, hint)));
            }
            Ok(Interaction::Grant) => {
                if let Some(session) = session {
                    return Answer::Engine(auth.complete(Consent::LoggedIn(session.login())).await);
                }
            }
            Ok(Interaction::Consent) => {}
        }
    }
    let Some(user) = user else {
        return Answer::Redirect(Box::new(login_redirect(&uri.to_string(), None)));
    };
    match auth.request() {
        Ok(request) => {
            let (asked, already) = match &remembered {
                RememberedConsent::Partly {
                    granted,
                    new_scopes,
                    ..
                } => (new_scopes.clone(), granted.clone()),
                _ => (request.scope.clone(), oauth_core::Scope::empty()),
            };
            Answer::Page(Page::ok(&templates::Authorize {
                username: Some(user.username.clone()),
                client_name: request
                    .client
                    .client_name()
                    .unwrap_or_else(|| request.client.client_id.clone()),
                client_uri: crate::oauth2::client_uri(&request.client),
                scopes: asked.iter().map(templates::describe_scope).collect(),
                already_granted: already.iter().map(templates::describe_scope).collect(),
                redirect_uri: request.redirect_uri.clone(),
                action: uri.to_string(),
                csrf_token: csrf.0,
            }))
        }
        Err(AuthorizationError::Fatal(e)) => error_page(
            Status::BadRequest,
            Some(&user),
            "This authorization request is invalid",
            &format!("{} ({})", e.description, e.code),
        ),
        Err(AuthorizationError::Redirect { .. }) => match auth.error_response() {
            Some(response) => Answer::Engine(response),
            None => error_page(
                Status::InternalServerError,
                Some(&user),
                "Error",
                "Unexpected state.",
            ),
        },
    }
}

#[derive(FromForm)]
struct Decision<'r> {
    csrf_token: Option<&'r str>,
    confirm: Option<&'r str>,
}

#[post("/oauth/authorize", data = "<form>")]
async fn authorize_confirm(
    session: Option<&SiteSession>,
    auth: OAuth2Authorize<Store>,
    csrf: Csrf,
    form: Form<Decision<'_>>,
) -> Answer {
    let Some(session) = session else {
        return error_page(
            Status::Forbidden,
            None,
            "Sign in first",
            "Your session has ended.",
        );
    };
    let user = &session.user;
    if !csrf.verify(form.csrf_token.unwrap_or_default()) {
        return error_page(
            Status::Forbidden,
            Some(user),
            "Forbidden",
            "The consent form has expired; start again from the application.",
        );
    }
    if let Err(AuthorizationError::Fatal(e)) = auth.request() {
        return error_page(
            Status::BadRequest,
            Some(user),
            "This authorization request is invalid",
            &format!("{} ({})", e.description, e.code),
        );
    }
    let consent = if form.confirm == Some("yes") {
        Consent::LoggedIn(session.login())
    } else {
        Consent::Denied
    };
    Answer::Engine(auth.complete(consent).await)
}

/// RP-Initiated Logout 1.0: a valid request ends the session, then goes
/// back to the client's registered `post_logout_redirect_uri` (with
/// `state`) or to a signed-out page; an invalid one changes nothing.
async fn answer_end_session(
    request: &OAuth2Request,
    oauth: &OAuth2<Store>,
    user: Option<User>,
    sessions: Sessions<'_>,
) -> Answer {
    match oauth.server.validate_end_session_request(request).await {
        Err(e) => error_page(
            Status::BadRequest,
            user.as_ref(),
            "This logout request is invalid",
            &format!("{} ({})", e.description, e.code),
        ),
        Ok(end) => {
            sessions.log_out().await;
            match end.redirect_to {
                Some(uri) => Answer::Engine(oauth_core::OAuth2Response::redirect(uri)),
                None => error_page(
                    Status::Ok,
                    None,
                    "Signed out",
                    "You have been signed out of this site.",
                ),
            }
        }
    }
}

#[get("/oauth/end_session")]
async fn end_session(
    request: EngineRequest,
    oauth: &State<OAuth2<Store>>,
    user: Option<User>,
    sessions: Sessions<'_>,
) -> Answer {
    answer_end_session(&request.0, oauth, user, sessions).await
}

#[post("/oauth/end_session", data = "<request>")]
async fn end_session_form(
    request: EngineRequest,
    oauth: &State<OAuth2<Store>>,
    user: Option<User>,
    sessions: Sessions<'_>,
) -> Answer {
    answer_end_session(&request.0, oauth, user, sessions).await
}

/// An unprotected handler: the baseline of the HTTP benchmark.
#[get("/ping")]
fn ping() -> &'static str {
    "pong"
}

/// The user behind the token, read with it (`RequireOAuthUser`: one
/// database read for both).
#[get("/api/me")]
fn api_me(me: RequireOAuthUser<Profile, User>) -> Result<(ContentType, String), GuardError> {
    match &me.user {
        Some(user) => Ok((
            ContentType::JSON,
            serde_json::json!({ "id": user.id, "username": user.username }).to_string(),
        )),
        // Client credentials, or a user deleted since: the token does not
        // reach this resource (RFC 6750 §3.1, with its challenge).
        None => Err(GuardError::insufficient_scope(
            "this token does not act for a user",
        )),
    }
}
