use oauth_diesel::OAuth2Client;

#[derive(OAuth2Client)]
struct Client {
    client_id: String,
    client_secret: Option<String>,
    client_metadata: String,
}

fn main() {}
