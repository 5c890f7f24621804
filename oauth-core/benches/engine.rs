//! Engine micro-benchmarks (in-memory storage, no HTTP).
//!
//! Each group has a `baseline`: the least work any request of that kind
//! must do (hashing the presented secret once), measured in the same run, so
//! the cost of the engine reads as a ratio to it. Run with
//! `cargo bench -p oauth-core`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use oauth_core::Clock as _;
use oauth_core::config::SigningKeys;
use oauth_core::jose::{Algorithm, SigningKey};
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth2::{rfc7636, rfc9449};
use oauth_core::{
    AuthorizationServer, ClientMetadata, ClientRecord, Config, Consent, Login, OAuth2Request,
    ScopeRequirement, secrets,
};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const BASIC: &str = "Basic YXBwOnMzY3JldA=="; // app:s3cret

fn server() -> AuthorizationServer<MemoryStorage> {
    let storage = MemoryStorage::new();
    storage.insert_client(ClientRecord::confidential(
        "app",
        "s3cret",
        ClientMetadata {
            grant_types: vec!["client_credentials".into()],
            scope: Some("profile email".into()),
            ..ClientMetadata::default()
        },
    ));
    AuthorizationServer::new(storage, Config::default()).expect("config")
}

const REDIRECT: &str = "https://rp.example/cb";

/// A server with OpenID Connect signing with `alg`, and a code client.
fn oidc_server(alg: &str) -> AuthorizationServer<MemoryStorage> {
    let storage = MemoryStorage::new();
    storage.insert_client(ClientRecord::confidential(
        "app",
        "s3cret",
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            scope: Some("openid profile".into()),
            ..ClientMetadata::default()
        },
    ));
    let config = Config {
        issuer: Some("https://as.example".into()),
        signing_keys: SigningKeys {
            algorithm: alg.into(),
            ..SigningKeys::default()
        },
        ..Config::default()
    };
    AuthorizationServer::new(storage, config)
        .expect("config")
        .with_openid_connect()
}

/// The token request for a fresh code of `scope` (the code is made in the
/// setup, not timed).
fn code_exchange(
    rt: &tokio::runtime::Runtime,
    server: &AuthorizationServer<MemoryStorage>,
    scope: &str,
) -> OAuth2Request {
    let query = format!(
        "response_type=code&client_id=app&redirect_uri={}&scope={}&nonce=n-0S6",
        secrets_free_encode(REDIRECT),
        secrets_free_encode(scope)
    );
    let answer = rt.block_on(server.create_authorization_response(
        &OAuth2Request::get(format!("https://as.example/authorize?{query}")),
        Consent::LoggedIn(Login::new("alice", 1_700_000_000)),
    ));
    let location = answer.header("Location").expect("redirect");
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .expect("code")
        .to_owned();
    OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", BASIC)
        .with_form([
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
}

fn secrets_free_encode(value: &str) -> String {
    oauth_core::http::form_urlencode(value)
}

fn token_request() -> OAuth2Request {
    OAuth2Request::post("https://as.example/token")
        .with_header("Authorization", BASIC)
        .with_form([("grant_type", "client_credentials"), ("scope", "profile")])
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let server = server();

    let mut g = c.benchmark_group("client_credentials");
    g.bench_function("baseline: digest of one token", |b| {
        b.iter(|| secrets::digest(black_box("s3cret")))
    });
    g.bench_function("token issuance", |b| {
        let req = token_request();
        b.iter(|| rt.block_on(server.create_token_response(black_box(&req))))
    });
    g.finish();

    // The code flow: the same exchange without and with an ID token, by
    // the signing key's algorithm.
    let mut g = c.benchmark_group("authorization_code");
    g.bench_function("baseline: digest of one token", |b| {
        b.iter(|| secrets::digest(black_box("s3cret")))
    });
    let plain = oidc_server("RS256");
    g.bench_function("code exchange, opaque token only", |b| {
        b.iter_batched(
            || code_exchange(&rt, &plain, "profile"),
            |req| rt.block_on(plain.create_token_response(&req)),
            BatchSize::SmallInput,
        )
    });
    for alg in ["RS256", "ES256", "EdDSA"] {
        let server = oidc_server(alg);
        g.bench_function(format!("code exchange with an ID token ({alg})"), |b| {
            b.iter_batched(
                || code_exchange(&rt, &server, "openid profile"),
                |req| rt.block_on(server.create_token_response(&req)),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    // Where the ID token's time goes: reading the current key from
    // storage (and opening it), and signing with it.
    let mut g = c.benchmark_group("signing");
    g.bench_function("baseline: digest of one token", |b| {
        b.iter(|| secrets::digest(black_box("s3cret")))
    });
    for alg in ["RS256", "ES256", "EdDSA"] {
        let server = oidc_server(alg);
        let ring = server.key_ring().expect("keys").clone();
        let key = rt
            .block_on(ring.current(server.storage(), 1_700_000_000))
            .expect("key");
        g.bench_function(format!("current key ({alg})"), |b| {
            b.iter(|| rt.block_on(ring.current(server.storage(), 1_700_000_000)))
        });
        let claims = serde_json::json!({"iss": "https://as.example", "sub": "alice", "aud": "app",
            "exp": 1_700_003_600, "iat": 1_700_000_000});
        g.bench_function(format!("sign ({alg})"), |b| {
            b.iter(|| key.sign("JWT", black_box(&claims)))
        });
    }
    g.finish();

    let token = rt.block_on(server.create_token_response(&token_request()));
    let access = token.json_body()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let api = OAuth2Request::get("https://api.example/me")
        .with_header("Authorization", format!("Bearer {access}"));
    let required = ScopeRequirement::all_of(["profile"]);
    let mut g = c.benchmark_group("bearer");
    g.bench_function("baseline: digest of one token", |b| {
        b.iter(|| secrets::digest(black_box(&access)))
    });
    g.bench_function("validation", |b| {
        b.iter(|| rt.block_on(server.validate_bearer(black_box(&api), &required)))
    });
    // RFC 9068 JWT access tokens: the server looks them up as it does
    // opaque ones; a resource server without the database verifies the
    // signature instead.
    for alg in ["RS256", "ES256", "EdDSA"] {
        let jwt_server = oidc_server(alg);
        jwt_server
            .storage()
            .insert_client(ClientRecord::confidential(
                "jwt",
                "s3cret",
                ClientMetadata {
                    grant_types: vec!["client_credentials".into()],
                    scope: Some("profile".into()),
                    access_token_strategy: Some("jwt".into()),
                    ..ClientMetadata::default()
                },
            ));
        let issued = rt.block_on(
            jwt_server.create_token_response(
                &OAuth2Request::post("https://as.example/token")
                    .with_header("Authorization", "Basic and0OnMzY3JldA==") // jwt:s3cret
                    .with_form([("grant_type", "client_credentials"), ("scope", "profile")]),
            ),
        );
        let jwt = issued.json_body()["access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        let api = OAuth2Request::get("https://api.example/me")
            .with_header("Authorization", format!("Bearer {jwt}"));
        g.bench_function(
            format!("validation of a JWT access token by lookup ({alg})"),
            |b| b.iter(|| rt.block_on(jwt_server.validate_bearer(black_box(&api), &required))),
        );
        let jwks = rt
            .block_on(
                jwt_server
                    .key_ring()
                    .expect("keys")
                    .jwks(jwt_server.storage(), 1_700_000_000),
            )
            .expect("jwks");
        let algs = oauth_core::jose::SUPPORTED_ALGORITHMS;
        let verification = oauth_core::jose::Verification::new(&algs).with_typ("at+jwt");
        g.bench_function(
            format!("signature check of a JWT access token ({alg})"),
            |b| b.iter(|| oauth_core::jose::verify(black_box(&jwt), &jwks, &verification)),
        );
    }
    g.finish();

    // RFC 9449: a DPoP-bound token at a resource, next to a bearer one.
    // Each request brings a new proof (made in the untimed setup, as the
    // client makes it); the server checks it, records its jti and
    // compares the key with the token's.
    let mut g = c.benchmark_group("dpop");
    let api_url = "https://api.example/me";
    let issue = |dpop: Option<String>| {
        let mut request = token_request();
        if let Some(p) = dpop {
            request = request.with_header("DPoP", p);
        }
        let r = rt.block_on(server.create_token_response(&request));
        r.json_body()["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    };
    let bearer = issue(None);
    let bearer_api =
        OAuth2Request::get(api_url).with_header("Authorization", format!("Bearer {bearer}"));
    g.bench_function("baseline: digest of one token", |b| {
        b.iter(|| secrets::digest(black_box(&bearer)))
    });
    g.bench_function("bearer token validation", |b| {
        b.iter(|| rt.block_on(server.validate_bearer(black_box(&bearer_api), &required)))
    });
    let mut n = 0u64;
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let key = SigningKey::generate(alg).expect("key");
        let mut proof = |htm: &str, htu: &str, token: Option<&str>| {
            n += 1;
            let mut claims = serde_json::json!({
                "htm": htm, "htu": htu, "jti": format!("bench-{n}"),
                "iat": oauth_core::SystemClock.now(),
            });
            if let Some(t) = token {
                claims["ath"] = rfc9449::access_token_hash(t).into();
            }
            key.sign_with_jwk("dpop+jwt", &claims).expect("proof")
        };
        let bound = issue(Some(proof("POST", "https://as.example/token", None)));
        let name = oauth_core::jose::algorithm_name(alg);
        g.bench_function(format!("DPoP-bound token validation ({name} proof)"), |b| {
            b.iter_batched(
                || {
                    OAuth2Request::get(api_url)
                        .with_header("Authorization", format!("DPoP {bound}"))
                        .with_header("DPoP", proof("GET", api_url, Some(&bound)))
                },
                |api| rt.block_on(server.validate_bearer(&api, &required)),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    let mut g = c.benchmark_group("secrets");
    g.bench_function("baseline: digest of one token", |b| {
        b.iter(|| secrets::digest(black_box(VERIFIER)))
    });
    g.bench_function("PKCE S256 verification", |b| {
        b.iter(|| rfc7636::verify(Some(CHALLENGE), Some("S256"), Some(black_box(VERIFIER))))
    });
    let stored = secrets::hash_client_secret("s3cret");
    g.bench_function("client secret verification", |b| {
        b.iter(|| secrets::verify_client_secret(&stored, black_box("s3cret")))
    });
    g.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
