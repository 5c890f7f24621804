//! What the fuzz targets (`fuzz_*.rs`) share: structured inputs that bolero
//! generates (from a random seed under `cargo test`, from libFuzzer's or
//! AFL's bytes under `cargo bolero test`), request templates to mutate, and
//! the invariants every answer must keep.
//!
//! Inputs are small trees of enums over dictionary indices and raw text, so
//! that a fuzzer's byte mutations turn into meaningful request mutations:
//! a dictionary pick reaches deep paths (a real client id, an issued code),
//! raw text reaches the parsers' corners.
#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bolero::{TypeGenerator, produce};
use oauth_core::{Method, OAuth2Request, OAuth2Response, Params};

/// How long a target runs under plain `cargo test` when
/// `BOLERO_RANDOM_TEST_TIME_MS` is not set (bolero's own default, made explicit):
/// long enough to matter in every test run, short enough not to slow it.
pub const DEFAULT_TEST_TIME: Duration = Duration::from_secs(1);

/// A current-thread runtime for the async engine.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

/// Characters that matter to the parsers: delimiters of URIs, forms,
/// headers and quoted strings, percent signs, controls, non-ASCII.
const CHARSET: &[char] = &[
    '%',
    '?',
    '#',
    '&',
    '=',
    '+',
    ';',
    ',',
    ':',
    ' ',
    '"',
    '\\',
    '/',
    '.',
    '@',
    '[',
    ']',
    '-',
    '_',
    '~',
    '*',
    '\r',
    '\n',
    '\t',
    '\0',
    'a',
    'b',
    'A',
    'B',
    'z',
    '0',
    '1',
    '2',
    '9',
    'F',
    'f',
    'x',
    '\u{e9}',
    '\u{1F600}',
    '\u{7f}',
    '\u{85}',
    '\u{2028}',
    '\u{ff}',
    '<',
    '>',
    '\'',
    '!',
    '$',
    '(',
    ')',
    '{',
    '}',
    '|',
    '^',
    '`',
];

/// Some text: a dictionary word (twice as likely), delimiter soup, any
/// Unicode, or nothing.
#[derive(Debug, Clone, TypeGenerator)]
pub enum Text {
    /// The dictionary entry at this index (modulo its length).
    Dict(u16),
    /// Another dictionary pick, so picks are as likely as the rest.
    Word(u16),
    /// A dictionary word with soup appended.
    WordPlus(
        u16,
        #[generator(produce::<Vec<u8>>().with().len(0usize..8))] Vec<u8>,
    ),
    /// Characters of [`CHARSET`], one per byte.
    Soup(#[generator(produce::<Vec<u8>>().with().len(0usize..32))] Vec<u8>),
    /// Anything.
    Any(#[generator(produce::<String>().with().len(0usize..32))] String),
    /// The empty string.
    Empty,
}

/// Maps bytes onto [`CHARSET`].
pub fn soup(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| CHARSET[usize::from(*b) % CHARSET.len()])
        .collect()
}

impl Text {
    /// The text, with dictionary picks from `dict`.
    pub fn render(&self, dict: &[&str]) -> String {
        let pick = |i: &u16| {
            if dict.is_empty() {
                String::new()
            } else {
                dict[usize::from(*i) % dict.len()].to_owned()
            }
        };
        match self {
            Text::Dict(i) | Text::Word(i) => pick(i),
            Text::WordPlus(i, extra) => pick(i) + &soup(extra),
            Text::Soup(bytes) => soup(bytes),
            Text::Any(s) => s.clone(),
            Text::Empty => String::new(),
        }
    }
}

/// A `name=value` pair.
#[derive(Debug, Clone, TypeGenerator)]
pub struct Pair {
    pub name: Text,
    pub value: Text,
}

impl Pair {
    pub fn render(&self, names: &[&str], values: &[&str]) -> (String, String) {
        (self.name.render(names), self.value.render(values))
    }
}

/// One change to a template's parameters.
#[derive(Debug, Clone, TypeGenerator)]
pub enum Edit {
    Drop(u8),
    Set(u8, Text),
    Add(Pair),
    Duplicate(u8),
    Rename(u8, Text),
}

/// Applies `edits` to `pairs`.
pub fn apply(pairs: &mut Vec<(String, String)>, edits: &[Edit], names: &[&str], values: &[&str]) {
    for edit in edits {
        let len = pairs.len();
        match edit {
            Edit::Drop(i) if len > 0 => {
                pairs.remove(usize::from(*i) % len);
            }
            Edit::Set(i, v) if len > 0 => pairs[usize::from(*i) % len].1 = v.render(values),
            Edit::Rename(i, n) if len > 0 => pairs[usize::from(*i) % len].0 = n.render(names),
            Edit::Duplicate(i) if len > 0 => {
                let p = pairs[usize::from(*i) % len].clone();
                pairs.push(p);
            }
            Edit::Add(p) => pairs.push(p.render(names, values)),
            _ => {}
        }
    }
}

/// An `Authorization` header value.
#[derive(Debug, Clone, TypeGenerator)]
pub enum AuthSpec {
    /// `Basic` with a correctly encoded id and secret.
    Basic { id: Text, secret: Text },
    /// `Basic` with the base64 of raw bytes.
    BasicBytes(#[generator(produce::<Vec<u8>>().with().len(0usize..40))] Vec<u8>),
    /// `Basic` and then anything.
    BasicText(Text),
    /// A bearer token, with a scheme of some case.
    Bearer { scheme: u8, token: Text },
    /// Anything.
    Raw(Text),
}

/// Client ids the Basic generator picks from.
pub const CLIENT_IDS: &[&str] = &[
    "basic-client",
    "post-client",
    "public-client",
    "multi-client",
    "cc-only-client",
    "tv",
    "console",
    "nobody",
    "a:b",
    "caf\u{e9}",
];

/// Secrets the Basic generator picks from.
pub const SECRETS: &[&str] = &["s3cret", "wrong", "", ":", "%zz", "s3cret "];

/// `Authorization: Basic` for an id and secret, form-encoded first.
pub fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

impl AuthSpec {
    /// The header value; bearer tokens and raw values pick from `tokens`.
    pub fn render(&self, tokens: &[&str]) -> String {
        match self {
            AuthSpec::Basic { id, secret } => {
                basic(&id.render(CLIENT_IDS), &secret.render(SECRETS))
            }
            AuthSpec::BasicBytes(bytes) => format!("Basic {}", STANDARD.encode(bytes)),
            AuthSpec::BasicText(t) => format!("Basic {}", t.render(tokens)),
            AuthSpec::Bearer { scheme, token } => {
                let scheme = [
                    "Bearer", "bearer", "BEARER", "Bearer ", "Bearer\t", "DPoP", "dpop",
                ][usize::from(*scheme) % 7];
                format!("{scheme} {}", token.render(tokens))
            }
            AuthSpec::Raw(t) => t.render(&[
                "Basic",
                "Bearer",
                "Basic ",
                "Bearer ",
                "",
                " ",
                "Digest x",
                "Basic  YmFzaWMtY2xpZW50OnMzY3JldA==",
                "Bearer  at-0",
                "OAuth realm=\"x\"",
            ]),
        }
    }
}

/// An extra header.
#[derive(Debug, Clone, TypeGenerator)]
pub enum HeaderSpec {
    Authorization(AuthSpec),
    ContentType(Text),
    Host(Text),
    Other(Text, Text),
}

const CONTENT_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "APPLICATION/X-WWW-FORM-URLENCODED",
    "application/json",
    "multipart/form-data; boundary=x",
    "text/plain",
    ";",
];

const HEADER_NAMES: &[&str] = &[
    "Authorization",
    "authorization",
    "Content-Type",
    "Host",
    "X-Forwarded-Proto",
];

impl HeaderSpec {
    pub fn render(&self, tokens: &[&str], hosts: &[&str]) -> (String, String) {
        match self {
            HeaderSpec::Authorization(a) => ("Authorization".into(), a.render(tokens)),
            HeaderSpec::ContentType(t) => ("Content-Type".into(), t.render(CONTENT_TYPES)),
            HeaderSpec::Host(t) => ("Host".into(), t.render(hosts)),
            HeaderSpec::Other(n, v) => (n.render(HEADER_NAMES), v.render(tokens)),
        }
    }
}

/// The method of a request.
#[derive(Debug, Clone, TypeGenerator)]
pub enum MethodSpec {
    /// The template's.
    Template,
    Template2,
    Template3,
    Post,
    Get,
    Other(Text),
}

impl MethodSpec {
    pub fn render(&self, template_post: bool) -> Method {
        match self {
            MethodSpec::Template | MethodSpec::Template2 | MethodSpec::Template3 => {
                if template_post {
                    Method::Post
                } else {
                    Method::Get
                }
            }
            MethodSpec::Post => Method::Post,
            MethodSpec::Get => Method::Get,
            MethodSpec::Other(t) => {
                Method::parse(&t.render(&["PUT", "DELETE", "HEAD", "get", "Post", "", "OPTIONS"]))
            }
        }
    }
}

/// A valid request of some endpoint, to be mutated.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub post: bool,
    pub uri: &'static str,
    /// Parameters in the query (else in a form body).
    pub in_query: bool,
    pub headers: &'static [(&'static str, &'static str)],
    pub params: &'static [(&'static str, &'static str)],
}

/// `Content-Type` of a form body.
pub const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// A request: a template (or none), mutated.
#[derive(Debug, Clone, TypeGenerator)]
pub struct RequestSpec {
    /// Which template (modulo their number, plus one for "none").
    pub template: u8,
    /// Two times in three the template is one of the target's own
    /// ([`Dicts::focus`]); one time in four everything below applies,
    /// otherwise only the edits (and, one time in four, the headers and
    /// the method), so that mutated requests stay close to valid ones.
    pub intensity: u8,
    pub method: MethodSpec,
    /// Replaces the template's URI (query and fragment included).
    pub uri: Option<Text>,
    #[generator(produce::<Vec<Edit>>().with().len(0usize..4))]
    pub edits: Vec<Edit>,
    /// Appended to the query.
    #[generator(produce::<Vec<Pair>>().with().len(0usize..3))]
    pub query: Vec<Pair>,
    /// A raw query string appended (not encoded).
    pub raw_query: Option<Text>,
    /// A raw form body, parsed as an adapter would, replacing the form.
    pub raw_form: Option<Text>,
    #[generator(produce::<Vec<HeaderSpec>>().with().len(0usize..3))]
    pub headers: Vec<HeaderSpec>,
    pub drop_template_headers: bool,
    /// What an adapter behind a proxy would set; `None` keeps the URI's.
    pub secure: Option<bool>,
    pub fragment: Option<Text>,
}

/// The dictionaries a target gives the request generator.
pub struct Dicts<'a> {
    pub templates: &'a [Template],
    /// The templates of the endpoint under test (indices into `templates`).
    pub focus: std::ops::Range<usize>,
    pub names: &'a [&'a str],
    pub values: &'a [&'a str],
    pub uris: &'a [&'a str],
    pub tokens: &'a [&'a str],
    pub hosts: &'a [&'a str],
}

fn encode(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl RequestSpec {
    /// The engine request this spec describes.
    pub fn build(&self, d: &Dicts<'_>) -> OAuth2Request {
        let focused = matches!(self.intensity % 3, 1 | 2) && !d.focus.is_empty();
        let index = if focused {
            d.focus.start + usize::from(self.template) % d.focus.len()
        } else {
            usize::from(self.template) % (d.templates.len() + 1)
        };
        let template = d.templates.get(index);
        let level = (self.intensity / 3) % 4;
        let chaos = level == 0;
        let light = level >= 2;
        let (post, base, in_query, t_headers, t_params) = match template {
            Some(t) => (t.post, t.uri, t.in_query, t.headers, t.params),
            None => (
                true,
                d.uris.first().copied().unwrap_or("/"),
                false,
                &[][..],
                &[][..],
            ),
        };
        let mut pairs: Vec<(String, String)> = t_params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        apply(&mut pairs, &self.edits, d.names, d.values);
        let mut uri = match &self.uri {
            Some(t) if chaos => t.render(d.uris),
            _ => base.to_owned(),
        };
        let (query_pairs, form_pairs) = if in_query {
            (pairs, Vec::new())
        } else {
            (Vec::new(), pairs)
        };
        let mut query_pairs = query_pairs;
        query_pairs.extend(self.query.iter().map(|p| p.render(d.names, d.values)));
        if !query_pairs.is_empty() {
            let sep = if uri.contains('?') { '&' } else { '?' };
            uri = format!("{uri}{sep}{}", encode(&query_pairs));
        }
        if let Some(raw) = self.raw_query.as_ref().filter(|_| chaos) {
            let sep = if uri.contains('?') { '&' } else { '?' };
            uri = format!("{uri}{sep}{}", raw.render(d.values));
        }
        if let Some(f) = self.fragment.as_ref().filter(|_| chaos) {
            uri = format!("{uri}#{}", f.render(d.values));
        }
        let method = if light {
            MethodSpec::Template
        } else {
            self.method.clone()
        };
        let mut request = OAuth2Request::new(method.render(post), uri);
        if !(chaos && self.drop_template_headers) {
            for (k, v) in t_headers {
                request.headers.push((k.to_string(), v.to_string()));
            }
        }
        if !light {
            for h in &self.headers {
                request.headers.push(h.render(d.tokens, d.hosts));
            }
        }
        request.form = match self.raw_form.as_ref().filter(|_| chaos) {
            Some(raw) => Params::parse(&raw.render(d.values)),
            None => Params::from_pairs(form_pairs),
        };
        if let Some(secure) = self.secure.filter(|_| chaos) {
            request.secure = secure;
        }
        request
    }
}

// ---------------------------------------------------------------------------
// Client metadata JSON (RFC 7591 §2).

#[derive(Debug, Clone, TypeGenerator)]
pub enum MetadataInput {
    /// A valid registration with some fields replaced.
    Valid {
        base: u8,
        #[generator(produce::<Vec<Field>>().with().len(0usize..3))]
        edits: Vec<Field>,
    },
    /// An object with fields of the right names and values of any type.
    Object(#[generator(produce::<Vec<Field>>().with().len(0usize..8))] Vec<Field>),
    /// JSON-ish pieces.
    Pieces(#[generator(produce::<Vec<Text>>().with().len(0usize..16))] Vec<Text>),
    /// Anything.
    Raw(#[generator(produce::<String>().with().len(0usize..128))] String),
}

#[derive(Debug, Clone, TypeGenerator)]
pub struct Field {
    pub name: Text,
    pub value: JsonValue,
}

#[derive(Debug, Clone, TypeGenerator)]
pub enum JsonValue {
    Str(Text),
    List(#[generator(produce::<Vec<Text>>().with().len(0usize..4))] Vec<Text>),
    Number(i64),
    Float(f64),
    Bool(bool),
    Null,
    Object,
}

pub const METADATA_NAMES: &[&str] = &[
    "redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "client_name",
    "client_uri",
    "scope",
    "contacts",
    "jwks_uri",
    "software_id",
    "client_id",
    "client_secret",
    "unknown",
];

pub const METADATA_VALUES: &[&str] = &[
    "https://client.example/cb",
    "http://client.example/cb",
    "authorization_code",
    "implicit",
    "client_credentials",
    "refresh_token",
    "code",
    "token",
    "none",
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "profile email",
    "bad\"scope",
    "",
];

pub const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "\"redirect_uris\"",
    "\"grant_types\"",
    "\"scope\"",
    "\"https://client.example/cb\"",
    "\"code\"",
    "null",
    "true",
    "1e999",
    "-0",
    "\"\\u0000\"",
    "\"\\ud800\"",
    " ",
];

impl JsonValue {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            JsonValue::Str(t) => t.render(METADATA_VALUES).into(),
            JsonValue::List(items) => items
                .iter()
                .map(|t| serde_json::Value::from(t.render(METADATA_VALUES)))
                .collect(),
            JsonValue::Number(n) => (*n).into(),
            JsonValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            JsonValue::Bool(b) => (*b).into(),
            JsonValue::Null => serde_json::Value::Null,
            JsonValue::Object => serde_json::json!({"a": 1}),
        }
    }
}

impl MetadataInput {
    /// The JSON text.
    pub fn render(&self) -> String {
        match self {
            MetadataInput::Valid { base, edits } => {
                let mut object = match base % 3 {
                    0 => serde_json::json!({
                        "redirect_uris": ["https://client.example/cb"],
                        "grant_types": ["authorization_code", "refresh_token"],
                        "response_types": ["code"],
                        "scope": "profile email",
                        "client_name": "c",
                    }),
                    1 => serde_json::json!({
                        "grant_types": ["client_credentials"],
                        "token_endpoint_auth_method": "client_secret_post",
                    }),
                    _ => serde_json::json!({
                        "redirect_uris": ["http://127.0.0.1:9000/cb"],
                        "token_endpoint_auth_method": "none",
                    }),
                };
                for f in edits {
                    object[f.name.render(METADATA_NAMES)] = f.value.to_json();
                }
                object.to_string()
            }
            MetadataInput::Object(fields) => {
                let mut object = serde_json::Map::new();
                for f in fields {
                    object.insert(f.name.render(METADATA_NAMES), f.value.to_json());
                }
                serde_json::Value::Object(object).to_string()
            }
            MetadataInput::Pieces(pieces) => pieces.iter().map(|t| t.render(JSON_PIECES)).collect(),
            MetadataInput::Raw(s) => s.clone(),
        }
    }
}

// ---------------------------------------------------------------------------
// Invariants.

/// RFC 6749 §5.2: `error` and `error_description` use %x20-21 / %x23-5B /
/// %x5D-7E only.
pub fn is_error_text(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// No header may carry a line break or NUL (no response splitting).
pub fn check_headers(r: &OAuth2Response) {
    for (k, v) in &r.headers {
        assert!(
            !k.bytes()
                .chain(v.bytes())
                .any(|b| b == b'\r' || b == b'\n' || b == 0),
            "control character in header {k:?}: {v:?}"
        );
    }
}

/// A JSON error body with a known `error` and a well-formed description.
pub fn check_json_error(r: &OAuth2Response, codes: &[&str]) {
    let body = r.json_body();
    let error = body
        .get("error")
        .and_then(|e| e.as_str())
        .unwrap_or_else(|| panic!("error response without `error`: {r:?}"));
    assert!(codes.contains(&error), "unexpected error {error:?}: {r:?}");
    if let Some(d) = body.get("error_description") {
        assert!(
            d.as_str().is_some_and(is_error_text),
            "error_description outside the §5.2 charset: {r:?}"
        );
    }
}

/// RFC 6749 §5.1/§5.2: no caching.
pub fn check_no_store(r: &OAuth2Response) {
    assert_eq!(r.header("Cache-Control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("Pragma"), Some("no-cache"), "{r:?}");
}

/// A 401 carries a challenge (RFC 7235 §3.1), and only a 401 needs one.
pub fn check_challenge(r: &OAuth2Response) {
    if r.status == 401 {
        assert!(
            r.header("WWW-Authenticate").is_some(),
            "401 without challenge: {r:?}"
        );
    }
}

/// The parameters of a redirect's query or fragment.
pub fn location_params(location: &str) -> Vec<(String, String)> {
    let part = match location.split_once('#') {
        Some((_, fragment)) => fragment,
        None => location.split_once('?').map(|(_, q)| q).unwrap_or(""),
    };
    form_urlencoded::parse(part.as_bytes())
        .into_owned()
        .collect()
}

/// The first value of `name` in `params`.
pub fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every `client_id` a request names: form, query, or the user of a Basic
/// header.
pub fn claimed_client_ids(request: &OAuth2Request) -> Vec<String> {
    let mut ids: Vec<String> = request
        .form
        .iter()
        .chain(request.query.iter())
        .filter(|(k, _)| *k == "client_id")
        .map(|(_, v)| v.to_owned())
        .collect();
    for (k, v) in &request.headers {
        if !k.eq_ignore_ascii_case("authorization") {
            continue;
        }
        let Some((_, creds)) = v.split_once(' ') else {
            continue;
        };
        let Ok(decoded) = STANDARD.decode(creds.trim()) else {
            continue;
        };
        let text = String::from_utf8_lossy(&decoded).into_owned();
        let id = text.split(':').next().unwrap_or_default().replace('+', " ");
        ids.push(
            percent_encoding::percent_decode_str(&id)
                .decode_utf8_lossy()
                .into_owned(),
        );
    }
    ids
}

/// Counts how often a target reached its interesting outcomes, so that a
/// generator that stopped reaching them fails the test instead of passing
/// vacuously.
pub struct Reach(pub Vec<(&'static str, std::sync::atomic::AtomicUsize)>);

impl Reach {
    pub fn new(names: &[&'static str]) -> Reach {
        Reach(
            names
                .iter()
                .map(|n| (*n, std::sync::atomic::AtomicUsize::new(0)))
                .collect(),
        )
    }

    /// Counts one `name`.
    pub fn hit(&self, name: &str) {
        if let Some((_, c)) = self.0.iter().find(|(n, _)| *n == name) {
            c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Runs `run` (a random run of a target) until every outcome was
    /// reached, at most ten times, then asserts that it was. On a loaded
    /// machine one run of `DEFAULT_TEST_TIME` draws too few inputs to hit
    /// the rarer outcomes every time; the assertion still fails for an
    /// outcome the generator cannot reach. (A fuzzer never returns from
    /// `run`.)
    pub fn until_all(&self, mut run: impl FnMut()) {
        for _ in 0..10 {
            run();
            if self
                .0
                .iter()
                .all(|(_, c)| c.load(std::sync::atomic::Ordering::Relaxed) > 0)
            {
                break;
            }
        }
        self.assert_all();
    }

    /// Asserts every outcome was reached (after a random run; a fuzzer
    /// never gets here).
    pub fn assert_all(&self) {
        let counts: Vec<(&str, usize)> = self
            .0
            .iter()
            .map(|(n, c)| (*n, c.load(std::sync::atomic::Ordering::Relaxed)))
            .collect();
        eprintln!("reached: {counts:?}");
        for (name, count) in &counts {
            assert!(
                *count > 0,
                "the generator never reached {name:?}: {counts:?}"
            );
        }
    }
}
