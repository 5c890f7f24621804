//! Derive macros that put the `oauth-core` model traits, and the query glue
//! `oauth-diesel` needs, onto your Diesel structs.
//!
//! Use them through `oauth-diesel`, which re-exports each derive beside the
//! trait of the same name (as `serde` does with `Serialize`) and documents
//! them with runnable examples. This crate only parses and maps fields to
//! roles; the code it hands the mapping to (the model traits and every
//! query) is in `oauth_diesel::queries`, and the rules in `oauth-core`.
//!
//! Fields are found by their column's name (the field's name, or its
//! `#[diesel(column_name = ...)]`), following Authlib's SQLAlchemy mixins; a
//! column with another name takes a role with `#[oauth2(role)]`
//! (`#[oauth1(role)]` for the OAuth 1.0a derives). The table is the
//! struct's `#[diesel(table_name = ...)]`. The struct must also
//! derive Diesel's `Queryable` and `Selectable`, and may carry any other
//! fields (columns the generated inserts leave out need a database default).
//!
//! Times: a role that is an instant (`issued_at`, `auth_time`, `expires_at`,
//! `client_id_issued_at`, `client_secret_expires_at`, the `*_revoked_at`
//! and `last_polled_at`) takes `i64` or `i32` Unix seconds or, with
//! oauth-diesel's `chrono` feature, a `TIMESTAMP` as `NaiveDateTime` or
//! `DateTime<Utc>` (in an `Option` where it is nullable); `i64` in the
//! lists below stands for any of them. The lifetimes `expires_in` and
//! `polling_interval` are seconds, `i64` or `i32`.

mod expand;
mod parse;
mod roles;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

fn finish(result: syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `DieselClient` (the client's columns and queries); the
/// storage hands the engine a `LoadedClient`, which implements
/// `OAuth2Client` with the metadata parsed once per load.
///
/// Roles: `client_id: String`, `client_secret: Option<String>` (or
/// `String`; the SHA-256 digest, empty/NULL for public clients),
/// `client_metadata: String` (RFC 7591 JSON); optional
/// `client_id_issued_at: i64`, `client_secret_expires_at: i64`,
/// `user_id` (the owner), `client_secret_sealed: Option<String>`
/// (`client_secret_jwt`'s sealed secret).
#[proc_macro_derive(OAuth2Client, attributes(oauth2))]
pub fn derive_client(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::CLIENT,
    ))
}

/// Implements `OAuth2Token` and `DieselToken`.
///
/// Roles: `client_id: String`, `user_id` (`Option<i32>`, ...),
/// `token_type: String`, `access_token: String` and
/// `refresh_token: Option<String>` (SHA-256 digests), `scope: String`,
/// `issued_at: i64`, `expires_in: i64`, `access_token_revoked_at:
/// Option<i64>`, `refresh_token_revoked_at: Option<i64>`, `grant_id:
/// String`; optional `refresh_token_scope: String`, `authentication:
/// Option<String>`, `grant_issued_at: Option<i64>` and
/// `refresh_token_rotated_at: Option<i64>` (the refresh grace period).
#[proc_macro_derive(OAuth2Token, attributes(oauth2))]
pub fn derive_token(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::TOKEN,
    ))
}

/// Implements `OAuth2AuthorizationCode` and `DieselAuthorizationCode`.
///
/// Roles: `code: String` (SHA-256 digest), `client_id: String`, `user_id`,
/// `redirect_uri: Option<String>`, `response_type: String`, `scope:
/// String`, `auth_time: i64`, `code_challenge: Option<String>`,
/// `code_challenge_method: Option<String>`; optional `nonce:
/// Option<String>`.
#[proc_macro_derive(OAuth2AuthorizationCode, attributes(oauth2))]
pub fn derive_authorization_code(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::AUTHORIZATION_CODE,
    ))
}

/// Implements `DieselUser` on the application's user model, so that the
/// storage reads a token's user together with the token (for the
/// `RequireOAuthUser` guard).
///
/// Role: `id` (`i32`, `i64` or `String`): the key that tokens keep in
/// their `user_id` column.
#[proc_macro_derive(OAuth2User, attributes(oauth2))]
pub fn derive_user(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::USER,
    ))
}

/// Implements `OAuth2DeviceCode` (RFC 8628) and `DieselDeviceCode`.
///
/// Roles: `device_code: String` and `user_code: Option<String>` (SHA-256
/// digests; the user code's is freed to NULL when it expires),
/// `client_id: String`, `user_id` (an `Option`), `scope: String`,
/// `status: String`, `issued_at: i64`, `expires_at: i64`,
/// `polling_interval: i64` (seconds), `last_polled_at: Option<i64>`.
#[proc_macro_derive(OAuth2DeviceCode, attributes(oauth2))]
pub fn derive_device_code(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::DEVICE_CODE,
    ))
}

/// Implements `OAuth2Grant` and `DieselGrant`: what a user consented to
/// for a client, one row per user and client.
///
/// Roles: `client_id: String`, `user_id` (`String`, `i32` or `i64`),
/// `scope: String`, `granted_at: i64`, `updated_at: i64`; optional
/// `claims: String` (OpenID Connect claims granted by name).
#[proc_macro_derive(OAuth2Grant, attributes(oauth2))]
pub fn derive_grant(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::GRANT,
    ))
}

/// Implements `DieselSigningKey`: OpenID Connect signing keys in storage.
///
/// Roles: `kid: String`, `alg: String`, `private_key: String` (sealed),
/// `created_at: i64`, `signs_from: i64`, `signs_until: Option<i64>`,
/// `published_until: Option<i64>`.
#[proc_macro_derive(OAuth2SigningKey, attributes(oauth2))]
pub fn derive_signing_key(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::SIGNING_KEY,
    ))
}

/// Implements the OAuth 1.0a `OAuth1Client` and `DieselOAuth1Client`.
///
/// Roles (renamed with `#[oauth1(role)]`): `client_id: String`,
/// `client_secret` (`String` or `Option<String>`: the shared secret in
/// clear, since it is the HMAC-SHA1 key; empty/NULL for an RSA-only
/// client), `redirect_uris` (`String` or `Option<String>`,
/// space-separated; Authlib's single `default_redirect_uri` column is a
/// list of one); optional `rsa_public_key` (PEM), `default_realms`
/// (space-separated), `client_name`, and `user_id` (the owner).
#[proc_macro_derive(OAuth1Client, attributes(oauth1))]
pub fn derive_oauth1_client(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::OAUTH1_CLIENT,
    ))
}

/// Implements the OAuth 1.0a `OAuth1TemporaryCredential` and
/// `DieselTemporaryCredential`.
///
/// Roles: `oauth_token: String`, `oauth_token_secret: String` (in clear,
/// an HMAC-SHA1 key), `client_id: String`, `oauth_callback: String`,
/// `oauth_verifier_digest: Option<String>` (the verifier's SHA-256 digest,
/// NULL until authorized), `user_id` (`Option<i32>`, `Option<i64>` or
/// `Option<String>`, NULL until authorized), `expires_at` (`i64` or
/// `i32`); optional `realms` (space-separated).
#[proc_macro_derive(OAuth1TemporaryCredential, attributes(oauth1))]
pub fn derive_oauth1_temporary_credential(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::OAUTH1_TEMPORARY_CREDENTIAL,
    ))
}

/// Implements the OAuth 1.0a `OAuth1TokenCredential` and
/// `DieselTokenCredential`.
///
/// Roles: `oauth_token: String`, `oauth_token_secret: String` (in clear,
/// an HMAC-SHA1 key), `client_id: String`, `user_id` (`String`, `i32` or
/// `i64`, or an `Option` of one); optional `realms` (space-separated) and
/// `issued_at` (`i64` or `i32`).
#[proc_macro_derive(OAuth1TokenCredential, attributes(oauth1))]
pub fn derive_oauth1_token_credential(input: TokenStream) -> TokenStream {
    finish(expand::derive(
        parse_macro_input!(input as DeriveInput),
        &roles::OAUTH1_TOKEN_CREDENTIAL,
    ))
}
