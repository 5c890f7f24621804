//! RFC 7662, Token Introspection.

use crate::error::OAuth2Error;
use crate::http::{Method, OAuth2Request, OAuth2Response};
use crate::models::{OAuth2Client, OAuth2Token};
use crate::oauth2::rfc6749::{error_response, method_not_allowed};
use crate::oauth2::rfc7009::{TokenKind, parse_hint};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Handles an introspection request (§2.1). The caller must authenticate
    /// as a confidential client, and sees only its own tokens, or as a
    /// resource server (`resource_server` metadata) the access tokens for
    /// its resource: any other token, like an unknown, expired or revoked
    /// one, is `{"active":false}` (§2.2), so the endpoint cannot be used to
    /// probe for tokens.
    pub async fn create_introspection_response(&self, request: &OAuth2Request) -> OAuth2Response {
        if request.method != Method::Post {
            return method_not_allowed(&self.config);
        }
        match self.introspect(request).await {
            Ok(body) => OAuth2Response::json(200, &body),
            Err(error) => error_response(&self.config, &error),
        }
    }

    /// The introspection response body for a request.
    pub async fn introspect(
        &self,
        request: &OAuth2Request,
    ) -> Result<serde_json::Value, OAuth2Error> {
        let plain = |e: OAuth2Error| e.for_client_request(request);
        self.check_transport(request.secure).map_err(plain)?;
        let client = self.authenticate_client(request).await?;
        if client.is_public() {
            return Err(plain(OAuth2Error::invalid_client(
                "token introspection requires an authenticated (confidential) client",
            )));
        }
        let raw = request.form.required("token").map_err(plain)?;
        // An unrecognised hint is only a hint: the search covers every type.
        let hint = parse_hint(request).map_err(plain)?;
        let inactive = serde_json::json!({ "active": false });
        let Some((kind, token)) = self
            .find_any_token(raw, hint)
            .await
            .map_err(|e| plain(e.into()))?
        else {
            return Ok(inactive);
        };
        if !may_introspect(&client, &token, kind) {
            return Ok(inactive);
        }
        let now = self.now();
        let exp = match kind {
            TokenKind::AccessToken => {
                if token.is_access_token_revoked() || token.is_expired(now) {
                    return Ok(inactive);
                }
                Some(token.expires_at())
            }
            TokenKind::RefreshToken => {
                if token.is_refresh_token_revoked() {
                    return Ok(inactive);
                }
                let exp = self.refresh_token_expires_at(&token);
                if exp.is_some_and(|e| now >= e) {
                    return Ok(inactive);
                }
                exp
            }
        };
        let scope = match kind {
            TokenKind::AccessToken => token.scope(),
            TokenKind::RefreshToken => token.refresh_token_scope(),
        };
        let mut body = serde_json::json!({
            "active": true,
            "client_id": token.client_id(),
            "iat": token.issued_at(),
        });
        // §2.2: token_type is an RFC 6749 §5.1 access token type; a
        // refresh token has none, so it is left out.
        if kind == TokenKind::AccessToken {
            body["token_type"] = token.token_type().into();
        }
        if !scope.is_empty() {
            body["scope"] = scope.to_string().into();
        }
        if let Some(exp) = exp {
            body["exp"] = exp.into();
        }
        if let Some(user) = token.user_id() {
            body["sub"] = user.into();
        }
        // RFC 8707 §2: the resources the token is for.
        let audience = match kind {
            TokenKind::AccessToken => token.audience(),
            TokenKind::RefreshToken => token.refresh_token_audience(),
        };
        if !audience.is_empty() {
            body["aud"] = crate::oauth2::rfc8707::aud_claim(&audience);
        }
        // RFC 8693 §4.1: who acts for the subject.
        if kind == TokenKind::AccessToken
            && let Some(act) = token.actor()
        {
            body["act"] = act;
        }
        // RFC 9449 §6.2: the key a bound token is bound to.
        if let Some(jkt) = token.dpop_jkt() {
            body["cnf"] = serde_json::json!({ "jkt": jkt });
        }
        Ok(body)
    }
}

/// Who may learn about a token (§2.1, §4): the client it was issued to,
/// and, for an access token restricted to resources (RFC 8707), the
/// resource server of one of them (a confidential client registered with
/// `resource_server`). Anyone else is told it is inactive.
fn may_introspect<C: OAuth2Client, T: OAuth2Token>(client: &C, token: &T, kind: TokenKind) -> bool {
    if token.client_id() == client.client_id() {
        return true;
    }
    kind == TokenKind::AccessToken
        && !client.is_public()
        && client
            .metadata()
            .resource_server
            .as_ref()
            .is_some_and(|r| token.audience().contains(r))
}
