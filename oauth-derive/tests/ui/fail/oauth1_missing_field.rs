use diesel::Queryable;
use oauth_diesel::OAuth1TemporaryCredential;

#[derive(Queryable, OAuth1TemporaryCredential)]
#[diesel(table_name = request_tokens)]
struct RequestToken {
    oauth_token: String,
    oauth_token_secret: String,
    client_id: String,
    oauth_callback: String,
    oauth_verifier: Option<String>,
    user_id: Option<i32>,
    expires_at: i64,
}

fn main() {}
