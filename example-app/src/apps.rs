//! The connected apps page: the clients a user has granted, with their
//! scopes and since when, and a revoke button for each (which revokes every
//! token of that user and client and forgets the consent).

use oauth_core::consent::OAuth2Grant;
use oauth_core::rocket::{OAuth2, SameOrigin};
use oauth_core::{OAuth2Client, OAuth2Storage};
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::http::uri::Origin;
use rocket::response::Redirect;
use rocket::time::OffsetDateTime;
use rocket::{State, get, post};

use crate::models::User;
use crate::oauth2::Store;
use crate::routes::{Answer, error_page, login_redirect};
use crate::session::Csrf;
use crate::templates::{self, GrantCard, Page};

/// A Unix time as `2026-12-03 09:45 UTC`.
fn utc(seconds: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => format!(
            "{}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Err(_) => seconds.to_string(),
    }
}

/// The clients this user has granted, most recent first.
#[get("/account/apps")]
pub async fn apps(
    user: Option<User>,
    csrf: Csrf,
    oauth: &State<OAuth2<Store>>,
    uri: &Origin<'_>,
) -> Answer {
    let Some(user) = user else {
        return Answer::Redirect(Box::new(login_redirect(&uri.to_string(), None)));
    };
    let server = &oauth.server;
    let grants = match server.grants_of(&user.id.to_string()).await {
        Ok(grants) => grants,
        Err(e) => {
            tracing::warn!("grants of user {}: {e}", user.id);
            return error_page(
                Status::ServiceUnavailable,
                Some(&user),
                "Try again later",
                "Your connected apps cannot be read just now.",
            );
        }
    };
    let mut cards = Vec::with_capacity(grants.len());
    for grant in grants {
        // A client deleted since keeps its card (by id), so that what it
        // was granted can still be withdrawn.
        let client = server
            .storage()
            .find_client(grant.client_id())
            .await
            .ok()
            .flatten();
        cards.push(GrantCard {
            client_name: client
                .and_then(|c| c.client_name())
                .unwrap_or_else(|| grant.client_id().to_owned()),
            client_id: grant.client_id().to_owned(),
            scopes: grant
                .scope()
                .iter()
                .map(templates::describe_scope)
                .collect(),
            since: utc(grant.granted_at()),
        });
    }
    Answer::Page(Page::ok(&templates::Apps {
        username: Some(user.username.clone()),
        csrf_token: csrf.0,
        grants: cards,
    }))
}

#[derive(FromForm)]
pub struct RevokeForm<'r> {
    client_id: &'r str,
    csrf_token: Option<&'r str>,
}

/// Withdraws the user's grant to one client, then 303 back to the page.
#[post("/account/apps/revoke", data = "<form>")]
pub async fn revoke(
    _same_origin: SameOrigin,
    user: Option<User>,
    csrf: Csrf,
    form: Form<RevokeForm<'_>>,
    oauth: &State<OAuth2<Store>>,
) -> Answer {
    let Some(user) = user else {
        return error_page(
            Status::Forbidden,
            None,
            "Sign in first",
            "Your session has ended.",
        );
    };
    if !csrf.verify(form.csrf_token.unwrap_or_default()) {
        return error_page(
            Status::Forbidden,
            Some(&user),
            "Forbidden",
            "The form has expired; reload the page and try again.",
        );
    }
    match oauth
        .server
        .revoke_grant_of(&user.id.to_string(), form.client_id)
        .await
    {
        Ok(_) => Answer::Redirect(Box::new(Redirect::to("/account/apps"))),
        Err(e) => {
            tracing::warn!("withdrawing a grant of user {}: {e}", user.id);
            error_page(
                Status::ServiceUnavailable,
                Some(&user),
                "Try again later",
                "The application's access could not be revoked just now; nothing changed.",
            )
        }
    }
}
