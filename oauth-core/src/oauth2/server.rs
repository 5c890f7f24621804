//! The authorization server: configuration, storage, grants and generators in
//! one value, with one method per endpoint.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::Config;
use crate::error::OAuth2Error;
use crate::models::{NewToken, OAuth2Client, OAuth2Token};
use crate::oauth2::rfc6749::authorization_hooks::AuthorizationHook;
use crate::oauth2::rfc6749::client_auth::ClientAuthentication;
use crate::oauth2::rfc6749::grants::{
    AuthorizationCodeGrant, ClientCredentialsGrant, IssuedToken, PasswordGrant, RefreshTokenGrant,
    ResourceOwnerAuthenticator, TokenGrant,
};
use crate::oauth2::rfc6749::response_types::{
    CodeResponse, ResponseType, ResponseTypeHandler, TokenResponse,
};
use crate::oauth2::rfc6749::token_hooks::TokenHook;
use crate::scope::Scope;
use crate::secrets;
use crate::storage::OAuth2Storage;

/// A source of the current time (Unix seconds). Servers use
/// [`SystemClock`]; tests may use [`ManualClock`] to step over expiries.
pub trait Clock: Send + Sync {
    /// Now, in Unix seconds.
    fn now(&self) -> i64;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to; shareable between a test and the
/// server it drives.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock reading `now`.
    pub fn new(now: i64) -> Arc<ManualClock> {
        Arc::new(ManualClock(AtomicI64::new(now)))
    }
    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> i64 {
        (**self).now()
    }
}

/// What a token generator may base a token on.
#[derive(Debug, Clone, Copy)]
pub struct TokenContext<'a> {
    /// The grant type being served (`implicit` for the authorization endpoint).
    pub grant_type: &'a str,
    /// The client the token is for.
    pub client_id: &'a str,
    /// The resource owner, if any.
    pub user_id: Option<&'a str>,
    /// The scope being granted.
    pub scope: &'a Scope,
}

/// Makes access tokens, refresh tokens or authorization codes.
///
/// The default, [`RandomTokenGenerator`], draws 32 bytes from the OS CSPRNG.
/// Any `Fn(&TokenContext) -> String` is a generator too.
pub trait TokenGenerator: Send + Sync {
    /// A new, unguessable value.
    fn generate(&self, context: &TokenContext<'_>) -> String;
}

impl<F> TokenGenerator for F
where
    F: Fn(&TokenContext<'_>) -> String + Send + Sync,
{
    fn generate(&self, context: &TokenContext<'_>) -> String {
        self(context)
    }
}

/// Random URL-safe tokens of `bytes` bytes (default 32, i.e. 256 bits).
#[derive(Debug, Clone, Copy)]
pub struct RandomTokenGenerator {
    /// Number of random bytes (at least 16 is enforced).
    pub bytes: usize,
}

impl Default for RandomTokenGenerator {
    fn default() -> RandomTokenGenerator {
        RandomTokenGenerator { bytes: 32 }
    }
}

impl TokenGenerator for RandomTokenGenerator {
    fn generate(&self, _: &TokenContext<'_>) -> String {
        secrets::random_token(self.bytes.max(16))
    }
}

/// An invalid [`Config`], found when the server is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid OAuth 2.0 configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The OAuth 2.0 authorization server engine.
///
/// Built from a storage and a [`Config`]; the `authorization_code`,
/// `refresh_token` and `client_credentials` grants are registered from the
/// start, `password` once a [`ResourceOwnerAuthenticator`] is given, and any
/// [`TokenGrant`] can be added.
pub struct AuthorizationServer<S: OAuth2Storage> {
    pub(crate) storage: S,
    pub(crate) config: Config,
    pub(crate) grants: HashMap<String, Arc<dyn TokenGrant<S>>>,
    pub(crate) response_types: HashMap<ResponseType, Arc<dyn ResponseTypeHandler<S>>>,
    pub(crate) authorization_hooks: Vec<Arc<dyn AuthorizationHook<S>>>,
    pub(crate) token_hooks: Vec<Arc<dyn TokenHook<S>>>,
    pub(crate) client_authentications: Vec<Arc<dyn ClientAuthentication<S>>>,
    pub(crate) access_token_generator: Box<dyn TokenGenerator>,
    pub(crate) refresh_token_generator: Box<dyn TokenGenerator>,
    pub(crate) code_generator: Box<dyn TokenGenerator>,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) supported_scopes: Option<Scope>,
    pub(crate) default_scope: Scope,
    /// The signing keys, once `with_signing_keys` is called.
    pub(crate) key_ring: Option<crate::jose::KeyRing>,
    /// What signs JWT access tokens, once `with_signing_keys` is called.
    pub(crate) signer: Option<Arc<dyn crate::oauth2::rfc9068::TokenSigner<S>>>,
    /// Where ID tokens find their users' claims (`with_user_claims`).
    pub(crate) user_claims: Option<Arc<dyn crate::oidc::userinfo::ClaimsSource<S>>>,
    /// OpenID Connect, once `with_openid_connect` is called.
    pub(crate) openid_connect: Option<crate::oidc::OpenIdConnect>,
    /// The `claims_supported` the site set, whenever it set them (before
    /// or after `with_openid_connect`).
    pub(crate) claims_supported: Option<Vec<String>>,
    /// The site's own API, once `with_protected_resource` is called
    /// (RFC 9728).
    pub(crate) protected_resource: Option<crate::oauth2::rfc9728::ProtectedResource>,
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// A server over `storage` with `config`, which is validated here.
    pub fn new(storage: S, config: Config) -> Result<AuthorizationServer<S>, ConfigError> {
        let config = config.with_profile().map_err(ConfigError)?;
        config.validate().map_err(ConfigError)?;
        if config.lifetimes.refresh_token_grace_period > 0 && !storage.supports_refresh_grace() {
            return Err(ConfigError(
                "oauth2.lifetimes.refresh_token_grace_period needs a token model that keeps \
                 refresh_token_rotated_at (see the OAuth2Token derive)"
                    .into(),
            ));
        }
        if config.dpop.require && !storage.binds_tokens_to_dpop_keys() {
            return Err(ConfigError(
                "oauth2.dpop.require needs a token model that keeps dpop_jkt (see the \
                 OAuth2Token derive)"
                    .into(),
            ));
        }
        let supported_scopes = config
            .scopes
            .supported
            .as_ref()
            .map(|s| Scope::from_tokens(s.iter()));
        let default_scope = Scope::from_tokens(config.scopes.default.iter());
        let mut server = AuthorizationServer {
            storage,
            config,
            grants: HashMap::new(),
            response_types: HashMap::new(),
            authorization_hooks: Vec::new(),
            token_hooks: Vec::new(),
            client_authentications: Vec::new(),
            access_token_generator: Box::new(RandomTokenGenerator::default()),
            refresh_token_generator: Box::new(RandomTokenGenerator::default()),
            code_generator: Box::new(RandomTokenGenerator::default()),
            clock: Box::new(SystemClock),
            supported_scopes,
            default_scope,
            key_ring: None,
            signer: None,
            user_claims: None,
            openid_connect: None,
            claims_supported: None,
            protected_resource: None,
        };
        server = server
            .with_grant(AuthorizationCodeGrant)
            .with_grant(RefreshTokenGrant)
            .with_grant(ClientCredentialsGrant)
            .with_response_type(CodeResponse);
        if server.config.implicit_grant {
            server = server.with_response_type(TokenResponse);
        }
        Ok(server)
    }

    /// Registers (or replaces) a grant for its grant type.
    pub fn with_grant(mut self, grant: impl TokenGrant<S> + 'static) -> Self {
        self.grants
            .insert(grant.grant_type().to_owned(), Arc::new(grant));
        self
    }

    /// Enables the resource owner password credentials grant (RFC 6749 §4.3),
    /// checking credentials with `authenticator`.
    pub fn with_password_grant(
        self,
        authenticator: impl ResourceOwnerAuthenticator + 'static,
    ) -> Self {
        self.with_grant(PasswordGrant::new(authenticator))
    }

    /// Registers (or replaces) the handler of a response type at the
    /// authorization endpoint (`code` and, while `implicit_grant` is on,
    /// `token` are registered from the start).
    pub fn with_response_type(mut self, handler: impl ResponseTypeHandler<S> + 'static) -> Self {
        self.response_types
            .insert(handler.response_type(), Arc::new(handler));
        self
    }

    /// Stops serving a response type.
    pub fn without_response_type(mut self, response_type: &str) -> Self {
        if let Some(t) = ResponseType::parse(response_type) {
            self.response_types.remove(&t);
        }
        self
    }

    /// Adds a hook to the authorization endpoint; hooks run in the order
    /// they were added.
    pub fn with_authorization_hook(mut self, hook: impl AuthorizationHook<S> + 'static) -> Self {
        self.authorization_hooks.push(Arc::new(hook));
        self
    }

    /// Adds a hook to the token endpoint; hooks run in the order they were
    /// added, after the grant.
    pub fn with_token_hook(mut self, hook: impl TokenHook<S> + 'static) -> Self {
        self.token_hooks.push(Arc::new(hook));
        self
    }

    /// Registers (or replaces) a client authentication method beside the
    /// built-in `client_secret_basic`, `client_secret_post` and `none`.
    pub fn with_client_authentication(
        mut self,
        method: impl ClientAuthentication<S> + 'static,
    ) -> Self {
        let name = method.method();
        self.client_authentications.retain(|m| m.method() != name);
        self.client_authentications.push(Arc::new(method));
        self
    }

    /// The response types served, sorted.
    pub fn response_types(&self) -> Vec<&ResponseType> {
        let mut v: Vec<&ResponseType> = self
            .response_types
            .keys()
            .filter(|t| self.profile_allows_response_type(t))
            .collect();
        v.sort_unstable();
        v
    }

    /// The handler of a response type.
    pub fn response_type_handler(
        &self,
        response_type: &ResponseType,
    ) -> Option<&Arc<dyn ResponseTypeHandler<S>>> {
        self.response_types.get(response_type)
    }

    /// Removes a grant type (for example `client_credentials`).
    pub fn without_grant(mut self, grant_type: &str) -> Self {
        self.grants.remove(grant_type);
        self
    }

    /// Replaces the access token generator.
    pub fn with_access_token_generator(mut self, generator: impl TokenGenerator + 'static) -> Self {
        self.access_token_generator = Box::new(generator);
        self
    }

    /// Replaces the refresh token generator.
    pub fn with_refresh_token_generator(
        mut self,
        generator: impl TokenGenerator + 'static,
    ) -> Self {
        self.refresh_token_generator = Box::new(generator);
        self
    }

    /// Replaces the authorization code generator.
    pub fn with_code_generator(mut self, generator: impl TokenGenerator + 'static) -> Self {
        self.code_generator = Box::new(generator);
        self
    }

    /// Replaces the clock.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// The storage.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The registered grant types.
    pub fn grant_types(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .grants
            .keys()
            .map(String::as_str)
            .filter(|g| self.profile_allows_grant(g))
            .collect();
        v.sort_unstable();
        v
    }

    /// Now, by the server's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Checks a requested scope against the server's supported scopes,
    /// applies the default when none was requested, and narrows it to what
    /// `client` may have (RFC 6749 §3.3).
    ///
    /// A request for scope the server does not know is `invalid_scope`; so
    /// is a non-empty request of which the client may have nothing.
    pub fn resolve_scope<C: OAuth2Client + ?Sized>(
        &self,
        client: &C,
        requested: Option<&str>,
    ) -> Result<Scope, OAuth2Error> {
        let requested = match requested {
            Some(text) => Scope::parse(text)?,
            None => self.default_scope.clone(),
        };
        if let Some(supported) = &self.supported_scopes
            && let Some(unknown) = requested.iter().find(|t| !supported.contains(t))
        {
            return Err(OAuth2Error::invalid_scope(format!(
                "the scope \"{unknown}\" is not supported"
            )));
        }
        let allowed = client.allowed_scope(&requested);
        if allowed.is_empty() && !requested.is_empty() {
            return Err(OAuth2Error::invalid_scope(
                "the client may not be granted any of the requested scope",
            ));
        }
        Ok(allowed)
    }

    /// Generates a token (and, if `with_refresh`, a refresh token) for a
    /// grant, without storing it. [`AuthorizationServer::issue_token`] stores
    /// it too; the refresh grant stores it by rotation instead.
    pub fn new_token(&self, spec: TokenSpec<'_>) -> IssuedToken {
        let context = TokenContext {
            grant_type: spec.grant_type,
            client_id: spec.client_id,
            user_id: spec.user_id.as_deref(),
            scope: &spec.scope,
        };
        let access_token = self.access_token_generator.generate(&context);
        let refresh_token = spec
            .refresh_scope
            .as_ref()
            .map(|_| self.refresh_token_generator.generate(&context));
        let expires_in = self.config.expires_in_for(spec.grant_type);
        let now = self.now();
        // RFC 9449 §5: a bound token's type is DPoP.
        let token_type = if spec.dpop_jkt.is_some() {
            crate::oauth2::rfc9449::DPOP
        } else {
            "Bearer"
        };
        let record = NewToken {
            client_id: spec.client_id.to_owned(),
            user_id: spec.user_id.clone(),
            token_type: token_type.into(),
            access_token_digest: secrets::digest(&access_token),
            refresh_token_digest: refresh_token.as_deref().map(secrets::digest),
            scope: spec.scope.to_string(),
            refresh_token_scope: spec
                .refresh_scope
                .as_ref()
                .map(Scope::to_string)
                .unwrap_or_default(),
            issued_at: now,
            expires_in,
            grant_id: spec.grant_id,
            authentication: None,
            // A new grant begins now; a refresh puts back its grant's start.
            grant_issued_at: Some(now),
            dpop_jkt: spec.dpop_jkt,
            audience: crate::oauth2::rfc8707::to_stored(&spec.audience.access),
            refresh_token_audience: crate::oauth2::rfc8707::to_stored(&spec.audience.refresh),
            actor: None,
        };
        IssuedToken {
            access_token: secrets::AccessToken::new(access_token),
            token_type: token_type.into(),
            expires_in,
            refresh_token: refresh_token.map(secrets::RefreshToken::new),
            scope: spec.scope,
            extra: serde_json::Map::new(),
            record,
        }
    }

    /// Generates and stores an opaque token; what a custom grant calls to
    /// finish. [`issue_token_for`](Self::issue_token_for) also honours the
    /// client's `access_token_strategy` (RFC 9068 JWTs).
    pub async fn issue_token(&self, spec: TokenSpec<'_>) -> Result<IssuedToken, OAuth2Error> {
        let issued = self.new_token(spec);
        self.storage.save_token(issued.record.clone()).await?;
        Ok(issued)
    }

    /// When the refresh token of `token` expires: its idle lifetime from
    /// its own issue ([`Lifetimes::refresh_token`]), cut short by the
    /// grant's absolute lifetime from the original authorization
    /// ([`Lifetimes::refresh_token_absolute`]); `None` when neither is set.
    ///
    /// [`Lifetimes::refresh_token`]: crate::config::Lifetimes::refresh_token
    /// [`Lifetimes::refresh_token_absolute`]: crate::config::Lifetimes::refresh_token_absolute
    pub fn refresh_token_expires_at<T: OAuth2Token + ?Sized>(&self, token: &T) -> Option<i64> {
        let lifetimes = &self.config.lifetimes;
        let idle = lifetimes
            .refresh_token
            .map(|l| token.issued_at().saturating_add(l));
        let start = token.grant_issued_at().unwrap_or_else(|| token.issued_at());
        let absolute = lifetimes
            .refresh_token_absolute
            .map(|l| start.saturating_add(l));
        match (idle, absolute) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether a refresh token goes with tokens issued to `client`: refresh
    /// tokens are on and the client may use the `refresh_token` grant.
    pub fn issues_refresh_token_to<C: OAuth2Client + ?Sized>(&self, client: &C) -> bool {
        self.config.refresh_tokens.issue
            && self.grants.contains_key("refresh_token")
            && client.check_grant_type("refresh_token")
    }

    /// The TLS rule as a plain message, for endpoints outside the engine.
    pub fn check_transport_public(&self, secure: bool) -> Result<(), String> {
        self.check_transport(secure).map_err(|e| e.description)
    }

    pub(crate) fn check_transport(&self, secure: bool) -> Result<(), OAuth2Error> {
        if secure || self.config.insecure_transport {
            Ok(())
        } else {
            Err(OAuth2Error::invalid_request(
                "OAuth 2.0 requires TLS (https); this request arrived over plain http",
            ))
        }
    }
}

/// What to put in a new token.
#[derive(Debug, Clone)]
pub struct TokenSpec<'a> {
    /// The grant type (decides the lifetime).
    pub grant_type: &'a str,
    /// The client.
    pub client_id: &'a str,
    /// The resource owner, if any.
    pub user_id: Option<String>,
    /// The access token's scope.
    pub scope: Scope,
    /// `Some(scope)` to issue a refresh token with that scope.
    pub refresh_scope: Option<Scope>,
    /// The grant (family) id; [`new_grant_id`] for a fresh grant.
    pub grant_id: String,
    /// The DPoP key to bind the token to (RFC 9449 §5):
    /// [`OAuth2Request::dpop_jkt`](crate::OAuth2Request::dpop_jkt) of the
    /// token request, `None` for a bearer token.
    pub dpop_jkt: Option<String>,
    /// The resources the tokens are for (RFC 8707); the default: none in
    /// particular.
    pub audience: crate::oauth2::rfc8707::Audience,
}

/// A fresh, random grant (token family) id.
pub fn new_grant_id() -> String {
    secrets::random_token(16)
}
