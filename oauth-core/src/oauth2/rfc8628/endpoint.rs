//! The device authorization endpoint (§3.1–3.2).

use super::{
    DEVICE_CODE_BYTES, DEVICE_CODE_GRANT_TYPE, DeviceCodeGrant, DeviceCodeStorage, NewDeviceCode,
    USER_CODE_ATTEMPTS, format_user_code, generate_user_code,
};
use crate::error::OAuth2Error;
use crate::http::{Method, OAuth2Request, OAuth2Response, add_params_to_uri, origin};
use crate::models::OAuth2Client;
use crate::oauth2::rfc6749::{error_response, method_not_allowed};
use crate::oauth2::server::{AuthorizationServer, ConfigError};
use crate::secrets::{self, DeviceCode, UserCode};

/// A device authorization response (§3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorizationResponse {
    /// The device verification code, raw (storage keeps its digest).
    pub device_code: DeviceCode,
    /// The user code as shown to the user (`WDJB-MJHT`).
    pub user_code: UserCode,
    /// Where the user goes to enter it.
    pub verification_uri: String,
    /// The same with the user code in the query (§3.3.1), for a QR code or
    /// a link; the page must still show the code and ask for approval.
    pub verification_uri_complete: String,
    /// Seconds until both codes expire.
    pub expires_in: i64,
    /// Seconds the client must wait between polls.
    pub interval: i64,
}

impl DeviceAuthorizationResponse {
    /// The JSON body of §3.2.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "device_code": self.device_code,
            "user_code": self.user_code,
            "verification_uri": self.verification_uri,
            "verification_uri_complete": self.verification_uri_complete,
            "expires_in": self.expires_in,
            "interval": self.interval,
        })
    }
}

/// `base` joined with a relative `path`, as endpoint paths are joined with
/// the issuer in the RFC 8414 metadata; an absolute `path` is kept.
fn join(base: &str, path: &str) -> String {
    if path.contains("://") {
        path.to_owned()
    } else {
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

impl<S: DeviceCodeStorage> AuthorizationServer<S> {
    /// Registers the device code grant at the token endpoint, which also
    /// enables the device authorization endpoint.
    ///
    /// Fails if [`Device::verification_uri`](crate::config::Device::verification_uri)
    /// is not set: every device authorization response must name it (§3.2).
    pub fn with_device_grant(self) -> Result<Self, ConfigError> {
        if self.config.device.verification_uri.is_none() {
            return Err(ConfigError(
                "oauth2.verification_uri is required for the device authorization grant (RFC 8628 §3.2)"
                    .into(),
            ));
        }
        Ok(self.with_grant(DeviceCodeGrant))
    }

    /// Handles a device authorization request (§3.1): a JSON device
    /// authorization response (§3.2) or a JSON error (RFC 6749 §5.2), both
    /// with `Cache-Control: no-store`.
    ///
    /// Order of checks: POST (405 otherwise), TLS, the grant enabled,
    /// client authentication as at the token endpoint (a public client
    /// names itself with `client_id`), the client's right to the device
    /// grant type, then the scope.
    pub async fn create_device_authorization_response(
        &self,
        request: &OAuth2Request,
    ) -> OAuth2Response {
        if request.method != Method::Post {
            return method_not_allowed(&self.config);
        }
        match self.device_authorization(request).await {
            Ok(response) => OAuth2Response::json(200, &response.to_json()),
            Err(error) => error_response(&self.config, &error),
        }
    }

    /// The device authorization endpoint as a typed result: the response,
    /// or the error (with its challenge, see [`OAuth2Error::for_client_request`]).
    ///
    /// A relative `verification_uri` is made absolute against the issuer if
    /// one is configured, else against the request URI if that is absolute;
    /// otherwise it is left relative for the adapter to complete.
    pub async fn device_authorization(
        &self,
        request: &OAuth2Request,
    ) -> Result<DeviceAuthorizationResponse, OAuth2Error> {
        let plain = |e: OAuth2Error| e.for_client_request(request);
        self.check_transport(request.secure).map_err(plain)?;
        let verification_uri = match &self.config.device.verification_uri {
            Some(uri) if self.grants.contains_key(DEVICE_CODE_GRANT_TYPE) => uri,
            _ => {
                return Err(plain(OAuth2Error::unsupported_grant_type(
                    "the device authorization grant is not enabled on this server",
                )));
            }
        };
        let client = self.authenticate_client(request).await?;
        if !client.check_grant_type(DEVICE_CODE_GRANT_TYPE) {
            return Err(plain(OAuth2Error::unauthorized_client(
                "the client is not allowed to use the device authorization grant",
            )));
        }
        let scope = self
            .resolve_scope(&client, request.form.single("scope").map_err(plain)?)
            .map_err(plain)?;

        let now = self.now();
        let device_code = secrets::random_token(DEVICE_CODE_BYTES);
        let config = &self.config;
        let mut saved = None;
        for _ in 0..USER_CODE_ATTEMPTS {
            let user_code = generate_user_code(
                &config.device.user_code_alphabet,
                config.device.user_code_length,
            );
            let record = NewDeviceCode {
                device_code_digest: secrets::digest(&device_code),
                user_code_digest: secrets::digest(&user_code),
                client_id: client.client_id().to_owned(),
                scope: scope.to_string(),
                issued_at: now,
                expires_at: now.saturating_add(config.lifetimes.device_code),
                interval: config.device.polling_interval,
            };
            if self
                .storage
                .save_device_code(record)
                .await
                .map_err(|e| plain(e.into()))?
            {
                saved = Some(user_code);
                break;
            }
        }
        let Some(user_code) = saved else {
            // Only when nearly every user code is in use: the alphabet or
            // length is too small for the traffic.
            return Err(plain(OAuth2Error::temporarily_unavailable(
                "no user code is available; try again later",
            )));
        };

        let verification_uri = match (&config.issuer, origin(&request.uri).as_deref()) {
            _ if verification_uri.contains("://") => verification_uri.clone(),
            (Some(issuer), _) => join(issuer, verification_uri),
            (None, Some(origin)) => join(origin, verification_uri),
            (None, None) => verification_uri.clone(),
        };
        let user_code = format_user_code(&user_code);
        let verification_uri_complete =
            add_params_to_uri(&verification_uri, &[("user_code", &user_code)], false);
        Ok(DeviceAuthorizationResponse {
            device_code: DeviceCode::new(device_code),
            user_code: UserCode::new(user_code),
            verification_uri,
            verification_uri_complete,
            expires_in: config.lifetimes.device_code,
            interval: config.device.polling_interval,
        })
    }
}
