//! The Implicit (§3.2) and Hybrid (§3.3) Flows of OpenID Connect Core 1.0
//! on the engine: ID tokens from the authorization endpoint with their
//! nonce, `c_hash` and `at_hash`, the fragment by default, the rules of
//! `response_mode` (Multiple Response Type Encoding Practices §2.1) and
//! the Form Post Response Mode.

mod common;

use std::collections::HashMap;

use common::*;
use oauth_core::jose::{self, JwkSet, SUPPORTED_ALGORITHMS, Verification};
use oauth_core::oidc::token_hash;
use oauth_core::{ClientMetadata, ClientRecord, Config, Consent, Endpoints, Login, OAuth2Response};
use serde_json::Value;

const ISSUER: &str = "https://as.example";
const RP: &str = "rp";
const NONCE: &str = "n-0S6_WzA2Mj";

fn oidc_server(implicit: bool) -> Server {
    let (server, _) = server_with(Config {
        issuer: Some(ISSUER.into()),
        implicit_grant: implicit,
        ..Config::default()
    });
    server.storage().insert_client(ClientRecord::confidential(
        RP,
        SECRET,
        ClientMetadata {
            redirect_uris: vec![REDIRECT.into()],
            grant_types: vec!["authorization_code".into(), "implicit".into()],
            response_types: [
                "code",
                "id_token",
                "code id_token",
                "id_token token",
                "code token",
                "code id_token token",
            ]
            .map(String::from)
            .to_vec(),
            scope: Some("openid profile".into()),
            ..ClientMetadata::default()
        },
    ));
    server.with_openid_connect()
}

fn params<'a>(response_type: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p: Vec<(&str, &str)> = vec![
        ("response_type", response_type),
        ("client_id", RP),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "af0ifjsldkj"),
        ("nonce", NONCE),
    ];
    p.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    p.extend_from_slice(extra);
    p
}

async fn grant(server: &Server, params: &[(&str, &str)]) -> OAuth2Response {
    server
        .create_authorization_response(
            &authorize_request(params),
            Consent::LoggedIn(Login::new("alice", NOW - 30)),
        )
        .await
}

/// The fragment's parameters (and that they are not in the query).
fn fragment(response: &OAuth2Response) -> HashMap<String, String> {
    let location = response.header("Location").expect("a redirect");
    assert!(location.contains('#'), "in the fragment: {location}");
    assert!(
        !location.split('#').next().unwrap().contains('?'),
        "{location}"
    );
    redirect_params(response)
}

async fn verify(server: &Server, id_token: &str) -> Value {
    let jwks: JwkSet =
        serde_json::from_value(server.create_jwks_response().await.json_body()).unwrap();
    jose::verify(id_token, &jwks, &Verification::new(&SUPPORTED_ALGORITHMS))
        .expect("verifies with the published keys")
        .claims
}

fn alg(id_token: &str) -> jsonwebtoken::Algorithm {
    jsonwebtoken::decode_header(id_token).unwrap().alg
}

#[tokio::test]
async fn oidc_core_3_2_2_5_id_token_response_is_an_id_token_in_the_fragment() {
    let server = oidc_server(false);
    let p = fragment(&grant(&server, &params("id_token", &[])).await);
    assert_eq!(p["state"], "af0ifjsldkj");
    assert_eq!(p["iss"], ISSUER);
    assert!(
        !p.contains_key("code") && !p.contains_key("access_token"),
        "{p:?}"
    );
    let claims = verify(&server, &p["id_token"]).await;
    // §3.2.2.10: iss, sub, aud, exp, iat, nonce REQUIRED; auth_time.
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["aud"], RP);
    assert_eq!(claims["nonce"], NONCE);
    assert_eq!(claims["auth_time"], NOW - 30);
    assert!(claims.get("at_hash").is_none() && claims.get("c_hash").is_none());
}

#[tokio::test]
async fn oidc_core_3_2_2_1_nonce_is_required_when_an_id_token_is_returned() {
    let server = oidc_server(true);
    for response_type in ["id_token", "code id_token", "id_token token"] {
        let without: Vec<(&str, &str)> = params(response_type, &[])
            .into_iter()
            .filter(|(k, _)| *k != "nonce")
            .collect();
        let p = fragment(&grant(&server, &without).await);
        assert_eq!(p["error"], "invalid_request", "{response_type}");
        assert_eq!(p["state"], "af0ifjsldkj");
    }
    // The hybrid code token needs no nonce (§3.3.2.11 asks it only of
    // response types with an ID token here).
    let without: Vec<(&str, &str)> = params("code token", &[])
        .into_iter()
        .filter(|(k, _)| *k != "nonce")
        .collect();
    assert!(fragment(&grant(&server, &without).await).contains_key("code"));
}

#[tokio::test]
async fn oidc_core_3_2_2_1_an_id_token_needs_the_openid_scope() {
    let server = oidc_server(false);
    let p = fragment(&grant(&server, &params("id_token", &[("scope", "profile")])).await);
    assert_eq!(p["error"], "invalid_request");
}

#[tokio::test]
async fn oidc_core_3_3_2_11_code_id_token_binds_the_code_with_c_hash() {
    let server = oidc_server(false);
    let p = fragment(&grant(&server, &params("code id_token", &[])).await);
    let code = &p["code"];
    let claims = verify(&server, &p["id_token"]).await;
    assert_eq!(claims["c_hash"], token_hash(alg(&p["id_token"]), code));
    assert_eq!(claims["nonce"], NONCE);
    // §3.3.3.6: the token endpoint's ID token is for the same user, with
    // the same nonce.
    let r = server
        .create_token_response(
            &oauth_core::OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic(RP, SECRET))
                .with_form([
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", REDIRECT),
                ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let second = verify(&server, r.json_body()["id_token"].as_str().unwrap()).await;
    assert_eq!(second["sub"], claims["sub"]);
    assert_eq!(second["iss"], claims["iss"]);
    assert_eq!(second["nonce"], NONCE);
}

#[tokio::test]
async fn oidc_core_3_3_2_11_code_id_token_token_has_c_hash_and_at_hash() {
    let server = oidc_server(true);
    let p = fragment(&grant(&server, &params("code id_token token", &[])).await);
    let claims = verify(&server, &p["id_token"]).await;
    let alg = alg(&p["id_token"]);
    assert_eq!(claims["c_hash"], token_hash(alg, &p["code"]));
    assert_eq!(claims["at_hash"], token_hash(alg, &p["access_token"]));
    assert_eq!(p["token_type"], "Bearer");
    // §3.2.2.10: id_token token has at_hash.
    let p = fragment(&grant(&server, &params("id_token token", &[])).await);
    let claims = verify(&server, &p["id_token"]).await;
    assert_eq!(
        claims["at_hash"],
        token_hash(
            jsonwebtoken::decode_header(&p["id_token"]).unwrap().alg,
            &p["access_token"]
        )
    );
    assert!(!p.contains_key("refresh_token"));
}

#[tokio::test]
async fn rfc9700_2_1_2_token_in_the_front_channel_only_while_implicit_is_on() {
    let server = oidc_server(false);
    for response_type in ["id_token token", "code token", "code id_token token"] {
        let p = fragment(&grant(&server, &params(response_type, &[])).await);
        assert_eq!(p["error"], "unsupported_response_type", "{response_type}");
    }
    let doc = server.metadata(ISSUER, &Endpoints::under("/oauth"));
    let types: Vec<&str> = doc["response_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"id_token") && types.contains(&"code id_token"),
        "{types:?}"
    );
    assert!(!types.contains(&"code id_token token"), "{types:?}");
}

#[tokio::test]
async fn multiple_response_types_2_1_query_cannot_carry_an_id_token() {
    let server = oidc_server(false);
    let p = fragment(
        &grant(
            &server,
            &params("code id_token", &[("response_mode", "query")]),
        )
        .await,
    );
    assert_eq!(p["error"], "invalid_request");
    // The query is fine for code, and fragment too.
    let r = grant(&server, &params("code", &[("response_mode", "fragment")])).await;
    assert!(fragment(&r).contains_key("code"));
}

#[tokio::test]
async fn multiple_response_types_2_1_unknown_response_mode_is_invalid_request() {
    let server = oidc_server(false);
    let r = grant(&server, &params("code", &[("response_mode", "jwt")])).await;
    assert_eq!(redirect_params(&r)["error"], "invalid_request");
}

/// The hidden inputs of a form_post page.
fn posted(response: &OAuth2Response) -> HashMap<String, String> {
    assert_eq!(response.status, 200, "{response:?}");
    assert!(
        response
            .header("Content-Type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        response.body.contains(&format!("action=\"{REDIRECT}\"")),
        "{}",
        response.body
    );
    response
        .body
        .match_indices("<input type=\"hidden\" name=\"")
        .map(|(i, _)| {
            let rest = &response.body[i + 27..];
            let (name, rest) = rest.split_once('"').unwrap();
            let value = rest
                .split_once("value=\"")
                .unwrap()
                .1
                .split_once('"')
                .unwrap()
                .0;
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn form_post_2_the_answer_is_posted_to_the_redirect_uri() {
    let server = oidc_server(false);
    let r = grant(
        &server,
        &params("code id_token", &[("response_mode", "form_post")]),
    )
    .await;
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let csp = r.header("Content-Security-Policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-"),
        "{csp}"
    );
    let p = posted(&r);
    assert_eq!(p["state"], "af0ifjsldkj");
    assert_eq!(p["iss"], ISSUER);
    let claims = verify(&server, &p["id_token"]).await;
    assert_eq!(
        claims["c_hash"],
        token_hash(alg(&p["id_token"]), &p["code"])
    );
    // Nothing is in a Location.
    assert!(r.header("Location").is_none());
    // Plain code flow, and errors, go the same way.
    let p = posted(&grant(&server, &params("code", &[("response_mode", "form_post")])).await);
    assert!(p.contains_key("code"));
    let denied = server
        .create_authorization_response(
            &authorize_request(&params("code", &[("response_mode", "form_post")])),
            Consent::Denied,
        )
        .await;
    assert_eq!(posted(&denied)["error"], "access_denied");
}

#[tokio::test]
async fn form_post_values_are_escaped() {
    let server = oidc_server(false);
    let r = grant(
        &server,
        &params(
            "code",
            &[
                ("response_mode", "form_post"),
                ("state", "\"><script>x</script>"),
            ],
        ),
    )
    .await;
    assert!(!r.body.contains("<script>x"), "{}", r.body);
    assert!(
        r.body.contains("&quot;&gt;&lt;script&gt;x&lt;/script&gt;"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn metadata_lists_every_response_mode() {
    let server = oidc_server(true);
    let doc = server.metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        doc["response_modes_supported"],
        serde_json::json!(["query", "fragment", "form_post"])
    );
    assert!(
        doc["response_types_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "code id_token token")
    );
}
