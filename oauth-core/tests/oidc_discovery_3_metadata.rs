//! OpenID Connect Discovery 1.0 §3: the OpenID Provider Metadata, which is
//! the RFC 8414 document with the members OpenID Connect adds, and only
//! for a server that serves OpenID Connect.

mod common;

use common::*;
use oauth_core::{Config, Endpoints};

const ISSUER: &str = "https://as.example";

fn endpoints() -> Endpoints {
    Endpoints {
        jwks: Some("/oauth/jwks".into()),
        userinfo: Some("/oauth/userinfo".into()),
        ..Endpoints::under("/oauth")
    }
}

#[test]
fn oidc_discovery_3_required_members_are_present() {
    let (server, _) = server();
    let server = server.with_openid_connect();
    let doc = server.openid_configuration(ISSUER, &endpoints()).unwrap();
    // §3: REQUIRED members.
    assert_eq!(doc["issuer"], ISSUER);
    assert_eq!(
        doc["authorization_endpoint"],
        "https://as.example/oauth/authorize"
    );
    assert_eq!(doc["token_endpoint"], "https://as.example/oauth/token");
    assert_eq!(doc["jwks_uri"], "https://as.example/oauth/jwks");
    assert_eq!(
        doc["userinfo_endpoint"],
        "https://as.example/oauth/userinfo"
    );
    assert!(
        doc["response_types_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "code")
    );
    assert_eq!(
        doc["subject_types_supported"],
        serde_json::json!(["public"])
    );
    // §3 and Core §15.1: RS256 is the default algorithm.
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    // §3: scopes_supported MUST include openid when listed.
    assert!(
        doc["scopes_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "openid")
    );
    assert!(
        doc["claims_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "sub")
    );
    assert_eq!(doc["claims_parameter_supported"], true);
    // request_uri_parameter_supported defaults to true: said false.
    assert_eq!(doc["request_uri_parameter_supported"], false);
    assert_eq!(doc["request_parameter_supported"], true);
    for p in ["none", "login", "consent", "select_account"] {
        assert!(
            doc["prompt_values_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == p)
        );
    }
}

#[test]
fn oidc_discovery_3_is_the_rfc8414_document() {
    let (server, _) = server();
    let server = server.with_openid_connect();
    assert_eq!(
        server.openid_configuration(ISSUER, &endpoints()).unwrap(),
        server.metadata(ISSUER, &endpoints())
    );
}

#[test]
fn oidc_discovery_3_configured_scopes_gain_openid() {
    let (server, _) = server_with(Config {
        scopes: oauth_core::config::Scopes {
            supported: Some(vec!["profile".into(), "email".into()]),
            ..Default::default()
        },
        ..Config::default()
    });
    let doc = server
        .with_openid_connect()
        .openid_configuration(ISSUER, &endpoints())
        .unwrap();
    assert_eq!(
        doc["scopes_supported"],
        serde_json::json!(["openid", "profile", "email"])
    );
}

#[test]
fn oidc_discovery_3_the_algorithm_is_the_key_rings() {
    let (server, _) = server_with(Config {
        signing_keys: oauth_core::config::SigningKeys {
            algorithm: "EdDSA".into(),
            ..Default::default()
        },
        ..Config::default()
    });
    let doc = server.with_openid_connect().metadata(ISSUER, &endpoints());
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["EdDSA"])
    );
}

#[test]
fn a_server_without_openid_connect_has_no_openid_configuration() {
    let (server, _) = server();
    let server = server.with_signing_keys();
    assert_eq!(server.openid_configuration(ISSUER, &endpoints()), None);
    let doc = server.metadata(ISSUER, &endpoints());
    for absent in [
        "userinfo_endpoint",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ] {
        assert!(doc.get(absent).is_none(), "{absent}");
    }
}

#[test]
fn claims_supported_lists_what_the_site_has() {
    let (server, _) = server();
    let doc = server
        .with_openid_connect()
        .with_claims_supported(["name", "email"])
        .metadata(ISSUER, &endpoints());
    let claims: Vec<&str> = doc["claims_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(claims.contains(&"sub") && claims.contains(&"auth_time"));
    assert!(claims.contains(&"name") && claims.contains(&"email"));
    assert!(!claims.contains(&"phone_number"));
}

#[test]
fn claims_supported_holds_whatever_the_order_of_the_builder_calls() {
    let list = |server: Server| -> Vec<String> {
        server.metadata(ISSUER, &endpoints())["claims_supported"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    let after = list(
        server()
            .0
            .with_openid_connect()
            .with_claims_supported(["name"]),
    );
    let before = list(
        server()
            .0
            .with_claims_supported(["name"])
            .with_openid_connect(),
    );
    assert_eq!(before, after);
    assert!(!before.iter().any(|c| c == "phone_number"), "{before:?}");
}
