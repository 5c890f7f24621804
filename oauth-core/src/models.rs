//! What the engine needs to know of a client, a token and an authorization
//! code: the Rust form of Authlib's `ClientMixin`, `TokenMixin` and
//! `AuthorizationCodeMixin`.
//!
//! Users implement these traits on their own types (usually with the derive
//! of the same name from `oauth-derive`); the engine only reads through them.
//! New records go the other way as plain structs ([`NewToken`],
//! [`NewAuthorizationCode`]) that storage persists.

use serde::{Deserialize, Serialize};

use crate::scope::Scope;
use crate::secrets;

/// How a client authenticates at the token endpoint (RFC 7591 §2): one of
/// the methods of RFC 6749 §2.3, built in, or the name of a method
/// registered with
/// [`AuthorizationServer::with_client_authentication`](crate::AuthorizationServer::with_client_authentication)
/// (`private_key_jwt`, `client_secret_jwt`, `tls_client_auth`, a site's
/// own).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum ClientAuthMethod {
    /// HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1).
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1).
    ClientSecretPost,
    /// A public client: no secret (RFC 6749 §2.1).
    None,
    /// Another method, by its registered name; a server accepts it only
    /// once a handler for it is registered.
    Other(std::borrow::Cow<'static, str>),
}

impl ClientAuthMethod {
    /// The method's registered name.
    pub fn as_str(&self) -> &str {
        match self {
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
            ClientAuthMethod::ClientSecretPost => "client_secret_post",
            ClientAuthMethod::None => "none",
            ClientAuthMethod::Other(name) => name,
        }
    }

    /// The built-in method of this name.
    pub fn parse(name: &str) -> Option<ClientAuthMethod> {
        match name {
            "client_secret_basic" => Some(ClientAuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(ClientAuthMethod::ClientSecretPost),
            "none" => Some(ClientAuthMethod::None),
            _ => None,
        }
    }

    /// The method of this name: a built-in one, or [`ClientAuthMethod::Other`].
    ///
    /// ```
    /// use oauth_core::ClientAuthMethod;
    /// assert_eq!(ClientAuthMethod::named("none"), ClientAuthMethod::None);
    /// assert_eq!(ClientAuthMethod::named("private_key_jwt").as_str(), "private_key_jwt");
    /// ```
    pub fn named(name: &str) -> ClientAuthMethod {
        ClientAuthMethod::parse(name)
            .unwrap_or_else(|| ClientAuthMethod::Other(name.to_owned().into()))
    }

    /// Whether it is one of RFC 6749's own (`client_secret_basic`,
    /// `client_secret_post`, `none`).
    pub fn is_built_in(&self) -> bool {
        !matches!(self, ClientAuthMethod::Other(_))
    }
}

impl Serialize for ClientAuthMethod {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ClientAuthMethod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ClientAuthMethod, D::Error> {
        // A visitor, so that the built-in names (read with every client
        // load) are matched without allocating.
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = ClientAuthMethod;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a token_endpoint_auth_method name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<ClientAuthMethod, E> {
                if name.is_empty() {
                    return Err(E::custom("token_endpoint_auth_method must not be empty"));
                }
                Ok(ClientAuthMethod::named(name))
            }
        }
        d.deserialize_str(Name)
    }
}

/// A registered client (Authlib's `ClientMixin`).
///
/// A type gives its identity, its secret check and its parsed RFC 7591
/// metadata; everything else is read from the metadata by the defaults,
/// which implement the rules the RFCs fix (exact redirect URI match,
/// default redirect URI only when exactly one is registered, scope narrowed
/// to what the client may have). A type overrides them only to be
/// stricter.
pub trait OAuth2Client: Send + Sync {
    /// The `client_id`.
    fn client_id(&self) -> &str;

    /// Whether `secret` is this client's secret. Must compare in constant
    /// time ([`secrets::verify_client_secret`] does). Public clients answer
    /// `false`.
    fn check_client_secret(&self, secret: &str) -> bool;

    /// When the secret expires (Unix seconds), `0` for never (RFC 7591 §3.2.1).
    fn client_secret_expires_at(&self) -> i64 {
        0
    }

    /// The client's registered metadata (RFC 7591 §2), parsed.
    fn metadata(&self) -> &ClientMetadata;

    /// The client secret as
    /// [`KeySealer::seal`](crate::jose::KeySealer::seal) stored it, for
    /// `client_secret_jwt` (RFC 7523 §2.2), whose assertions are signed
    /// with the secret itself. `None` (the default) when not kept: such a
    /// client cannot use that method.
    fn sealed_client_secret(&self) -> Option<&str> {
        None
    }

    /// The one authentication method this client may use.
    fn token_endpoint_auth_method(&self) -> ClientAuthMethod {
        self.metadata().token_endpoint_auth_method.clone()
    }

    /// The registered redirect URIs.
    fn redirect_uris(&self) -> Vec<String> {
        self.metadata().redirect_uris.clone()
    }

    /// The grant types the client may use.
    fn grant_types(&self) -> Vec<String> {
        self.metadata().grant_types.clone()
    }

    /// The response types the client may use.
    fn response_types(&self) -> Vec<String> {
        self.metadata().response_types.clone()
    }

    /// The largest scope the client may be granted.
    fn scope(&self) -> Scope {
        Scope::from_stored(self.metadata().scope.as_deref().unwrap_or_default())
    }

    /// A name to show the resource owner (consent page).
    fn client_name(&self) -> Option<String> {
        self.metadata().client_name.clone()
    }

    /// Whether the client is public (cannot keep a secret).
    fn is_public(&self) -> bool {
        self.token_endpoint_auth_method() == ClientAuthMethod::None
    }

    /// Whether `uri` is registered, by simple string comparison
    /// (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3: exact match).
    fn check_redirect_uri(&self, uri: &str) -> bool {
        self.metadata().redirect_uris.iter().any(|r| r == uri)
    }

    /// The redirect URI to use when a request names none: the registered one
    /// if there is exactly one (RFC 6749 §3.1.2.3).
    fn default_redirect_uri(&self) -> Option<String> {
        match self.metadata().redirect_uris.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        }
    }

    /// Whether the client may use `grant_type`.
    fn check_grant_type(&self, grant_type: &str) -> bool {
        self.metadata().grant_types.iter().any(|g| g == grant_type)
    }

    /// Whether the client may use `response_type`.
    fn check_response_type(&self, response_type: &str) -> bool {
        self.metadata()
            .response_types
            .iter()
            .any(|r| r == response_type)
    }

    /// The part of `requested` the client may have.
    fn allowed_scope(&self, requested: &Scope) -> Scope {
        requested.intersection(&self.scope())
    }
}

/// An issued token (Authlib's `TokenMixin`). Tokens are found by the digest
/// of their access or refresh token; the raw values are never stored.
pub trait OAuth2Token: Send + Sync {
    /// The client the token was issued to.
    fn client_id(&self) -> &str;
    /// The resource owner, if any (none for client credentials).
    fn user_id(&self) -> Option<String>;
    /// The token type (`Bearer`).
    fn token_type(&self) -> &str {
        "Bearer"
    }
    /// The access token's scope.
    fn scope(&self) -> Scope;
    /// The scope the refresh token may ask for (RFC 6749 §6: a rotated
    /// refresh token keeps the scope originally granted, even when an access
    /// token was narrowed).
    fn refresh_token_scope(&self) -> Scope {
        self.scope()
    }
    /// When the token was issued (Unix seconds).
    fn issued_at(&self) -> i64;
    /// The access token's lifetime in seconds.
    fn expires_in(&self) -> i64;
    /// Whether a refresh token was issued with this access token.
    fn has_refresh_token(&self) -> bool;
    /// Whether the access token has been revoked.
    fn is_access_token_revoked(&self) -> bool;
    /// Whether the refresh token has been revoked (or rotated out).
    fn is_refresh_token_revoked(&self) -> bool;
    /// The grant this token belongs to: every token issued from one
    /// authorization (a code, a password grant, and the refreshes that
    /// follow) shares it, so the whole family can be revoked at once.
    fn grant_id(&self) -> &str;
    /// The OpenID Connect context of the grant (see
    /// [`OAuth2AuthorizationCode::authentication`]); `None` for a model
    /// without this column.
    fn authentication(&self) -> Option<Authentication> {
        None
    }
    /// When the grant began: the issue of the first token of the family,
    /// which rotations keep, for the absolute refresh lifetime
    /// ([`Lifetimes::refresh_token_absolute`](crate::config::Lifetimes::refresh_token_absolute)). `None` for a
    /// model without this column (or a row from before it), and the engine
    /// then counts from [`issued_at`](Self::issued_at), the last rotation.
    fn grant_issued_at(&self) -> Option<i64> {
        None
    }

    /// When the refresh token was revoked (by its rotation, or otherwise),
    /// for the refresh grace period; `None` if it is not, or when the model
    /// does not say.
    fn refresh_token_revoked_at(&self) -> Option<i64> {
        None
    }

    /// When the refresh token was rotated out, while it may still be
    /// retried once within the grace period
    /// ([`Lifetimes::refresh_token_grace_period`](crate::config::Lifetimes::refresh_token_grace_period)):
    /// `None` when it was not rotated, when its retry was used, when it
    /// was revoked otherwise, or for a model without this column.
    fn refresh_token_rotated_at(&self) -> Option<i64> {
        None
    }

    /// The thumbprint of the DPoP key the token is bound to (RFC 9449 §6,
    /// `cnf.jkt`); `None` for a bearer token, or a model without this
    /// column.
    fn dpop_jkt(&self) -> Option<&str> {
        None
    }
    /// The resources the access token is for (RFC 8707: its `aud`); empty
    /// when it was not restricted to any, or for a model without this
    /// column.
    fn audience(&self) -> Vec<String> {
        Vec::new()
    }
    /// The resources the refresh token may ask access tokens for (RFC 8707
    /// §2.2: the grant's, even when an access token was narrowed to one).
    fn refresh_token_audience(&self) -> Vec<String> {
        self.audience()
    }
    /// Who acts for the subject (RFC 8693 §4.1, the `act` claim), for a
    /// token issued by token exchange with an actor token; `None`
    /// otherwise, or for a model without this column.
    fn actor(&self) -> Option<serde_json::Value> {
        None
    }

    /// When the access token expires (Unix seconds).
    fn expires_at(&self) -> i64 {
        self.issued_at().saturating_add(self.expires_in())
    }
    /// Whether the access token has expired at `now`.
    fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at()
    }
}

/// An authorization code (Authlib's `AuthorizationCodeMixin`).
pub trait OAuth2AuthorizationCode: Send + Sync {
    /// The client the code was issued to.
    fn client_id(&self) -> &str;
    /// The resource owner who granted it.
    fn user_id(&self) -> String;
    /// The `redirect_uri` of the authorization request, if one was given
    /// (RFC 6749 §4.1.3 requires it again, identical, at the token endpoint).
    fn redirect_uri(&self) -> Option<&str>;
    /// The granted scope.
    fn scope(&self) -> Scope;
    /// When the resource owner granted it (Unix seconds).
    fn auth_time(&self) -> i64;
    /// The PKCE `code_challenge` (RFC 7636 §4.2), if one was sent.
    fn code_challenge(&self) -> Option<&str>;
    /// The PKCE `code_challenge_method`, if one was sent.
    fn code_challenge_method(&self) -> Option<&str>;
    /// The OpenID Connect `nonce`, if one was sent.
    fn nonce(&self) -> Option<&str> {
        None
    }
    /// How and when the resource owner logged in, for the ID token
    /// (OpenID Connect Core §2); kept for `openid` requests only. `None`
    /// for a model without this column.
    fn authentication(&self) -> Option<Authentication> {
        None
    }
    /// The thumbprint of the DPoP key the code is bound to (RFC 9449
    /// §10): only a token request with a proof by that key redeems it.
    /// `None` when unbound, or for a model without this column.
    fn dpop_jkt(&self) -> Option<&str> {
        None
    }
    /// The resources the grant is for (RFC 8707 §2.1, `resource`); empty
    /// when the request named none, or for a model without this column.
    fn audience(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The OpenID Connect context of a grant, stored as JSON with its code and
/// its tokens: when and how the resource owner logged in (`auth_time`,
/// `acr`, `amr`: OpenID Connect Core §2), the `nonce` of the request
/// (§3.1.2.1; with the code's tokens only, not after a refresh, §12.2) and
/// the `claims` it asked for (§5.5). The ID tokens of every refresh report
/// the original login, as §12.2 requires.
///
/// ```
/// use oauth_core::Authentication;
/// let a = Authentication { auth_time: Some(1_700_000_000), ..Authentication::default() };
/// assert_eq!(a.to_json(), r#"{"auth_time":1700000000}"#);
/// assert_eq!(Authentication::from_json(&a.to_json()), Some(a));
/// assert_eq!(Authentication::from_json("not json"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Authentication {
    /// When the resource owner logged in (Unix seconds), if the site said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The Authentication Context Class Reference the login satisfied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The Authentication Methods References (RFC 8176: `pwd`, `otp`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The request's `nonce`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The `claims` request parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<crate::oidc::ClaimsRequest>,
}

impl Authentication {
    /// The stored form.
    pub fn to_json(&self) -> String {
        // A struct of strings, numbers and maps of them always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The context of the tokens a refresh issues: the same login, without
    /// the nonce (OpenID Connect Core §12.2).
    pub fn refreshed(self) -> Authentication {
        Authentication {
            nonce: None,
            ..self
        }
    }

    /// The stored form read back; `None` for text that is not one (a
    /// column written by something else is ignored, not trusted).
    pub fn from_json(text: &str) -> Option<Authentication> {
        serde_json::from_str(text).ok()
    }
}

/// A token the engine has issued and storage must persist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    /// The client it was issued to.
    pub client_id: String,
    /// The resource owner, if any.
    pub user_id: Option<String>,
    /// `Bearer`.
    pub token_type: String,
    /// SHA-256 digest of the access token ([`secrets::digest`]).
    pub access_token_digest: String,
    /// SHA-256 digest of the refresh token, if one was issued.
    pub refresh_token_digest: Option<String>,
    /// The access token's scope, space-delimited.
    pub scope: String,
    /// The refresh token's scope, space-delimited (see
    /// [`OAuth2Token::refresh_token_scope`]).
    pub refresh_token_scope: String,
    /// Unix seconds.
    pub issued_at: i64,
    /// Seconds.
    pub expires_in: i64,
    /// The grant (token family) this token belongs to.
    pub grant_id: String,
    /// The OpenID Connect context, for `openid` grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    /// When the grant began (Unix seconds): `issued_at` for the first token
    /// of a grant, kept by every rotation (see
    /// [`OAuth2Token::grant_issued_at`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_issued_at: Option<i64>,
    /// The RFC 7638 thumbprint of the DPoP key the token is bound to
    /// (RFC 9449 §6: `cnf.jkt`); `None` for a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
    /// The access token's resources (RFC 8707), space-delimited; `None`
    /// when it is not restricted to any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The resources the refresh token may ask for, space-delimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_audience: Option<String>,
    /// The `act` claim (RFC 8693 §4.1) of a delegated token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<serde_json::Value>,
}

/// An authorization code the engine has issued and storage must persist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAuthorizationCode {
    /// SHA-256 digest of the code.
    pub code_digest: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The resource owner who granted it.
    pub user_id: String,
    /// The `redirect_uri` of the request, if one was given.
    pub redirect_uri: Option<String>,
    /// `code`.
    pub response_type: String,
    /// The granted scope, space-delimited.
    pub scope: String,
    /// Unix seconds.
    pub auth_time: i64,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// PKCE method (`S256` or `plain`).
    pub code_challenge_method: Option<String>,
    /// OpenID Connect nonce.
    pub nonce: Option<String>,
    /// The OpenID Connect context, for `openid` requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    /// The thumbprint of the DPoP key the code is bound to (RFC 9449 §10:
    /// `dpop_jkt`, or the proof at the PAR endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
    /// The resources of the request (RFC 8707 §2.1), space-delimited;
    /// `None` when it named none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// Client metadata as RFC 7591 §2 defines it (what Authlib keeps in
/// `client_metadata` JSON), with the RFC's defaults for absent fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientMetadata {
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Token endpoint authentication method (default `client_secret_basic`).
    pub token_endpoint_auth_method: ClientAuthMethod,
    /// Grant types (default `["authorization_code"]`).
    pub grant_types: Vec<String>,
    /// Response types (default `["code"]`).
    pub response_types: Vec<String>,
    /// Human-readable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Home page of the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    /// Logo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// Space-delimited scope the client may ask for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Contacts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// Terms of service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    /// Privacy policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    /// JWK Set URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Software identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    /// Software version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// The client's own JWK Set, inline (RFC 7591 §2; not with `jwks_uri`):
    /// the public keys its `private_key_jwt` assertions are verified with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<jsonwebtoken::jwk::JwkSet>,
    /// OpenID Connect Registration §2: the one `alg` its client assertions
    /// (`private_key_jwt`) are signed with; any the server allows when
    /// absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// OpenID Connect Registration §2: the `alg` its ID tokens are signed
    /// with (`RS256` when absent); it must be the server's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
    /// OpenID Connect Registration §2: `public` (the default) or `pairwise`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_type: Option<String>,
    /// OpenID Connect Registration §2: the `max_age` of requests that send
    /// none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_max_age: Option<i64>,
    /// OpenID Connect Registration §2: every ID token carries `auth_time`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub require_auth_time: bool,
    /// RP-Initiated Logout 1.0 §3.1: where the end-session endpoint may
    /// send the user after logging out (exact match).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<String>,
    /// `opaque` (the default) or `jwt`: RFC 9068 access tokens for this
    /// client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_strategy: Option<String>,
    /// RFC 9126 §6: the client's authorization requests must be pushed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub require_pushed_authorization_requests: bool,
    /// OpenID Connect Registration §2: the one `alg` its request objects
    /// (RFC 9101) are signed with; any the server allows when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<String>,
    /// RFC 9101 §10.5: the client's authorization requests must be signed
    /// request objects.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub require_signed_request_object: bool,
    /// RFC 9449 §5.2: the client always uses DPoP; its token requests
    /// without a proof are refused.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dpop_bound_access_tokens: bool,
    /// The resource (RFC 8707, one of
    /// [`Config::resources`](crate::Config::resources)) this confidential
    /// client is the resource server of: it may introspect the tokens for
    /// that resource (RFC 7662 §2.1), not only its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_server: Option<String>,
}

impl Default for ClientMetadata {
    fn default() -> ClientMetadata {
        ClientMetadata {
            redirect_uris: Vec::new(),
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            grant_types: vec!["authorization_code".into()],
            response_types: vec!["code".into()],
            client_name: None,
            client_uri: None,
            logo_uri: None,
            scope: None,
            contacts: Vec::new(),
            tos_uri: None,
            policy_uri: None,
            jwks_uri: None,
            software_id: None,
            software_version: None,
            jwks: None,
            token_endpoint_auth_signing_alg: None,
            id_token_signed_response_alg: None,
            subject_type: None,
            default_max_age: None,
            require_auth_time: false,
            post_logout_redirect_uris: Vec::new(),
            access_token_strategy: None,
            require_pushed_authorization_requests: false,
            request_object_signing_alg: None,
            require_signed_request_object: false,
            dpop_bound_access_tokens: false,
            resource_server: None,
        }
    }
}

/// A ready-made client record: the id, the secret's digest and the
/// metadata. The in-memory storage keeps these; a custom storage may too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    /// The `client_id`.
    pub client_id: String,
    /// [`secrets::hash_client_secret`] of the secret; `None` for public clients.
    pub client_secret_digest: Option<String>,
    /// Unix seconds.
    pub client_id_issued_at: i64,
    /// Unix seconds, `0` for never.
    pub client_secret_expires_at: i64,
    /// RFC 7591 metadata.
    pub metadata: ClientMetadata,
    /// The secret itself, sealed, for a `client_secret_jwt` client: the
    /// HMAC key its assertions are signed with (RFC 7523 §2.2), which a
    /// digest cannot check. `None` for every other client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_sealed: Option<String>,
}

impl ClientRecord {
    /// A confidential client with the given raw secret (stored hashed).
    pub fn confidential(
        client_id: impl Into<String>,
        secret: &str,
        metadata: ClientMetadata,
    ) -> ClientRecord {
        ClientRecord {
            client_id: client_id.into(),
            client_secret_digest: Some(secrets::hash_client_secret(secret)),
            client_id_issued_at: 0,
            client_secret_expires_at: 0,
            metadata,
            client_secret_sealed: None,
        }
    }

    /// A public client (`token_endpoint_auth_method` forced to `none`).
    pub fn public(client_id: impl Into<String>, mut metadata: ClientMetadata) -> ClientRecord {
        metadata.token_endpoint_auth_method = ClientAuthMethod::None;
        ClientRecord {
            client_id: client_id.into(),
            client_secret_digest: None,
            client_id_issued_at: 0,
            client_secret_expires_at: 0,
            metadata,
            client_secret_sealed: None,
        }
    }
}

impl OAuth2Client for ClientRecord {
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn check_client_secret(&self, secret: &str) -> bool {
        match &self.client_secret_digest {
            Some(d) => secrets::verify_client_secret(d, secret),
            None => false,
        }
    }
    fn client_secret_expires_at(&self) -> i64 {
        self.client_secret_expires_at
    }
    fn metadata(&self) -> &ClientMetadata {
        &self.metadata
    }
    fn sealed_client_secret(&self) -> Option<&str> {
        self.client_secret_sealed.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7591_2_metadata_defaults() {
        let m: ClientMetadata = serde_json::from_str("{}").unwrap();
        assert_eq!(m.grant_types, ["authorization_code"]);
        assert_eq!(m.response_types, ["code"]);
        assert_eq!(
            m.token_endpoint_auth_method,
            ClientAuthMethod::ClientSecretBasic
        );
    }

    #[test]
    fn rfc6749_3_1_2_3_default_redirect_uri_only_when_one_is_registered() {
        let mut m = ClientMetadata {
            redirect_uris: vec!["https://a/cb".into()],
            ..ClientMetadata::default()
        };
        let c = ClientRecord::public("c", m.clone());
        assert_eq!(c.default_redirect_uri().as_deref(), Some("https://a/cb"));
        m.redirect_uris.push("https://b/cb".into());
        let c = ClientRecord::public("c", m);
        assert_eq!(c.default_redirect_uri(), None);
    }

    #[test]
    fn redirect_uri_match_is_exact() {
        let c = ClientRecord::public(
            "c",
            ClientMetadata {
                redirect_uris: vec!["https://a.example/cb".into()],
                ..ClientMetadata::default()
            },
        );
        assert!(c.check_redirect_uri("https://a.example/cb"));
        for near in [
            "https://a.example/cb/",
            "https://A.example/cb",
            "https://a.example/cb?x=1",
            "https://a.example/cb#f",
            "https://a.example./cb",
            "https://a.example/CB",
            "https://user@a.example/cb",
        ] {
            assert!(!c.check_redirect_uri(near), "{near}");
        }
    }
}
