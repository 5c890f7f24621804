//! Time columns of every accepted kind in one model: `TIMESTAMP`s read as
//! `chrono::NaiveDateTime` (oauth-diesel's `chrono` feature) beside
//! integer seconds of either width, and a lifetime whose width differs
//! from its instant's.

use oauth_diesel::chrono::NaiveDateTime;
use diesel::prelude::*;
use oauth_diesel::{OAuth2AuthorizationCode, OAuth2DeviceCode, OAuth2SigningKey, OAuth2Token};

diesel::table! {
    tokens (access_token) {
        client_id -> Text,
        user_id -> Nullable<Integer>,
        token_type -> Text,
        access_token -> Text,
        refresh_token -> Nullable<Text>,
        scope -> Text,
        issued_at -> Timestamp,
        expires_in -> Integer,
        access_token_revoked_at -> Nullable<Timestamp>,
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
        auth_time -> Timestamp,
        code_challenge -> Nullable<Text>,
        code_challenge_method -> Nullable<Text>,
    }
}

diesel::table! {
    device_codes (device_code) {
        device_code -> Text,
        user_code -> Nullable<Text>,
        client_id -> Text,
        user_id -> Nullable<Integer>,
        scope -> Text,
        status -> Text,
        issued_at -> Timestamp,
        expires_at -> Integer,
        polling_interval -> Integer,
        last_polled_at -> Nullable<Timestamp>,
    }
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
    pub issued_at: NaiveDateTime,
    pub expires_in: i32,
    pub access_token_revoked_at: Option<oauth_diesel::chrono::NaiveDateTime>,
    pub refresh_token_revoked_at: Option<i64>,
    pub grant_id: String,
}

#[derive(Queryable, Selectable, OAuth2AuthorizationCode)]
#[diesel(table_name = codes)]
pub struct Code {
    pub code: String,
    pub client_id: String,
    pub user_id: i32,
    pub redirect_uri: Option<String>,
    pub response_type: String,
    pub scope: String,
    pub auth_time: NaiveDateTime,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

#[derive(Queryable, Selectable, OAuth2DeviceCode)]
#[diesel(table_name = device_codes)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: Option<String>,
    pub client_id: String,
    pub user_id: Option<i32>,
    pub scope: String,
    pub status: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: i32,
    pub polling_interval: i32,
    pub last_polled_at: Option<NaiveDateTime>,
}

diesel::table! {
    keys (kid) {
        kid -> Text,
        alg -> Text,
        private_key -> Text,
        created_at -> Timestamp,
        signs_from -> Timestamp,
        signs_until -> Nullable<Timestamp>,
        published_until -> Nullable<BigInt>,
    }
}

#[derive(Queryable, Selectable, OAuth2SigningKey)]
#[diesel(table_name = keys)]
pub struct Key {
    pub kid: String,
    pub alg: String,
    pub private_key: String,
    pub created_at: NaiveDateTime,
    pub signs_from: NaiveDateTime,
    pub signs_until: Option<NaiveDateTime>,
    pub published_until: Option<i64>,
}

fn main() {}
