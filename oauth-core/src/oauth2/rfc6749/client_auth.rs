//! Client authentication (RFC 6749 §2.3): `client_secret_basic`,
//! `client_secret_post` and `none` built in, and any other method
//! registered as a [`ClientAuthentication`] (RFC 6749 §2.3.2: "other
//! authentication methods"; `private_key_jwt` and `client_secret_jwt` of
//! RFC 7523 are such methods). A client may use only the method it
//! registered, and only one method per request.

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{Challenge, ErrorCode, OAuth2Error};
use crate::http::OAuth2Request;
use crate::models::{ClientAuthMethod, OAuth2Client};
use crate::oauth2::server::AuthorizationServer;
use crate::secrets::ClientSecret;
use crate::storage::OAuth2Storage;
use std::sync::Arc;

/// Client credentials as presented in a request, before checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedCredentials {
    /// The claimed `client_id`.
    pub client_id: String,
    /// The presented secret (none for `none`).
    pub client_secret: Option<ClientSecret>,
    /// How they were presented.
    pub method: ClientAuthMethod,
}

/// A client authentication method beside the built-in ones, registered with
/// [`AuthorizationServer::with_client_authentication`] and used by the
/// clients whose `token_endpoint_auth_method` names it, at every endpoint
/// that authenticates clients (token, revocation, introspection, device
/// authorization).
#[async_trait]
pub trait ClientAuthentication<S: OAuth2Storage>: Send + Sync {
    /// The method's name, as clients register it.
    fn method(&self) -> ClientAuthMethod;

    /// The client a request claims to be, if it presents this method's
    /// credentials; an error if it presents them malformed. A request that
    /// presents them and the built-in ones too is refused
    /// (`invalid_request`, one method per request).
    fn claimed_client_id(&self, request: &OAuth2Request) -> Result<Option<String>, OAuth2Error>;

    /// Checks the presented credentials for `client`, which registered this
    /// method. Limits on guessing are the method's to keep.
    async fn verify(
        &self,
        server: &AuthorizationServer<S>,
        client: &S::Client,
        request: &OAuth2Request,
    ) -> Result<(), OAuth2Error>;

    /// The `alg` values its assertions may be signed with, for the
    /// metadata's `token_endpoint_auth_signing_alg_values_supported`
    /// (RFC 8414 §2); none for a method that signs nothing.
    fn signing_algorithms(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Whether registration (RFC 7591) issues a `client_secret` to clients
    /// of this method (`client_secret_jwt` needs one, `private_key_jwt` not).
    fn issues_client_secret(&self) -> bool {
        false
    }

    /// The sealer of the secrets of this method's clients, when it verifies
    /// with the secret itself (`client_secret_jwt`'s HMAC key) rather than
    /// its digest: registration then keeps the secret sealed
    /// ([`ClientRecord::client_secret_sealed`](crate::ClientRecord::client_secret_sealed)).
    fn client_secret_sealer(&self) -> Option<&crate::jose::KeySealer> {
        None
    }
}

/// Whether the request carries an `Authorization` header (of any scheme):
/// an `invalid_client` answer must then be a 401 with a challenge (§5.2).
pub fn authorization_header_used(request: &OAuth2Request) -> bool {
    request.header("authorization").is_some()
}

impl OAuth2Error {
    /// The error as the answer to a client-authenticated `request`: an
    /// `invalid_client` after an `Authorization` header carries the `Basic`
    /// challenge (RFC 6749 §5.2: 401 with `WWW-Authenticate`).
    pub fn for_client_request(self, request: &OAuth2Request) -> OAuth2Error {
        if self.code == ErrorCode::InvalidClient && authorization_header_used(request) {
            self.with_challenge(Challenge::Basic)
        } else {
            self
        }
    }
}

fn is_basic(header: &str) -> bool {
    header
        .split_once(' ')
        .map_or(header, |(scheme, _)| scheme)
        .eq_ignore_ascii_case("basic")
}

/// Reads the client credentials of a request without checking them.
///
/// RFC 6749 §2.3.1: the Basic user and password are the form-urlencoded
/// `client_id` and `client_secret`; the body may carry them instead; a
/// request must not use both, and secrets must not appear in the URI.
pub fn presented_credentials(
    request: &OAuth2Request,
) -> Result<Option<PresentedCredentials>, OAuth2Error> {
    let fail = |error: OAuth2Error| error.for_client_request(request);
    if request.query.contains("client_secret") {
        return Err(fail(OAuth2Error::invalid_request(
            "client credentials must not be sent in the request URI",
        )));
    }
    let body_id = request.form.single("client_id").map_err(fail)?;
    let body_secret = request.form.single("client_secret").map_err(fail)?;

    let header = request.header_checked("authorization").map_err(fail)?;
    if let Some(header) = header.filter(|h| !is_basic(h)) {
        let scheme = header.split(' ').next().unwrap_or_default();
        if body_id.is_none() {
            return Err(fail(OAuth2Error::invalid_client(format!(
                "the {scheme} authorization scheme is not supported for client authentication; use Basic"
            ))));
        }
    }
    if let Some(header) = header.filter(|h| is_basic(h)) {
        let (client_id, secret) = parse_basic(header).ok_or_else(|| {
            fail(OAuth2Error::invalid_client(
                "the Basic authorization header is malformed",
            ))
        })?;
        if body_secret.is_some() {
            return Err(fail(OAuth2Error::invalid_request(
                "the client used more than one authentication method",
            )));
        }
        if body_id.is_some_and(|id| id != client_id) {
            return Err(fail(OAuth2Error::invalid_request(
                "client_id in the body does not match the authenticated client",
            )));
        }
        return Ok(Some(PresentedCredentials {
            client_id,
            client_secret: Some(ClientSecret::new(secret)),
            method: ClientAuthMethod::ClientSecretBasic,
        }));
    }
    match (body_id, body_secret) {
        (Some(id), Some(secret)) => Ok(Some(PresentedCredentials {
            client_id: id.to_owned(),
            client_secret: Some(ClientSecret::new(secret)),
            method: ClientAuthMethod::ClientSecretPost,
        })),
        (Some(id), None) => Ok(Some(PresentedCredentials {
            client_id: id.to_owned(),
            client_secret: None,
            method: ClientAuthMethod::None,
        })),
        (None, Some(_)) => Err(fail(OAuth2Error::invalid_request(
            "client_secret was sent without client_id",
        ))),
        (None, None) => Ok(None),
    }
}

/// Decodes `Basic base64(urlencode(id) ":" urlencode(secret))`.
fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(rest.trim().as_bytes()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = form_decode(id)?;
    let secret = form_decode(secret)?;
    if id.is_empty() {
        return None;
    }
    Some((id, secret))
}

/// `application/x-www-form-urlencoded` decoding of one component
/// (`+` is a space, `%XX` a byte), failing on invalid UTF-8.
fn form_decode(s: &str) -> Option<String> {
    let plus_as_space = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// The FAPI 2.0 profile's refusal of a secret-based method.
fn fapi_method_refused(method: &ClientAuthMethod) -> OAuth2Error {
    OAuth2Error::invalid_client(format!(
        "FAPI 2.0: clients authenticate with private_key_jwt, not {}",
        method.as_str()
    ))
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Authenticates the client of a token, revocation or introspection
    /// request: finds it, checks that it used its registered method, and
    /// checks the secret in constant time.
    pub async fn authenticate_client(
        &self,
        request: &OAuth2Request,
    ) -> Result<S::Client, OAuth2Error> {
        let fail = |error: OAuth2Error| error.for_client_request(request);
        if let Some((method, client_id)) = self.registered_method_presented(request)? {
            if !self.profile_allows_method(&method.method()) {
                return Err(fail(fapi_method_refused(&method.method())));
            }
            return self
                .authenticate_with(method.as_ref(), &client_id, request)
                .await
                .map_err(fail);
        }
        // An assertion no registered method claimed (`client_secret_jwt`
        // on a server without it, another assertion type) is not ignored:
        // the client would otherwise pass as a public one by its client_id.
        if request.form.contains("client_assertion")
            || request.form.contains("client_assertion_type")
        {
            crate::oauth2::rfc7523::presented_assertion(request).map_err(fail)?;
            return Err(fail(OAuth2Error::invalid_client(
                "this kind of client assertion is not accepted by this server",
            )));
        }
        let presented = presented_credentials(request)?;
        let Some(presented) = presented else {
            return Err(fail(OAuth2Error::invalid_client(
                "client authentication is required",
            )));
        };
        let client = self
            .storage
            .find_client(&presented.client_id)
            .await
            .map_err(|e| fail(e.into()))?;
        let Some(client) = client else {
            return Err(fail(OAuth2Error::invalid_client(
                "client authentication failed",
            )));
        };
        if !self.profile_allows_method(&presented.method) {
            return Err(fail(fapi_method_refused(&presented.method)));
        }
        let registered = client.token_endpoint_auth_method();
        if registered != presented.method {
            return Err(fail(OAuth2Error::invalid_client(format!(
                "the client must authenticate with {}",
                registered.as_str()
            ))));
        }
        if let Some(secret) = &presented.client_secret {
            // Online guessing (RFC 6819 §5.1.4.2.3): see `rfc6819`.
            self.check_client_secret_with_limits(&client, secret.secret(), request.remote_addr)
                .await
                .map_err(fail)?;
            let expires_at = client.client_secret_expires_at();
            if expires_at != 0 && self.now() >= expires_at {
                return Err(fail(OAuth2Error::invalid_client(
                    "the client secret has expired",
                )));
            }
        }
        Ok(client)
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// The registered method whose credentials the request presents, with
    /// the client it claims to be.
    #[allow(clippy::type_complexity)]
    fn registered_method_presented(
        &self,
        request: &OAuth2Request,
    ) -> Result<Option<(Arc<dyn ClientAuthentication<S>>, String)>, OAuth2Error> {
        let fail = |error: OAuth2Error| error.for_client_request(request);
        let mut found: Option<(Arc<dyn ClientAuthentication<S>>, String)> = None;
        for method in &self.client_authentications {
            if let Some(id) = method.claimed_client_id(request).map_err(fail)? {
                if found.is_some() {
                    return Err(fail(OAuth2Error::invalid_request(
                        "the client used more than one authentication method",
                    )));
                }
                found = Some((method.clone(), id));
            }
        }
        let Some((method, id)) = found else {
            return Ok(None);
        };
        let basic = request.header("authorization").is_some_and(is_basic);
        if basic || request.form.contains("client_secret") {
            return Err(fail(OAuth2Error::invalid_request(
                "the client used more than one authentication method",
            )));
        }
        if request
            .form
            .single("client_id")
            .map_err(fail)?
            .is_some_and(|b| b != id)
        {
            return Err(fail(OAuth2Error::invalid_request(
                "client_id in the body does not match the authenticated client",
            )));
        }
        Ok(Some((method, id)))
    }

    async fn authenticate_with(
        &self,
        method: &dyn ClientAuthentication<S>,
        client_id: &str,
        request: &OAuth2Request,
    ) -> Result<S::Client, OAuth2Error> {
        let client = self
            .storage
            .find_client(client_id)
            .await?
            .ok_or_else(|| OAuth2Error::invalid_client("client authentication failed"))?;
        let registered = client.token_endpoint_auth_method();
        if registered != method.method() {
            return Err(OAuth2Error::invalid_client(format!(
                "the client must authenticate with {}",
                registered.as_str()
            )));
        }
        method.verify(self, &client, request).await?;
        Ok(client)
    }

    /// Whether clients may register `method`: a built-in one, or one with a
    /// registered handler.
    pub fn supports_client_authentication(&self, method: &ClientAuthMethod) -> bool {
        method.is_built_in() || self.client_authentication(method).is_some()
    }

    /// The registered handler of a method.
    pub fn client_authentication(
        &self,
        method: &ClientAuthMethod,
    ) -> Option<&Arc<dyn ClientAuthentication<S>>> {
        self.client_authentications
            .iter()
            .find(|m| m.method() == *method)
    }

    /// The methods clients may register, built-in first (RFC 8414
    /// `token_endpoint_auth_methods_supported`).
    pub fn client_authentication_methods(&self) -> Vec<ClientAuthMethod> {
        let mut methods = vec![
            ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::ClientSecretPost,
            ClientAuthMethod::None,
        ];
        methods.extend(self.client_authentications.iter().map(|m| m.method()));
        methods.retain(|m| self.profile_allows_method(m));
        methods
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    #[test]
    fn rfc6749_2_3_1_basic_credentials_are_form_urldecoded() {
        let req = OAuth2Request::post("https://as/token")
            .with_header("Authorization", basic("my%20app", "a%3Ab+c"));
        let c = presented_credentials(&req).unwrap().unwrap();
        assert_eq!(c.client_id, "my app");
        assert_eq!(c.client_secret.as_ref().map(|s| s.secret()), Some("a:b c"));
        assert_eq!(c.method, ClientAuthMethod::ClientSecretBasic);
    }

    #[test]
    fn rfc6749_2_3_one_method_per_request() {
        let req = OAuth2Request::post("https://as/token")
            .with_header("Authorization", basic("a", "b"))
            .with_form([("client_id", "a"), ("client_secret", "b")]);
        let e = presented_credentials(&req).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_request");
        assert_eq!(e.challenge, None); // not invalid_client: no challenge
    }

    #[test]
    fn rfc6749_2_3_1_secret_not_in_uri() {
        let req =
            OAuth2Request::post("https://as/token?client_secret=x").with_form([("client_id", "a")]);
        assert_eq!(
            presented_credentials(&req).unwrap_err().code.as_str(),
            "invalid_request"
        );
    }

    #[test]
    fn malformed_basic_is_invalid_client() {
        for h in ["Basic !!!", "Basic ", "Basic Zm9v", "basic OnNlY3JldA=="] {
            let req = OAuth2Request::post("https://as/token").with_header("Authorization", h);
            let e = presented_credentials(&req).unwrap_err();
            assert_eq!(e.code.as_str(), "invalid_client", "{h}");
            assert_eq!(e.challenge, Some(Challenge::Basic), "{h}");
        }
    }
}
