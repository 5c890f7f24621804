use oauth_diesel::OAuth2Client;

#[derive(OAuth2Client)]
struct Client(String, Option<String>, String);

fn main() {}
