//! `#[derive(OAuth2User)]`: the lookup of a site's user by its key, which
//! the storage runs with the token lookup (`UserStorage`).

/// Implements [`DieselUser`](crate::DieselUser) for a user model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth2_user {
    (
        model: $model:ident,
        table: $table:path,
        id: $id_f:ident => $id_c:path : $id_t:ty,
    ) => {
        impl $crate::DieselUser for $model {
            fn find_by_user_id(
                conn: &mut $crate::AnyConnection,
                user_id: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                let id = <$id_t as $crate::__private::OwnerColumn>::from_engine(
                    ::std::option::Option::Some(user_id),
                )?;
                $crate::__oauth_find!(conn, $table, $id_c.eq(id))
            }
        }
    };
}
