//! Signing requests as a client does (§3.1): for tests, examples and tools
//! that talk to an OAuth 1.0a provider built on this crate.
//!
//! The signer puts the protocol parameters in the `Authorization: OAuth`
//! header (§3.5.1) and signs the request with the same base string code
//! the server verifies with; the engine's tests also check its signatures
//! against an independent implementation (Python's `oauthlib`).

use crate::http::OAuth2Request;
use crate::oauth1::rfc5849::errors::OAuth1Error;
use crate::oauth1::rfc5849::params::RequestParams;
use crate::oauth1::rfc5849::signature::{
    HMAC_SHA1, PLAINTEXT, hmac_sha1_sign, percent_encode, request_base_string, signing_key,
};
use crate::secrets::{ClientSecret, CredentialSecret};

/// A client's credentials and how it signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// `oauth_consumer_key`.
    pub client_id: String,
    /// The client secret.
    pub client_secret: ClientSecret,
    /// `oauth_token` and its secret, once the client has a credential.
    pub token: Option<(String, CredentialSecret)>,
    /// `oauth_signature_method` (`HMAC-SHA1` unless changed).
    pub signature_method: String,
    /// The `realm` to put in the header, if any.
    pub realm: Option<String>,
}

impl Signer {
    /// A signer for a client, with HMAC-SHA1 and no token yet.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Signer {
        Signer {
            client_id: client_id.into(),
            client_secret: ClientSecret::new(client_secret),
            token: None,
            signature_method: HMAC_SHA1.to_owned(),
            realm: None,
        }
    }

    /// Signs `request` with HMAC-SHA1 or PLAINTEXT. `protocol` holds the
    /// protocol parameters besides the key, token and method: usually
    /// `oauth_timestamp` and `oauth_nonce`, plus `oauth_callback` or
    /// `oauth_verifier`.
    pub fn sign(
        &self,
        request: OAuth2Request,
        protocol: &[(&str, &str)],
    ) -> Result<OAuth2Request, OAuth1Error> {
        let token_secret = self.token.as_ref().map_or("", |(_, s)| s.secret());
        match self.signature_method.as_str() {
            HMAC_SHA1 => self.sign_with(request, protocol, |base| {
                hmac_sha1_sign(base, self.client_secret.secret(), token_secret)
            }),
            PLAINTEXT => self.sign_with(request, protocol, |_| {
                signing_key(self.client_secret.secret(), token_secret)
            }),
            other => Err(OAuth1Error::unsupported_signature_method(format!(
                "Signer::sign knows HMAC-SHA1 and PLAINTEXT; sign {other} with sign_with"
            ))),
        }
    }

    /// Signs `request` with `sign`, which maps the signature base string to
    /// the `oauth_signature` value (for RSA-SHA1 or a custom method).
    pub fn sign_with(
        &self,
        request: OAuth2Request,
        protocol: &[(&str, &str)],
        sign: impl FnOnce(&str) -> String,
    ) -> Result<OAuth2Request, OAuth1Error> {
        let mut params: Vec<(&str, &str)> = vec![("oauth_consumer_key", &self.client_id)];
        if let Some((token, _)) = &self.token {
            params.push(("oauth_token", token));
        }
        params.push(("oauth_signature_method", &self.signature_method));
        params.extend_from_slice(protocol);
        let mut unsigned = request.clone();
        unsigned
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
        let unsigned = unsigned.with_header("Authorization", self.header(&params));
        let collected = RequestParams::from_request(&unsigned)?;
        let base_string = request_base_string(&unsigned, &collected, None)?;
        let signature = sign(&base_string);
        params.push(("oauth_signature", &signature));
        let mut signed = request;
        signed
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
        Ok(signed.with_header("Authorization", self.header(&params)))
    }

    fn header(&self, params: &[(&str, &str)]) -> String {
        let mut parts = Vec::new();
        if let Some(realm) = &self.realm {
            parts.push(format!("realm=\"{}\"", percent_encode(realm)));
        }
        for (k, v) in params {
            parts.push(format!("{}=\"{}\"", percent_encode(k), percent_encode(v)));
        }
        format!("OAuth {}", parts.join(", "))
    }
}
