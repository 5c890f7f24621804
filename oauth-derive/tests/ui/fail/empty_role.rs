use oauth_diesel::OAuth2Client;

#[derive(diesel::Queryable, OAuth2Client)]
#[diesel(table_name = clients)]
struct Client {
    #[oauth2()]
    client_id: String,
    client_secret: Option<String>,
    client_metadata: String,
}

fn main() {}
