//! Dynamic client registration management (RFC 7592) over HTTP against the
//! example app: the registration response's `registration_client_uri` and
//! `registration_access_token`, then `GET`, `PUT` and `DELETE` there with
//! that token alone (no session), on SQLite, PostgreSQL and MySQL.

use oauth_tests::app::{ClientAuth, REDIRECT_URI, Reply, TestApp};
use oauth_tests::logs;
use serde_json::{Value, json};

oauth_tests::e2e_on_every_backend!(
    rfc7592_a_client_reads_updates_and_deletes_its_registration,
    rfc7592_the_configuration_endpoint_wants_the_clients_own_token,
);

fn str_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string \"{field}\" in {body}"))
}

/// `method` on `url` with the bearer `token` (and a JSON body), from a
/// client with no cookies.
async fn configure(
    app: &TestApp,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let mut request = app.api().http.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    Reply::read(request.send().await.expect("request")).await
}

async fn register(app: &TestApp, name: &str) -> Value {
    let client = app
        .logged_in("erin")
        .await
        .register_client_json(&json!({
            "client_name": name,
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "client_credentials", "password"],
            "scope": "profile",
        }))
        .await;
    logs::saw_secret(str_of(&client, "registration_access_token"));
    client
}

async fn rfc7592_a_client_reads_updates_and_deletes_its_registration(app: &TestApp) {
    let client = register(app, "Managed").await;
    let id = str_of(&client, "client_id");
    let (uri, token) = (
        str_of(&client, "registration_client_uri"),
        str_of(&client, "registration_access_token"),
    );
    assert_eq!(uri, app.url(&format!("/oauth/register/{id}")));

    let read = configure(app, reqwest::Method::GET, uri, Some(token), None).await;
    read.assert_status(200);
    let info = read.json();
    assert_eq!(info["client_name"], "Managed");
    assert_eq!(info["registration_access_token"], token);
    assert!(info.get("client_secret").is_none(), "{info}");

    let mut update = info.clone();
    for field in [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
    ] {
        update.as_object_mut().unwrap().remove(field);
    }
    update["client_name"] = "Renamed".into();
    let r = configure(app, reqwest::Method::PUT, uri, Some(token), Some(&update)).await;
    r.assert_status(200);
    assert_eq!(r.json()["client_name"], "Renamed");
    // The owner's home page shows the new name.
    let owner = app.logged_in("erin").await;
    assert!(owner.client_card("Renamed").await.is_some());

    // A field the server sets is refused, and changes nothing.
    let mut bad = update.clone();
    bad["client_id_issued_at"] = 1.into();
    bad["client_name"] = "Never".into();
    let r = configure(app, reqwest::Method::PUT, uri, Some(token), Some(&bad)).await;
    r.assert_status(400);
    assert_eq!(r.json()["error"], "invalid_request");

    let secret = str_of(&client, "client_secret");
    let password = [
        ("grant_type", "password"),
        ("username", "erin"),
        ("password", "valid"),
        ("scope", "profile"),
    ];
    let tokens = app
        .api()
        .token_ok(ClientAuth::Basic(id, secret), &password)
        .await;
    let access = str_of(&tokens, "access_token");
    app.api().me(Some(access)).await.assert_status(200);

    let r = configure(app, reqwest::Method::DELETE, uri, Some(token), None).await;
    r.assert_status(204);
    assert!(r.body.is_empty(), "{}", r.body);
    // RFC 7592 §2.3: the client, its credentials and its tokens are gone.
    configure(app, reqwest::Method::GET, uri, Some(token), None)
        .await
        .assert_status(401);
    app.api().me(Some(access)).await.assert_status(401);
    let r = app
        .api()
        .token(
            ClientAuth::Basic(id, secret),
            &[("grant_type", "client_credentials")],
        )
        .await;
    r.assert_status(401);
    assert!(owner.client_card("Renamed").await.is_none());
}

async fn rfc7592_the_configuration_endpoint_wants_the_clients_own_token(app: &TestApp) {
    let alice = register(app, "Alice's").await;
    let mallory = register(app, "Mallory's").await;
    let uri = str_of(&alice, "registration_client_uri");

    let r = configure(app, reqwest::Method::GET, uri, None, None).await;
    r.assert_status(401);
    assert!(
        r.header("WWW-Authenticate")
            .is_some_and(|c| c.starts_with("Bearer")),
        "{:?}",
        r.header("WWW-Authenticate")
    );
    // The client secret is not the registration access token.
    let r = configure(
        app,
        reqwest::Method::GET,
        uri,
        Some(str_of(&alice, "client_secret")),
        None,
    )
    .await;
    r.assert_status(401);
    let r = configure(
        app,
        reqwest::Method::DELETE,
        uri,
        Some(str_of(&mallory, "registration_access_token")),
        None,
    )
    .await;
    r.assert_status(403);
    // A session is not a registration access token either.
    let owner = app.logged_in("erin").await;
    owner.get(uri).await.assert_status(401);
    configure(
        app,
        reqwest::Method::GET,
        uri,
        Some(str_of(&alice, "registration_access_token")),
        None,
    )
    .await
    .assert_status(200);
}
