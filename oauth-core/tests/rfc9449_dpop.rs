//! RFC 9449 (DPoP) on the engine: proofs at the token endpoint (§4.3, §5),
//! bound tokens (§6) at introspection and in JWT access tokens, the
//! refresh tokens of public clients (§5.0), and resources (§7), with every
//! refusal of §4.3.

mod common;
use common::*;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::ThumbprintHash;
use oauth_core::jose::{Algorithm, SigningKey};
use oauth_core::oauth2::rfc9449::access_token_hash;
use oauth_core::{
    ClientAuthMethod, ClientMetadata, ClientRecord, Config, Endpoints, OAuth2Request,
    OAuth2Response, ScopeRequirement,
};
use serde_json::{Value, json};

const TOKEN: &str = "https://as.example/token";
const API: &str = "https://as.example/api/me";

fn new_key() -> SigningKey {
    SigningKey::generate(Algorithm::ES256).unwrap()
}

fn jkt(key: &SigningKey) -> String {
    key.public_jwk().thumbprint(ThumbprintHash::SHA256)
}

fn claims(htm: &str, htu: &str, jti: &str) -> Value {
    json!({"htm": htm, "htu": htu, "iat": NOW, "jti": jti})
}

fn proof(key: &SigningKey, claims: &Value) -> String {
    key.sign_with_jwk("dpop+jwt", claims).unwrap()
}

fn token_proof(key: &SigningKey, jti: &str) -> String {
    proof(key, &claims("POST", TOKEN, jti))
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(name);
    } else {
        claims[name] = value;
    }
    claims
}

async fn client_credentials(server: &Server, dpop: Option<&str>) -> OAuth2Response {
    let mut request = OAuth2Request::post(TOKEN)
        .with_header("Authorization", basic("cc-only-client", SECRET))
        .with_form([("grant_type", "client_credentials"), ("scope", "profile")]);
    if let Some(p) = dpop {
        request = request.with_header("DPoP", p);
    }
    server.create_token_response(&request).await
}

/// A DPoP-bound access token of `cc-only-client` for `key`.
async fn bound_token(server: &Server, key: &SigningKey) -> String {
    let r = client_credentials(server, Some(&token_proof(key, "issue"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()["access_token"].as_str().unwrap().to_owned()
}

fn resource_request(scheme: &str, token: &str, dpop: Option<&str>) -> OAuth2Request {
    let mut r = OAuth2Request::get(API).with_header("Authorization", format!("{scheme} {token}"));
    if let Some(p) = dpop {
        r = r.with_header("DPoP", p);
    }
    r
}

fn resource_proof(key: &SigningKey, token: &str, jti: &str) -> String {
    proof(
        key,
        &with(
            claims("GET", API, jti),
            "ath",
            json!(access_token_hash(token)),
        ),
    )
}

#[tokio::test]
async fn rfc9449_5_a_proof_at_the_token_endpoint_binds_the_token() {
    let (server, _) = server();
    let key = new_key();
    let r = client_credentials(&server, Some(&token_proof(&key, "a"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.json_body();
    assert_eq!(body["token_type"], "DPoP");
    let token = body["access_token"].as_str().unwrap();
    // §6.2: introspection shows the binding.
    let i = server
        .create_introspection_response(
            &OAuth2Request::post("https://as.example/introspect")
                .with_header("Authorization", basic("cc-only-client", SECRET))
                .with_form([("token", token)]),
        )
        .await
        .json_body();
    assert_eq!(i["active"], true);
    assert_eq!(i["token_type"], "DPoP");
    assert_eq!(i["cnf"]["jkt"], jkt(&key));
    // Without a proof, a bearer token as before.
    let r = client_credentials(&server, None).await;
    assert_eq!(r.json_body()["token_type"], "Bearer");
}

#[tokio::test]
async fn rfc9449_4_3_proofs_that_fail_a_check_are_invalid_dpop_proof() {
    let (server, _) = server();
    let key = new_key();
    let other = new_key();
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let good = claims("POST", TOKEN, "x");
    let jwk = serde_json::to_value(key.public_jwk()).unwrap();
    let mut private_jwk = jwk.clone();
    private_jwk["d"] = json!("c2VjcmV0");
    // Signed by `other`, carrying `key`'s jwk.
    let forged = {
        let real = proof(&key, &good);
        let theirs = proof(&other, &good);
        let mut parts: Vec<&str> = real.split('.').collect();
        parts[2] = theirs.split('.').nth(2).unwrap();
        parts.join(".")
    };
    let cases: Vec<(String, &str)> = vec![
        (key.sign_with_jwk("JWT", &good).unwrap(), "typ not dpop+jwt"),
        (key.sign("dpop+jwt", &good).unwrap(), "no jwk, a kid"),
        (
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "dpop+jwt", "jwk": jwk})),
                b64(&good)
            ),
            "alg none",
        ),
        (
            format!(
                "{}.{}.c2ln",
                b64(&json!({"alg": "HS256", "typ": "dpop+jwt", "jwk": jwk})),
                b64(&good)
            ),
            "a symmetric alg",
        ),
        (
            format!(
                "{}.{}.c2ln",
                b64(&json!({"alg": "ES256", "typ": "dpop+jwt", "jwk": private_jwk})),
                b64(&good)
            ),
            "a private jwk",
        ),
        (forged, "a signature by another key"),
        (
            proof(&key, &with(good.clone(), "htm", json!("GET"))),
            "another htm",
        ),
        (
            proof(
                &key,
                &with(good.clone(), "htu", json!("https://as.example/other")),
            ),
            "another htu",
        ),
        (
            proof(
                &key,
                &with(good.clone(), "htu", json!("https://evil.example/token")),
            ),
            "another host",
        ),
        (
            proof(&key, &with(good.clone(), "htu", Value::Null)),
            "no htu",
        ),
        (
            proof(&key, &with(good.clone(), "iat", json!(NOW - 301))),
            "stale iat",
        ),
        (
            proof(&key, &with(good.clone(), "iat", json!(NOW + 120))),
            "iat ahead",
        ),
        (
            proof(&key, &with(good.clone(), "iat", Value::Null)),
            "no iat",
        ),
        (
            proof(&key, &with(good.clone(), "jti", Value::Null)),
            "no jti",
        ),
        ("not-a-jwt".into(), "not a JWT"),
    ];
    for (p, why) in cases {
        let r = client_credentials(&server, Some(&p)).await;
        assert_error(&r, 400, "invalid_dpop_proof");
        assert!(
            r.body.contains("DPoP") || r.body.contains("dpop"),
            "{why}: {}",
            r.body
        );
    }
    // Two DPoP headers.
    let request = OAuth2Request::post(TOKEN)
        .with_header("Authorization", basic("cc-only-client", SECRET))
        .with_header("DPoP", token_proof(&key, "y"))
        .with_header("DPoP", token_proof(&key, "z"))
        .with_form([("grant_type", "client_credentials")]);
    assert_error(
        &server.create_token_response(&request).await,
        400,
        "invalid_dpop_proof",
    );
}

#[tokio::test]
async fn rfc9449_4_3_htu_ignores_query_and_normalises() {
    let (server, _) = server();
    let key = new_key();
    for (i, htu) in [
        "https://as.example/token?x=1",
        "https://AS.example:443/token",
        "https://as.example/token#f",
    ]
    .into_iter()
    .enumerate()
    {
        let p = proof(&key, &claims("POST", htu, &format!("n{i}")));
        let r = client_credentials(&server, Some(&p)).await;
        assert_eq!(r.status, 200, "{htu}: {}", r.body);
    }
}

#[tokio::test]
async fn rfc9449_11_1_a_proof_is_used_once() {
    let (server, _) = server();
    let key = new_key();
    let p = token_proof(&key, "once");
    assert_eq!(client_credentials(&server, Some(&p)).await.status, 200);
    assert_error(
        &client_credentials(&server, Some(&p)).await,
        400,
        "invalid_dpop_proof",
    );
}

#[tokio::test]
async fn rfc9449_7_1_a_bound_token_is_used_with_a_proof_by_its_key() {
    let (server, _) = server();
    let key = new_key();
    let token = bound_token(&server, &key).await;
    let scope = ScopeRequirement::all_of(["profile"]);
    let ok = server
        .validate_bearer(
            &resource_request("DPoP", &token, Some(&resource_proof(&key, &token, "r1"))),
            &scope,
        )
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    // Each refusal is a 401 with the DPoP challenge.
    let other = new_key();
    let cases: Vec<(OAuth2Request, &str, &str)> = vec![
        (
            resource_request("Bearer", &token, None),
            "invalid_token",
            "as Bearer",
        ),
        (
            resource_request("Bearer", &token, Some(&resource_proof(&key, &token, "r2"))),
            "invalid_token",
            "as Bearer with a proof",
        ),
        (
            resource_request("DPoP", &token, None),
            "invalid_dpop_proof",
            "no proof",
        ),
        (
            resource_request("DPoP", &token, Some(&resource_proof(&other, &token, "r3"))),
            "invalid_token",
            "another key",
        ),
        (
            resource_request(
                "DPoP",
                &token,
                Some(&proof(&key, &claims("GET", API, "r4"))),
            ),
            "invalid_dpop_proof",
            "no ath",
        ),
        (
            resource_request(
                "DPoP",
                &token,
                Some(&proof(
                    &key,
                    &with(
                        claims("GET", API, "r5"),
                        "ath",
                        json!(access_token_hash("other")),
                    ),
                )),
            ),
            "invalid_dpop_proof",
            "another token's ath",
        ),
        (
            resource_request(
                "DPoP",
                &token,
                Some(&proof(
                    &key,
                    &with(
                        claims("POST", API, "r6"),
                        "ath",
                        json!(access_token_hash(&token)),
                    ),
                )),
            ),
            "invalid_dpop_proof",
            "another htm",
        ),
        (
            resource_request("DPoP", &token, Some(&resource_proof(&key, &token, "r1"))),
            "invalid_dpop_proof",
            "a replayed proof",
        ),
    ];
    for (request, code, why) in cases {
        let e = server.validate_bearer(&request, &scope).await.unwrap_err();
        assert_eq!(e.status(), 401, "{why}");
        assert_eq!(e.error.as_ref().unwrap().code.as_str(), code, "{why}");
        let challenge = e.www_authenticate(&Config::default());
        assert!(challenge.starts_with("DPoP "), "{why}: {challenge}");
        assert!(
            challenge.contains("algs=\"ES256 EdDSA RS256\""),
            "{why}: {challenge}"
        );
    }
}

#[tokio::test]
async fn rfc9449_7_2_a_bearer_token_is_not_accepted_in_the_dpop_scheme() {
    let (server, _) = server();
    let r = client_credentials(&server, None).await;
    let token = r.json_body()["access_token"].as_str().unwrap().to_owned();
    let key = new_key();
    let scope = ScopeRequirement::all_of(["profile"]);
    let e = server
        .validate_bearer(
            &resource_request("DPoP", &token, Some(&resource_proof(&key, &token, "b"))),
            &scope,
        )
        .await
        .unwrap_err();
    assert_eq!(e.error.unwrap().code.as_str(), "invalid_token");
    assert!(
        server
            .validate_bearer(&resource_request("Bearer", &token, None), &scope)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn rfc9449_5_0_a_public_clients_refresh_token_is_bound_to_its_key() {
    let (server, _) = server();
    let key = new_key();
    let password = |dpop: String| {
        OAuth2Request::post(TOKEN)
            .with_header("DPoP", dpop)
            .with_form([
                ("grant_type", "password"),
                ("client_id", "public-client"),
                ("username", "alice"),
                ("password", "valid"),
                ("scope", "profile"),
            ])
    };
    let r = server
        .create_token_response(&password(token_proof(&key, "p1")))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let refresh = r.json_body()["refresh_token"].as_str().unwrap().to_owned();
    let refresh_with = |dpop: Option<String>, token: &str| {
        let mut req = OAuth2Request::post(TOKEN).with_form([
            ("grant_type", "refresh_token"),
            ("client_id", "public-client"),
            ("refresh_token", token),
        ]);
        if let Some(p) = dpop {
            req = req.with_header("DPoP", p);
        }
        req
    };
    // Without a proof, or with another key's: refused, nothing rotated.
    for dpop in [None, Some(token_proof(&new_key(), "p2"))] {
        let r = server
            .create_token_response(&refresh_with(dpop, &refresh))
            .await;
        assert_error(&r, 400, "invalid_dpop_proof");
    }
    let r = server
        .create_token_response(&refresh_with(Some(token_proof(&key, "p3")), &refresh))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["token_type"], "DPoP");
    // The new refresh token is bound to the same key.
    let next = r.json_body()["refresh_token"].as_str().unwrap().to_owned();
    let r = server
        .create_token_response(&refresh_with(None, &next))
        .await;
    assert_error(&r, 400, "invalid_dpop_proof");
}

#[tokio::test]
async fn rfc9449_5_a_confidential_clients_refresh_token_is_not_bound() {
    let (server, _) = server();
    let key = new_key();
    let r = server
        .create_token_response(
            &token_request(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "valid"),
            ])
            .with_header("DPoP", token_proof(&key, "c1")),
        )
        .await;
    assert_eq!(r.json_body()["token_type"], "DPoP");
    let refresh = r.json_body()["refresh_token"].as_str().unwrap().to_owned();
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
        ]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["token_type"], "Bearer");
}

#[tokio::test]
async fn rfc9449_6_1_jwt_access_tokens_carry_cnf_jkt() {
    let (server, _) = server_with(Config {
        issuer: Some("https://as.example".into()),
        ..Config::default()
    });
    server.storage().insert_client(ClientRecord::confidential(
        "jwt-client",
        SECRET,
        ClientMetadata {
            token_endpoint_auth_method: ClientAuthMethod::ClientSecretBasic,
            grant_types: vec!["client_credentials".into()],
            response_types: vec![],
            access_token_strategy: Some("jwt".into()),
            ..ClientMetadata::default()
        },
    ));
    let server = server.with_signing_keys();
    let key = new_key();
    let r = server
        .create_token_response(
            &OAuth2Request::post(TOKEN)
                .with_header("Authorization", basic("jwt-client", SECRET))
                .with_header("DPoP", token_proof(&key, "j"))
                .with_form([("grant_type", "client_credentials")]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let jwt = r.json_body()["access_token"].as_str().unwrap().to_owned();
    let payload = jwt.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["cnf"]["jkt"], jkt(&key));
}

#[tokio::test]
async fn rfc9449_5_1_metadata_lists_the_proof_algorithms() {
    let (server, _) = server();
    let doc = server.metadata("https://as.example", &Endpoints::under(""));
    assert_eq!(
        doc["dpop_signing_alg_values_supported"],
        json!(["ES256", "EdDSA", "RS256"])
    );
    let mut config = Config::default();
    config.dpop.algorithms = vec!["HS256".into()];
    assert!(config.validate().is_err());
}

/// A code of `basic-client` for a request with these extra parameters.
async fn code_with(server: &Server, extra: &[(&str, &str)]) -> String {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", "basic-client"),
        ("redirect_uri", REDIRECT),
        ("scope", "profile"),
    ];
    params.extend_from_slice(extra);
    obtain_code(server, &params).await
}

fn redeem(code: &str, dpop: Option<String>) -> OAuth2Request {
    let mut r = token_request(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ]);
    if let Some(p) = dpop {
        r = r.with_header("DPoP", p);
    }
    r
}

#[tokio::test]
async fn rfc9449_10_dpop_jkt_binds_the_code_to_the_key() {
    let (server, _) = server();
    let key = new_key();
    let thumbprint = jkt(&key);
    let code = code_with(&server, &[("dpop_jkt", &thumbprint)]).await;
    let r = server
        .create_token_response(&redeem(&code, Some(token_proof(&key, "c1"))))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["token_type"], "DPoP");
    // Without a proof, or with another key's, the code is refused.
    for dpop in [None, Some(token_proof(&new_key(), "c2"))] {
        let code = code_with(&server, &[("dpop_jkt", &thumbprint)]).await;
        let r = server.create_token_response(&redeem(&code, dpop)).await;
        assert_error(&r, 400, "invalid_dpop_proof");
    }
    // A dpop_jkt that is not a thumbprint is refused at the endpoint.
    let response = server
        .create_authorization_response(
            &authorize_request(&[
                ("response_type", "code"),
                ("client_id", "basic-client"),
                ("redirect_uri", REDIRECT),
                ("dpop_jkt", "not a thumbprint"),
            ]),
            oauth_core::Consent::Granted {
                user_id: "alice".into(),
            },
        )
        .await;
    assert_eq!(redirect_params(&response)["error"], "invalid_request");
}

#[tokio::test]
async fn rfc9449_10_1_a_proof_at_the_par_endpoint_binds_the_code() {
    let (server, _) = server();
    let key = new_key();
    let par = |dpop: String, extra: Vec<(&'static str, String)>| {
        let mut form: Vec<(&str, String)> = vec![
            ("response_type", "code".into()),
            ("redirect_uri", REDIRECT.into()),
            ("scope", "profile".into()),
        ];
        form.extend(extra);
        OAuth2Request::post("https://as.example/par")
            .with_header("Authorization", basic("basic-client", SECRET))
            .with_header("DPoP", dpop)
            .with_form(form)
    };
    let r = server
        .create_pushed_authorization_response(&par(
            proof(&key, &claims("POST", "https://as.example/par", "par1")),
            vec![],
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let uri = r.json_body()["request_uri"].as_str().unwrap().to_owned();
    let code = obtain_code(
        &server,
        &[("client_id", "basic-client"), ("request_uri", &uri)],
    )
    .await;
    let r = server.create_token_response(&redeem(&code, None)).await;
    assert_error(&r, 400, "invalid_dpop_proof");
    // dpop_jkt and the proof's key must agree.
    let r = server
        .create_pushed_authorization_response(&par(
            proof(&key, &claims("POST", "https://as.example/par", "par2")),
            vec![("dpop_jkt", jkt(&new_key()))],
        ))
        .await;
    assert_error(&r, 400, "invalid_dpop_proof");
}

#[tokio::test]
async fn rfc9449_5_2_a_client_registered_for_dpop_sends_a_proof_every_time() {
    let (server, _) = server();
    server.storage().insert_client(ClientRecord::confidential(
        "dpop-client",
        SECRET,
        ClientMetadata {
            grant_types: vec!["client_credentials".into()],
            response_types: vec![],
            dpop_bound_access_tokens: true,
            ..ClientMetadata::default()
        },
    ));
    let request = |dpop: Option<String>| {
        let mut r = OAuth2Request::post(TOKEN)
            .with_header("Authorization", basic("dpop-client", SECRET))
            .with_form([("grant_type", "client_credentials")]);
        if let Some(p) = dpop {
            r = r.with_header("DPoP", p);
        }
        r
    };
    let r = server.create_token_response(&request(None)).await;
    assert_error(&r, 400, "invalid_dpop_proof");
    let r = server
        .create_token_response(&request(Some(token_proof(&new_key(), "d1"))))
        .await;
    assert_eq!(r.json_body()["token_type"], "DPoP", "{}", r.body);
    // Other clients are not held to it...
    assert_eq!(client_credentials(&server, None).await.status, 200);
    // ...unless the server requires DPoP of everyone.
    let mut config = Config::default();
    config.dpop.require = true;
    let (strict, _) = server_with(config);
    assert_error(
        &client_credentials(&strict, None).await,
        400,
        "invalid_dpop_proof",
    );
    let r = client_credentials(&strict, Some(&token_proof(&new_key(), "d2"))).await;
    assert_eq!(r.json_body()["token_type"], "DPoP");
}

/// A server that requires server-provided nonces (§8, §9), with its clock.
fn nonce_server(key: &str) -> (Server, std::sync::Arc<oauth_core::ManualClock>) {
    let mut config = Config::default();
    config.dpop.nonce_key = Some(key.into());
    server_with(config)
}

const NONCE_KEY: &str = "bm9uY2Uta2V5LW9mLTMyLWJ5dGVzLWF0LWxlYXN0ISE=";

fn with_nonce(claims: Value, nonce: &str) -> Value {
    with(claims, "nonce", json!(nonce))
}

#[tokio::test]
async fn rfc9449_8_the_token_endpoint_asks_for_its_nonce_and_takes_it() {
    let (server, _) = nonce_server(NONCE_KEY);
    let key = new_key();
    // §8: without a nonce, use_dpop_nonce and the nonce in DPoP-Nonce.
    let r = client_credentials(&server, Some(&token_proof(&key, "first"))).await;
    assert_error(&r, 400, "use_dpop_nonce");
    let nonce = r.header("DPoP-Nonce").expect("DPoP-Nonce").to_owned();
    assert!(nonce.len() >= 22, "{nonce}");
    // The same proof's jti was not spent by the refusal; with the nonce
    // the request succeeds and the answer carries the nonce again.
    let proof_with = proof(&key, &with_nonce(claims("POST", TOKEN, "first"), &nonce));
    let r = client_credentials(&server, Some(&proof_with)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json_body()["token_type"], "DPoP");
    assert_eq!(r.header("DPoP-Nonce"), Some(nonce.as_str()));
    // A nonce the server did not make is refused the same way.
    let made_up = proof(
        &key,
        &with_nonce(claims("POST", TOKEN, "made-up"), "bm9uY2U"),
    );
    let r = client_credentials(&server, Some(&made_up)).await;
    assert_error(&r, 400, "use_dpop_nonce");
    assert_eq!(r.header("DPoP-Nonce"), Some(nonce.as_str()));
    // No DPoP header, no nonce header: the client did not ask for DPoP.
    let r = client_credentials(&server, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("DPoP-Nonce"), None);
}

#[tokio::test]
async fn rfc9449_8_2_nonces_change_with_time_and_the_last_one_still_counts() {
    let (server, clock) = nonce_server(NONCE_KEY);
    let lifetime = server.config().dpop.nonce_lifetime;
    let first = server.dpop_nonce().unwrap();
    clock.advance(lifetime);
    let second = server.dpop_nonce().unwrap();
    assert_ne!(first, second);
    let key = new_key();
    let at = |jti: &str, nonce: &str| {
        let c = with(
            with_nonce(claims("POST", TOKEN, jti), nonce),
            "iat",
            json!(server.now()),
        );
        proof(&key, &c)
    };
    // One period on, the previous nonce is still accepted...
    let r = client_credentials(&server, Some(&at("a", &first))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // ...and announces the current one.
    assert_eq!(r.header("DPoP-Nonce"), Some(second.as_str()));
    // Two periods on, it is not.
    clock.advance(lifetime);
    let r = client_credentials(&server, Some(&at("b", &first))).await;
    assert_error(&r, 400, "use_dpop_nonce");
    // Another key makes other nonces: no instance without the key can.
    let (other, _) = nonce_server("b3RoZXIta2V5LW9mLTMyLWJ5dGVzLWF0LWxlYXN0ISE=");
    assert_ne!(other.dpop_nonce(), server.dpop_nonce());
}

#[tokio::test]
async fn rfc9449_9_a_resource_asks_for_the_nonce_with_401_and_dpop_nonce() {
    let (server, _) = nonce_server(NONCE_KEY);
    let key = new_key();
    let nonce = server.dpop_nonce().unwrap();
    let issue = proof(&key, &with_nonce(claims("POST", TOKEN, "issue"), &nonce));
    let r = client_credentials(&server, Some(&issue)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.json_body()["access_token"].as_str().unwrap().to_owned();

    let without = resource_proof(&key, &token, "r1");
    let e = server
        .validate_bearer(
            &resource_request("DPoP", &token, Some(&without)),
            &ScopeRequirement::None,
        )
        .await
        .unwrap_err();
    let response = e.to_response(server.config());
    assert_eq!(response.status, 401);
    let challenge = response.header("WWW-Authenticate").unwrap();
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    assert!(
        challenge.contains("error=\"use_dpop_nonce\""),
        "{challenge}"
    );
    assert_eq!(response.header("DPoP-Nonce"), Some(nonce.as_str()));

    let with_it = proof(
        &key,
        &with_nonce(
            with(
                claims("GET", API, "r2"),
                "ath",
                json!(access_token_hash(&token)),
            ),
            &nonce,
        ),
    );
    server
        .validate_bearer(
            &resource_request("DPoP", &token, Some(&with_it)),
            &ScopeRequirement::None,
        )
        .await
        .expect("the proof with the nonce is accepted");
}

#[tokio::test]
async fn rfc9449_8_the_par_endpoint_asks_for_the_nonce_too() {
    let (server, _) = nonce_server(NONCE_KEY);
    let key = new_key();
    let par = "https://as.example/par";
    let request = |dpop: &str| {
        OAuth2Request::post(par)
            .with_header("Authorization", basic("basic-client", SECRET))
            .with_header("DPoP", dpop)
            .with_form([
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "profile"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ])
    };
    let r = server
        .create_pushed_authorization_response(&request(&proof(&key, &claims("POST", par, "p1"))))
        .await;
    assert_error(&r, 400, "use_dpop_nonce");
    let nonce = r.header("DPoP-Nonce").unwrap().to_owned();
    let r = server
        .create_pushed_authorization_response(&request(&proof(
            &key,
            &with_nonce(claims("POST", par, "p1"), &nonce),
        )))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn rfc9449_8_a_nonce_key_must_be_long_enough() {
    let mut config = Config::default();
    config.dpop.nonce_key = Some("c2hvcnQ=".into());
    assert!(
        config
            .validate()
            .unwrap_err()
            .contains("oauth2.dpop.nonce_key")
    );
    config.dpop.nonce_key = Some(NONCE_KEY.into());
    assert!(config.validate().is_ok());
    config.dpop.nonce_lifetime = 1;
    assert!(config.validate().is_err());
}
