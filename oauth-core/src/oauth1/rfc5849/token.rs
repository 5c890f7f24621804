//! Token credentials (RFC 5849 §2.3): the temporary credential and its
//! verifier exchanged, once, for a token credential.

use crate::http::{Method, OAuth2Request, OAuth2Response};
use crate::oauth1::models::{OAuth1TemporaryCredential, TokenCredentialRecord};
use crate::oauth1::rfc5849::errors::{OAuth1Error, form_encode, form_response};
use crate::oauth1::server::{CredentialKind, OAuth1Server};
use crate::oauth1::storage::OAuth1Storage;
use crate::secrets;

impl<S: OAuth1Storage> OAuth1Server<S> {
    /// The token credential endpoint (§2.3).
    ///
    /// A `POST` over TLS, signed with the client credentials and the
    /// temporary credentials, with the `oauth_verifier` the resource owner's
    /// approval produced. The verifier is compared in constant time (as
    /// digests); the temporary credential is then taken from storage
    /// atomically, so of two requests racing with it one gets the token
    /// credential and the other `invalid_token`.
    ///
    /// Answers `200` with `oauth_token` and `oauth_token_secret`,
    /// form-encoded.
    pub async fn create_token_response(&self, request: &OAuth2Request) -> OAuth2Response {
        match self.token_credentials(request).await {
            Ok(response) => response,
            Err(e) => self.error_response(&e),
        }
    }

    async fn token_credentials(
        &self,
        request: &OAuth2Request,
    ) -> Result<OAuth2Response, OAuth1Error> {
        if request.method != Method::Post {
            return Err(OAuth1Error::method_not_allowed(
                "token credentials are requested with POST",
            ));
        }
        self.check_transport(request)?;
        let signed = self.parse_signed(request)?;
        let token = signed.params.required("oauth_token")?.to_owned();
        let verifier = signed.params.required("oauth_verifier")?.to_owned();
        let client = self.signing_client(&signed).await?;
        let invalid_token =
            || OAuth1Error::invalid_token("unknown, expired or used temporary credential");
        let credential = self
            .storage
            .find_temporary_credential(&token)
            .await?
            .filter(|c| c.client_id() == signed.client_id && !c.is_expired(self.now()))
            .ok_or_else(invalid_token)?;
        self.verify_signature(
            request,
            &signed,
            &client,
            &token,
            credential.oauth_token_secret(),
        )
        .await?;

        let presented = secrets::digest(&verifier);
        let verifier_matches = |c: &S::TemporaryCredential| {
            c.verifier_digest()
                .is_some_and(|d| secrets::constant_time_eq(d.as_bytes(), presented.as_bytes()))
        };
        if !verifier_matches(&credential) {
            return Err(OAuth1Error::invalid_request(
                "invalid \"oauth_verifier\" for this temporary credential",
            ));
        }
        // Exactly once: only the request that removes it gets a token.
        let credential = self
            .storage
            .take_temporary_credential(&token)
            .await?
            .ok_or_else(invalid_token)?;
        let user_id = match credential.user_id() {
            Some(user) if verifier_matches(&credential) => user,
            _ => return Err(invalid_token()),
        };

        let record = TokenCredentialRecord {
            oauth_token: self.generator.generate(CredentialKind::Token),
            oauth_token_secret: self.generator.generate(CredentialKind::TokenSecret).into(),
            client_id: signed.client_id.clone(),
            user_id,
            realms: credential.realms().join(" "),
            issued_at: self.now(),
        };
        let body = form_encode(&[
            ("oauth_token", &record.oauth_token),
            ("oauth_token_secret", record.oauth_token_secret.secret()),
        ]);
        self.storage.save_token_credential(record).await?;
        Ok(form_response(200, body))
    }
}
