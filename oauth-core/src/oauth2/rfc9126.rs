//! RFC 9126, OAuth 2.0 Pushed Authorization Requests.
//!
//! The client posts its authorization request to the pushed authorization
//! request endpoint, authenticated as at the token endpoint, and gets a
//! `request_uri` (201, §2.2); the browser then carries only `client_id`
//! and that `request_uri` to the authorization endpoint. The request is
//! validated when it is pushed, exactly as the authorization endpoint would
//! (§2.1), and again when it is used; its parameters come only from what
//! was pushed (the query's other parameters are ignored, §4).
//!
//! - A `request_uri` is stored as its SHA-256 digest, lives
//!   [`Par::request_uri_lifetime`](crate::config::Par::request_uri_lifetime)
//!   seconds (60), and is used once (§4): it is read, not used up, while the
//!   consent page is shown and its decision validated, and taken when the
//!   request is answered (granted or denied), so of two answers to one
//!   `request_uri` only one is given.
//! - [`Par::require`](crate::config::Par::require) or a client's
//!   `require_pushed_authorization_requests` (§5, §6) refuses their
//!   requests that were not pushed.
//!
//! ```
//! use oauth_core::memory::MemoryStorage;
//! use oauth_core::{AuthorizationServer, ClientMetadata, ClientRecord, Config, OAuth2Request};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let storage = MemoryStorage::new();
//! storage.insert_client(ClientRecord::confidential("app", "s3cret", ClientMetadata {
//!     redirect_uris: vec!["https://app.example/cb".into()],
//!     scope: Some("profile".into()),
//!     ..ClientMetadata::default()
//! }));
//! let server = AuthorizationServer::new(storage, Config::default()).unwrap();
//! let push = OAuth2Request::post("https://as.example/par")
//!     .with_header("Authorization", "Basic YXBwOnMzY3JldA==")
//!     .with_form([
//!         ("response_type", "code"),
//!         ("redirect_uri", "https://app.example/cb"),
//!         ("scope", "profile"),
//!         ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
//!         ("code_challenge_method", "S256"),
//!     ]);
//! let pushed = server.create_pushed_authorization_response(&push).await;
//! assert_eq!(pushed.status, 201);
//! let body = pushed.json_body();
//! assert_eq!(body["expires_in"], 60);
//! let request_uri = body["request_uri"].as_str().unwrap();
//! assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
//!
//! // The browser's request carries the reference only.
//! let query = oauth_core::http::form_urlencode(request_uri);
//! let at_endpoint = OAuth2Request::get(format!(
//!     "https://as.example/authorize?client_id=app&request_uri={query}"
//! ));
//! let validated = server.validate_authorization_request(&at_endpoint).await.unwrap();
//! assert_eq!(validated.scope.to_string(), "profile");
//! # });
//! ```

use crate::error::{ErrorCode, OAuth2Error};
use crate::http::{Method, OAuth2Request, OAuth2Response, Params, form_urlencode};
use crate::models::OAuth2Client;
use crate::oauth2::rfc6749::authorization::AuthorizationRequest;
use crate::oauth2::server::AuthorizationServer;
use crate::secrets;
use crate::storage::OAuth2Storage;

/// The prefix of every `request_uri` this server issues (§2.2).
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Parameters that authenticate the client at the endpoint: never stored
/// with the request.
const CLIENT_AUTHENTICATION_PARAMS: [&str; 3] =
    ["client_secret", "client_assertion", "client_assertion_type"];

/// A pushed authorization request, as storage keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRequest {
    /// The SHA-256 digest of its `request_uri`.
    pub request_uri_digest: String,
    /// The client that pushed it.
    pub client_id: String,
    /// The authorization request's parameters, form-urlencoded (with
    /// `client_id`, without the client's credentials).
    pub params: String,
    /// When the `request_uri` expires (Unix seconds).
    pub expires_at: i64,
}

/// Attached to a validated request that came from a pushed one: the
/// `request_uri` it is taken by when the request is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromPushedRequest {
    /// The digest of the `request_uri`.
    pub request_uri_digest: String,
}

/// Where an authorization request's parameters came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestSource {
    /// The request itself (query or form), or its signed request object
    /// (`signed`, RFC 9101).
    Direct {
        /// Whether the parameters came from a signed request object.
        signed: bool,
    },
    /// Being pushed (validated at the pushed authorization request
    /// endpoint, where pushing is what is required), as form parameters
    /// or a signed request object (`signed`).
    Pushing {
        /// Whether the parameters came from a signed request object.
        signed: bool,
    },
    /// A pushed request, by the digest of its `request_uri`.
    Pushed(String),
}

fn invalid_request_uri(description: &str) -> OAuth2Error {
    OAuth2Error::new(ErrorCode::Other("invalid_request_uri".into()), description)
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Handles `POST` at the pushed authorization request endpoint: 201
    /// with `request_uri` and `expires_in` (§2.2), or a JSON error (§2.3):
    /// `invalid_client` (401) when authentication fails, and the error the
    /// authorization endpoint would give for an invalid request.
    pub async fn create_pushed_authorization_response(
        &self,
        request: &OAuth2Request,
    ) -> OAuth2Response {
        if request.method != Method::Post {
            return super::rfc6749::method_not_allowed(&self.config);
        }
        let response = match self.push_authorization_request(request).await {
            Ok((request_uri, expires_in)) => OAuth2Response::json(
                201,
                &serde_json::json!({ "request_uri": request_uri, "expires_in": expires_in }),
            ),
            Err(error) => super::rfc6749::error_response(&self.config, &error),
        };
        self.with_dpop_nonce(request, response)
    }

    /// Validates and stores a pushed request: its `request_uri` and
    /// `expires_in`.
    pub async fn push_authorization_request(
        &self,
        request: &OAuth2Request,
    ) -> Result<(String, i64), OAuth2Error> {
        let plain = |e: OAuth2Error| e.for_client_request(request);
        self.check_transport(request.secure).map_err(plain)?;
        if request.method != Method::Post {
            return Err(plain(OAuth2Error::invalid_request(
                "a pushed authorization request is a POST",
            )));
        }
        let client = self.authenticate_client(request).await?;
        // §2.1: the request_uri parameter MUST NOT be provided.
        if request.form.contains("request_uri") {
            return Err(plain(OAuth2Error::invalid_request(
                "request_uri must not be pushed (RFC 9126 §2.1)",
            )));
        }
        let mut params = Params::default();
        for (name, value) in request.form.iter() {
            if !CLIENT_AUTHENTICATION_PARAMS.contains(&name) && name != "client_id" {
                params.push(name, value);
            }
        }
        params.push("client_id", client.client_id());
        // §3: a request object pushed is the request (RFC 9101).
        let object = params.single("request").map_err(plain)?.map(str::to_owned);
        let signed = object.is_some();
        if let Some(object) = object {
            params = self
                .request_object_params(request, &params, &object)
                .await
                .map_err(plain)?;
        }
        // RFC 9449 §10.1: a DPoP proof at the PAR endpoint binds the code,
        // as dpop_jkt does; both must then name the same key.
        if let Some(proof) = self.check_dpop_proof(request, None).await.map_err(plain)? {
            match params.single("dpop_jkt").map_err(plain)? {
                Some(jkt) if jkt != proof.jkt => {
                    return Err(plain(crate::oauth2::rfc9449::invalid_dpop_proof(
                        "dpop_jkt is not the thumbprint of the DPoP proof's key",
                    )));
                }
                Some(_) => {}
                None => params.push("dpop_jkt", proof.jkt),
            }
        }
        // §2.1: validated as the authorization endpoint would. Its errors
        // are answered here, not redirected.
        let at_endpoint = OAuth2Request {
            method: Method::Get,
            uri: request.uri.clone(),
            headers: Vec::new(),
            query: params.clone(),
            form: Params::default(),
            secure: request.secure,
            remote_addr: request.remote_addr,
            dpop_jkt: None,
        };
        self.validate_authorization_params(
            &at_endpoint,
            &params,
            RequestSource::Pushing { signed },
        )
        .await
        .map_err(|e| plain(e.error().clone()))?;
        let request_uri = format!("{REQUEST_URI_PREFIX}{}", secrets::random_token(32));
        let expires_in = self.config.par.request_uri_lifetime;
        let encoded = params
            .iter()
            .map(|(k, v)| format!("{}={}", form_urlencode(k), form_urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.storage
            .save_pushed_request(PushedRequest {
                request_uri_digest: secrets::digest(&request_uri),
                client_id: client.client_id().to_owned(),
                params: encoded,
                expires_at: self.now().saturating_add(expires_in),
            })
            .await?;
        Ok((request_uri, expires_in))
    }

    /// The parameters of the pushed request an authorization request names
    /// by its `request_uri` (§4), and the digest it is used up by; `None`
    /// for a request that names none of this server's. Errors here cannot
    /// be redirected: the redirect URI is among what was pushed.
    pub(crate) async fn pushed_params(
        &self,
        params: &Params,
    ) -> Result<Option<(Params, String)>, OAuth2Error> {
        let Some(request_uri) = params.single("request_uri")? else {
            return Ok(None);
        };
        if !request_uri.starts_with(REQUEST_URI_PREFIX) {
            return Ok(None);
        }
        let client_id = params.required("client_id")?;
        let digest = secrets::digest(request_uri);
        let pushed = self.storage.find_pushed_request(&digest).await?;
        let pushed = match pushed {
            Some(p) if self.now() < p.expires_at => p,
            _ => {
                return Err(invalid_request_uri(
                    "the request_uri is unknown, expired or already used",
                ));
            }
        };
        // §4: the client_id of the request is the pushing client's.
        if pushed.client_id != client_id {
            return Err(invalid_request_uri(
                "the request_uri was pushed by another client",
            ));
        }
        Ok(Some((Params::parse(&pushed.params), digest)))
    }

    /// §5, §6: whether `client` may send only pushed requests.
    pub fn requires_pushed_requests<C: OAuth2Client + ?Sized>(&self, client: &C) -> bool {
        self.config.par.require || client.metadata().require_pushed_authorization_requests
    }

    /// Uses up the `request_uri` of a pushed request when it is answered
    /// (§4: used once); `invalid_request_uri` when another answer used it
    /// first.
    pub(crate) async fn take_pushed(
        &self,
        request: &AuthorizationRequest<S::Client>,
    ) -> Result<(), OAuth2Error> {
        let Some(pushed) = request.extensions.get::<FromPushedRequest>() else {
            return Ok(());
        };
        if self
            .storage
            .take_pushed_request(&pushed.request_uri_digest)
            .await?
        {
            Ok(())
        } else {
            Err(invalid_request_uri(
                "the request_uri was already used (RFC 9126 §4)",
            ))
        }
    }
}
