//! RFC 7592: OAuth 2.0 Dynamic Client Registration Management.

mod common;
use common::*;

use oauth_core::http::Method;
use oauth_core::{OAuth2Request, OAuth2Response, ScopeRequirement};
use serde_json::{Value, json};

const REGISTER: &str = "https://as.example/register";

async fn register(server: &Server, metadata: Value) -> Value {
    let r = server
        .create_registration_response(&OAuth2Request::post(REGISTER), &metadata.to_string(), None)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json_body()
}

/// A confidential client that may use client credentials and the code grant.
async fn register_client(server: &Server) -> Value {
    register(
        server,
        json!({
            "client_name": "Printer",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code", "client_credentials"],
            "scope": "profile",
        }),
    )
    .await
}

fn str_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string \"{field}\" in {body}"))
}

/// A request to the configuration endpoint of `client` with its token.
fn configuration(method: &str, client: &Value, token: Option<&str>) -> OAuth2Request {
    let uri = format!("{REGISTER}/{}", str_of(client, "client_id"));
    let mut request = OAuth2Request::new(Method::parse(method), uri);
    if let Some(token) = token {
        request = request.with_header("Authorization", format!("Bearer {token}"));
    }
    request
}

async fn call(
    server: &Server,
    method: &str,
    client: &Value,
    body: Option<&Value>,
) -> OAuth2Response {
    let request = configuration(
        method,
        client,
        Some(str_of(client, "registration_access_token")),
    );
    let body = body.map(Value::to_string);
    server
        .create_client_configuration_response(
            &request,
            str_of(client, "client_id"),
            body.as_deref(),
        )
        .await
}

async fn read(server: &Server, client: &Value) -> Value {
    let r = call(server, "GET", client, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json_body()
}

async fn client_credentials(server: &Server, id: &str, secret: &str) -> OAuth2Response {
    server
        .create_token_response(
            &OAuth2Request::post("https://as.example/token")
                .with_header("Authorization", basic(id, secret))
                .with_form([("grant_type", "client_credentials")]),
        )
        .await
}

/// The update request for `client` as it stands, with `changes` applied:
/// what a client sends after reading its registration, less what the
/// server sets.
fn update_of(client: &Value, changes: Value) -> Value {
    let mut body = client.clone();
    let object = body.as_object_mut().unwrap();
    for field in [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
        "client_secret",
    ] {
        object.remove(field);
    }
    for (k, v) in changes.as_object().unwrap() {
        object.insert(k.clone(), v.clone());
    }
    body
}

#[tokio::test]
async fn rfc7592_3_registration_response_carries_token_and_configuration_uri() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let id = str_of(&client, "client_id");
    assert_eq!(
        str_of(&client, "registration_client_uri"),
        format!("{REGISTER}/{id}")
    );
    let token = str_of(&client, "registration_access_token");
    assert!(token.len() >= 43, "{token}");
    // Another client gets another token.
    let other = register_client(&server).await;
    assert_ne!(str_of(&other, "registration_access_token"), token);
}

#[tokio::test]
async fn rfc7592_2_1_read_answers_the_client_information() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let r = call(&server, "GET", &client, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let info = r.json_body();
    for field in [
        "client_id",
        "client_name",
        "redirect_uris",
        "grant_types",
        "scope",
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
    ] {
        assert_eq!(info[field], client[field], "{field}: {info}");
    }
    // The secret is shown once, at registration; only its digest is kept.
    assert!(info.get("client_secret").is_none(), "{info}");
}

#[tokio::test]
async fn rfc7592_2_1_no_token_or_an_unknown_one_is_refused_401() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let id = str_of(&client, "client_id");
    let r = server
        .create_client_configuration_response(&configuration("GET", &client, None), id, None)
        .await;
    assert_eq!(r.status, 401, "{}", r.body);
    // RFC 6750 §3.1: no error code when no credentials were sent.
    let challenge = r.header("WWW-Authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(!challenge.contains("error="), "{challenge}");

    for wrong in [
        "not-the-token",
        str_of(&client, "client_id"),
        // A client secret is not a registration access token.
        str_of(&client, "client_secret"),
    ] {
        let r = server
            .create_client_configuration_response(
                &configuration("GET", &client, Some(wrong)),
                id,
                None,
            )
            .await;
        assert_eq!(r.status, 401, "{wrong}: {}", r.body);
        let challenge = r.header("WWW-Authenticate").unwrap_or_default();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
}

#[tokio::test]
async fn rfc7592_2_1_the_token_of_another_client_is_forbidden_403() {
    let (server, _) = server();
    let alice = register_client(&server).await;
    let mallory = register_client(&server).await;
    for method in ["GET", "PUT", "DELETE"] {
        let request = configuration(
            method,
            &alice,
            Some(str_of(&mallory, "registration_access_token")),
        );
        let body = update_of(&alice, json!({"client_name": "Owned"})).to_string();
        let r = server
            .create_client_configuration_response(
                &request,
                str_of(&alice, "client_id"),
                Some(&body),
            )
            .await;
        assert_error(&r, 403, "access_denied");
    }
    // Nothing changed, nothing deleted.
    assert_eq!(read(&server, &alice).await["client_name"], "Printer");
}

#[tokio::test]
async fn rfc7592_2_2_update_replaces_the_metadata_and_keeps_the_secret() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let mut update = update_of(
        &client,
        json!({
            "client_name": "Printer 2",
            "redirect_uris": ["https://client.example/new"],
        }),
    );
    // Omitted fields are deleted (§2.2): the scope goes.
    update.as_object_mut().unwrap().remove("scope");
    let r = call(&server, "PUT", &client, Some(&update)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let answered = r.json_body();
    assert_eq!(answered["client_name"], "Printer 2");
    assert!(answered.get("client_secret").is_none(), "{answered}");
    assert_eq!(
        answered["registration_access_token"],
        client["registration_access_token"]
    );

    let info = read(&server, &client).await;
    assert_eq!(info["client_name"], "Printer 2");
    assert_eq!(info["redirect_uris"], json!(["https://client.example/new"]));
    assert!(info.get("scope").is_none(), "{info}");
    // The secret is the one issued at registration.
    let r = client_credentials(
        &server,
        str_of(&client, "client_id"),
        str_of(&client, "client_secret"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn rfc7592_2_2_update_must_send_the_clients_own_client_id() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let other = register_client(&server).await;
    let mut without = update_of(&client, json!({"client_name": "X"}));
    without.as_object_mut().unwrap().remove("client_id");
    let another = update_of(
        &client,
        json!({"client_name": "X", "client_id": other["client_id"]}),
    );
    let not_a_string = update_of(&client, json!({"client_name": "X", "client_id": 7}));
    for body in [without, another, not_a_string] {
        let r = call(&server, "PUT", &client, Some(&body)).await;
        assert_error(&r, 400, "invalid_request");
    }
    assert_eq!(read(&server, &client).await["client_name"], "Printer");
}

#[tokio::test]
async fn rfc7592_2_2_update_must_not_send_the_fields_the_server_sets() {
    let (server, _) = server();
    let client = register_client(&server).await;
    for field in [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
    ] {
        let mut body = update_of(&client, json!({"client_name": "X"}));
        body[field] = client[field].clone();
        let r = call(&server, "PUT", &client, Some(&body)).await;
        assert_error(&r, 400, "invalid_request");
        assert!(r.body.contains(field), "{}", r.body);
    }
    assert_eq!(read(&server, &client).await["client_name"], "Printer");
}

#[tokio::test]
async fn rfc7592_2_2_a_client_secret_sent_must_be_the_current_one() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let chosen = update_of(
        &client,
        json!({"client_name": "X", "client_secret": "my-own-secret"}),
    );
    let r = call(&server, "PUT", &client, Some(&chosen)).await;
    assert_error(&r, 400, "invalid_request");
    assert_eq!(read(&server, &client).await["client_name"], "Printer");
    // The secret cannot have been replaced by the chosen one.
    let r = client_credentials(&server, str_of(&client, "client_id"), "my-own-secret").await;
    assert_error(&r, 401, "invalid_client");

    let current = update_of(
        &client,
        json!({"client_name": "X", "client_secret": client["client_secret"]}),
    );
    let r = call(&server, "PUT", &client, Some(&current)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(read(&server, &client).await["client_name"], "X");
}

#[tokio::test]
async fn rfc7592_2_2_invalid_metadata_is_refused_and_changes_nothing() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let cases = [
        (
            json!({"redirect_uris": ["http://client.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"grant_types": ["no_such_grant"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"client_name": "Photo \u{202e}retnirp"}),
            "invalid_client_metadata",
        ),
    ];
    for (changes, code) in cases {
        let body = update_of(&client, changes);
        let r = call(&server, "PUT", &client, Some(&body)).await;
        assert_error(&r, 400, code);
    }
    let r = server
        .create_client_configuration_response(
            &configuration(
                "PUT",
                &client,
                Some(str_of(&client, "registration_access_token")),
            ),
            str_of(&client, "client_id"),
            Some("[1, 2]"),
        )
        .await;
    assert_error(&r, 400, "invalid_client_metadata");
    let info = read(&server, &client).await;
    assert_eq!(info["redirect_uris"], client["redirect_uris"]);
    assert_eq!(info["grant_types"], client["grant_types"]);
    assert_eq!(info["client_name"], "Printer");
}

#[tokio::test]
async fn rfc7592_2_2_changing_the_authentication_method_gives_or_takes_the_secret() {
    let (server, _) = server();
    let client = register(
        &server,
        json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}),
    )
    .await;
    assert!(client.get("client_secret").is_none(), "{client}");
    let to_confidential = update_of(
        &client,
        json!({"token_endpoint_auth_method": "client_secret_basic", "grant_types": ["authorization_code", "client_credentials"]}),
    );
    let r = call(&server, "PUT", &client, Some(&to_confidential)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let answered = r.json_body();
    let secret = str_of(&answered, "client_secret");
    let id = str_of(&client, "client_id");
    assert_eq!(client_credentials(&server, id, secret).await.status, 200);

    let back = update_of(
        &answered,
        json!({"token_endpoint_auth_method": "none", "grant_types": ["authorization_code"]}),
    );
    let r = call(&server, "PUT", &client, Some(&back)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json_body().get("client_secret").is_none(), "{}", r.body);
    // The secret is gone with the method.
    let r = client_credentials(&server, id, secret).await;
    assert_error(&r, 401, "invalid_client");
}

#[tokio::test]
async fn rfc7592_2_3_delete_removes_the_client_and_revokes_its_tokens() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let other = register_client(&server).await;
    let (id, secret) = (
        str_of(&client, "client_id"),
        str_of(&client, "client_secret"),
    );
    let issued = client_credentials(&server, id, secret).await.json_body();
    let kept = client_credentials(
        &server,
        str_of(&other, "client_id"),
        str_of(&other, "client_secret"),
    )
    .await
    .json_body();
    let api = |token: &str| {
        OAuth2Request::get("https://as.example/api")
            .with_header("Authorization", format!("Bearer {token}"))
    };
    assert!(
        server
            .validate_bearer(
                &api(str_of(&issued, "access_token")),
                &ScopeRequirement::None
            )
            .await
            .is_ok()
    );

    let r = call(&server, "DELETE", &client, None).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.body.is_empty());

    // The client, its secret, its token and the registration are gone.
    assert_error(
        &client_credentials(&server, id, secret).await,
        401,
        "invalid_client",
    );
    assert!(
        server
            .validate_bearer(
                &api(str_of(&issued, "access_token")),
                &ScopeRequirement::None
            )
            .await
            .is_err()
    );
    for method in ["GET", "DELETE"] {
        let r = call(&server, method, &client, None).await;
        assert_eq!(r.status, 401, "{method}: {}", r.body);
    }
    // The other client is untouched.
    assert!(
        server
            .validate_bearer(&api(str_of(&kept, "access_token")), &ScopeRequirement::None)
            .await
            .is_ok()
    );
    assert_eq!(read(&server, &other).await["client_id"], other["client_id"]);
}

#[tokio::test]
async fn rfc7592_5_the_configuration_endpoint_requires_tls() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let token = str_of(&client, "registration_access_token");
    let request = OAuth2Request::get(format!(
        "http://as.example/register/{}",
        str_of(&client, "client_id")
    ))
    .with_header("Authorization", format!("Bearer {token}"));
    let r = server
        .create_client_configuration_response(&request, str_of(&client, "client_id"), None)
        .await;
    assert_error(&r, 400, "invalid_request");
}

#[tokio::test]
async fn rfc7592_2_other_methods_are_not_allowed() {
    let (server, _) = server();
    let client = register_client(&server).await;
    let r = call(&server, "POST", &client, None).await;
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(r.header("Allow"), Some("GET, PUT, DELETE"));
    assert_eq!(
        read(&server, &client).await["client_id"],
        client["client_id"]
    );
}
