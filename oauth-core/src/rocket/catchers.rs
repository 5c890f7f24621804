//! Catchers that send the refusals of the OAuth guards, and leave every
//! other error of the application to the application.

use rocket::catcher::{self, Catcher};
use rocket::http::Status;
use rocket::request::Request;
use rocket::response::Responder;

use crate::rocket::guard_error::guard_refusal;

/// The status codes an OAuth guard refuses with.
const GUARD_STATUSES: [u16; 5] = [400, 401, 403, 500, 503];

/// Sends the refusal a guard left, or hands the error to `fallback`.
#[derive(Clone)]
struct GuardCatcher {
    fallback: Box<dyn catcher::Handler>,
}

#[rocket::async_trait]
impl catcher::Handler for GuardCatcher {
    async fn handle<'r>(&self, status: Status, req: &'r Request<'_>) -> catcher::Result<'r> {
        match guard_refusal(req, status) {
            Some(refusal) => refusal.respond_to(req),
            None => self.fallback.handle(status, req).await,
        }
    }
}

/// Catchers for 400, 401, 403, 500 and 503 that send the answer a failed
/// OAuth guard prepared: the RFC 6750 one of
/// [`RequireOAuth`](crate::rocket::RequireOAuth) (with its
/// `WWW-Authenticate` challenge), or the RFC 5849 one of
/// [`RequireOAuth1`](crate::rocket::RequireOAuth1). Any other error of
/// those statuses (a handler's own `Status::Unauthorized`, a form that
/// did not parse) is answered as Rocket's default catcher answers it, not
/// made into an OAuth error. A site with catchers of its own wraps them
/// with [`oauth2_catchers_around`] instead.
pub fn oauth2_catchers() -> Vec<Catcher> {
    oauth2_catchers_around(Vec::new())
}

/// The site's own `catchers`, each wrapped so that an OAuth guard's
/// refusal is sent as the guard prepared it and everything else is left to
/// the site's catcher; plus, for the guard statuses the site does not
/// catch, [`oauth2_catchers`]'s fallback to Rocket's default.
///
/// ```
/// use oauth_core::rocket::oauth2_catchers_around;
/// use rocket::response::Redirect;
/// use rocket::{catch, catchers};
///
/// /// The site's pages that need a login answer 401: send the browser to
/// /// the login form. A bearer refusal at the API keeps its RFC 6750 answer.
/// #[catch(401)]
/// fn login_required() -> Redirect {
///     Redirect::to("/login")
/// }
///
/// let rocket = rocket::build().register("/", oauth2_catchers_around(catchers![login_required]));
/// # let _ = rocket;
/// ```
pub fn oauth2_catchers_around(catchers: Vec<Catcher>) -> Vec<Catcher> {
    let mut wrapped: Vec<Catcher> = catchers
        .into_iter()
        .map(|catcher| {
            let mut c = catcher.clone();
            c.handler = Box::new(GuardCatcher {
                fallback: catcher.handler,
            });
            c
        })
        .collect();
    for code in GUARD_STATUSES {
        // A default catcher of the site (`code == None`) takes the codes it
        // did not name; so does Rocket's when there is none.
        let fallback = wrapped
            .iter()
            .find(|c| c.code.is_none())
            .map(|c| c.handler.clone())
            .unwrap_or_else(|| Catcher::default().handler);
        if !wrapped.iter().any(|c| c.code == Some(code)) {
            wrapped.push(Catcher::new(code, GuardCatcher { fallback }));
        }
    }
    wrapped
}
