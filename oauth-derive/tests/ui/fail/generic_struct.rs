use oauth_diesel::OAuth2Client;

#[derive(OAuth2Client)]
struct Client<S> {
    client_id: String,
    client_secret: S,
    client_metadata: String,
}

fn main() {}
