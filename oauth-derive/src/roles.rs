//! The models the derives know: for each, its roles (the field it looks
//! for, whether it is required, the types it accepts, and why the engine
//! needs it), and the template of `oauth_diesel::queries` that its mapping
//! is handed to.
//!
//! Column names follow Authlib's SQLAlchemy mixins where they have one;
//! OAuth 1 realms follow Flask-OAuthlib (`default_realms`, `realms`), and
//! names say what they hold where the value differs from Authlib's: only a
//! digest of the OAuth 1 verifier is kept, hence `oauth_verifier_digest`.

use crate::parse::{Attr, Kind, OAUTH1, OAUTH2, Role};

const fn role(name: &'static str, required: bool, kind: Kind, purpose: &'static str) -> Role {
    Role {
        name,
        required,
        kind,
        purpose,
    }
}

/// A model a derive maps.
pub struct ModelSpec {
    /// The derive's name, for messages.
    pub derive: &'static str,
    /// `#[oauth2(role)]` or `#[oauth1(role)]`.
    pub attr: &'static Attr,
    /// The roles, in the order the template takes them.
    pub roles: &'static [Role],
    /// The `oauth_diesel::__private` macro that implements the model.
    pub template: &'static str,
}

const CLIENT_ROLES: &[Role] = &[
    role("client_id", true, Kind::Text, "the client identifier"),
    role(
        "client_secret",
        true,
        Kind::MaybeText,
        "the SHA-256 digest of the client secret; empty or NULL for public clients",
    ),
    role(
        "client_metadata",
        true,
        Kind::Text,
        "RFC 7591 metadata as JSON text: redirect_uris, grant_types, scope, ...",
    ),
    role(
        "client_id_issued_at",
        false,
        Kind::Instant,
        "when the client was registered",
    ),
    role(
        "client_secret_expires_at",
        false,
        Kind::Instant,
        "when the secret expires, 0 for never",
    ),
    role(
        "user_id",
        false,
        Kind::Owner,
        "the user who registered the client",
    ),
    role(
        "client_secret_sealed",
        false,
        Kind::OptText,
        "the secret itself, sealed, for client_secret_jwt (its HMAC key); NULL for other clients",
    ),
];

const TOKEN_ROLES: &[Role] = &[
    role(
        "client_id",
        true,
        Kind::Text,
        "the client the token was issued to",
    ),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the resource owner, NULL for client credentials; String, i32 or i64, or an Option of one",
    ),
    role("token_type", true, Kind::Text, "`Bearer`"),
    role(
        "access_token",
        true,
        Kind::Text,
        "the SHA-256 digest of the access token",
    ),
    role(
        "refresh_token",
        true,
        Kind::OptText,
        "the SHA-256 digest of the refresh token, NULL when none",
    ),
    role("scope", true, Kind::Text, "the access token's scope"),
    role(
        "refresh_token_scope",
        false,
        Kind::Text,
        "the scope the refresh token may ask for",
    ),
    role(
        "issued_at",
        true,
        Kind::Instant,
        "when the token was issued",
    ),
    role(
        "expires_in",
        true,
        Kind::Seconds,
        "the access token lifetime in seconds",
    ),
    role(
        "access_token_revoked_at",
        true,
        Kind::OptInstant,
        "when the access token was revoked",
    ),
    role(
        "refresh_token_revoked_at",
        true,
        Kind::OptInstant,
        "when the refresh token was revoked",
    ),
    role(
        "grant_id",
        true,
        Kind::Text,
        "the token family, so a replayed code or refresh token revokes all of it",
    ),
    role(
        "authentication",
        false,
        Kind::OptText,
        "OpenID Connect: when and how the user logged in, as JSON, for the ID tokens of refreshes",
    ),
    role(
        "grant_issued_at",
        false,
        Kind::OptInstant,
        "when the grant began, kept by rotations, for the absolute refresh lifetime",
    ),
    role(
        "refresh_token_rotated_at",
        false,
        Kind::OptInstant,
        "when the refresh token was rotated out, while its one retry in the grace period is unused",
    ),
    role(
        "dpop_jkt",
        false,
        Kind::OptText,
        "DPoP (RFC 9449): the thumbprint of the key the token is bound to",
    ),
    role(
        "audience",
        false,
        Kind::OptText,
        "RFC 8707: the resources the access token is for, space-separated",
    ),
    role(
        "refresh_token_audience",
        false,
        Kind::OptText,
        "RFC 8707: the resources the refresh token may ask for, space-separated",
    ),
    role(
        "actor",
        false,
        Kind::OptText,
        "RFC 8693: the act claim of a token issued by token exchange, as JSON",
    ),
];

const CODE_ROLES: &[Role] = &[
    role("code", true, Kind::Text, "the SHA-256 digest of the code"),
    role(
        "client_id",
        true,
        Kind::Text,
        "the client the code was issued to",
    ),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the resource owner who granted it; String, i32 or i64",
    ),
    role(
        "redirect_uri",
        true,
        Kind::MaybeText,
        "the redirect_uri of the request, if it named one",
    ),
    role("response_type", true, Kind::Text, "`code`"),
    role("scope", true, Kind::Text, "the granted scope"),
    role("auth_time", true, Kind::Instant, "when the code was issued"),
    role("code_challenge", true, Kind::OptText, "the PKCE challenge"),
    role(
        "code_challenge_method",
        true,
        Kind::OptText,
        "the PKCE method",
    ),
    role("nonce", false, Kind::OptText, "the OpenID Connect nonce"),
    role(
        "authentication",
        false,
        Kind::OptText,
        "OpenID Connect: when and how the user logged in, as JSON, for the ID token",
    ),
    role(
        "dpop_jkt",
        false,
        Kind::OptText,
        "DPoP (RFC 9449 §10): the thumbprint of the key the code is bound to",
    ),
    role(
        "audience",
        false,
        Kind::OptText,
        "RFC 8707: the resources the request named, space-separated",
    ),
];

const USER_ROLES: &[Role] = &[role(
    "id",
    true,
    Kind::Key,
    "the user's key, which tokens keep in their `user_id` column",
)];

const DEVICE_ROLES: &[Role] = &[
    role(
        "device_code",
        true,
        Kind::Text,
        "the SHA-256 digest of the device code",
    ),
    role(
        "user_code",
        true,
        Kind::OptText,
        "the SHA-256 digest of the normalised user code, NULL once freed",
    ),
    role("client_id", true, Kind::Text, "the client that asked"),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the user who decided, NULL while pending; String, i32 or i64, in an Option",
    ),
    role("scope", true, Kind::Text, "the requested scope"),
    role(
        "status",
        true,
        Kind::Text,
        "pending, approved, denied or consumed",
    ),
    role("issued_at", true, Kind::Instant, "when the device asked"),
    role(
        "expires_at",
        true,
        Kind::Instant,
        "when the device code expires",
    ),
    role(
        "polling_interval",
        true,
        Kind::Seconds,
        "the polling interval in seconds, raised by slow_down",
    ),
    role(
        "last_polled_at",
        true,
        Kind::OptInstant,
        "when the device last polled",
    ),
];

const GRANT_ROLES: &[Role] = &[
    role("client_id", true, Kind::Text, "the client granted"),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the user who granted it; String, i32 or i64",
    ),
    role("scope", true, Kind::Text, "every scope granted so far"),
    role(
        "claims",
        false,
        Kind::Text,
        "the OpenID Connect claims granted by name, space-separated",
    ),
    role(
        "granted_at",
        true,
        Kind::Instant,
        "when it was first granted",
    ),
    role(
        "updated_at",
        true,
        Kind::Instant,
        "when it was last granted: consent is remembered from then",
    ),
];

const SIGNING_KEY_ROLES: &[Role] = &[
    role("kid", true, Kind::Text, "the key id, the JWK thumbprint"),
    role("alg", true, Kind::Text, "`RS256`, `ES256` or `EdDSA`"),
    role(
        "private_key",
        true,
        Kind::Text,
        "the private key, sealed at rest when a key encryption key is configured",
    ),
    role(
        "created_at",
        true,
        Kind::Instant,
        "when it was made and published",
    ),
    role("signs_from", true, Kind::Instant, "when it starts signing"),
    role(
        "signs_until",
        true,
        Kind::OptInstant,
        "when it stopped signing, NULL until retired",
    ),
    role(
        "published_until",
        true,
        Kind::OptInstant,
        "when it leaves the JWK Set, NULL until retired",
    ),
];

const OAUTH1_CLIENT_ROLES: &[Role] = &[
    role(
        "client_id",
        true,
        Kind::Text,
        "the client identifier, `oauth_consumer_key`",
    ),
    role(
        "client_secret",
        true,
        Kind::MaybeText,
        "the shared secret in clear, the HMAC-SHA1 key; empty or NULL for an RSA-only client",
    ),
    role(
        "redirect_uris",
        true,
        Kind::MaybeText,
        "the registered callback URIs, space-separated (Authlib's single \
         `default_redirect_uri` works as it is)",
    ),
    role(
        "rsa_public_key",
        false,
        Kind::MaybeText,
        "the PEM public key for RSA-SHA1",
    ),
    role(
        "default_realms",
        false,
        Kind::MaybeText,
        "the realms the client gets, and may ask for, space-separated",
    ),
    role(
        "client_name",
        false,
        Kind::MaybeText,
        "a name to show the resource owner",
    ),
    role(
        "user_id",
        false,
        Kind::Owner,
        "the user who registered the client",
    ),
];

const TEMPORARY_ROLES: &[Role] = &[
    role(
        "oauth_token",
        true,
        Kind::Text,
        "the temporary credential identifier",
    ),
    role(
        "oauth_token_secret",
        true,
        Kind::Text,
        "the temporary credential secret in clear, an HMAC-SHA1 key",
    ),
    role("client_id", true, Kind::Text, "the client it was issued to"),
    role(
        "oauth_callback",
        true,
        Kind::Text,
        "the callback URI of the request, or `oob`",
    ),
    role(
        "oauth_verifier_digest",
        true,
        Kind::OptText,
        "the SHA-256 digest of the verifier, NULL until authorized",
    ),
    role(
        "user_id",
        true,
        Kind::OptOwner,
        "the resource owner who authorized it, NULL until then",
    ),
    role(
        "realms",
        false,
        Kind::MaybeText,
        "the realms asked for, space-separated",
    ),
    role("expires_at", true, Kind::Instant, "when it expires"),
];

const OAUTH1_TOKEN_ROLES: &[Role] = &[
    role("oauth_token", true, Kind::Text, "the token identifier"),
    role(
        "oauth_token_secret",
        true,
        Kind::Text,
        "the token secret in clear, an HMAC-SHA1 key",
    ),
    role("client_id", true, Kind::Text, "the client it was issued to"),
    role(
        "user_id",
        true,
        Kind::Owner,
        "the resource owner who authorized it; String, i32 or i64",
    ),
    role(
        "realms",
        false,
        Kind::MaybeText,
        "the realms it covers, space-separated",
    ),
    role("issued_at", false, Kind::Instant, "when it was issued"),
];

/// `#[derive(OAuth2Client)]`.
pub const CLIENT: ModelSpec = ModelSpec {
    derive: "OAuth2Client",
    attr: &OAUTH2,
    roles: CLIENT_ROLES,
    template: "oauth2_client",
};

/// `#[derive(OAuth2Token)]`.
pub const TOKEN: ModelSpec = ModelSpec {
    derive: "OAuth2Token",
    attr: &OAUTH2,
    roles: TOKEN_ROLES,
    template: "oauth2_token",
};

/// `#[derive(OAuth2AuthorizationCode)]`.
pub const AUTHORIZATION_CODE: ModelSpec = ModelSpec {
    derive: "OAuth2AuthorizationCode",
    attr: &OAUTH2,
    roles: CODE_ROLES,
    template: "oauth2_authorization_code",
};

/// `#[derive(OAuth2User)]`.
pub const USER: ModelSpec = ModelSpec {
    derive: "OAuth2User",
    attr: &OAUTH2,
    roles: USER_ROLES,
    template: "oauth2_user",
};

/// `#[derive(OAuth2DeviceCode)]`.
pub const DEVICE_CODE: ModelSpec = ModelSpec {
    derive: "OAuth2DeviceCode",
    attr: &OAUTH2,
    roles: DEVICE_ROLES,
    template: "oauth2_device_code",
};

/// `#[derive(OAuth2Grant)]`.
pub const GRANT: ModelSpec = ModelSpec {
    derive: "OAuth2Grant",
    attr: &OAUTH2,
    roles: GRANT_ROLES,
    template: "oauth2_grant",
};

/// `#[derive(OAuth2SigningKey)]`.
pub const SIGNING_KEY: ModelSpec = ModelSpec {
    derive: "OAuth2SigningKey",
    attr: &OAUTH2,
    roles: SIGNING_KEY_ROLES,
    template: "oauth2_signing_key",
};

/// `#[derive(OAuth1Client)]`.
pub const OAUTH1_CLIENT: ModelSpec = ModelSpec {
    derive: "OAuth1Client",
    attr: &OAUTH1,
    roles: OAUTH1_CLIENT_ROLES,
    template: "oauth1_client",
};

/// `#[derive(OAuth1TemporaryCredential)]`.
pub const OAUTH1_TEMPORARY_CREDENTIAL: ModelSpec = ModelSpec {
    derive: "OAuth1TemporaryCredential",
    attr: &OAUTH1,
    roles: TEMPORARY_ROLES,
    template: "oauth1_temporary_credential",
};

/// `#[derive(OAuth1TokenCredential)]`.
pub const OAUTH1_TOKEN_CREDENTIAL: ModelSpec = ModelSpec {
    derive: "OAuth1TokenCredential",
    attr: &OAUTH1,
    roles: OAUTH1_TOKEN_ROLES,
    template: "oauth1_token_credential",
};
