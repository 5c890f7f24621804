//! Fuzz targets for the parsers that see attacker bytes first: form and
//! query decoding, the `Authorization` header parsers (Basic, Bearer,
//! OAuth 1), redirect URI validation, client metadata JSON, and the OAuth 1
//! signature base string.
//!
//! Each target is a bolero harness: under `cargo test` it runs random
//! inputs for `BOLERO_RANDOM_TEST_TIME_MS` (1 s by default) plus the files
//! under `tests/__fuzz__/fuzz_parsers__<target>/{corpus,crashes}`; under
//! `cargo bolero test` it runs under libFuzzer (or AFL) for as long as
//! asked. Beyond "no panic", each checks a property of its parser.

mod fuzz_common;
use fuzz_common::*;

use bolero::{TypeGenerator, check, produce};
use oauth_core::config::Bearer;
use oauth_core::oauth1::rfc5849::params::{parse_authorization_header, percent_decode};
use oauth_core::oauth1::rfc5849::signature::{
    base_string, base_string_uri, normalize_parameters, percent_encode, request_base_string_uri,
};
use oauth_core::oauth2::rfc6749::client_auth::presented_credentials;
use oauth_core::oauth2::rfc6750::extract_bearer_token;
use oauth_core::oauth2::rfc7591::{parse_metadata, validate_redirect_uri};
use oauth_core::{Challenge, ClientAuthMethod, Config, ErrorCode, OAuth2Request, Params};

// ---------------------------------------------------------------------------
// Params::parse (RFC 6749 §3.1, application/x-www-form-urlencoded).

#[derive(Debug, Clone, TypeGenerator)]
enum FormInput {
    Bytes(#[generator(produce::<Vec<u8>>().with().len(0usize..256))] Vec<u8>),
    Text(#[generator(produce::<Vec<Text>>().with().len(0usize..8))] Vec<Text>),
}

const FORM_PIECES: &[&str] = &[
    "grant_type",
    "=",
    "&",
    "%",
    "%2",
    "%zz",
    "%C3",
    "%C3%A9",
    "+",
    "%2B",
    "code",
    "a=1",
    "a=",
    "=b",
    "&&",
    ";",
    "%00",
    "%FF",
];

#[test]
fn params_parse() {
    check!()
        .with_type::<FormInput>()
        .with_test_time(DEFAULT_TEST_TIME)
        .for_each(|input| {
            let text = match input {
                FormInput::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                FormInput::Text(parts) => parts.iter().map(|t| t.render(FORM_PIECES)).collect(),
            };
            let params = Params::parse(&text);
            // Decoding then encoding then decoding is stable.
            let pairs: Vec<(String, String)> = params
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let mut s = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &pairs {
                s.append_pair(k, v);
            }
            let again = Params::parse(&s.finish());
            assert_eq!(again, params, "{text:?}");
            // §3.1: `single` sees every duplicate and treats empty as absent.
            for (name, _) in &pairs {
                let values: Vec<&str> = pairs
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
                    .collect();
                match params.single(name) {
                    Err(e) => {
                        assert!(values.len() > 1, "{name:?} in {text:?}");
                        assert_eq!(e.code, ErrorCode::InvalidRequest);
                        assert!(is_error_text(&e.description));
                    }
                    Ok(found) => {
                        assert_eq!(values.len(), 1, "{name:?} in {text:?}");
                        assert_eq!(found, Some(values[0]).filter(|v| !v.is_empty()));
                    }
                }
            }
            // The engine's request constructor decodes the same query.
            let request = OAuth2Request::get(format!("https://as.example/a?{text}"));
            let query: String = text.split('#').next().unwrap_or_default().to_owned();
            assert_eq!(request.query, Params::parse(&query));
        });
}

// ---------------------------------------------------------------------------
// Authorization: Basic (RFC 6749 §2.3.1, RFC 7617).

#[derive(Debug, Clone, TypeGenerator)]
enum BasicInput {
    /// A header built correctly from an id and a secret.
    Encoded { id: Text, secret: Text },
    /// Any header value.
    Header(AuthSpec),
    /// `Basic ` and the base64 of arbitrary bytes.
    Bytes(#[generator(produce::<Vec<u8>>().with().len(0usize..64))] Vec<u8>),
}

#[test]
fn basic_header() {
    let reach = Reach::new(&["credentials", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<BasicInput>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let (header, expected) = match input {
                    BasicInput::Encoded { id, secret } => {
                        let (id, secret) = (id.render(CLIENT_IDS), secret.render(SECRETS));
                        (basic(&id, &secret), Some((id, secret)))
                    }
                    BasicInput::Header(spec) => (spec.render(&["at-0", "x"]), None),
                    BasicInput::Bytes(bytes) => (
                        format!(
                            "Basic {}",
                            base64::Engine::encode(
                                &base64::engine::general_purpose::STANDARD,
                                bytes
                            )
                        ),
                        None,
                    ),
                };
                let request = OAuth2Request::post("https://as.example/token")
                    .with_header("Authorization", header.clone())
                    .with_form([("grant_type", "client_credentials")]);
                let result = presented_credentials(&request);
                match (&result, &expected) {
                    // An encoded pair always comes back as it was (an empty id is
                    // not a client).
                    (_, Some((id, secret))) if !id.is_empty() => {
                        let c = result
                            .as_ref()
                            .unwrap_or_else(|e| panic!("{header:?}: {e:?}"))
                            .as_ref()
                            .expect("credentials");
                        assert_eq!(&c.client_id, id);
                        assert_eq!(
                            c.client_secret.as_ref().map(|s| s.secret()),
                            Some(secret.as_str())
                        );
                        assert_eq!(c.method, ClientAuthMethod::ClientSecretBasic);
                    }
                    (Ok(Some(c)), _) => {
                        reach.hit("credentials");
                        assert!(!c.client_id.is_empty(), "{header:?}");
                        assert_eq!(c.method, ClientAuthMethod::ClientSecretBasic, "{header:?}");
                    }
                    (Ok(None), _) => panic!("an Authorization header was ignored: {header:?}"),
                    (Err(e), _) => {
                        reach.hit("refused");
                        // A refused Authorization header is answered with its
                        // challenge (RFC 6749 §5.2).
                        if e.code == ErrorCode::InvalidClient {
                            assert_eq!(e.challenge, Some(Challenge::Basic), "{header:?}");
                        }
                        assert!(
                            matches!(e.code, ErrorCode::InvalidClient | ErrorCode::InvalidRequest),
                            "{e:?}"
                        );
                        assert!(is_error_text(&e.description), "{e:?}");
                    }
                }
            });
    });
}

// ---------------------------------------------------------------------------
// Authorization: Bearer (RFC 6750 §2).

#[derive(Debug, Clone, TypeGenerator)]
struct BearerInput {
    header: Option<AuthSpec>,
    second_header: Option<AuthSpec>,
    form_token: Option<Text>,
    query_token: Option<Text>,
    form_encoded: bool,
    post: bool,
    body_allowed: bool,
    query_allowed: bool,
}

const BEARER_TOKENS: &[&str] = &["at-0", "abc-._~+/==", "a b", "==", "a,b", "\u{e9}", ""];

fn is_b64token(value: &str) -> bool {
    let body = value.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

#[test]
fn bearer_header() {
    check!()
        .with_type::<BearerInput>()
        .with_test_time(DEFAULT_TEST_TIME)
        .for_each(|input| {
            let mut query = String::new();
            if let Some(t) = &input.query_token {
                query = format!("?access_token={}", http_encode(&t.render(BEARER_TOKENS)));
            }
            let uri = format!("https://api.example/r{query}");
            let mut request = if input.post {
                OAuth2Request::post(uri)
            } else {
                OAuth2Request::get(uri)
            };
            for h in [&input.header, &input.second_header].into_iter().flatten() {
                request = request.with_header("Authorization", h.render(BEARER_TOKENS));
            }
            if let Some(t) = &input.form_token {
                let pairs = [("access_token", t.render(BEARER_TOKENS))];
                request = if input.form_encoded {
                    request.with_form(pairs)
                } else {
                    request.form = Params::from_pairs(pairs);
                    request
                };
            }
            let config = Config {
                bearer: Bearer {
                    in_body: input.body_allowed,
                    in_query: input.query_allowed,
                },
                ..Config::default()
            };
            match extract_bearer_token(&request, &config) {
                Ok(Some(token)) => {
                    // With a Bearer header, the token is the header's (a
                    // second place would be an error).
                    let bearer_header = request.headers.iter().any(|(k, v)| {
                        k.eq_ignore_ascii_case("authorization")
                            && v.split_once(' ')
                                .map_or(v.as_str(), |(s, _)| s)
                                .eq_ignore_ascii_case("bearer")
                    });
                    if bearer_header {
                        assert!(is_b64token(token), "{token:?} from {request:?}");
                    } else {
                        assert!(
                            input.body_allowed || input.query_allowed,
                            "token taken from a place not allowed: {request:?}"
                        );
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    let status = e.status();
                    assert!(matches!(status, 400 | 401), "{e:?}");
                    let r = e.to_response(&config);
                    check_headers(&r);
                    assert!(r.header("WWW-Authenticate").is_some(), "{r:?}");
                }
            }
        });
}

fn http_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ---------------------------------------------------------------------------
// Authorization: OAuth (RFC 5849 §3.5.1).

#[derive(Debug, Clone, TypeGenerator)]
enum OAuth1HeaderInput {
    /// Pairs, encoded as §3.5.1 says, joined with a separator.
    Pairs {
        #[generator(produce::<Vec<Pair>>().with().len(0usize..6))]
        pairs: Vec<Pair>,
        separator: u8,
        scheme: u8,
    },
    /// Pieces of header syntax.
    Pieces(#[generator(produce::<Vec<Text>>().with().len(0usize..12))] Vec<Text>),
    /// Anything.
    Raw(#[generator(produce::<String>().with().len(0usize..128))] String),
}

const OAUTH1_NAMES: &[&str] = &[
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature",
    "oauth_nonce",
    "realm",
    "a",
    "oauth_version",
];
const OAUTH1_VALUES: &[&str] = &[
    "printer",
    "wOJIO9A2W5mFwDgiDvZbTSMK/PY=",
    "1.0",
    "a b",
    "%",
    "\"",
    "\\",
];
const OAUTH1_PIECES: &[&str] = &[
    "OAuth",
    "OAuth ",
    "oauth",
    " ",
    ",",
    "=",
    "\"",
    "\\",
    "realm",
    "oauth_token",
    "\"x\"",
    "%",
    "%2",
    "%zz",
    "%C3",
    "\r\n ",
    "\t",
    ",,",
];

#[test]
fn oauth1_header() {
    check!()
        .with_type::<OAuth1HeaderInput>()
        .with_test_time(DEFAULT_TEST_TIME)
        .for_each(|input| match input {
            OAuth1HeaderInput::Pairs {
                pairs,
                separator,
                scheme,
            } => {
                let pairs: Vec<(String, String)> = pairs
                    .iter()
                    .map(|p| p.render(OAUTH1_NAMES, OAUTH1_VALUES))
                    .filter(|(k, _)| !k.is_empty())
                    .collect();
                let sep = [", ", ",", " ,\r\n  ", ",,"][usize::from(*separator) % 4];
                let scheme = ["OAuth", "oauth", "OAUTH"][usize::from(*scheme) % 3];
                let body: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}=\"{}\"", percent_encode(k), percent_encode(v)))
                    .collect();
                let header = format!("{scheme} {}", body.join(sep));
                let parsed = parse_authorization_header(&header)
                    .unwrap_or_else(|e| panic!("{header:?}: {e:?}"))
                    .expect("OAuth scheme");
                assert_eq!(parsed, pairs, "{header:?}");
            }
            OAuth1HeaderInput::Pieces(pieces) => {
                let header: String = pieces.iter().map(|t| t.render(OAUTH1_PIECES)).collect();
                check_oauth1_header(&header);
            }
            OAuth1HeaderInput::Raw(header) => check_oauth1_header(header),
        });
}

fn check_oauth1_header(header: &str) {
    match parse_authorization_header(header) {
        Ok(None) => {
            let scheme = header
                .trim_start_matches([' ', '\t', '\r', '\n'])
                .split([' ', '\t', '\r', '\n'])
                .next()
                .unwrap_or_default();
            assert!(!scheme.eq_ignore_ascii_case("oauth"), "{header:?}");
        }
        Ok(Some(pairs)) => {
            for (name, _) in &pairs {
                assert!(!name.is_empty(), "{header:?}");
            }
        }
        Err(e) => assert_eq!(e.code.as_str(), "invalid_request", "{header:?}"),
    }
}

// ---------------------------------------------------------------------------
// Redirect URI validation (RFC 6749 §3.1.2, RFC 7591 §2, RFC 8252 §7).

#[derive(Debug, Clone, TypeGenerator)]
struct RedirectInput {
    #[generator(produce::<Vec<Text>>().with().len(1usize..8))]
    pieces: Vec<Text>,
    allow_http: bool,
}

const URI_PIECES: &[&str] = &[
    "https://",
    "http://",
    "HTTPS://",
    "client.example",
    "127.0.0.1",
    "localhost",
    "[::1]",
    ":8443",
    ":",
    "/cb",
    "/",
    "?x=1",
    "#f",
    "@",
    "user@",
    "evil.example",
    "javascript:",
    "data:",
    "com.example.app:/cb",
    "..",
    "%2F",
    " ",
    "\\",
    "//",
    "file://",
];

#[test]
fn redirect_uri() {
    let reach = Reach::new(&["accepted", "refused", "accepted http(s)"]);
    reach.until_all(|| {
        check!()
            .with_type::<RedirectInput>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let uri: String = input.pieces.iter().map(|t| t.render(URI_PIECES)).collect();
                match validate_redirect_uri(&uri, input.allow_http) {
                    Err(e) => {
                        reach.hit("refused");
                        assert_eq!(e.code, ErrorCode::InvalidRedirectUri, "{uri:?}");
                        assert!(is_error_text(&e.description), "{e:?}");
                    }
                    Ok(()) => {
                        reach.hit("accepted");
                        assert!(!uri.contains('#'), "fragment accepted: {uri:?}");
                        assert!(
                            !uri.chars().any(|c| c.is_whitespace() || c.is_control()),
                            "whitespace accepted: {uri:?}"
                        );
                        let (scheme, rest) = uri.split_once(':').expect("absolute");
                        let scheme = scheme.to_ascii_lowercase();
                        assert!(
                            !["javascript", "data", "vbscript", "file"].contains(&scheme.as_str()),
                            "{uri:?}"
                        );
                        if scheme == "http" || scheme == "https" {
                            reach.hit("accepted http(s)");
                            let authority = rest.strip_prefix("//").expect("authority");
                            let authority = authority.split(['/', '?']).next().unwrap_or_default();
                            assert!(!authority.is_empty(), "{uri:?}");
                            assert!(!authority.contains('@'), "userinfo accepted: {uri:?}");
                            if scheme == "http" && !input.allow_http {
                                let host = authority
                                    .rsplit_once(':')
                                    .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
                                    .map_or(authority, |(h, _)| h);
                                assert!(
                                    ["localhost", "127.0.0.1", "[::1]"].contains(&host),
                                    "http to a non-loopback host: {uri:?}"
                                );
                            }
                        }
                    }
                }
            });
    });
}

// ---------------------------------------------------------------------------
// Client metadata JSON (RFC 7591 §2, §3.1).

#[test]
fn client_metadata() {
    let reach = Reach::new(&["parsed", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<MetadataInput>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let body = input.render();
                match parse_metadata(&body) {
                    Err(e) => {
                        reach.hit("refused");
                        assert_eq!(e.code, ErrorCode::InvalidClientMetadata, "{body:?}");
                        assert!(is_error_text(&e.description), "{e:?}");
                    }
                    Ok(metadata) => {
                        reach.hit("parsed");
                        // What was parsed serializes to JSON that parses back
                        // to the same metadata.
                        let json = serde_json::to_string(&metadata).expect("serializes");
                        let again = parse_metadata(&json)
                            .unwrap_or_else(|e| panic!("{json} does not parse again: {e:?}"));
                        assert_eq!(again, metadata, "{body:?}");
                    }
                }
            });
    });
}

// ---------------------------------------------------------------------------
// OAuth 1 signature base string (RFC 5849 §3.4.1, §3.6).

#[derive(Debug, Clone, TypeGenerator)]
struct BaseStringInput {
    #[generator(produce::<Vec<Text>>().with().len(1usize..8))]
    uri: Vec<Text>,
    method: Text,
    #[generator(produce::<Vec<Pair>>().with().len(0usize..6))]
    params: Vec<Pair>,
    host: Text,
    secure: bool,
    public_origin: Option<Text>,
}

const BASE_URI_PIECES: &[&str] = &[
    "https://",
    "http://",
    "HTTP://",
    "ftp://",
    "photos.example",
    "PHOTOS.EXAMPLE",
    "[::1]",
    "[::1",
    ":443",
    ":80",
    ":8080",
    ":99999",
    ":",
    "/photos",
    "/",
    "?a=1",
    "#f",
    "u@",
    "%20",
    "*",
];

#[test]
fn oauth1_base_string() {
    let reach = Reach::new(&["absolute", "origin-form"]);
    reach.until_all(|| {
        check!()
            .with_type::<BaseStringInput>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let uri: String = input
                    .uri
                    .iter()
                    .map(|t| t.render(BASE_URI_PIECES))
                    .collect();
                let method = input.method.render(&["GET", "post", "PUT", ""]);
                let params: Vec<(String, String)> = input
                    .params
                    .iter()
                    .map(|p| p.render(OAUTH1_NAMES, OAUTH1_VALUES))
                    .collect();

                // §3.6: encoding is reversible and uses only unreserved
                // characters and upper-case escapes.
                for (k, v) in &params {
                    for s in [k, v] {
                        let e = percent_encode(s);
                        assert!(
                            e.bytes().all(|b| b.is_ascii_alphanumeric()
                                || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%')),
                            "{e:?}"
                        );
                        assert_eq!(&percent_decode(&e).expect("decodes"), s);
                    }
                }

                // §3.4.1.2: normalisation is idempotent and lower-cases.
                if let Ok(normal) = base_string_uri(&uri) {
                    reach.hit("absolute");
                    assert_eq!(
                        base_string_uri(&normal).ok(),
                        Some(normal.clone()),
                        "{uri:?}"
                    );
                    let (scheme, rest) = normal.split_once("://").expect("absolute");
                    assert!(scheme == "http" || scheme == "https", "{normal:?}");
                    let authority = rest.split('/').next().unwrap_or_default();
                    assert_eq!(authority, authority.to_ascii_lowercase(), "{normal:?}");
                    assert!(!normal.contains(['?', '#']), "{normal:?}");
                    // §3.4.1.1: three parts, each encoded, joined by `&`.
                    let normalized =
                        normalize_parameters(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                    let base = base_string(&method, &normal, &normalized);
                    assert_eq!(base.matches('&').count(), 2, "{base:?}");
                }

                // Origin-form targets, as an adapter sees them.
                let mut request = OAuth2Request::get(uri.clone()).with_secure(input.secure);
                request.headers.push((
                    "Host".into(),
                    input.host.render(&[
                        "photos.example",
                        "PHOTOS.example:443",
                        "[::1]:8080",
                        "a b",
                        "",
                    ]),
                ));
                let origin = input
                    .public_origin
                    .as_ref()
                    .map(|t| t.render(&["https://api.example", "http://API.example:80/", "nope"]));
                if let Ok(normal) = request_base_string_uri(&request, origin.as_deref()) {
                    reach.hit("origin-form");
                    assert_eq!(
                        base_string_uri(&normal).ok(),
                        Some(normal.clone()),
                        "{uri:?}"
                    );
                }

                // §3.4.1.3.2: sorted by encoded name, then value.
                let normalized =
                    normalize_parameters(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                let items: Vec<(&str, &str)> = if normalized.is_empty() {
                    Vec::new()
                } else {
                    normalized
                        .split('&')
                        .map(|kv| kv.split_once('=').expect("name=value"))
                        .collect()
                };
                assert_eq!(items.len(), params.len(), "{normalized:?}");
                assert!(items.windows(2).all(|w| w[0] <= w[1]), "{normalized:?}");
            });
    });
}
