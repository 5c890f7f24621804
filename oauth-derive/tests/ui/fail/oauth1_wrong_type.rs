use diesel::Queryable;
use oauth_diesel::{OAuth1Client, OAuth1TemporaryCredential};

#[derive(Queryable, OAuth1Client)]
#[diesel(table_name = consumers)]
struct Consumer {
    client_id: String,
    client_secret: String,
    redirect_uris: Vec<String>,
}

#[derive(Queryable, OAuth1TemporaryCredential)]
#[diesel(table_name = request_tokens)]
struct RequestToken {
    oauth_token: String,
    oauth_token_secret: String,
    client_id: String,
    oauth_callback: String,
    oauth_verifier_digest: Option<String>,
    #[oauth1(user_id)]
    owner: i32,
    expires_at: i64,
}

fn main() {}
