//! OpenID Connect Dynamic Client Registration 1.0 §2 on the engine: the
//! metadata OpenID Connect adds, refused when this provider cannot honour
//! it, and applied at the authorization endpoint when it can
//! (`default_max_age`, `require_auth_time`).

mod common;

use common::*;
use oauth_core::oidc::Interaction;
use oauth_core::{ClientMetadata, ClientRecord, Config, Consent, Login};
use serde_json::json;

fn oidc_server() -> Server {
    let (server, _) = server_with(Config {
        issuer: Some("https://as.example".into()),
        ..Config::default()
    });
    server.with_openid_connect()
}

fn metadata(extra: serde_json::Value) -> ClientMetadata {
    let mut doc = json!({
        "redirect_uris": [REDIRECT],
        "scope": "openid profile",
    });
    for (k, v) in extra.as_object().unwrap() {
        doc[k] = v.clone();
    }
    serde_json::from_value(doc).expect("metadata parses")
}

fn refused(server: &Server, extra: serde_json::Value) -> String {
    let err = server
        .validate_client_metadata(metadata(extra.clone()))
        .expect_err(&format!("{extra} is refused"));
    assert_eq!(err.code.as_str(), "invalid_client_metadata", "{extra}");
    err.description
}

#[test]
fn oidc_registration_2_accepted_metadata_is_kept() {
    let server = oidc_server();
    let m = server
        .validate_client_metadata(metadata(json!({
            "id_token_signed_response_alg": "RS256",
            "subject_type": "public",
            "default_max_age": 3600,
            "require_auth_time": true,
            "post_logout_redirect_uris": ["https://client.example/bye"],
            "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", "kid": "k1",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]},
        })))
        .unwrap();
    assert_eq!(m.default_max_age, Some(3600));
    assert!(m.require_auth_time);
    assert_eq!(m.post_logout_redirect_uris, ["https://client.example/bye"]);
    assert_eq!(m.jwks.unwrap().keys.len(), 1);
}

#[test]
fn oidc_registration_2_an_algorithm_the_server_does_not_sign_with_is_refused() {
    let server = oidc_server();
    for alg in ["ES256", "none", "HS256"] {
        let d = refused(&server, json!({ "id_token_signed_response_alg": alg }));
        assert!(d.contains("RS256"), "{d}");
    }
}

#[test]
fn oidc_registration_2_pairwise_and_unknown_subject_types_are_refused() {
    let server = oidc_server();
    refused(&server, json!({"subject_type": "pairwise"}));
    refused(&server, json!({"subject_type": "secret"}));
}

#[test]
fn rfc7591_2_jwks_and_jwks_uri_are_not_both_given() {
    let server = oidc_server();
    refused(
        &server,
        json!({"jwks": {"keys": []}, "jwks_uri": "https://client.example/jwks"}),
    );
}

#[test]
fn oidc_registration_2_bad_values_are_refused() {
    let server = oidc_server();
    refused(&server, json!({"default_max_age": -1}));
    refused(&server, json!({"post_logout_redirect_uris": ["not a uri"]}));
    refused(
        &server,
        json!({"post_logout_redirect_uris": ["https://client.example/bye#f"]}),
    );
}

fn client_with(extra: serde_json::Value) -> Server {
    let server = oidc_server();
    let mut m = metadata(extra);
    m.token_endpoint_auth_method = oauth_core::ClientAuthMethod::ClientSecretBasic;
    server
        .storage()
        .insert_client(ClientRecord::confidential("rp", SECRET, m));
    server
}

fn request_params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "rp"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "s"),
    ]
}

#[tokio::test]
async fn oidc_registration_2_default_max_age_applies_when_the_request_has_none() {
    let server = client_with(json!({"default_max_age": 60}));
    let request = server
        .validate_authorization_request(&authorize_request(&request_params()))
        .await
        .unwrap();
    let old_login = Login::new("alice", NOW - 120);
    assert_eq!(
        request.interaction(Some(&old_login), NOW, true).unwrap(),
        Interaction::Login
    );
    // The request's own max_age overrides it.
    let mut p = request_params();
    p.push(("max_age", "600"));
    let request = server
        .validate_authorization_request(&authorize_request(&p))
        .await
        .unwrap();
    assert_eq!(
        request.interaction(Some(&old_login), NOW, true).unwrap(),
        Interaction::Grant
    );
}

#[tokio::test]
async fn oidc_registration_2_require_auth_time_refuses_a_grant_of_unknown_login_time() {
    let server = client_with(json!({"require_auth_time": true}));
    let response = server
        .create_authorization_response(
            &authorize_request(&request_params()),
            Consent::Granted {
                user_id: "alice".into(),
            },
        )
        .await;
    assert_eq!(redirect_params(&response)["error"], "login_required");
    let response = server
        .create_authorization_response(
            &authorize_request(&request_params()),
            Consent::LoggedIn(Login::new("alice", NOW)),
        )
        .await;
    assert!(redirect_params(&response).contains_key("code"));
}

/// A server signing with RS256 by default and keeping ES256 and EdDSA
/// keys too.
fn multi_alg_server() -> Server {
    let (server, _) = server_with(Config {
        issuer: Some("https://as.example".into()),
        signing_keys: oauth_core::config::SigningKeys {
            additional_algorithms: vec!["ES256".into(), "EdDSA".into()],
            ..Default::default()
        },
        ..Config::default()
    });
    server.with_openid_connect()
}

#[tokio::test]
async fn oidc_registration_2_id_token_signed_response_alg_chooses_the_key() {
    let server = multi_alg_server();
    let doc = server.metadata(
        "https://as.example",
        &oauth_core::Endpoints::under("/oauth"),
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256", "ES256", "EdDSA"])
    );
    // Every algorithm has its key in the set before it first signs.
    let jwks = server.create_jwks_response().await.json_body();
    let algs: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algs.len(), 3, "{jwks}");
    for (alg, expected) in [
        (None, jsonwebtoken::Algorithm::RS256),
        (Some("ES256"), jsonwebtoken::Algorithm::ES256),
        (Some("EdDSA"), jsonwebtoken::Algorithm::EdDSA),
    ] {
        let id = format!("rp-{expected:?}");
        let mut m = metadata(json!({}));
        m.id_token_signed_response_alg = alg.map(String::from);
        let m = server.validate_client_metadata(m).expect("registrable");
        server
            .storage()
            .insert_client(ClientRecord::confidential(id.clone(), SECRET, m));
        let response = server
            .create_authorization_response(
                &authorize_request(&[
                    ("response_type", "code"),
                    ("client_id", &id),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ]),
                Consent::LoggedIn(Login::new("alice", NOW)),
            )
            .await;
        let code = redirect_params(&response)["code"].clone();
        let r = server
            .create_token_response(
                &oauth_core::OAuth2Request::post("https://as.example/token")
                    .with_header("Authorization", basic(&id, SECRET))
                    .with_form([
                        ("grant_type", "authorization_code"),
                        ("code", code.as_str()),
                        ("redirect_uri", REDIRECT),
                    ]),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let id_token = r.json_body()["id_token"].as_str().unwrap().to_owned();
        assert_eq!(
            jsonwebtoken::decode_header(&id_token).unwrap().alg,
            expected
        );
        let set: oauth_core::jose::JwkSet = serde_json::from_value(jwks.clone()).unwrap();
        assert!(
            oauth_core::jose::verify(
                &id_token,
                &set,
                &oauth_core::jose::Verification::new(&[expected])
            )
            .is_ok()
        );
    }
}
