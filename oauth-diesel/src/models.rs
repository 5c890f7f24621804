//! Ready-made models for the standard tables of [`crate::schema`]: what a
//! user would write with the derives, usable as they are.

use diesel::prelude::*;

use crate::schema::{
    oauth1_client, oauth1_temporary_credential, oauth1_token_credential, oauth2_client,
    oauth2_code, oauth2_device_code, oauth2_grant, oauth2_signing_key, oauth2_token,
};
use crate::{
    OAuth2AuthorizationCode, OAuth2Client, OAuth2DeviceCode, OAuth2Grant, OAuth2SigningKey,
    OAuth2Token,
};

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
    /// The sealed secret of a `client_secret_jwt` client (its HMAC key).
    pub client_secret_sealed: Option<String>,
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
    /// OpenID Connect: the login, JSON.
    pub authentication: Option<String>,
    /// When the grant began (kept by rotations).
    pub grant_issued_at: Option<i64>,
    /// When the refresh token was rotated out, while its grace retry is
    /// unused.
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

/// A row of `oauth2_grant`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, OAuth2Grant)]
#[diesel(table_name = oauth2_grant)]
pub struct Grant {
    /// Row id.
    pub id: i32,
    /// The user who granted.
    pub user_id: i32,
    /// The client granted.
    pub client_id: String,
    /// Every scope granted so far.
    pub scope: String,
    /// The OpenID Connect claims granted by name.
    pub claims: String,
    /// Unix seconds: first granted.
    pub granted_at: i64,
    /// Unix seconds: last granted.
    pub updated_at: i64,
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
    /// OpenID Connect: the login, the nonce and the claims asked for, JSON.
    pub authentication: Option<String>,
    /// DPoP: the thumbprint of the key the code is bound to.
    pub dpop_jkt: Option<String>,
    /// RFC 8707: the resources the request named.
    pub audience: Option<String>,
}

/// A row of `oauth2_signing_key`. `Debug` leaves the private key out.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable, OAuth2SigningKey)]
#[diesel(table_name = oauth2_signing_key)]
pub struct SigningKey {
    /// Row id.
    pub id: i32,
    /// The key id (RFC 7638 thumbprint).
    pub kid: String,
    /// `RS256`, `ES256` or `EdDSA`.
    pub alg: String,
    /// The private key, sealed (`v1:`) or in clear (`clear:`).
    pub private_key: String,
    /// Unix seconds: made and published.
    pub created_at: i64,
    /// Unix seconds: signs from.
    pub signs_from: i64,
    /// Unix seconds: stopped signing.
    pub signs_until: Option<i64>,
    /// Unix seconds: leaves the JWK Set.
    pub published_until: Option<i64>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("signs_from", &self.signs_from)
            .field("signs_until", &self.signs_until)
            .finish_non_exhaustive()
    }
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

// The OAuth 1.0a models share their names with the traits they implement,
// so the derives are named by path here.

/// A row of `oauth1_client`: an OAuth 1.0a client.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, oauth_derive::OAuth1Client)]
#[diesel(table_name = oauth1_client)]
pub struct OAuth1Client {
    /// Row id.
    pub id: i32,
    /// The user who registered the client.
    pub user_id: Option<i32>,
    /// The `oauth_consumer_key`.
    pub client_id: String,
    /// The shared secret, in clear (the HMAC-SHA1 key); empty for an
    /// RSA-only client.
    pub client_secret: String,
    /// A name to show the resource owner.
    pub client_name: Option<String>,
    /// Registered callback URIs, space-separated.
    pub redirect_uris: String,
    /// Default (and allowed) realms, space-separated.
    pub default_realms: String,
    /// PEM public key for RSA-SHA1.
    pub rsa_public_key: Option<String>,
}

/// A row of `oauth1_temporary_credential`.
#[derive(
    Debug, Clone, PartialEq, Eq, Queryable, Selectable, oauth_derive::OAuth1TemporaryCredential,
)]
#[diesel(table_name = oauth1_temporary_credential)]
pub struct OAuth1TemporaryCredential {
    /// Row id.
    pub id: i32,
    /// The client it was issued to.
    pub client_id: String,
    /// The resource owner, once authorized.
    pub user_id: Option<i32>,
    /// `oauth_token`.
    pub oauth_token: String,
    /// `oauth_token_secret`, in clear (an HMAC-SHA1 key).
    pub oauth_token_secret: String,
    /// A registered callback URI or `oob`.
    pub oauth_callback: String,
    /// SHA-256 digest of the `oauth_verifier`, once authorized.
    pub oauth_verifier_digest: Option<String>,
    /// Realms asked for, space-separated.
    pub realms: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A row of `oauth1_token_credential`.
#[derive(
    Debug, Clone, PartialEq, Eq, Queryable, Selectable, oauth_derive::OAuth1TokenCredential,
)]
#[diesel(table_name = oauth1_token_credential)]
pub struct OAuth1TokenCredential {
    /// Row id.
    pub id: i32,
    /// The client it was issued to.
    pub client_id: String,
    /// The resource owner.
    pub user_id: i32,
    /// `oauth_token`.
    pub oauth_token: String,
    /// `oauth_token_secret`, in clear (an HMAC-SHA1 key).
    pub oauth_token_secret: String,
    /// Realms covered, space-separated.
    pub realms: String,
    /// Unix seconds.
    pub issued_at: i64,
}
