//! Fuzz targets for every OAuth 2.0 endpoint of the engine: token,
//! authorization (validation and completion), revocation, introspection,
//! bearer validation, device authorization, the device verification page,
//! and dynamic registration.
//!
//! Each input picks a server configuration, a clock advance and a request:
//! a valid request of some endpoint (against a fixture that has issued
//! predictable tokens and codes: `at-0`, `rt-0`, `code-0`, ...) mutated a
//! little, or one built from scratch. Every answer must keep the invariants
//! of the RFCs: statuses and error codes from the right set, no-store,
//! challenges on 401, redirects only to a registered URI of the client,
//! storage changed only by a success.
//!
//! Under `cargo test` each target runs for `BOLERO_RANDOM_TEST_TIME_MS`
//! (1 s by default); `cargo bolero test` runs them under libFuzzer.

mod common;
mod device_fixture;
mod fuzz_common;

use oauth_core::config::{Bearer, Device, Lifetimes, Pkce, RefreshTokens, Scopes};
use std::sync::atomic::{AtomicUsize, Ordering};

use bolero::{TypeGenerator, check};
use common::*;
use fuzz_common::*;
use oauth_core::oauth2::rfc7591::validate_redirect_uri;
use oauth_core::oauth2::rfc8628::normalize_user_code;
use oauth_core::{
    AuthorizationError, ClientAuthMethod, ClientMetadata, ClientRecord, Config, Consent, Method,
    OAuth2Client, OAuth2Request, OAuth2Storage, OAuth2Token, Scope, ScopeRequirement, TokenContext,
    UserCodeError,
};

const TOKEN_URI: &str = "https://as.example/token";
const OTHER_REDIRECT: &str = "https://client.example/other";
/// `basic("basic-client", SECRET)`.
const BASIC_OK: &str = "Basic YmFzaWMtY2xpZW50OnMzY3JldA==";
/// `basic("console", SECRET)`.
const BASIC_CONSOLE: &str = "Basic Y29uc29sZTpzM2NyZXQ=";

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
    "device_code",
    "nonce",
    "resource",
    "audience",
    "subject_token",
    "subject_token_type",
    "actor_token",
    "actor_token_type",
    "requested_token_type",
    "Client_Id",
    "grant_type ",
    "%67rant_type",
];

const VALUES: &[&str] = &[
    "basic-client",
    "post-client",
    "public-client",
    "multi-client",
    "cc-only-client",
    "tv",
    "console",
    "no-such-client",
    SECRET,
    "wrong",
    REDIRECT,
    OTHER_REDIRECT,
    "https://evil.example/cb",
    "https://client.example/cb/../evil",
    "https://client.example/cb?x=1",
    "https://client.example/cb#f",
    "http://client.example/cb",
    "https://CLIENT.example/cb",
    "https://client.example./cb",
    "https://client.example@evil.example/cb",
    "https://client.example:444/cb",
    "https://client.example/cbx",
    "https://client.example%2Fcb",
    "authorization_code",
    "refresh_token",
    "password",
    "client_credentials",
    "implicit",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:token-type:access_token",
    "urn:ietf:params:oauth:token-type:jwt",
    "https://rs.example/",
    "https://rs.example/#f",
    "/relative",
    "exchanger",
    "at-0",
    "at-2",
    "code",
    "token",
    "code token",
    "id_token",
    "profile",
    "profile email",
    "admin profile email",
    "openid",
    " profile  ",
    "bad\"scope",
    "alice",
    "valid",
    "invalid",
    VERIFIER,
    CHALLENGE,
    "S256",
    "plain",
    "s256",
    "access_token",
    "at-0",
    "at-1",
    "at-2",
    "rt-0",
    "rt-1",
    "code-0",
    "code-1",
    "code-2",
    "xyz",
];

/// The tokens and codes the fixture issued, for bearer headers.
const ISSUED: &[&str] = &[
    "at-0", "at-1", "at-2", "at-3", "rt-0", "rt-1", "code-0", "code-1", "xyz",
];

const URIS: &[&str] = &[
    "https://as.example/token",
    "https://as.example/authorize",
    "http://as.example/authorize",
    "HTTPS://as.example/revoke",
    "/authorize",
    "",
    "https://",
    "https:/\u{e9}x",
    "https://as.example/cb?",
    "?",
    "#",
];

const HOSTS: &[&str] = &["as.example", "as.example:443", "", "a b"];

const FORM_H: (&str, &str) = FORM;

const TEMPLATES: &[Template] = &[
    // 0..4: authorization endpoint
    Template {
        post: false,
        uri: "https://as.example/authorize",
        in_query: true,
        headers: &[],
        params: &[
            ("response_type", "code"),
            ("client_id", "public-client"),
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
        headers: &[FORM_H],
        params: &[
            ("response_type", "code"),
            ("client_id", "public-client"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    },
    // 4..9: token endpoint
    Template {
        post: true,
        uri: TOKEN_URI,
        in_query: false,
        headers: &[("Authorization", BASIC_OK), FORM_H],
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
        headers: &[FORM_H],
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
        headers: &[("Authorization", BASIC_OK), FORM_H],
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
        headers: &[FORM_H],
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
        headers: &[("Authorization", BASIC_OK), FORM_H],
        params: &[("grant_type", "client_credentials"), ("scope", "admin")],
    },
    // 9..12: revocation and introspection
    Template {
        post: true,
        uri: "https://as.example/revoke",
        in_query: false,
        headers: &[("Authorization", BASIC_OK), FORM_H],
        params: &[("token", "at-0"), ("token_type_hint", "access_token")],
    },
    Template {
        post: true,
        uri: "https://as.example/introspect",
        in_query: false,
        headers: &[FORM_H],
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
        headers: &[FORM_H],
        params: &[("token", "rt-1"), ("client_id", "public-client")],
    },
    // 12..14: resources
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
        headers: &[FORM_H],
        params: &[("access_token", "at-1")],
    },
    // 14..16: device authorization
    Template {
        post: true,
        uri: "https://as.example/device_authorization",
        in_query: false,
        headers: &[FORM_H],
        params: &[("client_id", "tv"), ("scope", "profile")],
    },
    Template {
        post: true,
        uri: "https://as.example/device_authorization",
        in_query: false,
        headers: &[("Authorization", BASIC_CONSOLE), FORM_H],
        params: &[("scope", "profile email")],
    },
];

fn dicts(focus: std::ops::Range<usize>) -> Dicts<'static> {
    Dicts {
        templates: TEMPLATES,
        focus,
        names: PARAM_NAMES,
        values: VALUES,
        uris: URIS,
        tokens: ISSUED,
        hosts: HOSTS,
    }
}

// ---------------------------------------------------------------------------
// The server under test.

const CONFIGS: usize = 4;

fn config(index: usize) -> Config {
    let base = Config {
        issuer: Some("https://as.example".into()),
        resources: vec!["https://rs.example/".into()],
        device: Device {
            verification_uri: Some("/activate".into()),
            ..Device::default()
        },
        ..Config::default()
    };
    match index % CONFIGS {
        0 => base,
        1 => Config {
            insecure_transport: true,
            realm: Some("api".into()),
            bearer: Bearer {
                in_body: true,
                in_query: true,
            },
            ..base
        },
        2 => Config {
            pkce: Pkce {
                allow_plain: true,
                require_for_confidential_clients: true,
            },
            scopes: Scopes {
                supported: Some(vec!["profile".into(), "email".into(), "admin".into()]),
                default: vec!["profile".into()],
            },
            refresh_tokens: RefreshTokens {
                rotate: false,
                ..base.refresh_tokens
            },
            ..base
        },
        _ => Config {
            implicit_grant: false,
            refresh_tokens: RefreshTokens {
                issue: false,
                ..base.refresh_tokens
            },
            lifetimes: Lifetimes {
                refresh_token: None,
                ..base.lifetimes
            },
            ..base
        },
    }
}

const ADVANCES: &[i64] = &[0, 0, 0, 301, 3_601, 864_001, 2_592_001];

/// A generator of `prefix-0`, `prefix-1`, ...
fn counter(prefix: &'static str) -> impl Fn(&TokenContext<'_>) -> String + Send + Sync + 'static {
    let next = AtomicUsize::new(0);
    move |_: &TokenContext<'_>| format!("{prefix}-{}", next.fetch_add(1, Ordering::Relaxed))
}

/// A server (with the device grant and its clients) that has issued
/// `at-0`/`rt-0` (password, basic-client), `code-0` (basic-client),
/// `code-1` (public-client), `code-2` (multi-client), `at-1`/`rt-1`
/// (password, public-client), `at-2` (client credentials, post-client);
/// then its clock moved on.
async fn fixture(config_index: u8, advance: u8) -> Server {
    let (server, clock) = device_fixture::device_server_with(config(usize::from(config_index)));
    let server = server
        .with_access_token_generator(counter("at"))
        .with_refresh_token_generator(counter("rt"))
        .with_code_generator(counter("code"))
        .with_token_exchange();
    // A resource server that may exchange (RFC 8693) with client_secret_post.
    server.storage().insert_client(ClientRecord::confidential(
        "exchanger",
        SECRET,
        ClientMetadata {
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretPost,
            grant_types: vec![
                "client_credentials".into(),
                "urn:ietf:params:oauth:grant-type:token-exchange".into(),
            ],
            response_types: vec![],
            scope: Some("profile email".into()),
            resource_server: Some("https://rs.example/".into()),
            ..ClientMetadata::default()
        },
    ));
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
    for form in [
        &[
            ("grant_type", "password"),
            ("client_id", "public-client"),
            ("username", "bob"),
            ("password", "valid"),
        ][..],
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "post-client"),
            ("client_secret", SECRET),
        ][..],
    ] {
        let r = server.create_token_response(&post(TOKEN_URI, form)).await;
        assert_eq!(r.status, 200, "{r:?}");
    }
    clock.advance(ADVANCES[usize::from(advance) % ADVANCES.len()]);
    server
}

#[derive(Debug, Clone, TypeGenerator)]
struct Input {
    config: u8,
    advance: u8,
    request: RequestSpec,
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
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
    "invalid_target",
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
    // RFC 8707 §2.
    "invalid_target",
];

fn bearer_request(token: &str) -> OAuth2Request {
    OAuth2Request::get("https://api.example/resource")
        .with_header("Authorization", format!("Bearer {token}"))
}

// ---------------------------------------------------------------------------
// Token endpoint (RFC 6749 §3.2, §5).

#[test]
fn token_endpoint() {
    let rt = runtime();
    let reach = Reach::new(&["issued", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let request = input.request.build(&dicts(4..9));
                rt.block_on(async {
                    let server = fixture(input.config, input.advance).await;
                    let before = server.storage().token_count();
                    let r = server.create_token_response(&request).await;
                    check_headers(&r);
                    check_no_store(&r);
                    check_challenge(&r);
                    assert!(
                        matches!(r.status, 200 | 400 | 401 | 405 | 500 | 503),
                        "{r:?}"
                    );
                    assert_eq!(r.status == 405, request.method != Method::Post, "{r:?}");
                    if r.status == 200 {
                        reach.hit("issued");
                        assert!(request.secure || server.config().insecure_transport);
                        let body = r.json_body();
                        let token = body["access_token"].as_str().expect("access_token");
                        assert_eq!(body["token_type"], "Bearer");
                        assert!(body["expires_in"].as_i64().is_some_and(|e| e > 0), "{r:?}");
                        if let Some(scope) = body.get("scope") {
                            assert!(scope.as_str().is_some_and(|s| Scope::parse(s).is_ok()));
                        }
                        assert_eq!(server.storage().token_count(), before + 1);
                        server
                            .validate_bearer(&bearer_request(token), &ScopeRequirement::None)
                            .await
                            .unwrap_or_else(|e| panic!("issued token does not validate: {e:?}"));
                    } else {
                        reach.hit("refused");
                        check_json_error(&r, TOKEN_ERRORS);
                        assert_eq!(server.storage().token_count(), before, "{r:?}");
                    }
                })
            });
    });
}

// ---------------------------------------------------------------------------
// Authorization endpoint (RFC 6749 §3.1, §4.1.1, §4.2.1).

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

/// §3.1.2, §4.1.2, §4.1.2.1: redirects only to a registered URI of the
/// client; errors well-formed; `state` returned.
fn check_authorization_response(
    r: &oauth_core::OAuth2Response,
    request: &OAuth2Request,
    allowed: &[String],
) {
    check_headers(r);
    assert!(matches!(r.status, 302 | 400 | 500 | 503), "{r:?}");
    if r.status != 302 {
        assert!(r.header("Location").is_none(), "{r:?}");
        check_json_error(r, AUTHORIZATION_ERRORS);
        return;
    }
    let location = r.header("Location").expect("Location");
    assert!(
        is_registered_target(location, allowed),
        "redirect to an unregistered URI {location:?} (allowed: {allowed:?}) for {request:?}"
    );
    let params = location_params(location);
    if let Some(error) = get(&params, "error") {
        assert!(AUTHORIZATION_ERRORS.contains(&error), "{r:?}");
        assert!(get(&params, "code").is_none(), "{r:?}");
        assert!(get(&params, "access_token").is_none(), "{r:?}");
        if let Some(d) = get(&params, "error_description") {
            assert!(is_error_text(d), "{r:?}");
        }
    } else {
        assert!(
            get(&params, "code").is_some() || get(&params, "access_token").is_some(),
            "a redirect with neither error nor grant: {r:?}"
        );
    }
    if request.method == Method::Get {
        let states: Vec<&str> = request
            .query
            .iter()
            .filter(|(k, _)| *k == "state")
            .map(|(_, v)| v)
            .collect();
        match states.as_slice() {
            [state] if !state.is_empty() => {
                assert_eq!(get(&params, "state"), Some(*state), "{r:?} for {request:?}");
            }
            _ => {}
        }
    }
}

#[test]
fn authorize_validate() {
    let rt = runtime();
    let reach = Reach::new(&["valid", "fatal", "redirected"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let request = input.request.build(&dicts(0..4));
                rt.block_on(async {
                    let server = fixture(input.config, input.advance).await;
                    let counts = (
                        server.storage().token_count(),
                        server.storage().code_count(),
                    );
                    let allowed = allowed_redirects(&request);
                    match server.validate_authorization_request(&request).await {
                        Ok(valid) => {
                            reach.hit("valid");
                            assert!(
                                valid
                                    .client
                                    .metadata
                                    .redirect_uris
                                    .contains(&valid.redirect_uri),
                                "{valid:?}"
                            );
                            assert!(allowed.contains(&valid.redirect_uri), "{valid:?}");
                            if valid.client.is_public() {
                                assert!(
                                    valid.code_challenge.is_some()
                                        || valid.response_type == oauth_core::ResponseType::token()
                                );
                            }
                        }
                        Err(e) => {
                            if let AuthorizationError::Redirect { redirect_uri, .. } = &e {
                                reach.hit("redirected");
                                assert!(allowed.contains(redirect_uri), "{e:?} for {request:?}");
                            } else {
                                reach.hit("fatal");
                            }
                            assert!(is_error_text(&e.error().description), "{e:?}");
                            check_authorization_response(
                                &e.to_response(server.config()),
                                &request,
                                &allowed,
                            );
                        }
                    }
                    assert_eq!(
                        (
                            server.storage().token_count(),
                            server.storage().code_count()
                        ),
                        counts,
                        "validation changed storage"
                    );
                })
            });
    });
}

#[test]
fn authorize_complete() {
    let rt = runtime();
    let reach = Reach::new(&["code", "token", "error redirect", "error page"]);
    reach.until_all(|| {
        check!()
            .with_type::<(Input, bool)>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|(input, grant)| {
                let request = input.request.build(&dicts(0..4));
                rt.block_on(async {
                    let server = fixture(input.config, input.advance).await;
                    let (tokens, codes) = (
                        server.storage().token_count(),
                        server.storage().code_count(),
                    );
                    let allowed = allowed_redirects(&request);
                    let consent = if *grant {
                        Consent::Granted {
                            user_id: "alice".into(),
                        }
                    } else {
                        Consent::Denied
                    };
                    let r = server
                        .create_authorization_response(&request, consent)
                        .await;
                    check_authorization_response(&r, &request, &allowed);
                    let params = location_params(r.header("Location").unwrap_or_default());
                    let expected = if r.status != 302 {
                        reach.hit("error page");
                        (tokens, codes)
                    } else if get(&params, "error").is_some() {
                        reach.hit("error redirect");
                        (tokens, codes)
                    } else if get(&params, "code").is_some() {
                        reach.hit("code");
                        assert!(*grant, "a code without consent: {r:?}");
                        (tokens, codes + 1)
                    } else {
                        reach.hit("token");
                        assert!(*grant, "a token without consent: {r:?}");
                        assert!(r.header("Location").unwrap_or_default().contains('#'));
                        (tokens + 1, codes)
                    };
                    assert_eq!(
                        (
                            server.storage().token_count(),
                            server.storage().code_count()
                        ),
                        expected,
                        "{r:?}"
                    );
                })
            });
    });
}

// ---------------------------------------------------------------------------
// Revocation (RFC 7009) and introspection (RFC 7662).

#[test]
fn revocation_endpoint() {
    let rt = runtime();
    let reach = Reach::new(&["revoked something", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let request = input.request.build(&dicts(9..12));
                rt.block_on(async {
                    let server = fixture(input.config, input.advance).await;
                    let before = server.storage().tokens();
                    let r = server.create_revocation_response(&request).await;
                    let after = server.storage().tokens();
                    check_headers(&r);
                    check_no_store(&r);
                    check_challenge(&r);
                    assert!(
                        matches!(r.status, 200 | 400 | 401 | 405 | 500 | 503),
                        "{r:?}"
                    );
                    assert_eq!(r.status == 405, request.method != Method::Post, "{r:?}");
                    assert_eq!(after.len(), before.len());
                    if r.status == 200 {
                        assert!(request.secure || server.config().insecure_transport);
                        let claimed = claimed_client_ids(&request);
                        for (b, a) in before.iter().zip(&after) {
                            if a != b {
                                reach.hit("revoked something");
                                assert!(
                                    claimed.contains(&a.token.client_id),
                                    "revoked a token of {:?} for {request:?}",
                                    a.token.client_id
                                );
                            }
                        }
                    } else {
                        reach.hit("refused");
                        check_json_error(&r, REVOCATION_ERRORS);
                        assert!(
                            after == before,
                            "a refused revocation changed storage: {r:?}"
                        );
                    }
                })
            });
    });
}

#[test]
fn introspection_endpoint() {
    let rt = runtime();
    let reach = Reach::new(&["active", "inactive", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let request = input.request.build(&dicts(9..12));
                rt.block_on(async {
                    let server = fixture(input.config, input.advance).await;
                    let before = server.storage().tokens();
                    let r = server.create_introspection_response(&request).await;
                    check_headers(&r);
                    check_no_store(&r);
                    check_challenge(&r);
                    assert!(
                        server.storage().tokens() == before,
                        "introspection changed storage"
                    );
                    assert!(
                        matches!(r.status, 200 | 400 | 401 | 405 | 500 | 503),
                        "{r:?}"
                    );
                    assert_eq!(r.status == 405, request.method != Method::Post, "{r:?}");
                    if r.status != 200 {
                        reach.hit("refused");
                        check_json_error(&r, TOKEN_ERRORS);
                        return;
                    }
                    assert!(request.secure || server.config().insecure_transport);
                    let body = r.json_body();
                    match body.get("active").and_then(|a| a.as_bool()) {
                        Some(false) => {
                            reach.hit("inactive");
                            assert_eq!(body, serde_json::json!({ "active": false }));
                        }
                        Some(true) => {
                            reach.hit("active");
                            let owner = body["client_id"].as_str().unwrap_or_default();
                            assert!(owner != "public-client", "{r:?}");
                            assert!(
                                claimed_client_ids(&request).iter().any(|c| c == owner),
                                "introspected a token of {owner:?} for {request:?}"
                            );
                            if let Some(exp) = body.get("exp") {
                                assert!(exp.as_i64().is_some_and(|e| e > server.now()), "{r:?}");
                            }
                        }
                        None => panic!("no boolean `active`: {r:?}"),
                    }
                })
            });
    });
}

// ---------------------------------------------------------------------------
// Bearer validation (RFC 6750).

#[derive(Debug, Clone, TypeGenerator)]
enum Requirement {
    None,
    AnyOf(Vec<u8>),
    AllOf(Vec<u8>),
}

impl Requirement {
    fn build(&self) -> ScopeRequirement {
        let names = |v: &Vec<u8>| -> Vec<&'static str> {
            v.iter()
                .take(3)
                .map(|i| ["profile", "email", "admin", "openid"][usize::from(*i) % 4])
                .collect()
        };
        match self {
            Requirement::None => ScopeRequirement::None,
            Requirement::AnyOf(v) => ScopeRequirement::any_of(names(v)),
            Requirement::AllOf(v) => ScopeRequirement::all_of(names(v)),
        }
    }
}

#[test]
fn bearer_validation() {
    let rt = runtime();
    let reach = Reach::new(&["valid", "missing", "invalid_token", "insufficient_scope"]);
    reach.until_all(|| {
        check!()
            .with_type::<(Input, Requirement)>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|(input, requirement)| {
                let request = input.request.build(&dicts(12..14));
                let required = requirement.build();
                rt.block_on(async {
                    let server = fixture(input.config, input.advance).await;
                    let before = server.storage().tokens();
                    let result = server.validate_bearer(&request, &required).await;
                    assert!(
                        server.storage().tokens() == before,
                        "validation changed storage"
                    );
                    match result {
                        Ok(token) => {
                            reach.hit("valid");
                            assert!(request.secure || server.config().insecure_transport);
                            assert!(!token.is_access_token_revoked(), "{token:?}");
                            assert!(!token.is_expired(server.now()), "{token:?}");
                            assert!(required.is_satisfied_by(&token.scope()), "{token:?}");
                        }
                        Err(e) => {
                            let r = e.to_response(server.config());
                            check_headers(&r);
                            assert!(matches!(r.status, 400 | 401 | 403), "{r:?}");
                            assert_eq!(e.status(), r.status);
                            let challenge = r.header("WWW-Authenticate").unwrap_or_default();
                            // RFC 9449 §7.1: a refusal of a DPoP request
                            // carries the DPoP challenge.
                            let dpop = request.header("authorization").is_some_and(|h| {
                                h.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("dpop"))
                            });
                            let scheme_ok = challenge.starts_with("Bearer")
                                || (dpop && challenge.starts_with("DPoP "));
                            assert!(scheme_ok, "{r:?}");
                            match &e.error {
                                None => {
                                    reach.hit("missing");
                                    assert_eq!(r.status, 401);
                                    assert!(!challenge.contains("error="), "{r:?}");
                                }
                                Some(error) => {
                                    let code = error.code.as_str();
                                    reach.hit(code);
                                    assert!(
                                        [
                                            "invalid_request",
                                            "invalid_token",
                                            "insufficient_scope",
                                            "invalid_dpop_proof",
                                        ]
                                        .contains(&code),
                                        "{e:?}"
                                    );
                                    assert!(dpop || code != "invalid_dpop_proof", "{e:?}");
                                    assert!(is_error_text(&error.description), "{e:?}");
                                    assert!(challenge.contains(&format!("error=\"{code}\"")));
                                    if r.status == 403 {
                                        assert!(required != ScopeRequirement::None);
                                        assert!(challenge.contains("scope=\""), "{r:?}");
                                    }
                                }
                            }
                        }
                    }
                })
            });
    });
}

// ---------------------------------------------------------------------------
// Device authorization (RFC 8628 §3.1, §3.2).

#[test]
fn device_authorization() {
    let rt = runtime();
    let reach = Reach::new(&["issued", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<Input>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|input| {
                let request = input.request.build(&dicts(14..16));
                rt.block_on(async {
                    let server = fixture(input.config, input.advance).await;
                    let r = server.create_device_authorization_response(&request).await;
                    check_headers(&r);
                    check_no_store(&r);
                    check_challenge(&r);
                    assert!(
                        matches!(r.status, 200 | 400 | 401 | 405 | 500 | 503),
                        "{r:?}"
                    );
                    assert_eq!(r.status == 405, request.method != Method::Post, "{r:?}");
                    if r.status != 200 {
                        reach.hit("refused");
                        check_json_error(&r, TOKEN_ERRORS);
                        return;
                    }
                    reach.hit("issued");
                    assert!(request.secure || server.config().insecure_transport);
                    let body = r.json_body();
                    let claimed = claimed_client_ids(&request);
                    assert!(
                        claimed
                            .iter()
                            .any(|c| c == "tv" || c == "console" || c == "other-tv"),
                        "a device code for a client without the grant: {request:?}"
                    );
                    let user_code = body["user_code"].as_str().expect("user_code");
                    assert!(body["device_code"].as_str().is_some_and(|c| c.len() >= 32));
                    assert!(
                        body["verification_uri"]
                            .as_str()
                            .is_some_and(|u| u.starts_with("https://as.example/"))
                    );
                    assert!(body["expires_in"].as_i64().is_some_and(|e| e > 0));
                    assert!(body["interval"].as_i64().is_some_and(|e| e > 0));
                    // The user code shown is one the verification page accepts.
                    let p = server
                        .lookup_user_code("alice", None, user_code)
                        .await
                        .unwrap_or_else(|e| panic!("{user_code}: {e:?}"));
                    assert_eq!(p.user_code, user_code);
                })
            });
    });
}

// ---------------------------------------------------------------------------
// The verification page's user code input (RFC 8628 §3.3, §5.1, §6.1).

#[derive(Debug, Clone, TypeGenerator)]
struct Attempt {
    user: u8,
    code: Text,
    action: u8,
}

#[test]
fn device_user_code() {
    let rt = runtime();
    let reach = Reach::new(&["found", "decided", "not found", "malformed"]);
    reach.until_all(|| {
        check!()
            .with_type::<(u8, Vec<Attempt>)>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|(advance, attempts)| {
                rt.block_on(async {
                    let (server, clock) = device_fixture::device_server();
                    let body = device_fixture::ask(&server, "tv", Some("profile")).await;
                    let (_, real) = device_fixture::codes(&body);
                    clock.advance([0, 0, 0, 599, 1_801][usize::from(*advance) % 5]);
                    let alphabet = server.config().device.user_code_alphabet.clone();
                    let real_normal = normalize_user_code(&real, &alphabet);
                    let lower = real.to_lowercase();
                    let undashed = real.replace('-', "");
                    let spaced = real.replace('-', " ");
                    let dict = [
                        real.as_str(),
                        lower.as_str(),
                        undashed.as_str(),
                        spaced.as_str(),
                        "BCDF-GHJK",
                        "bcdfghjk",
                        "",
                        "----",
                        "0000-0000",
                        "\u{e9}\u{e9}",
                    ];
                    let mut decided = false;
                    for attempt in attempts.iter().take(12) {
                        let user = ["alice", "bob"][usize::from(attempt.user) % 2];
                        let code = attempt.code.render(&dict);
                        let result = match attempt.action % 3 {
                            0 => server.lookup_user_code(user, None, &code).await,
                            1 => server.approve_user_code(user, None, &code).await,
                            _ => server.deny_user_code(user, None, &code).await,
                        };
                        let matches = normalize_user_code(&code, &alphabet) == real_normal;
                        match result {
                            Ok(p) => {
                                reach.hit("found");
                                assert!(matches, "{code:?} found the code {real:?}");
                                assert!(!decided, "a decided code was found again");
                                assert_eq!(p.client_id, "tv");
                                if matches!(attempt.action % 3, 1 | 2) {
                                    reach.hit("decided");
                                    decided = true;
                                }
                            }
                            Err(UserCodeError::NotFound) => {
                                reach.hit("not found");
                                assert!(!matches, "{code:?} is the real code {real:?}");
                            }
                            Err(UserCodeError::Malformed) => {
                                reach.hit("malformed");
                                assert!(!matches, "{code:?}");
                            }
                            Err(UserCodeError::AlreadyDecided) => assert!(decided && matches),
                            Err(UserCodeError::Expired) => assert!(matches && *advance % 5 == 4),
                            Err(UserCodeError::TooManyAttempts) => {}
                            Err(UserCodeError::Storage(e)) => panic!("{e:?}"),
                        }
                    }
                })
            });
    });
}

// ---------------------------------------------------------------------------
// Dynamic registration (RFC 7591 §3).

#[test]
fn registration_endpoint() {
    let rt = runtime();
    let reach = Reach::new(&["registered", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<(u8, MetadataInput)>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|(config_index, metadata)| {
                let body = metadata.render();
                rt.block_on(async {
                    let (server, _) = server_with(config(usize::from(*config_index)));
                    let r = server
                        .create_registration_response(
                            &oauth_core::OAuth2Request::post("https://as.example/register"),
                            &body,
                            Some("alice".into()),
                        )
                        .await;
                    check_headers(&r);
                    check_no_store(&r);
                    let json = r.json_body();
                    match r.status {
                        201 => {
                            reach.hit("registered");
                            let id = json["client_id"].as_str().expect("client_id");
                            let client = server
                                .storage()
                                .find_client(id)
                                .await
                                .expect("storage")
                                .expect("stored");
                            for uri in &client.metadata.redirect_uris {
                                validate_redirect_uri(
                                    uri,
                                    server.config().allow_http_redirect_uris,
                                )
                                .unwrap_or_else(|e| panic!("registered {uri:?}: {e:?}"));
                            }
                            let public = client.metadata.token_endpoint_auth_method
                                == ClientAuthMethod::None;
                            assert_eq!(json.get("client_secret").is_some(), !public, "{json}");
                            if let Some(secret) = json["client_secret"].as_str() {
                                assert!(client.check_client_secret(secret));
                            }
                        }
                        400 => {
                            reach.hit("refused");
                            check_json_error(
                                &r,
                                &["invalid_client_metadata", "invalid_redirect_uri"],
                            );
                        }
                        _ => panic!("{r:?}"),
                    }
                })
            });
    });
}

// ---------------------------------------------------------------------------
// Registration management (RFC 7592 §2.2): a fuzzed update either passes
// registration's checks and is stored, or changes nothing.

#[test]
fn client_configuration_endpoint() {
    let rt = runtime();
    let reach = Reach::new(&["updated", "refused"]);
    reach.until_all(|| {
        check!()
            .with_type::<(u8, MetadataInput)>()
            .with_test_time(DEFAULT_TEST_TIME)
            .for_each(|(config_index, metadata)| {
                rt.block_on(async {
                    let (server, _) = server_with(config(usize::from(*config_index)));
                    let registered = server
                        .create_registration_response(
                            &oauth_core::OAuth2Request::post("https://as.example/register"),
                            r#"{"redirect_uris": ["https://client.example/cb"]}"#,
                            None,
                        )
                        .await
                        .json_body();
                    let id = registered["client_id"].as_str().expect("client_id");
                    let token = registered["registration_access_token"]
                        .as_str()
                        .expect("registration_access_token");
                    let before = server.storage().find_client(id).await.unwrap().unwrap();
                    // The fuzzed metadata, as the client's own update.
                    let mut body: serde_json::Value =
                        serde_json::from_str(&metadata.render()).unwrap_or_default();
                    if let Some(object) = body.as_object_mut() {
                        object.insert("client_id".into(), id.into());
                    }
                    let request = oauth_core::OAuth2Request::new(
                        oauth_core::http::Method::parse("PUT"),
                        format!("https://as.example/register/{id}"),
                    )
                    .with_header("Authorization", format!("Bearer {token}"));
                    let r = server
                        .create_client_configuration_response(&request, id, Some(&body.to_string()))
                        .await;
                    check_headers(&r);
                    check_no_store(&r);
                    let after = server.storage().find_client(id).await.unwrap().unwrap();
                    match r.status {
                        200 => {
                            reach.hit("updated");
                            for uri in &after.metadata.redirect_uris {
                                validate_redirect_uri(
                                    uri,
                                    server.config().allow_http_redirect_uris,
                                )
                                .unwrap_or_else(|e| panic!("stored {uri:?}: {e:?}"));
                            }
                            assert_eq!(r.json_body()["client_id"], id);
                        }
                        400 => {
                            reach.hit("refused");
                            check_json_error(
                                &r,
                                &[
                                    "invalid_client_metadata",
                                    "invalid_redirect_uri",
                                    "invalid_request",
                                ],
                            );
                            assert_eq!(after, before, "a refused update changed the client");
                        }
                        _ => panic!("{r:?}"),
                    }
                })
            });
    });
}
