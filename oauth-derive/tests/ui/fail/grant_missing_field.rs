use diesel::prelude::*;
use oauth_diesel::OAuth2Grant;

diesel::table! {
    grants (id) {
        id -> Integer,
        user_id -> Integer,
        client_id -> Text,
        scope -> Text,
        granted_at -> BigInt,
    }
}

#[derive(Queryable, Selectable, OAuth2Grant)]
#[diesel(table_name = grants)]
struct Grant {
    id: i32,
    user_id: i32,
    client_id: String,
    scope: String,
    granted_at: i64,
}

fn main() {}
