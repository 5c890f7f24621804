//! Temporary credentials (RFC 5849 §2.1): the first step of the
//! redirection-based authorization.

use crate::http::{Method, OAuth2Request, OAuth2Response};
use crate::oauth1::models::{OAuth1Client, TemporaryCredentialRecord};
use crate::oauth1::rfc5849::errors::{OAuth1Error, form_encode, form_response};
use crate::oauth1::server::{CredentialKind, OAuth1Server};
use crate::oauth1::storage::OAuth1Storage;

impl<S: OAuth1Storage> OAuth1Server<S> {
    /// The temporary credential endpoint (§2.1).
    ///
    /// A `POST` over TLS, signed with the client credentials alone, with a
    /// required `oauth_callback`: a callback URI registered for the client
    /// (exact match, [`OAuth1Client::check_callback`]) or `oob`. Realms
    /// asked for in the header's `realm` (space-delimited) must be allowed
    /// for the client ([`OAuth1Client::check_realms`]); none asked means
    /// the client's default realms.
    ///
    /// Answers `200` with `oauth_token`, `oauth_token_secret` and
    /// `oauth_callback_confirmed=true`, form-encoded; errors as
    /// [`OAuth1Error::to_response`] renders them (a `GET` is `405`).
    pub async fn create_temporary_credentials_response(
        &self,
        request: &OAuth2Request,
    ) -> OAuth2Response {
        match self.temporary_credentials(request).await {
            Ok(response) => response,
            Err(e) => self.error_response(&e),
        }
    }

    async fn temporary_credentials(
        &self,
        request: &OAuth2Request,
    ) -> Result<OAuth2Response, OAuth1Error> {
        if request.method != Method::Post {
            return Err(OAuth1Error::method_not_allowed(
                "temporary credentials are requested with POST",
            ));
        }
        self.check_transport(request)?;
        let signed = self.parse_signed(request)?;
        let callback = signed.params.required("oauth_callback")?.to_owned();
        if callback != "oob" && !is_absolute_uri(&callback) {
            return Err(OAuth1Error::invalid_request(
                "\"oauth_callback\" must be an absolute URI or \"oob\"",
            ));
        }
        // The request is signed with the client credentials only; a
        // non-empty token here means the client is confused about the step.
        if signed
            .params
            .get("oauth_token")
            .is_some_and(|t| !t.is_empty())
        {
            return Err(OAuth1Error::invalid_request(
                "a temporary credential request carries no \"oauth_token\"",
            ));
        }
        let client = self.signing_client(&signed).await?;
        self.verify_signature(request, &signed, &client, "", "")
            .await?;

        if !client.check_callback(&callback) {
            return Err(OAuth1Error::invalid_request(
                "\"oauth_callback\" is not registered for this client",
            ));
        }
        let requested: Vec<String> = signed
            .params
            .realm()
            .map(|r| r.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let realms = if requested.is_empty() {
            client.default_realms()
        } else if client.check_realms(&requested) {
            requested
        } else {
            return Err(OAuth1Error::invalid_request(
                "the client may not ask for the requested realm",
            ));
        };

        let record = TemporaryCredentialRecord {
            oauth_token: self.generator.generate(CredentialKind::TemporaryToken),
            oauth_token_secret: self
                .generator
                .generate(CredentialKind::TemporarySecret)
                .into(),
            client_id: signed.client_id.clone(),
            oauth_callback: callback,
            realms: realms.join(" "),
            expires_at: self
                .now()
                .saturating_add(self.config.temporary_credential_expires_in),
            user_id: None,
            verifier_digest: None,
        };
        let body = form_encode(&[
            ("oauth_token", &record.oauth_token),
            ("oauth_token_secret", record.oauth_token_secret.secret()),
            ("oauth_callback_confirmed", "true"),
        ]);
        self.storage.save_temporary_credential(record).await?;
        Ok(form_response(200, body))
    }
}

/// `scheme://authority...` with a non-empty scheme and authority.
fn is_absolute_uri(uri: &str) -> bool {
    uri.split_once("://").is_some_and(|(scheme, rest)| {
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !rest.starts_with(['/', '?', '#'])
            && !rest.is_empty()
            && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}
