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
            };
            return error.to_response(&self.config);
        };
        let Some(user) = user else {
            let error = BearerError {
                error: Some(OAuth2Error::invalid_token(
                    "the user of this access token no longer exists",
                )),
                scope: None,
            };
            return error.to_response(&self.config);
        };
        let requested = token
            .authentication()
            .and_then(|a| a.claims)
            .map(|c| c.userinfo);
        let claims = release_claims(&user_id, &user.claims(), &token.scope(), requested.as_ref());
        OAuth2Response::json(200, &Value::Object(claims))
    }
}
