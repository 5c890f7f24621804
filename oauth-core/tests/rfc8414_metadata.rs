//! RFC 8414: OAuth 2.0 Authorization Server Metadata.

mod common;
use common::*;

use std::collections::BTreeSet;

use async_trait::async_trait;
use oauth_core::config::{Pkce, Scopes};
use oauth_core::grants::{IssuedToken, TokenGrant};
use oauth_core::memory::MemoryStorage;
use oauth_core::{
    AuthorizationServer, Config, Endpoints, OAuth2Error, OAuth2Request, OAuth2Storage,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://as.example";

/// A server with `config`, only the grants registered by default.
fn bare_server(config: Config) -> Server {
    AuthorizationServer::new(MemoryStorage::new(), config).expect("valid config")
}

/// The members of a JSON array of strings, as a set.
fn set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

fn set_of(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// A grant type of our own, to see that the document lists what is
/// registered rather than a fixed list.
struct CustomGrant;

#[async_trait]
impl<S: OAuth2Storage> TokenGrant<S> for CustomGrant {
    fn grant_type(&self) -> &str {
        "urn:example:custom"
    }

    async fn create_token(
        &self,
        _server: &AuthorizationServer<S>,
        _client: &S::Client,
        _request: &OAuth2Request,
    ) -> Result<IssuedToken, OAuth2Error> {
        Err(OAuth2Error::invalid_grant("never"))
    }
}

// Endpoint URLs and the issuer.

#[test]
fn rfc8414_2_document_names_the_issuer_and_absolute_endpoint_urls() {
    let doc = bare_server(Config::default()).metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(doc["issuer"], ISSUER);
    assert_eq!(
        doc["authorization_endpoint"],
        "https://as.example/oauth/authorize"
    );
    assert_eq!(doc["token_endpoint"], "https://as.example/oauth/token");
    assert_eq!(
        doc["revocation_endpoint"],
        "https://as.example/oauth/revoke"
    );
    assert_eq!(
        doc["introspection_endpoint"],
        "https://as.example/oauth/introspect"
    );
    assert_eq!(
        doc["registration_endpoint"],
        "https://as.example/oauth/register"
    );
}

#[test]
fn rfc8414_2_endpoint_urls_keep_the_issuer_path_without_doubled_slashes() {
    let server = bare_server(Config::default());
    // §2: the issuer may have a path; it is kept exactly as given.
    let doc = server.metadata("https://as.example/tenant1", &Endpoints::under("/oauth/"));
    assert_eq!(doc["issuer"], "https://as.example/tenant1");
    assert_eq!(
        doc["token_endpoint"],
        "https://as.example/tenant1/oauth/token"
    );
    let doc = server.metadata("https://as.example/", &Endpoints::under("/oauth"));
    assert_eq!(doc["issuer"], "https://as.example/");
    assert_eq!(doc["token_endpoint"], "https://as.example/oauth/token");
}

#[test]
fn rfc8414_2_absolute_endpoint_urls_are_kept() {
    let endpoints = Endpoints {
        authorization: "https://login.example/authorize".into(),
        token: "https://api.example/v1/token".into(),
        revocation: Some("https://api.example/v1/revoke".into()),
        introspection: Some("https://introspect.example/".into()),
        registration: Some("https://api.example/v1/clients".into()),
        device_authorization: Some("https://api.example/v1/device".into()),
        jwks: None,
        userinfo: None,
        end_session: None,
        pushed_authorization_request: Some("https://api.example/v1/par".into()),
    };
    let doc = bare_server(Config::default()).metadata(ISSUER, &endpoints);
    assert_eq!(
        doc["pushed_authorization_request_endpoint"],
        "https://api.example/v1/par"
    );
    assert_eq!(doc["issuer"], ISSUER);
    assert_eq!(
        doc["authorization_endpoint"],
        "https://login.example/authorize"
    );
    assert_eq!(doc["token_endpoint"], "https://api.example/v1/token");
    assert_eq!(doc["revocation_endpoint"], "https://api.example/v1/revoke");
    assert_eq!(doc["introspection_endpoint"], "https://introspect.example/");
    assert_eq!(
        doc["registration_endpoint"],
        "https://api.example/v1/clients"
    );
    assert_eq!(
        doc["device_authorization_endpoint"],
        "https://api.example/v1/device"
    );
}

#[test]
fn rfc8414_2_optional_endpoints_are_listed_only_when_served() {
    let server = bare_server(Config::default());
    let all = server.metadata(ISSUER, &Endpoints::under("/oauth"));
    assert!(
        set(&all["revocation_endpoint_auth_methods_supported"]).contains("client_secret_basic")
    );
    assert!(
        set(&all["introspection_endpoint_auth_methods_supported"]).contains("client_secret_basic")
    );
    assert!(all.get("device_authorization_endpoint").is_none(), "{all}");

    let none = server.metadata(
        ISSUER,
        &Endpoints {
            revocation: None,
            introspection: None,
            registration: None,
            device_authorization: None,
            pushed_authorization_request: None,
            ..Endpoints::under("/oauth")
        },
    );
    for absent in [
        "revocation_endpoint",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint",
        "introspection_endpoint_auth_methods_supported",
        "registration_endpoint",
        "device_authorization_endpoint",
        "pushed_authorization_request_endpoint",
        "require_pushed_authorization_requests",
    ] {
        assert!(none.get(absent).is_none(), "{absent} in {none}");
    }
    // The required members stay.
    assert_eq!(none["issuer"], ISSUER);
    assert_eq!(
        none["authorization_endpoint"],
        "https://as.example/oauth/authorize"
    );
    assert_eq!(none["token_endpoint"], "https://as.example/oauth/token");
}

// What the server serves.

#[test]
fn rfc8414_2_grant_types_supported_lists_exactly_the_registered_grants() {
    let doc = bare_server(Config::default()).metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        set(&doc["grant_types_supported"]),
        set_of(&[
            "authorization_code",
            "client_credentials",
            "implicit",
            "refresh_token"
        ])
    );

    let custom = bare_server(Config::default()).with_grant(CustomGrant);
    let doc = custom.metadata(ISSUER, &Endpoints::under("/oauth"));
    assert!(set(&doc["grant_types_supported"]).contains("urn:example:custom"));
}

#[test]
fn rfc8414_2_implicit_is_a_supported_grant_only_when_on() {
    let off = bare_server(Config {
        implicit_grant: false,
        ..Config::default()
    });
    let doc = off.metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        set(&doc["grant_types_supported"]),
        set_of(&["authorization_code", "client_credentials", "refresh_token"])
    );
}

#[test]
fn rfc8414_2_password_is_a_supported_grant_only_after_with_password_grant() {
    let without = bare_server(Config::default()).metadata(ISSUER, &Endpoints::under("/oauth"));
    assert!(!set(&without["grant_types_supported"]).contains("password"));
    let with = bare_server(Config::default())
        .with_password_grant(Users)
        .metadata(ISSUER, &Endpoints::under("/oauth"));
    assert!(set(&with["grant_types_supported"]).contains("password"));
}

#[test]
fn rfc8414_2_removed_grant_is_not_supported() {
    let server = bare_server(Config::default())
        .without_grant("client_credentials")
        .without_grant("refresh_token");
    let doc = server.metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        set(&doc["grant_types_supported"]),
        set_of(&["authorization_code", "implicit"])
    );
}

#[test]
fn rfc8414_2_response_types_supported_follow_the_implicit_grant() {
    let on = bare_server(Config::default()).metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        set(&on["response_types_supported"]),
        set_of(&["code", "token"])
    );
    let off = bare_server(Config {
        implicit_grant: false,
        ..Config::default()
    })
    .metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(set(&off["response_types_supported"]), set_of(&["code"]));
}

#[test]
fn rfc8414_2_code_challenge_methods_supported_is_s256_by_default() {
    let doc = bare_server(Config::default()).metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
}

#[test]
fn rfc8414_2_code_challenge_methods_supported_has_plain_only_when_allowed() {
    let doc = bare_server(Config {
        pkce: Pkce {
            allow_plain: true,
            ..Pkce::default()
        },
        ..Config::default()
    })
    .metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        set(&doc["code_challenge_methods_supported"]),
        set_of(&["S256", "plain"])
    );
}

#[tokio::test]
async fn rfc8414_2_token_endpoint_auth_methods_supported_are_the_ones_that_work() {
    let (server, _) = server();
    let doc = server.metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        set(&doc["token_endpoint_auth_methods_supported"]),
        set_of(&["client_secret_basic", "client_secret_post", "none"])
    );

    // Each advertised method gets a token for a client registered with it.
    let basic = server
        .create_token_response(&token_request(&[("grant_type", "client_credentials")]))
        .await;
    assert_eq!(basic.status, 200, "{}", basic.body);
    let post_auth = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "post-client"),
                ("client_secret", SECRET),
            ],
        ))
        .await;
    assert_eq!(post_auth.status, 200, "{}", post_auth.body);
    let none = server
        .create_token_response(&post(
            "https://as.example/token",
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "valid"),
                ("client_id", "public-client"),
            ],
        ))
        .await;
    assert_eq!(none.status, 200, "{}", none.body);
}

#[test]
fn rfc8414_2_scopes_supported_only_when_configured() {
    let default = bare_server(Config::default()).metadata(ISSUER, &Endpoints::under("/oauth"));
    assert!(default.get("scopes_supported").is_none(), "{default}");

    let configured = bare_server(Config {
        scopes: Scopes {
            supported: Some(vec!["profile".into(), "email".into(), "admin".into()]),
            ..Scopes::default()
        },
        ..Config::default()
    })
    .metadata(ISSUER, &Endpoints::under("/oauth"));
    assert_eq!(
        set(&configured["scopes_supported"]),
        set_of(&["profile", "email", "admin"])
    );
}

// The issuer identifier in the configuration.

fn issuer_config(issuer: &str, insecure_transport: bool) -> Config {
    Config {
        issuer: Some(issuer.into()),
        insecure_transport,
        ..Config::default()
    }
}

#[test]
fn rfc8414_2_https_issuer_is_accepted() {
    for issuer in [
        "https://as.example",
        "https://as.example/",
        "https://as.example:8443/tenant1",
    ] {
        let config = issuer_config(issuer, false);
        assert_eq!(config.validate(), Ok(()), "{issuer}");
        assert!(AuthorizationServer::new(MemoryStorage::new(), config).is_ok());
    }
}

#[test]
fn rfc8414_2_issuer_that_is_not_https_is_rejected() {
    for issuer in [
        "http://as.example",
        "ftp://as.example",
        "as.example",
        "/oauth",
        "",
    ] {
        let config = issuer_config(issuer, false);
        let err = config.validate().expect_err(issuer);
        assert!(err.contains("issuer"), "{issuer}: {err}");
        assert!(
            AuthorizationServer::new(MemoryStorage::new(), config).is_err(),
            "{issuer}"
        );
    }
}

#[test]
fn rfc8414_2_issuer_without_a_host_is_rejected() {
    let err = issuer_config("https://", false).validate();
    assert!(err.is_err(), "\"https://\" accepted as an issuer");
}

#[test]
fn rfc8414_2_issuer_with_a_query_is_rejected() {
    for insecure in [false, true] {
        let err = issuer_config("https://as.example/?tenant=1", insecure)
            .validate()
            .unwrap_err();
        assert!(err.contains("issuer"), "{err}");
    }
}

#[test]
fn rfc8414_2_issuer_with_a_fragment_is_rejected() {
    for insecure in [false, true] {
        let err = issuer_config("https://as.example/#top", insecure)
            .validate()
            .unwrap_err();
        assert!(err.contains("issuer"), "{err}");
    }
    assert!(
        issuer_config("https://as.example#", false)
            .validate()
            .is_err()
    );
}

#[test]
fn rfc8414_2_http_issuer_is_accepted_only_with_insecure_transport() {
    assert!(
        issuer_config("http://localhost:8000", false)
            .validate()
            .is_err()
    );
    assert_eq!(
        issuer_config("http://localhost:8000", true).validate(),
        Ok(())
    );
    assert!(
        issuer_config("http://localhost:8000/?x=1", true)
            .validate()
            .is_err()
    );
    // insecure_transport is about http, not any scheme.
    assert!(issuer_config("ftp://localhost", true).validate().is_err());
}
