//! The site as an OAuth 1.0a provider (RFC 5849): the standard Diesel
//! storage on the site's pool, client registration for logged-in users
//! (JSON), the consent page, the `oob` verifier page and `/api/oauth1/me`.
//!
//! The credential endpoints (`/oauth1/initiate`, `/oauth1/token`) are the
//! adapter's own routes, mounted in [`crate::rocket_from`].

use diesel::prelude::*;
use oauth_core::oauth1::rfc5849::signature::check_rsa_public_key;
use oauth_core::oauth1::{
    OAuth1Authorization, OAuth1Client as _, OAuth1ClientRecord, OAuth1ErrorCode, OAuth1Server,
    OAuth1TemporaryCredential as _,
};
use oauth_core::rocket::{OAuth1, OAuth1Authorize, OAuth1Fairing, RequireOAuth1};
use oauth_core::secrets;
use oauth_core::{Consent, OAuth2Response};
use oauth_diesel::DbPool;
use oauth_diesel::models::OAuth1Client;
use rocket::data::{Data, ToByteUnit};
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::form::{Form, FromForm};
use rocket::http::uri::Origin;
use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use crate::db::{AppDb, try_find_user};
use crate::models::User;
use crate::routes::Answer;
use crate::session::Csrf;
use crate::templates::{self, ClientCard, Page};

/// The OAuth 1.0a storage: the standard tables.
pub type Store = oauth_diesel::StandardOAuth1Storage;

/// The routes of the OAuth 1.0a pages and API.
pub fn routes() -> Vec<Route> {
    routes![register, authorize, authorize_decide, api_me, api_me_post]
}

/// The example's `[oauth1]` defaults under whatever the figment sets:
/// insecure transport (local development over plain HTTP, as for OAuth
/// 2.0), the three signature methods the contract lists (HMAC-SHA1,
/// RSA-SHA1, PLAINTEXT; the engine's default is HMAC-SHA1 only), and the
/// 300-second timestamp window.
pub fn with_defaults(figment: Figment) -> Figment {
    figment
        .join(Serialized::default("oauth1.insecure_transport", true))
        .join(Serialized::default(
            "oauth1.signature_methods",
            ["HMAC-SHA1", "RSA-SHA1", "PLAINTEXT"],
        ))
        .join(Serialized::default("oauth1.timestamp_window", 300))
}

/// The OAuth 1.0a fairing of the site (after the database fairing).
pub fn fairing() -> OAuth1Fairing<Store> {
    OAuth1::fairing(|rocket, config| {
        let pool = rocket
            .state::<AppDb>()
            .ok_or("the database fairing must be attached first")?
            .0
            .clone();
        OAuth1Server::new(Store::new(pool), config).map_err(|e| e.to_string())
    })
}

/// The OAuth 1.0a clients a user registered.
pub async fn clients_of(pool: &DbPool, user_id: i32) -> Vec<OAuth1Client> {
    use oauth_diesel::schema::oauth1_client;
    pool.run(move |conn| {
        oauth1_client::table
            .filter(oauth1_client::user_id.eq(user_id))
            .order(oauth1_client::id)
            .select(OAuth1Client::as_select())
            .load(conn)
    })
    .await
    .unwrap_or_default()
}

/// A client's card on the home page. OAuth 1.0a secrets are HMAC keys,
/// stored in clear (the server recomputes the MAC), so unlike OAuth 2.0
/// secrets they can be shown again.
pub fn card(client: OAuth1Client) -> ClientCard {
    let metadata = json!({
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris(),
        "default_realms": client.default_realms(),
        "rsa_public_key": client.rsa_public_key,
        "signature_methods": signature_methods(
            !client.client_secret.is_empty(),
            client.rsa_public_key.is_some(),
        ),
    });
    ClientCard {
        name: client
            .client_name
            .clone()
            .unwrap_or_else(|| client.client_id.clone()),
        client_secret: (!client.client_secret.is_empty()).then(|| client.client_secret.clone()),
        secret_note: "none (RSA-SHA1 only)",
        client_id: client.client_id,
        metadata: serde_json::to_string_pretty(&metadata).unwrap_or_default(),
    }
}

fn signature_methods(secret: bool, rsa: bool) -> Vec<&'static str> {
    let mut methods = Vec::new();
    if secret {
        methods.extend(["HMAC-SHA1", "PLAINTEXT"]);
    }
    if rsa {
        methods.push("RSA-SHA1");
    }
    methods
}

// ---------------------------------------------------------------------------
// Registration.

type Json = (Status, (ContentType, String));

fn json_answer(status: Status, body: &Value) -> Json {
    (status, (ContentType::JSON, body.to_string()))
}

fn json_error(status: Status, error: &str, description: &str) -> Json {
    json_answer(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

fn invalid(description: &str) -> Json {
    json_error(Status::BadRequest, "invalid_client_metadata", description)
}

/// Whether `uri` can be a registered callback: absolute
/// (`scheme://authority...`), no fragment, no whitespace or controls
/// (`oob` needs no registration, RFC 5849 §2.1).
fn is_callback_uri(uri: &str) -> bool {
    uri.split_once("://").is_some_and(|(scheme, rest)| {
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !rest.is_empty()
            && !rest.starts_with(['/', '?', '#'])
    }) && !uri.contains('#')
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A list of strings from the JSON `field`, each checked by `valid`.
fn string_list(
    body: &Value,
    field: &str,
    valid: impl Fn(&str) -> bool,
) -> Result<Vec<String>, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item.as_str() {
                Some(s) if valid(s) => Ok(s.to_owned()),
                _ => Err(format!("{field}: invalid entry {item}")),
            })
            .collect(),
        Some(_) => Err(format!("{field} must be an array of strings")),
    }
}

/// Checks the registration JSON and makes the client record (with a new
/// id and secret).
fn client_record(body: &Value) -> Result<OAuth1ClientRecord, String> {
    if !body.is_object() {
        return Err("the body must be a JSON object".into());
    }
    let client_name = match body.get("client_name") {
        Some(Value::String(name)) => name.trim().to_owned(),
        _ => return Err("client_name is required (a string)".into()),
    };
    if client_name.is_empty()
        || client_name.chars().count() > 100
        || client_name.chars().any(char::is_control)
    {
        return Err("client_name must be 1 to 100 printable characters".into());
    }
    if body.get("redirect_uris").is_none() {
        return Err(
            "redirect_uris is required (an array; it may be empty for oob-only clients)".into(),
        );
    }
    let redirect_uris = string_list(body, "redirect_uris", is_callback_uri)?;
    let default_realms = string_list(body, "default_realms", |r| {
        !r.is_empty() && r.len() <= 100 && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    })?;
    let rsa_public_key = match body.get("rsa_public_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(pem)) => {
            check_rsa_public_key(pem)
                .map_err(|e| format!("rsa_public_key is not a usable RSA public key: {e}"))?;
            Some(pem.trim().to_owned())
        }
        Some(_) => return Err("rsa_public_key must be a PEM string".into()),
    };
    let mut record = OAuth1ClientRecord::new(
        secrets::random_token(18),
        secrets::random_token(32),
        redirect_uris,
    )
    .with_default_realms(default_realms);
    record.client_name = Some(client_name);
    record.rsa_public_key = rsa_public_key;
    Ok(record)
}

/// Whether the request arrived over TLS, as the OAuth 1.0a adapter sees
/// it (Rocket's TLS, or a trusted `X-Forwarded-Proto`).
struct Secure(bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Secure {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Secure, ()> {
        let secure = req
            .rocket()
            .state::<OAuth1<Store>>()
            .is_some_and(|state| state.engine_request(req, None).secure);
        Outcome::Success(Secure(secure))
    }
}

/// Registers an OAuth 1.0a client for the logged-in user. JSON only: a
/// cross-origin page cannot send JSON with the user's cookie without a
/// CORS preflight, which keeps this session-authenticated endpoint out of
/// reach of forged forms (as `/oauth/register`). The answer carries the
/// secret, so it needs TLS unless insecure transport is on, as the
/// credential endpoints do (RFC 5849 §2.1).
#[post("/oauth1/clients", data = "<data>")]
async fn register(
    user: Option<User>,
    secure: Secure,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    oauth: &State<OAuth1<Store>>,
) -> Json {
    let Some(user) = user else {
        return json_error(
            Status::Unauthorized,
            "access_denied",
            "log in first: clients are registered by a logged-in user",
        );
    };
    if !secure.0 && !oauth.server.config().insecure_transport {
        return json_error(
            Status::BadRequest,
            "insecure_transport",
            "the answer carries a client secret and must use TLS (https)",
        );
    }
    if !content_type.is_some_and(|ct| ct.is_json()) {
        return invalid("the request must be JSON (Content-Type: application/json)");
    }
    // A registration is a few hundred bytes; an RSA key in PEM about 500.
    let body = match data.open(64.kibibytes()).into_string().await {
        Ok(body) if body.is_complete() => body.into_inner(),
        Ok(_) => return invalid("the body is too large"),
        Err(_) => return invalid("the body is not UTF-8"),
    };
    let body: Value = match serde_json::from_str(&body) {
        Ok(body) => body,
        Err(e) => return invalid(&format!("the body is not JSON: {e}")),
    };
    let record = match client_record(&body) {
        Ok(record) => record,
        Err(e) => return invalid(&e),
    };
    let answer = json!({
        "client_id": record.client_id,
        "client_secret": record.client_secret,
        "client_name": record.client_name,
        "redirect_uris": record.redirect_uris,
        "default_realms": record.default_realms,
        "rsa_public_key": record.rsa_public_key,
        "signature_methods": signature_methods(true, record.rsa_public_key.is_some()),
    });
    match oauth
        .server
        .storage()
        .insert_client(record, Some(user.id.to_string()))
        .await
    {
        Ok(()) => json_answer(Status::Created, &answer),
        Err(e) => {
            tracing::error!("OAuth 1 client registration: {e}");
            json_error(
                Status::ServiceUnavailable,
                "temporarily_unavailable",
                "the client could not be stored; try again",
            )
        }
    }
}

// ---------------------------------------------------------------------------
// The consent step (RFC 5849 §2.2).

fn error_page(status: Status, user: Option<&User>, title: &str, description: &str) -> Answer {
    Answer::Page(Page::with_status(
        status,
        &templates::ErrorPage {
            username: user.map(|u| u.username.clone()),
            title: title.into(),
            description: description.into(),
        },
    ))
}

/// The status of a consent-step error page: the engine's, except that
/// "unknown credential" and friends (401 at the API) are a bad link here.
fn page_status(code: OAuth1ErrorCode) -> Status {
    match code {
        OAuth1ErrorCode::ServerError => Status::InternalServerError,
        OAuth1ErrorCode::TemporarilyUnavailable => Status::ServiceUnavailable,
        _ => Status::BadRequest,
    }
}

#[get("/oauth1/authorize")]
async fn authorize(
    user: Option<User>,
    auth: OAuth1Authorize<Store>,
    csrf: Csrf,
    uri: &Origin<'_>,
) -> Answer {
    let Some(user) = user else {
        let next = oauth_core::http::form_urlencode(&uri.to_string());
        return Answer::Redirect(Box::new(Redirect::to(format!("/?next={next}"))));
    };
    match auth.request() {
        Ok(pending) => Answer::Page(Page::ok(&templates::OAuth1Authorize {
            username: Some(user.username.clone()),
            client_name: pending
                .client
                .client_name
                .clone()
                .unwrap_or_else(|| pending.client.client_id.clone()),
            realms: pending.realms(),
            callback: (!pending.is_out_of_band()).then(|| pending.credential.callback().to_owned()),
            action: uri.to_string(),
            csrf_token: csrf.0,
        })),
        Err(e) => error_page(
            page_status(e.code),
            Some(&user),
            "This authorization request is invalid",
            &format!("{} ({})", e.description, e.code),
        ),
    }
}

#[derive(FromForm)]
struct Decision<'r> {
    csrf_token: Option<&'r str>,
    confirm: Option<&'r str>,
}

/// The consent form posts here, to the same URL (its query names the
/// temporary credential).
#[post("/oauth1/authorize", data = "<form>")]
async fn authorize_decide(
    user: Option<User>,
    auth: OAuth1Authorize<Store>,
    csrf: Csrf,
    form: Form<Decision<'_>>,
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
            "The consent form has expired; start again from the application.",
        );
    }
    let client_name = auth
        .request()
        .ok()
        .map(|p| {
            p.client
                .client_name
                .clone()
                .unwrap_or_else(|| p.client.client_id.clone())
        })
        .unwrap_or_default();
    let consent = if form.confirm == Some("yes") {
        Consent::Granted {
            user_id: user.id.to_string(),
        }
    } else {
        Consent::Denied
    };
    match auth.complete(consent).await {
        Ok(redirect @ OAuth1Authorization::Redirect(_)) => Answer::Engine(redirect.to_response()),
        Ok(OAuth1Authorization::ShowVerifier { oauth_verifier, .. }) => {
            Answer::Page(Page::ok(&templates::OAuth1Verifier {
                username: Some(user.username.clone()),
                client_name,
                verifier: Some(oauth_verifier),
            }))
        }
        Ok(OAuth1Authorization::DeniedOutOfBand) => {
            Answer::Page(Page::ok(&templates::OAuth1Verifier {
                username: Some(user.username.clone()),
                client_name,
                verifier: None,
            }))
        }
        Err(e) => error_page(
            page_status(e.code),
            Some(&user),
            "This authorization request is invalid",
            &format!("{} ({})", e.description, e.code),
        ),
    }
}

// ---------------------------------------------------------------------------
// The protected API.

/// The user the credential acts for. A database failure after the request
/// was verified gets the engine's 503 `temporarily_unavailable`, not "no
/// such user".
async fn me(
    access: &RequireOAuth1,
    db: &AppDb,
    oauth: &OAuth1<Store>,
) -> Result<Json, OAuth2Response> {
    let user = match access.user_id.parse() {
        Ok(id) => try_find_user(&db.0, id)
            .await
            .map_err(|e| oauth.server.error_response(&e.into()))?,
        Err(_) => None,
    };
    Ok(match user {
        Some(user) => json_answer(
            Status::Ok,
            &json!({ "id": user.id, "username": user.username }),
        ),
        None => json_error(
            Status::Forbidden,
            "access_denied",
            "this token credential does not act for a user of this site",
        ),
    })
}

/// The resource owner of the token credential the request is signed with.
#[get("/api/oauth1/me")]
async fn api_me(
    access: RequireOAuth1,
    db: &State<AppDb>,
    oauth: &State<OAuth1<Store>>,
) -> Result<Json, OAuth2Response> {
    me(&access, db, oauth).await
}

/// The same for a `POST`, whose form-encoded body (and protocol parameters
/// in it, RFC 5849 §3.5.2) the signature covers: the guard is the data
/// guard so that it can read the body.
#[post("/api/oauth1/me", data = "<access>")]
async fn api_me_post(
    access: RequireOAuth1,
    db: &State<AppDb>,
    oauth: &State<OAuth1<Store>>,
) -> Result<Json, OAuth2Response> {
    me(&access, db, oauth).await
}
