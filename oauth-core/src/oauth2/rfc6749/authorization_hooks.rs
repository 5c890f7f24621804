//! Hooks of the authorization endpoint: code that sees every validated
//! request and every granted answer, whatever its response type, the way
//! Authlib's grant extensions do. OpenID Connect's `prompt`, `max_age` and
//! `nonce` rules, PAR's `request_uri` and JAR's `request` object are such
//! hooks; so is a site's own policy.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::OAuth2Error;
use crate::http::Params;
use crate::oauth2::rfc6749::authorization::{AuthorizationRequest, Login};
use crate::oauth2::server::AuthorizationServer;
use crate::storage::OAuth2Storage;

/// What hooks and response types attach to a validated request, one value
/// per type (as `http::Extensions`): a hook reads its parameters once, at
/// validation, and finds them again when the answer is issued.
#[derive(Clone, Default)]
pub struct Extensions(HashMap<TypeId, Arc<dyn Any + Send + Sync>>);

impl Extensions {
    /// Stores `value`, replacing a value of the same type.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one was stored.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extensions({} values)", self.0.len())
    }
}

/// A hook on the authorization endpoint, registered with
/// [`AuthorizationServer::with_authorization_hook`]. Hooks run in the order
/// they were registered, after the endpoint's own checks and the response
/// type's.
#[async_trait]
pub trait AuthorizationHook<S: OAuth2Storage>: Send + Sync {
    /// Sees a request that passed every check, with its parameters; may
    /// refuse it (the error goes to the client's redirect URI, with
    /// `state` and `iss`) or record what it read in
    /// [`AuthorizationRequest::extensions`]. The consent page's request is
    /// validated again when the decision is posted, so this runs for both.
    async fn validated(
        &self,
        server: &AuthorizationServer<S>,
        params: &Params,
        request: &mut AuthorizationRequest<S::Client>,
    ) -> Result<(), OAuth2Error> {
        let _ = (server, params, request);
        Ok(())
    }

    /// Sees a grant before anything is issued for it; may refuse it (the
    /// error goes to the client, and nothing is stored).
    async fn granting(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
    ) -> Result<(), OAuth2Error> {
        let _ = (server, request, login);
        Ok(())
    }

    /// Sees the parameters of a granted answer before they are sent; may
    /// add to them, or refuse (the error goes to the client instead).
    async fn granted(
        &self,
        server: &AuthorizationServer<S>,
        request: &AuthorizationRequest<S::Client>,
        login: &Login,
        params: &mut Vec<(String, String)>,
    ) -> Result<(), OAuth2Error> {
        let _ = (server, request, login, params);
        Ok(())
    }
}
