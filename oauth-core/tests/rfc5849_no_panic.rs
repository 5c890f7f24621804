//! No request can make the OAuth 1.0a engine panic, and every answer keeps
//! the invariants of RFC 5849 §3.2: property tests that feed arbitrary
//! methods, targets, headers and parameters to every endpoint.
//!
//! Inputs are biased towards what the engine looks at: the protocol
//! parameter names, real values (the test clients, their credentials, a
//! pending and an authorized temporary credential), `Authorization: OAuth`
//! headers with odd quoting and encodings, odd hosts and ports. Half of the
//! requests are correctly signed (HMAC-SHA1, PLAINTEXT, or RSA-SHA1 with a
//! wrong signature) and then mutated a little, so the deep paths (base
//! string, signature, nonce, storage) are reached too.

mod oauth1_common;
use oauth1_common::*;

use oauth_core::oauth1::rfc5849::client::Signer;
use oauth_core::oauth1::{OAuth1Storage, TemporaryCredentialRecord};
use oauth_core::secrets::digest;
use oauth_core::{Consent, Method, OAuth2Request, OAuth2Response, Params};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CASES: u32 = 1500;

const NAMES: &[&str] = &[
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_callback",
    "oauth_verifier",
    "realm",
    "file",
    "a",
    "",
];

const VALUES: &[&str] = &[
    CLIENT,
    RSA_CLIENT,
    RSA_ONLY_CLIENT,
    SECRET,
    TOKEN_CRED,
    TOKEN_SECRET,
    "temp-a",
    "temp-b",
    "temp-oob",
    "verif-b",
    TS,
    "1700000300",
    "0",
    "-1",
    "99999999999999999999",
    "HMAC-SHA1",
    "RSA-SHA1",
    "PLAINTEXT",
    "oob",
    CALLBACK,
    "1.0",
    "",
    "%",
    "%zz",
    "%C3",
    "\"",
    "\\",
    "é",
    "a b",
    "+",
    "photos",
];

const URIS: &[&str] = &[
    API,
    INITIATE,
    TOKEN,
    AUTHORIZE,
    "/photos",
    "/initiate?oauth_callback=oob",
    "http://photos.example/photos",
    "https://photos.example:99999/x",
    "https://photos.example:/x",
    "https://[::1]:8443/x",
    "https://[::1/x",
    "https://u@photos.example/x#frag",
    "*",
    "",
    "https://",
    "ftp://photos.example/x",
    "HTTPS://PHOTOS.EXAMPLE:443",
];

const HOSTS: &[&str] = &[
    "photos.example",
    "PHOTOS.example:443",
    "[::1]:8080",
    "a b",
    "",
    ":::",
    "é.example",
    "photos.example:0x50",
];

fn pick(pool: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        4 => proptest::sample::select(pool).prop_map(str::to_owned),
        1 => "\\PC{0,12}",
        1 => any::<String>(),
    ]
    .boxed()
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((pick(NAMES), pick(VALUES)), 0..6)
}

/// An `Authorization` value: a well-formed or nearly well-formed `OAuth`
/// header, or anything at all.
fn authorization() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            pairs(),
            any::<bool>(),
            prop_oneof![Just(", "), Just(","), Just(" "), Just(",,\r\n ")]
        )
            .prop_map(|(pairs, quoted, sep)| {
                let parts: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| {
                        if quoted {
                            format!("{k}=\"{v}\"")
                        } else {
                            format!("{k}={v}")
                        }
                    })
                    .collect();
                format!("OAuth {}", parts.join(sep))
            }),
        "(OAuth|oauth|Basic|Bearer)?[ a-z=\",\\\\%]{0,40}",
        any::<String>(),
    ]
}

/// Which credentials (index), which method (index), extra protocol
/// parameters.
type Signing = (usize, usize, Vec<(String, String)>);

#[derive(Debug, Clone)]
struct Input {
    method: String,
    uri: String,
    secure: bool,
    host: Option<String>,
    authorization: Option<String>,
    extra_headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    form_encoded: bool,
    /// Sign it properly: with which credentials and method, and with what
    /// extra protocol parameters.
    sign: Option<Signing>,
    /// Then change one thing.
    mutation: Option<(usize, String)>,
    consent: Option<bool>,
}

/// Anything at all, with a fair chance of naming a fixture credential.
fn arbitrary_input() -> impl Strategy<Value = Input> {
    (
        (
            prop_oneof![
                Just("GET".to_owned()),
                Just("POST".to_owned()),
                "[A-Za-z]{0,7}"
            ],
            pick(URIS),
            any::<bool>(),
            proptest::option::of(pick(HOSTS)),
            proptest::option::of(authorization()),
            proptest::collection::vec(
                (
                    pick(&["Authorization", "Content-Type", "Host"]),
                    "\\PC{0,30}",
                ),
                0..2,
            ),
        ),
        (
            pairs(),
            pairs(),
            any::<bool>(),
            proptest::option::of(proptest::sample::select(
                &["temp-a", "temp-b", "temp-oob", "x"][..],
            )),
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (method, uri, secure, host, authorization, extra_headers),
                (mut query, form, form_encoded, token, consent),
            )| {
                if let Some(token) = token {
                    query.push(("oauth_token".into(), token.into()));
                }
                Input {
                    method,
                    uri,
                    secure,
                    host,
                    authorization,
                    extra_headers,
                    query,
                    form,
                    form_encoded,
                    sign: None,
                    mutation: None,
                    consent,
                }
            },
        )
}

/// A correctly signed request to one of the endpoints, maybe mutated.
fn signed_input() -> impl Strategy<Value = Input> {
    (
        prop_oneof![Just("GET".to_owned()), Just("POST".to_owned())],
        proptest::sample::select(
            &[
                API,
                INITIATE,
                TOKEN,
                "/photos",
                "http://photos.example/photos",
            ][..],
        ),
        prop::bool::weighted(0.9),
        proptest::collection::vec(
            (
                pick(&["file", "a", "oauth_callback", "oauth_verifier"]),
                pick(VALUES),
            ),
            0..3,
        ),
        any::<bool>(),
        (
            0..4usize,
            0..3usize,
            proptest::collection::vec((pick(NAMES), pick(VALUES)), 0..2),
        ),
        proptest::option::weighted(0.4, (0..6usize, pick(VALUES))),
    )
        .prop_map(
            |(method, uri, secure, query, form_encoded, sign, mutation)| Input {
                method,
                uri: uri.to_owned(),
                secure,
                host: Some("photos.example".into()),
                authorization: None,
                extra_headers: Vec::new(),
                query,
                form: vec![("title".into(), "x y".into())],
                form_encoded,
                sign: Some(sign),
                mutation,
                consent: None,
            },
        )
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![arbitrary_input(), signed_input()]
}

/// Every signed request gets a nonce of its own.
static NONCE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn build(input: &Input) -> OAuth2Request {
    let mut uri = input.uri.clone();
    if !input.query.is_empty() {
        let q = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&input.query)
            .finish();
        uri = format!("{uri}{}{q}", if uri.contains('?') { '&' } else { '?' });
    }
    let mut request = OAuth2Request::new(Method::parse(&input.method), uri);
    request.secure = input.secure;
    if let Some(host) = &input.host {
        request.headers.push(("Host".into(), host.clone()));
    }
    if input.form_encoded {
        request = request.with_form(input.form.clone());
    } else {
        request.form = Params::from_pairs(input.form.clone());
    }
    if let Some((creds, method, protocol)) = &input.sign {
        let mut signer = match creds {
            0 => client(),
            1 => token_client(),
            2 => {
                let mut s = client();
                s.token = Some(("temp-b".into(), "temp-b-secret".into()));
                s
            }
            _ => {
                let mut s = Signer::new(RSA_CLIENT, "");
                s.token = Some((RSA_TOKEN_CRED.into(), TOKEN_SECRET.into()));
                s
            }
        };
        signer.signature_method = ["HMAC-SHA1", "PLAINTEXT", "RSA-SHA1"][*method].into();
        let protocol: Vec<(&str, &str)> = protocol
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let nonce = NONCE
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_string();
        let mut full = vec![("oauth_timestamp", TS), ("oauth_nonce", nonce.as_str())];
        full.extend(protocol);
        let signed = if *method == 2 {
            signer.sign_with(request.clone(), &full, |_| "AAAA".repeat(86) + "AA==")
        } else {
            signer.sign(request.clone(), &full)
        };
        if let Ok(signed) = signed {
            request = signed;
        }
    } else if let Some(auth) = &input.authorization {
        request.headers.push(("Authorization".into(), auth.clone()));
    }
    for (k, v) in &input.extra_headers {
        request.headers.push((k.clone(), v.clone()));
    }
    if let Some((what, value)) = &input.mutation {
        match what {
            0 => request.uri.push_str(&format!("&x={value}")),
            1 => request.query.push("oauth_nonce", value.clone()),
            2 => request.form.push("oauth_token", value.clone()),
            3 => request.secure = !request.secure,
            4 => {
                for (k, v) in &mut request.headers {
                    if k == "Authorization" {
                        v.push_str(value);
                    }
                }
            }
            _ => request.method = Method::parse(value),
        }
    }
    request
}

/// What every error answer must look like (§3.2).
fn check(response: &OAuth2Response) -> Result<(), TestCaseError> {
    prop_assert!(
        [200, 302, 400, 401, 403, 405].contains(&response.status),
        "status {}",
        response.status
    );
    if response.status >= 400 {
        let body = form(response);
        prop_assert!(body.contains_key("error"), "{response:?}");
        prop_assert_eq!(response.header("Cache-Control"), Some("no-store"));
        prop_assert_eq!(
            response.status == 401,
            response.header("WWW-Authenticate").is_some()
        );
    }
    Ok(())
}

/// Fresh fixture temporary credentials for each case: a pending one, an
/// authorized one (verifier `verif-b`), an out-of-band one.
async fn reset_temporary(server: &Server) {
    for (token, callback, authorized) in [
        ("temp-a", CALLBACK, false),
        ("temp-b", CALLBACK, true),
        ("temp-oob", "oob", false),
    ] {
        server
            .storage()
            .save_temporary_credential(TemporaryCredentialRecord {
                oauth_token: token.into(),
                oauth_token_secret: format!("{token}-secret"),
                client_id: CLIENT.into(),
                oauth_callback: callback.into(),
                realms: "photos".into(),
                expires_at: NOW + 600,
                user_id: authorized.then(|| "jane".into()),
                verifier_digest: authorized.then(|| digest("verif-b")),
            })
            .await
            .unwrap();
    }
}

#[test]
fn rfc5849_no_request_panics_any_endpoint() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (server, _) = rt.block_on(server());
    let mut runner = TestRunner::new(Config::with_cases(CASES));
    let reached = std::cell::Cell::new([0usize; 4]);
    runner
        .run(&input(), |input| {
            let request = build(&input);
            rt.block_on(async {
                reset_temporary(&server).await;
                check(&server.create_temporary_credentials_response(&request).await)?;
                check(&server.create_token_response(&request).await)?;
                let mut counts = reached.get();
                match server.validate_request(&request, &["photos"]).await {
                    Ok(access) => {
                        prop_assert_eq!(access.user_id(), "jane");
                        counts[0] += 1;
                    }
                    Err(e) => {
                        check(&server.error_response(&e))?;
                        if e.code.as_str() == "invalid_signature" {
                            counts[1] += 1;
                        }
                    }
                }
                match server.validate_authorization_request(&request).await {
                    Ok(_) => counts[2] += 1,
                    Err(e) => check(&server.error_response(&e))?,
                }
                if let Some(grant) = input.consent {
                    let consent = if grant {
                        Consent::Granted {
                            user_id: "jane".into(),
                        }
                    } else {
                        Consent::Denied
                    };
                    match server
                        .create_authorization_response(&request, consent)
                        .await
                    {
                        Ok(outcome) => {
                            counts[3] += 1;
                            check(&outcome.to_response())?;
                        }
                        Err(e) => check(&server.error_response(&e))?,
                    }
                }
                reached.set(counts);
                Ok(())
            })
        })
        .unwrap();
    eprintln!(
        "accepted, bad signature, pending authorization, decided: {:?}",
        reached.get()
    );
    // The generator reaches the deep paths, not just the parser.
    let [ok, bad_signature, pending, decided] = reached.get();
    assert!(
        ok > 0 && bad_signature > 0 && pending > 0 && decided > 0,
        "{:?}",
        reached.get()
    );
}

#[test]
fn rfc5849_3_5_1_header_parser_never_panics() {
    let mut runner = TestRunner::new(Config::with_cases(5000));
    runner
        .run(&authorization(), |header| {
            let _ = oauth_core::oauth1::rfc5849::params::parse_authorization_header(&header);
            Ok(())
        })
        .unwrap();
}

#[test]
fn rfc5849_3_4_1_2_base_string_uri_never_panics() {
    let mut runner = TestRunner::new(Config::with_cases(5000));
    runner
        .run(
            &(
                "(https?|HTTP|ftp)?(://)?[a-zA-Z0-9.:@\\[\\]%/?#é ]{0,30}",
                any::<String>(),
            ),
            |(a, b)| {
                let _ = oauth_core::oauth1::rfc5849::signature::base_string_uri(&a);
                let _ = oauth_core::oauth1::rfc5849::signature::base_string_uri(&b);
                let _ = oauth_core::oauth1::rfc5849::params::percent_decode(&b);
                Ok(())
            },
        )
        .unwrap();
}
