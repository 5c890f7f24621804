//! Refreshing an access token (RFC 6749 §6), with rotation.

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::events;
use crate::http::OAuth2Request;
use crate::models::Authentication;
use crate::models::{OAuth2Client, OAuth2Token};
use crate::oauth2::server::{AuthorizationServer, TokenSpec};
use crate::scope::Scope;
use crate::secrets;
use crate::storage::OAuth2Storage;

use super::{IssuedToken, TokenGrant};

/// `grant_type=refresh_token`.
///
/// With rotation on (the default), each refresh issues a new refresh token
/// and revokes the old pair in one atomic storage call. A refresh token that
/// was already rotated out (or revoked) is a sign it was stolen: presenting
/// it revokes every token of its grant (RFC 9700 §4.14.2), unless its
/// client presents it within
/// [`refresh_token_grace_period`](crate::config::Lifetimes::refresh_token_grace_period)
/// of its rotation (a retry), which gets it one new pair.
#[derive(Debug, Default, Clone, Copy)]
pub struct RefreshTokenGrant;

#[async_trait]
impl<S: OAuth2Storage> TokenGrant<S> for RefreshTokenGrant {
    fn grant_type(&self) -> &str {
        "refresh_token"
    }

    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        let raw = request.form.required("refresh_token")?;
        let requested_scope = request.form.single("scope")?;
        let digest = secrets::digest(raw);
        let now = server.now();

        let Some(old) = server.storage.find_refresh_token(&digest).await? else {
            return Err(OAuth2Error::invalid_grant("the refresh token is invalid"));
        };
        if old.client_id() != client.client_id() {
            return Err(OAuth2Error::invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        // The grace period: within it after a rotation, the rotated-out
        // token's client gets one retry (a new pair), and a use beyond that
        // is refused without revoking the family, as benign retries are
        // expected then. Outside it, reuse revokes the family.
        let grace = server.config.lifetimes.refresh_token_grace_period;
        let within =
            |at: Option<i64>| grace > 0 && at.is_some_and(|at| now.saturating_sub(at) <= grace);
        let in_grace = old.is_refresh_token_revoked() && within(old.refresh_token_revoked_at());
        let retry = in_grace && within(old.refresh_token_rotated_at());
        if old.is_refresh_token_revoked() && !retry {
            if in_grace {
                return Err(OAuth2Error::invalid_grant(
                    "the refresh token has already been used",
                ));
            }
            let revoked = server.storage.revoke_grant(old.grant_id(), now).await?;
            events::refresh_token_reused(client.client_id(), old.grant_id(), revoked);
            return Err(OAuth2Error::invalid_grant(
                "the refresh token has been revoked",
            ));
        }
        // RFC 9449 §5.0: a public client's refresh token is bound to the
        // key of its first proof; only a proof by that key refreshes it.
        if client.is_public()
            && let Some(bound) = old.dpop_jkt()
            && request.dpop_jkt() != Some(bound)
        {
            return Err(crate::oauth2::rfc9449::invalid_dpop_proof(
                "this refresh token is bound to a DPoP key: refresh it with a proof by that key",
            ));
        }
        // RFC 9700 §4.14.2: idle and absolute lifetimes.
        if server
            .refresh_token_expires_at(&old)
            .is_some_and(|exp| now >= exp)
        {
            return Err(OAuth2Error::invalid_grant("the refresh token has expired"));
        }

        // §6: the new scope MUST NOT include any scope not originally
        // granted, and is the original scope when omitted.
        let granted = old.refresh_token_scope();
        let scope = match requested_scope {
            None => granted.clone(),
            Some(text) => {
                let s = Scope::parse(text)?;
                if !s.is_subset_of(&granted) {
                    return Err(OAuth2Error::invalid_scope(
                        "the requested scope exceeds the scope originally granted",
                    ));
                }
                s
            }
        };
        let scope = client.allowed_scope(&scope);
        // RFC 8707 §2.2: a token for some or all of the grant's resources;
        // the new refresh token keeps all of them.
        let audience = server.token_audience(request, &old.refresh_token_audience())?;

        let spec = TokenSpec {
            grant_type: "refresh_token",
            client_id: client.client_id(),
            user_id: old.user_id(),
            scope,
            // §6: a new refresh token keeps the scope of the one presented.
            refresh_scope: server.config.refresh_tokens.rotate.then_some(granted),
            grant_id: old.grant_id().to_owned(),
            dpop_jkt: request.dpop_jkt().map(str::to_owned),
            audience,
        };
        // OpenID Connect Core §12.2: the ID tokens of a refresh report the
        // original login, without its nonce.
        let issuer = server.issuer_for(request);
        let mut issued = server
            .mint_token(
                client,
                issuer.as_deref(),
                spec,
                old.authentication().map(Authentication::refreshed),
            )
            .await?;
        // The grant keeps its start, so the absolute lifetime holds
        // however often it is refreshed.
        issued.record.grant_issued_at =
            Some(old.grant_issued_at().unwrap_or_else(|| old.issued_at()));
        if retry {
            return take_grace_retry(server, client, &old, &digest, issued, grace).await;
        }
        if !server.config.refresh_tokens.rotate {
            server.storage.save_token(issued.record.clone()).await?;
            return Ok(issued);
        }
        let rotated = server
            .storage
            .rotate_refresh_token(&digest, issued.record.clone(), now)
            .await?;
        if !rotated {
            // Lost a race with another use of the same refresh token: with
            // a grace period, two tabs refreshing at once; the loser takes
            // the retry the winner's rotation just opened.
            if grace > 0 {
                return take_grace_retry(server, client, &old, &digest, issued, grace).await;
            }
            let revoked = server.storage.revoke_grant(old.grant_id(), now).await?;
            events::refresh_token_reused(client.client_id(), old.grant_id(), revoked);
            return Err(OAuth2Error::invalid_grant(
                "the refresh token has already been used",
            ));
        }
        Ok(issued)
    }
}

/// The grace retry of the rotated-out refresh token with `digest`: the
/// new pair `issued` if this call took the retry (once, whatever the
/// concurrency), `invalid_grant` without revoking anything if another took
/// it first.
async fn take_grace_retry<S: OAuth2Storage>(
    server: &AuthorizationServer<S>,
    client: &S::Client,
    old: &S::Token,
    digest: &str,
    issued: IssuedToken,
    grace: i64,
) -> Result<IssuedToken, OAuth2Error> {
    let since = server.now().saturating_sub(grace);
    if server
        .storage
        .retry_rotated_refresh_token(digest, issued.record.clone(), since)
        .await?
    {
        events::refresh_token_retried(client.client_id(), old.grant_id());
        return Ok(issued);
    }
    Err(OAuth2Error::invalid_grant(
        "the refresh token has already been used",
    ))
}
