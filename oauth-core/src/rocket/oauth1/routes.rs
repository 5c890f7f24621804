//! The credential endpoints (RFC 5849 §2.1, §2.3).

use std::marker::PhantomData;

use rocket::data::Data;
use rocket::http::Method;
use rocket::request::Request;
use rocket::route::{self, Handler, Route};

use super::OAuth1;
use crate::http::OAuth2Response;
use crate::oauth1::{OAuth1Error, OAuth1Storage};
use crate::rocket::request::read_form;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Initiate,
    Token,
}

struct EndpointHandler<S> {
    endpoint: Endpoint,
    _storage: PhantomData<fn() -> S>,
}

impl<S> Clone for EndpointHandler<S> {
    fn clone(&self) -> Self {
        EndpointHandler {
            endpoint: self.endpoint,
            _storage: PhantomData,
        }
    }
}

pub(super) const MISSING_STATE: &str = "the OAuth 1.0a fairing is not attached";

pub(super) fn missing_state() -> OAuth2Response {
    OAuth1Error::server_error(MISSING_STATE).to_response(None)
}

#[rocket::async_trait]
impl<S: OAuth1Storage> Handler for EndpointHandler<S> {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth1<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        let server = &state.server;
        // The body is read for POST only: the engine answers anything else
        // with 405 before looking at parameters.
        let body = if req.method() == Method::Post {
            match read_form(req, data).await {
                Ok(body) => Some(body),
                Err(status) => {
                    let e =
                        OAuth1Error::invalid_request("the request body is too large or not UTF-8")
                            .with_status(status.code);
                    return route::Outcome::from(req, server.error_response(&e));
                }
            }
        } else {
            None
        };
        let request = state.engine_request(req, body.as_deref());
        let response = match self.endpoint {
            Endpoint::Initiate => server.create_temporary_credentials_response(&request).await,
            Endpoint::Token => server.create_token_response(&request).await,
        };
        route::Outcome::from(req, response)
    }
}

/// The OAuth 1.0a credential endpoints, to mount under a base such as
/// `/oauth1`: `POST /initiate` (temporary credentials, RFC 5849 §2.1) and
/// `POST /token` (token credentials, §2.3), each also routed for `GET` so
/// that the engine answers 405 with `Allow: POST` rather than Rocket a
/// 404. The resource owner authorization endpoint (§2.2) is the
/// application's own handler, with the [`OAuth1Authorize`](super::OAuth1Authorize) guard, since it
/// shows the application's login and consent pages.
pub fn oauth1_routes<S: OAuth1Storage>() -> Vec<Route> {
    let mut routes = Vec::new();
    for (path, endpoint) in [
        ("/initiate", Endpoint::Initiate),
        ("/token", Endpoint::Token),
    ] {
        for method in [Method::Post, Method::Get] {
            let handler = EndpointHandler::<S> {
                endpoint,
                _storage: PhantomData,
            };
            routes.push(Route::new(method, path, handler));
        }
    }
    routes
}
