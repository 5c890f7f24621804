//! Routes to mount.

use std::marker::PhantomData;

use rocket::data::Data;
use rocket::http::{Method, Status};
use rocket::request::Request;
use rocket::route::{self, Handler, Route};

use crate::http::OAuth2Response;
use crate::jose::SigningKeyStorage;
use crate::oauth2::rfc7591::ClientRegistry;
use crate::oauth2::rfc8628::DeviceCodeStorage;
use crate::oidc::UserClaims;
use crate::rocket::MISSING_STATE;
use crate::rocket::fairing::OAuth2;
use crate::rocket::request::{engine_request, read_form};
use crate::rocket::response::plain_error;
use crate::storage::{OAuth2Storage, UserStorage};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Token,
    PushedAuthorization,
    Revoke,
    Introspect,
    Metadata,
    OpenIdConfiguration,
    ResourceMetadata,
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

fn handler<S>(endpoint: Endpoint) -> EndpointHandler<S> {
    EndpointHandler {
        endpoint,
        _storage: PhantomData,
    }
}

/// The form body of a POST (`None` for other methods), or the answer to
/// one that cannot be read (413 too large, 400 not UTF-8).
async fn post_body(req: &Request<'_>, data: Data<'_>) -> Result<Option<String>, OAuth2Response> {
    if req.method() != Method::Post {
        return Ok(None);
    }
    read_form(req, data).await.map(Some).map_err(|status| {
        plain_error(
            status.code,
            "invalid_request",
            "the request body is too large or not UTF-8",
        )
    })
}

fn missing_state() -> OAuth2Response {
    plain_error(500, "server_error", MISSING_STATE)
}

#[rocket::async_trait]
impl<S: OAuth2Storage> Handler for EndpointHandler<S> {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth2<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        let server = &state.server;
        let body = match post_body(req, data).await {
            Ok(body) => body,
            Err(response) => return route::Outcome::from(req, response),
        };
        let request = engine_request(req, body.as_deref(), server.config());
        let response = match self.endpoint {
            Endpoint::Token => server.create_token_response(&request).await,
            Endpoint::PushedAuthorization => {
                server.create_pushed_authorization_response(&request).await
            }
            Endpoint::Revoke => server.create_revocation_response(&request).await,
            Endpoint::Introspect => server.create_introspection_response(&request).await,
            // RFC 9728 §3.2: 200 with the document, which holds no secret.
            Endpoint::ResourceMetadata => match server.protected_resource_metadata(&request) {
                Some(doc) => {
                    let mut r = OAuth2Response::json(200, &doc);
                    r.headers
                        .retain(|(k, _)| k != "Cache-Control" && k != "Pragma");
                    r
                }
                None => plain_error(404, "not_found", "no protected resource is described here"),
            },
            Endpoint::Metadata | Endpoint::OpenIdConfiguration => {
                // The same issuer as the `iss` of authorization responses.
                let issuer = server.issuer_for(&request).unwrap_or_else(|| {
                    let host = req.host().map(|h| h.to_string()).unwrap_or_default();
                    let scheme = if request.secure { "https" } else { "http" };
                    format!("{scheme}://{host}")
                });
                let doc = if self.endpoint == Endpoint::Metadata {
                    Some(server.metadata(&issuer, &state.endpoints))
                } else {
                    server.openid_configuration(&issuer, &state.endpoints)
                };
                match doc {
                    Some(doc) => {
                        let mut r = OAuth2Response::json(200, &doc);
                        r.headers
                            .retain(|(k, _)| k != "Cache-Control" && k != "Pragma");
                        r
                    }
                    None => plain_error(
                        404,
                        "not_found",
                        "this server does not serve OpenID Connect",
                    ),
                }
            }
        };
        route::Outcome::from(req, response)
    }
}

struct RegisterHandler<S>(PhantomData<fn() -> S>);

impl<S> Clone for RegisterHandler<S> {
    fn clone(&self) -> Self {
        RegisterHandler(PhantomData)
    }
}

#[rocket::async_trait]
impl<S: ClientRegistry> Handler for RegisterHandler<S> {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth2<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        let owner = match &state.registration {
            None => {
                let r = plain_error(403, "access_denied", "client registration is not open");
                return route::Outcome::from(req, r);
            }
            Some(policy) => match policy(req).await {
                Ok(owner) => owner,
                Err(status) => {
                    let r = plain_error(
                        status.code,
                        "access_denied",
                        "this request may not register a client",
                    );
                    return route::Outcome::from(req, r);
                }
            },
        };
        let probe = engine_request(req, None, state.server.config());
        if let Err(e) = state.server.check_transport_public(probe.secure) {
            return route::Outcome::from(req, plain_error(400, "invalid_request", &e));
        }
        let body = match metadata_body(req, data).await {
            Ok(body) => body,
            Err(r) => return route::Outcome::from(req, r),
        };
        let response = state
            .server
            .create_registration_response(&probe, &body, owner)
            .await;
        route::Outcome::from(req, response)
    }
}

/// The client configuration endpoint (RFC 7592), `/register/<client_id>`:
/// authenticated by the registration access token alone, whatever the
/// registration policy.
struct ClientConfigurationHandler<S>(PhantomData<fn() -> S>);

impl<S> Clone for ClientConfigurationHandler<S> {
    fn clone(&self) -> Self {
        ClientConfigurationHandler(PhantomData)
    }
}

#[rocket::async_trait]
impl<S: ClientRegistry> Handler for ClientConfigurationHandler<S> {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth2<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        let client_id = match req.param::<String>(1) {
            Some(Ok(id)) => id,
            _ => {
                let r = plain_error(404, "not_found", "no such client");
                return route::Outcome::from(req, r);
            }
        };
        let body = if req.method() == Method::Put {
            match metadata_body(req, data).await {
                Ok(body) => Some(body),
                Err(r) => return route::Outcome::from(req, r),
            }
        } else {
            None
        };
        let request = engine_request(req, None, state.server.config());
        let response = state
            .server
            .create_client_configuration_response(&request, &client_id, body.as_deref())
            .await;
        route::Outcome::from(req, response)
    }
}

/// The JSON client metadata of a registration or update request. RFC
/// 7591 §3.1: the request is `application/json`. Anything else is refused,
/// which also keeps a cookie-authenticated policy out of reach of
/// cross-origin forms (they cannot send JSON without a CORS preflight).
async fn metadata_body(req: &Request<'_>, data: Data<'_>) -> Result<String, OAuth2Response> {
    if !req.content_type().is_some_and(|ct| ct.is_json()) {
        return Err(plain_error(
            400,
            "invalid_client_metadata",
            "the request must be JSON client metadata (Content-Type: application/json)",
        ));
    }
    read_json(req, data).await.map_err(|status| {
        plain_error(
            status.code,
            "invalid_client_metadata",
            "the body must be JSON client metadata",
        )
    })
}

async fn read_json(req: &Request<'_>, data: Data<'_>) -> Result<String, Status> {
    use rocket::data::ToByteUnit;
    let limit = req.limits().get("json").unwrap_or_else(|| 1.mebibytes());
    let capped = data
        .open(limit)
        .into_string()
        .await
        .map_err(|_| Status::BadRequest)?;
    if !capped.is_complete() {
        return Err(Status::PayloadTooLarge);
    }
    Ok(capped.into_inner())
}

/// The OAuth 2.0 endpoints, to mount under a base such as `/oauth`:
/// `POST /token`, `POST /par` (RFC 9126), `POST /revoke`, `POST /introspect`,
/// `POST /register`
/// (RFC 7591; open only with a
/// [`registration`](crate::rocket::OAuth2Fairing::registration) policy),
/// `GET`, `PUT` and `DELETE /register/<client_id>` (RFC 7592, with the
/// registration access token), and
/// `GET` on the POST-only ones answering 405. The authorization endpoint is
/// the application's own handler, with the
/// [`OAuth2Authorize`](crate::rocket::OAuth2Authorize) guard, since it shows
/// the application's login and consent pages.
pub fn oauth2_routes<S: ClientRegistry>() -> Vec<Route> {
    let mut routes = Vec::new();
    for (path, endpoint) in [
        ("/token", Endpoint::Token),
        ("/par", Endpoint::PushedAuthorization),
        ("/revoke", Endpoint::Revoke),
        ("/introspect", Endpoint::Introspect),
    ] {
        routes.push(Route::new(Method::Post, path, handler::<S>(endpoint)));
        routes.push(Route::new(Method::Get, path, handler::<S>(endpoint)));
    }
    routes.push(Route::new(
        Method::Post,
        "/register",
        RegisterHandler::<S>(PhantomData),
    ));
    for method in [Method::Get, Method::Put, Method::Delete] {
        routes.push(Route::new(
            method,
            "/register/<client_id>",
            ClientConfigurationHandler::<S>(PhantomData),
        ));
    }
    routes
}

struct DeviceHandler<S>(PhantomData<fn() -> S>);

impl<S> Clone for DeviceHandler<S> {
    fn clone(&self) -> Self {
        DeviceHandler(PhantomData)
    }
}

#[rocket::async_trait]
impl<S: DeviceCodeStorage> Handler for DeviceHandler<S> {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth2<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        let body = match post_body(req, data).await {
            Ok(body) => body,
            Err(response) => return route::Outcome::from(req, response),
        };
        let request = engine_request(req, body.as_deref(), state.server.config());
        let response = state
            .server
            .create_device_authorization_response(&request)
            .await;
        route::Outcome::from(req, response)
    }
}

/// The device authorization endpoint (RFC 8628 §3.1),
/// `POST /device_authorization`, to mount beside [`oauth2_routes`]; the
/// server needs the device grant (`with_device_grant`). The verification
/// page (`verification_uri`) is the application's own.
pub fn device_routes<S: DeviceCodeStorage>() -> Vec<Route> {
    vec![
        Route::new(
            Method::Post,
            "/device_authorization",
            DeviceHandler::<S>(PhantomData),
        ),
        Route::new(
            Method::Get,
            "/device_authorization",
            DeviceHandler::<S>(PhantomData),
        ),
    ]
}

struct JwksHandler<S>(PhantomData<fn() -> S>);

impl<S> Clone for JwksHandler<S> {
    fn clone(&self) -> Self {
        JwksHandler(PhantomData)
    }
}

#[rocket::async_trait]
impl<S: OAuth2Storage + SigningKeyStorage> Handler for JwksHandler<S> {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth2<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        route::Outcome::from(req, state.server.create_jwks_response().await)
    }
}

/// The JWK Set of the signing keys (RFC 7517 §5), `GET /jwks`, to mount
/// beside [`oauth2_routes`]; the server needs `with_signing_keys`, and
/// [`Endpoints::jwks`](crate::oauth2::rfc8414::Endpoints::jwks) puts it in
/// the metadata as `jwks_uri`.
pub fn jwks_routes<S: OAuth2Storage + SigningKeyStorage>() -> Vec<Route> {
    vec![Route::new(
        Method::Get,
        "/jwks",
        JwksHandler::<S>(PhantomData),
    )]
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414) and, for a
/// server with OpenID Connect (404 otherwise), the same document at
/// `GET /.well-known/openid-configuration` (Discovery 1.0 §4), and the
/// metadata of the protected resource of
/// [`with_protected_resource`](crate::AuthorizationServer::with_protected_resource)
/// at `GET /.well-known/oauth-protected-resource` (RFC 9728 §3; with the
/// resource's path after it, 404 without one), to mount at `/`.
pub fn metadata_routes<S: OAuth2Storage>() -> Vec<Route> {
    vec![
        Route::new(
            Method::Get,
            "/.well-known/oauth-protected-resource",
            handler::<S>(Endpoint::ResourceMetadata),
        ),
        Route::new(
            Method::Get,
            "/.well-known/oauth-protected-resource/<path..>",
            handler::<S>(Endpoint::ResourceMetadata),
        ),
        Route::new(
            Method::Get,
            "/.well-known/oauth-authorization-server",
            handler::<S>(Endpoint::Metadata),
        ),
        Route::new(
            Method::Get,
            "/.well-known/openid-configuration",
            handler::<S>(Endpoint::OpenIdConfiguration),
        ),
    ]
}

struct UserInfoHandler<S, U>(PhantomData<fn() -> (S, U)>);

impl<S, U> Clone for UserInfoHandler<S, U> {
    fn clone(&self) -> Self {
        UserInfoHandler(PhantomData)
    }
}

#[rocket::async_trait]
impl<S, U> Handler for UserInfoHandler<S, U>
where
    S: UserStorage<U>,
    U: UserClaims + Send + 'static,
{
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = req.rocket().state::<OAuth2<S>>() else {
            return route::Outcome::from(req, missing_state());
        };
        let body = match post_body(req, data).await {
            Ok(body) => body,
            Err(response) => return route::Outcome::from(req, response),
        };
        let request = engine_request(req, body.as_deref(), state.server.config());
        let response = state.server.create_userinfo_response::<U>(&request).await;
        route::Outcome::from(req, response)
    }
}

/// The UserInfo endpoint (OpenID Connect Core §5.3), `GET` and `POST
/// /userinfo`, answering with the claims of the token's user `U` (its
/// [`UserClaims`]); to mount beside [`oauth2_routes`], with
/// [`Endpoints::userinfo`](crate::oauth2::rfc8414::Endpoints::userinfo)
/// naming it in the metadata.
pub fn userinfo_routes<S, U>() -> Vec<Route>
where
    S: UserStorage<U>,
    U: UserClaims + Send + 'static,
{
    vec![
        Route::new(
            Method::Get,
            "/userinfo",
            UserInfoHandler::<S, U>(PhantomData),
        ),
        Route::new(
            Method::Post,
            "/userinfo",
            UserInfoHandler::<S, U>(PhantomData),
        ),
    ]
}
