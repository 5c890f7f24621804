//! RFC 8707, Resource Indicators: `resource` at the authorization, PAR and
//! token endpoints (§2), checked (absolute URI, no fragment, known to the
//! server: `invalid_target`), carried into the token's audience (stored,
//! introspected), narrowed per token request and kept whole by the refresh
//! token (§2.2), and enforced by the resource (a token for another
//! audience is refused).

mod common;
use common::*;

use oauth_core::oauth2::rfc9728::ProtectedResource;
use oauth_core::{Config, Consent, OAuth2Request, OAuth2Storage, ScopeRequirement, secrets};
use serde_json::{Value, json};

const CALENDAR: &str = "https://cal.example/";
const CONTACTS: &str = "https://contacts.example/api";
const UNKNOWN: &str = "https://evil.example/";

fn config() -> Config {
    Config {
        issuer: Some("https://as.example".into()),
        resources: vec![CALENDAR.into(), CONTACTS.into()],
        ..Config::default()
    }
}

fn resource_server() -> Server {
    server_with(config())
        .0
        .with_protected_resource(ProtectedResource {
            path: "/api".into(),
            ..ProtectedResource::default()
        })
}

fn code_params<'a>(resources: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", "basic-client"),
        ("redirect_uri", REDIRECT),
        ("scope", "profile"),
        ("state", "s"),
    ];
    p.extend(resources.iter().map(|r| ("resource", *r)));
    p
}

async fn token(server: &Server, form: &[(&str, &str)]) -> Value {
    let r = server.create_token_response(&token_request(form)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

async fn introspect(server: &Server, token: &str) -> Value {
    let r = server
        .create_introspection_response(
            &OAuth2Request::post("https://as.example/introspect")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form([("token", token)]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

fn redeem(code: &str, resources: &[&str]) -> OAuth2Request {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    form.extend(resources.iter().map(|r| ("resource", *r)));
    token_request(&form)
}

#[tokio::test]
async fn rfc8707_2_a_resource_must_be_an_absolute_uri_without_fragment_known_to_the_server() {
    let server = resource_server();
    for bad in [
        "/relative/path",
        "https://cal.example/#frag",
        UNKNOWN,
        "cal example",
    ] {
        let response = server
            .create_authorization_response(
                &authorize_request(&code_params(&[bad])),
                Consent::Granted {
                    user_id: "alice".into(),
                },
            )
            .await;
        // Redirected with the spec's code and the client's state.
        let p = redirect_params(&response);
        assert_eq!(p["error"], "invalid_target", "{bad}: {p:?}");
        assert_eq!(p["state"], "s");
        assert!(!p.contains_key("code"), "{bad}");
    }
}

#[tokio::test]
async fn rfc8707_2_1_the_codes_resources_are_the_tokens_audience() {
    let server = resource_server();
    let kept = obtain_code(&server, &code_params(&[CALENDAR, CONTACTS])).await;
    let stored = server
        .storage()
        .take_authorization_code(&secrets::digest(&kept))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        oauth_core::OAuth2AuthorizationCode::audience(&stored),
        vec![CALENDAR.to_owned(), CONTACTS.to_owned()]
    );
    let code = obtain_code(&server, &code_params(&[CALENDAR, CONTACTS])).await;
    let request = redeem(&code, &[]);
    let tokens = server.create_token_response(&request).await.json_body();
    let info = introspect(&server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(info["aud"], json!([CALENDAR, CONTACTS]));
}

#[tokio::test]
async fn rfc8707_2_2_a_token_request_narrows_to_some_of_the_grants_resources() {
    let server = resource_server();
    let code = obtain_code(&server, &code_params(&[CALENDAR, CONTACTS])).await;
    let r = server
        .create_token_response(&redeem(&code, &[CALENDAR]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tokens = r.json_body();
    let access = introspect(&server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(access["aud"], CALENDAR);
    // The refresh token keeps the grant's whole set...
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let refresh = introspect(&server, refresh_token).await;
    assert_eq!(refresh["aud"], json!([CALENDAR, CONTACTS]));
    // ...so it gets a token for the other resource, and keeps it after
    // its rotation.
    let next = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("resource", CONTACTS),
        ],
    )
    .await;
    let access = introspect(&server, next["access_token"].as_str().unwrap()).await;
    assert_eq!(access["aud"], CONTACTS);
    let rotated = introspect(&server, next["refresh_token"].as_str().unwrap()).await;
    assert_eq!(rotated["aud"], json!([CALENDAR, CONTACTS]));
    // Without a resource, the grant's.
    let again = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", next["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    let access = introspect(&server, again["access_token"].as_str().unwrap()).await;
    assert_eq!(access["aud"], json!([CALENDAR, CONTACTS]));
}

#[tokio::test]
async fn rfc8707_2_2_a_resource_outside_the_grant_is_invalid_target_at_refresh() {
    let server = resource_server();
    let code = obtain_code(&server, &code_params(&[CALENDAR])).await;
    let tokens = server
        .create_token_response(&redeem(&code, &[]))
        .await
        .json_body();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    // Known to the server, but not one this grant is for.
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("resource", CONTACTS),
        ]))
        .await;
    assert_error(&r, 400, "invalid_target");
    // Nothing changed: the refresh token still works.
    token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await;
}

#[tokio::test]
async fn rfc8707_2_2_a_code_redeemed_for_a_resource_outside_its_grant_is_invalid_target() {
    let server = resource_server();
    let code = obtain_code(&server, &code_params(&[CALENDAR])).await;
    let r = server
        .create_token_response(&redeem(&code, &[CONTACTS]))
        .await;
    assert_error(&r, 400, "invalid_target");
}

#[tokio::test]
async fn rfc8707_2_an_unknown_resource_at_the_token_endpoint_leaves_the_code_unspent() {
    let server = resource_server();
    let code = obtain_code(&server, &code_params(&[])).await;
    let r = server
        .create_token_response(&redeem(&code, &[UNKNOWN]))
        .await;
    assert_error(&r, 400, "invalid_target");
    let r = server.create_token_response(&redeem(&code, &[])).await;
    assert_eq!(
        r.status, 200,
        "the code was spent by a refused request: {}",
        r.body
    );
}

#[tokio::test]
async fn rfc8707_2_2_client_credentials_tokens_take_the_requested_resources() {
    let server = resource_server();
    let tokens = token(
        &server,
        &[
            ("grant_type", "client_credentials"),
            ("resource", CONTACTS),
            ("resource", CALENDAR),
            ("resource", CONTACTS),
        ],
    )
    .await;
    let info = introspect(&server, tokens["access_token"].as_str().unwrap()).await;
    // Repeats are one resource.
    assert_eq!(info["aud"], json!([CONTACTS, CALENDAR]));
    let r = server
        .create_token_response(&token_request(&[
            ("grant_type", "client_credentials"),
            ("resource", UNKNOWN),
        ]))
        .await;
    assert_error(&r, 400, "invalid_target");
    // Without a resource, the token is not restricted (no aud).
    let plain = token(&server, &[("grant_type", "client_credentials")]).await;
    let info = introspect(&server, plain["access_token"].as_str().unwrap()).await;
    assert!(info.get("aud").is_none(), "{info}");
}

#[tokio::test]
async fn rfc8707_2_the_resource_refuses_a_token_for_another_audience() {
    let server = resource_server();
    // The application's own API is https://as.example/api, a resource
    // clients may ask for as well as the configured ones.
    let own = "https://as.example/api";
    let at = |form: Vec<(&'static str, &'static str)>| {
        let server = &server;
        async move {
            token(server, &form).await["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let for_calendar = at(vec![
        ("grant_type", "client_credentials"),
        ("resource", CALENDAR),
    ])
    .await;
    let for_api = at(vec![
        ("grant_type", "client_credentials"),
        ("resource", own),
    ])
    .await;
    let unrestricted = at(vec![("grant_type", "client_credentials")]).await;
    let call = |t: String| {
        let server = &server;
        async move {
            server
                .validate_bearer(
                    &OAuth2Request::get("https://as.example/api/me")
                        .with_header("Authorization", format!("Bearer {t}")),
                    &ScopeRequirement::None,
                )
                .await
        }
    };
    let refused = call(for_calendar)
        .await
        .expect_err("a token for the calendar");
    let e = refused.error.expect("an error");
    assert_eq!(e.code.as_str(), "invalid_token");
    assert!(
        e.description.contains("another resource"),
        "{}",
        e.description
    );
    call(for_api).await.expect("a token for this API");
    call(unrestricted)
        .await
        .expect("a token for no resource in particular");
}

#[tokio::test]
async fn rfc8707_2_1_a_pushed_request_carries_its_resources_to_the_code() {
    let server = resource_server();
    let r = server
        .create_pushed_authorization_response(
            &OAuth2Request::post("https://as.example/par")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form(
                    code_params(&[CONTACTS])
                        .into_iter()
                        .filter(|(k, _)| *k != "client_id"),
                ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let request_uri = r.json_body()["request_uri"].as_str().unwrap().to_owned();
    let code = obtain_code(
        &server,
        &[("client_id", "basic-client"), ("request_uri", &request_uri)],
    )
    .await;
    let tokens = server
        .create_token_response(&redeem(&code, &[]))
        .await
        .json_body();
    let info = introspect(&server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(info["aud"], CONTACTS);
    // An unknown resource is refused at the push itself.
    let r = server
        .create_pushed_authorization_response(
            &OAuth2Request::post("https://as.example/par")
                .with_header("Authorization", basic("basic-client", SECRET))
                .with_form(
                    code_params(&[UNKNOWN])
                        .into_iter()
                        .filter(|(k, _)| *k != "client_id"),
                ),
        )
        .await;
    assert_error(&r, 400, "invalid_target");
}

#[test]
fn rfc8707_2_configured_resources_are_absolute_uris_without_fragment() {
    for bad in ["/api", "https://rs.example/#x", "not a uri"] {
        let config = Config {
            resources: vec![bad.into()],
            ..Config::default()
        };
        let e = config.validate().expect_err(bad);
        assert!(e.contains("oauth2.resources"), "{e}");
    }
    config().validate().expect("valid");
}

#[test]
fn rfc9728_4_the_servers_metadata_lists_the_resources_it_issues_for() {
    let server = resource_server();
    let doc = server.metadata("https://as.example", &oauth_core::Endpoints::under(""));
    assert_eq!(
        doc["protected_resources"],
        json!(["https://as.example/api", CALENDAR, CONTACTS])
    );
}
