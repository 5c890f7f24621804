//! RFC 7009, Token Revocation.

use crate::error::OAuth2Error;
use crate::http::{Method, OAuth2Request, OAuth2Response};
use crate::models::{OAuth2Client, OAuth2Token};
use crate::oauth2::rfc6749::{error_response, method_not_allowed};
use crate::oauth2::server::AuthorizationServer;
use crate::secrets;
use crate::storage::{OAuth2Storage, StorageResult};

/// Which kind of token a value turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
}

/// `token_type_hint` (RFC 7009 §2.1, RFC 7662 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    None,
    Access,
    Refresh,
    Unknown,
}

pub(crate) fn parse_hint(request: &OAuth2Request) -> Result<Hint, OAuth2Error> {
    Ok(match request.form.single("token_type_hint")? {
        None => Hint::None,
        Some("access_token") => Hint::Access,
        Some("refresh_token") => Hint::Refresh,
        Some(_) => Hint::Unknown,
    })
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Finds a token by its raw value, searching first where the hint
    /// points and then everywhere else ("MUST extend its search").
    pub(crate) async fn find_any_token(
        &self,
        raw: &str,
        hint: Hint,
    ) -> StorageResult<Option<(TokenKind, S::Token)>> {
        let digest = secrets::digest(raw);
        let order = if hint == Hint::Refresh {
            [TokenKind::RefreshToken, TokenKind::AccessToken]
        } else {
            [TokenKind::AccessToken, TokenKind::RefreshToken]
        };
        for kind in order {
            let found = match kind {
                TokenKind::AccessToken => self.storage.find_access_token(&digest).await?,
                TokenKind::RefreshToken => self.storage.find_refresh_token(&digest).await?,
            };
            if let Some(token) = found {
                return Ok(Some((kind, token)));
            }
        }
        Ok(None)
    }

    /// Handles a revocation request (§2.1): the client authenticates; its own
    /// token is revoked; an unknown token is answered 200 all the same
    /// (§2.2). Revoking a refresh token revokes every token of its grant.
    pub async fn create_revocation_response(&self, request: &OAuth2Request) -> OAuth2Response {
        if request.method != Method::Post {
            return method_not_allowed(&self.config);
        }
        match self.revoke(request).await {
            Ok(()) => OAuth2Response::empty_ok(),
            Err(error) => error_response(&self.config, &error),
        }
    }

    async fn revoke(&self, request: &OAuth2Request) -> Result<(), OAuth2Error> {
        let plain = |e: OAuth2Error| e.for_client_request(request);
        self.check_transport(request.secure).map_err(plain)?;
        let client = self.authenticate_client(request).await?;
        let raw = request.form.required("token").map_err(plain)?;
        let hint = parse_hint(request).map_err(plain)?;
        if hint == Hint::Unknown {
            return Err(plain(OAuth2Error::unsupported_token_type(
                "token_type_hint must be access_token or refresh_token",
            )));
        }
        let now = self.now();
        let Some((kind, token)) = self
            .find_any_token(raw, hint)
            .await
            .map_err(|e| plain(e.into()))?
        else {
            return Ok(());
        };
        if token.client_id() != client.client_id() {
            return Err(plain(OAuth2Error::invalid_grant(
                "the token was issued to another client",
            )));
        }
        let result = match kind {
            TokenKind::AccessToken => {
                self.storage
                    .revoke_access_token(&secrets::digest(raw), now)
                    .await
            }
            TokenKind::RefreshToken => self
                .storage
                .revoke_grant(token.grant_id(), now)
                .await
                .map(drop),
        };
        result.map_err(|e| plain(e.into()))
    }
}
