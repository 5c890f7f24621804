//! The OAuth 1.0a provider: configuration, storage, signature methods,
//! credential generator and clock in one value, with one method per
//! endpoint (defined in the [`rfc5849`](crate::oauth1::rfc5849) module of
//! its section).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::events;
use crate::http::{OAuth2Request, OAuth2Response};
use crate::oauth1::models::OAuth1Client;
use crate::oauth1::rfc5849::errors::OAuth1Error;
use crate::oauth1::rfc5849::params::RequestParams;
use crate::oauth1::rfc5849::signature::{
    HMAC_SHA1, HmacSha1, PLAINTEXT, Plaintext, RSA_SHA1, RsaSha1, SignatureContext,
    SignatureMethod, request_base_string,
};
use crate::oauth1::storage::{OAuth1Nonce, OAuth1Storage};
use crate::oauth2::server::{Clock, SystemClock};
use crate::secrets;

/// Configuration of the OAuth 1.0a provider. Every field has a safe
/// default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OAuth1Config {
    /// The `oauth_signature_method` values accepted, among `HMAC-SHA1`,
    /// `RSA-SHA1` and `PLAINTEXT` (`["HMAC-SHA1"]`, as Authlib). Methods
    /// added with [`OAuth1Server::with_signature_method`] are accepted too.
    pub signature_methods: Vec<String>,
    /// How far `oauth_timestamp` may be from the server's clock, either
    /// way, in seconds (300). Older or later requests are refused, so
    /// nonces need only be remembered this long.
    pub timestamp_window: i64,
    /// Lifetime of a temporary credential in seconds, from its issue to its
    /// exchange (3600): long enough for the resource owner to log in.
    pub temporary_credential_expires_in: i64,
    /// Accept credential requests and PLAINTEXT signatures that did not
    /// arrive over TLS (false). RFC 5849 §2.1 and §2.3 require TLS for the
    /// requests whose answers carry secrets; switch this on only for local
    /// development.
    pub insecure_transport: bool,
    /// The `realm` of `WWW-Authenticate: OAuth` challenges (none).
    pub realm: Option<String>,
    /// `scheme://host[:port]` as clients address the server. When set, the
    /// signature base string URI (§3.4.1.2) is built from it and the
    /// request's path, whatever the request's target and `Host` header say
    /// (behind a reverse proxy). When not, absolute request targets are
    /// used as they are, and origin-form ones take the `Host` header and
    /// the request's TLS flag.
    pub public_origin: Option<String>,
}

impl Default for OAuth1Config {
    fn default() -> OAuth1Config {
        OAuth1Config {
            signature_methods: vec![HMAC_SHA1.to_owned()],
            timestamp_window: 300,
            temporary_credential_expires_in: 3600,
            insecure_transport: false,
            realm: None,
            public_origin: None,
        }
    }
}

impl OAuth1Config {
    /// Checks for values that cannot work, with a message naming the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.timestamp_window <= 0 {
            return Err("timestamp_window must be positive".into());
        }
        if self.temporary_credential_expires_in <= 0 {
            return Err("temporary_credential_expires_in must be positive".into());
        }
        for m in &self.signature_methods {
            if ![HMAC_SHA1, RSA_SHA1, PLAINTEXT].contains(&m.as_str()) {
                return Err(format!(
                    "signature_methods: unknown method \"{m}\" (HMAC-SHA1, RSA-SHA1, PLAINTEXT; \
                     register others with with_signature_method)"
                ));
            }
        }
        if let Some(origin) = &self.public_origin {
            let ok = origin.split_once("://").is_some_and(|(scheme, rest)| {
                matches!(scheme, "http" | "https")
                    && !rest.trim_end_matches('/').is_empty()
                    && !rest.trim_end_matches('/').contains(['/', '?', '#'])
            });
            if !ok {
                return Err(format!(
                    "public_origin must be \"http(s)://host[:port]\", got \"{origin}\""
                ));
            }
        }
        Ok(())
    }
}

/// An invalid [`OAuth1Config`], found when the server is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth1ConfigError(pub String);

impl std::fmt::Display for OAuth1ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid OAuth 1.0a configuration: {}", self.0)
    }
}

impl std::error::Error for OAuth1ConfigError {}

/// Which credential value a [`CredentialGenerator`] is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// A temporary credential's `oauth_token`.
    TemporaryToken,
    /// A temporary credential's `oauth_token_secret`.
    TemporarySecret,
    /// An `oauth_verifier`.
    Verifier,
    /// A token credential's `oauth_token`.
    Token,
    /// A token credential's `oauth_token_secret`.
    TokenSecret,
}

/// Makes credential values. The default, [`RandomCredentialGenerator`],
/// uses the OS CSPRNG; any `Fn(CredentialKind) -> String` is a generator
/// too (tests use fixed values).
pub trait CredentialGenerator: Send + Sync {
    /// A new, unguessable value of this kind.
    fn generate(&self, kind: CredentialKind) -> String;
}

impl<F> CredentialGenerator for F
where
    F: Fn(CredentialKind) -> String + Send + Sync,
{
    fn generate(&self, kind: CredentialKind) -> String {
        self(kind)
    }
}

/// Random URL-safe values: 32 bytes for tokens and secrets, 16 (22
/// characters, still 128 bits) for verifiers, which a resource owner may
/// have to type for an `oob` callback.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomCredentialGenerator;

impl CredentialGenerator for RandomCredentialGenerator {
    fn generate(&self, kind: CredentialKind) -> String {
        match kind {
            CredentialKind::Verifier => secrets::random_token(16),
            _ => secrets::random_token(32),
        }
    }
}

/// The OAuth 1.0a provider engine (RFC 5849).
///
/// | endpoint | method | section |
/// |---|---|---|
/// | temporary credentials | [`create_temporary_credentials_response`](Self::create_temporary_credentials_response) | §2.1 |
/// | resource owner authorization | [`validate_authorization_request`](Self::validate_authorization_request), [`create_authorization_response`](Self::create_authorization_response) | §2.2 |
/// | token credentials | [`create_token_response`](Self::create_token_response) | §2.3 |
/// | protected resources | [`validate_request`](Self::validate_request) | §3 |
///
/// The whole flow, with the in-memory storage:
///
/// ```
/// use oauth_core::memory::MemoryStorage;
/// use oauth_core::oauth1::rfc5849::client::Signer;
/// use oauth_core::oauth1::{OAuth1Authorization, OAuth1ClientRecord, OAuth1Config, OAuth1Server};
/// use oauth_core::{Consent, OAuth2Request, Params};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let storage = MemoryStorage::new();
/// storage.insert_oauth1_client(OAuth1ClientRecord::new(
///     "printer", "kd94hf93k423kf44", ["https://printer.example/ready"],
/// ));
/// let server = OAuth1Server::new(storage, OAuth1Config::default()).unwrap();
/// let now = server.now().to_string();
/// let mut client = Signer::new("printer", "kd94hf93k423kf44");
///
/// // §2.1: temporary credentials.
/// let request = client.sign(
///     OAuth2Request::post("https://photos.example/initiate"),
///     &[("oauth_callback", "https://printer.example/ready"),
///       ("oauth_timestamp", &now), ("oauth_nonce", "n1")],
/// ).unwrap();
/// let response = server.create_temporary_credentials_response(&request).await;
/// assert_eq!(response.status, 200);
/// let answer = Params::parse(&response.body);
/// assert_eq!(answer.single("oauth_callback_confirmed").unwrap(), Some("true"));
/// let temporary = answer.required("oauth_token").unwrap().to_owned();
/// let temporary_secret = answer.required("oauth_token_secret").unwrap().to_owned();
///
/// // §2.2: the resource owner approves on the consent page.
/// let page = OAuth2Request::get(format!("https://photos.example/authorize?oauth_token={temporary}"));
/// let shown = server.validate_authorization_request(&page).await.unwrap();
/// assert_eq!(shown.client.client_id, "printer");
/// let granted = server
///     .create_authorization_response(&page, Consent::Granted { user_id: "jane".into() })
///     .await
///     .unwrap();
/// let OAuth1Authorization::Redirect(location) = granted else { panic!() };
/// let callback = Params::parse(location.split_once('?').unwrap().1);
/// let verifier = callback.required("oauth_verifier").unwrap();
///
/// // §2.3: token credentials, signed with the temporary credentials.
/// client.token = Some((temporary.clone(), temporary_secret.into()));
/// let request = client.sign(
///     OAuth2Request::post("https://photos.example/token"),
///     &[("oauth_verifier", verifier), ("oauth_timestamp", &now), ("oauth_nonce", "n2")],
/// ).unwrap();
/// let response = server.create_token_response(&request).await;
/// assert_eq!(response.status, 200);
/// let answer = Params::parse(&response.body);
/// let token = answer.required("oauth_token").unwrap().to_owned();
/// let token_secret = answer.required("oauth_token_secret").unwrap().to_owned();
///
/// // §3: a protected resource request, signed with the token credentials.
/// client.token = Some((token, token_secret.into()));
/// let request = client.sign(
///     OAuth2Request::get("https://photos.example/photos?file=vacation.jpg"),
///     &[("oauth_timestamp", &now), ("oauth_nonce", "n3")],
/// ).unwrap();
/// let access = server.validate_request(&request, &[]).await.unwrap();
/// assert_eq!(access.user_id(), "jane");
///
/// // The same request again is a replay: its nonce was used.
/// let replay = server.validate_request(&request, &[]).await.unwrap_err();
/// assert_eq!((replay.code.as_str(), replay.status), ("invalid_nonce", 401));
/// # });
/// ```
pub struct OAuth1Server<S: OAuth1Storage> {
    pub(crate) storage: S,
    pub(crate) config: OAuth1Config,
    pub(crate) methods: Vec<Arc<dyn SignatureMethod>>,
    pub(crate) generator: Box<dyn CredentialGenerator>,
    pub(crate) clock: Box<dyn Clock>,
}

impl<S: OAuth1Storage> OAuth1Server<S> {
    /// A server over `storage` with `config`, which is validated here.
    pub fn new(storage: S, config: OAuth1Config) -> Result<OAuth1Server<S>, OAuth1ConfigError> {
        config.validate().map_err(OAuth1ConfigError)?;
        let mut methods: Vec<Arc<dyn SignatureMethod>> = Vec::new();
        for name in &config.signature_methods {
            let method: Arc<dyn SignatureMethod> = match name.as_str() {
                HMAC_SHA1 => Arc::new(HmacSha1),
                RSA_SHA1 => Arc::new(RsaSha1),
                _ => Arc::new(Plaintext),
            };
            if !methods.iter().any(|m| m.name() == method.name()) {
                methods.push(method);
            }
        }
        Ok(OAuth1Server {
            storage,
            config,
            methods,
            generator: Box::new(RandomCredentialGenerator),
            clock: Box::new(SystemClock),
        })
    }

    /// Registers and accepts a signature method (replacing an accepted
    /// method of the same name).
    pub fn with_signature_method(mut self, method: impl SignatureMethod + 'static) -> Self {
        self.methods.retain(|m| m.name() != method.name());
        self.methods.push(Arc::new(method));
        self
    }

    /// Replaces the credential generator.
    pub fn with_generator(mut self, generator: impl CredentialGenerator + 'static) -> Self {
        self.generator = Box::new(generator);
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
    pub fn config(&self) -> &OAuth1Config {
        &self.config
    }

    /// The accepted signature methods.
    pub fn signature_methods(&self) -> Vec<&str> {
        self.methods.iter().map(|m| m.name()).collect()
    }

    /// Now, by the server's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The form-encoded response for `error`, with the configured realm in
    /// a 401's challenge.
    pub fn error_response(&self, error: &OAuth1Error) -> OAuth2Response {
        error.to_response(self.config.realm.as_deref())
    }

    /// The TLS rule for requests whose answers carry secrets (§2.1, §2.3).
    pub(crate) fn check_transport(&self, request: &OAuth2Request) -> Result<(), OAuth1Error> {
        if request.secure || self.config.insecure_transport {
            Ok(())
        } else {
            Err(OAuth1Error::insecure_transport(
                "this request carries credentials and must use TLS (https)",
            ))
        }
    }

    /// The steps of §3.2 that need no storage: collect the parameters,
    /// require those every signed request has, find the signature method,
    /// apply its transport rule, and check the timestamp and nonce syntax
    /// and window (§3.3).
    pub(crate) fn parse_signed(&self, request: &OAuth2Request) -> Result<Signed, OAuth1Error> {
        let params = RequestParams::from_request(request)?;
        let client_id = params.required("oauth_consumer_key")?.to_owned();
        let method_name = params.required("oauth_signature_method")?;
        let signature = params.required("oauth_signature")?.to_owned();
        let method = self
            .methods
            .iter()
            .find(|m| m.name() == method_name)
            .cloned()
            .ok_or_else(|| {
                OAuth1Error::unsupported_signature_method(format!(
                    "\"{method_name}\" is not an accepted signature method (accepted: {})",
                    self.signature_methods().join(", ")
                ))
            })?;
        // §3.3: only PLAINTEXT may omit the timestamp and nonce.
        let optional = method.name() == PLAINTEXT;
        let timestamp = match (params.get("oauth_timestamp"), optional) {
            (Some(t), _) if !t.is_empty() => Some(self.check_timestamp(t)?),
            (_, true) => None,
            (_, false) => return Err(OAuth1Error::missing_required_parameter("oauth_timestamp")),
        };
        let nonce = match (params.get("oauth_nonce"), optional) {
            (Some(n), _) if !n.is_empty() => Some(check_nonce_syntax(n)?.to_owned()),
            (_, true) => None,
            (_, false) => return Err(OAuth1Error::missing_required_parameter("oauth_nonce")),
        };
        if params.get("oauth_version").is_some_and(|v| v != "1.0") {
            return Err(OAuth1Error::invalid_request(
                "\"oauth_version\" must be \"1.0\" when present",
            ));
        }
        if method.requires_tls() && !request.secure && !self.config.insecure_transport {
            return Err(OAuth1Error::insecure_transport(format!(
                "{} signatures are accepted only over TLS (https)",
                method.name()
            )));
        }
        Ok(Signed {
            params,
            client_id,
            method,
            signature,
            timestamp,
            nonce,
        })
    }

    fn check_timestamp(&self, value: &str) -> Result<i64, OAuth1Error> {
        let invalid = || OAuth1Error::invalid_request("invalid \"oauth_timestamp\" value");
        // §3.3: "a positive integer" of seconds; 18 digits always fit i64.
        if value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let timestamp: i64 = value.parse().map_err(|_| invalid())?;
        if timestamp <= 0 {
            return Err(invalid());
        }
        let skew = self.now().saturating_sub(timestamp);
        if skew.saturating_abs() > self.config.timestamp_window {
            return Err(OAuth1Error::invalid_request(format!(
                "\"oauth_timestamp\" is more than {} seconds from the server's time",
                self.config.timestamp_window
            )));
        }
        Ok(timestamp)
    }

    /// The client a signed request names.
    pub(crate) async fn signing_client(&self, signed: &Signed) -> Result<S::Client, OAuth1Error> {
        self.storage
            .find_oauth1_client(&signed.client_id)
            .await?
            .ok_or_else(|| OAuth1Error::invalid_client("unknown \"oauth_consumer_key\""))
    }

    /// Verifies the signature with the client's credentials and the token
    /// secret (empty when there is no token), then records the nonce: only
    /// a request that proved it holds the secrets can spend a nonce.
    pub(crate) async fn verify_signature(
        &self,
        request: &OAuth2Request,
        signed: &Signed,
        client: &S::Client,
        oauth_token: &str,
        token_secret: &str,
    ) -> Result<(), OAuth1Error> {
        let base_string = request_base_string(
            request,
            &signed.params,
            self.config.public_origin.as_deref(),
        )?;
        let context = SignatureContext {
            base_string: &base_string,
            client_secret: client.client_secret(),
            token_secret,
            rsa_public_key: client.rsa_public_key(),
        };
        signed
            .method
            .verify(&context, &signed.signature)
            .inspect_err(|_| {
                events::oauth1_signature_failed(&signed.client_id, signed.method.name())
            })?;
        if let (Some(timestamp), Some(nonce)) = (signed.timestamp, &signed.nonce) {
            let record = OAuth1Nonce {
                client_id: signed.client_id.clone(),
                timestamp,
                nonce: nonce.clone(),
                oauth_token: oauth_token.to_owned(),
                expires_at: timestamp.saturating_add(self.config.timestamp_window),
            };
            if !self.storage.record_nonce(&record, self.now()).await? {
                return Err(OAuth1Error::invalid_nonce(
                    "this \"oauth_nonce\" was already used with this timestamp",
                ));
            }
        }
        Ok(())
    }
}

/// A request whose protocol parameters passed the checks that need no
/// storage.
pub(crate) struct Signed {
    pub(crate) params: RequestParams,
    pub(crate) client_id: String,
    pub(crate) method: Arc<dyn SignatureMethod>,
    pub(crate) signature: String,
    pub(crate) timestamp: Option<i64>,
    pub(crate) nonce: Option<String>,
}

/// A nonce is any non-empty string (§3.3); longer than 255 bytes is refused
/// so that storage can index it.
fn check_nonce_syntax(nonce: &str) -> Result<&str, OAuth1Error> {
    if nonce.len() > 255 {
        return Err(OAuth1Error::invalid_request(
            "\"oauth_nonce\" is longer than 255 bytes",
        ));
    }
    Ok(nonce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_are_authlibs() {
        let c: OAuth1Config = serde_json::from_str("{}").unwrap();
        assert_eq!(c, OAuth1Config::default());
        assert_eq!(c.signature_methods, ["HMAC-SHA1"]);
        assert_eq!(c.timestamp_window, 300);
        assert!(!c.insecure_transport);
        assert!(serde_json::from_str::<OAuth1Config>(r#"{"windw": 1}"#).is_err());
    }

    #[test]
    fn config_validation_names_the_field() {
        let bad = |c: OAuth1Config| c.validate().unwrap_err();
        assert!(
            bad(OAuth1Config {
                timestamp_window: 0,
                ..Default::default()
            })
            .contains("timestamp_window")
        );
        assert!(
            bad(OAuth1Config {
                signature_methods: vec!["HMAC-SHA256".into()],
                ..Default::default()
            })
            .contains("HMAC-SHA256")
        );
        for origin in ["photos.example", "https://a/b", "ftp://a", "https://"] {
            let c = OAuth1Config {
                public_origin: Some(origin.into()),
                ..Default::default()
            };
            assert!(bad(c).contains("public_origin"), "{origin}");
        }
        let c = OAuth1Config {
            public_origin: Some("https://api.example:8443/".into()),
            ..Default::default()
        };
        assert!(c.validate().is_ok());
    }
}
