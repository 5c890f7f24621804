//! `#[derive(OAuth2SigningKey)]`: OpenID Connect signing keys and the
//! queries of their rotation (`oauth_core::jose::KeyRing`).

/// Implements [`DieselSigningKey`](crate::DieselSigningKey) for a signing
/// key model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth2_signing_key {
    (
        model: $model:ident,
        table: $table:path,
        kid: $kid_f:ident => $kid_c:path : $kid_t:ty,
        alg: $alg_f:ident => $alg_c:path : $alg_t:ty,
        private_key: $key_f:ident => $key_c:path : $key_t:ty,
        created_at: $created_f:ident => $created_c:path : $created_t:ty,
        signs_from: $from_f:ident => $from_c:path : $from_t:ty,
        signs_until: $until_f:ident => $until_c:path : $until_t:ty,
        published_until: $pub_f:ident => $pub_c:path : $pub_t:ty,
    ) => {
        impl $crate::DieselSigningKey for $model {
            fn to_stored(&self) -> $crate::__private::oauth_core::jose::StoredSigningKey {
                use $crate::__private::{OptTimeColumn, TimeColumn};
                $crate::__private::oauth_core::jose::StoredSigningKey {
                    kid: self.$kid_f.clone(),
                    alg: self.$alg_f.clone(),
                    private_key: self.$key_f.clone(),
                    created_at: TimeColumn::to_unix(&self.$created_f),
                    signs_from: TimeColumn::to_unix(&self.$from_f),
                    signs_until: OptTimeColumn::to_unix(&self.$until_f),
                    published_until: OptTimeColumn::to_unix(&self.$pub_f),
                }
            }

            fn all(
                conn: &mut $crate::AnyConnection,
            ) -> $crate::__private::diesel::QueryResult<::std::vec::Vec<Self>> {
                use $crate::__private::diesel::prelude::*;
                $crate::on_backend!(conn, |conn| $table
                    .select(<Self as $crate::__private::diesel::SelectableHelper<_>>::as_select())
                    .load(conn))
            }

            fn insert(
                conn: &mut $crate::AnyConnection,
                key: &$crate::__private::oauth_core::jose::StoredSigningKey,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::TimeColumn;
                use $crate::__private::diesel::prelude::*;
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $kid_c.eq(&key.kid),
                        $alg_c.eq(&key.alg),
                        $key_c.eq(&key.private_key),
                        $created_c.eq(<$created_t as TimeColumn>::from_unix(key.created_at)?),
                        $from_c.eq(<$from_t as TimeColumn>::from_unix(key.signs_from)?),
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn retire_all_but(
                conn: &mut $crate::AnyConnection,
                except: &str,
                signs_until: i64,
                published_until: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::OptTimeColumn;
                use $crate::__private::diesel::prelude::*;
                $crate::__private::diesel::update(
                    $table.filter($kid_c.ne(except)).filter($until_c.is_null()),
                )
                .set((
                    $until_c.eq(<$until_t as OptTimeColumn>::at(signs_until)?),
                    $pub_c.eq(<$pub_t as OptTimeColumn>::at(published_until)?),
                ))
                .execute(conn)
            }

            fn delete_unpublished(
                conn: &mut $crate::AnyConnection,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::OptTimeColumn;
                use $crate::__private::diesel::prelude::*;
                let now_v = <$pub_t as OptTimeColumn>::at(now)?;
                $crate::__private::diesel::delete($table.filter($pub_c.le(now_v))).execute(conn)
            }
        }
    };
}
