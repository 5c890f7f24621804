//! RFC 6750, Bearer Token Usage: protecting resources with bearer tokens.

use crate::config::Config;
use crate::error::{ErrorCode, OAuth2Error};
use crate::http::{Method, OAuth2Request, OAuth2Response};
use crate::models::OAuth2Token;
use crate::oauth2::server::AuthorizationServer;
use crate::scope::{Scope, ScopeRequirement};
use crate::secrets;
use crate::storage::{OAuth2Storage, UserStorage};

/// Why a resource request was refused (RFC 6750 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerError {
    /// The error; `None` when the request had no token at all (§3.1: no
    /// error code then, just the challenge).
    pub error: Option<OAuth2Error>,
    /// For `insufficient_scope`, the scope the resource requires.
    pub scope: Option<Scope>,
    /// For a refusal of a DPoP request or of a DPoP-bound token (RFC 9449
    /// §7.1): the `algs` of its `WWW-Authenticate: DPoP` challenge, which
    /// replaces the `Bearer` one.
    pub dpop_algs: Option<String>,
    /// For `use_dpop_nonce` (RFC 9449 §9): the nonce the next proof must
    /// carry, sent as the `DPoP-Nonce` header.
    pub dpop_nonce: Option<Box<str>>,
}

impl BearerError {
    pub(crate) fn missing() -> BearerError {
        BearerError {
            error: None,
            scope: None,
            dpop_algs: None,
            dpop_nonce: None,
        }
    }

    pub(crate) fn new(error: OAuth2Error) -> BearerError {
        BearerError {
            error: Some(error),
            scope: None,
            dpop_algs: None,
            dpop_nonce: None,
        }
    }

    /// This refusal with the `DPoP` challenge of RFC 9449 §7.1.
    pub(crate) fn with_dpop(self, algs: String) -> BearerError {
        BearerError {
            dpop_algs: Some(algs),
            ..self
        }
    }

    /// 401 for a missing or invalid token, 403 for insufficient scope, 400
    /// for a malformed request (§3.1).
    pub fn status(&self) -> u16 {
        match &self.error {
            None => 401,
            Some(e) => match e.code {
                ErrorCode::InvalidToken => 401,
                ErrorCode::InsufficientScope => 403,
                ErrorCode::InvalidRequest => 400,
                // RFC 9449 §7.1: a bad proof is an authentication failure,
                // and §9: so is one without the nonce the server wants.
                ErrorCode::Other(ref c) if c == "invalid_dpop_proof" || c == "use_dpop_nonce" => {
                    401
                }
                _ => e.code.status(),
            },
        }
    }

    /// The `WWW-Authenticate` challenge (§3).
    pub fn www_authenticate(&self, config: &Config) -> String {
        let mut attrs: Vec<String> = Vec::new();
        if let Some(realm) = &config.realm {
            attrs.push(format!("realm=\"{}\"", quote_safe(realm)));
        }
        if let Some(e) = &self.error {
            attrs.push(format!("error=\"{}\"", e.code.as_str()));
            attrs.push(format!(
                "error_description=\"{}\"",
                quote_safe(&e.description)
            ));
            if let Some(uri) = config.error_uri(e.code.as_str()) {
                attrs.push(format!("error_uri=\"{}\"", quote_safe(uri)));
            }
        }
        if let Some(scope) = &self.scope {
            attrs.push(format!("scope=\"{scope}\""));
        }
        let scheme = match &self.dpop_algs {
            Some(algs) => {
                attrs.push(format!("algs=\"{}\"", quote_safe(algs)));
                "DPoP"
            }
            None => "Bearer",
        };
        if attrs.is_empty() {
            scheme.to_owned()
        } else {
            format!("{scheme} {}", attrs.join(", "))
        }
    }

    /// The full response: status, challenge, and a JSON body naming the
    /// error. A request without a token gets the bare challenge and no body
    /// (§3.1: no error information; the example of §3 has no body either).
    pub fn to_response(&self, config: &Config) -> OAuth2Response {
        let response = self.challenge_response(config);
        match &self.dpop_nonce {
            Some(nonce) => response.with_header("DPoP-Nonce", &**nonce),
            None => response,
        }
    }

    fn challenge_response(&self, config: &Config) -> OAuth2Response {
        let challenge = self.www_authenticate(config);
        match &self.error {
            Some(e) => OAuth2Response::json(
                self.status(),
                &serde_json::json!({
                    "error": e.code.as_str(),
                    "error_description": e.description,
                }),
            )
            .with_header("WWW-Authenticate", challenge),
            None => OAuth2Response {
                status: self.status(),
                headers: vec![
                    ("WWW-Authenticate".into(), challenge),
                    ("Cache-Control".into(), "no-store".into()),
                ],
                body: String::new(),
            },
        }
    }
}

/// An access token as a resource request presents it.
struct Presented {
    digest: String,
    raw: String,
    /// In the `DPoP` authorization scheme.
    dpop: bool,
}

/// Keeps a value legal inside a quoted-string.
fn quote_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '\''
            } else {
                c
            }
        })
        .collect()
}

/// §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(value: &str) -> bool {
    let body = value.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Finds the bearer token of a request: the `Authorization` header (§2.1),
/// and, if the configuration allows, the form body (§2.2) or the query
/// (§2.3). More than one is `invalid_request` (§2).
pub fn extract_bearer_token<'r>(
    request: &'r OAuth2Request,
    config: &Config,
) -> Result<Option<&'r str>, BearerError> {
    Ok(find_access_token(request, config, false)?.map(|(token, _)| token))
}

/// [`extract_bearer_token`], also accepting the `DPoP` authorization
/// scheme (RFC 9449 §7.1), which the flag says was used.
pub fn extract_access_token<'r>(
    request: &'r OAuth2Request,
    config: &Config,
) -> Result<Option<(&'r str, bool)>, BearerError> {
    find_access_token(request, config, true)
}

/// The access token of a request, and whether it came in the `DPoP`
/// scheme (only looked for with `dpop`; otherwise that scheme is one the
/// request may use for something else, as any other).
fn find_access_token<'r>(
    request: &'r OAuth2Request,
    config: &Config,
    dpop_allowed: bool,
) -> Result<Option<(&'r str, bool)>, BearerError> {
    let mut found: Vec<(&str, bool)> = Vec::new();
    let header = request
        .header_checked("authorization")
        .map_err(BearerError::new)?;
    if let Some(value) = header {
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let dpop = dpop_allowed && scheme.eq_ignore_ascii_case("dpop");
        if scheme.eq_ignore_ascii_case("bearer") || dpop {
            let token = rest.trim_start_matches(' ');
            if !is_b64token(token) {
                return Err(BearerError::new(OAuth2Error::invalid_request(
                    "the Authorization header does not hold a well-formed access token",
                )));
            }
            found.push((token, dpop));
        }
    }
    if config.bearer.in_body
        && request.method != Method::Get
        && request.is_form_encoded()
        && let Some(t) = request
            .form
            .single("access_token")
            .map_err(BearerError::new)?
    {
        found.push((t, false));
    }
    if config.bearer.in_query
        && let Some(t) = request
            .query
            .single("access_token")
            .map_err(BearerError::new)?
    {
        found.push((t, false));
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(BearerError::new(OAuth2Error::invalid_request(
            "the request uses more than one method to send the access token",
        ))),
    }
}

impl<S: OAuth2Storage> AuthorizationServer<S> {
    /// Checks the bearer token of a resource request and returns the token
    /// if it is valid, unexpired, unrevoked and has the required scope.
    pub async fn validate_bearer(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<S::Token, BearerError> {
        let Some(presented) = self.presented_token(request)? else {
            return Err(BearerError::missing());
        };
        let token = self
            .storage
            .find_access_token(&presented.digest)
            .await
            .map_err(|e| BearerError::new(e.into()))?;
        self.admit_bearer(token, required, request, &presented)
            .await
    }

    /// [`validate_bearer`](Self::validate_bearer), also returning the user
    /// the token acts for, read with the token in one storage call
    /// ([`UserStorage`]). The user is `None` when the token acts for no
    /// user or that user is gone; the token is checked the same way.
    ///
    /// ```
    /// use oauth_core::memory::MemoryStorage;
    /// use oauth_core::{AuthorizationServer, Config, NewToken, OAuth2Request, OAuth2Storage,
    ///                  ScopeRequirement, secrets};
    ///
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct User { name: &'static str }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let now = std::time::UNIX_EPOCH.elapsed().unwrap().as_secs() as i64;
    /// let storage = MemoryStorage::new();
    /// storage.insert_user("7", User { name: "alice" });
    /// storage.save_token(NewToken {
    ///     client_id: "app".into(),
    ///     user_id: Some("7".into()),
    ///     token_type: "Bearer".into(),
    ///     access_token_digest: secrets::digest("tok"),
    ///     refresh_token_digest: None,
    ///     scope: "profile".into(),
    ///     refresh_token_scope: "profile".into(),
    ///     issued_at: now,
    ///     expires_in: 3600,
    ///     grant_id: "g1".into(),
    ///     authentication: None,
    ///     grant_issued_at: None,
    ///     dpop_jkt: None,
    ///     audience: None,
    ///     refresh_token_audience: None,
    ///     actor: None,
    /// }).await.unwrap();
    /// let server = AuthorizationServer::new(storage, Config::default()).unwrap();
    ///
    /// let request = OAuth2Request::get("https://api.example/me")
    ///     .with_header("Authorization", "Bearer tok");
    /// let (_token, user) = server
    ///     .validate_bearer_with_user::<User>(&request, &ScopeRequirement::all_of(["profile"]))
    ///     .await
    ///     .unwrap();
    /// assert_eq!(user, Some(User { name: "alice" }));
    /// # });
    /// ```
    pub async fn validate_bearer_with_user<U>(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<(S::Token, Option<U>), BearerError>
    where
        U: Send + 'static,
        S: UserStorage<U>,
    {
        let Some(presented) = self.presented_token(request)? else {
            return Err(BearerError::missing());
        };
        let (token, user) = match self
            .storage
            .find_access_token_and_user(&presented.digest)
            .await
            .map_err(|e| BearerError::new(e.into()))?
        {
            Some((token, user)) => (Some(token), user),
            None => (None, None),
        };
        let token = self
            .admit_bearer(token, required, request, &presented)
            .await?;
        Ok((token, user))
    }

    /// The request's access token (`None` when it has none), after the
    /// transport check.
    fn presented_token(&self, request: &OAuth2Request) -> Result<Option<Presented>, BearerError> {
        self.check_transport(request.secure)
            .map_err(BearerError::new)?;
        Ok(
            extract_access_token(request, &self.config)?.map(|(raw, dpop)| Presented {
                digest: secrets::digest(raw),
                raw: raw.to_owned(),
                dpop,
            }),
        )
    }

    /// The token found for a presented token, if it may be used for a
    /// resource that requires `required`: live, presented as its binding
    /// says (RFC 9449 §7), and with the scope.
    async fn admit_bearer(
        &self,
        token: Option<S::Token>,
        required: &ScopeRequirement,
        request: &OAuth2Request,
        presented: &Presented,
    ) -> Result<S::Token, BearerError> {
        let dpop = |e: BearerError| {
            if presented.dpop {
                e.with_dpop(self.dpop_challenge_algs())
            } else {
                e
            }
        };
        let invalid = |d: &str| dpop(BearerError::new(OAuth2Error::invalid_token(d)));
        let Some(token) = token else {
            return Err(invalid("the access token is invalid"));
        };
        if token.is_access_token_revoked() {
            return Err(invalid("the access token has been revoked"));
        }
        if token.is_expired(self.now()) {
            return Err(invalid("the access token has expired"));
        }
        // RFC 8707 §2: a token restricted to other resources is not for
        // this one.
        if !self.accepts_audience(request, &token.audience()) {
            return Err(invalid("the access token is for another resource"));
        }
        self.check_binding(&token, request, presented).await?;
        if !required.is_satisfied_by(&token.scope()) {
            return Err(dpop(BearerError {
                error: Some(OAuth2Error::insufficient_scope(
                    "the access token does not have the scope this resource requires",
                )),
                scope: required.scope().cloned(),
                dpop_algs: None,
                dpop_nonce: None,
            }));
        }
        Ok(token)
    }

    /// RFC 9449 §7: a bound token only in the `DPoP` scheme, with a proof
    /// by its key for this request and this token; a token that is not
    /// bound never in the `DPoP` scheme.
    async fn check_binding(
        &self,
        token: &S::Token,
        request: &OAuth2Request,
        presented: &Presented,
    ) -> Result<(), BearerError> {
        let refuse = |e: OAuth2Error| {
            let nonce = (e.code.as_str() == crate::oauth2::rfc9449::USE_DPOP_NONCE)
                .then(|| self.dpop_nonce())
                .flatten()
                .map(String::into_boxed_str);
            BearerError {
                dpop_nonce: nonce,
                ..BearerError::new(e).with_dpop(self.dpop_challenge_algs())
            }
        };
        match (token.dpop_jkt(), presented.dpop) {
            (None, false) => Ok(()),
            (None, true) => Err(refuse(OAuth2Error::invalid_token(
                "the access token is not DPoP-bound: present it as a Bearer token",
            ))),
            (Some(_), false) => Err(refuse(OAuth2Error::invalid_token(
                "the access token is DPoP-bound: present it with the DPoP scheme and a proof",
            ))),
            (Some(jkt), true) => {
                let proof = self
                    .check_dpop_proof(request, Some(&presented.raw))
                    .await
                    .map_err(refuse)?
                    .ok_or_else(|| {
                        refuse(crate::oauth2::rfc9449::invalid_dpop_proof(
                            "a DPoP proof is required with this token",
                        ))
                    })?;
                if proof.jkt == jkt {
                    Ok(())
                } else {
                    Err(refuse(OAuth2Error::invalid_token(
                        "the DPoP proof is not by the key the access token is bound to",
                    )))
                }
            }
        }
    }

    /// [`validate_bearer`](Self::validate_bearer) with the refusal already
    /// turned into its response.
    pub async fn validate_bearer_response(
        &self,
        request: &OAuth2Request,
        required: &ScopeRequirement,
    ) -> Result<S::Token, OAuth2Response> {
        self.validate_bearer(request, required)
            .await
            .map_err(|e| e.to_response(&self.config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6750_2_1_b64token_syntax() {
        assert!(is_b64token("abc-._~+/=="));
        assert!(!is_b64token("=="));
        assert!(!is_b64token("a b"));
        assert!(!is_b64token("a,b"));
        assert!(!is_b64token(""));
    }

    #[test]
    fn rfc6750_3_missing_token_challenge_has_no_error() {
        let c = Config {
            realm: Some("api".into()),
            ..Config::default()
        };
        assert_eq!(
            BearerError::missing().www_authenticate(&c),
            "Bearer realm=\"api\""
        );
        assert_eq!(
            BearerError::missing().www_authenticate(&Config::default()),
            "Bearer"
        );
    }
}
