//! The user model: its key found by name (`id`) or marked with
//! `#[oauth2(id)]`, as `i32`, `i64` or `String`; the storage then reads
//! tokens with their users (`UserStorage`).

use diesel::prelude::*;
use oauth_diesel::oauth_core::UserStorage;
use oauth_diesel::{DbPool, OAuth2User, StandardStorage};

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
    }
}

diesel::table! {
    accounts (login) {
        login -> Text,
        display_name -> Text,
    }
}

diesel::table! {
    members (member_no) {
        member_no -> BigInt,
    }
}

#[derive(Queryable, Selectable, OAuth2User)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub username: String,
}

#[derive(Queryable, Selectable, OAuth2User)]
#[diesel(table_name = accounts)]
pub struct Account {
    #[oauth2(id)]
    pub login: String,
    pub display_name: String,
}

#[derive(Queryable, Selectable, OAuth2User)]
#[diesel(table_name = members)]
pub struct Member {
    #[oauth2(id)]
    #[diesel(column_name = member_no)]
    pub number: i64,
}

fn reads_users<U: Send + 'static>(_: &impl UserStorage<U>) {}

pub fn storage(pool: DbPool) {
    let storage = StandardStorage::new(pool);
    reads_users::<User>(&storage);
    reads_users::<Account>(&storage);
    reads_users::<Member>(&storage);
}

fn main() {}
