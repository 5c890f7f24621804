//! Fuzz targets for the OAuth 1.0a endpoints of the engine (RFC 5849):
//! temporary credentials (§2.1), resource owner authorization (§2.2),
//! token credentials (§2.3) and protected resource requests (§3).
//!
//! Each input is a request built from scratch or correctly signed (HMAC-SHA1
//! or PLAINTEXT, with the fixture's client, token or temporary
//! credentials) and then maybe mutated once. Answers must be §3.2 errors
//! (form-encoded, no-store, a challenge exactly on 401) or successes, and a
//! success replayed must fail (nonces are single-use, temporary credentials
//! are exchanged once).
//!
//! Under `cargo test` each target runs for `BOLERO_RANDOM_TEST_TIME_MS`
//! (1 s by default); `cargo bolero test` runs them under libFuzzer.

mod fuzz_common;
mod oauth1_common;

use bolero::{TypeGenerator, check, produce};
use fuzz_common::{Pair, Reach, Text, runtime};
use oauth_core::oauth1::rfc5849::client::Signer;
use oauth_core::oauth1::{OAuth1Authorization, OAuth1Storage, TemporaryCredentialRecord};
use oauth_core::secrets::digest;
use oauth_core::{Consent, Method, OAuth2Request, OAuth2Response, Params};
use oauth1_common::*;

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
    "1700000301",
    "0",
    "-1",
    "99999999999999999999",
    "HMAC-SHA1",
    "RSA-SHA1",
    "PLAINTEXT",
    "oob",
    CALLBACK,
    "https://evil.example/cb",
    "1.0",
    "2.0",
    "%",
    "%zz",
    "\"",
    "photos",
    "profile",
    "photos admin",
];

const URIS: &[&str] = &[
    API,
    INITIATE,
    TOKEN,
    AUTHORIZE,
    "/photos",
    "/initiate",
    "http://photos.example/photos",
    "https://photos.example:99999/x",
    "https://[::1]:8443/x",
    "https://u@photos.example/x#frag",
    "*",
    "",
    "HTTPS://PHOTOS.EXAMPLE:443/photos",
];

const HOSTS: &[&str] = &[
    "photos.example",
    "PHOTOS.example:443",
    "[::1]:8080",
    "a b",
    "",
];

const AUTH_PIECES: &[&str] = &[
    "OAuth ",
    "oauth_consumer_key=\"printer\"",
    "oauth_token=\"nnch734d00sl2jdk\"",
    "oauth_signature_method=\"PLAINTEXT\"",
    "oauth_signature=\"kd94hf93k423kf44%26pfkkdhi9sl3r4s00\"",
    "oauth_timestamp=\"1700000000\"",
    "oauth_nonce=\"n\"",
    "realm=\"photos\"",
    ", ",
    "=",
    "\"",
    "\\",
    "Basic x",
];

/// A correct signature over the request as built, with these credentials.
#[derive(Debug, Clone, TypeGenerator)]
struct Signing {
    /// 0: client only; 1: token credential; 2: authorized temporary
    /// credential; 3: pending temporary credential.
    credentials: u8,
    /// 0: HMAC-SHA1; 1: PLAINTEXT.
    method: u8,
    /// Extra protocol parameters signed along.
    #[generator(produce::<Vec<Pair>>().with().len(0usize..3))]
    protocol: Vec<Pair>,
    nonce: u8,
    timestamp: u8,
}

#[derive(Debug, Clone, TypeGenerator)]
enum Mutation {
    AppendToUri(Text),
    QueryParam(Pair),
    FormParam(Pair),
    FlipSecure,
    AppendToAuthorization(Text),
    Method(Text),
    DropHeader(u8),
}

#[derive(Debug, Clone, TypeGenerator)]
struct Input {
    method: u8,
    /// Index into the target's URIs (the target's own endpoint first).
    uri: Text,
    secure_hint: u8,
    host: Option<Text>,
    #[generator(produce::<Vec<Pair>>().with().len(0usize..3))]
    query: Vec<Pair>,
    #[generator(produce::<Vec<Pair>>().with().len(0usize..3))]
    form: Vec<Pair>,
    form_encoded: bool,
    sign: Option<Signing>,
    authorization: Option<Vec<Text>>,
    mutation: Option<Mutation>,
    /// Usually the target's own endpoint.
    own_endpoint: u8,
}

fn build(input: &Input, endpoint: &str, default_post: bool) -> OAuth2Request {
    let mut uri = if matches!(input.own_endpoint % 4, 1..=3) {
        endpoint.to_owned()
    } else {
        input.uri.render(URIS)
    };
    if !input.query.is_empty() {
        let pairs: Vec<(String, String)> = input
            .query
            .iter()
            .map(|p| p.render(NAMES, VALUES))
            .collect();
        let q = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        uri = format!("{uri}{}{q}", if uri.contains('?') { '&' } else { '?' });
    }
    let method = match input.method % 5 {
        0 => Method::Get,
        1 => Method::Post,
        2 => Method::Other("PUT".into()),
        _ if default_post => Method::Post,
        _ => Method::Get,
    };
    let mut request = OAuth2Request::new(method, uri);
    // Mostly over TLS (what the endpoints require).
    request.secure = matches!(input.secure_hint % 5, 1..=4);
    request.headers.push((
        "Host".into(),
        input
            .host
            .as_ref()
            .map_or_else(|| "photos.example".to_owned(), |h| h.render(HOSTS)),
    ));
    let form: Vec<(String, String)> = input.form.iter().map(|p| p.render(NAMES, VALUES)).collect();
    if input.form_encoded {
        request = request.with_form(form);
    } else {
        request.form = Params::from_pairs(form);
    }
    if let Some(s) = &input.sign {
        let mut signer = match s.credentials % 4 {
            0 => client(),
            1 => token_client(),
            2 => {
                let mut s = client();
                s.token = Some(("temp-b".into(), "temp-b-secret".into()));
                s
            }
            _ => {
                let mut s = client();
                s.token = Some(("temp-a".into(), "temp-a-secret".into()));
                s
            }
        };
        signer.signature_method = ["HMAC-SHA1", "PLAINTEXT"][usize::from(s.method % 2)].into();
        let protocol: Vec<(String, String)> =
            s.protocol.iter().map(|p| p.render(NAMES, VALUES)).collect();
        let nonce = format!("n-{}", s.nonce);
        let ts =
            [TS, TS, TS, "1700000299", "1700000301", "1699999600"][usize::from(s.timestamp) % 6];
        let mut full: Vec<(&str, &str)> = vec![("oauth_timestamp", ts), ("oauth_nonce", &nonce)];
        full.extend(protocol.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Ok(signed) = signer.sign(request.clone(), &full) {
            request = signed;
        }
    } else if let Some(pieces) = &input.authorization {
        let value: String = pieces.iter().map(|t| t.render(AUTH_PIECES)).collect();
        request.headers.push(("Authorization".into(), value));
    }
    match &input.mutation {
        None => {}
        Some(Mutation::AppendToUri(t)) => request.uri.push_str(&t.render(VALUES)),
        Some(Mutation::QueryParam(p)) => {
            let (k, v) = p.render(NAMES, VALUES);
            request.query.push(k, v);
        }
        Some(Mutation::FormParam(p)) => {
            let (k, v) = p.render(NAMES, VALUES);
            request.form.push(k, v);
        }
        Some(Mutation::FlipSecure) => request.secure = !request.secure,
        Some(Mutation::AppendToAuthorization(t)) => {
            for (k, v) in &mut request.headers {
                if k == "Authorization" {
                    v.push_str(&t.render(AUTH_PIECES));
                }
            }
        }
        Some(Mutation::Method(t)) => {
            request.method = Method::parse(&t.render(&["GET", "post", "PUT", ""]))
        }
        Some(Mutation::DropHeader(i)) if !request.headers.is_empty() => {
            let i = usize::from(*i) % request.headers.len();
            request.headers.remove(i);
        }
        Some(Mutation::DropHeader(_)) => {}
    }
    request
}

/// What every OAuth 1 answer must look like (§3.2).
fn check(response: &OAuth2Response) {
    fuzz_common::check_headers(response);
    assert!(
        [200, 302, 400, 401, 403, 405, 500, 503].contains(&response.status),
        "status {}: {response:?}",
        response.status
    );
    if response.status >= 400 {
        let body = form(response);
        assert!(body.contains_key("error"), "{response:?}");
        assert_eq!(response.header("Cache-Control"), Some("no-store"));
        assert_eq!(
            response.status == 401,
            response.header("WWW-Authenticate").is_some(),
            "{response:?}"
        );
    }
}

/// The fixture: the test clients and token credentials, and three
/// temporary credentials: pending `temp-a`, authorized `temp-b` (verifier
/// `verif-b`), out-of-band `temp-oob`.
async fn fixture() -> Server {
    let (server, _) = server().await;
    for (token, callback, authorized) in [
        ("temp-a", CALLBACK, false),
        ("temp-b", CALLBACK, true),
        ("temp-oob", "oob", false),
    ] {
        server
            .storage()
            .save_temporary_credential(TemporaryCredentialRecord {
                oauth_token: token.into(),
                oauth_token_secret: format!("{token}-secret").into(),
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
    server
}

#[test]
fn oauth1_initiate() {
    let rt = runtime();
    let reach = Reach::new(&["issued", "bad signature", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(fuzz_common::DEFAULT_TEST_TIME)
            .for_each(|input| {
                let mut input = input.clone();
                // A callback (§2.1 requires one), usually.
                if let Some(s) = input.sign.as_mut().filter(|s| s.protocol.is_empty()) {
                    s.credentials = 0;
                    s.protocol.push(Pair {
                        name: Text::Dict(7),
                        value: Text::Dict(19 + u16::from(s.nonce % 2)),
                    });
                }
                let request = build(&input, INITIATE, true);
                rt.block_on(async {
                    let server = fixture().await;
                    let r = server.create_temporary_credentials_response(&request).await;
                    check(&r);
                    if r.status == 200 {
                        reach.hit("issued");
                        assert!(request.secure || server.config().insecure_transport);
                        let body = form(&r);
                        assert_eq!(
                            body.get("oauth_callback_confirmed").map(String::as_str),
                            Some("true")
                        );
                        assert!(body.get("oauth_token").is_some_and(|t| !t.is_empty()));
                        assert!(
                            body.get("oauth_token_secret")
                                .is_some_and(|t| !t.is_empty())
                        );
                        // §3.3: the same nonce again is refused.
                        let again = server.create_temporary_credentials_response(&request).await;
                        check(&again);
                        assert_eq!(again.status, 401, "a replayed request succeeded: {again:?}");
                    } else if form(&r).get("error").map(String::as_str) == Some("invalid_signature")
                    {
                        reach.hit("bad signature");
                    } else {
                        reach.hit("refused");
                    }
                })
            });
    });
}

#[test]
fn oauth1_authorize() {
    let rt = runtime();
    let reach = Reach::new(&["pending", "redirected", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<(Input, Option<bool>, u8)>()
            .with_test_time(fuzz_common::DEFAULT_TEST_TIME)
            .for_each(|(input, consent, token)| {
                let mut request = build(input, AUTHORIZE, false);
                if input.own_endpoint % 2 == 1 {
                    let token = ["temp-a", "temp-b", "temp-oob", "x"][usize::from(*token) % 4];
                    request.query.push("oauth_token", token);
                }
                rt.block_on(async {
                    let server = fixture().await;
                    match server.validate_authorization_request(&request).await {
                        Ok(pending) => {
                            reach.hit("pending");
                            assert!(["temp-a", "temp-oob"].contains(&pending.oauth_token()));
                        }
                        Err(e) => {
                            reach.hit("refused");
                            check(&server.error_response(&e));
                        }
                    }
                    let Some(grant) = consent else { return };
                    let consent = if *grant {
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
                            let response = outcome.to_response();
                            check(&response);
                            if let OAuth1Authorization::Redirect(location) = &outcome {
                                reach.hit("redirected");
                                assert!(
                                    location.starts_with(CALLBACK),
                                    "redirect to an unregistered callback {location:?}"
                                );
                            }
                        }
                        Err(e) => check(&server.error_response(&e)),
                    }
                })
            });
    });
}

#[test]
fn oauth1_token() {
    let rt = runtime();
    let reach = Reach::new(&["issued", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(fuzz_common::DEFAULT_TEST_TIME)
            .for_each(|input| {
                let mut input = input.clone();
                // The verifier of the authorized temporary credential, usually.
                let usual = |s: &&mut Signing| s.credentials % 2 < 1 && s.protocol.is_empty();
                if let Some(s) = input.sign.as_mut().filter(usual) {
                    s.credentials = 2;
                    s.protocol.push(Pair {
                        name: Text::Dict(8),
                        value: Text::Dict(9),
                    });
                }
                let request = build(&input, TOKEN, true);
                rt.block_on(async {
                    let server = fixture().await;
                    let r = server.create_token_response(&request).await;
                    check(&r);
                    if r.status == 200 {
                        reach.hit("issued");
                        assert!(request.secure || server.config().insecure_transport);
                        let body = form(&r);
                        assert!(body.get("oauth_token").is_some_and(|t| !t.is_empty()));
                        // §2.3: the temporary credential is exchanged once.
                        let again = server.create_token_response(&request).await;
                        check(&again);
                        assert_ne!(again.status, 200, "exchanged twice: {again:?}");
                    } else {
                        reach.hit("refused");
                    }
                })
            });
    });
}

#[test]
fn oauth1_resource() {
    let rt = runtime();
    let reach = Reach::new(&["accepted", "bad signature", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(fuzz_common::DEFAULT_TEST_TIME)
            .for_each(|input| {
                let mut input = input.clone();
                if let Some(s) = input.sign.as_mut().filter(|s| s.credentials % 2 < 1) {
                    s.credentials = 1;
                }
                let request = build(&input, API, false);
                rt.block_on(async {
                    let server = fixture().await;
                    match server.validate_request(&request, &["photos"]).await {
                        Ok(access) => {
                            reach.hit("accepted");
                            assert_eq!(access.user_id(), "jane");
                            assert!(access.realms().iter().any(|r| r == "photos"));
                            // §3.3: a replay is refused.
                            let again = server.validate_request(&request, &["photos"]).await;
                            assert!(again.is_err(), "a replayed request was accepted");
                        }
                        Err(e) => {
                            if e.code.as_str() == "invalid_signature" {
                                reach.hit("bad signature");
                            } else {
                                reach.hit("refused");
                            }
                            check(&server.error_response(&e));
                        }
                    }
                })
            });
    });
}

#[test]
fn signer_fixture_is_usable() {
    // The generator's signer for an authorized temporary credential.
    let mut s = Signer::new(CLIENT, SECRET);
    s.token = Some(("temp-b".into(), "temp-b-secret".into()));
    assert!(
        s.sign(OAuth2Request::post(TOKEN), &[("oauth_nonce", "n")])
            .is_ok()
    );
}
