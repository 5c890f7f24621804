//! Fixtures shared by the OAuth 1.0a (RFC 5849) tests: an in-memory server
//! with registered clients, a manual clock, signers and answer parsers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use oauth_core::memory::MemoryStorage;
use oauth_core::oauth1::rfc5849::client::Signer;
use oauth_core::oauth1::{
    OAuth1Authorization, OAuth1ClientRecord, OAuth1Config, OAuth1Server, OAuth1Storage,
    TokenCredentialRecord,
};
use oauth_core::{Consent, ManualClock, OAuth2Request, OAuth2Response};

/// The fixed start time of every test.
pub const NOW: i64 = 1_700_000_000;
/// `NOW` as `oauth_timestamp`.
pub const TS: &str = "1700000000";

/// HMAC/PLAINTEXT client.
pub const CLIENT: &str = "printer";
pub const SECRET: &str = "kd94hf93k423kf44";
pub const CALLBACK: &str = "https://printer.example/ready";
/// RSA-SHA1 clients: the SubjectPublicKeyInfo key, the PKCS#1 key.
pub const RSA_CLIENT: &str = "rsa-printer";
pub const RSA_PKCS1_CLIENT: &str = "rsa1-printer";
/// A client registered with no secret (RSA only).
pub const RSA_ONLY_CLIENT: &str = "rsa-only";

pub const RSA_PRIVATE_PEM: &str = include_str!("../oauth1_data/rsa_private.pem");
pub const RSA_PUBLIC_PEM: &str = include_str!("../oauth1_data/rsa_public.pem");
pub const RSA_PUBLIC_PKCS1_PEM: &str = include_str!("../oauth1_data/rsa_public_pkcs1.pem");

pub const INITIATE: &str = "https://photos.example/initiate";
pub const AUTHORIZE: &str = "https://photos.example/authorize";
pub const TOKEN: &str = "https://photos.example/token";
pub const API: &str = "https://photos.example/photos";

/// The token credential [`server`] starts with, issued to [`CLIENT`] for
/// `jane` with realm `photos`.
pub const TOKEN_CRED: &str = "nnch734d00sl2jdk";
pub const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00";
/// The same for the RSA clients.
pub const RSA_TOKEN_CRED: &str = "rsa-token";
pub const RSA1_TOKEN_CRED: &str = "rsa1-token";

pub type Server = OAuth1Server<MemoryStorage>;

/// A configuration accepting all three built-in methods.
pub fn all_methods() -> OAuth1Config {
    OAuth1Config {
        signature_methods: vec!["HMAC-SHA1".into(), "RSA-SHA1".into(), "PLAINTEXT".into()],
        ..OAuth1Config::default()
    }
}

pub fn clients() -> Vec<OAuth1ClientRecord> {
    vec![
        OAuth1ClientRecord::new(
            CLIENT,
            SECRET,
            [CALLBACK, "https://printer.example/other?x=1"],
        )
        .with_default_realms(["photos", "profile"]),
        OAuth1ClientRecord::new(RSA_CLIENT, SECRET, [CALLBACK]).with_rsa_public_key(RSA_PUBLIC_PEM),
        OAuth1ClientRecord::new(RSA_PKCS1_CLIENT, SECRET, [CALLBACK])
            .with_rsa_public_key(RSA_PUBLIC_PKCS1_PEM),
        OAuth1ClientRecord::new(RSA_ONLY_CLIENT, "", [CALLBACK])
            .with_rsa_public_key(RSA_PUBLIC_PEM),
    ]
}

/// A server with `config`, the test clients, a token credential per
/// client, and a manual clock at [`NOW`].
pub async fn server_with(config: OAuth1Config) -> (Server, Arc<ManualClock>) {
    let storage = MemoryStorage::new();
    for c in clients() {
        storage.insert_oauth1_client(c);
    }
    for (token, client) in [
        (TOKEN_CRED, CLIENT),
        (RSA_TOKEN_CRED, RSA_CLIENT),
        (RSA1_TOKEN_CRED, RSA_PKCS1_CLIENT),
    ] {
        storage
            .save_token_credential(TokenCredentialRecord {
                oauth_token: token.into(),
                oauth_token_secret: TOKEN_SECRET.into(),
                client_id: client.into(),
                user_id: "jane".into(),
                realms: "photos".into(),
                issued_at: NOW - 10,
            })
            .await
            .unwrap();
    }
    let clock = ManualClock::new(NOW);
    let server = OAuth1Server::new(storage, config)
        .expect("valid config")
        .with_clock(clock.clone());
    (server, clock)
}

/// [`server_with`] accepting every built-in method.
pub async fn server() -> (Server, Arc<ManualClock>) {
    server_with(all_methods()).await
}

/// A signer for [`CLIENT`], without a token.
pub fn client() -> Signer {
    Signer::new(CLIENT, SECRET)
}

/// A signer for [`CLIENT`] with the starting token credential.
pub fn token_client() -> Signer {
    let mut s = client();
    s.token = Some((TOKEN_CRED.into(), TOKEN_SECRET.into()));
    s
}

/// The form-encoded body of a response.
pub fn form(response: &OAuth2Response) -> HashMap<String, String> {
    form_urlencoded::parse(response.body.as_bytes())
        .into_owned()
        .collect()
}

/// Asserts an error response's status and code, and that it is
/// form-encoded and not cacheable.
#[track_caller]
pub fn assert_error(response: &OAuth2Response, status: u16, code: &str) {
    assert_eq!(response.status, status, "{response:?}");
    assert_eq!(
        form(response).get("error").map(String::as_str),
        Some(code),
        "{response:?}"
    );
    assert_eq!(
        response.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(response.header("Cache-Control"), Some("no-store"));
    assert_eq!(
        response.header("WWW-Authenticate").is_some(),
        status == 401,
        "{response:?}"
    );
}

/// A signed temporary credential request of [`CLIENT`] with `callback`.
pub fn initiate_request(callback: &str, nonce: &str) -> OAuth2Request {
    client()
        .sign(
            OAuth2Request::post(INITIATE),
            &[
                ("oauth_callback", callback),
                ("oauth_timestamp", TS),
                ("oauth_nonce", nonce),
            ],
        )
        .unwrap()
}

/// Temporary credentials for [`CLIENT`] with [`CALLBACK`]: (token, secret).
pub async fn temporary(server: &Server, nonce: &str) -> (String, String) {
    let response = server
        .create_temporary_credentials_response(&initiate_request(CALLBACK, nonce))
        .await;
    assert_eq!(response.status, 200, "{response:?}");
    let f = form(&response);
    (f["oauth_token"].clone(), f["oauth_token_secret"].clone())
}

/// The authorization page request for a temporary token.
pub fn authorize_request(token: &str) -> OAuth2Request {
    OAuth2Request::get(format!("{AUTHORIZE}?oauth_token={token}"))
}

/// Authorizes `token` for `jane` and returns the verifier from the
/// callback redirect.
pub async fn authorize(server: &Server, token: &str) -> String {
    let outcome = server
        .create_authorization_response(
            &authorize_request(token),
            Consent::Granted {
                user_id: "jane".into(),
            },
        )
        .await
        .unwrap();
    let OAuth1Authorization::Redirect(location) = outcome else {
        panic!("not a redirect: {outcome:?}");
    };
    let (_, query) = location.split_once('?').unwrap();
    let q: HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    q["oauth_verifier"].clone()
}

/// A signed token request with the temporary credentials and verifier.
pub fn token_request(token: &str, secret: &str, verifier: &str, nonce: &str) -> OAuth2Request {
    let mut s = client();
    s.token = Some((token.into(), secret.into()));
    s.sign(
        OAuth2Request::post(TOKEN),
        &[
            ("oauth_verifier", verifier),
            ("oauth_timestamp", TS),
            ("oauth_nonce", nonce),
        ],
    )
    .unwrap()
}

/// A resource request signed with the starting token credential.
pub fn resource_request(nonce: &str) -> OAuth2Request {
    token_client()
        .sign(
            OAuth2Request::get(format!("{API}?file=vacation.jpg")),
            &[("oauth_timestamp", TS), ("oauth_nonce", nonce)],
        )
        .unwrap()
}

/// Replaces the value of protocol parameter `name` in a signed request's
/// `Authorization` header (keeping the old signature).
pub fn tamper(request: &OAuth2Request, name: &str, value: &str) -> OAuth2Request {
    let mut r = request.clone();
    for (k, v) in &mut r.headers {
        if k.eq_ignore_ascii_case("authorization") {
            let parts: Vec<String> = v
                .trim_start_matches("OAuth ")
                .split(", ")
                .map(|p| {
                    if p.starts_with(&format!("{name}=")) {
                        format!("{name}=\"{value}\"")
                    } else {
                        p.to_owned()
                    }
                })
                .collect();
            *v = format!("OAuth {}", parts.join(", "));
        }
    }
    r
}

/// Signs with RSA-SHA1 using the test private key.
pub fn rsa_sign(base_string: &str) -> String {
    use base64::Engine as _;
    use rsa::pkcs1v15::SigningKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{RandomizedSigner, SignatureEncoding};
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(RSA_PRIVATE_PEM).unwrap();
    let signer = SigningKey::<sha1::Sha1>::new(key);
    let sig = signer.sign_with_rng(&mut rand::rngs::OsRng, base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())
}
