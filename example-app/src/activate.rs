//! The device flow's verification page (RFC 8628 §3.3): a logged-in user
//! types the code their device shows and approves or denies it.

use oauth_core::oauth2::rfc8628::{PendingDeviceAuthorization, UserCodeError};
use oauth_core::rocket::{ClientAddress, OAuth2};
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::http::uri::Origin;
use rocket::response::Redirect;
use rocket::{Route, State, get, post, routes};

use crate::models::User;
use crate::oauth2::Store;
use crate::routes::Answer;
use crate::session::Csrf;
use crate::templates::{self, Page, PendingDevice, describe_scope};

/// The routes of the verification page.
pub fn routes() -> Vec<Route> {
    routes![activate, activate_decide]
}

fn pending(p: &PendingDeviceAuthorization) -> PendingDevice {
    PendingDevice {
        client_name: p.client_name.clone().unwrap_or_else(|| p.client_id.clone()),
        scopes: p.scope.iter().map(describe_scope).collect(),
        user_code: p.user_code.clone(),
    }
}

fn status_of(e: &UserCodeError) -> Status {
    match e {
        UserCodeError::TooManyAttempts => Status::TooManyRequests,
        UserCodeError::Storage(_) => Status::ServiceUnavailable,
        _ => Status::BadRequest,
    }
}

fn page(
    status: Status,
    user: &User,
    csrf: &Csrf,
    fill: impl FnOnce(&mut templates::Activate),
) -> Answer {
    let mut t = templates::Activate {
        username: Some(user.username.clone()),
        csrf_token: csrf.0.clone(),
        user_code: String::new(),
        pending: None,
        error: None,
        message: None,
        show_form: true,
    };
    fill(&mut t);
    Answer::Page(Page::with_status(status, &t))
}

#[get("/activate?<user_code>")]
async fn activate(
    user: Option<User>,
    user_code: Option<&str>,
    csrf: Csrf,
    uri: &Origin<'_>,
    from: ClientAddress,
    oauth: &State<OAuth2<Store>>,
) -> Answer {
    let Some(user) = user else {
        let next = oauth_core::http::form_urlencode(&uri.to_string());
        return Answer::Redirect(Box::new(Redirect::to(format!("/?next={next}"))));
    };
    let Some(code) = user_code.map(str::trim).filter(|c| !c.is_empty()) else {
        return page(Status::Ok, &user, &csrf, |_| {});
    };
    match oauth
        .server
        .lookup_user_code(&user.id.to_string(), from.0, code)
        .await
    {
        Ok(p) => page(Status::Ok, &user, &csrf, |t| {
            t.user_code = p.user_code.clone();
            t.pending = Some(pending(&p));
        }),
        Err(e) => page(status_of(&e), &user, &csrf, |t| {
            t.user_code = code.to_owned();
            t.error = Some(e.to_string());
        }),
    }
}

#[derive(FromForm)]
struct Decision<'r> {
    csrf_token: Option<&'r str>,
    user_code: Option<&'r str>,
    confirm: Option<&'r str>,
}

#[post("/activate", data = "<form>")]
async fn activate_decide(
    user: Option<User>,
    csrf: Csrf,
    from: ClientAddress,
    form: Form<Decision<'_>>,
    oauth: &State<OAuth2<Store>>,
) -> Answer {
    let Some(user) = user else {
        return Answer::Redirect(Box::new(Redirect::to("/?next=/activate")));
    };
    if !csrf.verify(form.csrf_token.unwrap_or_default()) {
        return page(Status::Forbidden, &user, &csrf, |t| {
            t.error = Some("The form has expired; reload the page and try again.".into());
        });
    }
    let code = form.user_code.unwrap_or_default().trim().to_owned();
    let user_id = user.id.to_string();
    let approve = form.confirm == Some("yes");
    let result = if approve {
        oauth
            .server
            .approve_user_code(&user_id, from.0, &code)
            .await
    } else {
        oauth.server.deny_user_code(&user_id, from.0, &code).await
    };
    // An approval is a grant like the consent page's: listed on
    // /account/apps, where it can be withdrawn. The device has its answer
    // either way; a grant that cannot be recorded is logged.
    if let (true, Ok(p)) = (approve, &result)
        && let Err(e) = oauth
            .server
            .record_grant(&user_id, &p.client_id, &p.scope)
            .await
    {
        tracing::warn!("recording the device grant of user {user_id}: {e}");
    }
    match result {
        Ok(p) => page(Status::Ok, &user, &csrf, |t| {
            t.show_form = false;
            t.message = Some(if approve {
                format!(
                    "Approved: {} can now access your account. You may close this page.",
                    p.client_name.clone().unwrap_or(p.client_id.clone())
                )
            } else {
                "Denied: the device will not get access.".into()
            });
        }),
        Err(e) => page(status_of(&e), &user, &csrf, |t| {
            t.user_code = code;
            t.error = Some(e.to_string());
        }),
    }
}
