//! Resource owner password credentials grant (RFC 6749 §4.3).

use async_trait::async_trait;

use std::net::IpAddr;

use crate::error::{OAuth2Error, StorageError};
use crate::events::{self, CutOff};
use crate::http::OAuth2Request;
use crate::models::OAuth2Client;
use crate::oauth2::rfc6819::address_key;
use crate::oauth2::server::{AuthorizationServer, TokenSpec, new_grant_id};
use crate::secrets;
use crate::storage::{OAuth2Storage, PasswordFailures};

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

/// Checks a username and password under the guessing limits
/// ([`PasswordLimit`](crate::config::PasswordLimit)), as client secrets
/// are checked: an address past its limit is refused before the password
/// is checked, and its attempt is not counted; a wrong password is counted
/// for the username and the address; a right one is refused while the
/// username is past its limit, so guessing is stopped, not only slowed.
/// Counts are read before a failure is written, so parallel requests can
/// overshoot a limit by those in flight.
async fn authenticate_with_limits<S: OAuth2Storage, A: ResourceOwnerAuthenticator>(
    server: &AuthorizationServer<S>,
    authenticator: &A,
    username: &str,
    password: &str,
    client_id: &str,
    remote_addr: Option<IpAddr>,
) -> Result<String, OAuth2Error> {
    let limits = &server.config.limits.password;
    let (per_username, per_address) = (limits.max_failures, limits.max_failures_per_address);
    let address = remote_addr.map(address_key);
    let address = address.as_deref();
    let username_digest = secrets::digest(username);
    let now = server.now();
    let failures = if per_username == 0 && per_address == 0 {
        PasswordFailures::default()
    } else {
        server
            .storage
            .count_password_failures(&username_digest, address, now.saturating_sub(limits.window))
            .await?
    };
    let too_many = "too many failed sign-in attempts; try again later";
    if per_address > 0 && address.is_some() && failures.address >= per_address {
        events::password_cut_off(client_id, remote_addr, CutOff::Address);
        return Err(OAuth2Error::invalid_grant(too_many));
    }
    let Some(user_id) = authenticator
        .authenticate(username, password, client_id)
        .await?
    else {
        if per_username > 0 || per_address > 0 {
            server
                .storage
                .record_password_failure(&username_digest, address, now)
                .await?;
        }
        events::password_failed(client_id, remote_addr);
        return Err(OAuth2Error::invalid_grant("invalid username or password"));
    };
    if per_username > 0 && failures.username >= per_username {
        events::password_cut_off(client_id, remote_addr, CutOff::Username);
        return Err(OAuth2Error::invalid_grant(too_many));
    }
    Ok(user_id)
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
        let audience = server.token_audience(request, &[])?;
        let user_id = authenticate_with_limits(
            server,
            &self.authenticator,
            username,
            password,
            client.client_id(),
            request.remote_addr,
        )
        .await?;
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
                    dpop_jkt: request.dpop_jkt().map(str::to_owned),
                    audience,
                },
                None,
            )
            .await
    }
}
