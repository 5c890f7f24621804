//! Three processes over real HTTP: the site (`example-app`, the
//! authorization server), `resource-server` (an API with no database),
//! and this test, which obtains tokens for the resource (RFC 8707
//! `resource`) with the `oauth2` crate, a client library written by
//! others, and calls `GET /api/hello` with them. The resource server
//! checks JWT access tokens against the site's JWK Set and opaque ones by
//! introspection, and survives the site being stopped and started again:
//! 503 for a token it cannot check meanwhile, recovery after.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Process, free_port};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, ClientId, ClientSecret, ResourceOwnerPassword, ResourceOwnerUsername, Scope,
    TokenResponse, TokenUrl,
};
use serde_json::{Value, json};

async fn start(exe: &str, dir: &Path, port: u16, env: &[(&str, String)]) -> Process {
    common::start(exe, dir, port, env, "/").await
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

struct Site {
    dir: PathBuf,
    port: u16,
    rs_url: String,
}

impl Site {
    async fn start(&self) -> Process {
        start(
            env!("CARGO_BIN_EXE_example-app"),
            &self.dir,
            self.port,
            &[("RESOURCE_SERVER_URL", self.rs_url.clone())],
        )
        .await
    }
}

/// Logs in as `username` (the site creates the user): the session cookie.
async fn login(base: &str, username: &str) -> String {
    let r = http()
        .post(format!("{base}/"))
        .form(&[("username", username)])
        .send()
        .await
        .expect("POST /");
    assert_eq!(r.status(), 303);
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Registers a client as the logged-in user (RFC 7591): its id and secret.
async fn register(base: &str, cookie: &str, metadata: Value) -> (String, String) {
    let r = http()
        .post(format!("{base}/oauth/register"))
        .header("Cookie", cookie)
        .json(&metadata)
        .send()
        .await
        .expect("POST /oauth/register");
    let status = r.status();
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(status, 201, "{body}");
    (
        body["client_id"].as_str().unwrap().to_owned(),
        body["client_secret"].as_str().unwrap().to_owned(),
    )
}

/// A token for the resource by the password grant, with the `oauth2`
/// crate.
async fn token_for(site: &str, client: &(String, String), resource: Option<&str>) -> String {
    let oauth = BasicClient::new(ClientId::new(client.0.clone()))
        .set_client_secret(ClientSecret::new(client.1.clone()))
        .set_auth_type(AuthType::BasicAuth)
        .set_token_uri(TokenUrl::new(format!("{site}/oauth/token")).unwrap());
    let (username, password) = (
        ResourceOwnerUsername::new("rs-alice".into()),
        ResourceOwnerPassword::new("valid".into()),
    );
    let mut request = oauth
        .exchange_password(&username, &password)
        .add_scope(Scope::new("profile".into()));
    if let Some(resource) = resource {
        request = request.add_extra_param("resource", resource);
    }
    let token = request
        .request_async(&http())
        .await
        .unwrap_or_else(|e| panic!("password grant: {e:?}"));
    token.access_token().secret().clone()
}

async fn get_json(url: &str) -> Value {
    http()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

async fn hello(rs: &str, token: &str) -> (u16, Option<String>, Value) {
    let r = http()
        .get(format!("{rs}/api/hello"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET /api/hello");
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = r.json().await.unwrap_or(Value::Null);
    (status, challenge, body)
}

#[tokio::test]
async fn a_client_library_calls_the_resource_server_with_tokens_for_it_across_a_restart_of_the_site()
 {
    let dir = std::env::temp_dir().join(format!("example-app-rs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (site_port, rs_port) = (free_port(), free_port());
    let rs_url = format!("http://127.0.0.1:{rs_port}");
    let site = Site {
        dir: dir.clone(),
        port: site_port,
        rs_url: rs_url.clone(),
    };
    let as_process = site.start().await;
    let base = as_process.base.clone();

    let cookie = login(&base, "rs-alice").await;
    let rs_client = register(
        &base,
        &cookie,
        json!({
            "client_name": "Resource server",
            "grant_types": ["client_credentials"],
            "response_types": [],
            "resource_server": rs_url,
        }),
    )
    .await;
    let app = |strategy: &str| {
        json!({
            "client_name": format!("App ({strategy})"),
            "grant_types": ["password"],
            "response_types": [],
            "scope": "profile",
            "access_token_strategy": strategy,
        })
    };
    let jwt_app = register(&base, &cookie, app("jwt")).await;
    let opaque_app = register(&base, &cookie, app("opaque")).await;

    let rs = start(
        env!("CARGO_BIN_EXE_resource-server"),
        &dir,
        rs_port,
        &[
            // As `cargo run --release` runs it: Rocket's release profile,
            // no secret key configured.
            ("ROCKET_PROFILE", "release".to_owned()),
            ("AUTHORIZATION_SERVER", base.clone()),
            ("RESOURCE_CLIENT_ID", rs_client.0.clone()),
            ("RESOURCE_CLIENT_SECRET", rs_client.1.clone()),
        ],
    )
    .await;

    // RFC 9728: the resource says which authorization server issues its
    // tokens.
    let doc = get_json(&format!("{}/.well-known/oauth-protected-resource", rs.base)).await;
    assert_eq!(doc["resource"], rs_url);
    assert_eq!(doc["authorization_servers"], json!([base]));
    // ...and the authorization server's metadata lists the resource (§4).
    let server_doc = get_json(&format!("{base}/.well-known/oauth-authorization-server")).await;
    assert!(
        server_doc["protected_resources"]
            .as_array()
            .is_some_and(|r| r.contains(&json!(rs_url))),
        "{server_doc}"
    );

    // A JWT access token and an opaque one, both for the resource.
    let jwt = token_for(&base, &jwt_app, Some(&rs_url)).await;
    assert_eq!(jwt.split('.').count(), 3, "a JWT");
    let (status, _, body) = hello(&rs.base, &jwt).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["client_id"], jwt_app.0.as_str());
    assert_eq!(body["scope"], "profile");
    assert!(
        body["sub"].as_str().is_some_and(|s| !s.is_empty()),
        "{body}"
    );
    let opaque = token_for(&base, &opaque_app, Some(&rs_url)).await;
    let (status, _, body) = hello(&rs.base, &opaque).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["client_id"], opaque_app.0.as_str());

    // A token without the resource is for the site, not for this API.
    let plain = token_for(&base, &jwt_app, None).await;
    let (status, challenge, _) = hello(&rs.base, &plain).await;
    assert_eq!(status, 401);
    let challenge = challenge.expect("a challenge");
    assert!(challenge.contains("invalid_token"), "{challenge}");
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"{rs_url}/.well-known/oauth-protected-resource\""
        )),
        "{challenge}"
    );
    // An unknown resource is refused by the site (RFC 8707 invalid_target).
    let r = http()
        .post(format!("{base}/oauth/token"))
        .basic_auth(&opaque_app.0, Some(&opaque_app.1))
        .form(&[
            ("grant_type", "password"),
            ("username", "rs-alice"),
            ("password", "valid"),
            ("resource", "https://elsewhere.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_target");

    // The site stops. The JWT is still checked locally, the opaque token
    // from the cache; a token the resource server has not seen is 503.
    let unseen = token_for(&base, &opaque_app, Some(&rs_url)).await;
    drop(as_process);
    assert_eq!(hello(&rs.base, &jwt).await.0, 200);
    assert_eq!(hello(&rs.base, &opaque).await.0, 200);
    let (status, _, body) = hello(&rs.base, &unseen).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");

    // The site is back: the same token is introspected and admitted.
    let _as_process = site.start().await;
    let (status, _, body) = hello(&rs.base, &unseen).await;
    assert_eq!(status, 200, "{body}");
    drop(rs);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_resource_server_listens_on_8001_unless_told_otherwise() {
    let port = |figment: rocket::figment::Figment| {
        example_app::resource_server::rocket_from(figment)
            .figment()
            .extract_inner::<u16>("port")
            .unwrap()
    };
    let defaults = rocket::figment::Figment::from(rocket::Config::default());
    assert_eq!(port(defaults.clone()), 8001, "not the site's 8000");
    assert_eq!(port(defaults.merge(("port", 9001))), 9001);
}
