//! The authorization server of the site: Diesel storage on the site's
//! pool, the password grant against the site's users, registration open to
//! logged-in users.

use async_trait::async_trait;
use oauth_core::grants::ResourceOwnerAuthenticator;
use oauth_core::oauth2::rfc9728::ProtectedResource;
use oauth_core::rocket::{OAuth2, OAuth2Fairing};
use oauth_core::{AuthorizationServer, Endpoints, StorageError};
use oauth_diesel::{DbPool, DieselStorage};

use crate::db::{AppDb, find_user_by_name};
use crate::models::{AuthorizationCode, Client, Grant, Token, User};

/// The OAuth storage: the site's own models, derived (device codes and
/// signing keys in the standard models).
pub type Store = DieselStorage<
    Client,
    Token,
    AuthorizationCode,
    oauth_diesel::models::DeviceCode,
    oauth_diesel::models::SigningKey,
    Grant,
>;

/// The password grant's check: the user must exist, and (as in Authlib's
/// example) every user's password is `valid`.
pub struct SiteUsers(pub DbPool);

#[async_trait]
impl ResourceOwnerAuthenticator for SiteUsers {
    async fn authenticate(
        &self,
        username: &str,
        password: &str,
        _client_id: &str,
    ) -> Result<Option<String>, StorageError> {
        if password != "valid" {
            return Ok(None);
        }
        // A database failure is the server's (503), not a wrong password.
        Ok(find_user_by_name(&self.0, username.to_owned())
            .await?
            .map(|u| u.id.to_string()))
    }
}

/// The OAuth 2.0 fairing of the site.
pub fn fairing() -> OAuth2Fairing<Store> {
    OAuth2::fairing(|rocket, config| {
        let pool = rocket
            .state::<AppDb>()
            .ok_or("the database fairing must be attached first")?
            .0
            .clone();
        let storage = Store::new(pool.clone());
        // A missing table or column stops the launch, naming it.
        storage.check_schema().map_err(|e| e.chain().to_string())?;
        let server = AuthorizationServer::new(storage, config)
            .map_err(|e| e.to_string())?
            .with_password_grant(SiteUsers(pool))
            .with_device_grant()
            .map_err(|e| e.to_string())?
            // RFC 8693: a resource server trades the token it was sent for
            // one for another resource, on the same user's behalf.
            .with_token_exchange()
            .with_signing_keys()
            // Clients may authenticate with their own keys, or sign with
            // their secret (RFC 7523, OpenID Connect Core §9).
            .with_private_key_jwt()
            .with_client_secret_jwt()
            .with_openid_connect()
            .with_claims_supported(["preferred_username", "name", "email", "email_verified"])
            .with_user_claims::<User>()
            // Grants are recorded: the consent page is skipped for what a
            // confidential client was already granted, and /account/apps
            // lists and withdraws them.
            .with_grants()
            // RFC 9728: the site's API (`/api/me`) describes itself at
            // /.well-known/oauth-protected-resource, and its 401s say so.
            .with_protected_resource(ProtectedResource {
                path: String::new(),
                scopes_supported: Some(vec!["profile".into()]),
                resource_name: Some("Example app API".into()),
            });
        Ok(server)
    })
    .endpoints(Endpoints {
        device_authorization: Some("/oauth/device_authorization".into()),
        jwks: Some("/oauth/jwks".into()),
        userinfo: Some("/oauth/userinfo".into()),
        end_session: Some("/oauth/end_session".into()),
        // RFC 9126 (`POST /oauth/par`) is in Endpoints::under.
        ..Endpoints::under("/oauth")
    })
    // `/api/me` takes `RequireOAuthUser<Profile, User>`.
    .users::<User>()
    // Registration is open to logged-in users (a live session), who own
    // what they register.
    .registration_by::<User>(|user| Some(user.id.to_string()))
}

/// The client's home page, from its metadata.
pub fn client_uri(client: &Client) -> Option<String> {
    oauth_diesel::glue::parse_metadata(&client.metadata).client_uri
}
