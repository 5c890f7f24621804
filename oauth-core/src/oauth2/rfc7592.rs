//! RFC 7592, OAuth 2.0 Dynamic Client Registration Management: a
//! registered client reads (`GET`), replaces (`PUT`) and deletes (`DELETE`)
//! its registration at its client configuration endpoint,
//! `registration_client_uri`, with the `registration_access_token` its
//! registration response carried (§3).
//!
//! The token is a bearer credential (RFC 6750) kept, like every credential
//! here, as a digest; a read answers the presented token back rather than
//! a new one. It does not expire (§5: a client must not be locked out of
//! its own registration), and it dies with the client. The client secret
//! is not shown again after registration (only its digest is kept), unless
//! an update gives the client a new one.

use crate::error::OAuth2Error;
use crate::http::{OAuth2Request, OAuth2Response};
use crate::models::{ClientMetadata, OAuth2Client};
use crate::oauth2::rfc6750::{BearerError, extract_bearer_token};
use crate::oauth2::rfc7591::{
    ClientRegistry, SecretUpdate, metadata_from_object, parse_object, registration_error,
};
use crate::oauth2::server::AuthorizationServer;
use crate::secrets;

/// Fields of the client information response that the client must not
/// send in an update (§2.2): the server sets them.
pub const SERVER_SET_FIELDS: [&str; 4] = [
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
];

impl<S: ClientRegistry> AuthorizationServer<S> {
    /// Handles a request to the client configuration endpoint of
    /// `client_id` (§2): `GET` answers the client information (§2.1),
    /// `PUT` with `json_body` replaces the metadata (§2.2), `DELETE`
    /// deletes the client and revokes everything issued to it (§2.3, 204).
    ///
    /// The request must carry the client's registration access token as a
    /// bearer token: without one, or with an unknown one, it is refused 401
    /// (RFC 6750 §3), with one for another client 403 (§2.1). A refused or
    /// invalid update changes nothing.
    pub async fn create_client_configuration_response(
        &self,
        request: &OAuth2Request,
        client_id: &str,
        json_body: Option<&str>,
    ) -> OAuth2Response {
        if let Err(e) = self.check_transport(request.secure) {
            return registration_error(&e);
        }
        if !self.storage.manages_registrations() {
            return OAuth2Response::json(
                404,
                &serde_json::json!({
                    "error": "not_found",
                    "error_description": "this server does not manage registrations (RFC 7592)",
                }),
            );
        }
        let token = match extract_bearer_token(request, &self.config) {
            Ok(Some(token)) => token,
            Ok(None) => {
                return BearerError {
                    error: None,
                    scope: None,
                    dpop_algs: None,
                    dpop_nonce: None,
                }
                .to_response(&self.config);
            }
            Err(e) => return e.to_response(&self.config),
        };
        let invalid_token = || {
            BearerError {
                error: Some(OAuth2Error::invalid_token(
                    "the registration access token is not valid",
                )),
                scope: None,
                dpop_algs: None,
                dpop_nonce: None,
            }
            .to_response(&self.config)
        };
        let holder = match self
            .storage
            .find_client_by_registration_token(&secrets::digest(token))
            .await
        {
            Ok(Some(holder)) => holder,
            Ok(None) => return invalid_token(),
            Err(e) => return registration_error(&e.into()),
        };
        if holder != client_id {
            return registration_error(&OAuth2Error::access_denied(
                "this registration access token is for another client",
            ));
        }
        let client = match self.storage.find_client(client_id).await {
            Ok(Some(client)) => client,
            // Deleted some other way: the token dies with it (§2.1).
            Ok(None) => {
                let _ = self
                    .storage
                    .delete_registered_client(client_id, self.now())
                    .await;
                return invalid_token();
            }
            Err(e) => return registration_error(&e.into()),
        };
        let uri = self
            .endpoint_url_for(request)
            .unwrap_or_else(|| request.uri.clone());
        let info = |metadata: &ClientMetadata, has_secret: bool| {
            let mut body = serde_json::to_value(metadata).unwrap_or_default();
            body["client_id"] = client_id.into();
            if has_secret {
                body["client_secret_expires_at"] = client.client_secret_expires_at().into();
            }
            body["registration_access_token"] = token.into();
            body["registration_client_uri"] = uri.as_str().into();
            body
        };
        match request.method.as_str() {
            "GET" => {
                let has_secret = self.issues_client_secret(&client.token_endpoint_auth_method());
                OAuth2Response::json(200, &info(client.metadata(), has_secret))
            }
            "DELETE" => match self
                .storage
                .delete_registered_client(client_id, self.now())
                .await
            {
                Ok(Some(withdrawn)) => {
                    crate::events::client_deleted(client_id, &withdrawn);
                    let mut response = OAuth2Response::empty_ok();
                    response.status = 204;
                    response
                }
                Ok(None) => invalid_token(),
                Err(e) => registration_error(&e.into()),
            },
            "PUT" => {
                let updated = match self.update_registration(&client, json_body.unwrap_or("")) {
                    Ok(updated) => updated,
                    Err(e) => return registration_error(&e),
                };
                let (metadata, secret, new_secret) = updated;
                let has_secret = self.issues_client_secret(&metadata.token_endpoint_auth_method);
                match self
                    .storage
                    .update_client(client_id, metadata.clone(), secret)
                    .await
                {
                    Ok(true) => {
                        let mut body = info(&metadata, has_secret);
                        if let Some(secret) = new_secret {
                            body["client_secret"] = secret.into();
                        }
                        OAuth2Response::json(200, &body)
                    }
                    Ok(false) => invalid_token(),
                    Err(e) => registration_error(&e.into()),
                }
            }
            _ => OAuth2Response::json(
                405,
                &serde_json::json!({
                    "error": "invalid_request",
                    "error_description": "the client configuration endpoint takes GET, PUT and DELETE",
                }),
            )
            .with_header("Allow", "GET, PUT, DELETE"),
        }
    }

    /// The checks of an update request (§2.2) and the metadata it leaves:
    /// its `client_id` the client's, its `client_secret` (if sent) the
    /// current one, none of the fields the server sets, and metadata that
    /// passes registration's checks. Also what becomes of the secret: a
    /// change to a method with a secret issues a new one (returned in the
    /// clear, once), a change to one without takes it away.
    fn update_registration(
        &self,
        client: &S::Client,
        json_body: &str,
    ) -> Result<(ClientMetadata, SecretUpdate, Option<String>), OAuth2Error> {
        let mut object = parse_object(json_body)?;
        if let Some(field) = SERVER_SET_FIELDS.iter().find(|f| object.contains_key(**f)) {
            return Err(OAuth2Error::invalid_request(format!(
                "an update must not send {field}, which the server sets (RFC 7592 §2.2)"
            )));
        }
        match object.remove("client_id") {
            Some(serde_json::Value::String(id)) if id == client.client_id() => {}
            Some(_) => {
                return Err(OAuth2Error::invalid_request(
                    "the client_id of an update must be the client's (RFC 7592 §2.2)",
                ));
            }
            None => {
                return Err(OAuth2Error::invalid_request(
                    "an update must send the client_id (RFC 7592 §2.2)",
                ));
            }
        }
        match object.remove("client_secret") {
            None => {}
            Some(serde_json::Value::String(secret)) if client.check_client_secret(&secret) => {}
            Some(_) => {
                return Err(OAuth2Error::invalid_request(
                    "the client_secret of an update must be the client's current secret \
                     (RFC 7592 §2.2); a client cannot choose its secret",
                ));
            }
        }
        let metadata = self.validate_client_metadata(metadata_from_object(object)?)?;
        let had = self.issues_client_secret(&client.token_endpoint_auth_method());
        let has = self.issues_client_secret(&metadata.token_endpoint_auth_method);
        // A secret kept only as a digest cannot be sealed: a change to or
        // from a method that needs it sealed issues a new one too.
        let reseal = self.seals_client_secret(&metadata.token_endpoint_auth_method)
            != self.seals_client_secret(&client.token_endpoint_auth_method());
        Ok(match (had, has) {
            (_, true) if !had || reseal => {
                let secret = self
                    .new_client_secret(&metadata.token_endpoint_auth_method)
                    .unwrap_or_else(|| secrets::random_token(32));
                let update = SecretUpdate::Replace {
                    digest: secrets::hash_client_secret(&secret),
                    sealed: self
                        .seal_client_secret(&metadata.token_endpoint_auth_method, &secret)?,
                };
                (metadata, update, Some(secret))
            }
            (true, false) => (metadata, SecretUpdate::Remove, None),
            _ => (metadata, SecretUpdate::Keep, None),
        })
    }
}
