//! The OAuth 1.0a derives: `OAuth1Client`, `OAuth1TemporaryCredential` and
//! `OAuth1TokenCredential`, each the oauth-core model trait and the query
//! glue against the struct's table.
//!
//! Lookups by `client_id` and `oauth_token` are exact: the row found must
//! equal the key byte for byte, so that MySQL's PAD SPACE collations
//! (`'a' = 'a '`) behave like the other databases. An optional text column
//! the model lacks refuses a record that has a value for it: storing the
//! rest would change what the credential allows.

/// The row with exactly this key (see the module docs).
#[doc(hidden)]
#[macro_export]
macro_rules! __oauth1_find_exact {
    ($conn:ident, $table:path, $key_c:path, $key_f:ident, $key:ident) => {{
        let found: ::std::option::Option<Self> =
            $crate::__oauth_find!($conn, $table, $key_c.eq($key))?;
        Ok(found.filter(|row| row.$key_f == $key))
    }};
}

/// An optional space-separated list column as a list (empty without it).
#[doc(hidden)]
#[macro_export]
macro_rules! __oauth1_list {
    ($self:ident, $($field:ident)?) => {
        $crate::__oauth_or!(
            { $($crate::__private::split_list(
                $crate::__private::TextColumn::as_opt_str(&$self.$field).unwrap_or_default(),
            ))? }
            else { ::std::vec::Vec::new() }
        )
    };
}

/// Implements `OAuth1Client` and
/// [`DieselOAuth1Client`](crate::DieselOAuth1Client) for a client model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth1_client {
    (
        model: $model:ident,
        table: $table:path,
        client_id: $id_f:ident => $id_c:path : $id_t:ty,
        client_secret: $secret_f:ident => $secret_c:path : $secret_t:ty,
        redirect_uris: $uris_f:ident => $uris_c:path : $uris_t:ty,
        rsa_public_key: $($rsa_f:ident => $rsa_c:path : $rsa_t:ty)?,
        default_realms: $($realms_f:ident => $realms_c:path : $realms_t:ty)?,
        client_name: $($name_f:ident => $name_c:path : $name_t:ty)?,
        user_id: $($owner_f:ident => $owner_c:path : $owner_t:ty)?,
    ) => {
        impl $crate::__private::oauth_core::oauth1::OAuth1Client for $model {
            fn client_id(&self) -> &str {
                &self.$id_f
            }
            fn client_secret(&self) -> &str {
                $crate::__private::TextColumn::as_opt_str(&self.$secret_f).unwrap_or_default()
            }
            fn rsa_public_key(&self) -> ::std::option::Option<&str> {
                $crate::__oauth_or!(
                    { $($crate::__private::TextColumn::as_opt_str(&self.$rsa_f))? }
                    else { ::std::option::Option::None }
                )
            }
            fn redirect_uris(&self) -> ::std::vec::Vec<::std::string::String> {
                $crate::__oauth1_list!(self, $uris_f)
            }
            fn default_realms(&self) -> ::std::vec::Vec<::std::string::String> {
                $crate::__oauth1_list!(self, $($realms_f)?)
            }
            fn client_name(&self) -> ::std::option::Option<::std::string::String> {
                $crate::__oauth_or!(
                    { $($crate::__private::TextColumn::as_opt_str(&self.$name_f)
                        .map(::std::borrow::ToOwned::to_owned))? }
                    else { ::std::option::Option::None }
                )
            }
        }

        impl $crate::DieselOAuth1Client for $model {
            fn find_by_client_id(
                conn: &mut $crate::AnyConnection,
                client_id: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth1_find_exact!(conn, $table, $id_c, $id_f, client_id)
            }

            fn insert(
                conn: &mut $crate::AnyConnection,
                record: &$crate::__private::oauth_core::oauth1::OAuth1ClientRecord,
                owner: ::std::option::Option<&str>,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{OwnerColumn, TextColumn, non_empty};
                let _ = owner;
                let redirect_uris = $crate::__private::join_list(&record.redirect_uris, "redirect URI")?;
                let default_realms = $crate::__private::join_list(&record.default_realms, "realm")?;
                $crate::__oauth_unless!([$($rsa_f)?] {
                    if record.rsa_public_key.is_some() {
                        return Err($crate::__private::no_column_for("OAuth1Client", "rsa_public_key"));
                    }
                });
                $crate::__oauth_unless!([$($realms_f)?] {
                    if non_empty(&default_realms).is_some() {
                        return Err($crate::__private::no_column_for("OAuth1Client", "default_realms"));
                    }
                });
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $id_c.eq(&record.client_id),
                        $secret_c.eq(<$secret_t as TextColumn>::from_opt(non_empty(record.client_secret.secret()))),
                        $uris_c.eq(<$uris_t as TextColumn>::from_opt(non_empty(&redirect_uris))),
                        $($rsa_c.eq(<$rsa_t as TextColumn>::from_opt(record.rsa_public_key.as_deref())),)?
                        $($realms_c.eq(<$realms_t as TextColumn>::from_opt(non_empty(&default_realms))),)?
                        $($name_c.eq(<$name_t as TextColumn>::from_opt(record.client_name.as_deref())),)?
                        $($owner_c.eq(<$owner_t as OwnerColumn>::from_engine(owner)?),)?
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn delete_by_client_id(
                conn: &mut $crate::AnyConnection,
                client_id: &str,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                $crate::__private::diesel::delete($table.filter($id_c.eq(client_id))).execute(conn)
            }
        }
    };
}

/// Implements `OAuth1TemporaryCredential` and
/// [`DieselTemporaryCredential`](crate::DieselTemporaryCredential) for a
/// temporary credential model. Authorizing is one conditional `UPDATE`
/// (not yet authorized, not expired).
#[doc(hidden)]
#[macro_export]
macro_rules! oauth1_temporary_credential {
    (
        model: $model:ident,
        table: $table:path,
        oauth_token: $token_f:ident => $token_c:path : $token_t:ty,
        oauth_token_secret: $secret_f:ident => $secret_c:path : $secret_t:ty,
        client_id: $client_f:ident => $client_c:path : $client_t:ty,
        oauth_callback: $callback_f:ident => $callback_c:path : $callback_t:ty,
        oauth_verifier_digest: $verifier_f:ident => $verifier_c:path : $verifier_t:ty,
        user_id: $user_f:ident => $user_c:path : $user_t:ty,
        realms: $($realms_f:ident => $realms_c:path : $realms_t:ty)?,
        expires_at: $expires_f:ident => $expires_c:path : $expires_t:ty,
    ) => {
        impl $crate::__private::oauth_core::oauth1::OAuth1TemporaryCredential for $model {
            fn oauth_token(&self) -> &str {
                &self.$token_f
            }
            fn oauth_token_secret(&self) -> &str {
                &self.$secret_f
            }
            fn client_id(&self) -> &str {
                &self.$client_f
            }
            fn callback(&self) -> &str {
                &self.$callback_f
            }
            fn verifier_digest(&self) -> ::std::option::Option<&str> {
                self.$verifier_f.as_deref()
            }
            fn user_id(&self) -> ::std::option::Option<::std::string::String> {
                $crate::__private::OwnerColumn::to_engine(&self.$user_f)
            }
            fn realms(&self) -> ::std::vec::Vec<::std::string::String> {
                $crate::__oauth1_list!(self, $($realms_f)?)
            }
            fn expires_at(&self) -> i64 {
                $crate::__private::TimeColumn::to_unix(&self.$expires_f)
            }
        }

        impl $crate::DieselTemporaryCredential for $model {
            fn insert(
                conn: &mut $crate::AnyConnection,
                record: &$crate::__private::oauth_core::oauth1::TemporaryCredentialRecord,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{TimeColumn, OwnerColumn, TextColumn, non_empty};
                $crate::__oauth_unless!([$($realms_f)?] {
                    if non_empty(&record.realms).is_some() {
                        return Err($crate::__private::no_column_for(
                            "OAuth1TemporaryCredential",
                            "realms",
                        ));
                    }
                });
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $token_c.eq(&record.oauth_token),
                        $secret_c.eq(record.oauth_token_secret.secret()),
                        $client_c.eq(&record.client_id),
                        $callback_c.eq(&record.oauth_callback),
                        $verifier_c.eq(record.verifier_digest.as_deref()),
                        $user_c.eq(<$user_t as OwnerColumn>::from_engine(record.user_id.as_deref())?),
                        $expires_c.eq(<$expires_t as TimeColumn>::from_unix(record.expires_at)?),
                        $($realms_c.eq(<$realms_t as TextColumn>::from_opt(non_empty(&record.realms))),)?
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_token(
                conn: &mut $crate::AnyConnection,
                oauth_token: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth1_find_exact!(conn, $table, $token_c, $token_f, oauth_token)
            }

            fn authorize(
                conn: &mut $crate::AnyConnection,
                oauth_token: &str,
                user_id: &str,
                verifier_digest: &str,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{TimeColumn, OwnerColumn};
                let now_v = <$expires_t as TimeColumn>::from_unix(now)?;
                $crate::__private::diesel::update(
                    $table
                        .filter($token_c.eq(oauth_token))
                        .filter($verifier_c.is_null())
                        .filter($expires_c.gt(now_v)),
                )
                .set((
                    $verifier_c.eq(::std::option::Option::Some(verifier_digest)),
                    $user_c.eq(<$user_t as OwnerColumn>::from_engine(
                        ::std::option::Option::Some(user_id),
                    )?),
                ))
                .execute(conn)
            }

            fn delete_by_token(
                conn: &mut $crate::AnyConnection,
                oauth_token: &str,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                $crate::__private::diesel::delete($table.filter($token_c.eq(oauth_token))).execute(conn)
            }

            fn delete_expired(
                conn: &mut $crate::AnyConnection,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                let now_v = <$expires_t as $crate::__private::TimeColumn>::from_unix(now)?;
                $crate::__private::diesel::delete($table.filter($expires_c.le(now_v))).execute(conn)
            }
        }
    };
}

/// Implements `OAuth1TokenCredential` and
/// [`DieselTokenCredential`](crate::DieselTokenCredential) for a token
/// credential model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth1_token_credential {
    (
        model: $model:ident,
        table: $table:path,
        oauth_token: $token_f:ident => $token_c:path : $token_t:ty,
        oauth_token_secret: $secret_f:ident => $secret_c:path : $secret_t:ty,
        client_id: $client_f:ident => $client_c:path : $client_t:ty,
        user_id: $user_f:ident => $user_c:path : $user_t:ty,
        realms: $($realms_f:ident => $realms_c:path : $realms_t:ty)?,
        issued_at: $($issued_f:ident => $issued_c:path : $issued_t:ty)?,
    ) => {
        impl $crate::__private::oauth_core::oauth1::OAuth1TokenCredential for $model {
            fn oauth_token(&self) -> &str {
                &self.$token_f
            }
            fn oauth_token_secret(&self) -> &str {
                &self.$secret_f
            }
            fn client_id(&self) -> &str {
                &self.$client_f
            }
            fn user_id(&self) -> ::std::string::String {
                $crate::__private::OwnerColumn::to_engine(&self.$user_f).unwrap_or_default()
            }
            fn realms(&self) -> ::std::vec::Vec<::std::string::String> {
                $crate::__oauth1_list!(self, $($realms_f)?)
            }
        }

        impl $crate::DieselTokenCredential for $model {
            fn insert(
                conn: &mut $crate::AnyConnection,
                record: &$crate::__private::oauth_core::oauth1::TokenCredentialRecord,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                #[allow(unused_imports)]
                use $crate::__private::{TimeColumn, OwnerColumn, TextColumn, non_empty};
                $crate::__oauth_unless!([$($realms_f)?] {
                    if non_empty(&record.realms).is_some() {
                        return Err($crate::__private::no_column_for(
                            "OAuth1TokenCredential",
                            "realms",
                        ));
                    }
                });
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $token_c.eq(&record.oauth_token),
                        $secret_c.eq(record.oauth_token_secret.secret()),
                        $client_c.eq(&record.client_id),
                        $user_c.eq(<$user_t as OwnerColumn>::from_engine(
                            ::std::option::Option::Some(record.user_id.as_str()),
                        )?),
                        $($realms_c.eq(<$realms_t as TextColumn>::from_opt(non_empty(&record.realms))),)?
                        $($issued_c.eq(<$issued_t as TimeColumn>::from_unix(record.issued_at)?),)?
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_token(
                conn: &mut $crate::AnyConnection,
                oauth_token: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth1_find_exact!(conn, $table, $token_c, $token_f, oauth_token)
            }

            fn delete_by_token(
                conn: &mut $crate::AnyConnection,
                oauth_token: &str,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                $crate::__private::diesel::delete($table.filter($token_c.eq(oauth_token))).execute(conn)
            }
        }
    };
}
