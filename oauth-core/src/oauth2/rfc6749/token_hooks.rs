//! Hooks of the token endpoint: code that sees every token a grant issued
//! before the response is sent, whatever the grant, and may add members to
//! the response. OpenID Connect's ID token is such a hook.

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::oauth2::rfc6749::grants::IssuedToken;
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// A hook on the token endpoint, registered with
/// [`AuthorizationServer::with_token_hook`]; hooks run in the order they
/// were registered.
#[async_trait]
pub trait TokenHook<S: OAuth2Storage>: Send + Sync {
    /// Sees a token just issued (and stored) by `grant_type` for `client`;
    /// may add to [`IssuedToken::extra`]. An error is the endpoint's answer
    /// instead of the token.
    async fn issued(
        &self,
        server: &AuthorizationServer<S>,
        request: &OAuth2Request,
        client: &S::Client,
        grant_type: &str,
        token: &mut IssuedToken,
    ) -> Result<(), OAuth2Error>;
}
