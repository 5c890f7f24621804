//! Engine micro-benchmarks (in-memory storage, no HTTP).
//!
//! Each group has a `baseline`: the least work any request of that kind
//! must do (hashing the presented secret once), measured in the same run, so
//! the cost of the engine reads as a ratio to it. Run with
//! `cargo bench -p oauth-core`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth2::rfc7636;
use oauth_core::{
    AuthorizationServer, ClientMetadata, ClientRecord, Config, OAuth2Request, ScopeRequirement,
    secrets,
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
