//! Three independent mistakes, reported in one compile: two wrong types
//! and a missing field.
use diesel::Queryable;
use oauth_diesel::OAuth2Token;

#[derive(Queryable, OAuth2Token)]
#[diesel(table_name = tokens)]
struct Token {
    client_id: String,
    user_id: Option<i32>,
    token_type: String,
    access_token: i32,
    refresh_token: Option<String>,
    scope: i64,
    issued_at: i64,
    expires_in: i64,
    access_token_revoked_at: Option<i64>,
    refresh_token_revoked_at: Option<i64>,
}

fn main() {}
