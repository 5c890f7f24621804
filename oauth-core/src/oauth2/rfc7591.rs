//! RFC 7591, OAuth 2.0 Dynamic Client Registration.

use async_trait::async_trait;

use crate::consent::Withdrawn;
use crate::error::{ErrorCode, OAuth2Error};
use crate::http::{OAuth2Request, OAuth2Response};
use crate::models::{ClientAuthMethod, ClientMetadata, ClientRecord};
use crate::oauth2::rfc6749::response_types::ResponseType;
use crate::oauth2::server::AuthorizationServer;
use crate::scope::Scope;
use crate::secrets::{self, ClientSecret, RegistrationAccessToken};
use crate::storage::{OAuth2Storage, StorageResult};

/// Storage that can add clients.
#[async_trait]
pub trait ClientRegistry: OAuth2Storage {
    /// Saves a new client, owned by `owner` (a user id) if given.
    async fn register_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
    ) -> StorageResult<()>;

    /// How many clients `owner` has registered; `None` when the storage
    /// does not know owners (then registrations are not capped). The
    /// default knows none.
    async fn count_clients_of(&self, owner: &str) -> StorageResult<Option<u64>> {
        let _ = owner;
        Ok(None)
    }

    /// Whether this storage keeps registration access tokens (RFC 7592),
    /// so that clients can read, update and delete their registrations.
    /// The default keeps none: registration responses then carry no
    /// `registration_access_token`, and the client configuration endpoint
    /// answers 404.
    fn manages_registrations(&self) -> bool {
        false
    }

    /// Whether this storage keeps a client's sealed secret
    /// ([`ClientRecord::client_secret_sealed`]), which `client_secret_jwt`
    /// needs; without, registration refuses that method. The default keeps
    /// none.
    fn keeps_sealed_client_secrets(&self) -> bool {
        false
    }

    /// Saves a new client and the digest of its registration access token
    /// together (RFC 7592 §3), as one write. Only called when
    /// [`manages_registrations`](Self::manages_registrations); the default
    /// fails.
    async fn register_managed_client(
        &self,
        client: ClientRecord,
        owner: Option<String>,
        registration_token_digest: String,
    ) -> StorageResult<()> {
        let _ = (client, owner, registration_token_digest);
        Err(no_management())
    }

    /// The `client_id` whose registration access token has this digest.
    async fn find_client_by_registration_token(
        &self,
        registration_token_digest: &str,
    ) -> StorageResult<Option<String>> {
        let _ = registration_token_digest;
        Err(no_management())
    }

    /// Replaces a client's metadata (RFC 7592 §2.2), and its secret as
    /// `secret` says; whether the client existed.
    async fn update_client(
        &self,
        client_id: &str,
        metadata: ClientMetadata,
        secret: SecretUpdate,
    ) -> StorageResult<bool> {
        let _ = (client_id, metadata, secret);
        Err(no_management())
    }

    /// Deletes a client and its registration access token (RFC 7592 §2.3),
    /// and withdraws what was issued to it, in one transaction: its tokens
    /// revoked, its codes deleted, its approved device codes denied, its
    /// grants forgotten. `None` when there was no such client.
    async fn delete_registered_client(
        &self,
        client_id: &str,
        now: i64,
    ) -> StorageResult<Option<Withdrawn>> {
        let _ = (client_id, now);
        Err(no_management())
    }
}

fn no_management() -> crate::error::StorageError {
    crate::error::StorageError::new(
        "this storage does not manage registrations (ClientRegistry::manages_registrations)",
    )
}

/// What an update does to a client's secret (RFC 7592 §2.2): the client
/// never chooses it, but a change of `token_endpoint_auth_method` may give
/// it one or take it away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretUpdate {
    /// The secret stays as it is.
    Keep,
    /// A new secret: its digest ([`secrets::hash_client_secret`]), and the
    /// secret sealed for a `client_secret_jwt` client
    /// ([`ClientRecord::client_secret_sealed`]).
    Replace {
        /// The digest.
        digest: String,
        /// The sealed secret, or `None`.
        sealed: Option<String>,
    },
    /// The client no longer has a secret.
    Remove,
}

/// A registered client, with its secret in the clear (shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// What was stored.
    pub record: ClientRecord,
    /// The secret, for confidential clients.
    pub client_secret: Option<ClientSecret>,
    /// The bearer credential of the client configuration endpoint (RFC
    /// 7592 §3), when the storage
    /// [manages registrations](ClientRegistry::manages_registrations).
    pub registration_access_token: Option<RegistrationAccessToken>,
}

impl Registration {
    /// The client information response body (§3.2.1).
    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::to_value(&self.record.metadata).unwrap_or_default();
        body["client_id"] = self.record.client_id.clone().into();
        if let Some(secret) = &self.client_secret {
            body["client_secret"] = secret.secret().into();
            body["client_secret_expires_at"] = self.record.client_secret_expires_at.into();
        }
        body["client_id_issued_at"] = self.record.client_id_issued_at.into();
        body
    }

    /// [`to_json`](Self::to_json) with the registration access token and
    /// the client's configuration endpoint, `registration_client_uri`
    /// (RFC 7592 §3), when a token was issued.
    pub fn to_json_at(&self, registration_client_uri: &str) -> serde_json::Value {
        let mut body = self.to_json();
        if let Some(token) = &self.registration_access_token {
            body["registration_access_token"] = token.secret().into();
            body["registration_client_uri"] = registration_client_uri.into();
        }
        body
    }
}

/// Checks one redirect URI (RFC 6749 §3.1.2, RFC 7591 §2, RFC 8252 §7):
/// absolute, no fragment, no whitespace; `http` only to a loopback host
/// unless `allow_http`.
pub fn validate_redirect_uri(uri: &str, allow_http: bool) -> Result<(), OAuth2Error> {
    let bad = |why: &str| OAuth2Error::invalid_redirect_uri(format!("{why}: {uri}"));
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(bad("the redirect URI must be absolute"));
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Err(bad("the redirect URI must be absolute"));
    }
    if matches!(
        scheme.to_ascii_lowercase().as_str(),
        "javascript" | "data" | "vbscript" | "file"
    ) {
        return Err(bad("the redirect URI scheme is not allowed"));
    }
    if uri.contains('#') {
        return Err(bad("the redirect URI must not have a fragment"));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("the redirect URI must not contain whitespace"));
    }
    // The rules above and below read the URI as written, since it is
    // compared and redirected to byte for byte; the `url` crate (the WHATWG
    // parser a browser uses) checks that it is a URL at all: a host that
    // parses, a port that is a number. Backslashes, which that parser reads
    // as slashes, are refused: the written form must mean what it says.
    if uri.contains('\\') || url::Url::parse(uri).is_err() {
        return Err(bad("the redirect URI is not a valid URL"));
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "http" || scheme == "https" {
        let authority = rest
            .strip_prefix("//")
            .ok_or_else(|| bad("the redirect URI must have a host"))?;
        let authority = authority.split(['/', '?']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(bad(
                "the redirect URI must have a host and no user information",
            ));
        }
        let host = authority
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map_or(authority, |(h, _)| h);
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
        if scheme == "http" && !loopback && !allow_http {
            return Err(bad(
                "the redirect URI must use https (http only to a loopback address)",
            ));
        }
    }
    Ok(())
}

/// At most this many redirect URIs, contacts, grant or response types.
pub const MAX_LIST_LEN: usize = 20;
/// At most this many characters in a URI of the metadata.
pub const MAX_URI_LEN: usize = 2_000;
/// At most this many characters in a name, scope or other text value.
pub const MAX_TEXT_LEN: usize = 200;

/// RFC 7591 §5 (a client's metadata is shown to users, and a misleading
/// name is an attack) and resource limits: no control or bidirectional
/// formatting characters in any value (U+202E, the right-to-left
/// override, makes a name read backwards on the consent page), no value
/// longer than [`MAX_URI_LEN`] (URIs) or [`MAX_TEXT_LEN`] (text), no list
/// longer than [`MAX_LIST_LEN`].
///
/// ```
/// use oauth_core::ClientMetadata;
/// use oauth_core::oauth2::rfc7591::check_limits;
///
/// let named = |name: &str| ClientMetadata { client_name: Some(name.into()), ..ClientMetadata::default() };
/// assert!(check_limits(&named("Photo printer")).is_ok());
/// assert!(check_limits(&named("Photo \u{202e}retnirp")).is_err());
/// assert!(check_limits(&named(&"x".repeat(201))).is_err());
/// ```
pub fn check_limits(metadata: &ClientMetadata) -> Result<(), OAuth2Error> {
    let lists: [(&str, &[String]); 5] = [
        ("redirect_uris", &metadata.redirect_uris),
        ("contacts", &metadata.contacts),
        ("grant_types", &metadata.grant_types),
        ("response_types", &metadata.response_types),
        (
            "post_logout_redirect_uris",
            &metadata.post_logout_redirect_uris,
        ),
    ];
    for (name, list) in lists {
        if list.len() > MAX_LIST_LEN {
            return Err(invalid_metadata(format!(
                "{name} may have at most {MAX_LIST_LEN} values"
            )));
        }
    }
    let uris = metadata
        .redirect_uris
        .iter()
        .map(|v| ("redirect_uris", v))
        .chain(
            metadata
                .post_logout_redirect_uris
                .iter()
                .map(|v| ("post_logout_redirect_uris", v)),
        )
        .chain(
            [
                ("client_uri", &metadata.client_uri),
                ("logo_uri", &metadata.logo_uri),
                ("tos_uri", &metadata.tos_uri),
                ("policy_uri", &metadata.policy_uri),
                ("jwks_uri", &metadata.jwks_uri),
            ]
            .into_iter()
            .filter_map(|(name, v)| v.as_ref().map(|v| (name, v))),
        );
    let texts = metadata
        .contacts
        .iter()
        .map(|v| ("contacts", v))
        .chain(metadata.grant_types.iter().map(|v| ("grant_types", v)))
        .chain(
            metadata
                .response_types
                .iter()
                .map(|v| ("response_types", v)),
        )
        .chain(
            [
                ("client_name", &metadata.client_name),
                ("scope", &metadata.scope),
                ("software_id", &metadata.software_id),
                ("software_version", &metadata.software_version),
            ]
            .into_iter()
            .filter_map(|(name, v)| v.as_ref().map(|v| (name, v))),
        );
    let sized = uris
        .map(|(name, v)| (name, v, MAX_URI_LEN))
        .chain(texts.map(|(name, v)| (name, v, MAX_TEXT_LEN)));
    for (name, value, max) in sized {
        if value.chars().count() > max {
            return Err(invalid_metadata(format!(
                "{name} may be at most {max} characters long"
            )));
        }
        if value.chars().any(is_control_or_bidi) {
            return Err(invalid_metadata(format!(
                "{name} must not contain control or bidirectional formatting characters"
            )));
        }
    }
    Ok(())
}

/// Control characters (Unicode `Cc`) and the bidirectional formatting
/// characters (marks, embeddings, overrides, isolates).
fn is_control_or_bidi(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

fn invalid_metadata(description: impl Into<String>) -> OAuth2Error {
    OAuth2Error::invalid_client_metadata(description)
}

impl<S: ClientRegistry> AuthorizationServer<S> {
    /// Validates client metadata (§2) and registers the client, with a new
    /// `client_id`, and a new secret unless it is public.
    pub async fn register_client(
        &self,
        metadata: ClientMetadata,
        owner: Option<String>,
    ) -> Result<Registration, OAuth2Error> {
        let metadata = self.validate_client_metadata(metadata)?;
        let cap = self.config.limits.clients_per_owner;
        if cap > 0
            && let Some(owner) = &owner
            && self
                .storage
                .count_clients_of(owner)
                .await?
                .is_some_and(|n| n >= u64::from(cap))
        {
            return Err(OAuth2Error::access_denied(format!(
                "this account has registered {cap} clients, the most it may; delete one first"
            )));
        }
        let client_secret = self.new_client_secret(&metadata.token_endpoint_auth_method);
        let client_secret_sealed = match &client_secret {
            Some(secret) => {
                self.seal_client_secret(&metadata.token_endpoint_auth_method, secret)?
            }
            None => None,
        };
        let record = ClientRecord {
            client_id: secrets::random_token(18),
            client_secret_digest: client_secret.as_deref().map(secrets::hash_client_secret),
            client_id_issued_at: self.now(),
            client_secret_expires_at: 0,
            metadata,
            client_secret_sealed,
        };
        let registration_access_token = if self.storage.manages_registrations() {
            let token = secrets::random_token(32);
            self.storage
                .register_managed_client(record.clone(), owner, secrets::digest(&token))
                .await?;
            Some(RegistrationAccessToken::new(token))
        } else {
            self.storage.register_client(record.clone(), owner).await?;
            None
        };
        Ok(Registration {
            record,
            client_secret: client_secret.map(ClientSecret::new),
            registration_access_token,
        })
    }

    /// A new secret for a client of `method`, if it gets one: 256 bits, or
    /// 384 (64 characters) for one whose secret is an HMAC key, long enough
    /// for HS512 (RFC 7518 §3.2).
    pub(crate) fn new_client_secret(&self, method: &ClientAuthMethod) -> Option<String> {
        if !self.issues_client_secret(method) {
            return None;
        }
        let hmac_key = self.seals_client_secret(method);
        Some(secrets::random_token(if hmac_key { 48 } else { 32 }))
    }

    /// Whether clients of `method` have their secret kept sealed, since it
    /// verifies with the secret itself (`client_secret_jwt`).
    pub(crate) fn seals_client_secret(&self, method: &ClientAuthMethod) -> bool {
        self.client_authentication(method)
            .is_some_and(|m| m.client_secret_sealer().is_some())
    }

    /// The secret sealed for storage, when the method verifies with the
    /// secret itself (`client_secret_jwt`); refused when the storage
    /// cannot keep it.
    pub(crate) fn seal_client_secret(
        &self,
        method: &ClientAuthMethod,
        secret: &str,
    ) -> Result<Option<String>, OAuth2Error> {
        let Some(sealer) = self
            .client_authentication(method)
            .and_then(|m| m.client_secret_sealer())
        else {
            return Ok(None);
        };
        if !self.storage.keeps_sealed_client_secrets() {
            return Err(invalid_metadata(format!(
                "this server's storage cannot keep the secret that \"{}\" needs",
                method.as_str()
            )));
        }
        sealer
            .seal(secret.as_bytes())
            .map(Some)
            .map_err(|_| OAuth2Error::server_error("the client secret could not be sealed"))
    }

    /// Whether clients of this method get a `client_secret`: the secret
    /// methods, and a registered one that
    /// [issues one](crate::oauth2::rfc6749::client_auth::ClientAuthentication::issues_client_secret).
    pub(crate) fn issues_client_secret(&self, method: &ClientAuthMethod) -> bool {
        match method {
            ClientAuthMethod::None => false,
            ClientAuthMethod::Other(_) => self
                .client_authentication(method)
                .is_some_and(|m| m.issues_client_secret()),
            _ => true,
        }
    }

    /// Handles a registration request with a JSON body: 201 with the client
    /// information (§3.2.1), or 400 with an RFC 7591 error (§3.2.2).
    ///
    /// `request` is the registration request (its body aside): its URL,
    /// under the issuer, names the client configuration endpoint
    /// (`registration_client_uri`, RFC 7592 §3) as that URL followed by
    /// `/` and the `client_id`.
    pub async fn create_registration_response(
        &self,
        request: &OAuth2Request,
        json_body: &str,
        owner: Option<String>,
    ) -> OAuth2Response {
        let result = match parse_metadata(json_body) {
            Ok(metadata) => self.register_client(metadata, owner).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(registration) => {
                let endpoint = self
                    .endpoint_url_for(request)
                    .unwrap_or_else(|| request.uri.clone());
                let uri = format!(
                    "{}/{}",
                    endpoint.trim_end_matches('/'),
                    registration.record.client_id
                );
                OAuth2Response::json(201, &registration.to_json_at(&uri))
            }
            Err(error) => registration_error(&error),
        }
    }

    /// The checks of §2: redirect URIs, grant and response types that the
    /// server serves and that agree with each other (§2.1), a scope the
    /// server knows.
    pub fn validate_client_metadata(
        &self,
        mut metadata: ClientMetadata,
    ) -> Result<ClientMetadata, OAuth2Error> {
        check_limits(&metadata)?;
        self.validate_profile_metadata(&metadata)?;
        for uri in &metadata.redirect_uris {
            validate_redirect_uri(uri, self.config.allow_http_redirect_uris)?;
        }
        for uri in &metadata.post_logout_redirect_uris {
            validate_redirect_uri(uri, self.config.allow_http_redirect_uris).map_err(|e| {
                invalid_metadata(format!("post_logout_redirect_uris: {}", e.description))
            })?;
        }
        if !self.supports_client_authentication(&metadata.token_endpoint_auth_method) {
            return Err(invalid_metadata(format!(
                "the token endpoint authentication method \"{}\" is not supported by this server",
                metadata.token_endpoint_auth_method.as_str()
            )));
        }
        dedup(&mut metadata.grant_types);
        // Each response type in its sorted form ("id_token code" is stored
        // as "code id_token"), as the authorization endpoint compares them.
        for r in &mut metadata.response_types {
            if let Some(t) = ResponseType::parse(r) {
                *r = t.as_str().to_owned();
            }
        }
        dedup(&mut metadata.response_types);
        // The grant types the registered response types stand for
        // (`implicit` has no token endpoint grant of its own).
        let handlers: Vec<(ResponseType, Vec<&'static str>)> = self
            .response_types
            .values()
            .map(|h| (h.response_type(), h.grant_types()))
            .collect();
        let via_response_type = |grant: &str| handlers.iter().any(|(_, g)| g.contains(&grant));
        for grant in &metadata.grant_types {
            if !self.grants.contains_key(grant) && !via_response_type(grant) {
                return Err(invalid_metadata(format!(
                    "the grant type \"{grant}\" is not supported by this server"
                )));
            }
        }
        let mut registered: Vec<ResponseType> = Vec::new();
        for response_type in &metadata.response_types {
            let handler = ResponseType::parse(response_type)
                .and_then(|t| handlers.iter().find(|(h, _)| *h == t));
            let Some((parsed, needs)) = handler else {
                return Err(invalid_metadata(format!(
                    "the response type \"{response_type}\" is not supported by this server"
                )));
            };
            if let Some(missing) = needs
                .iter()
                .find(|n| !metadata.grant_types.iter().any(|g| g == *n))
            {
                return Err(invalid_metadata(format!(
                    "the response type \"{response_type}\" needs the grant type \"{missing}\" (RFC 7591 §2.1)"
                )));
            }
            registered.push(parsed.clone());
        }
        for grant in &metadata.grant_types {
            let users: Vec<&ResponseType> = handlers
                .iter()
                .filter(|(_, g)| g.contains(&grant.as_str()))
                .map(|(t, _)| t)
                .collect();
            if !users.is_empty() && !users.iter().any(|t| registered.contains(t)) {
                let mut names: Vec<&str> = users.iter().map(|t| t.as_str()).collect();
                names.sort_unstable();
                return Err(invalid_metadata(format!(
                    "the grant type \"{grant}\" needs the response type \"{}\" (RFC 7591 §2.1)",
                    names.join("\" or \"")
                )));
            }
        }
        let redirecting = metadata
            .grant_types
            .iter()
            .any(|g| g == "authorization_code" || g == "implicit");
        if redirecting && metadata.redirect_uris.is_empty() {
            return Err(OAuth2Error::invalid_redirect_uri(
                "redirect_uris is required for the authorization_code and implicit grants",
            ));
        }
        if metadata.token_endpoint_auth_method == ClientAuthMethod::None
            && metadata
                .grant_types
                .iter()
                .any(|g| g == "client_credentials")
        {
            return Err(invalid_metadata(
                "a public client (token_endpoint_auth_method none) cannot use client_credentials",
            ));
        }
        self.validate_openid_metadata(&metadata)?;
        self.validate_client_assertion_metadata(&metadata)?;
        self.validate_request_object_metadata(&metadata)?;
        self.validate_access_token_strategy(&metadata)?;
        if let Some(resource) = &metadata.resource_server {
            if !self.config.resources.contains(resource) {
                return Err(invalid_metadata(
                    "resource_server must be one of the resources this server issues tokens for",
                ));
            }
            if metadata.token_endpoint_auth_method == ClientAuthMethod::None {
                return Err(invalid_metadata(
                    "a resource server must be a confidential client",
                ));
            }
        }
        if let Some(scope) = &metadata.scope {
            let scope = Scope::parse(scope)
                .map_err(|_| invalid_metadata("the scope is not a valid scope string"))?;
            if let Some(supported) = &self.supported_scopes
                && let Some(unknown) = scope.iter().find(|t| !supported.contains(t))
            {
                return Err(invalid_metadata(format!(
                    "the scope \"{unknown}\" is not supported by this server"
                )));
            }
            metadata.scope = Some(scope.to_string());
        }
        Ok(metadata)
    }
}

/// A registration error response (RFC 7591 §3.2.2): 400 with the error
/// code, or the status of a refusal or failure.
pub(crate) fn registration_error(error: &OAuth2Error) -> OAuth2Response {
    let status = match error.code {
        ErrorCode::ServerError => 500,
        ErrorCode::TemporarilyUnavailable => 503,
        ErrorCode::AccessDenied => 403,
        _ => 400,
    };
    OAuth2Response::json(
        status,
        &serde_json::json!({
            "error": error.code.as_str(),
            "error_description": error.description,
        }),
    )
}

/// The metadata of a registration request: a JSON object (§3.1). When
/// `response_types` is omitted and the grants do not redirect, it is empty
/// rather than the §2 default `["code"]`, which would contradict them.
pub fn parse_metadata(json_body: &str) -> Result<ClientMetadata, OAuth2Error> {
    metadata_from_object(parse_object(json_body)?)
}

/// The body as a JSON object.
pub(crate) fn parse_object(
    json_body: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, OAuth2Error> {
    let value: serde_json::Value = serde_json::from_str(json_body)
        .map_err(|e| invalid_metadata(format!("the body is not JSON: {e}")))?;
    let serde_json::Value::Object(object) = value else {
        return Err(invalid_metadata(
            "the client metadata must be a JSON object",
        ));
    };
    Ok(object)
}

/// [`parse_metadata`] of a parsed object.
pub(crate) fn metadata_from_object(
    mut object: serde_json::Map<String, serde_json::Value>,
) -> Result<ClientMetadata, OAuth2Error> {
    // A JWK Set registered for verification holds public keys only: a
    // private member means the client gave away its private key, which
    // would otherwise be dropped silently and stored as if all were well.
    if let Some(serde_json::Value::Array(keys)) = object.get("jwks").and_then(|j| j.get("keys"))
        && keys.iter().any(|k| {
            crate::oauth2::rfc7523::PRIVATE_JWK_MEMBERS
                .iter()
                .any(|m| k.get(m).is_some())
        })
    {
        return Err(invalid_metadata(
            "jwks must hold public keys only (a key has a private or symmetric member)",
        ));
    }
    if !object.contains_key("response_types") {
        let redirecting = match object.get("grant_types") {
            Some(serde_json::Value::Array(grants)) => grants
                .iter()
                .any(|g| g == "authorization_code" || g == "implicit"),
            _ => true,
        };
        if !redirecting {
            object.insert("response_types".into(), serde_json::json!([]));
        }
    }
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| invalid_metadata(format!("the client metadata is not valid: {e}")))
}

fn dedup(values: &mut Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    values.retain(|v| {
        if seen.contains(v) {
            false
        } else {
            seen.push(v.clone());
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6749_3_1_2_redirect_uri_rules() {
        for ok in [
            "https://client.example/cb",
            "https://client.example:8443/cb?x=1",
            "http://127.0.0.1:9000/cb",
            "http://localhost/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(validate_redirect_uri(ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "/relative",
            "client.example/cb",
            "https://client.example/cb#frag",
            "http://client.example/cb",
            "https://user@client.example/cb",
            "https:///cb",
            "https://client.example/c b",
            "",
            // Not URLs at all, which a parser sees.
            "https://[::1/cb",
            "https://client.example:99999/cb",
            "https:\\\\client.example\\cb",
        ] {
            assert_eq!(
                validate_redirect_uri(bad, false).unwrap_err().code,
                ErrorCode::InvalidRedirectUri,
                "{bad}"
            );
        }
        assert!(validate_redirect_uri("http://client.example/cb", true).is_ok());
    }
}
