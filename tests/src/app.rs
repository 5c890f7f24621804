//! The example app, launched in-process on a free port, and an HTTP client
//! that drives it as a browser and as an OAuth 2.0 client would.
//!
//! [`TestApp::start`] builds `example_app::rocket_from` on a [`TestDb`],
//! launches it on `127.0.0.1` and a free port, and waits until `GET /`
//! answers 200. [`Browser`] keeps cookies and never follows redirects, so
//! every `303` and `302` is seen and checked. The end-to-end test files
//! write their bodies once as `async fn(&TestApp)` and instantiate them on
//! every backend with [`e2e_on_every_backend!`](crate::e2e_on_every_backend).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oauth_core::http::form_urlencode;
use oauth_core::secrets;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

use crate::db::TestDb;
use crate::logs;

/// How long an instance may take to start (migrations included).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often readiness is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(15);
/// How many ports to try when another process takes the one picked.
const LAUNCH_ATTEMPTS: usize = 5;

/// A running example app.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    /// The port it listens on.
    pub port: u16,
    /// The cookie key it was given (88 characters of standard base64).
    pub secret_key: String,
    db: Arc<TestDb>,
    shutdown: rocket::Shutdown,
}

impl Drop for TestApp {
    /// Stops the app, and fails the test if any log line of the process
    /// held a credential the test saw on the wire ([`logs`]).
    fn drop(&mut self) {
        self.shutdown.clone().notify();
        if !std::thread::panicking() {
            logs::assert_no_secret_logged();
        }
    }
}

/// A fresh 512-bit cookie key, as Rocket wants it: 88 characters of
/// standard base64.
pub fn new_secret_key() -> String {
    let raw = secrets::random_token(64);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .expect("random_token is URL-safe base64");
    let key = STANDARD.encode(bytes);
    assert_eq!(key.len(), 88);
    key
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

impl TestApp {
    /// Launches the example app on its own database.
    pub async fn start(db: TestDb) -> TestApp {
        TestApp::start_on(Arc::new(db), &new_secret_key()).await
    }

    /// Launches an instance on `db`, which other instances may share, with
    /// the cookie key `secret_key`.
    pub async fn start_on(db: Arc<TestDb>, secret_key: &str) -> TestApp {
        TestApp::start_with(db, secret_key, &[]).await
    }

    /// Launches an instance with extra configuration (figment key, value),
    /// e.g. `("oauth2.lifetimes.device_code", json!(2))`.
    pub async fn start_with(
        db: Arc<TestDb>,
        secret_key: &str,
        extra: &[(&str, serde_json::Value)],
    ) -> TestApp {
        logs::install();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(5))
            .build()
            .expect("reqwest client");
        let deadline = Instant::now() + START_TIMEOUT;
        let mut last_error = String::new();
        for _ in 0..LAUNCH_ATTEMPTS {
            let port = free_port();
            let figment = rocket::Config::figment()
                .merge(("port", port))
                .merge(("address", "127.0.0.1"))
                .merge(("database_url", db.url.as_str()))
                .merge(("log_level", "off"))
                .merge(("cli_colors", false))
                .merge(("shutdown.ctrlc", false))
                .merge(("secret_key", secret_key));
            let figment = extra
                .iter()
                .fold(figment, |f, (key, value)| f.merge((*key, value.clone())));
            let rocket = example_app::rocket_from(figment)
                .ignite()
                .await
                .unwrap_or_else(|e| panic!("the example app does not ignite: {e}"));
            let shutdown = rocket.shutdown();
            let launched = tokio::spawn(rocket.launch());
            let base = format!("http://127.0.0.1:{port}");
            loop {
                if launched.is_finished() {
                    // Launch ended before serving: most likely the port was
                    // taken between picking and binding. Try another.
                    last_error = match launched.await {
                        Ok(Ok(_)) => "the app stopped at once".into(),
                        Ok(Err(e)) => e.to_string(),
                        Err(e) => e.to_string(),
                    };
                    break;
                }
                if let Ok(r) = http.get(format!("{base}/")).send().await
                    && r.status() == StatusCode::OK
                {
                    return TestApp {
                        base,
                        port,
                        secret_key: secret_key.to_owned(),
                        db,
                        shutdown,
                    };
                }
                assert!(
                    Instant::now() < deadline,
                    "the example app at {base} did not answer GET / with 200 within {START_TIMEOUT:?}"
                );
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        }
        panic!("the example app could not be launched: {last_error}");
    }

    /// A second instance on the same database, with the same cookie key.
    pub async fn another_instance(&self) -> TestApp {
        TestApp::start_on(self.db.clone(), &self.secret_key).await
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new browser (empty cookie jar) on this app.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser logged in as `username` (created if new).
    pub async fn logged_in(&self, username: &str) -> Browser {
        let b = self.browser();
        b.login(username).await;
        b
    }

    /// A browser logged in as `username` (created if new), connecting
    /// from `local` (an address of 127.0.0.0/8).
    pub async fn logged_in_from(&self, username: &str, local: &str) -> Browser {
        let local = local.parse().expect("an IP address");
        let b = Browser::from_address(&self.base, Some(local));
        b.login(username).await;
        b
    }

    /// An HTTP client without cookies, for the token, revocation,
    /// introspection and resource endpoints.
    pub fn api(&self) -> Api {
        Api::new(&self.base)
    }

    /// Like [`TestApp::api`], connecting from `local` (an address of
    /// 127.0.0.0/8) and sending `headers` with every request.
    pub fn api_from(&self, local: &str, headers: &[(&str, &str)]) -> Api {
        let local = local.parse().expect("an IP address");
        Api::from_address(&self.base, Some(local), headers)
    }

    /// The database it runs on.
    pub fn db(&self) -> &TestDb {
        &self.db
    }

    /// How many authorization codes are stored (issued, not redeemed).
    pub async fn stored_codes(&self) -> i64 {
        self.count(Rows::Codes).await
    }

    /// How many token rows are stored.
    pub async fn stored_tokens(&self) -> i64 {
        self.count(Rows::Tokens).await
    }

    /// Deletes the user with this name as the site does
    /// (`example_app::db::delete_user`: its grants, tokens and codes, then
    /// the row, whose sessions go with it).
    pub async fn delete_user(&self, username: &str) {
        let pool = oauth_diesel::DbPool::connect(&self.db.url).expect("connect");
        let user = example_app::db::find_user_by_name(&pool, username.to_owned())
            .await
            .expect("find the user")
            .expect("the user exists");
        let storage = example_app::oauth2::Store::new(pool);
        example_app::db::delete_user(&storage, user.id)
            .await
            .expect("delete the user");
    }

    async fn count(&self, table: Rows) -> i64 {
        use diesel::prelude::*;
        use oauth_diesel::schema::{oauth2_code, oauth2_token};
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.connect();
            match table {
                Rows::Codes => oauth2_code::table.count().get_result::<i64>(&mut conn),
                Rows::Tokens => oauth2_token::table.count().get_result::<i64>(&mut conn),
            }
            .expect("count rows")
        })
        .await
        .expect("count task")
    }
}

#[derive(Clone, Copy)]
enum Rows {
    Codes,
    Tokens,
}

// ---------------------------------------------------------------------------
// Responses.

/// The parameters and fields that carry a credential, in requests and
/// responses: none of their values may ever be logged.
pub const SECRET_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "code",
    "code_verifier",
    "device_code",
    "user_code",
    "password",
    "token",
    "subject_token",
    "oauth_token_secret",
    "oauth_verifier",
    "oauth_signature",
];

/// A response read in full.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, as text.
    pub body: String,
}

impl Reply {
    /// Reads a response in full.
    pub async fn read(r: reqwest::Response) -> Reply {
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.text().await.expect("response body");
        let reply = Reply {
            status,
            headers,
            body,
        };
        reply.record_secrets();
        reply
    }

    /// Hands every credential of the reply to the log check
    /// ([`logs::saw_secret`]): those of a JSON or form body, and those of
    /// the `Location`'s query and fragment.
    fn record_secrets(&self) {
        // The session cookie's sealed value.
        for cookie in self.headers.get_all(reqwest::header::SET_COOKIE) {
            let value = cookie.to_str().unwrap_or_default();
            let value = value.split(';').next().unwrap_or_default();
            if let Some((_, v)) = value.split_once('=') {
                logs::saw_secret(v);
            }
        }
        if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&self.body) {
            for name in SECRET_FIELDS {
                if let Some(Value::String(v)) = fields.get(*name) {
                    logs::saw_secret(v);
                }
            }
        }
        // A form body, and the query and fragment of a `Location`.
        let location = self.location().and_then(|l| Url::parse(l).ok());
        let encoded = [
            Some(self.body.as_str()),
            location.as_ref().and_then(Url::query),
            location.as_ref().and_then(Url::fragment),
        ];
        for text in encoded.into_iter().flatten() {
            for (k, v) in form_urlencoded::parse(text.as_bytes()) {
                if SECRET_FIELDS.contains(&k.as_ref()) {
                    logs::saw_secret(&v);
                }
            }
        }
    }

    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Location` header.
    pub fn location(&self) -> Option<&str> {
        self.header(LOCATION.as_str())
    }

    /// The `Location` header, which must be there.
    pub fn expect_location(&self) -> &str {
        self.location()
            .unwrap_or_else(|| panic!("no Location in {} {}", self.status, self.body))
    }

    /// The body as JSON (panics if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Reply {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}; headers: {:?}",
            self.body,
            self.headers
        );
        self
    }
}

// ---------------------------------------------------------------------------
// A browser.

/// A user agent with a cookie jar that does not follow redirects.
pub struct Browser {
    /// The app's base URL.
    pub base: String,
    /// The client.
    pub http: reqwest::Client,
}

/// The fields of the `/create_client` form.
#[derive(Debug, Clone)]
pub struct ClientForm {
    /// `client_name`.
    pub client_name: String,
    /// `client_uri`.
    pub client_uri: String,
    /// `scope`.
    pub scope: String,
    /// `redirect_uri`, one per line.
    pub redirect_uris: Vec<String>,
    /// `grant_type`, one per line.
    pub grant_types: Vec<String>,
    /// `response_type`, one per line.
    pub response_types: Vec<String>,
    /// `token_endpoint_auth_method`.
    pub token_endpoint_auth_method: String,
}

impl ClientForm {
    /// A confidential (`client_secret_basic`) client for the authorization
    /// code grant with refresh tokens, `profile email` scope and one
    /// redirect URI, named `name`.
    pub fn new(name: &str) -> ClientForm {
        ClientForm {
            client_name: name.into(),
            client_uri: "https://client.example/".into(),
            scope: "profile email".into(),
            redirect_uris: vec![REDIRECT_URI.into()],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            response_types: vec!["code".into()],
            token_endpoint_auth_method: "client_secret_basic".into(),
        }
    }
}

/// A client as its card on the home page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCard {
    /// The name.
    pub name: String,
    /// `client_id`.
    pub client_id: String,
    /// The secret, when the page shows it.
    pub client_secret: Option<String>,
    /// The metadata (pretty JSON), unescaped.
    pub metadata: String,
}

/// The redirect URI the tests' clients register.
pub const REDIRECT_URI: &str = "https://client.example/callback";

impl Browser {
    /// A browser on `base` with an empty cookie jar.
    pub fn new(base: &str) -> Browser {
        Browser::from_address(base, None)
    }

    /// A browser on `base` with an empty cookie jar whose connections
    /// leave from `local` (an address of 127.0.0.0/8).
    pub fn from_address(base: &str, local: Option<IpAddr>) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .local_address(local)
            .build()
            .expect("reqwest client");
        Browser {
            base: base.to_owned(),
            http,
        }
    }

    /// The absolute URL of a path, or the URL itself.
    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    /// `GET`.
    pub async fn get(&self, path: &str) -> Reply {
        Reply::read(self.http.get(self.url(path)).send().await.expect("GET")).await
    }

    /// `POST` of a form.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        record_form_secrets(form);
        Reply::read(
            self.http
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Revokes the grant to `client_id` with the form of `/account/apps`
    /// (its CSRF token); the reply to the form's `POST`.
    pub async fn revoke_on_account_apps(&self, client_id: &str) -> Reply {
        let page = self.get("/account/apps").await;
        page.assert_status(200);
        let csrf = hidden_input(&page.body, "csrf_token").expect("csrf_token on /account/apps");
        self.post_form(
            "/account/apps/revoke",
            &[("client_id", client_id), ("csrf_token", csrf.as_str())],
        )
        .await
    }

    /// `POST` of a form with extra headers (`Sec-Fetch-Site`, `Origin`).
    pub async fn post_form_with_headers(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Reply {
        record_form_secrets(form);
        let request = headers.iter().fold(
            self.http.post(self.url(path)).form(form),
            |r, (name, value)| r.header(*name, *value),
        );
        Reply::read(request.send().await.expect("POST")).await
    }

    /// `POST` of a JSON body (`Content-Type: application/json`).
    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        Reply::read(
            self.http
                .post(self.url(path))
                .json(body)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Logs in as `username` through the login form; asserts the `303` to `/`.
    pub async fn login(&self, username: &str) {
        let r = self.post_form("/", &[("username", username)]).await;
        r.assert_status(303);
        assert_eq!(r.location(), Some("/"), "login redirects home");
    }

    /// The `csrf_token` of the form on the page at `path`.
    /// Decides a device user code on `/activate` (`confirm`: `yes`
    /// approves, anything else denies), with a fresh CSRF token.
    pub async fn decide_user_code(&self, user_code: &str, confirm: &str) -> Reply {
        let csrf = self.csrf_of("/activate").await;
        self.post_form(
            "/activate",
            &[
                ("csrf_token", csrf.as_str()),
                ("user_code", user_code),
                ("confirm", confirm),
            ],
        )
        .await
    }

    pub async fn csrf_of(&self, path: &str) -> String {
        let page = self.get(path).await;
        page.assert_status(200);
        hidden_input(&page.body, "csrf_token")
            .unwrap_or_else(|| panic!("no csrf_token on {path}: {}", page.body))
    }

    /// Submits the `/create_client` form (with the page's CSRF token) and
    /// returns the raw reply.
    pub async fn submit_client_form(&self, form: &ClientForm, csrf: Option<&str>) -> Reply {
        let redirect_uris = form.redirect_uris.join("\r\n");
        let grant_types = form.grant_types.join("\r\n");
        let response_types = form.response_types.join("\r\n");
        let mut fields = vec![
            ("client_name", form.client_name.as_str()),
            ("client_uri", form.client_uri.as_str()),
            ("scope", form.scope.as_str()),
            ("redirect_uri", redirect_uris.as_str()),
            ("grant_type", grant_types.as_str()),
            ("response_type", response_types.as_str()),
            (
                "token_endpoint_auth_method",
                form.token_endpoint_auth_method.as_str(),
            ),
        ];
        if let Some(csrf) = csrf {
            fields.push(("csrf_token", csrf));
        }
        self.post_form("/create_client", &fields).await
    }

    /// Creates a client through the form as a person would (CSRF token from
    /// the form page, then the home page for its id and secret), and
    /// returns its card.
    pub async fn create_client_by_form(&self, form: &ClientForm) -> ClientCard {
        let csrf = self.csrf_of("/create_client").await;
        let r = self.submit_client_form(form, Some(&csrf)).await;
        r.assert_status(303);
        assert_eq!(r.location(), Some("/"));
        self.client_card(&form.client_name)
            .await
            .unwrap_or_else(|| panic!("no card for {} on the home page", form.client_name))
    }

    /// The cards of the home page.
    pub async fn client_cards(&self) -> Vec<ClientCard> {
        let home = self.get("/").await;
        home.assert_status(200);
        client_cards(&home.body)
    }

    /// The card of the client named `name`, if the home page shows one.
    pub async fn client_card(&self, name: &str) -> Option<ClientCard> {
        self.client_cards()
            .await
            .into_iter()
            .find(|c| c.name == name)
    }

    /// Registers a client at `/oauth/register` (RFC 7591) with this
    /// session; asserts the `201` and returns the client information.
    pub async fn register_client_json(&self, metadata: &Value) -> Value {
        let r = self.post_json("/oauth/register", metadata).await;
        r.assert_status(201);
        r.json()
    }

    /// Opens the consent page of an authorization request (`query` without
    /// the leading `?`); asserts the `200` and returns the page.
    pub async fn consent_page(&self, query: &str) -> ConsentPage {
        let path = format!("/oauth/authorize?{query}");
        let page = self.get(&path).await;
        page.assert_status(200);
        ConsentPage::parse(&page)
    }

    /// Opens the consent page and answers it (`confirm=yes` or anything
    /// else), returning the reply to the form's POST.
    pub async fn answer_consent(&self, query: &str, confirm: &str) -> Reply {
        let page = self.consent_page(query).await;
        self.post_form(
            &page.action,
            &[("csrf_token", &page.csrf_token), ("confirm", confirm)],
        )
        .await
    }

    /// Runs an authorization request through the consent page with
    /// `confirm=yes` (or straight through, when the user's consent to the
    /// client is remembered); asserts the `302` to `redirect_uri` and
    /// returns the parameters of its query.
    pub async fn authorize(&self, query: &str) -> Vec<(String, String)> {
        let first = self.get(&format!("/oauth/authorize?{query}")).await;
        let r = if first.status == 302 {
            first
        } else {
            first.assert_status(200);
            let page = ConsentPage::parse(&first);
            self.post_form(
                &page.action,
                &[("csrf_token", &page.csrf_token), ("confirm", "yes")],
            )
            .await
        };
        r.assert_status(302);
        let location = Url::parse(r.expect_location()).expect("absolute Location");
        location
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The code of an approved authorization request (asserts that `state`
    /// comes back when given).
    pub async fn authorize_and_get_code(&self, query: &str) -> String {
        let params = self.authorize(query).await;
        let sent_state = Url::parse(&format!("http://x/?{query}"))
            .ok()
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "state")
                    .map(|(_, v)| v.into_owned())
            });
        assert_eq!(param(&params, "state"), sent_state.as_deref(), "state");
        assert_eq!(param(&params, "error"), None, "{params:?}");
        param(&params, "code")
            .unwrap_or_else(|| panic!("no code in {params:?}"))
            .to_owned()
    }
}

/// A consent page, as the tests read it.
#[derive(Debug, Clone)]
pub struct ConsentPage {
    /// The page.
    pub reply: Reply,
    /// The form's `action`, unescaped.
    pub action: String,
    /// The form's `method`.
    pub method: String,
    /// The hidden `csrf_token`.
    pub csrf_token: String,
    /// The values of the `confirm` buttons.
    pub confirm_values: Vec<String>,
}

impl ConsentPage {
    /// Reads the consent form of a page (the first form on it).
    pub fn parse(reply: &Reply) -> ConsentPage {
        let form = tags(&reply.body, "form")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no form on the consent page: {}", reply.body));
        let confirm_values = tags(&reply.body, "button")
            .into_iter()
            .filter(|b| attr(b, "name").as_deref() == Some("confirm"))
            .filter_map(|b| attr(b, "value"))
            .collect();
        ConsentPage {
            reply: reply.clone(),
            action: attr(form, "action").expect("form action"),
            method: attr(form, "method").unwrap_or_default(),
            csrf_token: hidden_input(&reply.body, "csrf_token").expect("csrf_token input"),
            confirm_values,
        }
    }
}

// ---------------------------------------------------------------------------
// An OAuth 2.0 client's HTTP calls.

/// How a client authenticates at the token, revocation and introspection
/// endpoints (RFC 6749 §2.3).
#[derive(Debug, Clone, Copy)]
pub enum ClientAuth<'a> {
    /// `client_secret_basic`: `Authorization: Basic`.
    Basic(&'a str, &'a str),
    /// `client_secret_post`: `client_id` and `client_secret` in the body.
    Post(&'a str, &'a str),
    /// `none`: `client_id` in the body only (public clients).
    None(&'a str),
    /// `private_key_jwt`: a signed JWT assertion in the body (RFC 7523
    /// §2.2), the client named only inside it.
    Assertion(&'a str),
}

/// The RFC 6749 §2.3.1 `Authorization: Basic` value: base64 of the
/// form-urlencoded id and secret.
pub fn basic_auth(client_id: &str, secret: &str) -> String {
    let pair = format!("{}:{}", form_urlencode(client_id), form_urlencode(secret));
    logs::saw_secret(secret);
    let encoded = STANDARD.encode(pair);
    logs::saw_secret(&encoded);
    format!("Basic {encoded}")
}

/// Calls without cookies.
pub struct Api {
    /// The app's base URL.
    pub base: String,
    /// The client.
    pub http: reqwest::Client,
}

impl Api {
    /// A cookie-less client on `base`.
    pub fn new(base: &str) -> Api {
        Api::from_address(base, None, &[])
    }

    /// A cookie-less client on `base` whose connections leave from `local`
    /// (on Linux any address of 127.0.0.0/8 reaches a server on
    /// 127.0.0.1), sending `headers` with every request.
    pub fn from_address(base: &str, local: Option<IpAddr>, headers: &[(&str, &str)]) -> Api {
        let mut defaults = HeaderMap::new();
        for (name, value) in headers {
            defaults.append(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                value.parse().expect("header value"),
            );
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .local_address(local)
            .default_headers(defaults)
            .build()
            .expect("reqwest client");
        Api {
            base: base.to_owned(),
            http,
        }
    }

    /// `POST` of a form to an endpoint, with client authentication.
    pub async fn post(&self, path: &str, auth: ClientAuth<'_>, form: &[(&str, &str)]) -> Reply {
        record_form_secrets(form);
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        let mut request = self.http.post(format!("{}{path}", self.base));
        match auth {
            ClientAuth::Basic(id, secret) => {
                request = request.header(AUTHORIZATION, basic_auth(id, secret));
            }
            ClientAuth::Post(id, secret) => {
                fields.push(("client_id", id));
                fields.push(("client_secret", secret));
            }
            ClientAuth::None(id) => fields.push(("client_id", id)),
            ClientAuth::Assertion(assertion) => {
                logs::saw_secret(assertion);
                fields.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ));
                fields.push(("client_assertion", assertion));
            }
        }
        Reply::read(request.form(&fields).send().await.expect("POST")).await
    }

    /// `POST /oauth/token`.
    pub async fn token(&self, auth: ClientAuth<'_>, form: &[(&str, &str)]) -> Reply {
        self.post("/oauth/token", auth, form).await
    }

    /// `POST /oauth/token` that must succeed: asserts the `200` and the
    /// RFC 6749 §5.1 shape, and returns the JSON.
    pub async fn token_ok(&self, auth: ClientAuth<'_>, form: &[(&str, &str)]) -> Value {
        let r = self.token(auth, form).await;
        r.assert_status(200);
        assert_eq!(
            r.header("cache-control"),
            Some("no-store"),
            "RFC 6749 §5.1: Cache-Control: no-store"
        );
        assert_eq!(r.header("pragma"), Some("no-cache"), "RFC 6749 §5.1");
        let body = r.json();
        assert!(
            body["access_token"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["token_type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
            "{body}"
        );
        assert!(body["expires_in"].as_i64().is_some_and(|e| e > 0), "{body}");
        body
    }

    /// `POST /oauth/token` that must fail with `error`: asserts the status,
    /// the code and `no-store`, and returns the JSON.
    pub async fn token_error(
        &self,
        auth: ClientAuth<'_>,
        form: &[(&str, &str)],
        status: u16,
        error: &str,
    ) -> Value {
        let r = self.token(auth, form).await;
        r.assert_status(status);
        assert_eq!(r.header("cache-control"), Some("no-store"), "RFC 6749 §5.2");
        let body = r.json();
        assert_eq!(body["error"], error, "{body}");
        body
    }

    /// `POST /oauth/revoke` (RFC 7009).
    pub async fn revoke(&self, auth: ClientAuth<'_>, token: &str, hint: Option<&str>) -> Reply {
        let mut form = vec![("token", token)];
        if let Some(hint) = hint {
            form.push(("token_type_hint", hint));
        }
        self.post("/oauth/revoke", auth, &form).await
    }

    /// `POST /oauth/introspect` (RFC 7662); asserts the `200`.
    pub async fn introspect(&self, auth: ClientAuth<'_>, token: &str) -> Value {
        let r = self
            .post("/oauth/introspect", auth, &[("token", token)])
            .await;
        r.assert_status(200);
        r.json()
    }

    /// `GET /api/me` with `Authorization: Bearer token` (or none).
    pub async fn me(&self, token: Option<&str>) -> Reply {
        let mut request = self.http.get(format!("{}/api/me", self.base));
        if let Some(token) = token {
            logs::saw_secret(token);
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        Reply::read(request.send().await.expect("GET /api/me")).await
    }

    /// `GET /api/me` that must succeed; returns the JSON. The answer is
    /// about the token's owner, so it is not to be cached (RFC 6750 §5.3:
    /// the fairing marks what an OAuth guard admitted `no-store`).
    pub async fn me_ok(&self, token: &str) -> Value {
        let r = self.me(Some(token)).await;
        r.assert_status(200);
        assert_eq!(r.header("cache-control"), Some("no-store"), "RFC 6750 §5.3");
        assert!(
            r.header(CONTENT_TYPE.as_str())
                .is_some_and(|c| c.starts_with("application/json")),
            "{:?}",
            r.headers
        );
        r.json()
    }
}

// ---------------------------------------------------------------------------
// Small parsing helpers.

/// Hands the credential fields of a request form to the log check.
pub fn record_form_secrets(form: &[(&str, &str)]) {
    for (k, v) in form {
        if SECRET_FIELDS.contains(k) {
            logs::saw_secret(v);
        }
    }
}

/// The value of a query (or fragment) parameter in a list of pairs.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The parameters of a `Location`'s query.
pub fn query_params(location: &str) -> Vec<(String, String)> {
    Url::parse(location)
        .unwrap_or_else(|e| panic!("{location}: {e}"))
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The parameters of a `Location`'s fragment.
pub fn fragment_params(location: &str) -> Vec<(String, String)> {
    let url = Url::parse(location).unwrap_or_else(|e| panic!("{location}: {e}"));
    form_urlencoded::parse(url.fragment().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// An authorization request's query string from its parameters.
pub fn query(params: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A fresh PKCE verifier and its S256 challenge (RFC 7636 §4.1, §4.2).
pub fn pkce_pair() -> (String, String) {
    let verifier = secrets::random_token(48);
    logs::saw_secret(&verifier);
    let challenge = secrets::s256(&verifier);
    (verifier, challenge)
}

/// Undoes HTML escaping of text and attribute values: the named entities
/// a template emits and every numeric one (`&#38;`, `&#x27;`), as a
/// browser would.
pub fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&e| e <= 10).and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let code = if let Some(hex) = entity
                        .strip_prefix("#x")
                        .or_else(|| entity.strip_prefix("#X"))
                    {
                        u32::from_str_radix(hex, 16).ok()
                    } else if let Some(dec) = entity.strip_prefix('#') {
                        dec.parse().ok()
                    } else {
                        None
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The opening tags `<tag ...>` of an HTML page.
pub fn tags<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i..];
        let boundary = after[open.len()..].chars().next();
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        if matches!(boundary, Some(c) if c.is_whitespace() || c == '>') {
            found.push(&after[..end]);
        }
        rest = &after[end..];
    }
    found
}

/// An attribute of an opening tag, unescaped.
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(html_unescape(&tag[start..start + len]))
}

/// The value of the hidden input `name`.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    tags(html, "input")
        .into_iter()
        .filter(|t| attr(t, "type").as_deref() == Some("hidden"))
        .find(|t| attr(t, "name").as_deref() == Some(name))
        .and_then(|t| attr(t, "value"))
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)?;
    Some(&s[i..i + j])
}

/// The client cards of the home page.
pub fn client_cards(html: &str) -> Vec<ClientCard> {
    html.split("<div class=\"card\">")
        .skip(1)
        .map(|card| ClientCard {
            name: html_unescape(between(card, "<strong>", "</strong>").unwrap_or_default()),
            client_id: html_unescape(
                between(card, "client_id: <code>", "</code>").unwrap_or_default(),
            ),
            client_secret: between(card, "client_secret: <code>", "</code>").map(html_unescape),
            metadata: html_unescape(between(card, "<pre>", "</pre>").unwrap_or_default()),
        })
        .collect()
}

/// RFC 7591 metadata of a confidential authorization-code client using
/// `method` (`client_secret_basic` or `client_secret_post`), with refresh
/// tokens.
pub fn code_client_metadata(name: &str, method: &str) -> Value {
    json!({
        "client_name": name,
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "profile email",
        "token_endpoint_auth_method": method,
    })
}

/// The `client_id` and `client_secret` of a registration response.
pub fn credentials(registration: &Value) -> (String, String) {
    (
        registration["client_id"]
            .as_str()
            .expect("client_id")
            .to_owned(),
        registration["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned(),
    )
}

/// Instantiates `async fn name(app: &TestApp)` tests on the app launched on
/// one backend's database (`$make_db` gives `Option<TestDb>`; `None`
/// skips).
#[macro_export]
macro_rules! e2e_tests {
    ($make_db:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(db) = $make_db else { return };
            let app = $crate::app::TestApp::start(db).await;
            super::$name(&app).await;
        }
    )*};
}

/// Instantiates the named `async fn(TestDb)` tests of the calling file on
/// SQLite (always), PostgreSQL and MySQL (when configured), as the modules
/// `sqlite`, `postgres` and `mysql`: for tests that launch a site of their
/// own on the database.
#[macro_export]
macro_rules! e2e_on_every_backend_db {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $($crate::__db_test!(Some($crate::db::TestDb::sqlite()); $name);)*
        }
        mod postgres {
            $($crate::__db_test!($crate::db::TestDb::postgres(); $name);)*
        }
        mod mysql {
            $($crate::__db_test!($crate::db::TestDb::mysql(); $name);)*
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __db_test {
    ($make_db:expr; $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(db) = $make_db else { return };
            super::$name(db).await;
        }
    };
}

/// Instantiates the named `async fn(&TestApp)` tests of the calling file on
/// SQLite (always), PostgreSQL and MySQL (when configured), as the modules
/// `sqlite`, `postgres` and `mysql`.
#[macro_export]
macro_rules! e2e_on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $crate::e2e_tests!(Some($crate::db::TestDb::sqlite()); $($name),*);
        }
        mod postgres {
            $crate::e2e_tests!($crate::db::TestDb::postgres(); $($name),*);
        }
        mod mysql {
            $crate::e2e_tests!($crate::db::TestDb::mysql(); $($name),*);
        }
    };
}
