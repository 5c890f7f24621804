//! The engine's view of HTTP: a plain request in, a plain response out.
//!
//! Nothing here does I/O. A web framework adapter copies its request into an
//! [`OAuth2Request`] and turns the returned [`OAuth2Response`] into its own
//! response type, untouched.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use crate::error::OAuth2Error;

/// The HTTP method of a request, as far as the engine cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// Any other method, upper-cased.
    Other(String),
}

impl Method {
    /// Parses a method name, case-insensitively.
    pub fn parse(name: &str) -> Method {
        if name.eq_ignore_ascii_case("GET") {
            Method::Get
        } else if name.eq_ignore_ascii_case("POST") {
            Method::Post
        } else {
            Method::Other(name.to_ascii_uppercase())
        }
    }

    /// The method's name, upper-case (`GET`), as DPoP's `htm` names it.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Other(name) => name,
        }
    }
}

/// Decoded `name=value` pairs from a query string or a form body, in order,
/// duplicates kept (RFC 6749 §3.1 makes duplicates an error, so they must be
/// seen, not silently merged).
///
/// Its `Debug` shows the values of credential parameters (`client_secret`,
/// `password`, `code`, tokens, ...) as `[redacted]`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

/// Parameters whose values are credentials, never printed.
const SECRET_PARAMS: &[&str] = &[
    "client_secret",
    "password",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "token",
    "device_code",
    "user_code",
    "assertion",
    "client_assertion",
    "subject_token",
    "actor_token",
    "oauth_verifier",
    "oauth_token_secret",
    // PLAINTEXT signatures are the secrets themselves (RFC 5849 §3.4.4).
    "oauth_signature",
    // A `plain` challenge is the verifier (RFC 7636 §4.2).
    "code_challenge",
];

/// Headers whose values are credentials, never printed.
const SECRET_HEADERS: &[&str] = &["authorization", "cookie", "dpop", "proxy-authorization"];

const REDACTED: &str = "[redacted]";

/// A raw query string (or form body) with the values of credential
/// parameters replaced by `[redacted]`, everything else left as it was
/// sent: for logging request lines.
///
/// ```
/// use oauth_core::http::redact_query;
/// assert_eq!(
///     redact_query("grant_type=password&password=hunter2&scope=a+b"),
///     "grant_type=password&password=[redacted]&scope=a+b",
/// );
/// assert_eq!(redact_query("response_type=code&state=xyz"), "response_type=code&state=xyz");
/// ```
pub fn redact_query(query: &str) -> Cow<'_, str> {
    let is_secret = |pair: &str| {
        let name = pair.split_once('=').map_or(pair, |(k, _)| k);
        form_urlencoded::parse(name.as_bytes())
            .next()
            .is_some_and(|(k, _)| SECRET_PARAMS.contains(&k.as_ref()))
    };
    if !query
        .split('&')
        .any(|pair| pair.contains('=') && is_secret(pair))
    {
        return Cow::Borrowed(query);
    }
    let pairs: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret(pair) => Cow::Owned(format!("{name}={REDACTED}")),
            _ => Cow::Borrowed(pair),
        })
        .collect();
    Cow::Owned(pairs.join("&"))
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, v)| {
                let shown = if SECRET_PARAMS.contains(&k.as_str()) {
                    REDACTED
                } else {
                    v.as_str()
                };
                (k, shown)
            }))
            .finish()
    }
}

impl Params {
    /// Decodes `application/x-www-form-urlencoded` text.
    pub fn parse(encoded: &str) -> Params {
        Params(
            form_urlencoded::parse(encoded.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Builds parameters from pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Params {
        Params(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// Appends one pair.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// The single value of `name`.
    ///
    /// RFC 6749 §3.1: a parameter sent without a value is treated as omitted
    /// (`Ok(None)`), and a parameter sent more than once is `invalid_request`.
    pub fn single(&self, name: &str) -> Result<Option<&str>, OAuth2Error> {
        let mut found: Option<&str> = None;
        let mut count = 0;
        for (k, v) in &self.0 {
            if k == name {
                count += 1;
                if !v.is_empty() {
                    found = Some(v);
                }
            }
        }
        if count > 1 {
            return Err(OAuth2Error::invalid_request(format!(
                "the \"{name}\" parameter is included more than once"
            )));
        }
        Ok(found)
    }

    /// Like [`Params::single`], but absence is `invalid_request` too.
    pub fn required(&self, name: &str) -> Result<&str, OAuth2Error> {
        self.single(name)?.ok_or_else(|| {
            OAuth2Error::invalid_request(format!("the \"{name}\" parameter is missing"))
        })
    }

    /// Every non-empty value of `name`, for the parameters that may be
    /// repeated (RFC 8707's `resource`).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present at all (even with an empty value).
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// All pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An HTTP request as the engine sees it.
///
/// Its `Debug` redacts credentials: the values of `Authorization`,
/// `Cookie` and `DPoP` headers, the query string of the target (shown
/// decoded, and redacted, as [`OAuth2Request::query`]), and the credential
/// parameters of [`Params`].
#[derive(Clone)]
pub struct OAuth2Request {
    /// The request method.
    pub method: Method,
    /// The request target: a full URL (`https://host/path?query`) or an
    /// origin-form target (`/path?query`).
    pub uri: String,
    /// Header fields; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// Decoded query parameters.
    pub query: Params,
    /// Decoded `application/x-www-form-urlencoded` body parameters.
    pub form: Params,
    /// Whether the request arrived over TLS. Taken from the URI's scheme by
    /// [`OAuth2Request::new`]; an adapter behind a proxy sets it itself.
    pub secure: bool,
    /// The address the request came from, as far as the adapter can tell
    /// (none by default). Wrong client secrets are counted per address as
    /// well as per client (RFC 6819 §5.1.4.2.3), so that one guesser is cut
    /// off without locking the client out for everyone else.
    pub remote_addr: Option<IpAddr>,
    /// The thumbprint of the key of a DPoP proof the engine verified for
    /// this request (RFC 9449); set by the token endpoint, never read from
    /// the wire.
    pub(crate) dpop_jkt: Option<String>,
}

impl fmt::Debug for OAuth2Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = self
            .uri
            .split_once('?')
            .map_or(self.uri.as_str(), |(t, _)| t);
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let secret = SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s));
                (n.as_str(), if secret { REDACTED } else { v.as_str() })
            })
            .collect();
        f.debug_struct("OAuth2Request")
            .field("method", &self.method)
            .field("uri", &target)
            .field("headers", &headers)
            .field("query", &self.query)
            .field("form", &self.form)
            .field("secure", &self.secure)
            .field("remote_addr", &self.remote_addr)
            .finish()
    }
}

impl OAuth2Request {
    /// A request with the given method and target; the query string of the
    /// target is decoded into [`OAuth2Request::query`].
    pub fn new(method: Method, uri: impl Into<String>) -> OAuth2Request {
        let uri = uri.into();
        let query = match uri.split_once('?') {
            Some((_, q)) => Params::parse(q.split('#').next().unwrap_or_default()),
            None => Params::default(),
        };
        let secure = uri
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        OAuth2Request {
            method,
            uri,
            headers: Vec::new(),
            query,
            form: Params::default(),
            secure,
            remote_addr: None,
            dpop_jkt: None,
        }
    }

    /// The path of the request target, without query and fragment (`/`
    /// when it has none), whether the target is a full URL or origin-form.
    ///
    /// ```
    /// use oauth_core::OAuth2Request;
    /// assert_eq!(OAuth2Request::get("https://as.example/api/me?x=1").path(), "/api/me");
    /// assert_eq!(OAuth2Request::get("https://as.example").path(), "/");
    /// assert_eq!(OAuth2Request::get("/token#f").path(), "/token");
    /// ```
    pub fn path(&self) -> &str {
        let path = match self.uri.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => self.uri.as_str(),
        };
        path.split(['?', '#']).next().unwrap_or("/")
    }

    /// The thumbprint (`cnf.jkt`) of the key of the DPoP proof the token
    /// endpoint verified for this request, which the tokens a grant issues
    /// are bound to (RFC 9449 §5): what a custom grant puts in its
    /// [`TokenSpec`](crate::TokenSpec). `None` without a proof.
    pub fn dpop_jkt(&self) -> Option<&str> {
        self.dpop_jkt.as_deref()
    }

    /// A `GET` request.
    pub fn get(uri: impl Into<String>) -> OAuth2Request {
        OAuth2Request::new(Method::Get, uri)
    }

    /// A `POST` request.
    pub fn post(uri: impl Into<String>) -> OAuth2Request {
        OAuth2Request::new(Method::Post, uri)
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the form body from encoded text (and the matching content type).
    pub fn with_form_body(mut self, body: &str) -> Self {
        self.form = Params::parse(body);
        self.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        self
    }

    /// Sets the form body from pairs (and the matching content type).
    pub fn with_form<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.form = Params::from_pairs(pairs);
        self.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        self
    }

    /// Marks the request as received over TLS (or not).
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Sets the address the request came from.
    pub fn with_remote_addr(mut self, addr: impl Into<Option<IpAddr>>) -> Self {
        self.remote_addr = addr.into();
        self
    }

    /// The value of a header, if it occurs exactly once. A header that occurs
    /// more than once is treated as malformed and reported as `Err(())` by
    /// [`OAuth2Request::header_checked`]; this accessor returns the first.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of a header that must occur at most once.
    pub fn header_checked(&self, name: &str) -> Result<Option<&str>, OAuth2Error> {
        let mut values = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name));
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            return Err(OAuth2Error::invalid_request(format!(
                "the {name} header is included more than once"
            )));
        }
        Ok(first)
    }

    /// Whether the body was sent as `application/x-www-form-urlencoded`.
    pub fn is_form_encoded(&self) -> bool {
        self.header("content-type").is_some_and(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    }
}

/// `scheme://host[:port]` of an absolute `http` or `https` URI (its origin,
/// RFC 6454 §4, by the `url` crate: the host lower-cased, the default port
/// left out); `None` for an origin-form target or any other URI. A URI
/// whose authority is empty (`https:///x`, which an adapter builds from a
/// request without `Host`) has no origin, though the WHATWG parser would
/// read `x` as its host.
///
/// ```
/// # use oauth_core::http::origin;
/// assert_eq!(origin("https://AS.example:8443/device?x#y").as_deref(), Some("https://as.example:8443"));
/// assert_eq!(origin("https://as.example:443/").as_deref(), Some("https://as.example"));
/// assert_eq!(origin("/device"), None);
/// assert_eq!(origin("https:///x"), None);
/// ```
pub fn origin(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("://")?;
    if rest.is_empty() || rest.starts_with(['/', '?', '#']) {
        return None;
    }
    let url = url::Url::parse(uri).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// An HTTP response produced by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2Response {
    /// The status code.
    pub status: u16,
    /// Header fields, in order.
    pub headers: Vec<(String, String)>,
    /// The body (JSON text for JSON responses, empty for redirects).
    pub body: String,
}

impl OAuth2Response {
    /// A JSON response that must not be cached (RFC 6749 §5.1: token and
    /// error responses carry `Cache-Control: no-store` and `Pragma: no-cache`).
    pub fn json(status: u16, body: &serde_json::Value) -> OAuth2Response {
        OAuth2Response {
            status,
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/json;charset=UTF-8".into(),
                ),
                ("Cache-Control".into(), "no-store".into()),
                ("Pragma".into(), "no-cache".into()),
            ],
            body: body.to_string(),
        }
    }

    /// A JSON document that caches may keep for `max_age` seconds (a JWK
    /// Set): no credential is in it.
    pub fn cacheable_json(body: &serde_json::Value, max_age: i64) -> OAuth2Response {
        OAuth2Response {
            status: 200,
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/json;charset=UTF-8".into(),
                ),
                ("Cache-Control".into(), format!("public, max-age={max_age}")),
            ],
            body: body.to_string(),
        }
    }

    /// A `302 Found` redirect to `location`.
    pub fn redirect(location: String) -> OAuth2Response {
        OAuth2Response {
            status: 302,
            headers: vec![
                ("Location".into(), location),
                ("Cache-Control".into(), "no-store".into()),
                ("Pragma".into(), "no-cache".into()),
            ],
            body: String::new(),
        }
    }

    /// An empty `200 OK`.
    pub fn empty_ok() -> OAuth2Response {
        OAuth2Response {
            status: 200,
            headers: vec![
                ("Cache-Control".into(), "no-store".into()),
                ("Pragma".into(), "no-cache".into()),
            ],
            body: String::new(),
        }
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Value::Null` when it is not JSON).
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
///
/// ```
/// assert_eq!(oauth_core::http::form_urlencode("/a?b=c d"), "%2Fa%3Fb%3Dc+d");
/// ```
pub fn form_urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Appends `params` to `uri` in its query (`fragment == false`) or its
/// fragment, keeping any query the registered URI already has (RFC 6749
/// §3.1.2: "MUST retain that component when adding additional query
/// parameters").
pub(crate) fn add_params_to_uri(uri: &str, params: &[(&str, &str)], fragment: bool) -> String {
    if params.is_empty() {
        return uri.to_owned();
    }
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        serializer.append_pair(k, v);
    }
    let encoded = serializer.finish();
    let sep = if fragment {
        '#'
    } else if uri.contains('?') {
        if uri.ends_with('?') || uri.ends_with('&') {
            return format!("{uri}{encoded}");
        }
        '&'
    } else {
        '?'
    };
    format!("{uri}{sep}{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6749_3_1_empty_parameter_is_omitted() {
        let p = Params::parse("a=&b=1");
        assert_eq!(p.single("a").unwrap(), None);
        assert_eq!(p.single("b").unwrap(), Some("1"));
    }

    #[test]
    fn rfc6749_3_1_duplicate_parameter_is_invalid_request() {
        let p = Params::parse("a=1&a=2");
        let err = p.single("a").unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_request");
    }

    #[test]
    fn rfc6749_3_1_2_existing_query_is_retained() {
        assert_eq!(
            add_params_to_uri("https://c/cb?x=1", &[("code", "a b")], false),
            "https://c/cb?x=1&code=a+b"
        );
        assert_eq!(
            add_params_to_uri("https://c/cb", &[("code", "z")], false),
            "https://c/cb?code=z"
        );
        assert_eq!(
            add_params_to_uri("https://c/cb", &[("access_token", "z")], true),
            "https://c/cb#access_token=z"
        );
    }

    #[test]
    fn secure_flag_follows_scheme() {
        assert!(OAuth2Request::get("https://a/b").secure);
        assert!(!OAuth2Request::get("http://a/b").secure);
        assert!(!OAuth2Request::get("/b").secure);
    }
}
