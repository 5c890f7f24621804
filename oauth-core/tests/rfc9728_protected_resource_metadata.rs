//! RFC 9728, Protected Resource Metadata, for the resource beside the
//! authorization server: the document (§2, §3), its URL (§3.1), the
//! identifier it must carry (§3.3), the authorization server's
//! `protected_resources` (§4) and the challenges' `resource_metadata`
//! (§5.1, in `rocket_guard_errors.rs` and `e2e_oauth2.rs` over HTTP).

mod common;
use common::*;

use oauth_core::oauth2::rfc9728::{ProtectedResource, metadata_url};
use oauth_core::{Config, Endpoints, OAuth2Request};

fn api(path: &str) -> ProtectedResource {
    ProtectedResource {
        path: path.into(),
        scopes_supported: Some(vec!["profile".into(), "email".into()]),
        resource_name: Some("Photos".into()),
    }
}

fn configured(path: &str) -> Server {
    let (server, _) = server_with(Config {
        issuer: Some("https://as.example".into()),
        ..Config::default()
    });
    server.with_protected_resource(api(path))
}

#[test]
fn rfc9728_3_1_the_well_known_suffix_goes_between_host_and_path() {
    for (resource, url) in [
        (
            "https://as.example",
            "https://as.example/.well-known/oauth-protected-resource",
        ),
        (
            "https://as.example/",
            "https://as.example/.well-known/oauth-protected-resource",
        ),
        (
            "https://as.example/api/v1",
            "https://as.example/.well-known/oauth-protected-resource/api/v1",
        ),
        (
            "http://127.0.0.1:8000",
            "http://127.0.0.1:8000/.well-known/oauth-protected-resource",
        ),
    ] {
        assert_eq!(metadata_url(resource).as_deref(), Some(url), "{resource}");
    }
    // §2: an identifier has no query and no fragment.
    for bad in ["https://as.example/?x=1", "https://as.example/#f", "/api"] {
        assert_eq!(metadata_url(bad), None, "{bad}");
    }
}

#[test]
fn rfc9728_2_the_document_names_the_resource_and_its_authorization_server() {
    let server = configured("");
    let request = OAuth2Request::get("https://as.example/.well-known/oauth-protected-resource");
    let doc = server
        .protected_resource_metadata(&request)
        .expect("served");
    // §3.3: the resource is the identifier the URL was made from.
    assert_eq!(doc["resource"], "https://as.example");
    assert_eq!(
        doc["authorization_servers"],
        serde_json::json!(["https://as.example"])
    );
    assert_eq!(
        doc["scopes_supported"],
        serde_json::json!(["profile", "email"])
    );
    assert_eq!(
        doc["bearer_methods_supported"],
        serde_json::json!(["header"])
    );
    assert_eq!(doc["resource_name"], "Photos");
    assert_eq!(doc["dpop_bound_access_tokens_required"], false);
    assert!(
        doc["dpop_signing_alg_values_supported"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}

#[test]
fn rfc9728_3_3_a_url_made_from_another_identifier_has_no_document() {
    let server = configured("/api");
    let at_root = OAuth2Request::get("https://as.example/.well-known/oauth-protected-resource");
    assert!(server.protected_resource_metadata(&at_root).is_none());
    let at_path = OAuth2Request::get("https://as.example/.well-known/oauth-protected-resource/api");
    let doc = server
        .protected_resource_metadata(&at_path)
        .expect("served");
    assert_eq!(doc["resource"], "https://as.example/api");
    // Without a resource configured, nothing is described.
    let (plain, _) = common::server();
    assert!(plain.protected_resource_metadata(&at_root).is_none());
}

#[test]
fn rfc9728_2_bearer_methods_follow_the_configuration() {
    let mut config = Config::default();
    config.bearer.in_body = true;
    config.bearer.in_query = true;
    let (server, _) = server_with(config);
    let server = server.with_protected_resource(api(""));
    let doc = server
        .protected_resource_metadata(&OAuth2Request::get(
            "https://as.example/.well-known/oauth-protected-resource",
        ))
        .unwrap();
    assert_eq!(
        doc["bearer_methods_supported"],
        serde_json::json!(["header", "body", "query"])
    );
}

#[test]
fn rfc9728_4_the_authorization_server_lists_the_resource() {
    let server = configured("/api");
    let doc = server.metadata("https://as.example", &Endpoints::under("/oauth"));
    assert_eq!(
        doc["protected_resources"],
        serde_json::json!(["https://as.example/api"])
    );
    let (plain, _) = common::server();
    let doc = plain.metadata("https://as.example", &Endpoints::under("/oauth"));
    assert!(doc.get("protected_resources").is_none());
}
