use diesel::Queryable;
use oauth_diesel::OAuth2Client;

#[derive(Queryable, OAuth2Client)]
#[diesel(table_name = clients)]
struct Client {
    client_id: String,
    #[oauth2(secret)]
    secret_digest: Option<String>,
    client_metadata: String,
}

fn main() {}
