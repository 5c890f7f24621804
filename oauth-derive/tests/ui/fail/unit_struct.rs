use oauth_diesel::OAuth2Token;

#[derive(OAuth2Token)]
struct Token;

fn main() {}
