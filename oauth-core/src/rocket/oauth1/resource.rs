//! Protected resources (RFC 5849 §3).

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use async_trait::async_trait;
use rocket::data::{Data, FromData, Outcome as DataOutcome};
use rocket::request::{FromRequest, Outcome, Request};

use super::routes::MISSING_STATE;
use crate::http::{OAuth2Request, Params};
use crate::oauth1::{OAuth1Error, OAuth1Server, OAuth1Storage};
use crate::rocket::guard_error::{GuardError, admitted, fail, refuse};
use crate::rocket::request::{read_form, to_engine_request};

/// What a protected handler learns of a verified OAuth 1.0a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth1TokenInfo {
    /// The client that signed the request (`oauth_consumer_key`).
    pub client_id: String,
    /// The resource owner the token credential acts for.
    pub user_id: String,
    /// The realms the token credential covers.
    pub realms: Vec<String>,
}

/// Resource request verification with the storage type erased, so the
/// guard needs no storage type parameter.
#[async_trait]
pub(super) trait OAuth1Validator: Send + Sync {
    async fn validate(
        &self,
        request: &OAuth2Request,
        realms: &[&str],
    ) -> Result<OAuth1TokenInfo, GuardError>;
}

#[async_trait]
impl<S: OAuth1Storage> OAuth1Validator for OAuth1Server<S> {
    async fn validate(
        &self,
        request: &OAuth2Request,
        realms: &[&str],
    ) -> Result<OAuth1TokenInfo, GuardError> {
        match self.validate_request(request, realms).await {
            Ok(access) => Ok(OAuth1TokenInfo {
                client_id: access.client_id().to_owned(),
                user_id: access.user_id(),
                realms: access.realms(),
            }),
            Err(e) => Err(GuardError::oauth1(&e, self.error_response(&e))),
        }
    }
}

pub(crate) struct OAuth1Gate {
    pub(super) validator: Arc<dyn OAuth1Validator>,
    pub(super) trust_forwarded_proto: bool,
}

/// The realms a [`RequireOAuth1`] guard requires: the token credential must
/// cover every one of them (403 `access_denied` otherwise).
///
/// ```
/// use oauth_core::rocket::{RealmSpec, RequireOAuth1};
///
/// /// Resources of the "photos" realm.
/// struct Photos;
/// impl RealmSpec for Photos {
///     fn realms() -> &'static [&'static str] {
///         &["photos"]
///     }
/// }
///
/// // #[get("/photos")] fn photos(access: RequireOAuth1<Photos>) -> ...
/// # fn _handler(_: RequireOAuth1<Photos>) {}
/// ```
pub trait RealmSpec: Send + Sync + 'static {
    /// The realms required.
    fn realms() -> &'static [&'static str];
}

/// No realm required: any valid token credential.
pub struct AnyRealm;

impl RealmSpec for AnyRealm {
    fn realms() -> &'static [&'static str] {
        &[]
    }
}

/// A guard that admits only requests signed with a valid token credential
/// (RFC 5849 §3.2: protocol parameters in the `Authorization` header, the
/// form body or the query; signature, timestamp window, unused nonce)
/// covering the realms `R` requires. The rest are answered with the
/// engine's error (400, 401 with `WWW-Authenticate: OAuth`, 403 for a
/// realm not covered) through the catchers of
/// [`oauth2_catchers`](crate::rocket::oauth2_catchers).
///
/// It dereferences to the [`OAuth1TokenInfo`].
///
/// As a request guard it cannot read the body, which a form-encoded
/// request's signature covers (§3.4.1.3.1), so it refuses form-encoded
/// requests with a body (400). On routes that take such requests, use it
/// as the data guard instead: `#[post("/notes", data = "<access>")]`; the
/// body's parameters are then in [`RequireOAuth1::form`].
pub struct RequireOAuth1<R: RealmSpec = AnyRealm> {
    /// The verified request's credential.
    pub token: OAuth1TokenInfo,
    /// The form body's parameters, when used as the data guard of a
    /// form-encoded request (empty otherwise).
    pub form: Params,
    _realm: PhantomData<R>,
}

impl<R: RealmSpec> Deref for RequireOAuth1<R> {
    type Target = OAuth1TokenInfo;
    fn deref(&self) -> &OAuth1TokenInfo {
        &self.token
    }
}

/// Whether the request is form-encoded with a (possibly) non-empty body.
fn has_form_body(req: &Request<'_>) -> bool {
    let form = req.content_type().is_some_and(|ct| ct.is_form());
    let empty = req
        .headers()
        .get_one("Content-Length")
        .is_some_and(|l| l.trim() == "0");
    form && !empty
}

async fn verify<R: RealmSpec>(
    req: &Request<'_>,
    form_body: Option<&str>,
) -> Result<OAuth1TokenInfo, GuardError> {
    let Some(gate) = req.rocket().state::<OAuth1Gate>() else {
        return Err(GuardError::misconfigured(MISSING_STATE));
    };
    let request = to_engine_request(req, form_body, gate.trust_forwarded_proto);
    gate.validator.validate(&request, R::realms()).await
}

#[rocket::async_trait]
impl<'r, R: RealmSpec> FromRequest<'r> for RequireOAuth1<R> {
    type Error = GuardError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, GuardError> {
        if has_form_body(req) {
            let e = OAuth1Error::invalid_request(
                "this resource does not read form-encoded bodies, so it cannot verify \
                 a signature over one; send the parameters in the query",
            );
            return fail(req, GuardError::oauth1(&e, e.to_response(None)));
        }
        match verify::<R>(req, None).await {
            Ok(token) => {
                admitted(req);
                Outcome::Success(RequireOAuth1 {
                    token,
                    form: Params::default(),
                    _realm: PhantomData,
                })
            }
            Err(error) => fail(req, error),
        }
    }
}

#[rocket::async_trait]
impl<'r, R: RealmSpec> FromData<'r> for RequireOAuth1<R> {
    type Error = GuardError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> DataOutcome<'r, Self> {
        // Only a form-encoded body is signed (§3.4.1.3.1); any other body is
        // the handler's business and stays unread.
        let body = if req.content_type().is_some_and(|ct| ct.is_form()) {
            match read_form(req, data).await {
                Ok(body) => Some(body),
                Err(status) => {
                    let e =
                        OAuth1Error::invalid_request("the request body is too large or not UTF-8")
                            .with_status(status.code);
                    return fail_data(req, GuardError::oauth1(&e, e.to_response(None)));
                }
            }
        } else {
            None
        };
        match verify::<R>(req, body.as_deref()).await {
            Ok(token) => {
                admitted(req);
                DataOutcome::Success(RequireOAuth1 {
                    token,
                    form: body.as_deref().map(Params::parse).unwrap_or_default(),
                    _realm: PhantomData,
                })
            }
            Err(error) => fail_data(req, error),
        }
    }
}

/// [`fail`] for a data guard.
fn fail_data<'r, T>(req: &Request<'_>, error: GuardError) -> DataOutcome<'r, T, GuardError> {
    DataOutcome::Error(refuse(req, error))
}
