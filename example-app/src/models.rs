//! The site's models. The OAuth ones are the structs a user of the
//! framework writes: plain Diesel structs over the standard tables, with the
//! derives. A field named otherwise than its column names the column with
//! `#[diesel(column_name = ...)]`, and the derives follow the column.

use diesel::prelude::*;
use oauth_core::oidc::UserClaims;
use oauth_diesel::schema::{oauth2_client, oauth2_code, oauth2_grant, oauth2_token};
use oauth_diesel::{OAuth2AuthorizationCode, OAuth2Client, OAuth2Grant, OAuth2Token, OAuth2User};
use serde::Serialize;

diesel::table! {
    /// The site's users.
    users (id) {
        /// Row id.
        id -> Integer,
        /// Login name.
        username -> Text,
    }
}

diesel::table! {
    /// Log-in sessions (see `session`).
    sessions (id) {
        /// SHA-256 digest of the session secret.
        id -> Text,
        /// Whose.
        user_id -> Integer,
        /// When they logged in.
        auth_time -> BigInt,
        /// When the session ends.
        expires_at -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(sessions, users);

/// A user of the site. `OAuth2User` lets `/api/me` read the user with its
/// token, in one read (`RequireOAuthUser`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, OAuth2User)]
#[diesel(table_name = users)]
pub struct User {
    /// Row id, which is also the OAuth user id.
    pub id: i32,
    /// Login name.
    pub username: String,
}

/// What the site knows of a user, as OpenID Connect claims (§5.1): the
/// login name as `preferred_username` and `name`, and an address at
/// `example.test` that nobody has verified.
impl UserClaims for User {
    fn claims(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut claims = serde_json::Map::new();
        claims.insert("preferred_username".into(), self.username.clone().into());
        claims.insert("name".into(), self.username.clone().into());
        claims.insert(
            "email".into(),
            format!("{}@example.test", self.username).into(),
        );
        claims.insert("email_verified".into(), false.into());
        claims
    }
}

/// An OAuth 2.0 client.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2Client)]
#[diesel(table_name = oauth2_client)]
pub struct Client {
    /// The user who registered it.
    #[diesel(column_name = user_id)]
    pub owner_id: Option<i32>,
    /// The client identifier.
    pub client_id: String,
    /// SHA-256 digest of the secret (none for public clients).
    #[diesel(column_name = client_secret)]
    pub secret_digest: Option<String>,
    /// When it was registered.
    pub client_id_issued_at: i64,
    /// RFC 7591 metadata, JSON.
    #[diesel(column_name = client_metadata)]
    pub metadata: String,
    /// client_secret_jwt: the secret, sealed (its HMAC key).
    pub client_secret_sealed: Option<String>,
}

/// An issued token.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2Token)]
#[diesel(table_name = oauth2_token)]
pub struct Token {
    /// The resource owner.
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
    #[diesel(column_name = grant_id)]
    pub family: String,
    /// OpenID Connect: the login the ID tokens of refreshes report.
    pub authentication: Option<String>,
    /// When the grant began, for the absolute refresh lifetime.
    pub grant_issued_at: Option<i64>,
    /// When the refresh token was rotated out, for the grace period.
    pub refresh_token_rotated_at: Option<i64>,
    /// DPoP: the thumbprint of the key the token is bound to.
    pub dpop_jkt: Option<String>,
    /// RFC 8707: the resources the access token is for.
    pub audience: Option<String>,
    /// RFC 8707: the resources the refresh token may ask for.
    pub refresh_token_audience: Option<String>,
    /// RFC 8693: the act claim of an exchanged token, JSON.
    pub actor: Option<String>,
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone, Queryable, Selectable, OAuth2AuthorizationCode)]
#[diesel(table_name = oauth2_code)]
pub struct AuthorizationCode {
    /// The resource owner.
    pub user_id: i32,
    /// SHA-256 digest of the code.
    pub code: String,
    /// The client.
    pub client_id: String,
    /// The request's redirect URI, if it named one.
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
    /// OpenID Connect: the login, the nonce and the claims asked for.
    pub authentication: Option<String>,
    /// DPoP: the thumbprint of the key the code is bound to.
    pub dpop_jkt: Option<String>,
    /// RFC 8707: the resources the request named.
    pub audience: Option<String>,
}

/// What a user granted a client (the `/account/apps` page lists them).
#[derive(Debug, Clone, Queryable, Selectable, OAuth2Grant)]
#[diesel(table_name = oauth2_grant)]
pub struct Grant {
    /// The user who granted.
    pub user_id: i32,
    /// The client granted.
    pub client_id: String,
    /// Every scope granted so far.
    pub scope: String,
    /// OpenID Connect claims granted by name.
    pub claims: String,
    /// Unix seconds: first granted.
    pub granted_at: i64,
    /// Unix seconds: last granted.
    pub updated_at: i64,
}
