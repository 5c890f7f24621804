//! Resource owner password credentials grant (RFC 6749 §4.3).

use async_trait::async_trait;

use crate::error::{OAuth2Error, StorageError};
use crate::http::OAuth2Request;
use crate::models::OAuth2Client;
use crate::oauth2::server::{AuthorizationServer, TokenSpec, new_grant_id};
use crate::storage::OAuth2Storage;

use super::{IssuedToken, TokenGrant};

/// Checks a resource owner's username and password (the application's
/// user store, which the engine knows nothing of).
///
/// ```
/// use async_trait::async_trait;
/// use oauth_core::grants::ResourceOwnerAuthenticator;
/// use oauth_core::StorageError;
///
/// struct Users;
///
/// #[async_trait]
/// impl ResourceOwnerAuthenticator for Users {
///     async fn authenticate(&self, username: &str, password: &str, _client_id: &str)
///         -> Result<Option<String>, StorageError>
///     {
///         Ok((password == "valid").then(|| username.to_owned()))
///     }
/// }
/// ```
#[async_trait]
pub trait ResourceOwnerAuthenticator: Send + Sync {
    /// The user id if the credentials are right, `None` if not.
    async fn authenticate(
        &self,
        username: &str,
        password: &str,
        client_id: &str,
    ) -> Result<Option<String>, StorageError>;
}

/// `grant_type=password`.
pub struct PasswordGrant<A> {
    authenticator: A,
}

impl<A: ResourceOwnerAuthenticator> PasswordGrant<A> {
    /// The grant, checking credentials with `authenticator`.
    pub fn new(authenticator: A) -> PasswordGrant<A> {
        PasswordGrant { authenticator }
    }
}

#[async_trait]
impl<S: OAuth2Storage, A: ResourceOwnerAuthenticator> TokenGrant<S> for PasswordGrant<A> {
    fn grant_type(&self) -> &str {
        "password"
    }

    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        if request.query.contains("password") {
            return Err(OAuth2Error::invalid_request(
                "the password must not be sent in the request URI",
            ));
        }
        let username = request.form.required("username")?;
        let password = request.form.required("password")?;
        let scope = server.resolve_scope(client, request.form.single("scope")?)?;
        let user_id = self
            .authenticator
            .authenticate(username, password, client.client_id())
            .await?
            .ok_or_else(|| OAuth2Error::invalid_grant("invalid username or password"))?;
        let refresh_scope = server
            .issues_refresh_token_to(client)
            .then(|| scope.clone());
        let issuer = server.issuer_for(request);
        server
            .issue_token_for(
                client,
                issuer.as_deref(),
                TokenSpec {
                    grant_type: "password",
                    client_id: client.client_id(),
                    user_id: Some(user_id),
                    scope,
                    refresh_scope,
                    grant_id: new_grant_id(),
                },
                None,
            )
            .await
    }
}
