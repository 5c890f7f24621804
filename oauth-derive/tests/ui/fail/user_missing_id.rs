use diesel::prelude::*;
use oauth_diesel::OAuth2User;

diesel::table! {
    users (username) {
        username -> Text,
    }
}

#[derive(Queryable, Selectable, OAuth2User)]
#[diesel(table_name = users)]
struct User {
    username: String,
}

fn main() {}
