use diesel::Queryable;
use oauth_diesel::OAuth2AuthorizationCode;

#[derive(Queryable, OAuth2AuthorizationCode)]
#[diesel(table_name = codes)]
struct AuthorizationCode {
    #[oauth2(code, client_id)]
    code: String,
    user_id: i32,
    redirect_uri: Option<String>,
    response_type: String,
    scope: String,
    auth_time: i64,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

fn main() {}
