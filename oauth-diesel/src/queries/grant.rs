//! `#[derive(OAuth2Grant)]`: a user's consent to a client, one row per
//! user and client, and its queries. Merging a new consent into the row is
//! the storage's (a lookup, then an update or an insert, in one
//! transaction).

/// Implements `OAuth2Grant` and [`DieselGrant`](crate::DieselGrant) for a
/// grant model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth2_grant {
    (
        model: $model:ident,
        table: $table:path,
        client_id: $client_f:ident => $client_c:path : $client_t:ty,
        user_id: $user_f:ident => $user_c:path : $user_t:ty,
        scope: $scope_f:ident => $scope_c:path : $scope_t:ty,
        claims: $($claims_f:ident => $claims_c:path : $claims_t:ty)?,
        granted_at: $granted_f:ident => $granted_c:path : $granted_t:ty,
        updated_at: $updated_f:ident => $updated_c:path : $updated_t:ty,
    ) => {
        impl $crate::__private::oauth_core::consent::OAuth2Grant for $model {
            fn client_id(&self) -> &str {
                &self.$client_f
            }
            fn user_id(&self) -> ::std::string::String {
                $crate::__private::OwnerColumn::to_engine(&self.$user_f).unwrap_or_default()
            }
            fn scope(&self) -> $crate::__private::oauth_core::Scope {
                $crate::__private::oauth_core::Scope::from_stored(&self.$scope_f)
            }
            fn claims(&self) -> $crate::__private::oauth_core::Scope {
                $crate::__oauth_or!(
                    { $($crate::__private::oauth_core::Scope::from_stored(&self.$claims_f))? }
                    else { $crate::__private::oauth_core::Scope::empty() }
                )
            }
            fn granted_at(&self) -> i64 {
                $crate::__private::TimeColumn::to_unix(&self.$granted_f)
            }
            fn updated_at(&self) -> i64 {
                $crate::__private::TimeColumn::to_unix(&self.$updated_f)
            }
        }

        impl $crate::DieselGrant for $model {
            fn find(
                conn: &mut $crate::AnyConnection,
                user_id: &str,
                client_id: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                use $crate::__private::OwnerColumn;
                // A user id the column cannot hold has no grant.
                let Ok(user) = <$user_t as OwnerColumn>::from_engine(Some(user_id)) else {
                    return Ok(None);
                };
                $crate::__oauth_find!(conn, $table, $user_c.eq(user), $client_c.eq(client_id))
            }

            fn insert(
                conn: &mut $crate::AnyConnection,
                grant: &$crate::__private::oauth_core::consent::GrantRecord,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{OwnerColumn, TimeColumn};
                $crate::__unless_claims_dropped!(grant $(, $claims_f)?);
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $client_c.eq(&grant.client_id),
                        $user_c.eq(<$user_t as OwnerColumn>::from_engine(Some(&grant.user_id))?),
                        $scope_c.eq(&grant.scope),
                        $($claims_c.eq(&grant.claims),)?
                        $granted_c.eq(<$granted_t as TimeColumn>::from_unix(grant.granted_at)?),
                        $updated_c.eq(<$updated_t as TimeColumn>::from_unix(grant.updated_at)?),
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn insert_if_absent(
                conn: &mut $crate::AnyConnection,
                grant: &$crate::__private::oauth_core::consent::GrantRecord,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{OwnerColumn, TimeColumn};
                $crate::__unless_claims_dropped!(grant $(, $claims_f)?);
                let values = (
                    $client_c.eq(&grant.client_id),
                    $user_c.eq(<$user_t as OwnerColumn>::from_engine(Some(&grant.user_id))?),
                    $scope_c.eq(&grant.scope),
                    $($claims_c.eq(&grant.claims),)?
                    $granted_c.eq(<$granted_t as TimeColumn>::from_unix(grant.granted_at)?),
                    $updated_c.eq(<$updated_t as TimeColumn>::from_unix(grant.updated_at)?),
                );
                // One statement, committed at once: no lock is held while
                // another request waits for the row.
                $crate::on_backend!(conn,
                    sqlite: |c| $crate::__private::diesel::insert_or_ignore_into($table)
                        .values(values)
                        .execute(c),
                    postgres: |c| $crate::__private::diesel::insert_into($table)
                        .values(values)
                        .on_conflict_do_nothing()
                        .execute(c),
                    mysql: |c| $crate::__private::diesel::insert_or_ignore_into($table)
                        .values(values)
                        .execute(c),
                )
            }

            fn find_for_update(
                conn: &mut $crate::AnyConnection,
                user_id: &str,
                client_id: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::OwnerColumn;
                let Ok(user) = <$user_t as OwnerColumn>::from_engine(Some(user_id)) else {
                    return Ok(None);
                };
                // SQLite writes one at a time already; the others lock the
                // row until the merge is written.
                $crate::on_backend!(conn,
                    sqlite: |c| $table
                        .filter($user_c.eq(&user))
                        .filter($client_c.eq(client_id))
                        .select(<Self as $crate::__private::diesel::SelectableHelper<_>>::as_select())
                        .get_result(c)
                        .optional(),
                    postgres: |c| $table
                        .filter($user_c.eq(&user))
                        .filter($client_c.eq(client_id))
                        .select(<Self as $crate::__private::diesel::SelectableHelper<_>>::as_select())
                        .for_update()
                        .get_result(c)
                        .optional(),
                    mysql: |c| $table
                        .filter($user_c.eq(&user))
                        .filter($client_c.eq(client_id))
                        .select(<Self as $crate::__private::diesel::SelectableHelper<_>>::as_select())
                        .for_update()
                        .get_result(c)
                        .optional(),
                )
            }

            fn update(
                conn: &mut $crate::AnyConnection,
                grant: &$crate::__private::oauth_core::consent::GrantRecord,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{OwnerColumn, TimeColumn};
                let user = <$user_t as OwnerColumn>::from_engine(Some(&grant.user_id))?;
                $crate::__private::diesel::update(
                    $table
                        .filter($user_c.eq(user))
                        .filter($client_c.eq(&grant.client_id)),
                )
                .set((
                    $scope_c.eq(&grant.scope),
                    $($claims_c.eq(&grant.claims),)?
                    $updated_c.eq(<$updated_t as TimeColumn>::from_unix(grant.updated_at)?),
                ))
                .execute(conn)
            }

            fn of_user(
                conn: &mut $crate::AnyConnection,
                user_id: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::vec::Vec<Self>> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::OwnerColumn;
                let Ok(user) = <$user_t as OwnerColumn>::from_engine(Some(user_id)) else {
                    return Ok(::std::vec::Vec::new());
                };
                $crate::on_backend!(conn, |conn| $table
                    .filter($user_c.eq(&user))
                    .order(($updated_c.desc(), $client_c.desc()))
                    .select(<Self as $crate::__private::diesel::SelectableHelper<_>>::as_select())
                    .load(conn))
            }

            fn delete_of(
                conn: &mut $crate::AnyConnection,
                client_id: ::std::option::Option<&str>,
                user_id: ::std::option::Option<&str>,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                $crate::__oauth_delete_of!(conn, $table, $client_c, $user_c, $user_t, client_id, user_id)
            }

            fn delete_updated_before(
                conn: &mut $crate::AnyConnection,
                before: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                let before = <$updated_t as $crate::__private::TimeColumn>::from_unix(before)?;
                $crate::__private::diesel::delete($table.filter($updated_c.lt(before)))
                    .execute(conn)
            }
        }
    };
}

/// Without a `claims` column, a grant that names claims cannot be stored
/// as given: refused, as a record value without a column always is.
#[doc(hidden)]
#[macro_export]
macro_rules! __unless_claims_dropped {
    ($grant:ident, $claims_f:ident) => {};
    ($grant:ident) => {
        if !$grant.claims.is_empty() {
            return Err($crate::__private::no_column_for("OAuth2Grant", "claims"));
        }
    };
}
