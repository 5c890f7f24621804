//! A site on tables of its own: its `members`, and its `my_clients`,
//! `my_tokens` and `my_codes` with column names and extra columns of its
//! own, mapped to the OAuth roles by the derives. Everything a site needs
//! is here, in one file: the models, the migrations (the framework's
//! support tables beside the site's), the storage check at start-up, the
//! log-in session, the consent page, the registration policy, a handler
//! for the logged-in member's API, and the site's own query on the pool
//! the storage uses.
//!
//! `cargo run -p example-app --example own_tables` serves it on
//! http://127.0.0.1:8000; `tests/tests/own_tables.rs` drives it end to end
//! on SQLite, PostgreSQL and MySQL. The README's "A site on its own tables" walks through it.
//!
//! The models keep every column of their tables, as a site's models do,
//! whether this small site reads each one or not.
#![allow(dead_code)]

use diesel::prelude::*;
use oauth_core::rocket::{
    OAuth2, OAuth2Authorize, RequireOAuthUser, metadata_routes, oauth2_catchers_around,
    oauth2_routes,
};
use oauth_core::{AuthorizationServer, Consent, OAuth2Response, scope};
use oauth_diesel::chrono::NaiveDateTime;
use oauth_diesel::migrations::{MigrationSet, run_migration_sets};
use oauth_diesel::{
    DbPool, DieselStorage, OAuth2AuthorizationCode, OAuth2Client, OAuth2Token, OAuth2User,
};
use rocket::figment::Figment;
use rocket::form::{Form, FromForm};
use rocket::http::{ContentType, Cookie, CookieJar, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Build, Rocket, State, catch, catchers, get, post, routes};
use serde_json::json;

// ---------------------------------------------------------------------------
// The tables and models.

diesel::table! {
    members (id) {
        id -> Integer,
        email -> Text,
        display_name -> Text,
    }
}

diesel::table! {
    my_clients (id) {
        id -> Integer,
        public_id -> Text,
        secret_sha256 -> Nullable<Text>,
        metadata_json -> Text,
        owner -> Nullable<Integer>,
        plan -> Text,
    }
}

diesel::table! {
    my_tokens (id) {
        id -> Integer,
        member_id -> Nullable<Integer>,
        client -> Text,
        kind -> Text,
        access_sha256 -> Text,
        refresh_sha256 -> Nullable<Text>,
        scope -> Text,
        refresh_scope -> Text,
        created -> Timestamp,
        lifetime -> BigInt,
        access_revoked -> Nullable<Timestamp>,
        refresh_revoked -> Nullable<Timestamp>,
        family -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    my_codes (id) {
        id -> Integer,
        code_sha256 -> Text,
        client -> Text,
        member_id -> Integer,
        redirect_uri -> Nullable<Text>,
        response_type -> Text,
        scope -> Text,
        created -> Timestamp,
        challenge -> Nullable<Text>,
        challenge_method -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(members, my_tokens);

/// A member of the site; tokens keep its `id` as their user.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2User)]
#[diesel(table_name = members)]
pub struct Member {
    pub id: i32,
    pub email: String,
    pub display_name: String,
}

/// A client. Columns the derive does not map (`id`, `plan`) are the site's.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2Client)]
#[diesel(table_name = my_clients)]
pub struct MyClient {
    #[oauth2(client_id)]
    pub public_id: String,
    #[oauth2(client_secret)]
    pub secret_sha256: Option<String>,
    #[oauth2(client_metadata)]
    pub metadata_json: String,
    #[oauth2(user_id)]
    pub owner: Option<i32>,
    pub plan: String,
}

/// An issued token.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2Token)]
#[diesel(table_name = my_tokens)]
pub struct MyToken {
    #[oauth2(user_id)]
    pub member_id: Option<i32>,
    #[oauth2(client_id)]
    pub client: String,
    #[oauth2(token_type)]
    pub kind: String,
    #[oauth2(access_token)]
    pub access_sha256: String,
    #[oauth2(refresh_token)]
    pub refresh_sha256: Option<String>,
    pub scope: String,
    #[oauth2(refresh_token_scope)]
    pub refresh_scope: String,
    /// A `TIMESTAMP` (UTC), as chrono reads it.
    #[oauth2(issued_at)]
    pub created: NaiveDateTime,
    /// Seconds: lifetimes stay integers.
    #[oauth2(expires_in)]
    pub lifetime: i64,
    #[oauth2(access_token_revoked_at)]
    pub access_revoked: Option<NaiveDateTime>,
    #[oauth2(refresh_token_revoked_at)]
    pub refresh_revoked: Option<NaiveDateTime>,
    #[oauth2(grant_id)]
    pub family: String,
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2AuthorizationCode)]
#[diesel(table_name = my_codes)]
pub struct MyCode {
    #[oauth2(code)]
    pub code_sha256: String,
    #[oauth2(client_id)]
    pub client: String,
    #[oauth2(user_id)]
    pub member_id: i32,
    pub redirect_uri: Option<String>,
    pub response_type: String,
    pub scope: String,
    #[oauth2(auth_time)]
    pub created: NaiveDateTime,
    #[oauth2(code_challenge)]
    pub challenge: Option<String>,
    #[oauth2(code_challenge_method)]
    pub challenge_method: Option<String>,
}

/// The OAuth storage over the site's models (the device code model stays
/// the standard one, in the support tables).
pub type Store = DieselStorage<MyClient, MyToken, MyCode>;

// ---------------------------------------------------------------------------
// Migrations: the support tables, then the site's.
//
// The site's own set (`migrations/{sqlite,postgres,mysql}`) is embedded by
// the crate that compiles this file (`main.rs`: `site_migrations!`),
// since `embed_migrations!` paths are relative to that crate.

/// The site's tables, one `embed_migrations!` per backend, given the path
/// of `migrations/` from the compiling crate's manifest.
#[macro_export]
macro_rules! site_migrations {
    ($sqlite:literal, $postgres:literal, $mysql:literal) => {{
        const SQLITE: diesel_migrations::EmbeddedMigrations =
            diesel_migrations::embed_migrations!($sqlite);
        const POSTGRES: diesel_migrations::EmbeddedMigrations =
            diesel_migrations::embed_migrations!($postgres);
        const MYSQL: diesel_migrations::EmbeddedMigrations =
            diesel_migrations::embed_migrations!($mysql);
        oauth_diesel::migrations::MigrationSet {
            sqlite: &SQLITE,
            postgres: &POSTGRES,
            mysql: &MYSQL,
        }
    }};
}

/// Connects and migrates: the framework's support tables
/// (`MigrationSet::SUPPORT`: the guessing-limit counters and the device
/// code table) and the site's own, in one call.
pub fn connect(url: &str, site: MigrationSet) -> Result<DbPool, String> {
    let pool = DbPool::connect(url).map_err(|e| e.chain().to_string())?;
    let mut conn = pool.get().map_err(|e| e.chain().to_string())?;
    run_migration_sets(&mut conn, &[MigrationSet::SUPPORT, site]).map_err(|e| e.to_string())?;
    Ok(pool)
}

// ---------------------------------------------------------------------------
// The log-in session: a private cookie with the member's id.

const SESSION: &str = "member";

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Member {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Member, ()> {
        let Some(id) = req
            .cookies()
            .get_private(SESSION)
            .and_then(|c| c.value().parse::<i32>().ok())
        else {
            return Outcome::Forward(Status::Unauthorized);
        };
        let Some(pool) = req.rocket().state::<DbPool>() else {
            return Outcome::Forward(Status::InternalServerError);
        };
        let found = pool
            .run(move |conn| {
                members::table
                    .find(id)
                    .select(Member::as_select())
                    .first(conn)
                    .optional()
            })
            .await;
        match found {
            Ok(Some(member)) => Outcome::Success(member),
            _ => Outcome::Forward(Status::Unauthorized),
        }
    }
}

#[derive(FromForm)]
struct Login {
    email: String,
    name: String,
}

/// Logs in as the member with this email, created if new: an upsert,
/// which Diesel writes per backend (`ON CONFLICT`, `ON DUPLICATE KEY`), so
/// `on_backend!` takes one body per backend, on the pool the storage uses.
#[post("/login", data = "<form>")]
async fn login(pool: &State<DbPool>, cookies: &CookieJar<'_>, form: Form<Login>) -> Redirect {
    let Login { email, name } = form.into_inner();
    let member = pool
        .write(move |conn| {
            let row = (members::email.eq(&email), members::display_name.eq(&name));
            let rename = members::display_name.eq(&name);
            oauth_diesel::on_backend!(conn,
                sqlite: |c| diesel::insert_into(members::table).values(row)
                    .on_conflict(members::email).do_update().set(rename).execute(c),
                postgres: |c| diesel::insert_into(members::table).values(row)
                    .on_conflict(members::email).do_update().set(rename).execute(c),
                mysql: |c| diesel::insert_into(members::table).values(row)
                    .on_conflict(diesel::dsl::DuplicatedKeys).do_update().set(rename).execute(c),
            )?;
            members::table
                .filter(members::email.eq(&email))
                .select(Member::as_select())
                .first(conn)
        })
        .await;
    match member {
        Ok(member) => {
            cookies.add_private(Cookie::new(SESSION, member.id.to_string()));
            Redirect::to("/")
        }
        Err(_) => Redirect::to("/?error=login"),
    }
}

#[get("/")]
fn home(member: Option<Member>) -> RawHtml<String> {
    RawHtml(match member {
        Some(m) => format!("<p>Signed in as {}</p>", html(&m.display_name)),
        None => "<form method=post action=/login><input name=email><input name=name>\
                 <button>Sign in</button></form>"
            .to_owned(),
    })
}

/// The site's own 401 (a page that needs a login) goes to the log-in page;
/// the OAuth guards' 401 keep their RFC 6750 answer
/// (`oauth2_catchers_around`).
#[catch(401)]
fn login_required() -> Redirect {
    Redirect::to("/")
}

// ---------------------------------------------------------------------------
// The authorization endpoint: the consent page and its answer.

scope!(Profile = "profile");

#[get("/oauth/authorize")]
fn authorize(
    member: Member,
    auth: OAuth2Authorize<Store>,
) -> Result<RawHtml<String>, OAuth2Response> {
    let Ok(request) = auth.request() else {
        // A request that cannot be trusted to redirect is answered here
        // (400), never sent to its redirect URI; the others go back there.
        let refusal = auth.error_response();
        return Err(refusal.unwrap_or_else(|| OAuth2Response::json(400, &json!({}))));
    };
    Ok(RawHtml(format!(
        "<p>{} asks {} for: {}</p>\
         <form method=post><button name=decision value=allow>Allow</button>\
         <button name=decision value=deny>Deny</button></form>",
        html(
            &request
                .client
                .client_name()
                .unwrap_or_else(|| request.client.public_id.clone())
        ),
        html(&member.display_name),
        html(&request.scope.to_string()),
    )))
}

#[derive(FromForm)]
struct Decision {
    decision: String,
}

/// The consent form posts back to the same URL; the guard validates the
/// request again from the query. (A real site adds a CSRF token here.)
#[post("/oauth/authorize", data = "<form>")]
async fn decide(
    member: Member,
    auth: OAuth2Authorize<Store>,
    form: Form<Decision>,
) -> OAuth2Response {
    let consent = if form.decision == "allow" {
        Consent::Granted {
            user_id: member.id.to_string(),
        }
    } else {
        Consent::Denied
    };
    auth.complete(consent).await
}

// ---------------------------------------------------------------------------
// The API.

/// The member the token acts for, read with the token.
#[get("/api/profile")]
fn profile(me: RequireOAuthUser<Profile, Member>) -> (ContentType, String) {
    let body = match &me.user {
        Some(m) => json!({ "email": m.email, "name": m.display_name, "client": me.client_id }),
        None => json!({ "email": null, "client": me.client_id }),
    };
    (ContentType::JSON, body.to_string())
}

/// The site's own query on the storage's pool: how many live tokens the
/// signed-in member has given, joined with the site's table.
#[get("/account/tokens")]
async fn my_token_count(
    member: Member,
    pool: &State<DbPool>,
) -> Result<(ContentType, String), Status> {
    let id = member.id;
    let count: i64 = pool
        .run(move |conn| {
            my_tokens::table
                .inner_join(members::table.on(my_tokens::member_id.eq(members::id.nullable())))
                .filter(members::id.eq(id))
                .filter(my_tokens::access_revoked.is_null())
                .count()
                .get_result(conn)
        })
        .await
        .map_err(|_| Status::ServiceUnavailable)?;
    Ok((ContentType::JSON, json!({ "tokens": count }).to_string()))
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ---------------------------------------------------------------------------
// The site.

/// The site on `figment` (its `database_url`, and Rocket's own keys), with
/// its migrations `site`.
pub fn rocket_from(figment: Figment, site: MigrationSet) -> Rocket<Build> {
    rocket::custom(figment)
        .attach(rocket::fairing::AdHoc::try_on_ignite(
            "database",
            move |rocket| async move {
                let url: String = match rocket.figment().extract_inner("database_url") {
                    Ok(url) => url,
                    Err(_) => "sqlite://own_tables.db".into(),
                };
                match connect(&url, site) {
                    Ok(pool) => Ok(rocket.manage(pool)),
                    Err(e) => {
                        tracing::error!("database: {e}");
                        Err(rocket)
                    }
                }
            },
        ))
        .attach(
            OAuth2::fairing(|rocket, config| {
                let pool = rocket.state::<DbPool>().ok_or("no database")?.clone();
                let storage = Store::new(pool);
                // A missing table or column stops the launch here, naming it.
                storage.check_schema().map_err(|e| e.chain().to_string())?;
                AuthorizationServer::new(storage, config).map_err(|e| e.to_string())
            })
            .users::<Member>()
            // Registration (RFC 7591) is closed until a policy opens it:
            // here, to signed-in members, who own what they register.
            .registration(|req| {
                req.cookies()
                    .get_private(SESSION)
                    .map(|c| Some(c.value().to_owned()))
                    .ok_or(Status::Unauthorized)
            }),
        )
        .mount(
            "/",
            routes![home, login, authorize, decide, profile, my_token_count],
        )
        .mount("/oauth", oauth2_routes::<Store>())
        .mount("/", metadata_routes::<Store>())
        .register("/", oauth2_catchers_around(catchers![login_required]))
}
