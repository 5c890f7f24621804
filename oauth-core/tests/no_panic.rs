//! No request can make the engine panic, and every answer keeps the
//! invariants the RFCs require: property tests that feed arbitrary methods,
//! targets, headers and parameters to every endpoint.
//!
//! Inputs are biased towards what the engine looks at: the real parameter
//! names, real-ish values (the test clients, their redirect URI, PKCE values,
//! and the tokens and codes the fixture has issued, which deterministic
//! generators make predictable), `Authorization: Basic/Bearer` headers and
//! form content types. Half of the requests start from a valid request of
//! some endpoint and mutate it a little, so the deep paths are reached too.

mod common;
use common::*;

use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oauth_core::{
    AuthorizationError, Config, Consent, Method, OAuth2Request, OAuth2Response, OAuth2Token,
    Params, Scope, ScopeRequirement, TokenContext,
};
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

const CASES: u32 = 2000;

const TOKEN_URI: &str = "https://as.example/token";
const OTHER_REDIRECT: &str = "https://client.example/other";
/// `basic("basic-client", SECRET)`, as a constant for the templates.
const BASIC_OK: &str = "Basic YmFzaWMtY2xpZW50OnMzY3JldA==";

const PARAM_NAMES: &[&str] = &[
    "grant_type",
    "code",
    "client_id",
    "client_secret",
    "redirect_uri",
    "scope",
    "state",
    "refresh_token",
    "username",
    "password",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "response_type",
    "token",
    "token_type_hint",
    "access_token",
];

/// The tokens and codes [`fixture`] issues (some only in some configurations).
const ISSUED: &[&str] = &[
    "at-0", "at-1", "at-2", "at-3", "rt-0", "rt-1", "rt-2", "code-0", "code-1", "code-2",
];

const VALUES: &[&str] = &[
    // clients and secrets
    "basic-client",
    "post-client",
    "public-client",
    "multi-client",
    "cc-only-client",
    "no-such-client",
    SECRET,
    "wrong",
    // redirect URIs, registered and not
    REDIRECT,
    OTHER_REDIRECT,
    "https://evil.example/cb",
    "https://client.example/cb/../evil",
    "https://client.example/cb?x=1",
    "https://client.example/cb#f",
    "http://client.example/cb",
    "https://CLIENT.example/cb",
    "https://client.example/cbx",
    // grant and response types
    "authorization_code",
    "refresh_token",
    "password",
    "client_credentials",
    "implicit",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "code",
    "token",
    "code token",
    "id_token",
    "none",
    // scopes
    "profile",
    "profile email",
    "admin profile email",
    "openid",
    "profile profile",
    " profile  ",
    "bad\"scope",
    "caf\u{e9}",
    // resource owner
    "alice",
    "valid",
    "invalid",
    // PKCE
    VERIFIER,
    CHALLENGE,
    "S256",
    "plain",
    "s256",
    // hints
    "access_token",
    // what the fixture issued
    "at-0",
    "at-1",
    "at-2",
    "at-3",
    "rt-0",
    "rt-1",
    "rt-2",
    "code-0",
    "code-1",
    "code-2",
    "xyz",
];

// ---------------------------------------------------------------------------
// The server under test.

const CONFIGS: usize = 4;

fn config(index: usize) -> Config {
    match index {
        0 => Config::default(),
        1 => Config {
            insecure_transport: true,
            bearer_token_in_body: true,
            bearer_token_in_query: true,
            realm: Some("api".into()),
            ..Config::default()
        },
        2 => Config {
            allow_plain_pkce: true,
            require_pkce_for_confidential_clients: true,
            scopes_supported: Some(vec!["profile".into(), "email".into(), "admin".into()]),
            default_scope: vec!["profile".into()],
            rotate_refresh_tokens: false,
            error_uris: [(
                "invalid_request".to_owned(),
                "https://as.example/errors/invalid_request".to_owned(),
            )]
            .into_iter()
            .collect(),
            ..Config::default()
        },
        _ => Config {
            implicit_grant: false,
            issue_refresh_tokens: false,
            refresh_token_expires_in: None,
            ..Config::default()
        },
    }
}

/// A generator of `prefix-0`, `prefix-1`, ...
fn counter(prefix: &'static str) -> impl Fn(&TokenContext<'_>) -> String + Send + Sync + 'static {
    let next = AtomicUsize::new(0);
    move |_: &TokenContext<'_>| format!("{prefix}-{}", next.fetch_add(1, Ordering::Relaxed))
}

/// A server in configuration `config_index` that has issued, in order:
/// `at-0`/`rt-0` (password, basic-client), `code-0` (basic-client),
/// `code-1` (public-client), `code-2` (multi-client, other redirect URI),
/// `at-1`/`rt-1` (password, public-client), `at-2` (client credentials,
/// post-client); then its clock moved on by `advance` seconds.
async fn fixture(config_index: usize, advance: i64) -> Server {
    let (server, clock) = server_with(config(config_index));
    let server = server
        .with_access_token_generator(counter("at"))
        .with_refresh_token_generator(counter("rt"))
        .with_code_generator(counter("code"));
    password_tokens(&server, "profile email").await;
    for (client, redirect_uri) in [
        ("basic-client", REDIRECT),
        ("public-client", REDIRECT),
        ("multi-client", OTHER_REDIRECT),
    ] {
        obtain_code(
            &server,
            &[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", redirect_uri),
                ("scope", "profile"),
                ("state", "xyz"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    }
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "password"),
                ("client_id", "public-client"),
                ("username", "bob"),
                ("password", "valid"),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = server
        .create_token_response(&post(
            TOKEN_URI,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    clock.advance(advance);
    server
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

// ---------------------------------------------------------------------------
// Strategies.

fn garbage() -> BoxedStrategy<String> {
    prop_oneof![
        "\\PC{0,24}",
        "(?s).{0,24}",
        "[%?#&=+;,: a-zA-Z0-9\"\\\\\u{e9}\u{1F600}\\x00\\r\\n\\t-]{0,24}",
    ]
    .boxed()
}

fn param_name() -> BoxedStrategy<String> {
    prop_oneof![
        12 => prop::sample::select(PARAM_NAMES).prop_map(str::to_owned),
        1 => prop::sample::select(&["", "Client_Id", "grant_type ", "scope[]", "%67rant_type"][..])
            .prop_map(str::to_owned),
        1 => garbage(),
    ]
    .boxed()
}

fn param_value() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop::sample::select(VALUES).prop_map(str::to_owned),
        3 => garbage(),
        1 => Just(String::new()),
    ]
    .boxed()
}

fn pairs() -> BoxedStrategy<Vec<(String, String)>> {
    prop::collection::vec((param_name(), param_value()), 0..8).boxed()
}

fn encode(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Pairs joined without any encoding (so values may break the syntax).
fn raw(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn authorization_value() -> BoxedStrategy<String> {
    let ids = prop::sample::select(
        &[
            "basic-client",
            "post-client",
            "public-client",
            "multi-client",
            "cc-only-client",
            "nobody",
            "",
            "a:b",
            "caf\u{e9}",
        ][..],
    );
    let secrets = prop::sample::select(&[SECRET, "wrong", "", ":", "%zz"][..]);
    prop_oneof![
        3 => (ids, secrets).prop_map(|(i, s)| basic(i, s)),
        1 => (garbage(), garbage()).prop_map(|(i, s)| basic(&i, &s)),
        1 => prop::collection::vec(any::<u8>(), 0..32)
            .prop_map(|b| format!("Basic {}", STANDARD.encode(b))),
        1 => garbage().prop_map(|g| format!("Basic {}", STANDARD.encode(g))),
        1 => garbage().prop_map(|g| format!("Basic {g}")),
        2 => (
            prop::sample::select(&["Bearer", "bearer", "BEARER"][..]),
            prop::sample::select(ISSUED),
        )
            .prop_map(|(s, t)| format!("{s} {t}")),
        1 => garbage().prop_map(|g| format!("Bearer {g}")),
        1 => prop::sample::select(
            &[
                "Basic",
                "Bearer",
                "Basic ",
                "Bearer ",
                "",
                " ",
                "Digest x",
                "Basic  YmFzaWMtY2xpZW50OnMzY3JldA==",
                "Bearer\tat-0",
                "Bearer  at-0",
            ][..],
        )
        .prop_map(str::to_owned),
        1 => garbage(),
    ]
    .boxed()
}

fn content_type() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(
            &[
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=UTF-8",
                "APPLICATION/X-WWW-FORM-URLENCODED",
                "application/json",
                "",
                "multipart/form-data; boundary=x",
                "text/plain",
                ";",
            ][..],
        )
        .prop_map(str::to_owned),
        1 => garbage(),
    ]
    .boxed()
}

fn header() -> BoxedStrategy<(String, String)> {
    prop_oneof![
        4 => (
            prop::sample::select(&["Authorization", "authorization", "AUTHORIZATION"][..]),
            authorization_value(),
        )
            .prop_map(|(n, v)| (n.to_owned(), v)),
        2 => (
            prop::sample::select(&["Content-Type", "content-type"][..]),
            content_type(),
        )
            .prop_map(|(n, v)| (n.to_owned(), v)),
        1 => (garbage(), garbage()),
    ]
    .boxed()
}

fn method() -> BoxedStrategy<Method> {
    prop_oneof![
        4 => Just(Method::Post),
        3 => Just(Method::Get),
        1 => prop::sample::select(&["PUT", "DELETE", "HEAD", "get", "Post", "", "OPTIONS"][..])
            .prop_map(Method::parse),
        1 => garbage().prop_map(|g| Method::parse(&g)),
    ]
    .boxed()
}

const BASES: &[&str] = &[
    "https://as.example/token",
    "https://as.example/authorize",
    "http://as.example/authorize",
    "HTTPS://as.example/revoke",
    "/authorize",
    "",
    "https://",
    "https:/\u{e9}x",
    "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
    "https://as.example/cb?",
    "?",
    "#",
];

fn uri() -> BoxedStrategy<String> {
    let query = prop_oneof![
        1 => Just(String::new()),
        3 => pairs().prop_map(|p| format!("?{}", encode(&p))),
        2 => pairs().prop_map(|p| format!("?{}", raw(&p))),
        1 => garbage().prop_map(|g| format!("?{g}")),
    ];
    let fragment = prop_oneof![
        4 => Just(String::new()),
        1 => prop::sample::select(
            &["#", "#frag", "#?code=code-0", "#access_token=at-0&state=x", "##?"][..],
        )
        .prop_map(str::to_owned),
        1 => garbage().prop_map(|g| format!("#{g}")),
    ];
    prop_oneof![
        6 => (prop::sample::select(BASES), query, fragment)
            .prop_map(|(b, q, f)| format!("{b}{q}{f}")),
        1 => garbage(),
        1 => (garbage(), garbage()).prop_map(|(a, b)| format!("https://as.example/{a}?{b}")),
    ]
    .boxed()
}

fn form() -> BoxedStrategy<Params> {
    prop_oneof![
        1 => Just(Params::default()),
        4 => pairs().prop_map(Params::from_pairs),
        1 => pairs().prop_map(|p| Params::parse(&raw(&p))),
        1 => garbage().prop_map(|g| Params::parse(&g)),
    ]
    .boxed()
}

/// `None` keeps what the URI says; `Some` is what an adapter behind a
/// proxy would set.
fn secure() -> BoxedStrategy<Option<bool>> {
    prop_oneof![3 => Just(None), 1 => any::<bool>().prop_map(Some)].boxed()
}

fn build(
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    form: Params,
    secure: Option<bool>,
) -> OAuth2Request {
    let mut request = OAuth2Request::new(method, uri);
    request.headers = headers;
    request.form = form;
    if let Some(secure) = secure {
        request.secure = secure;
    }
    request
}

fn random_request() -> BoxedStrategy<OAuth2Request> {
    (
        method(),
        uri(),
        prop::collection::vec(header(), 0..4),
        form(),
        secure(),
    )
        .prop_map(|(m, u, h, f, s)| build(m, u, h, f, s))
        .boxed()
}

/// A valid request of some endpoint, before mutation.
struct Template {
    post: bool,
    uri: &'static str,
    /// Parameters go in the query (else the form body).
    in_query: bool,
    headers: &'static [(&'static str, &'static str)],
    params: &'static [(&'static str, &'static str)],
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

const TEMPLATES: &[Template] = &[
    Template {
        post: false,
        uri: "https://as.example/authorize",
        in_query: true,
        headers: &[],
        params: &[
            ("response_type", "code"),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "profile"),
            ("state", "xyz"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    },
    Template {
        post: false,
        uri: "https://as.example/authorize",
        in_query: true,
        headers: &[],
        params: &[
            ("response_type", "token"),
            ("client_id", "basic-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "profile email"),
            ("state", "s t"),
        ],
    },
    Template {
        post: false,
        uri: "https://as.example/authorize",
        in_query: true,
        headers: &[],
        params: &[
            ("response_type", "code"),
            ("client_id", "multi-client"),
            ("redirect_uri", OTHER_REDIRECT),
            ("state", "xyz"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    },
    Template {
        post: true,
        uri: "https://as.example/authorize",
        in_query: false,
        headers: &[FORM],
        params: &[
            ("response_type", "code"),
            ("client_id", "public-client"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    },
    Template {
        post: true,
        uri: TOKEN_URI,
        in_query: false,
        headers: &[("Authorization", BASIC_OK), FORM],
        params: &[
            ("grant_type", "authorization_code"),
            ("code", "code-0"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    },
    Template {
        post: true,
        uri: TOKEN_URI,
        in_query: false,
        headers: &[FORM],
        params: &[
            ("grant_type", "authorization_code"),
            ("code", "code-1"),
            ("client_id", "public-client"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    },
    Template {
        post: true,
        uri: TOKEN_URI,
        in_query: false,
        headers: &[("Authorization", BASIC_OK), FORM],
        params: &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-0"),
            ("scope", "profile"),
        ],
    },
    Template {
        post: true,
        uri: TOKEN_URI,
        in_query: false,
        headers: &[FORM],
        params: &[
            ("grant_type", "password"),
            ("client_id", "post-client"),
            ("client_secret", SECRET),
            ("username", "alice"),
            ("password", "valid"),
            ("scope", "email"),
        ],
    },
    Template {
        post: true,
        uri: TOKEN_URI,
        in_query: false,
        headers: &[("Authorization", BASIC_OK), FORM],
        params: &[("grant_type", "client_credentials"), ("scope", "admin")],
    },
    Template {
        post: true,
        uri: "https://as.example/revoke",
        in_query: false,
        headers: &[("Authorization", BASIC_OK), FORM],
        params: &[("token", "at-0"), ("token_type_hint", "access_token")],
    },
    Template {
        post: true,
        uri: "https://as.example/introspect",
        in_query: false,
        headers: &[FORM],
        params: &[
            ("token", "at-2"),
            ("client_id", "post-client"),
            ("client_secret", SECRET),
            ("token_type_hint", "refresh_token"),
        ],
    },
    Template {
        post: true,
        uri: "https://as.example/revoke",
        in_query: false,
        headers: &[FORM],
        params: &[("token", "rt-1"), ("client_id", "public-client")],
    },
    Template {
        post: false,
        uri: "https://api.example/resource?access_token=at-2",
        in_query: true,
        headers: &[("Authorization", "Bearer at-0")],
        params: &[],
    },
    Template {
        post: true,
        uri: "https://api.example/resource",
        in_query: false,
        headers: &[FORM],
        params: &[("access_token", "at-1")],
    },
];

#[derive(Debug, Clone)]
enum Mutation {
    Drop(usize),
    Set(usize, String),
    Add(String, String),
    Duplicate(usize),
}

fn mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        (any::<usize>(), param_value()).prop_map(|(i, v)| Mutation::Set(i, v)),
        (param_name(), param_value()).prop_map(|(k, v)| Mutation::Add(k, v)),
        any::<usize>().prop_map(Mutation::Duplicate),
    ]
    .boxed()
}

fn apply(pairs: &mut Vec<(String, String)>, mutation: &Mutation) {
    let len = pairs.len();
    match mutation {
        Mutation::Drop(i) if len > 0 => {
            pairs.remove(i % len);
        }
        Mutation::Set(i, v) if len > 0 => pairs[i % len].1 = v.clone(),
        Mutation::Duplicate(i) if len > 0 => {
            let p = pairs[i % len].clone();
            pairs.push(p);
        }
        Mutation::Add(k, v) => pairs.push((k.clone(), v.clone())),
        _ => {}
    }
}

/// Which templates belong to which endpoint (indices into [`TEMPLATES`]).
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    Authorization,
    Token,
    Revocation,
    Introspection,
    Resource,
}

impl Endpoint {
    fn templates(self) -> std::ops::Range<usize> {
        match self {
            Endpoint::Authorization => 0..4,
            Endpoint::Token => 4..9,
            Endpoint::Revocation | Endpoint::Introspection => 9..12,
            Endpoint::Resource => 12..14,
        }
    }
}

fn templated_request(templates: std::ops::Range<usize>) -> BoxedStrategy<OAuth2Request> {
    (
        templates,
        prop::collection::vec(mutation(), 0..3),
        prop::collection::vec(header(), 0..2),
        prop::option::weighted(0.15, method()),
        secure(),
    )
        .prop_map(|(t, mutations, extra_headers, method, secure)| {
            let t = &TEMPLATES[t];
            let mut pairs: Vec<(String, String)> = t
                .params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            for m in &mutations {
                apply(&mut pairs, m);
            }
            let method = method.unwrap_or(if t.post { Method::Post } else { Method::Get });
            let mut headers: Vec<(String, String)> = t
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            headers.extend(extra_headers);
            let (uri, form) = if t.in_query {
                let sep = if t.uri.contains('?') { '&' } else { '?' };
                let uri = if pairs.is_empty() {
                    t.uri.to_owned()
                } else {
                    format!("{}{sep}{}", t.uri, encode(&pairs))
                };
                (uri, Params::default())
            } else {
                (t.uri.to_owned(), Params::from_pairs(pairs))
            };
            build(method, uri, headers, form, secure)
        })
        .boxed()
}

/// Requests for `endpoint`: arbitrary ones, mutated valid requests of that
/// endpoint, and mutated valid requests of any endpoint.
fn request(endpoint: Endpoint) -> BoxedStrategy<OAuth2Request> {
    prop_oneof![
        2 => random_request(),
        2 => templated_request(endpoint.templates()),
        1 => templated_request(0..TEMPLATES.len()),
    ]
    .boxed()
}

/// Configuration index, clock advance, request.
fn input(endpoint: Endpoint) -> impl Strategy<Value = (usize, i64, OAuth2Request)> {
    (
        0..CONFIGS,
        prop::sample::select(&[0i64, 0, 0, 301, 3_601, 864_001, 2_592_001][..]),
        request(endpoint),
    )
}

fn requirement() -> BoxedStrategy<ScopeRequirement> {
    let scopes = prop::collection::vec(
        prop::sample::select(&["profile", "email", "admin", "openid"][..]),
        0..3,
    );
    prop_oneof![
        Just(ScopeRequirement::None),
        scopes.clone().prop_map(ScopeRequirement::any_of),
        scopes.prop_map(ScopeRequirement::all_of),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Invariants.

/// RFC 6749 §5.2: `error` and `error_description` use %x20-21 / %x23-5B /
/// %x5D-7E only.
fn is_error_text(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

const TOKEN_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
];

const REVOCATION_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_token_type",
    "server_error",
    "temporarily_unavailable",
];

const AUTHORIZATION_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
];

/// No header can carry a line break or NUL (no response splitting).
fn check_headers(r: &OAuth2Response) -> Result<(), TestCaseError> {
    for (k, v) in &r.headers {
        prop_assert!(
            !k.bytes()
                .chain(v.bytes())
                .any(|b| b == b'\r' || b == b'\n' || b == 0),
            "control character in header {k:?}: {v:?}"
        );
    }
    Ok(())
}

/// A JSON error body with a known `error` and a well-formed description.
fn check_json_error(r: &OAuth2Response, codes: &[&str]) -> Result<(), TestCaseError> {
    let body = r.json_body();
    let error = body.get("error").and_then(|e| e.as_str());
    prop_assert!(error.is_some(), "error response without `error`: {r:?}");
    let error = error.unwrap_or_default();
    prop_assert!(codes.contains(&error), "unexpected error {error:?}: {r:?}");
    prop_assert!(is_error_text(error), "{r:?}");
    if let Some(d) = body.get("error_description") {
        prop_assert!(
            d.as_str().is_some_and(is_error_text),
            "error_description outside the §5.2 charset: {r:?}"
        );
    }
    Ok(())
}

/// RFC 6749 §5.1/§5.2: no caching.
fn check_no_store(r: &OAuth2Response) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.header("Cache-Control"), Some("no-store"), "{:?}", r);
    prop_assert_eq!(r.header("Pragma"), Some("no-cache"), "{:?}", r);
    Ok(())
}

/// Every `client_id` the request names, in the form, the query, or the
/// user part of a Basic header.
fn claimed_client_ids(request: &OAuth2Request) -> Vec<String> {
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

/// The redirect URIs registered by the clients the request names.
fn allowed_redirects(request: &OAuth2Request) -> Vec<String> {
    let ids = claimed_client_ids(request);
    clients()
        .into_iter()
        .filter(|c| ids.contains(&c.client_id))
        .flat_map(|c| c.metadata.redirect_uris)
        .collect()
}

/// Whether `location` is one of `allowed` with parameters added.
fn is_registered_target(location: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|r| {
        location
            .strip_prefix(r.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('?') || rest.starts_with('#'))
    })
}

fn location_params(location: &str) -> Vec<(String, String)> {
    let part = match location.split_once('#') {
        Some((_, fragment)) => fragment,
        None => location.split_once('?').map(|(_, q)| q).unwrap_or(""),
    };
    form_urlencoded::parse(part.as_bytes())
        .into_owned()
        .collect()
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The single non-empty value of `name` in `params`, if it occurs once.
fn single(params: &Params, name: &str) -> Option<String> {
    let values: Vec<&str> = params
        .iter()
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .collect();
    match values.as_slice() {
        [v] if !v.is_empty() => Some((*v).to_owned()),
        _ => None,
    }
}

/// RFC 6749 §3.1.2, §4.1.2, §4.1.2.1, §4.2.2.1: redirects only to a
/// registered URI of the client, errors well-formed, `state` returned.
fn check_authorization_response(
    r: &OAuth2Response,
    request: &OAuth2Request,
    allowed: &[String],
) -> Result<(), TestCaseError> {
    check_headers(r)?;
    prop_assert!(
        matches!(r.status, 302 | 400 | 500 | 503),
        "unexpected status: {r:?}"
    );
    if r.status != 302 {
        prop_assert!(r.header("Location").is_none(), "{r:?}");
        return check_json_error(r, AUTHORIZATION_ERRORS);
    }
    let location = r.header("Location");
    prop_assert!(location.is_some(), "redirect without Location: {r:?}");
    let location = location.unwrap_or_default();
    prop_assert!(
        is_registered_target(location, allowed),
        "redirect to an unregistered URI {location:?} (allowed: {allowed:?}) for {request:?}"
    );
    let params = location_params(location);
    if let Some(error) = get(&params, "error") {
        prop_assert!(AUTHORIZATION_ERRORS.contains(&error), "{r:?}");
        prop_assert!(get(&params, "code").is_none(), "{r:?}");
        prop_assert!(get(&params, "access_token").is_none(), "{r:?}");
        if let Some(d) = get(&params, "error_description") {
            prop_assert!(is_error_text(d), "error_description charset: {r:?}");
        }
    } else {
        prop_assert!(
            get(&params, "code").is_some() || get(&params, "access_token").is_some(),
            "a redirect with neither error nor grant: {r:?}"
        );
    }
    if request.method == Method::Get
        && let Some(state) = single(&request.query, "state")
    {
        prop_assert_eq!(
            get(&params, "state"),
            Some(state.as_str()),
            "state not returned: {:?} for {:?}",
            r,
            request
        );
    }
    Ok(())
}

fn bearer_request(token: &str) -> OAuth2Request {
    OAuth2Request::get("https://api.example/resource")
        .with_header("Authorization", format!("Bearer {token}"))
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn rfc6749_5_token_endpoint_never_panics_and_answers_per_5_1_and_5_2(
        (config_index, advance, request) in input(Endpoint::Token)
    ) {
        let rt = runtime();
        rt.block_on(async {
            let server = fixture(config_index, advance).await;
            let before = server.storage().token_count();
            let r = server.create_token_response(&request).await;
            check_headers(&r)?;
            prop_assert!(
                matches!(r.status, 200 | 400 | 401 | 405 | 500 | 503),
                "unexpected status: {:?}", r
            );
            check_no_store(&r)?;
            prop_assert_eq!(r.status == 405, request.method != Method::Post, "{:?}", r);
            if r.status == 401 {
                prop_assert!(r.header("WWW-Authenticate").is_some(), "401 without challenge: {:?}", r);
            }
            if r.status == 200 {
                prop_assert!(request.secure || server.config().insecure_transport);
                let body = r.json_body();
                let token = body["access_token"].as_str();
                prop_assert!(token.is_some(), "{:?}", r);
                prop_assert_eq!(&body["token_type"], "Bearer");
                prop_assert!(body["expires_in"].as_i64().is_some_and(|e| e > 0), "{:?}", r);
                if let Some(scope) = body.get("scope") {
                    prop_assert!(
                        scope.as_str().is_some_and(|s| Scope::parse(s).is_ok()),
                        "{:?}", r
                    );
                }
                prop_assert_eq!(server.storage().token_count(), before + 1);
                let valid = server
                    .validate_bearer(&bearer_request(token.unwrap_or_default()), &ScopeRequirement::None)
                    .await;
                prop_assert!(valid.is_ok(), "issued token does not validate: {:?}", valid);
            } else {
                check_json_error(&r, TOKEN_ERRORS)?;
                prop_assert_eq!(server.storage().token_count(), before, "{:?}", r);
            }
            Ok(())
        })?;
    }

    #[test]
    fn rfc6749_4_1_2_authorization_endpoint_never_panics_nor_redirects_elsewhere(
        (config_index, advance, request) in input(Endpoint::Authorization)
    ) {
        let rt = runtime();
        rt.block_on(async {
            let server = fixture(config_index, advance).await;
            let counts = |s: &Server| (s.storage().token_count(), s.storage().code_count());
            let allowed = allowed_redirects(&request);
            let before = counts(&server);
            match server.validate_authorization_request(&request).await {
                Ok(valid) => {
                    prop_assert!(
                        valid.client.metadata.redirect_uris.contains(&valid.redirect_uri),
                        "{:?}", valid
                    );
                    prop_assert!(allowed.contains(&valid.redirect_uri), "{:?}", valid);
                }
                Err(e) => {
                    if let AuthorizationError::Redirect { redirect_uri, .. } = &e {
                        prop_assert!(allowed.contains(redirect_uri), "{:?} for {:?}", e, request);
                    }
                    prop_assert!(is_error_text(&e.error().description), "{:?}", e);
                    check_authorization_response(&e.to_response(server.config()), &request, &allowed)?;
                }
            }
            prop_assert_eq!(counts(&server), before, "validation changed storage");

            let r = server.create_authorization_response(&request, Consent::Denied).await;
            check_authorization_response(&r, &request, &allowed)?;
            if r.status == 302 {
                let params = location_params(r.header("Location").unwrap_or_default());
                prop_assert!(get(&params, "error").is_some(), "denied without error: {:?}", r);
            }
            prop_assert_eq!(counts(&server), before, "a denial changed storage: {:?}", r);

            let granted = Consent::Granted { user_id: "alice".into() };
            let r = server.create_authorization_response(&request, granted).await;
            check_authorization_response(&r, &request, &allowed)?;
            let params = location_params(r.header("Location").unwrap_or_default());
            let (tokens, codes) = before;
            let expected = if r.status != 302 || get(&params, "error").is_some() {
                (tokens, codes)
            } else if get(&params, "code").is_some() {
                (tokens, codes + 1)
            } else {
                (tokens + 1, codes)
            };
            prop_assert_eq!(counts(&server), expected, "{:?}", r);
            Ok(())
        })?;
    }

    #[test]
    fn rfc7009_2_revocation_endpoint_never_panics_nor_touches_other_clients_tokens(
        (config_index, advance, request) in input(Endpoint::Revocation)
    ) {
        let rt = runtime();
        rt.block_on(async {
            let server = fixture(config_index, advance).await;
            let before = server.storage().tokens();
            let r = server.create_revocation_response(&request).await;
            let after = server.storage().tokens();
            check_headers(&r)?;
            prop_assert!(
                matches!(r.status, 200 | 400 | 401 | 405 | 500 | 503),
                "unexpected status: {:?}", r
            );
            prop_assert_eq!(r.status == 405, request.method != Method::Post, "{:?}", r);
            if r.status == 401 {
                prop_assert!(r.header("WWW-Authenticate").is_some(), "401 without challenge: {:?}", r);
            }
            prop_assert_eq!(after.len(), before.len());
            if r.status == 200 {
                prop_assert!(request.secure || server.config().insecure_transport);
                let claimed = claimed_client_ids(&request);
                for (b, a) in before.iter().zip(&after) {
                    if a != b {
                        prop_assert!(
                            claimed.contains(&a.token.client_id),
                            "revoked a token of {:?} for {:?}", a.token.client_id, request
                        );
                    }
                }
            } else {
                check_json_error(&r, REVOCATION_ERRORS)?;
                prop_assert!(after == before, "a refused revocation changed storage: {:?}", r);
            }
            Ok(())
        })?;
    }

    #[test]
    fn rfc7662_2_introspection_endpoint_never_panics_nor_leaks(
        (config_index, advance, request) in input(Endpoint::Introspection)
    ) {
        let rt = runtime();
        rt.block_on(async {
            let server = fixture(config_index, advance).await;
            let before = server.storage().tokens();
            let r = server.create_introspection_response(&request).await;
            check_headers(&r)?;
            prop_assert!(server.storage().tokens() == before, "introspection changed storage");
            prop_assert!(
                matches!(r.status, 200 | 400 | 401 | 405 | 500 | 503),
                "unexpected status: {:?}", r
            );
            prop_assert_eq!(r.status == 405, request.method != Method::Post, "{:?}", r);
            check_no_store(&r)?;
            if r.status == 401 {
                prop_assert!(r.header("WWW-Authenticate").is_some(), "401 without challenge: {:?}", r);
            }
            if r.status != 200 {
                return check_json_error(&r, TOKEN_ERRORS);
            }
            prop_assert!(request.secure || server.config().insecure_transport);
            let body = r.json_body();
            match body.get("active").and_then(|a| a.as_bool()) {
                Some(false) => prop_assert_eq!(&body, &serde_json::json!({ "active": false })),
                Some(true) => {
                    let owner = body["client_id"].as_str().unwrap_or_default();
                    prop_assert!(owner != "public-client", "{:?}", r);
                    prop_assert!(
                        claimed_client_ids(&request).iter().any(|c| c == owner),
                        "introspected a token of {:?} for {:?}", owner, request
                    );
                    if let Some(exp) = body.get("exp") {
                        prop_assert!(exp.as_i64().is_some_and(|e| e > server.now()), "{:?}", r);
                    }
                    if let Some(scope) = body.get("scope") {
                        prop_assert!(
                            scope.as_str().is_some_and(|s| Scope::parse(s).is_ok()),
                            "{:?}", r
                        );
                    }
                }
                None => prop_assert!(false, "no boolean `active`: {:?}", r),
            }
            Ok(())
        })?;
    }

    #[test]
    fn rfc6750_3_bearer_validation_never_panics_and_challenges_per_3_1(
        (config_index, advance, request) in input(Endpoint::Resource),
        required in requirement(),
    ) {
        let rt = runtime();
        rt.block_on(async {
            let server = fixture(config_index, advance).await;
            let before = server.storage().tokens();
            let result = server.validate_bearer(&request, &required).await;
            prop_assert!(server.storage().tokens() == before, "validation changed storage");
            match result {
                Ok(token) => {
                    prop_assert!(request.secure || server.config().insecure_transport);
                    prop_assert!(!token.is_access_token_revoked(), "{:?}", token);
                    prop_assert!(!token.is_expired(server.now()), "{:?}", token);
                    prop_assert!(required.is_satisfied_by(&token.scope()), "{:?}", token);
                }
                Err(e) => {
                    let r = e.to_response(server.config());
                    check_headers(&r)?;
                    prop_assert!(matches!(r.status, 400 | 401 | 403), "{:?}", r);
                    prop_assert_eq!(e.status(), r.status);
                    let challenge = r.header("WWW-Authenticate").unwrap_or_default();
                    prop_assert!(challenge.starts_with("Bearer"), "{:?}", r);
                    match &e.error {
                        None => {
                            prop_assert_eq!(r.status, 401);
                            prop_assert!(!challenge.contains("error="), "{:?}", r);
                        }
                        Some(error) => {
                            let code = error.code.as_str();
                            prop_assert!(
                                ["invalid_request", "invalid_token", "insufficient_scope"]
                                    .contains(&code),
                                "{:?}", e
                            );
                            prop_assert!(is_error_text(&error.description), "{:?}", e);
                            prop_assert!(
                                challenge.contains(&format!("error=\"{code}\"")),
                                "{:?}", r
                            );
                            prop_assert_eq!(&r.json_body()["error"], code);
                            if r.status == 403 {
                                prop_assert!(required != ScopeRequirement::None);
                                prop_assert!(challenge.contains("scope=\""), "{:?}", r);
                            }
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
}

#[test]
fn fixture_header_constant_is_basic_client_credentials() {
    assert_eq!(BASIC_OK, basic("basic-client", SECRET));
}

#[test]
fn fixture_issues_the_predictable_values() {
    runtime().block_on(async {
        let server = fixture(0, 0).await;
        for token in ["at-0", "at-1", "at-2"] {
            server
                .validate_bearer(&bearer_request(token), &ScopeRequirement::None)
                .await
                .unwrap_or_else(|e| panic!("{token}: {e:?}"));
        }
        assert_eq!(server.storage().code_count(), 3);
        let r = server
            .create_token_response(&token_request(&[
                ("grant_type", "authorization_code"),
                ("code", "code-0"),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ]))
            .await;
        assert_eq!(r.status, 200, "{r:?}");
        let r = server
            .create_token_response(&token_request(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "rt-0"),
            ]))
            .await;
        assert_eq!(r.status, 200, "{r:?}");
    });
}
