//! `#[derive(OAuth2Token)]`: the token as the engine reads it, and its
//! queries. Revocation sets a timestamp and never deletes, so that a
//! reused refresh token can still be told apart from an unknown one and
//! revoke its family (RFC 9700 §4.14.2).

/// Implements `OAuth2Token` and [`DieselToken`](crate::DieselToken) for a
/// token model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth2_token {
    (
        model: $model:ident,
        table: $table:path,
        client_id: $client_f:ident => $client_c:path : $client_t:ty,
        user_id: $user_f:ident => $user_c:path : $user_t:ty,
        token_type: $type_f:ident => $type_c:path : $type_t:ty,
        access_token: $access_f:ident => $access_c:path : $access_t:ty,
        refresh_token: $refresh_f:ident => $refresh_c:path : $refresh_t:ty,
        scope: $scope_f:ident => $scope_c:path : $scope_t:ty,
        refresh_token_scope: $($rscope_f:ident => $rscope_c:path : $rscope_t:ty)?,
        issued_at: $issued_f:ident => $issued_c:path : $issued_t:ty,
        expires_in: $expires_f:ident => $expires_c:path : $expires_t:ty,
        access_token_revoked_at: $arev_f:ident => $arev_c:path : $arev_t:ty,
        refresh_token_revoked_at: $rrev_f:ident => $rrev_c:path : $rrev_t:ty,
        grant_id: $grant_f:ident => $grant_c:path : $grant_t:ty,
        authentication: $($authn_f:ident => $authn_c:path : $authn_t:ty)?,
        grant_issued_at: $($gstart_f:ident => $gstart_c:path : $gstart_t:ty)?,
        refresh_token_rotated_at: $($rot_f:ident => $rot_c:path : $rot_t:ty)?,
        dpop_jkt: $($jkt_f:ident => $jkt_c:path : $jkt_t:ty)?,
        audience: $($aud_f:ident => $aud_c:path : $aud_t:ty)?,
        refresh_token_audience: $($raud_f:ident => $raud_c:path : $raud_t:ty)?,
        actor: $($act_f:ident => $act_c:path : $act_t:ty)?,
    ) => {
        impl $crate::__private::oauth_core::OAuth2Token for $model {
            fn client_id(&self) -> &str {
                &self.$client_f
            }
            fn user_id(&self) -> ::std::option::Option<::std::string::String> {
                $crate::__private::OwnerColumn::to_engine(&self.$user_f)
            }
            fn token_type(&self) -> &str {
                &self.$type_f
            }
            fn scope(&self) -> $crate::__private::oauth_core::Scope {
                $crate::__private::oauth_core::Scope::from_stored(&self.$scope_f)
            }
            fn refresh_token_scope(&self) -> $crate::__private::oauth_core::Scope {
                $crate::__oauth_or!(
                    { $($crate::__private::oauth_core::Scope::from_stored(&self.$rscope_f))? }
                    else { $crate::__private::oauth_core::OAuth2Token::scope(self) }
                )
            }
            fn issued_at(&self) -> i64 {
                $crate::__private::TimeColumn::to_unix(&self.$issued_f)
            }
            fn expires_in(&self) -> i64 {
                $crate::__private::IntColumn::to_i64(&self.$expires_f)
            }
            fn has_refresh_token(&self) -> bool {
                self.$refresh_f.is_some()
            }
            fn is_access_token_revoked(&self) -> bool {
                self.$arev_f.is_some()
            }
            fn is_refresh_token_revoked(&self) -> bool {
                self.$rrev_f.is_some()
            }
            fn grant_id(&self) -> &str {
                &self.$grant_f
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
            fn grant_issued_at(&self) -> ::std::option::Option<i64> {
                $crate::__oauth_or!(
                    { $($crate::__private::OptTimeColumn::to_unix(&self.$gstart_f))? }
                    else { None }
                )
            }
            fn refresh_token_revoked_at(&self) -> ::std::option::Option<i64> {
                $crate::__private::OptTimeColumn::to_unix(&self.$rrev_f)
            }
            fn refresh_token_rotated_at(&self) -> ::std::option::Option<i64> {
                $crate::__oauth_or!(
                    { $($crate::__private::OptTimeColumn::to_unix(&self.$rot_f))? }
                    else { None }
                )
            }
            fn dpop_jkt(&self) -> ::std::option::Option<&str> {
                $crate::__oauth_or!(
                    { $(self.$jkt_f.as_deref())? }
                    else { None }
                )
            }
            fn audience(&self) -> ::std::vec::Vec<::std::string::String> {
                $crate::__oauth_or!(
                    { $($crate::__private::oauth_core::oauth2::rfc8707::from_stored(
                        self.$aud_f.as_deref(),
                    ))? }
                    else { ::std::vec::Vec::new() }
                )
            }
            fn refresh_token_audience(&self) -> ::std::vec::Vec<::std::string::String> {
                $crate::__oauth_or!(
                    { $($crate::__private::oauth_core::oauth2::rfc8707::from_stored(
                        self.$raud_f.as_deref(),
                    ))? }
                    else { $crate::__private::oauth_core::OAuth2Token::audience(self) }
                )
            }
            fn actor(&self) -> ::std::option::Option<$crate::__private::serde_json::Value> {
                $crate::__oauth_or!(
                    { $(self.$act_f.as_deref().and_then(|t| $crate::__private::serde_json::from_str(t).ok()))? }
                    else { None }
                )
            }
        }

        impl $crate::DieselToken for $model {
            fn insert(
                conn: &mut $crate::AnyConnection,
                new: &$crate::__private::oauth_core::NewToken,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{IntColumn, OwnerColumn, TimeColumn};
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $client_c.eq(&new.client_id),
                        $user_c.eq(<$user_t as OwnerColumn>::from_engine(new.user_id.as_deref())?),
                        $type_c.eq(&new.token_type),
                        $access_c.eq(&new.access_token_digest),
                        $refresh_c.eq(new.refresh_token_digest.as_deref()),
                        $scope_c.eq(&new.scope),
                        $issued_c.eq(<$issued_t as TimeColumn>::from_unix(new.issued_at)?),
                        $expires_c.eq(<$expires_t as IntColumn>::from_i64(new.expires_in)?),
                        $grant_c.eq(&new.grant_id),
                        $($rscope_c.eq(&new.refresh_token_scope),)?
                        $($authn_c.eq(new.authentication.as_ref().map(
                            $crate::__private::oauth_core::Authentication::to_json,
                        )),)?
                        $($gstart_c.eq(
                            <$gstart_t as $crate::__private::OptTimeColumn>::from_unix_opt(
                                new.grant_issued_at,
                            )?,
                        ),)?
                        $($jkt_c.eq(new.dpop_jkt.as_deref()),)?
                        $($aud_c.eq(new.audience.as_deref()),)?
                        $($raud_c.eq(new.refresh_token_audience.as_deref()),)?
                        $($act_c.eq(new.actor.as_ref().map(|a| a.to_string())),)?
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn find_by_access_digest(
                conn: &mut $crate::AnyConnection,
                digest: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth_find!(conn, $table, $access_c.eq(digest))
            }

            fn find_by_refresh_digest(
                conn: &mut $crate::AnyConnection,
                digest: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth_find!(conn, $table, $refresh_c.eq(digest))
            }

            fn revoke_access(
                conn: &mut $crate::AnyConnection,
                digest: &str,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::OptTimeColumn;
                $crate::__private::diesel::update(
                    $table.filter($access_c.eq(digest)).filter($arev_c.is_null()),
                )
                .set($arev_c.eq(<$arev_t as OptTimeColumn>::at(now)?))
                .execute(conn)
            }

            /// The claim of a rotation: only the caller whose `UPDATE`
            /// found the refresh token unrevoked gets 1.
            fn revoke_refresh_if_active(
                conn: &mut $crate::AnyConnection,
                digest: &str,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::OptTimeColumn;
                let claimed = $crate::__private::diesel::update(
                    $table.filter($refresh_c.eq(digest)).filter($rrev_c.is_null()),
                )
                .set($rrev_c.eq(<$rrev_t as OptTimeColumn>::at(now)?))
                .execute(conn)?;
                $(if claimed > 0 {
                    $crate::__private::diesel::update($table.filter($refresh_c.eq(digest)))
                        .set($rot_c.eq(<$rot_t as OptTimeColumn>::at(now)?))
                        .execute(conn)?;
                })?
                if claimed > 0 {
                    $crate::__private::diesel::update(
                        $table.filter($refresh_c.eq(digest)).filter($arev_c.is_null()),
                    )
                    .set($arev_c.eq(<$arev_t as OptTimeColumn>::at(now)?))
                    .execute(conn)?;
                }
                Ok(claimed)
            }

            fn revoke_grant(
                conn: &mut $crate::AnyConnection,
                grant_id: &str,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::OptTimeColumn;
                let access = $crate::__private::diesel::update(
                    $table.filter($grant_c.eq(grant_id)).filter($arev_c.is_null()),
                )
                .set($arev_c.eq(<$arev_t as OptTimeColumn>::at(now)?))
                .execute(conn)?;
                let refresh = $crate::__private::diesel::update(
                    $table
                        .filter($grant_c.eq(grant_id))
                        .filter($refresh_c.is_not_null())
                        .filter($rrev_c.is_null()),
                )
                .set($rrev_c.eq(<$rrev_t as OptTimeColumn>::at(now)?))
                .execute(conn)?;
                $($crate::__private::diesel::update(
                    $table.filter($grant_c.eq(grant_id)).filter($rot_c.is_not_null()),
                )
                .set($rot_c.eq(<$rot_t as ::std::default::Default>::default()))
                .execute(conn)?;)?
                Ok(access + refresh)
            }

            fn keeps_dpop_jkt() -> bool {
                $crate::__oauth_or!({ $({ let _ = ::std::stringify!($jkt_f); true })? } else { false })
            }

            fn keeps_audience() -> bool {
                $crate::__oauth_or!({ $({ let _ = ::std::stringify!($aud_f); true })? } else { false })
            }

            fn keeps_rotation_time() -> bool {
                $crate::__oauth_or!({ $({ let _ = ::std::stringify!($rot_f); true })? } else { false })
            }

            /// The claim of a grace retry: only the caller whose `UPDATE`
            /// found the rotation time still set, and recent enough, gets 1.
            fn retry_rotated(
                conn: &mut $crate::AnyConnection,
                digest: &str,
                rotated_since: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                $crate::__oauth_or!(
                    { $({
                        use $crate::__private::diesel::prelude::*;
                        use $crate::__private::OptTimeColumn;
                        let _ = ::std::stringify!($rot_f);
                        $crate::__private::diesel::update(
                            $table
                                .filter($refresh_c.eq(digest))
                                .filter($rot_c.ge(<$rot_t as OptTimeColumn>::at(rotated_since)?)),
                        )
                        .set($rot_c.eq(<$rot_t as ::std::default::Default>::default()))
                        .execute(conn)
                    })? }
                    else { { let _ = (conn, digest, rotated_since); Ok(0) } }
                )
            }

            fn revoke_of(
                conn: &mut $crate::AnyConnection,
                client_id: &str,
                user_id: ::std::option::Option<&str>,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{OptTimeColumn, OwnerColumn};
                // A user id the column cannot hold has no tokens.
                let user = match user_id {
                    Some(id) => match <$user_t as OwnerColumn>::from_engine(Some(id)) {
                        Ok(user) => Some(user),
                        Err(_) => return Ok(0),
                    },
                    None => None,
                };
                let access = match &user {
                    Some(user) => $crate::__private::diesel::update(
                        $table
                            .filter($client_c.eq(client_id))
                            .filter($user_c.eq(user))
                            .filter($arev_c.is_null()),
                    )
                    .set($arev_c.eq(<$arev_t as OptTimeColumn>::at(now)?))
                    .execute(conn)?,
                    None => $crate::__private::diesel::update(
                        $table.filter($client_c.eq(client_id)).filter($arev_c.is_null()),
                    )
                    .set($arev_c.eq(<$arev_t as OptTimeColumn>::at(now)?))
                    .execute(conn)?,
                };
                let refresh = match &user {
                    Some(user) => $crate::__private::diesel::update(
                        $table
                            .filter($client_c.eq(client_id))
                            .filter($user_c.eq(user))
                            .filter($refresh_c.is_not_null())
                            .filter($rrev_c.is_null()),
                    )
                    .set($rrev_c.eq(<$rrev_t as OptTimeColumn>::at(now)?))
                    .execute(conn)?,
                    None => $crate::__private::diesel::update(
                        $table
                            .filter($client_c.eq(client_id))
                            .filter($refresh_c.is_not_null())
                            .filter($rrev_c.is_null()),
                    )
                    .set($rrev_c.eq(<$rrev_t as OptTimeColumn>::at(now)?))
                    .execute(conn)?,
                };
                $(match &user {
                    Some(user) => $crate::__private::diesel::update(
                        $table
                            .filter($client_c.eq(client_id))
                            .filter($user_c.eq(user))
                            .filter($rot_c.is_not_null()),
                    )
                    .set($rot_c.eq(<$rot_t as ::std::default::Default>::default()))
                    .execute(conn)?,
                    None => $crate::__private::diesel::update(
                        $table.filter($client_c.eq(client_id)).filter($rot_c.is_not_null()),
                    )
                    .set($rot_c.eq(<$rot_t as ::std::default::Default>::default()))
                    .execute(conn)?,
                };)?
                Ok(access + refresh)
            }

            fn delete_of_user(
                conn: &mut $crate::AnyConnection,
                user_id: &str,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::OwnerColumn;
                let Ok(user) = <$user_t as OwnerColumn>::from_engine(Some(user_id)) else {
                    return Ok(0);
                };
                $crate::__private::diesel::delete($table.filter($user_c.eq(user))).execute(conn)
            }

            /// Expiry is `issued_at + expires_in <= now`. No addition is
            /// made in SQL (a `TIMESTAMP` plus seconds is written
            /// differently by every backend): a site has few distinct
            /// lifetimes, so the tokens of each are deleted by comparing
            /// `issued_at` with `now - lifetime`.
            fn delete_expired(
                conn: &mut $crate::AnyConnection,
                now: i64,
                refresh_lifetime: ::std::option::Option<i64>,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{IntColumn, TimeColumn};
                let lifetimes: ::std::vec::Vec<$expires_t> =
                    $crate::on_backend!(conn, |conn| $table
                        .select($expires_c)
                        .distinct()
                        .load(conn))?;
                let refresh_cutoff = match refresh_lifetime {
                    Some(lifetime) => ::std::option::Option::Some(
                        <$issued_t as TimeColumn>::from_unix(now.saturating_sub(lifetime))?,
                    ),
                    None => ::std::option::Option::None,
                };
                let mut deleted = 0;
                for lifetime in lifetimes {
                    let seconds = IntColumn::to_i64(&lifetime);
                    let issued_by =
                        <$issued_t as TimeColumn>::from_unix(now.saturating_sub(seconds))?;
                    let access_expired = $expires_c.eq(lifetime).and($issued_c.le(issued_by));
                    deleted += match &refresh_cutoff {
                        Some(cutoff) => $crate::__private::diesel::delete($table.filter(
                            access_expired
                                .and($refresh_c.is_null().or($issued_c.le(cutoff.clone()))),
                        ))
                        .execute(conn)?,
                        None => $crate::__private::diesel::delete(
                            $table.filter(access_expired.and($refresh_c.is_null())),
                        )
                        .execute(conn)?,
                    };
                }
                Ok(deleted)
            }
        }
    };
}
