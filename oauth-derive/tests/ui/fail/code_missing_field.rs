use diesel::Queryable;
use oauth_diesel::OAuth2AuthorizationCode;

#[derive(Queryable, OAuth2AuthorizationCode)]
#[diesel(table_name = codes)]
struct AuthorizationCode {
    code: String,
    client_id: String,
    user_id: i32,
    redirect_uri: Option<String>,
    response_type: String,
    scope: String,
    auth_time: i64,
    code_challenge: Option<String>,
}

fn main() {}
