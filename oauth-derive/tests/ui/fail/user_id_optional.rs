use diesel::prelude::*;
use oauth_diesel::OAuth2User;

diesel::table! {
    users (id) {
        id -> Nullable<Integer>,
    }
}

#[derive(Queryable, Selectable, OAuth2User)]
#[diesel(table_name = users)]
struct User {
    id: Option<i32>,
}

fn main() {}
