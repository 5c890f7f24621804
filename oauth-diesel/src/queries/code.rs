//! `#[derive(OAuth2AuthorizationCode)]`: the code as the engine reads it,
//! and its queries. Taking a code is a lookup, then a `DELETE` whose
//! affected-row count says who owns it (the storage runs both).

/// Implements `OAuth2AuthorizationCode` and
/// [`DieselAuthorizationCode`](crate::DieselAuthorizationCode) for a code
/// model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth2_authorization_code {
    (
        model: $model:ident,
        table: $table:path,
        code: $code_f:ident => $code_c:path : $code_t:ty,
        client_id: $client_f:ident => $client_c:path : $client_t:ty,
        user_id: $user_f:ident => $user_c:path : $user_t:ty,
        redirect_uri: $redirect_f:ident => $redirect_c:path : $redirect_t:ty,
        response_type: $rtype_f:ident => $rtype_c:path : $rtype_t:ty,
        scope: $scope_f:ident => $scope_c:path : $scope_t:ty,
        auth_time: $auth_f:ident => $auth_c:path : $auth_t:ty,
        code_challenge: $challenge_f:ident => $challenge_c:path : $challenge_t:ty,
        code_challenge_method: $method_f:ident => $method_c:path : $method_t:ty,
        nonce: $($nonce_f:ident => $nonce_c:path : $nonce_t:ty)?,
        authentication: $($authn_f:ident => $authn_c:path : $authn_t:ty)?,
        dpop_jkt: $($jkt_f:ident => $jkt_c:path : $jkt_t:ty)?,
        audience: $($aud_f:ident => $aud_c:path : $aud_t:ty)?,
    ) => {
        impl $crate::__private::oauth_core::OAuth2AuthorizationCode for $model {
            fn client_id(&self) -> &str {
                &self.$client_f
            }
            fn user_id(&self) -> ::std::string::String {
                $crate::__private::OwnerColumn::to_engine(&self.$user_f).unwrap_or_default()
            }
            fn redirect_uri(&self) -> ::std::option::Option<&str> {
                $crate::__private::TextColumn::as_opt_str(&self.$redirect_f)
            }
            fn scope(&self) -> $crate::__private::oauth_core::Scope {
                $crate::__private::oauth_core::Scope::from_stored(&self.$scope_f)
            }
            fn auth_time(&self) -> i64 {
                $crate::__private::TimeColumn::to_unix(&self.$auth_f)
            }
            fn code_challenge(&self) -> ::std::option::Option<&str> {
                self.$challenge_f.as_deref()
            }
            fn code_challenge_method(&self) -> ::std::option::Option<&str> {
                self.$method_f.as_deref()
            }
            fn nonce(&self) -> ::std::option::Option<&str> {
                $crate::__oauth_or!({ $(self.$nonce_f.as_deref())? } else { None })
            }
            fn authentication(
                &self,
            ) -> ::std::option::Option<$crate::__private::oauth_core::Authentication> {
                $crate::__oauth_or!(
                    { $(self.$authn_f.as_deref().and_then(
                        $crate::__private::oauth_core::Authentication::from_json,
                    ))? }
                    else { None }
                )
            }
            fn dpop_jkt(&self) -> ::std::option::Option<&str> {
                $crate::__oauth_or!({ $(self.$jkt_f.as_deref())? } else { None })
            }
            fn audience(&self) -> ::std::vec::Vec<::std::string::String> {
                $crate::__oauth_or!(
                    { $($crate::__private::oauth_core::oauth2::rfc8707::from_stored(
                        self.$aud_f.as_deref(),
                    ))? }
                    else { ::std::vec::Vec::new() }
                )
            }
        }

        impl $crate::DieselAuthorizationCode for $model {
            fn keeps_dpop_jkt() -> bool {
                $crate::__oauth_or!({ $({ let _ = ::std::stringify!($jkt_f); true })? } else { false })
            }

            fn keeps_audience() -> bool {
                $crate::__oauth_or!({ $({ let _ = ::std::stringify!($aud_f); true })? } else { false })
            }

            fn insert(
                conn: &mut $crate::AnyConnection,
                new: &$crate::__private::oauth_core::NewAuthorizationCode,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{TimeColumn, OwnerColumn, TextColumn};
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $code_c.eq(&new.code_digest),
                        $client_c.eq(&new.client_id),
                        $user_c.eq(<$user_t as OwnerColumn>::from_engine(Some(
                            new.user_id.as_str(),
                        ))?),
                        $redirect_c.eq(<$redirect_t as TextColumn>::from_opt(
                            new.redirect_uri.as_deref(),
                        )),
                        $rtype_c.eq(&new.response_type),
                        $scope_c.eq(&new.scope),
                        $auth_c.eq(<$auth_t as TimeColumn>::from_unix(new.auth_time)?),
                        $challenge_c.eq(new.code_challenge.as_deref()),
                        $method_c.eq(new.code_challenge_method.as_deref()),
                        $($nonce_c.eq(new.nonce.as_deref()),)?
                        $($authn_c.eq(new.authentication.as_ref().map(
                            $crate::__private::oauth_core::Authentication::to_json,
                        )),)?
                        $($jkt_c.eq(new.dpop_jkt.as_deref()),)?
                        $($aud_c.eq(new.audience.as_deref()),)?
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_digest(
                conn: &mut $crate::AnyConnection,
                digest: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth_find!(conn, $table, $code_c.eq(digest))
            }

            fn delete_by_digest(
                conn: &mut $crate::AnyConnection,
                digest: &str,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                $crate::__private::diesel::delete($table.filter($code_c.eq(digest))).execute(conn)
            }

            fn delete_issued_before(
                conn: &mut $crate::AnyConnection,
                cutoff: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                let cutoff = <$auth_t as $crate::__private::TimeColumn>::from_unix(cutoff)?;
                $crate::__private::diesel::delete($table.filter($auth_c.le(cutoff))).execute(conn)
            }

            fn delete_of(
                conn: &mut $crate::AnyConnection,
                client_id: ::std::option::Option<&str>,
                user_id: ::std::option::Option<&str>,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                $crate::__oauth_delete_of!(conn, $table, $client_c, $user_c, $user_t, client_id, user_id)
            }
        }
    };
}
