//! Every derive with every option: all optional roles, `#[oauth2(role)]` on
//! differently named fields, `#[diesel(column_name = ...)]`, extra fields,
//! `i32` timestamps, `String` user ids, `String` secret and redirect URI,
//! and tables reached by a path.

use diesel::prelude::*;
use oauth_diesel::{
    DbPool, DieselStorage, OAuth2AuthorizationCode, OAuth2Client, OAuth2Grant, OAuth2Token,
};

mod schema {
    diesel::table! {
        clients (id) {
            id -> Integer,
            owner -> Text,
            client_id -> Text,
            secret_hash -> Text,
            client_metadata -> Text,
            registered_at -> Integer,
            client_secret_expires_at -> Integer,
            display_name -> Nullable<Text>,
            hmac_key_sealed -> Nullable<Text>,
        }
    }

    diesel::table! {
        tokens (id) {
            id -> BigInt,
            user_id -> Nullable<Text>,
            client_id -> Text,
            token_type -> Text,
            access_hash -> Text,
            refresh_hash -> Nullable<Text>,
            scope -> Text,
            refresh_token_scope -> Text,
            issued_at -> Integer,
            lifetime -> Integer,
            access_token_revoked_at -> Nullable<Integer>,
            refresh_token_revoked_at -> Nullable<Integer>,
            family -> Text,
            user_agent -> Text,
            rotated_at -> Nullable<Integer>,
        }
    }

    diesel::table! {
        consents (id) {
            id -> Integer,
            account -> Text,
            client_id -> Text,
            scope -> Text,
            claims -> Text,
            created -> Integer,
            updated_at -> Integer,
        }
    }

    diesel::table! {
        codes (id) {
            id -> Integer,
            user_id -> Text,
            code_hash -> Text,
            client_id -> Text,
            redirect_uri -> Text,
            response_type -> Text,
            scope -> Text,
            nonce -> Nullable<Text>,
            auth_time -> Integer,
            code_challenge -> Nullable<Text>,
            pkce_method -> Nullable<Text>,
            note -> Text,
        }
    }
}

#[derive(Queryable, Selectable, OAuth2Client)]
#[diesel(table_name = schema::clients)]
pub struct Client {
    pub id: i32,
    #[oauth2(user_id)]
    pub owner: String,
    pub client_id: String,
    // The column has its own name: the role is named for it.
    #[oauth2(client_secret)]
    #[diesel(column_name = secret_hash)]
    pub client_secret: String,
    pub client_metadata: String,
    #[oauth2(client_id_issued_at)]
    pub registered_at: i32,
    pub client_secret_expires_at: i32,
    pub display_name: Option<String>,
    #[oauth2(client_secret_sealed)]
    pub hmac_key_sealed: Option<String>,
}

#[derive(Queryable, Selectable, OAuth2Token)]
#[diesel(table_name = schema::tokens)]
pub struct Token {
    pub id: i64,
    pub user_id: Option<String>,
    pub client_id: String,
    // Found by its column's name, whatever the field is called.
    #[diesel(column_name = token_type)]
    pub kind: String,
    #[oauth2(access_token)]
    pub access_hash: String,
    #[oauth2(refresh_token)]
    pub refresh_hash: Option<String>,
    pub scope: String,
    pub refresh_token_scope: String,
    pub issued_at: i32,
    #[oauth2(expires_in)]
    pub lifetime: i32,
    pub access_token_revoked_at: Option<i32>,
    pub refresh_token_revoked_at: Option<i32>,
    // A role on a field whose column has yet another name.
    #[oauth2(grant_id)]
    #[diesel(column_name = family)]
    pub grant: String,
    pub user_agent: String,
    #[oauth2(refresh_token_rotated_at)]
    pub rotated_at: Option<i32>,
}

#[derive(Queryable, Selectable, OAuth2Grant)]
#[diesel(table_name = schema::consents)]
pub struct Grant {
    pub id: i32,
    #[oauth2(user_id)]
    pub account: String,
    pub client_id: String,
    pub scope: String,
    pub claims: String,
    #[oauth2(granted_at)]
    pub created: i32,
    pub updated_at: i32,
}

#[derive(Queryable, Selectable, OAuth2AuthorizationCode)]
#[diesel(table_name = schema::codes)]
pub struct AuthorizationCode {
    pub id: i32,
    pub user_id: String,
    #[oauth2(code)]
    pub code_hash: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub auth_time: i32,
    pub code_challenge: Option<String>,
    #[oauth2(code_challenge_method)]
    #[diesel(column_name = pkce_method)]
    pub code_challenge_method: Option<String>,
    pub note: String,
}

pub type Storage = DieselStorage<
    Client,
    Token,
    AuthorizationCode,
    oauth_diesel::models::DeviceCode,
    oauth_diesel::models::SigningKey,
    Grant,
>;

// `new` carries the storage's trait bounds, so this checks the three models
// satisfy them (a type alias alone would not).
pub fn storage(pool: DbPool) -> Storage {
    Storage::new(pool)
}

fn main() {}
