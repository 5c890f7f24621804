//! `#[derive(OAuth2Client)]`: the client's columns and its queries.
//!
//! The engine sees a client as a [`LoadedClient`](crate::LoadedClient): the
//! row with its JSON metadata parsed once, when it is loaded.

/// Implements [`DieselClient`](crate::DieselClient) for a client model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth2_client {
    (
        model: $model:ident,
        table: $table:path,
        client_id: $id_f:ident => $id_c:path : $id_t:ty,
        client_secret: $secret_f:ident => $secret_c:path : $secret_t:ty,
        client_metadata: $meta_f:ident => $meta_c:path : $meta_t:ty,
        client_id_issued_at: $($issued_f:ident => $issued_c:path : $issued_t:ty)?,
        client_secret_expires_at: $($expires_f:ident => $expires_c:path : $expires_t:ty)?,
        user_id: $($owner_f:ident => $owner_c:path : $owner_t:ty)?,
        client_secret_sealed: $($sealed_f:ident => $sealed_c:path : $sealed_t:ty)?,
    ) => {
        impl $crate::DieselClient for $model {
            fn client_id(&self) -> &str {
                &self.$id_f
            }

            fn client_secret_digest(&self) -> ::std::option::Option<&str> {
                $crate::__private::TextColumn::as_opt_str(&self.$secret_f)
            }

            fn client_metadata_json(&self) -> &str {
                &self.$meta_f
            }

            fn client_secret_expires_at(&self) -> i64 {
                $crate::__oauth_or!(
                    { $($crate::__private::TimeColumn::to_unix(&self.$expires_f))? } else { 0 }
                )
            }

            fn client_secret_sealed(&self) -> ::std::option::Option<&str> {
                $crate::__oauth_or!(
                    { $(self.$sealed_f.as_deref())? }
                    else { None }
                )
            }

            fn keeps_sealed_secret() -> bool {
                $crate::__oauth_or!({ $({ let _ = ::std::stringify!($sealed_f); true })? } else { false })
            }

            fn find_by_client_id(
                conn: &mut $crate::AnyConnection,
                client_id: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth_find!(conn, $table, $id_c.eq(client_id))
            }

            fn insert(
                conn: &mut $crate::AnyConnection,
                record: &$crate::__private::oauth_core::ClientRecord,
                owner: ::std::option::Option<&str>,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{TimeColumn, OwnerColumn, TextColumn};
                let _ = owner;
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $id_c.eq(&record.client_id),
                        $secret_c.eq(<$secret_t as TextColumn>::from_opt(
                            record.client_secret_digest.as_deref(),
                        )),
                        $meta_c.eq($crate::__private::metadata_json(&record.metadata)?),
                        $($issued_c.eq(<$issued_t as TimeColumn>::from_unix(
                            record.client_id_issued_at,
                        )?),)?
                        $($expires_c.eq(<$expires_t as TimeColumn>::from_unix(
                            record.client_secret_expires_at,
                        )?),)?
                        $($owner_c.eq(<$owner_t as OwnerColumn>::from_engine(owner)?),)?
                        $($sealed_c.eq(record.client_secret_sealed.as_deref()),)?
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn update(
                conn: &mut $crate::AnyConnection,
                client_id: &str,
                metadata: &$crate::__private::oauth_core::ClientMetadata,
                secret: ::std::option::Option<(
                    ::std::option::Option<&str>,
                    ::std::option::Option<&str>,
                )>,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::TextColumn;
                let json = $crate::__private::metadata_json(metadata)?;
                let row = $table.filter($id_c.eq(client_id));
                match secret {
                    ::std::option::Option::None => $crate::__private::diesel::update(row)
                        .set($meta_c.eq(json))
                        .execute(conn),
                    ::std::option::Option::Some((digest, sealed)) => {
                        let _ = sealed;
                        $crate::__private::diesel::update(row)
                            .set((
                                $meta_c.eq(json),
                                $secret_c.eq(<$secret_t as TextColumn>::from_opt(digest)),
                                $($sealed_c.eq(sealed),)?
                            ))
                            .execute(conn)
                    }
                }
            }

            fn delete_by_client_id(
                conn: &mut $crate::AnyConnection,
                client_id: &str,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                $crate::__private::diesel::delete($table.filter($id_c.eq(client_id))).execute(conn)
            }

            fn count_by_owner(
                conn: &mut $crate::AnyConnection,
                owner: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<i64>> {
                let _ = (&conn, owner);
                $crate::__oauth_or!(
                    { $({
                        use $crate::__private::diesel::prelude::*;
                        use $crate::__private::OwnerColumn;
                        let owner = <$owner_t as OwnerColumn>::from_engine(Some(owner))?;
                        $table
                            .filter($owner_c.eq(owner))
                            .count()
                            .get_result::<i64>(conn)
                            .map(Some)
                    })? }
                    else { Ok(None) }
                )
            }
        }
    };
}
