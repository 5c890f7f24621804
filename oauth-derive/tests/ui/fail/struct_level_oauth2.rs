use diesel::Queryable;
use oauth_diesel::OAuth2Client;

#[derive(Queryable, OAuth2Client)]
#[diesel(table_name = clients)]
#[oauth2(client_id)]
struct Client {
    client_id: String,
    client_secret: Option<String>,
    client_metadata: String,
}

fn main() {}
