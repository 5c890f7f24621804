//! Ready-made models for the standard tables of [`crate::schema`]: what a
//! user would write with the derives, usable as they are.

use diesel::prelude::*;

use crate::schema::{oauth2_client, oauth2_code, oauth2_device_code, oauth2_token};
use crate::{OAuth2AuthorizationCode, OAuth2Client, OAuth2DeviceCode, OAuth2Token};

/// A row of `oauth2_client`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, OAuth2Client)]
#[diesel(table_name = oauth2_client)]
pub struct Client {
    /// Row id.
    pub id: i32,
    /// The user who registered the client.
    pub user_id: Option<i32>,
    /// The `client_id`.
    pub client_id: String,
    /// SHA-256 digest of the secret; `None` for public clients.
    pub client_secret: Option<String>,
    /// Unix seconds.
    pub client_id_issued_at: i64,
    /// Unix seconds, 0 for never.
    pub client_secret_expires_at: i64,
    /// RFC 7591 metadata, JSON.
    pub client_metadata: String,
}

/// A row of `oauth2_token`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, OAuth2Token)]
#[diesel(table_name = oauth2_token)]
pub struct Token {
    /// Row id.
    pub id: i32,
    /// The resource owner; `None` for client credentials.
    pub user_id: Option<i32>,
    /// The client.
    pub client_id: String,
    /// `Bearer`.
    pub token_type: String,
    /// SHA-256 digest of the access token.
    pub access_token: String,
    /// SHA-256 digest of the refresh token.
    pub refresh_token: Option<String>,
    /// The access token's scope.
    pub scope: String,
    /// The refresh token's scope.
    pub refresh_token_scope: String,
    /// Unix seconds.
    pub issued_at: i64,
    /// Seconds.
    pub expires_in: i64,
    /// Unix seconds.
    pub access_token_revoked_at: Option<i64>,
    /// Unix seconds.
    pub refresh_token_revoked_at: Option<i64>,
    /// The token family.
    pub grant_id: String,
}

/// A row of `oauth2_code`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, OAuth2AuthorizationCode)]
#[diesel(table_name = oauth2_code)]
pub struct AuthorizationCode {
    /// Row id.
    pub id: i32,
    /// The resource owner.
    pub user_id: i32,
    /// SHA-256 digest of the code.
    pub code: String,
    /// The client.
    pub client_id: String,
    /// The request's `redirect_uri`, if it named one.
    pub redirect_uri: Option<String>,
    /// `code`.
    pub response_type: String,
    /// The granted scope.
    pub scope: String,
    /// OpenID Connect nonce.
    pub nonce: Option<String>,
    /// Unix seconds.
    pub auth_time: i64,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// PKCE method.
    pub code_challenge_method: Option<String>,
}

/// A row of `oauth2_device_code`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, OAuth2DeviceCode)]
#[diesel(table_name = oauth2_device_code)]
pub struct DeviceCode {
    /// Row id.
    pub id: i32,
    /// SHA-256 digest of the device code.
    pub device_code: String,
    /// SHA-256 digest of the normalised user code; NULL once freed.
    pub user_code: Option<String>,
    /// The client that asked.
    pub client_id: String,
    /// The user who decided.
    pub user_id: Option<i32>,
    /// The requested scope.
    pub scope: String,
    /// `pending`, `approved`, `denied` or `consumed`.
    pub status: String,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Seconds.
    pub polling_interval: i64,
    /// Unix seconds.
    pub last_polled_at: Option<i64>,
}
