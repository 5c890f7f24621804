//! The device access token request (§3.4–3.5).

use async_trait::async_trait;

use super::{
    DEVICE_CODE_GRANT_TYPE, DeviceCodeStatus, DeviceCodeStorage, OAuth2DeviceCode,
    SLOW_DOWN_INCREMENT,
};
use crate::error::OAuth2Error;
use crate::http::OAuth2Request;
use crate::models::OAuth2Client;
use crate::oauth2::rfc6749::grants::{IssuedToken, TokenGrant};
use crate::oauth2::server::{AuthorizationServer, TokenSpec};
use crate::secrets;

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`.
///
/// Each poll is recorded atomically; the answer is, in this order:
/// `invalid_grant` for a device code that is unknown, issued to another
/// client or already spent; `expired_token` once it has expired;
/// `access_denied` if the user denied; `slow_down` (and an interval 5 s
/// longer from then on) for a pending code polled sooner than its interval
/// after the previous poll; `authorization_pending` otherwise; and for an
/// approved code, the token, exactly once. The first poll is never too
/// fast: the interval is between polls (§3.5).
///
/// Tokens carry the device code's digest as grant id. A spent device code
/// presented again does not revoke them (unlike an authorization code): it
/// never leaves the device, and two racing polls of one honest device are
/// the likely cause.
#[derive(Debug, Default, Clone, Copy)]
pub struct DeviceCodeGrant;

#[async_trait]
impl<S: DeviceCodeStorage> TokenGrant<S> for DeviceCodeGrant {
    fn grant_type(&self) -> &str {
        DEVICE_CODE_GRANT_TYPE
    }

    async fn create_token(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        let raw = request.form.required("device_code")?;
        let digest = secrets::digest(raw);
        let now = server.now();
        // RFC 8707 §2.2, checked before the poll counts.
        let audience = server.token_audience(request, &[])?;
        let Some(poll) = server
            .storage
            .poll_device_code(&digest, client.client_id(), now, SLOW_DOWN_INCREMENT)
            .await?
        else {
            return Err(OAuth2Error::invalid_grant(
                "the device code is invalid or was issued to another client",
            ));
        };
        let code = poll.device_code;
        match code.status() {
            DeviceCodeStatus::Consumed => {
                return Err(OAuth2Error::invalid_grant(
                    "the device code has already been used",
                ));
            }
            _ if code.is_expired(now) => {
                return Err(OAuth2Error::expired_token("the device code has expired"));
            }
            DeviceCodeStatus::Denied => {
                return Err(OAuth2Error::access_denied(
                    "the user denied the authorization request",
                ));
            }
            DeviceCodeStatus::Pending if poll.too_fast => {
                return Err(OAuth2Error::slow_down(format!(
                    "polling too fast; wait at least {} seconds between requests",
                    code.interval()
                )));
            }
            DeviceCodeStatus::Pending => {
                return Err(OAuth2Error::authorization_pending(
                    "the user has not yet answered the authorization request",
                ));
            }
            DeviceCodeStatus::Approved => {}
        }
        let Some(user_id) = code.user_id() else {
            return Err(OAuth2Error::server_error(
                "the approved device code has no user",
            ));
        };
        if !server.storage.consume_device_code(&digest).await? {
            return Err(OAuth2Error::invalid_grant(
                "the device code has already been used",
            ));
        }
        let scope = code.scope();
        let refresh_scope = server
            .issues_refresh_token_to(client)
            .then(|| scope.clone());
        let issuer = server.issuer_for(request);
        server
            .issue_token_for(
                client,
                issuer.as_deref(),
                TokenSpec {
                    grant_type: DEVICE_CODE_GRANT_TYPE,
                    client_id: client.client_id(),
                    user_id: Some(user_id),
                    scope,
                    refresh_scope,
                    grant_id: digest,
                    dpop_jkt: request.dpop_jkt().map(str::to_owned),
                    audience,
                },
                None,
            )
            .await
    }
}
