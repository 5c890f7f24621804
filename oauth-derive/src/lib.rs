//! Derive macros that put the `oauth-core` model traits, and the query glue
//! `oauth-diesel` needs, onto your Diesel structs.
//!
//! Use them through `oauth-diesel`, which re-exports each derive beside the
//! trait of the same name (as `serde` does with `Serialize`) and documents
//! them with runnable examples. This crate only parses and generates; all
//! behaviour lives in `oauth-core` and `oauth-diesel`.
//!
//! Fields are found by their column's name (the field's name, or its
//! `#[diesel(column_name = ...)]`), following Authlib's SQLAlchemy mixins; a
//! column with another name takes a role with `#[oauth2(role)]`. The
//! table is the struct's `#[diesel(table_name = ...)]`. The struct must also
//! derive Diesel's `Queryable` and `Selectable`, and may carry any other
//! fields (columns the generated inserts leave out need a database default).

mod device;
mod expand;
mod parse;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

fn finish(result: syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `OAuth2Client` and `DieselClient`.
///
/// Roles: `client_id: String`, `client_secret: Option<String>` (or
/// `String`; the SHA-256 digest, empty/NULL for public clients),
/// `client_metadata: String` (RFC 7591 JSON); optional
/// `client_id_issued_at: i64`, `client_secret_expires_at: i64`,
/// `user_id` (the owner).
#[proc_macro_derive(OAuth2Client, attributes(oauth2))]
pub fn derive_client(input: TokenStream) -> TokenStream {
    finish(expand::client(parse_macro_input!(input as DeriveInput)))
}

/// Implements `OAuth2Token` and `DieselToken`.
///
/// Roles: `client_id: String`, `user_id` (`Option<i32>`, ...),
/// `token_type: String`, `access_token: String` and
/// `refresh_token: Option<String>` (SHA-256 digests), `scope: String`,
/// `issued_at: i64`, `expires_in: i64`, `access_token_revoked_at:
/// Option<i64>`, `refresh_token_revoked_at: Option<i64>`, `grant_id:
/// String`; optional `refresh_token_scope: String`.
#[proc_macro_derive(OAuth2Token, attributes(oauth2))]
pub fn derive_token(input: TokenStream) -> TokenStream {
    finish(expand::token(parse_macro_input!(input as DeriveInput)))
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
    finish(expand::code(parse_macro_input!(input as DeriveInput)))
}

/// Implements `OAuth2DeviceCode` (RFC 8628) and `DieselDeviceCode`.
///
/// Roles: `device_code: String` and `user_code: Option<String>` (SHA-256
/// digests; the user code's is freed to NULL when it expires),
/// `client_id: String`, `user_id` (an `Option`), `scope: String`,
/// `status: String`, `issued_at`, `expires_at` and `polling_interval`
/// (`i64`, one type for the three), `last_polled_at: Option<i64>`.
#[proc_macro_derive(OAuth2DeviceCode, attributes(oauth2))]
pub fn derive_device_code(input: TokenStream) -> TokenStream {
    finish(device::device_code(parse_macro_input!(
        input as DeriveInput
    )))
}
