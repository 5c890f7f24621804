use diesel::Queryable;
use oauth_diesel::OAuth2Token;

#[derive(Queryable, OAuth2Token)]
#[diesel(table_name = tokens)]
struct Token {
    client_id: String,
    user_id: Option<i32>,
    token_type: String,
    access_token: String,
    refresh_token: Option<String>,
    scope: String,
    issued_at: i64,
    expires_in: std::time::Duration,
    access_token_revoked_at: Option<i64>,
    refresh_token_revoked_at: Option<i64>,
    grant_id: String,
}

fn main() {}
