use oauth_diesel::OAuth2Client;

#[derive(diesel::Queryable, OAuth2Client)]
#[diesel(table_name = clients)]
struct Client {
    client_id: String,
    #[oauth2(client_secret)]
    secret_digest: Option<String>,
    client_secret: Option<String>,
    client_metadata: String,
}

fn main() {}
