//! The UserInfo endpoint (OpenID Connect Core 1.0 §5.3): the claims about
//! the user an `openid` access token may see, by its scope (§5.4) and the
//! `claims` request parameter (§5.5), from the site's user model.

use serde_json::{Map, Value};

use crate::error::OAuth2Error;
use crate::http::{Method, OAuth2Request, OAuth2Response};
use crate::models::OAuth2Token;
use crate::oauth2::rfc6749::error_response;
use crate::oauth2::rfc6750::BearerError;
use crate::oauth2::server::AuthorizationServer;
use crate::oidc::OPENID;
use crate::oidc::claims::release_claims;
use crate::scope::ScopeRequirement;
use crate::storage::UserStorage;

/// What a site's user model says of the user: the claims it has, by
/// their standard names (§5.1: `name`, `preferred_username`, `email`,
/// `email_verified`, ...). Which of them a client sees is decided by the
/// engine from the token's scope; `sub` is the user id and is never taken
/// from here.
///
/// ```
/// use oauth_core::oidc::UserClaims;
/// struct User { name: String }
/// impl UserClaims for User {
///     fn claims(&self) -> serde_json::Map<String, serde_json::Value> {
///         let mut c = serde_json::Map::new();
///         c.insert("name".into(), self.name.clone().into());
///         c
///     }
/// }
/// assert_eq!(User { name: "Jane".into() }.claims()["name"], "Jane");
/// ```
pub trait UserClaims {
    /// The claims held for this user; a claim without a value is left out.
    fn claims(&self) -> Map<String, Value>;
}

impl<S: crate::storage::OAuth2Storage> AuthorizationServer<S> {
    /// Answers a UserInfo request (§5.3.1: GET or POST, with the access
    /// token as RFC 6750 says): 200 with the user's claims as JSON
    /// (§5.3.2, `sub` always); 401 `invalid_token` for a token that is
    /// not valid or whose user is gone; 403 `insufficient_scope` for a
    /// token without `openid` or that acts for no user (§5.3.3); both with
    /// their `WWW-Authenticate` challenge.
    pub async fn create_userinfo_response<U>(&self, request: &OAuth2Request) -> OAuth2Response
    where
        U: UserClaims + Send + 'static,
        S: UserStorage<U>,
    {
        if !matches!(request.method, Method::Get | Method::Post) {
            let mut r = error_response(
                &self.config,
                &OAuth2Error::invalid_request("this endpoint accepts GET and POST"),
            );
            r.status = 405;
            return r.with_header("Allow", "GET, POST");
        }
        let required = ScopeRequirement::all_of([OPENID]);
        let (token, user) = match self
            .validate_bearer_with_user::<U>(request, &required)
            .await
        {
            Ok(found) => found,
            Err(e) => return e.to_response(&self.config),
        };
        let Some(user_id) = token.user_id() else {
            let error = BearerError {
                error: Some(OAuth2Error::insufficient_scope(
                    "this access token does not act for a user",
                )),
                scope: required.scope().cloned(),
                dpop_algs: token.dpop_jkt().map(|_| self.dpop_challenge_algs()),
                dpop_nonce: None,
            };
            return error.to_response(&self.config);
        };
        let Some(user) = user else {
            let error = BearerError {
                error: Some(OAuth2Error::invalid_token(
                    "the user of this access token no longer exists",
                )),
                scope: None,
                dpop_algs: token.dpop_jkt().map(|_| self.dpop_challenge_algs()),
                dpop_nonce: None,
            };
            return error.to_response(&self.config);
        };
        let requested = token
            .authentication()
            .and_then(|a| a.claims)
            .map(|c| c.userinfo);
        // §8: the sub the client knows, pairwise for clients that asked.
        let sub = if self.config.pairwise_salt.is_some() {
            match self.storage.find_client(token.client_id()).await {
                Ok(Some(client)) => self.subject_for(&client, &user_id),
                Ok(None) => user_id,
                Err(e) => return error_response(&self.config, &OAuth2Error::from(e)),
            }
        } else {
            user_id
        };
        let claims = release_claims(&sub, &user.claims(), &token.scope(), requested.as_ref());
        OAuth2Response::json(200, &Value::Object(claims))
    }
}

/// Reads a user's claims from storage `S`: what
/// [`with_user_claims`](AuthorizationServer::with_user_claims) leaves in
/// the server, so that ID tokens, issued over any storage, can carry them.
#[async_trait::async_trait]
pub(crate) trait ClaimsSource<S>: Send + Sync {
    async fn claims_of(
        &self,
        storage: &S,
        user_id: &str,
    ) -> crate::storage::StorageResult<Option<Map<String, Value>>>;
}

struct ClaimsOf<U>(std::marker::PhantomData<fn() -> U>);

#[async_trait::async_trait]
impl<S, U> ClaimsSource<S> for ClaimsOf<U>
where
    S: UserStorage<U>,
    U: UserClaims + Send + 'static,
{
    async fn claims_of(
        &self,
        storage: &S,
        user_id: &str,
    ) -> crate::storage::StorageResult<Option<Map<String, Value>>> {
        Ok(storage.find_user(user_id).await?.map(|u| u.claims()))
    }
}

impl<S: crate::storage::OAuth2Storage> AuthorizationServer<S> {
    /// ID tokens carry the claims of the site's users `U` where OpenID
    /// Connect puts them there: those of the scope when no access token is
    /// issued (`response_type=id_token`, §5.4), and those the `claims`
    /// parameter asks of the ID token (§5.5).
    pub fn with_user_claims<U>(mut self) -> Self
    where
        U: UserClaims + Send + 'static,
        S: UserStorage<U>,
    {
        self.user_claims = Some(std::sync::Arc::new(ClaimsOf::<U>(std::marker::PhantomData)));
        self
    }

    /// Adds to `claims` what the ID token releases of the user: the
    /// claims of `scope` (given only when no access token goes with it)
    /// and those the request asked of the ID token.
    pub(crate) async fn add_user_claims(
        &self,
        claims: &mut crate::oidc::IdTokenClaims,
        user_id: &str,
        scope: Option<&crate::scope::Scope>,
        authentication: Option<&crate::models::Authentication>,
    ) -> Result<(), OAuth2Error> {
        let Some(source) = &self.user_claims else {
            return Ok(());
        };
        let requested = authentication
            .and_then(|a| a.claims.as_ref())
            .map(|c| &c.id_token)
            .filter(|r| !r.is_empty());
        if scope.is_none() && requested.is_none() {
            return Ok(());
        }
        let Some(available) = source.claims_of(&self.storage, user_id).await? else {
            return Ok(());
        };
        let empty = crate::scope::Scope::empty();
        let released = release_claims(&claims.sub, &available, scope.unwrap_or(&empty), requested);
        for (name, value) in released {
            if !crate::oidc::id_token::ID_TOKEN_CLAIMS.contains(&name.as_str()) {
                claims.extra.insert(name, value);
            }
        }
        Ok(())
    }
}
