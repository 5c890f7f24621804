//! The pages, as askama templates (HTML-escaped by default).

use askama::Template;
use rocket::Request;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};

/// One client on the home page.
pub struct ClientCard {
    pub name: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub secret_note: &'static str,
    pub metadata: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home {
    pub username: Option<String>,
    pub next: Option<String>,
    /// OpenID Connect's `login_hint`, to fill the login form with.
    pub login_hint: Option<String>,
    pub clients: Vec<ClientCard>,
    pub oauth1_clients: Vec<ClientCard>,
}

/// Logging out is a POST with the session's CSRF token; this page asks.
#[derive(Template)]
#[template(path = "logout.html")]
pub struct Logout {
    pub username: Option<String>,
    pub csrf_token: String,
}

#[derive(Template)]
#[template(path = "create_client.html")]
pub struct CreateClient {
    pub username: Option<String>,
    pub csrf_token: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "authorize.html")]
pub struct Authorize {
    pub username: Option<String>,
    pub client_name: String,
    pub client_uri: Option<String>,
    pub scopes: Vec<String>,
    /// What the user already granted this client, when it asks for more.
    pub already_granted: Vec<String>,
    pub redirect_uri: String,
    pub action: String,
    pub csrf_token: String,
}

/// One client on the connected apps page.
pub struct GrantCard {
    pub client_name: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// When the user first granted it, as a UTC date and time.
    pub since: String,
}

/// The clients a user has granted, each with a revoke button.
#[derive(Template)]
#[template(path = "apps.html")]
pub struct Apps {
    pub username: Option<String>,
    pub csrf_token: String,
    pub grants: Vec<GrantCard>,
}

/// The OAuth 1.0a consent page (RFC 5849 §2.2).
#[derive(Template)]
#[template(path = "oauth1_authorize.html")]
pub struct OAuth1Authorize {
    pub username: Option<String>,
    pub client_name: String,
    pub realms: Vec<String>,
    /// Where the user will be sent; none for `oob` (a code is shown).
    pub callback: Option<String>,
    pub action: String,
    pub csrf_token: String,
}

/// After an OAuth 1.0a decision with an `oob` callback: the verifier to
/// type into the client, or (none) the denial.
#[derive(Template)]
#[template(path = "oauth1_verifier.html")]
pub struct OAuth1Verifier {
    pub username: Option<String>,
    pub client_name: String,
    pub verifier: Option<String>,
}

/// A device authorization awaiting the user's decision.
pub struct PendingDevice {
    pub client_name: String,
    pub scopes: Vec<String>,
    pub user_code: String,
}

#[derive(Template)]
#[template(path = "activate.html")]
pub struct Activate {
    pub username: Option<String>,
    pub csrf_token: String,
    pub user_code: String,
    pub pending: Option<PendingDevice>,
    pub error: Option<String>,
    pub message: Option<String>,
    pub show_form: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub username: Option<String>,
    pub title: String,
    pub description: String,
}

/// A rendered page with its status; consent pages may not be framed.
pub struct Page {
    pub status: Status,
    pub html: Result<String, askama::Error>,
    pub deny_framing: bool,
}

impl Page {
    pub fn ok(t: &impl Template) -> Page {
        Page::with_status(Status::Ok, t)
    }

    pub fn with_status(status: Status, t: &impl Template) -> Page {
        Page {
            status,
            html: t.render(),
            deny_framing: true,
        }
    }
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let html = self.html.map_err(|e| {
            tracing::error!("template: {e}");
            Status::InternalServerError
        })?;
        let mut r = Response::build();
        // No Referer to the links a page shows (the consent page links the
        // client's home page): the URL of an authorization request carries
        // its `state` and PKCE challenge (RFC 9700 §4.2.2).
        r.status(self.status)
            .header(ContentType::HTML)
            .header(Header::new("Cache-Control", "no-store"))
            .header(Header::new("Referrer-Policy", "no-referrer"))
            .sized_body(html.len(), std::io::Cursor::new(html));
        if self.deny_framing {
            r.header(Header::new("X-Frame-Options", "DENY"));
            r.header(Header::new(
                "Content-Security-Policy",
                "frame-ancestors 'none'",
            ));
        }
        Ok(r.finalize())
    }
}

/// Describes a scope token in words for the consent page.
pub fn describe_scope(token: &str) -> String {
    match token {
        "openid" => "sign you in with your account here".into(),
        "profile" => "see your profile: your user id and username".into(),
        "email" => "see your email address".into(),
        "offline_access" => "keep access while you are away".into(),
        other => format!("use the \u{201c}{other}\u{201d} permission"),
    }
}
