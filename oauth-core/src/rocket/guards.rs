//! Request guards for protected handlers (RFC 6750).

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use async_trait::async_trait;
use rocket::request::{FromRequest, Outcome, Request};

use crate::config::Config;
use crate::http::OAuth2Request;
use crate::models::OAuth2Token;
use crate::oauth2::server::AuthorizationServer;
use crate::rocket::MISSING_STATE;
use crate::rocket::guard_error::{GuardError, admitted, fail};
use crate::rocket::request::engine_request;
use crate::scope::{Scope, ScopeRequirement};
use crate::storage::{OAuth2Storage, UserStorage};

/// The scope a [`RequireOAuth`] guard requires; declare with
/// [`scope!`](macro@crate::scope).
pub trait ScopeSpec: Send + Sync + 'static {
    /// The requirement.
    fn requirement() -> ScopeRequirement;
}

/// Any valid token, whatever its scope.
pub struct AnyScope;

impl ScopeSpec for AnyScope {
    fn requirement() -> ScopeRequirement {
        ScopeRequirement::None
    }
}

/// What a protected handler learns of the token that was presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The client the token was issued to.
    pub client_id: String,
    /// The resource owner (none for client credentials).
    pub user_id: Option<String>,
    /// The token's scope.
    pub scope: Scope,
    /// When the token expires (Unix seconds).
    pub expires_at: i64,
    /// The token's grant (family).
    pub grant_id: String,
}

/// Bearer validation with the storage type erased, so guards need no
/// storage type parameter.
#[async_trait]
pub(crate) trait BearerValidator: Send + Sync {
    async fn validate(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<TokenInfo, GuardError>;
    fn config(&self) -> &Config;
}

#[async_trait]
impl<S: OAuth2Storage> BearerValidator for AuthorizationServer<S> {
    async fn validate(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<TokenInfo, GuardError> {
        match self.validate_bearer(request, required).await {
            Ok(t) => Ok(TokenInfo::of(&t)),
            Err(e) => Err(GuardError::bearer(&e, self.config())
                .with_resource_metadata(self.resource_metadata_url(request))),
        }
    }

    fn config(&self) -> &Config {
        AuthorizationServer::config(self)
    }
}

impl TokenInfo {
    fn of(t: &impl OAuth2Token) -> TokenInfo {
        TokenInfo {
            client_id: t.client_id().to_owned(),
            user_id: t.user_id(),
            scope: t.scope(),
            expires_at: t.expires_at(),
            grant_id: t.grant_id().to_owned(),
        }
    }
}

pub(crate) struct BearerGate(pub Arc<dyn BearerValidator>);

/// [`BearerValidator`] that also reads the token's user `U`.
#[async_trait]
pub(crate) trait UserValidator<U>: Send + Sync {
    async fn validate_with_user(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<(TokenInfo, Option<U>), GuardError>;
    fn config(&self) -> &Config;
}

#[async_trait]
impl<S, U> UserValidator<U> for AuthorizationServer<S>
where
    S: UserStorage<U>,
    U: Send + 'static,
{
    async fn validate_with_user(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<(TokenInfo, Option<U>), GuardError> {
        match self.validate_bearer_with_user::<U>(request, required).await {
            Ok((t, user)) => Ok((TokenInfo::of(&t), user)),
            Err(e) => Err(GuardError::bearer(&e, self.config())
                .with_resource_metadata(self.resource_metadata_url(request))),
        }
    }

    fn config(&self) -> &Config {
        AuthorizationServer::config(self)
    }
}

/// The validator for users of type `U`, managed by
/// [`OAuth2Fairing::users`](crate::rocket::OAuth2Fairing::users).
pub(crate) struct UserGate<U>(pub Arc<dyn UserValidator<U>>);

async fn check(req: &Request<'_>, required: &ScopeRequirement) -> Result<TokenInfo, GuardError> {
    let Some(gate) = req.rocket().state::<BearerGate>() else {
        return Err(GuardError::misconfigured(MISSING_STATE));
    };
    let request = engine_request(req, None, gate.0.config());
    gate.0.validate(&request, required).await
}

/// A guard that admits only requests with a valid bearer token holding the
/// scope `S` requires, and answers the rest as RFC 6750 §3 says (401 with a
/// `Bearer` challenge, `invalid_token`; 403 `insufficient_scope`), through
/// the catchers of [`oauth2_catchers`](crate::rocket::oauth2_catchers), or
/// to the handler as a [`GuardError`] when it takes
/// `Result<RequireOAuth<S>, GuardError>`.
///
/// It dereferences to the [`TokenInfo`].
pub struct RequireOAuth<S: ScopeSpec = AnyScope> {
    /// The token.
    pub token: TokenInfo,
    _scope: PhantomData<S>,
}

impl<S: ScopeSpec> Deref for RequireOAuth<S> {
    type Target = TokenInfo;
    fn deref(&self) -> &TokenInfo {
        &self.token
    }
}

#[rocket::async_trait]
impl<'r, S: ScopeSpec> FromRequest<'r> for RequireOAuth<S> {
    type Error = GuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, GuardError> {
        match check(req, &S::requirement()).await {
            Ok(token) => {
                admitted(req);
                Outcome::Success(RequireOAuth {
                    token,
                    _scope: PhantomData,
                })
            }
            Err(error) => fail(req, error),
        }
    }
}

/// Like [`RequireOAuth`] for handlers that also serve anonymous callers:
/// `None` when the request carries no token at all; a present but invalid
/// token (or one without the scope) is still refused.
pub struct OptionalOAuth<S: ScopeSpec = AnyScope>(pub Option<TokenInfo>, PhantomData<S>);

impl<S: ScopeSpec> Deref for OptionalOAuth<S> {
    type Target = Option<TokenInfo>;
    fn deref(&self) -> &Option<TokenInfo> {
        &self.0
    }
}

#[rocket::async_trait]
impl<'r, S: ScopeSpec> FromRequest<'r> for OptionalOAuth<S> {
    type Error = GuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, GuardError> {
        match check(req, &S::requirement()).await {
            Ok(token) => {
                admitted(req);
                Outcome::Success(OptionalOAuth(Some(token), PhantomData))
            }
            Err(error) if error.credentials_missing() => {
                Outcome::Success(OptionalOAuth(None, PhantomData))
            }
            Err(error) => fail(req, error),
        }
    }
}

/// Like [`RequireOAuth`], and also hands the handler the user the token
/// acts for, read with the token in one storage call
/// ([`UserStorage`](crate::UserStorage)) instead of a second lookup in the
/// handler. The fairing must be told of the user model:
/// [`OAuth2Fairing::users`](crate::rocket::OAuth2Fairing::users).
///
/// `user` is `None` when the token acts for no user (client credentials)
/// or that user is gone; what that means is the handler's to say. Refusals
/// are [`RequireOAuth`]'s. It dereferences to the [`TokenInfo`].
///
/// ```no_run
/// # use oauth_core::memory::MemoryStorage;
/// use oauth_core::rocket::{OAuth2, RequireOAuthUser, oauth2_catchers};
/// use oauth_core::{AuthorizationServer, scope};
/// use rocket::{get, routes};
///
/// #[derive(Clone)]
/// struct User { name: String }
///
/// scope!(Profile = "profile");
///
/// #[get("/api/me")]
/// fn me(me: RequireOAuthUser<Profile, User>) -> Option<String> {
///     me.user.map(|u| u.name)
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build()
///         .attach(
///             OAuth2::fairing(|_rocket, config| {
///                 AuthorizationServer::new(MemoryStorage::new(), config).map_err(|e| e.to_string())
///             })
///             .users::<User>(),
///         )
///         .mount("/", routes![me])
///         .register("/", oauth2_catchers())
/// }
/// ```
pub struct RequireOAuthUser<S: ScopeSpec, U> {
    /// The token.
    pub token: TokenInfo,
    /// The user it acts for, if any.
    pub user: Option<U>,
    _scope: PhantomData<S>,
}

impl<S: ScopeSpec, U> Deref for RequireOAuthUser<S, U> {
    type Target = TokenInfo;
    fn deref(&self) -> &TokenInfo {
        &self.token
    }
}

#[rocket::async_trait]
impl<'r, S: ScopeSpec, U: Send + Sync + 'static> FromRequest<'r> for RequireOAuthUser<S, U> {
    type Error = GuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, GuardError> {
        let Some(users) = req.rocket().state::<UserGate<U>>() else {
            return fail(
                req,
                GuardError::misconfigured(
                    "RequireOAuthUser: the OAuth 2.0 fairing is not attached, or was not given this user model with .users::<U>()",
                ),
            );
        };
        let request = engine_request(req, None, users.0.config());
        match users
            .0
            .validate_with_user(&request, &S::requirement())
            .await
        {
            Ok((token, user)) => {
                admitted(req);
                Outcome::Success(RequireOAuthUser {
                    token,
                    user,
                    _scope: PhantomData,
                })
            }
            Err(error) => fail(req, error),
        }
    }
}
