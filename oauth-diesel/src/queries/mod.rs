//! The queries of every derived model, written once.
//!
//! The derives of `oauth-derive` only map: they read the struct, decide
//! which field plays which role, check the field types, and call one
//! macro of this module with that mapping (the model, its table, and for
//! each role the field, the column and the type, or nothing for an
//! optional role the model lacks). Everything a model does (reading the
//! engine's values through the glue conversions, the lookups, the
//! conditional updates that make codes and refresh tokens single-use, the
//! device code's state changes, expiry) is here, as in diesel_derives,
//! which emits column mappings and leaves behaviour to diesel.
//!
//! They are `macro_rules!` templates rather than functions generic over
//! Diesel column types: a generic query needs, for each backend and each
//! query, bounds naming the query's type (`Filter<Table, Eq<Col, &str>>:
//! LoadQuery<'_, SqliteConnection, M>` ...), which would spread into
//! every storage signature and turn a wrong column type into a page of
//! unsatisfied bounds. A template is checked against the user's concrete
//! table, so Diesel's own errors point at the field, and each query is
//! written (and documented, and tested through the standard models in
//! every backend's storage suite) once.
//!
//! The lookups that run on every request are shaped for SQLite's and
//! Diesel's statement caches:
//! - `get_result`, not `first`: every lookup is by a unique column, and
//!   `first` adds `LIMIT ?`, whose bound value SQLite treats as an input of
//!   the query plan, so the cached statement was prepared again at every
//!   execution (4-5x the cost of the lookup itself, in
//!   `cargo bench -p oauth-diesel`);
//! - [`on_backend!`](crate::on_backend): run on the concrete connection,
//!   where Diesel finds the prepared statement by the query's type without
//!   rendering SQL.
//!
//! The mapping a derive passes reads, for `#[derive(OAuth2Token)]` on a
//! struct `Token` of table `tokens` without a `refresh_token_scope`:
//!
//! ```text
//! oauth2_token! {
//!     model: Token,
//!     table: tokens::table,
//!     client_id: client_id => tokens::client_id: String,
//!     ...
//!     refresh_token_scope: ,
//!     ...
//! }
//! ```

mod client;
mod code;
mod device;
mod grant;
mod oauth1;
mod signing_key;
mod token;
mod user;

/// `$present` when the optional role's tokens are there, else `$absent`.
#[doc(hidden)]
#[macro_export]
macro_rules! __oauth_or {
    ({ $($present:tt)+ } else { $($absent:tt)* }) => { $($present)+ };
    ({} else { $($absent:tt)* }) => { $($absent)* };
}

/// `$absent` when the optional role's tokens are not there, else nothing.
#[doc(hidden)]
#[macro_export]
macro_rules! __oauth_unless {
    ([ $($present:tt)+ ] { $($absent:tt)* }) => {};
    ([] { $($absent:tt)* }) => { $($absent)* };
}

/// The row of `$table` matching every filter, on the concrete connection
/// (`get_result`: the filters name a unique column).
#[doc(hidden)]
#[macro_export]
macro_rules! __oauth_find {
    ($conn:ident, $table:path $(, $filter:expr)+) => {{
        use $crate::__private::diesel::prelude::*;
        $crate::on_backend!($conn, |$conn| $table
            $(.filter($filter))+
            .select(<Self as $crate::__private::diesel::SelectableHelper<_>>::as_select())
            .get_result($conn)
            .optional())
    }};
}

/// Deletes the rows of `$table` of the client `$client_id` and of the user
/// `$user_id` (each an `Option<&str>`; each when given, nothing when
/// neither is): withdrawn grants, their codes, a forgotten user's rows. A
/// user id the column cannot hold has no rows.
#[doc(hidden)]
#[macro_export]
macro_rules! __oauth_delete_of {
    ($conn:ident, $table:path, $client_c:path, $user_c:path, $user_t:ty, $client_id:expr, $user_id:expr) => {{
        use $crate::__private::OwnerColumn;
        use $crate::__private::diesel::prelude::*;
        let user = match $user_id {
            Some(id) => match <$user_t as OwnerColumn>::from_engine(Some(id)) {
                Ok(user) => Some(user),
                Err(_) => return Ok(0),
            },
            None => None,
        };
        match ($client_id, user) {
            (Some(client), Some(user)) => $crate::__private::diesel::delete(
                $table.filter($client_c.eq(client)).filter($user_c.eq(user)),
            )
            .execute($conn),
            (Some(client), None) => {
                $crate::__private::diesel::delete($table.filter($client_c.eq(client)))
                    .execute($conn)
            }
            (None, Some(user)) => {
                $crate::__private::diesel::delete($table.filter($user_c.eq(user))).execute($conn)
            }
            (None, None) => Ok(0),
        }
    }};
}
