//! What the derived code implements: per-model query traits, and the
//! conversions between a user's column types and the engine's values.
//! The implementations are the templates of [`crate::queries`].

use diesel::QueryResult;
use diesel::result::Error as DieselError;
use oauth_core::oauth1::{OAuth1ClientRecord, TemporaryCredentialRecord, TokenCredentialRecord};
use oauth_core::{ClientMetadata, ClientRecord, NewAuthorizationCode, NewToken};

use crate::connection::AnyConnection;

/// The columns and queries of a client model (`#[derive(OAuth2Client)]`).
///
/// The engine sees the model through [`LoadedClient`](crate::LoadedClient),
/// which parses the JSON metadata once, when the row is loaded.
pub trait DieselClient: Sized + Send + Sync + 'static {
    /// The `client_id` column.
    fn client_id(&self) -> &str;
    /// The SHA-256 digest of the secret; `None` for a public client.
    fn client_secret_digest(&self) -> Option<&str>;
    /// The RFC 7591 metadata column, as stored (JSON).
    fn client_metadata_json(&self) -> &str;
    /// When the secret expires (Unix seconds), 0 for never or without the
    /// column.
    fn client_secret_expires_at(&self) -> i64;
    /// The sealed secret of a `client_secret_jwt` client; `None` without
    /// the column.
    fn client_secret_sealed(&self) -> Option<&str>;
    /// Whether the model keeps `client_secret_sealed`, which
    /// `client_secret_jwt` needs.
    fn keeps_sealed_secret() -> bool;
    /// The client with this id.
    fn find_by_client_id(conn: &mut AnyConnection, client_id: &str) -> QueryResult<Option<Self>>;
    /// Inserts a client, owned by `owner` if the model has a `user_id`.
    fn insert(
        conn: &mut AnyConnection,
        record: &ClientRecord,
        owner: Option<&str>,
    ) -> QueryResult<()>;
    /// Replaces the client's metadata, and its secret when `secret` is
    /// `Some`: the digest and the sealed secret (`None`s remove them); the
    /// rows changed.
    fn update(
        conn: &mut AnyConnection,
        client_id: &str,
        metadata: &oauth_core::ClientMetadata,
        secret: Option<(Option<&str>, Option<&str>)>,
    ) -> QueryResult<usize>;
    /// Deletes the client with this id.
    fn delete_by_client_id(conn: &mut AnyConnection, client_id: &str) -> QueryResult<usize>;
    /// How many clients `owner` registered; `None` for a model without a
    /// `user_id`.
    fn count_by_owner(conn: &mut AnyConnection, owner: &str) -> QueryResult<Option<i64>>;
}

/// Queries for a token model (`#[derive(OAuth2Token)]`).
pub trait DieselToken: oauth_core::OAuth2Token + Sized + Send + 'static {
    /// Inserts a new token.
    fn insert(conn: &mut AnyConnection, token: &NewToken) -> QueryResult<()>;
    /// The token with this access token digest.
    fn find_by_access_digest(conn: &mut AnyConnection, digest: &str) -> QueryResult<Option<Self>>;
    /// The token with this refresh token digest.
    fn find_by_refresh_digest(conn: &mut AnyConnection, digest: &str) -> QueryResult<Option<Self>>;
    /// Marks the access token revoked if it is not; the number of rows changed.
    fn revoke_access(conn: &mut AnyConnection, digest: &str, now: i64) -> QueryResult<usize>;
    /// Marks the refresh token (and its access token) revoked if the refresh
    /// token is not revoked yet; returns 1 for the caller that did it.
    fn revoke_refresh_if_active(
        conn: &mut AnyConnection,
        digest: &str,
        now: i64,
    ) -> QueryResult<usize>;
    /// Revokes every token of a grant (and ends the grace retries of its
    /// rotated-out refresh tokens).
    fn revoke_grant(conn: &mut AnyConnection, grant_id: &str, now: i64) -> QueryResult<usize>;
    /// Whether the model keeps `refresh_token_rotated_at`, which the
    /// refresh grace period needs.
    fn keeps_rotation_time() -> bool;
    /// Whether the model keeps `dpop_jkt`, which DPoP-bound tokens need.
    fn keeps_dpop_jkt() -> bool;
    /// Whether the model keeps `audience`, which RFC 8707 resources need.
    fn keeps_audience() -> bool;
    /// Uses the grace retry of the rotated-out refresh token with this
    /// digest if it was rotated at or after `rotated_since` and the retry
    /// is unused; returns 1 for the caller that did it (always 0 without
    /// the column).
    fn retry_rotated(
        conn: &mut AnyConnection,
        digest: &str,
        rotated_since: i64,
    ) -> QueryResult<usize>;
    /// Revokes every token of `client_id` (of `user_id` only, if given);
    /// the number of credentials revoked.
    fn revoke_of(
        conn: &mut AnyConnection,
        client_id: &str,
        user_id: Option<&str>,
        now: i64,
    ) -> QueryResult<usize>;
    /// Deletes every token of `user_id`.
    fn delete_of_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize>;
    /// Deletes tokens whose access token has expired and whose refresh token
    /// is absent or past `refresh_lifetime`.
    fn delete_expired(
        conn: &mut AnyConnection,
        now: i64,
        refresh_lifetime: Option<i64>,
    ) -> QueryResult<usize>;
}

/// Queries for a grant model (`#[derive(OAuth2Grant)]`).
pub trait DieselGrant: oauth_core::consent::OAuth2Grant + Sized + Send + 'static {
    /// The grant of `user_id` to `client_id`.
    fn find(conn: &mut AnyConnection, user_id: &str, client_id: &str) -> QueryResult<Option<Self>>;
    /// Inserts a grant (a unique violation if the user and client have one).
    fn insert(
        conn: &mut AnyConnection,
        grant: &oauth_core::consent::GrantRecord,
    ) -> QueryResult<()>;
    /// Inserts a grant unless the user and client have one; 1 if it did.
    fn insert_if_absent(
        conn: &mut AnyConnection,
        grant: &oauth_core::consent::GrantRecord,
    ) -> QueryResult<usize>;
    /// The grant of `user_id` to `client_id`, locked until the end of the
    /// transaction (`FOR UPDATE`; SQLite's writes are one at a time).
    fn find_for_update(
        conn: &mut AnyConnection,
        user_id: &str,
        client_id: &str,
    ) -> QueryResult<Option<Self>>;
    /// Writes the scope, claims and last time of the user's grant to the
    /// client; the number of rows changed.
    fn update(
        conn: &mut AnyConnection,
        grant: &oauth_core::consent::GrantRecord,
    ) -> QueryResult<usize>;
    /// The grants of `user_id`, most recently granted first.
    fn of_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<Self>>;
    /// Deletes the grants to `client_id` and of `user_id` (each when
    /// given; nothing when neither is).
    fn delete_of(
        conn: &mut AnyConnection,
        client_id: Option<&str>,
        user_id: Option<&str>,
    ) -> QueryResult<usize>;
    /// Deletes the grants last granted before `before`.
    fn delete_updated_before(conn: &mut AnyConnection, before: i64) -> QueryResult<usize>;
}

/// The lookup of an application's user model (`#[derive(OAuth2User)]`),
/// which the storage runs with the token lookup (`UserStorage`, for the
/// `RequireOAuthUser` guard of `oauth_core::rocket`).
pub trait DieselUser: Sized + Send + 'static {
    /// The user whose key is `user_id` (the engine's user id, as text: what
    /// tokens store in their `user_id` column).
    fn find_by_user_id(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Option<Self>>;
}

/// Queries for an authorization code model
/// (`#[derive(OAuth2AuthorizationCode)]`).
pub trait DieselAuthorizationCode:
    oauth_core::OAuth2AuthorizationCode + Sized + Send + 'static
{
    /// Inserts a new code.
    fn insert(conn: &mut AnyConnection, code: &NewAuthorizationCode) -> QueryResult<()>;
    /// Whether the model keeps `dpop_jkt`, which codes bound to a DPoP key
    /// need.
    fn keeps_dpop_jkt() -> bool;
    /// Whether the model keeps `audience`, which RFC 8707 resources need.
    fn keeps_audience() -> bool;
    /// The code with this digest.
    fn find_by_digest(conn: &mut AnyConnection, digest: &str) -> QueryResult<Option<Self>>;
    /// Deletes the code with this digest; the number of rows deleted.
    fn delete_by_digest(conn: &mut AnyConnection, digest: &str) -> QueryResult<usize>;
    /// Deletes codes issued at or before `cutoff`.
    fn delete_issued_before(conn: &mut AnyConnection, cutoff: i64) -> QueryResult<usize>;
    /// Deletes the codes of `client_id` and of `user_id` (each when given;
    /// nothing when neither is).
    fn delete_of(
        conn: &mut AnyConnection,
        client_id: Option<&str>,
        user_id: Option<&str>,
    ) -> QueryResult<usize>;
}

/// Queries for a device code model (`#[derive(OAuth2DeviceCode)]`, RFC 8628).
pub trait DieselDeviceCode:
    oauth_core::oauth2::rfc8628::OAuth2DeviceCode + Sized + Send + 'static
{
    /// Inserts a new, pending device code.
    fn insert(
        conn: &mut AnyConnection,
        code: &oauth_core::oauth2::rfc8628::NewDeviceCode,
    ) -> QueryResult<()>;
    /// Sets the user code of an expired holder of this digest to NULL.
    fn free_expired_user_code(
        conn: &mut AnyConnection,
        user_code_digest: &str,
        now: i64,
    ) -> QueryResult<usize>;
    /// The device code with this user code digest.
    fn find_by_user_code(
        conn: &mut AnyConnection,
        user_code_digest: &str,
    ) -> QueryResult<Option<Self>>;
    /// The device code with this digest, asked for by this client.
    fn find_by_device_code(
        conn: &mut AnyConnection,
        device_code_digest: &str,
        client_id: &str,
    ) -> QueryResult<Option<Self>>;
    /// Records the user's decision if pending and unexpired; rows changed.
    fn decide(
        conn: &mut AnyConnection,
        user_code_digest: &str,
        decision: oauth_core::oauth2::rfc8628::DeviceDecision,
        user_id: &str,
        now: i64,
    ) -> QueryResult<usize>;
    /// Records a poll that respects the interval; rows changed.
    fn poll_on_time(
        conn: &mut AnyConnection,
        device_code_digest: &str,
        client_id: &str,
        now: i64,
    ) -> QueryResult<usize>;
    /// Records a poll that came too soon, raising the interval; rows changed.
    fn poll_too_fast(
        conn: &mut AnyConnection,
        device_code_digest: &str,
        client_id: &str,
        now: i64,
        slow_down_by: i64,
    ) -> QueryResult<usize>;
    /// Marks an approved code consumed; rows changed.
    fn consume(conn: &mut AnyConnection, device_code_digest: &str) -> QueryResult<usize>;
    /// Deletes expired device codes.
    fn delete_expired(conn: &mut AnyConnection, now: i64) -> QueryResult<usize>;
    /// Denies the approved, not yet consumed device codes of `client_id`
    /// and of `user_id` (each when given; nothing when neither is): a
    /// withdrawn grant issues nothing more.
    fn deny_approved_of(
        conn: &mut AnyConnection,
        client_id: Option<&str>,
        user_id: Option<&str>,
    ) -> QueryResult<usize>;
}

/// Queries for an OAuth 1.0a client model (`#[derive(OAuth1Client)]`).
pub trait DieselOAuth1Client: oauth_core::oauth1::OAuth1Client + Sized + Send + 'static {
    /// The client with exactly this id.
    fn find_by_client_id(conn: &mut AnyConnection, client_id: &str) -> QueryResult<Option<Self>>;
    /// Inserts a client, owned by `owner` if the model has a `user_id`.
    /// Fails if the record has an RSA key or realms and the model no column
    /// for them.
    fn insert(
        conn: &mut AnyConnection,
        record: &OAuth1ClientRecord,
        owner: Option<&str>,
    ) -> QueryResult<()>;
    /// Deletes the client with this id; the number of rows deleted.
    fn delete_by_client_id(conn: &mut AnyConnection, client_id: &str) -> QueryResult<usize>;
}

/// Queries for an OAuth 1.0a temporary credential model
/// (`#[derive(OAuth1TemporaryCredential)]`).
pub trait DieselTemporaryCredential:
    oauth_core::oauth1::OAuth1TemporaryCredential + Sized + Send + 'static
{
    /// Inserts a new temporary credential.
    fn insert(conn: &mut AnyConnection, record: &TemporaryCredentialRecord) -> QueryResult<()>;
    /// The temporary credential with exactly this `oauth_token`.
    fn find_by_token(conn: &mut AnyConnection, oauth_token: &str) -> QueryResult<Option<Self>>;
    /// Sets the user and verifier digest if not yet authorized and not
    /// expired at `now`; rows changed (1 for the caller that did it).
    fn authorize(
        conn: &mut AnyConnection,
        oauth_token: &str,
        user_id: &str,
        verifier_digest: &str,
        now: i64,
    ) -> QueryResult<usize>;
    /// Deletes the temporary credential; rows deleted.
    fn delete_by_token(conn: &mut AnyConnection, oauth_token: &str) -> QueryResult<usize>;
    /// Deletes the temporary credentials expired at `now`.
    fn delete_expired(conn: &mut AnyConnection, now: i64) -> QueryResult<usize>;
}

/// Queries for an OAuth 1.0a token credential model
/// (`#[derive(OAuth1TokenCredential)]`).
pub trait DieselTokenCredential:
    oauth_core::oauth1::OAuth1TokenCredential + Sized + Send + 'static
{
    /// Inserts a new token credential.
    fn insert(conn: &mut AnyConnection, record: &TokenCredentialRecord) -> QueryResult<()>;
    /// The token credential with exactly this `oauth_token`.
    fn find_by_token(conn: &mut AnyConnection, oauth_token: &str) -> QueryResult<Option<Self>>;
    /// Deletes (revokes) the token credential; rows deleted.
    fn delete_by_token(conn: &mut AnyConnection, oauth_token: &str) -> QueryResult<usize>;
}

fn conversion_error(message: String) -> DieselError {
    DieselError::SerializationError(message.into())
}

/// The columns and queries of a signing key model
/// (`#[derive(OAuth2SigningKey)]`).
pub trait DieselSigningKey: Sized + Send + 'static {
    /// The row as the engine reads it.
    fn to_stored(&self) -> oauth_core::jose::StoredSigningKey;
    /// Every key.
    fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Self>>;
    /// Inserts a key.
    fn insert(
        conn: &mut AnyConnection,
        key: &oauth_core::jose::StoredSigningKey,
    ) -> QueryResult<()>;
    /// Retires every key but `except` that is not retired yet.
    fn retire_all_but(
        conn: &mut AnyConnection,
        except: &str,
        signs_until: i64,
        published_until: i64,
    ) -> QueryResult<usize>;
    /// Deletes the keys whose `published_until` is at or before `now`.
    fn delete_unpublished(conn: &mut AnyConnection, now: i64) -> QueryResult<usize>;
}

/// A text column that may be absent: `String` (empty for none) or
/// `Option<String>` (NULL for none).
pub trait TextColumn: Sized {
    /// The value, `None` when absent.
    fn as_opt_str(&self) -> Option<&str>;
    /// The column value for an engine value.
    fn from_opt(value: Option<&str>) -> Self;
}

impl TextColumn for String {
    fn as_opt_str(&self) -> Option<&str> {
        (!self.is_empty()).then_some(self.as_str())
    }
    fn from_opt(value: Option<&str>) -> String {
        value.unwrap_or_default().to_owned()
    }
}

impl TextColumn for Option<String> {
    fn as_opt_str(&self) -> Option<&str> {
        self.as_deref()
    }
    fn from_opt(value: Option<&str>) -> Option<String> {
        value.map(str::to_owned)
    }
}

/// An integer column holding a number of seconds (a lifetime, a polling
/// interval): `i64` or `i32`.
pub trait IntColumn: Sized {
    /// As the engine's `i64`.
    fn to_i64(&self) -> i64;
    /// From the engine's `i64`; an `i32` column refuses values out of range.
    fn from_i64(value: i64) -> QueryResult<Self>;
}

impl IntColumn for i64 {
    fn to_i64(&self) -> i64 {
        *self
    }
    fn from_i64(value: i64) -> QueryResult<i64> {
        Ok(value)
    }
}

impl IntColumn for i32 {
    fn to_i64(&self) -> i64 {
        i64::from(*self)
    }
    fn from_i64(value: i64) -> QueryResult<i32> {
        i32::try_from(value)
            .map_err(|_| conversion_error(format!("{value} does not fit an i32 column")))
    }
}

/// A column holding an instant: integer Unix seconds (`i64`, `i32`), or,
/// with the `chrono` feature, a `TIMESTAMP` as `chrono::NaiveDateTime`
/// (read as UTC) or `chrono::DateTime<Utc>`. The engine counts whole Unix
/// seconds; queries only compare instants with bound values, never add to
/// them in SQL, so every backend's timestamp type works the same.
pub trait TimeColumn: Sized {
    /// As the engine's Unix seconds (a fraction of a second is dropped).
    fn to_unix(&self) -> i64;
    /// From the engine's Unix seconds.
    fn from_unix(seconds: i64) -> QueryResult<Self>;
}

impl<T: IntColumn> TimeColumn for T {
    fn to_unix(&self) -> i64 {
        self.to_i64()
    }
    fn from_unix(seconds: i64) -> QueryResult<T> {
        T::from_i64(seconds)
    }
}

#[cfg(feature = "chrono")]
impl TimeColumn for chrono::NaiveDateTime {
    fn to_unix(&self) -> i64 {
        self.and_utc().timestamp()
    }
    fn from_unix(seconds: i64) -> QueryResult<chrono::NaiveDateTime> {
        chrono::DateTime::from_timestamp(seconds, 0)
            .map(|t| t.naive_utc())
            .ok_or_else(|| conversion_error(format!("{seconds} is out of a timestamp's range")))
    }
}

#[cfg(feature = "chrono")]
impl TimeColumn for chrono::DateTime<chrono::Utc> {
    fn to_unix(&self) -> i64 {
        self.timestamp()
    }
    fn from_unix(seconds: i64) -> QueryResult<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| conversion_error(format!("{seconds} is out of a timestamp's range")))
    }
}

/// A nullable instant (`Option` of a [`TimeColumn`]), NULL until it
/// happens (a revocation, a device's first poll).
pub trait OptTimeColumn: Sized {
    /// `Some(now)` in the column's type.
    fn at(now: i64) -> QueryResult<Self>;
    /// As the engine's Unix seconds, if set.
    fn to_unix(&self) -> Option<i64>;
    /// The engine's optional Unix seconds in the column's type.
    fn from_unix_opt(value: Option<i64>) -> QueryResult<Self>;
}

impl<T: TimeColumn> OptTimeColumn for Option<T> {
    fn at(now: i64) -> QueryResult<Option<T>> {
        T::from_unix(now).map(Some)
    }
    fn to_unix(&self) -> Option<i64> {
        self.as_ref().map(T::to_unix)
    }
    fn from_unix_opt(value: Option<i64>) -> QueryResult<Option<T>> {
        value.map(T::from_unix).transpose()
    }
}

/// A user id column: `String`, `i32`, `i64`, or an `Option` of one.
/// The engine speaks of users by their id as text.
pub trait OwnerColumn: Sized {
    /// As the engine's user id.
    fn to_engine(&self) -> Option<String>;
    /// From the engine's user id.
    fn from_engine(value: Option<&str>) -> QueryResult<Self>;
}

macro_rules! owner_number {
    ($($t:ty),*) => {$(
        impl OwnerColumn for $t {
            fn to_engine(&self) -> Option<String> {
                Some(self.to_string())
            }
            fn from_engine(value: Option<&str>) -> QueryResult<$t> {
                let value = value.ok_or_else(|| {
                    conversion_error("a user id is required: make the user_id column nullable (Option) to store tokens without a user".into())
                })?;
                value.parse().map_err(|_| {
                    conversion_error(format!("user id {value:?} is not a {}", stringify!($t)))
                })
            }
        }
    )*};
}

owner_number!(i32, i64);

impl OwnerColumn for String {
    fn to_engine(&self) -> Option<String> {
        Some(self.clone())
    }
    fn from_engine(value: Option<&str>) -> QueryResult<String> {
        value.map(str::to_owned).ok_or_else(|| {
            conversion_error("a user id is required: make the user_id column nullable (Option) to store tokens without a user".into())
        })
    }
}

impl<T: OwnerColumn> OwnerColumn for Option<T> {
    fn to_engine(&self) -> Option<String> {
        self.as_ref().and_then(T::to_engine)
    }
    fn from_engine(value: Option<&str>) -> QueryResult<Option<T>> {
        value.map(|v| T::from_engine(Some(v))).transpose()
    }
}

/// Client metadata from its JSON column. Metadata that does not parse is
/// treated as empty (no redirect URIs, no grants), so a damaged row can do
/// nothing rather than anything.
pub fn parse_metadata(json: &str) -> ClientMetadata {
    serde_json::from_str(json).unwrap_or_else(|_| ClientMetadata {
        grant_types: Vec::new(),
        response_types: Vec::new(),
        ..ClientMetadata::default()
    })
}

/// Client metadata as JSON text for its column.
pub fn metadata_json(metadata: &ClientMetadata) -> QueryResult<String> {
    serde_json::to_string(metadata).map_err(|e| DieselError::SerializationError(Box::new(e)))
}

/// `None` for the empty string: how optional text reaches a
/// [`TextColumn`].
pub fn non_empty(value: &str) -> Option<&str> {
    (!value.is_empty()).then_some(value)
}

/// A space-separated list column (OAuth 1 redirect URIs and realms) as a
/// list.
pub fn split_list(stored: &str) -> Vec<String> {
    oauth_core::oauth1::models::split_realms(stored)
}

/// A list as a space-separated column. An item that is empty or contains
/// whitespace would not come back as itself, so it is refused.
pub fn join_list(items: &[String], what: &str) -> QueryResult<String> {
    if let Some(bad) = items
        .iter()
        .find(|i| i.is_empty() || i.contains(char::is_whitespace))
    {
        return Err(conversion_error(format!(
            "{what} {bad:?} cannot be stored: it is empty or contains whitespace"
        )));
    }
    Ok(items.join(" "))
}

/// The error for a record value that the model has no column for: storing
/// the rest would change what the record allows.
pub fn no_column_for(derive: &str, role: &str) -> DieselError {
    conversion_error(format!(
        "this #[derive({derive})] model has no `{role}` column, and the record to insert has one; \
         add the column (or mark the field that holds it with #[oauth1({role})])"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_instants_are_unix_seconds() {
        assert_eq!(
            <i64 as TimeColumn>::from_unix(1_700_000_000).unwrap(),
            1_700_000_000
        );
        assert_eq!(TimeColumn::to_unix(&1_700_000_000_i32), 1_700_000_000);
        // Past 2038, an `i32` column refuses rather than wraps.
        assert!(<i32 as TimeColumn>::from_unix(i64::from(i32::MAX) + 1).is_err());
        assert_eq!(<Option<i64> as OptTimeColumn>::at(5).unwrap(), Some(5));
        assert_eq!(OptTimeColumn::to_unix(&None::<i32>), None);
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_timestamps_are_the_same_instants_in_utc() {
        use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
        let naive = NaiveDate::from_ymd_opt(2023, 11, 14)
            .and_then(|d| d.and_hms_opt(22, 13, 20))
            .unwrap();
        assert_eq!(TimeColumn::to_unix(&naive), 1_700_000_000);
        assert_eq!(
            <NaiveDateTime as TimeColumn>::from_unix(1_700_000_000).unwrap(),
            naive
        );
        let aware = <DateTime<Utc> as TimeColumn>::from_unix(1_700_000_000).unwrap();
        assert_eq!(aware.naive_utc(), naive);
        assert_eq!(TimeColumn::to_unix(&aware), 1_700_000_000);
        // `client_secret_expires_at = 0` ("never") is the epoch, and back.
        let epoch = <NaiveDateTime as TimeColumn>::from_unix(0).unwrap();
        assert_eq!(TimeColumn::to_unix(&epoch), 0);
        // A fraction of a second, as a database may keep, is dropped.
        let fraction = naive + chrono::Duration::milliseconds(999);
        assert_eq!(TimeColumn::to_unix(&fraction), 1_700_000_000);
        assert!(<NaiveDateTime as TimeColumn>::from_unix(i64::MAX).is_err());
    }
}
