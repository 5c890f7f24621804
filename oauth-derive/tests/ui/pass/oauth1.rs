//! The three OAuth 1.0a derives: one struct by the conventional column
//! names, with every optional role; the others with renamed fields
//! (`#[oauth1(role)]` and `#[diesel(column_name)]`), other column types,
//! and no optional roles.

use diesel::prelude::*;
use oauth_diesel::oauth_core::oauth1::OAuth1Storage;
use oauth_diesel::{
    DbPool, DieselOAuth1Storage, OAuth1Client, OAuth1TemporaryCredential, OAuth1TokenCredential,
};

diesel::table! {
    consumers (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        client_id -> Text,
        client_secret -> Nullable<Text>,
        client_name -> Nullable<Text>,
        default_redirect_uri -> Text,
        default_realms -> Text,
        rsa_public_key -> Nullable<Text>,
    }
}

diesel::table! {
    request_tokens (oauth_token) {
        oauth_token -> Text,
        secret -> Text,
        consumer -> Text,
        callback -> Text,
        verifier_hash -> Nullable<Text>,
        owner -> Nullable<Text>,
        expiry -> Integer,
    }
}

diesel::table! {
    access_tokens (token) {
        token -> Text,
        oauth_token_secret -> Text,
        client_id -> Text,
        user_id -> BigInt,
        realms -> Nullable<Text>,
        issued_at -> BigInt,
    }
}

#[derive(Queryable, Selectable, OAuth1Client)]
#[diesel(table_name = consumers)]
pub struct Consumer {
    pub id: i32,
    pub user_id: Option<i32>,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub client_name: Option<String>,
    // Authlib's single callback column is a list of one.
    #[oauth1(redirect_uris)]
    pub default_redirect_uri: String,
    pub default_realms: String,
    pub rsa_public_key: Option<String>,
}

#[derive(Queryable, Selectable, OAuth1TemporaryCredential)]
#[diesel(table_name = request_tokens)]
pub struct RequestToken {
    pub oauth_token: String,
    #[oauth1(oauth_token_secret)]
    pub secret: String,
    #[oauth1(client_id)]
    pub consumer: String,
    #[diesel(column_name = callback)]
    #[oauth1(oauth_callback)]
    pub callback_uri: String,
    #[oauth1(oauth_verifier_digest)]
    pub verifier_hash: Option<String>,
    #[oauth1(user_id)]
    pub owner: Option<String>,
    #[oauth1(expires_at)]
    pub expiry: i32,
}

#[derive(Queryable, Selectable, OAuth1TokenCredential)]
#[diesel(table_name = access_tokens)]
pub struct AccessToken {
    // Roles follow columns: this field's column is `token`.
    #[diesel(column_name = token)]
    #[oauth1(oauth_token)]
    pub oauth_token: String,
    pub oauth_token_secret: String,
    pub client_id: String,
    pub user_id: i64,
    pub realms: Option<String>,
    pub issued_at: i64,
}

fn is_storage<S: OAuth1Storage>(storage: S) -> S {
    storage
}

pub fn storage(pool: DbPool) -> DieselOAuth1Storage<Consumer, RequestToken, AccessToken> {
    is_storage(DieselOAuth1Storage::new(pool))
}

fn main() {}
