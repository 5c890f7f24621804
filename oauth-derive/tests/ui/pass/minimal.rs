//! The smallest structs each derive accepts: the required roles, by name,
//! and nothing else.

use diesel::prelude::*;
use oauth_diesel::{
    DbPool, DieselStorage, OAuth2AuthorizationCode, OAuth2Client, OAuth2Grant, OAuth2Token,
};

diesel::table! {
    clients (client_id) {
        client_id -> Text,
        client_secret -> Nullable<Text>,
        client_metadata -> Text,
    }
}

diesel::table! {
    tokens (access_token) {
        client_id -> Text,
        user_id -> Nullable<Integer>,
        token_type -> Text,
        access_token -> Text,
        refresh_token -> Nullable<Text>,
        scope -> Text,
        issued_at -> BigInt,
        expires_in -> BigInt,
        access_token_revoked_at -> Nullable<BigInt>,
        refresh_token_revoked_at -> Nullable<BigInt>,
        grant_id -> Text,
    }
}

diesel::table! {
    codes (code) {
        code -> Text,
        client_id -> Text,
        user_id -> Integer,
        redirect_uri -> Nullable<Text>,
        response_type -> Text,
        scope -> Text,
        auth_time -> BigInt,
        code_challenge -> Nullable<Text>,
        code_challenge_method -> Nullable<Text>,
    }
}

diesel::table! {
    grants (user_id, client_id) {
        user_id -> BigInt,
        client_id -> Text,
        scope -> Text,
        granted_at -> BigInt,
        updated_at -> BigInt,
    }
}

#[derive(Queryable, Selectable, OAuth2Grant)]
#[diesel(table_name = grants)]
pub struct Grant {
    pub user_id: i64,
    pub client_id: String,
    pub scope: String,
    pub granted_at: i64,
    pub updated_at: i64,
}

#[derive(Queryable, Selectable, OAuth2Client)]
#[diesel(table_name = clients)]
pub struct Client {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub client_metadata: String,
}

#[derive(Queryable, Selectable, OAuth2Token)]
#[diesel(table_name = tokens)]
pub struct Token {
    pub client_id: String,
    pub user_id: Option<i32>,
    pub token_type: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
    pub issued_at: i64,
    pub expires_in: std::primitive::i64, // spelled with its path
    pub access_token_revoked_at: Option<i64>,
    pub refresh_token_revoked_at: Option<i64>,
    pub grant_id: String,
}

#[derive(Queryable, Selectable, OAuth2AuthorizationCode)]
#[diesel(table_name = codes)]
pub struct AuthorizationCode {
    pub code: String,
    pub client_id: String,
    pub user_id: i32,
    pub redirect_uri: Option<String>,
    pub response_type: String,
    pub scope: String,
    pub auth_time: i64,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

pub fn storage(pool: DbPool) -> DieselStorage<Client, Token, AuthorizationCode> {
    DieselStorage::new(pool)
}

pub type WithGrants = DieselStorage<
    Client,
    Token,
    AuthorizationCode,
    oauth_diesel::models::DeviceCode,
    oauth_diesel::models::SigningKey,
    Grant,
>;

fn main() {}
