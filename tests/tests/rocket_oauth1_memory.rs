//! The OAuth 1.0a Rocket adapter (`oauth_core::rocket::{OAuth1, oauth1_routes,
//! RequireOAuth1, OAuth1Authorize}`) on the in-memory storage, through
//! Rocket's local client: the fairing reads `[oauth1]` (and refuses a bad
//! table), the endpoints read form bodies and answer with the engine's
//! responses, the guards verify signatures over the absolute URI rebuilt
//! from `Host`, and their failures reach the client through the shared
//! catchers with the engine's status, body and `WWW-Authenticate`.

use oauth_core::Consent;
use oauth_core::memory::MemoryStorage;
use oauth_core::oauth1::{OAuth1Authorization, OAuth1ClientRecord, OAuth1Server};
use oauth_core::rocket::{
    OAuth1, OAuth1Authorize, RealmSpec, RequireOAuth1, oauth1_routes, oauth2_catchers,
};
use oauth_tests::oauth1::{
    CALLBACK, OAuth1Client, Placement, RSA_PUBLIC_PEM, SignedRequest, field,
};
use rocket::figment::Figment;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{Build, Rocket, get, post, routes};
use serde_json::json;

const HOST: &str = "photos.local:8000";
const BASE: &str = "http://photos.local:8000";
const CLIENT_ID: &str = "printer";
const SECRET: &str = "kd94hf93k423kf44";

struct Photos;
impl RealmSpec for Photos {
    fn realms() -> &'static [&'static str] {
        &["photos"]
    }
}

#[get("/photos")]
fn photos(access: RequireOAuth1) -> String {
    format!(
        "{} {} {}",
        access.user_id,
        access.client_id,
        access.realms.join(",")
    )
}

#[post("/photos", data = "<access>")]
fn photos_post(access: RequireOAuth1) -> String {
    let title = access.form.single("title").ok().flatten().unwrap_or("-");
    format!("{} {title}", access.user_id)
}

#[get("/albums")]
fn albums(access: RequireOAuth1<Photos>) -> String {
    access.user_id.clone()
}

/// The consent step without pages: GET shows who asks, POST decides for
/// "jane" (`confirm=yes` in the query grants).
#[get("/authorize")]
fn consent(auth: OAuth1Authorize<MemoryStorage>) -> (Status, String) {
    match auth.request() {
        Ok(pending) => (Status::Ok, pending.client.client_id.clone()),
        Err(e) => (Status::BadRequest, e.code.as_str().to_owned()),
    }
}

#[post("/authorize?<confirm>")]
async fn decide(auth: OAuth1Authorize<MemoryStorage>, confirm: Option<&str>) -> (Status, String) {
    let consent = if confirm == Some("yes") {
        Consent::Granted {
            user_id: "jane".into(),
        }
    } else {
        Consent::Denied
    };
    match auth.complete(consent).await {
        Ok(OAuth1Authorization::Redirect(location)) => (Status::Found, location),
        Ok(other) => (Status::Ok, format!("{other:?}")),
        Err(e) => (Status::BadRequest, e.code.as_str().to_owned()),
    }
}

fn storage() -> MemoryStorage {
    let storage = MemoryStorage::new();
    storage.insert_oauth1_client(
        OAuth1ClientRecord::new(CLIENT_ID, SECRET, [CALLBACK])
            .with_rsa_public_key(RSA_PUBLIC_PEM)
            .with_default_realms(["photos", "albums"]),
    );
    storage
}

fn figment(oauth1: serde_json::Value) -> Figment {
    rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("oauth1", oauth1))
}

fn app(oauth1: serde_json::Value) -> Rocket<Build> {
    rocket::custom(figment(oauth1))
        .attach(OAuth1::fairing(|_, config| {
            OAuth1Server::new(storage(), config).map_err(|e| e.to_string())
        }))
        .mount("/oauth1", oauth1_routes::<MemoryStorage>())
        .mount("/oauth1", routes![consent, decide])
        .mount("/", routes![photos, photos_post, albums])
        .register("/", oauth2_catchers())
}

async fn client() -> Client {
    Client::untracked(app(json!({
        "insecure_transport": true,
        "signature_methods": ["HMAC-SHA1", "RSA-SHA1", "PLAINTEXT"],
        "realm": "Photos",
    })))
    .await
    .expect("the app ignites")
}

/// Sends a signed request through the local client, with `Host`.
async fn send<'c>(client: &'c Client, signed: &SignedRequest) -> LocalResponse<'c> {
    let path = signed.url.strip_prefix(BASE).expect("a URL of BASE");
    let mut request = match signed.method.as_str() {
        "POST" => client.post(path.to_owned()),
        _ => client.get(path.to_owned()),
    };
    request.add_header(Header::new("Host", HOST));
    for (k, v) in &signed.headers {
        request.add_header(Header::new(k.clone(), v.clone()));
    }
    if let Some(body) = &signed.body {
        request.set_body(body.clone());
    }
    request.dispatch().await
}

/// The whole flow; returns the client holding the token credential.
async fn flow(client: &Client, signer: OAuth1Client) -> OAuth1Client {
    let r = send(
        client,
        &signer.sign(
            "POST",
            &format!("{BASE}/oauth1/initiate"),
            &[],
            &[("oauth_callback", CALLBACK)],
        ),
    )
    .await;
    assert_eq!(r.status(), Status::Ok);
    let body = r.into_string().await.unwrap();
    assert_eq!(
        field(&body, "oauth_callback_confirmed").as_deref(),
        Some("true")
    );
    let temporary = field(&body, "oauth_token").unwrap();
    let temporary_secret = field(&body, "oauth_token_secret").unwrap();

    let page = client
        .get(format!("/oauth1/authorize?oauth_token={temporary}"))
        .header(Header::new("Host", HOST))
        .dispatch()
        .await;
    assert_eq!(page.status(), Status::Ok);
    assert_eq!(page.into_string().await.unwrap(), CLIENT_ID);
    let granted = client
        .post(format!(
            "/oauth1/authorize?oauth_token={temporary}&confirm=yes"
        ))
        .header(Header::new("Host", HOST))
        .dispatch()
        .await;
    assert_eq!(granted.status(), Status::Found);
    let location = granted.into_string().await.unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    let verifier = field(location.split_once('?').unwrap().1, "oauth_verifier").unwrap();

    let signer = signer.with_token(Some((temporary, temporary_secret)));
    let r = send(
        client,
        &signer.sign(
            "POST",
            &format!("{BASE}/oauth1/token"),
            &[],
            &[("oauth_verifier", &verifier)],
        ),
    )
    .await;
    assert_eq!(r.status(), Status::Ok);
    let body = r.into_string().await.unwrap();
    let token = field(&body, "oauth_token").unwrap();
    let secret = field(&body, "oauth_token_secret").unwrap();
    signer.with_token(Some((token, secret)))
}

#[tokio::test]
async fn rfc5849_flow_through_the_adapter_with_each_method_and_placement() {
    let client = client().await;
    for method in ["HMAC-SHA1", "RSA-SHA1", "PLAINTEXT"] {
        for placement in [Placement::Header, Placement::Body, Placement::Query] {
            let signer = OAuth1Client::new(CLIENT_ID, SECRET, method).placed(placement);
            let signer = flow(&client, signer).await;
            let context = format!("{method} {placement:?}");

            // GET: the request guard (the body placement goes to the query
            // here: a GET has no body to sign).
            let get = signer.clone().placed(match placement {
                Placement::Body => Placement::Query,
                p => p,
            });
            let r = send(
                &client,
                &get.sign("GET", &format!("{BASE}/photos?size=large"), &[], &[]),
            )
            .await;
            assert_eq!(r.status(), Status::Ok, "{context}");
            assert_eq!(
                r.into_string().await.unwrap(),
                "jane printer photos,albums",
                "{context}"
            );

            // POST with a signed form body: the data guard reads it.
            let r = send(
                &client,
                &signer.sign(
                    "POST",
                    &format!("{BASE}/photos"),
                    &[("title", "Mer & ciel")],
                    &[],
                ),
            )
            .await;
            assert_eq!(r.status(), Status::Ok, "{context}");
            assert_eq!(
                r.into_string().await.unwrap(),
                "jane Mer & ciel",
                "{context}"
            );
        }
    }
}

#[tokio::test]
async fn rfc5849_3_2_guard_failures_reach_the_client_through_the_catchers() {
    let client = client().await;
    let signer = flow(&client, OAuth1Client::new(CLIENT_ID, SECRET, "HMAC-SHA1")).await;

    // A replay: the nonce was used. 401 with the OAuth challenge and realm.
    let request = signer.sign("GET", &format!("{BASE}/photos"), &[], &[]);
    assert_eq!(send(&client, &request).await.status(), Status::Ok);
    let r = send(&client, &request).await;
    assert_eq!(r.status(), Status::Unauthorized);
    assert_eq!(
        r.headers().get_one("WWW-Authenticate"),
        Some("OAuth realm=\"Photos\"")
    );
    assert_eq!(
        r.content_type(),
        Some(ContentType::new("application", "x-www-form-urlencoded"))
    );
    let body = r.into_string().await.unwrap();
    assert_eq!(field(&body, "error").as_deref(), Some("invalid_nonce"));

    // Signed for another host: the base string URI differs.
    let elsewhere = signer.sign("GET", "http://other.example/photos", &[], &[]);
    let mut forged = elsewhere.clone();
    forged.url = format!("{BASE}/photos");
    let r = send(&client, &forged).await;
    assert_eq!(r.status(), Status::Unauthorized);
    let body = r.into_string().await.unwrap();
    assert_eq!(field(&body, "error").as_deref(), Some("invalid_signature"));

    // No protocol parameters at all: 400 missing_required_parameter.
    let r = client
        .get("/photos")
        .header(Header::new("Host", HOST))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::BadRequest);
    let body = r.into_string().await.unwrap();
    assert_eq!(
        field(&body, "error").as_deref(),
        Some("missing_required_parameter")
    );

    // A realm the credential does not cover. The client's credential
    // covers "photos albums"; a fresh one asked for "albums" only does not.
    let mut narrow = OAuth1Client::new(CLIENT_ID, SECRET, "HMAC-SHA1");
    narrow.signer.realm = Some("albums".into());
    let narrow = flow(&client, narrow).await;
    let r = send(
        &client,
        &narrow.sign("GET", &format!("{BASE}/albums"), &[], &[]),
    )
    .await;
    assert_eq!(r.status(), Status::Forbidden);
    let body = r.into_string().await.unwrap();
    assert_eq!(field(&body, "error").as_deref(), Some("access_denied"));
    let r = send(
        &client,
        &signer.sign("GET", &format!("{BASE}/albums"), &[], &[]),
    )
    .await;
    assert_eq!(r.status(), Status::Ok);

    // The request guard cannot read a form body it would have to verify.
    let r = client
        .get("/photos")
        .header(Header::new("Host", HOST))
        .header(ContentType::Form)
        .body("title=x")
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::BadRequest);
    let body = r.into_string().await.unwrap();
    assert_eq!(field(&body, "error").as_deref(), Some("invalid_request"));
}

#[tokio::test]
async fn rfc5849_2_endpoints_answer_as_the_engine() {
    let client = client().await;
    // GET on a POST-only endpoint: the engine's 405, not Rocket's 404.
    for path in ["/oauth1/initiate", "/oauth1/token"] {
        let r = client
            .get(path)
            .header(Header::new("Host", HOST))
            .dispatch()
            .await;
        assert_eq!(r.status(), Status::MethodNotAllowed, "{path}");
        assert_eq!(r.headers().get_one("Allow"), Some("POST"));
    }
    // Unknown temporary credential on the consent page.
    let r = client
        .get("/oauth1/authorize?oauth_token=nope")
        .header(Header::new("Host", HOST))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::BadRequest);
    assert_eq!(r.into_string().await.unwrap(), "invalid_token");
    // Denial deletes the credential and redirects with access_denied.
    let signer = OAuth1Client::new(CLIENT_ID, SECRET, "HMAC-SHA1");
    let r = send(
        &client,
        &signer.sign(
            "POST",
            &format!("{BASE}/oauth1/initiate"),
            &[],
            &[("oauth_callback", CALLBACK)],
        ),
    )
    .await;
    let temporary = field(&r.into_string().await.unwrap(), "oauth_token").unwrap();
    let r = client
        .post(format!(
            "/oauth1/authorize?oauth_token={temporary}&confirm=no"
        ))
        .header(Header::new("Host", HOST))
        .dispatch()
        .await;
    assert_eq!(r.status(), Status::Found);
    assert!(
        r.into_string()
            .await
            .unwrap()
            .contains("error=access_denied")
    );
}

#[tokio::test]
async fn rfc5849_2_1_credential_requests_need_tls_unless_configured() {
    // Default configuration: plain HTTP credential requests are refused.
    let client = Client::untracked(app(json!({})))
        .await
        .expect("the app ignites");
    let signer = OAuth1Client::new(CLIENT_ID, SECRET, "HMAC-SHA1");
    let r = send(
        &client,
        &signer.sign(
            "POST",
            &format!("{BASE}/oauth1/initiate"),
            &[],
            &[("oauth_callback", CALLBACK)],
        ),
    )
    .await;
    assert_eq!(r.status(), Status::BadRequest);
    let body = r.into_string().await.unwrap();
    assert_eq!(field(&body, "error").as_deref(), Some("insecure_transport"));
}

#[tokio::test]
async fn a_bad_oauth1_table_or_a_failing_build_stops_launch() {
    for bad in [
        json!({ "signature_methods": ["HMAC-SHA256"] }),
        json!({ "timestamp_window": 0 }),
        json!({ "timestamp_windw": 300 }),
    ] {
        stops_launch(app(bad.clone())).await;
    }
    let failing =
        rocket::custom(figment(json!({}))).attach(OAuth1::<MemoryStorage>::fairing(|_, _| {
            Err("no storage".into())
        }));
    stops_launch(failing).await;
}

/// Asserts that ignition fails on a fairing. Rocket's error panics when
/// dropped unread, so it is read.
async fn stops_launch(rocket: Rocket<Build>) {
    match rocket.ignite().await {
        Ok(_) => panic!("launch should have stopped"),
        Err(e) => assert!(
            matches!(e.kind(), rocket::error::ErrorKind::FailedFairings(_)),
            "{e}"
        ),
    }
}

#[tokio::test]
async fn a_guard_without_its_fairing_stops_launch() {
    let rocket = rocket::custom(figment(json!({})))
        .mount("/", routes![photos])
        .register("/", oauth2_catchers());
    match rocket.ignite().await {
        Ok(_) => panic!("launch should have stopped"),
        Err(e) => match e.kind() {
            rocket::error::ErrorKind::SentinelAborts(sentries) => assert!(
                sentries
                    .iter()
                    .any(|s| s.type_name.contains("RequireOAuth1")),
                "{sentries:?}"
            ),
            other => panic!("not refused by the guard's sentinel: {other:?}"),
        },
    }
}
