//! Grants at the token endpoint (RFC 6749 §4, §6), and the trait a custom
//! grant implements (Authlib's `BaseGrant`).

mod authorization_code;
mod client_credentials;
mod password;
mod refresh_token;

pub use authorization_code::AuthorizationCodeGrant;
pub use client_credentials::ClientCredentialsGrant;
pub use password::{PasswordGrant, ResourceOwnerAuthenticator};
pub use refresh_token::RefreshTokenGrant;

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::models::NewToken;
use crate::oauth2::server::AuthorizationServer;
use crate::scope::Scope;
use crate::secrets::{AccessToken, RefreshToken};
use crate::storage::OAuth2Storage;

/// A grant type served at the token endpoint.
///
/// The token endpoint has already checked the method, TLS, the
/// `grant_type` parameter, the client's authentication, and that the client
/// may use this grant type, before [`TokenGrant::create_token`] runs.
///
/// A custom grant reads its parameters from `request.form`, decides, and
/// finishes with [`AuthorizationServer::issue_token`]:
///
/// ```
/// use async_trait::async_trait;
/// use oauth_core::grants::{IssuedToken, TokenGrant};
/// use oauth_core::{new_grant_id, AuthorizationServer, OAuth2Client, OAuth2Error,
///                  OAuth2Request, OAuth2Storage, TokenSpec};
///
/// /// `urn:example:magic`: trades a magic word for a token.
/// struct MagicGrant;
///
/// #[async_trait]
/// impl<S: OAuth2Storage> TokenGrant<S> for MagicGrant {
///     fn grant_type(&self) -> &str { "urn:example:magic" }
///
///     async fn create_token(
///         &self,
///         server: &AuthorizationServer<S>,
///         client: &S::Client,
///         request: &OAuth2Request,
///     ) -> Result<IssuedToken, OAuth2Error> {
///         if request.form.required("word")? != "please" {
///             return Err(OAuth2Error::invalid_grant("that is not the magic word"));
///         }
///         let scope = server.resolve_scope(client, request.form.single("scope")?)?;
///         server.issue_token(TokenSpec {
///             grant_type: "urn:example:magic",
///             client_id: client.client_id(),
///             user_id: None,
///             scope,
///             refresh_scope: None,
///             grant_id: new_grant_id(),
///             dpop_jkt: request.dpop_jkt().map(str::to_owned),
///             // RFC 8707: the resources the request names, if any.
///             audience: server.token_audience(request, &[])?,
///         }).await
///     }
/// }
/// ```
#[async_trait]
pub trait TokenGrant<S: OAuth2Storage>: Send + Sync {
    /// The `grant_type` value this grant serves.
    fn grant_type(&self) -> &str;

    /// Whether public clients (`none`) may use this grant (true).
    fn allows_public_clients(&self) -> bool {
        true
    }

    /// Validates the request and issues a token.
    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error>;
}

/// A token just issued: the raw values for the response, and the record
/// that storage keeps (digests only). Its `Debug` redacts the raw tokens.
#[derive(Clone, PartialEq)]
pub struct IssuedToken {
    /// The access token, raw.
    pub access_token: AccessToken,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The refresh token, raw, if one was issued.
    pub refresh_token: Option<RefreshToken>,
    /// The access token's scope.
    pub scope: Scope,
    /// More members for the token response (for example `id_token`).
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// What storage keeps.
    pub record: NewToken,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .field("record", &self.record)
            .finish()
    }
}

impl IssuedToken {
    /// The token response body of RFC 6749 §5.1.
    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("access_token".into(), self.access_token.secret().into());
        body.insert("token_type".into(), self.token_type.clone().into());
        body.insert("expires_in".into(), self.expires_in.into());
        if let Some(r) = &self.refresh_token {
            body.insert("refresh_token".into(), r.secret().into());
        }
        if !self.scope.is_empty() {
            body.insert("scope".into(), self.scope.to_string().into());
        }
        for (k, v) in &self.extra {
            body.entry(k.clone()).or_insert_with(|| v.clone());
        }
        serde_json::Value::Object(body)
    }
}
