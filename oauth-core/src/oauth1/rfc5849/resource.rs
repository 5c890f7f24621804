//! Protected resource requests (RFC 5849 §3): signed with token
//! credentials, verified per §3.2.

use crate::http::OAuth2Request;
use crate::oauth1::models::OAuth1TokenCredential;
use crate::oauth1::rfc5849::errors::OAuth1Error;
use crate::oauth1::server::OAuth1Server;
use crate::oauth1::storage::OAuth1Storage;

/// A verified resource request: who signed it, and with which credential.
#[derive(Debug, Clone)]
pub struct OAuth1Access<C, T> {
    /// The client that signed the request.
    pub client: C,
    /// The token credential it signed with.
    pub credential: T,
}

impl<C, T: OAuth1TokenCredential> OAuth1Access<C, T> {
    /// The resource owner the credential acts for.
    pub fn user_id(&self) -> String {
        self.credential.user_id()
    }
    /// The client identifier.
    pub fn client_id(&self) -> &str {
        self.credential.client_id()
    }
    /// The realms the credential covers.
    pub fn realms(&self) -> Vec<String> {
        self.credential.realms()
    }
}

impl<S: OAuth1Storage> OAuth1Server<S> {
    /// Verifies a protected resource request (§3.2): the protocol
    /// parameters, the timestamp window, the token credential (which must
    /// belong to the signing client), the signature, and the nonce (§3.3).
    ///
    /// `required_realms` are the realms the resource belongs to; the
    /// credential must cover each of them, or the request is refused with
    /// `access_denied` (403). Pass `&[]` for a resource with no realm.
    ///
    /// An error renders with [`OAuth1Server::error_response`] (401s carry
    /// the `WWW-Authenticate: OAuth` challenge).
    pub async fn validate_request(
        &self,
        request: &OAuth2Request,
        required_realms: &[&str],
    ) -> Result<OAuth1Access<S::Client, S::TokenCredential>, OAuth1Error> {
        let signed = self.parse_signed(request)?;
        let token = signed.params.required("oauth_token")?.to_owned();
        let client = self.signing_client(&signed).await?;
        let credential = self
            .storage
            .find_token_credential(&token)
            .await?
            .filter(|c| c.client_id() == signed.client_id)
            .ok_or_else(|| OAuth1Error::invalid_token("unknown or revoked \"oauth_token\""))?;
        self.verify_signature(
            request,
            &signed,
            &client,
            &token,
            credential.oauth_token_secret(),
        )
        .await?;
        let realms = credential.realms();
        if let Some(missing) = required_realms
            .iter()
            .find(|r| !realms.iter().any(|have| have == *r))
        {
            return Err(OAuth1Error::access_denied(format!(
                "the token credential does not cover the realm \"{missing}\""
            ))
            .with_status(403));
        }
        Ok(OAuth1Access { client, credential })
    }
}
