//! The four OAuth 2 models with their instants in `TIMESTAMP` columns, read
//! as `chrono::NaiveDateTime` (oauth-diesel's `chrono` feature), so that the
//! storage conformance suite runs on chrono times as on integer seconds, on
//! every backend. Lifetimes and intervals stay integers.

use async_trait::async_trait;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use oauth_core::ClientRecord;
use oauth_diesel::chrono::NaiveDateTime;
use oauth_diesel::{
    Backend, DieselStorage, OAuth2AuthorizationCode, OAuth2Client, OAuth2DeviceCode, OAuth2Grant,
    OAuth2Token,
};

use crate::db::TestDb;
use crate::suite::{TestStorage, TestUser};

diesel::table! {
    ct_client (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        client_id -> Text,
        client_secret -> Nullable<Text>,
        client_id_issued_at -> Timestamp,
        client_secret_expires_at -> Timestamp,
        client_metadata -> Text,
    }
}

diesel::table! {
    ct_token (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        client_id -> Text,
        token_type -> Text,
        access_token -> Text,
        refresh_token -> Nullable<Text>,
        scope -> Text,
        refresh_token_scope -> Text,
        issued_at -> Timestamp,
        expires_in -> BigInt,
        access_token_revoked_at -> Nullable<Timestamp>,
        refresh_token_revoked_at -> Nullable<Timestamp>,
        grant_id -> Text,
        authentication -> Nullable<Text>,
        grant_issued_at -> Nullable<Timestamp>,
        refresh_token_rotated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ct_grant (id) {
        id -> Integer,
        user_id -> Integer,
        client_id -> Text,
        scope -> Text,
        claims -> Text,
        granted_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ct_code (id) {
        id -> Integer,
        user_id -> Integer,
        code -> Text,
        client_id -> Text,
        redirect_uri -> Nullable<Text>,
        response_type -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        auth_time -> Timestamp,
        code_challenge -> Nullable<Text>,
        code_challenge_method -> Nullable<Text>,
        authentication -> Nullable<Text>,
    }
}

diesel::table! {
    ct_device_code (id) {
        id -> Integer,
        device_code -> Text,
        user_code -> Nullable<Text>,
        client_id -> Text,
        user_id -> Nullable<Integer>,
        scope -> Text,
        status -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        polling_interval -> BigInt,
        last_polled_at -> Nullable<Timestamp>,
    }
}

/// A client whose registration times are timestamps.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2Client)]
#[diesel(table_name = ct_client)]
pub struct ChronoClient {
    pub id: i32,
    pub user_id: Option<i32>,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub client_id_issued_at: NaiveDateTime,
    /// "Never" is the epoch, Unix 0.
    pub client_secret_expires_at: NaiveDateTime,
    pub client_metadata: String,
}

/// A token issued and revoked at timestamps, living a number of seconds.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2Token)]
#[diesel(table_name = ct_token)]
pub struct ChronoToken {
    pub id: i32,
    pub user_id: Option<i32>,
    pub client_id: String,
    pub token_type: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
    pub refresh_token_scope: String,
    pub issued_at: NaiveDateTime,
    pub expires_in: i64,
    pub access_token_revoked_at: Option<NaiveDateTime>,
    pub refresh_token_revoked_at: Option<NaiveDateTime>,
    pub grant_id: String,
    pub authentication: Option<String>,
    pub grant_issued_at: Option<NaiveDateTime>,
    pub refresh_token_rotated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, OAuth2Grant)]
#[diesel(table_name = ct_grant)]
pub struct ChronoGrant {
    pub id: i32,
    pub user_id: i32,
    pub client_id: String,
    pub scope: String,
    pub claims: String,
    pub granted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A code issued at a timestamp.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2AuthorizationCode)]
#[diesel(table_name = ct_code)]
pub struct ChronoCode {
    pub id: i32,
    pub user_id: i32,
    pub code: String,
    pub client_id: String,
    pub redirect_uri: Option<String>,
    pub response_type: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub auth_time: NaiveDateTime,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub authentication: Option<String>,
}

/// A device code with timestamps, polled at a timestamp every so many
/// seconds.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2DeviceCode)]
#[diesel(table_name = ct_device_code)]
pub struct ChronoDeviceCode {
    pub id: i32,
    pub device_code: String,
    pub user_code: Option<String>,
    pub client_id: String,
    pub user_id: Option<i32>,
    pub scope: String,
    pub status: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub polling_interval: i64,
    pub last_polled_at: Option<NaiveDateTime>,
}

/// The storage over the chrono models.
pub type ChronoStorage = DieselStorage<
    ChronoClient,
    ChronoToken,
    ChronoCode,
    ChronoDeviceCode,
    oauth_diesel::models::SigningKey,
    ChronoGrant,
>;

/// The `ct_*` tables, in each backend's words for a timestamp and a key.
fn ddl(backend: Backend) -> String {
    let (id, ts, options) = match backend {
        Backend::Sqlite => (
            "INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL",
            "TIMESTAMP",
            "",
        ),
        Backend::Postgres => ("SERIAL PRIMARY KEY", "TIMESTAMP", ""),
        // Binary collation, as the standard tables: `APP` is not `app`.
        Backend::Mysql => (
            "INTEGER PRIMARY KEY AUTO_INCREMENT NOT NULL",
            "DATETIME",
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
        ),
    };
    format!(
        "CREATE TABLE ct_client (
            id {id}, user_id INTEGER, client_id VARCHAR(255) NOT NULL UNIQUE,
            client_secret VARCHAR(255), client_id_issued_at {ts} NOT NULL,
            client_secret_expires_at {ts} NOT NULL, client_metadata TEXT NOT NULL) {options};
        CREATE TABLE ct_token (
            id {id}, user_id INTEGER, client_id VARCHAR(255) NOT NULL,
            token_type VARCHAR(40) NOT NULL, access_token VARCHAR(255) NOT NULL UNIQUE,
            refresh_token VARCHAR(255) UNIQUE, scope TEXT NOT NULL,
            refresh_token_scope TEXT NOT NULL, issued_at {ts} NOT NULL,
            expires_in BIGINT NOT NULL, access_token_revoked_at {ts},
            refresh_token_revoked_at {ts}, grant_id VARCHAR(255) NOT NULL,
            authentication TEXT, grant_issued_at {ts}, refresh_token_rotated_at {ts}) {options};
        CREATE TABLE ct_grant (
            id {id}, user_id INTEGER NOT NULL, client_id VARCHAR(255) NOT NULL,
            scope TEXT NOT NULL, claims TEXT NOT NULL, granted_at {ts} NOT NULL,
            updated_at {ts} NOT NULL) {options};
        CREATE UNIQUE INDEX ct_grant_user_client ON ct_grant (user_id, client_id);
        CREATE TABLE ct_code (
            id {id}, user_id INTEGER NOT NULL, code VARCHAR(255) NOT NULL UNIQUE,
            client_id VARCHAR(255) NOT NULL, redirect_uri TEXT,
            response_type VARCHAR(40) NOT NULL, scope TEXT NOT NULL, nonce TEXT,
            auth_time {ts} NOT NULL, code_challenge VARCHAR(128),
            code_challenge_method VARCHAR(16), authentication TEXT) {options};
        CREATE TABLE ct_device_code (
            id {id}, device_code VARCHAR(255) NOT NULL UNIQUE,
            user_code VARCHAR(255) UNIQUE, client_id VARCHAR(255) NOT NULL,
            user_id INTEGER, scope TEXT NOT NULL, status VARCHAR(16) NOT NULL,
            issued_at {ts} NOT NULL, expires_at {ts} NOT NULL,
            polling_interval BIGINT NOT NULL, last_polled_at {ts}) {options};"
    )
}

/// The chrono storage on `db`: the standard migrations (for the support
/// tables), then the `ct_*` tables.
pub fn chrono_storage(db: &TestDb) -> ChronoStorage {
    let storage = ChronoStorage::connect_and_migrate(&db.url)
        .unwrap_or_else(|e| panic!("cannot open {:?} storage: {e}", db.backend()));
    db.connect()
        .batch_execute(&ddl(db.backend()))
        .expect("create the ct_ tables");
    storage
        .check_schema()
        .expect("the chrono models match their tables");
    storage
}

#[async_trait]
impl TestStorage for ChronoStorage {
    async fn add_client(&self, client: ClientRecord) {
        self.insert_client(client, Some("1".into()))
            .await
            .expect("insert client");
    }
    async fn add_user(&self, user: TestUser) {
        crate::suite::insert_test_user(self.pool(), user).await;
    }
}
