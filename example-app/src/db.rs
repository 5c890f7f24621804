//! The database: `DATABASE_URL` (SQLite by default), migrated at start-up,
//! one pool shared by the site and the OAuth storage.

use std::path::Path;

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::embed_migrations;
use oauth_core::StorageError;
use oauth_diesel::migrations::{MigrationSet, run_migration_sets};
use oauth_diesel::{DbPool, LoadedClient};
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;

use crate::models::{Client, User, sessions, users};

/// The site's own tables (users), per backend.
const SITE: MigrationSet = MigrationSet {
    sqlite: &embed_migrations!("migrations/sqlite"),
    postgres: &embed_migrations!("migrations/postgres"),
    mysql: &embed_migrations!("migrations/mysql"),
};

/// The SQLite file used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://example-app.sqlite";
const SECRET_KEY_FILE: &str = "example-app.secret";

/// The pool, as Rocket state.
pub struct AppDb(pub DbPool);

/// The example's defaults under whatever the figment sets: insecure
/// transport on (local development), the database from `DATABASE_URL`, and
/// a secret key kept in `example-app.secret` so sessions survive restarts.
pub fn with_defaults(figment: Figment) -> Figment {
    let mut figment = figment
        .join(Serialized::default("oauth2.insecure_transport", true))
        // RFC 8707: tokens may be asked for the resource server of
        // `--bin resource-server`.
        .join(Serialized::default(
            "oauth2.resources",
            [std::env::var("RESOURCE_SERVER_URL")
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "http://127.0.0.1:8001".to_owned())],
        ))
        .join(Serialized::default(
            "oauth2.device.verification_uri",
            "/activate",
        ))
        // ID tokens in RS256 by default, ES256 or EdDSA for clients that
        // register them (the contract lists all three).
        .join(Serialized::default(
            "oauth2.signing_keys.additional_algorithms",
            ["ES256", "EdDSA"],
        ));
    if let Ok(url) = std::env::var("DATABASE_URL") {
        figment = figment.join(Serialized::default("database_url", url));
    }
    figment = figment.join(Serialized::default("database_url", DEFAULT_DATABASE_URL));
    // Rocket's own defaults carry an all-zero key, which a release build
    // refuses: only a key someone configured counts.
    let configured = figment
        .extract_inner::<rocket::config::SecretKey>("secret_key")
        .is_ok_and(|key| !key.is_zero());
    if !configured && let Some(key) = persistent_secret_key(Path::new(SECRET_KEY_FILE)) {
        figment = figment.merge(Serialized::default("secret_key", key));
    }
    figment
}

/// A 512-bit key, hex, created on first use.
fn persistent_secret_key(path: &Path) -> Option<String> {
    if let Ok(key) = std::fs::read_to_string(path) {
        let key = key.trim().to_owned();
        if key.len() == 88 {
            return Some(key);
        }
    }
    let key = random_secret_key();
    std::fs::write(path, &key).ok()?;
    Some(key)
}

/// 64 random bytes, standard base64 (88 characters), as Rocket expects.
pub(crate) fn random_secret_key() -> String {
    base64_standard(&oauth_core::secrets::random_token(64))
}

/// Re-encodes URL-safe base64 without padding as standard base64 with it.
fn base64_standard(url_safe: &str) -> String {
    let mut s: String = url_safe
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

/// Connects, runs the OAuth and the site migrations, manages [`AppDb`].
pub fn fairing() -> AdHoc {
    AdHoc::try_on_ignite("Database", |rocket| async move {
        let url: String = match rocket.figment().extract_inner("database_url") {
            Ok(url) => url,
            Err(e) => {
                tracing::error!("database_url: {e}");
                return Err(rocket);
            }
        };
        // The URL may hold the database password: it is logged without it.
        let shown = oauth_diesel::redact_password(&url).into_owned();
        let pool = match DbPool::connect(&url) {
            Ok(pool) => pool,
            Err(e) => {
                tracing::error!("cannot open the database {shown}: {}", e.chain());
                return Err(rocket);
            }
        };
        if let Err(e) = migrate(&pool) {
            tracing::error!("migrations failed on {shown}: {e}");
            return Err(rocket);
        }
        tracing::info!("database: {shown} ({}), migrated", pool.backend().name());
        Ok(rocket.manage(AppDb(pool)))
    })
}

fn migrate(pool: &DbPool) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut conn = pool.get()?;
    run_migration_sets(&mut conn, &[MigrationSet::STANDARD, SITE])?;
    Ok(())
}

/// The user with this name, created if new.
pub async fn find_or_create_user(pool: &DbPool, username: String) -> Result<User, String> {
    pool.write(move |conn| {
        let existing = users::table
            .filter(users::username.eq(&username))
            .select(User::as_select())
            .get_result(conn)
            .optional()?;
        if let Some(user) = existing {
            return Ok(user);
        }
        match diesel::insert_into(users::table)
            .values(users::username.eq(&username))
            .execute(conn)
        {
            Ok(_) | Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e),
        }
        users::table
            .filter(users::username.eq(&username))
            .select(User::as_select())
            .get_result(conn)
    })
    .await
    .map_err(|e| e.to_string())
}

/// The user with this id (`None` also when the database fails: for
/// pages, where a failed lookup is a signed-out visitor).
pub async fn find_user(pool: &DbPool, id: i32) -> Option<User> {
    try_find_user(pool, id).await.ok().flatten()
}

/// The user with this id, or the storage error (for answers that must
/// tell "no such user" from "the database is down").
pub async fn try_find_user(pool: &DbPool, id: i32) -> Result<Option<User>, StorageError> {
    pool.run(move |conn| {
        // On every `/api/me`: narrowed to the concrete connection so that
        // Diesel reuses its prepared statement.
        oauth_diesel::on_backend!(conn, |c| users::table
            .find(id)
            .select(User::as_select())
            .get_result(c)
            .optional())
    })
    .await
}

/// Saves a new session.
pub async fn create_session(
    pool: &DbPool,
    id_digest: String,
    user_id: i32,
    auth_time: i64,
    expires_at: i64,
) -> Result<(), StorageError> {
    pool.write(move |conn| {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&id_digest),
                sessions::user_id.eq(user_id),
                sessions::auth_time.eq(auth_time),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)
            .map(drop)
    })
    .await
}

/// The user and login time of the live session with this id digest, read
/// together: a session whose user is gone, or past its end, is none.
pub async fn find_session(
    pool: &DbPool,
    id_digest: String,
    now: i64,
) -> Result<Option<(User, i64)>, StorageError> {
    pool.run(move |conn| {
        oauth_diesel::on_backend!(conn, |c| sessions::table
            .inner_join(users::table)
            .filter(sessions::id.eq(&id_digest))
            .filter(sessions::expires_at.gt(now))
            .select((User::as_select(), sessions::auth_time))
            .get_result(c)
            .optional())
    })
    .await
}

/// Ends the session with this id digest (no-op if there is none).
pub async fn delete_session(pool: &DbPool, id_digest: String) -> Result<(), StorageError> {
    pool.write(move |conn| {
        diesel::delete(sessions::table.filter(sessions::id.eq(&id_digest)))
            .execute(conn)
            .map(drop)
    })
    .await
}

/// Removes the sessions past their end; how many.
pub async fn delete_expired_sessions(pool: &DbPool, now: i64) -> Result<usize, StorageError> {
    pool.write(move |conn| {
        diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
    })
    .await
}

/// Deletes a user, as a site removing an account does: first what the
/// OAuth tables hold for them (grants, tokens, codes; those tables cannot
/// refer to the site's `users`, so no `ON DELETE CASCADE` reaches them),
/// then the user, whose sessions go with the row (`ON DELETE CASCADE`).
pub async fn delete_user(
    storage: &crate::oauth2::Store,
    user_id: i32,
) -> Result<oauth_core::consent::Withdrawn, StorageError> {
    use oauth_core::consent::GrantStorage;
    let withdrawn = storage.forget_user(&user_id.to_string()).await?;
    storage
        .pool()
        .write(move |conn| {
            diesel::delete(users::table.filter(users::id.eq(user_id)))
                .execute(conn)
                .map(drop)
        })
        .await?;
    Ok(withdrawn)
}

/// The user with this name.
pub async fn find_user_by_name(
    pool: &DbPool,
    username: String,
) -> Result<Option<User>, StorageError> {
    pool.run(move |conn| {
        users::table
            .filter(users::username.eq(username))
            .select(User::as_select())
            .get_result(conn)
            .optional()
    })
    .await
}

/// The OAuth 2.0 clients a user registered.
pub async fn clients_of(pool: &DbPool, user_id: i32) -> Vec<LoadedClient<Client>> {
    use oauth_diesel::schema::oauth2_client;
    pool.run(move |conn| {
        let rows = oauth2_client::table
            .filter(oauth2_client::user_id.eq(user_id))
            .order(oauth2_client::id)
            .select(Client::as_select())
            .load(conn)?;
        Ok(rows.into_iter().map(LoadedClient::new).collect())
    })
    .await
    .unwrap_or_default()
}
