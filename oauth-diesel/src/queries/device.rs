//! `#[derive(OAuth2DeviceCode)]`: the RFC 8628 device code as the engine
//! reads it, and its state changes, each one conditional `UPDATE` so that
//! two racing requests cannot both move it:
//!
//! - `decide`: pending and unexpired only, to approved or denied;
//! - `poll_on_time` / `poll_too_fast`: records a poll, and raises the
//!   interval by the slow-down step when it came too soon (§3.5);
//! - `consume`: approved to consumed, once.
//!
//! The states are stored by their names in `DeviceCodeStatus`, never as
//! literals of their own.

/// Implements `OAuth2DeviceCode` and
/// [`DieselDeviceCode`](crate::DieselDeviceCode) for a device code model.
#[doc(hidden)]
#[macro_export]
macro_rules! oauth2_device_code {
    (
        model: $model:ident,
        table: $table:path,
        device_code: $device_f:ident => $device_c:path : $device_t:ty,
        user_code: $ucode_f:ident => $ucode_c:path : $ucode_t:ty,
        client_id: $client_f:ident => $client_c:path : $client_t:ty,
        user_id: $user_f:ident => $user_c:path : $user_t:ty,
        scope: $scope_f:ident => $scope_c:path : $scope_t:ty,
        status: $status_f:ident => $status_c:path : $status_t:ty,
        issued_at: $issued_f:ident => $issued_c:path : $issued_t:ty,
        expires_at: $expires_f:ident => $expires_c:path : $expires_t:ty,
        polling_interval: $interval_f:ident => $interval_c:path : $interval_t:ty,
        last_polled_at: $polled_f:ident => $polled_c:path : $polled_t:ty,
    ) => {
        impl $crate::__private::oauth_core::oauth2::rfc8628::OAuth2DeviceCode for $model {
            fn client_id(&self) -> &str {
                &self.$client_f
            }
            fn scope(&self) -> $crate::__private::oauth_core::Scope {
                $crate::__private::oauth_core::Scope::from_stored(&self.$scope_f)
            }
            fn status(&self) -> $crate::__private::oauth_core::oauth2::rfc8628::DeviceCodeStatus {
                $crate::__private::oauth_core::oauth2::rfc8628::DeviceCodeStatus::from_stored(
                    &self.$status_f,
                )
            }
            fn user_id(&self) -> ::std::option::Option<::std::string::String> {
                $crate::__private::OwnerColumn::to_engine(&self.$user_f)
            }
            fn issued_at(&self) -> i64 {
                $crate::__private::TimeColumn::to_unix(&self.$issued_f)
            }
            fn expires_at(&self) -> i64 {
                $crate::__private::TimeColumn::to_unix(&self.$expires_f)
            }
            fn interval(&self) -> i64 {
                $crate::__private::IntColumn::to_i64(&self.$interval_f)
            }
            fn last_polled_at(&self) -> ::std::option::Option<i64> {
                $crate::__private::OptTimeColumn::to_unix(&self.$polled_f)
            }
        }

        impl $crate::DieselDeviceCode for $model {
            fn insert(
                conn: &mut $crate::AnyConnection,
                new: &$crate::__private::oauth_core::oauth2::rfc8628::NewDeviceCode,
            ) -> $crate::__private::diesel::QueryResult<()> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::oauth_core::oauth2::rfc8628::DeviceCodeStatus;
                use $crate::__private::{IntColumn, TimeColumn};
                $crate::__private::diesel::insert_into($table)
                    .values((
                        $device_c.eq(&new.device_code_digest),
                        $ucode_c.eq(Some(new.user_code_digest.as_str())),
                        $client_c.eq(&new.client_id),
                        $scope_c.eq(&new.scope),
                        $status_c.eq(DeviceCodeStatus::Pending.as_str()),
                        $issued_c.eq(<$issued_t as TimeColumn>::from_unix(new.issued_at)?),
                        $expires_c.eq(<$expires_t as TimeColumn>::from_unix(new.expires_at)?),
                        $interval_c.eq(<$interval_t as IntColumn>::from_i64(new.interval)?),
                    ))
                    .execute(conn)?;
                Ok(())
            }

            fn free_expired_user_code(
                conn: &mut $crate::AnyConnection,
                user_code_digest: &str,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                let now_v = <$expires_t as $crate::__private::TimeColumn>::from_unix(now)?;
                $crate::__private::diesel::update(
                    $table
                        .filter($ucode_c.eq(user_code_digest))
                        .filter($expires_c.le(now_v)),
                )
                .set($ucode_c.eq(::std::option::Option::<&str>::None))
                .execute(conn)
            }

            fn find_by_user_code(
                conn: &mut $crate::AnyConnection,
                user_code_digest: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth_find!(conn, $table, $ucode_c.eq(user_code_digest))
            }

            fn find_by_device_code(
                conn: &mut $crate::AnyConnection,
                device_code_digest: &str,
                client_id: &str,
            ) -> $crate::__private::diesel::QueryResult<::std::option::Option<Self>> {
                $crate::__oauth_find!(
                    conn,
                    $table,
                    $device_c.eq(device_code_digest),
                    $client_c.eq(client_id)
                )
            }

            fn decide(
                conn: &mut $crate::AnyConnection,
                user_code_digest: &str,
                decision: $crate::__private::oauth_core::oauth2::rfc8628::DeviceDecision,
                user_id: &str,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::oauth_core::oauth2::rfc8628::DeviceCodeStatus;
                use $crate::__private::{OwnerColumn, TimeColumn};
                let now_v = <$expires_t as TimeColumn>::from_unix(now)?;
                $crate::__private::diesel::update(
                    $table
                        .filter($ucode_c.eq(user_code_digest))
                        .filter($status_c.eq(DeviceCodeStatus::Pending.as_str()))
                        .filter($expires_c.gt(now_v)),
                )
                .set((
                    $status_c.eq(decision.status().as_str()),
                    $user_c.eq(<$user_t as OwnerColumn>::from_engine(Some(user_id))?),
                ))
                .execute(conn)
            }

            /// On time if never polled or `last_polled_at + interval <= now`.
            /// The sum is taken here, not in SQL (a `TIMESTAMP` plus seconds
            /// is written differently by every backend); the `UPDATE` then
            /// claims the poll only if `last_polled_at` is still what was
            /// read, so of two racing polls one is on time.
            fn poll_on_time(
                conn: &mut $crate::AnyConnection,
                device_code_digest: &str,
                client_id: &str,
                now: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{IntColumn, OptTimeColumn};
                let read: ::std::option::Option<($polled_t, $interval_t)> =
                    $crate::on_backend!(conn, |conn| $table
                        .filter($device_c.eq(device_code_digest))
                        .filter($client_c.eq(client_id))
                        .select(($polled_c, $interval_c))
                        .get_result(conn)
                        .optional())?;
                let ::std::option::Option::Some((polled, interval)) = read else {
                    return Ok(0);
                };
                if let ::std::option::Option::Some(last) = OptTimeColumn::to_unix(&polled)
                    && last.saturating_add(IntColumn::to_i64(&interval)) > now
                {
                    return Ok(0);
                }
                let poll = $polled_c.eq(<$polled_t as OptTimeColumn>::at(now)?);
                let row = $table
                    .filter($device_c.eq(device_code_digest))
                    .filter($client_c.eq(client_id));
                match polled {
                    ::std::option::Option::None => {
                        $crate::__private::diesel::update(row.filter($polled_c.is_null()))
                            .set(poll)
                            .execute(conn)
                    }
                    ::std::option::Option::Some(last) => {
                        $crate::__private::diesel::update(row.filter($polled_c.eq(last)))
                            .set(poll)
                            .execute(conn)
                    }
                }
            }

            fn poll_too_fast(
                conn: &mut $crate::AnyConnection,
                device_code_digest: &str,
                client_id: &str,
                now: i64,
                slow_down_by: i64,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::{IntColumn, OptTimeColumn};
                let by = <$interval_t as IntColumn>::from_i64(slow_down_by)?;
                $crate::__private::diesel::update(
                    $table
                        .filter($device_c.eq(device_code_digest))
                        .filter($client_c.eq(client_id)),
                )
                .set((
                    $interval_c.eq($interval_c + by),
                    $polled_c.eq(<$polled_t as OptTimeColumn>::at(now)?),
                ))
                .execute(conn)
            }

            fn consume(
                conn: &mut $crate::AnyConnection,
                device_code_digest: &str,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::oauth_core::oauth2::rfc8628::DeviceCodeStatus;
                $crate::__private::diesel::update(
                    $table
                        .filter($device_c.eq(device_code_digest))
                        .filter($status_c.eq(DeviceCodeStatus::Approved.as_str())),
                )
                .set($status_c.eq(DeviceCodeStatus::Consumed.as_str()))
                .execute(conn)
            }

            fn deny_approved_of(
                conn: &mut $crate::AnyConnection,
                client_id: ::std::option::Option<&str>,
                user_id: ::std::option::Option<&str>,
            ) -> $crate::__private::diesel::QueryResult<usize> {
                use $crate::__private::OwnerColumn;
                use $crate::__private::diesel::prelude::*;
                use $crate::__private::oauth_core::oauth2::rfc8628::DeviceCodeStatus;
                let approved = $table.filter($status_c.eq(DeviceCodeStatus::Approved.as_str()));
                let denied = $status_c.eq(DeviceCodeStatus::Denied.as_str());
                let user = match user_id {
                    // A user id the column cannot hold decided nothing.
                    Some(id) => match <$user_t as OwnerColumn>::from_engine(Some(id)) {
                        Ok(user) => Some(user),
                        Err(_) => return Ok(0),
                    },
                    None => None,
                };
                match (client_id, user) {
                    (Some(client), Some(user)) => $crate::__private::diesel::update(
                        approved
                            .filter($client_c.eq(client))
                            .filter($user_c.eq(user)),
                    )
                    .set(denied)
                    .execute(conn),
                    (Some(client), None) => {
                        $crate::__private::diesel::update(approved.filter($client_c.eq(client)))
                            .set(denied)
                            .execute(conn)
                    }
                    (None, Some(user)) => {
                        $crate::__private::diesel::update(approved.filter($user_c.eq(user)))
                            .set(denied)
                            .execute(conn)
                    }
                    (None, None) => Ok(0),
                }
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
