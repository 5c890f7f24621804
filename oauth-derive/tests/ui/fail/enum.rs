use oauth_diesel::OAuth2AuthorizationCode;

#[derive(OAuth2AuthorizationCode)]
enum AuthorizationCode {
    Pending { code: String },
    Used,
}

fn main() {}
