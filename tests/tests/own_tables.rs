//! The site on tables of its own (`example-app/examples/own_tables/site.rs`),
//! launched on SQLite, PostgreSQL and MySQL and driven end to end over HTTP
//! as a member's browser and a confidential client would: log-in, registration under the site's
//! policy, the consent page, the code exchange with `client_secret_basic`
//! (which counts failures in the support tables), the member's API,
//! refresh, and the site's own pages beside the OAuth guards' answers.

#[path = "../../example-app/examples/own_tables/site.rs"]
mod site;

use oauth_diesel::migrations::MigrationSet;
use oauth_tests::db::TestDb;

fn site_set() -> MigrationSet {
    crate::site_migrations!(
        "../example-app/examples/own_tables/migrations/sqlite",
        "../example-app/examples/own_tables/migrations/postgres",
        "../example-app/examples/own_tables/migrations/mysql"
    )
}

use diesel::prelude::*;
use oauth_diesel::migrations::run_migration_sets;
use reqwest::StatusCode;
use serde_json::{Value, json};

const CALLBACK: &str = "https://client.example/cb";

struct Site {
    served: oauth_tests::served::Served,
    db: TestDb,
}

async fn launch(db: TestDb) -> Site {
    let (figment, port) = oauth_tests::served::figment();
    let figment = figment
        .merge(("secret_key", "0123456789abcdef".repeat(4)))
        .merge(("database_url", db.url.as_str()));
    let rocket = site::rocket_from(figment, site_set());
    let served = oauth_tests::served::serve(rocket, port, "/").await;
    Site { served, db }
}

fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .build()
        .unwrap()
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let url = reqwest::Url::parse(location).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

oauth_tests::e2e_on_every_backend_db!(a_site_on_its_own_tables_works_end_to_end);

async fn a_site_on_its_own_tables_works_end_to_end(db: TestDb) {
    let site = launch(db).await;
    let base = &site.served.base;
    let browser = client(true);
    let api = client(false);

    // Registration is open to signed-in members only (the site's policy).
    let metadata = json!({
        "client_name": "Ann's app",
        "redirect_uris": [CALLBACK],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "profile",
        "token_endpoint_auth_method": "client_secret_basic",
    });
    let r = api
        .post(format!("{base}/oauth/register"))
        .json(&metadata)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = browser
        .post(format!("{base}/login"))
        .form(&[("email", "ann@example.test"), ("name", "Ann")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = browser
        .post(format!("{base}/oauth/register"))
        .json(&metadata)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let reg: Value = r.json().await.unwrap();
    let id = reg["client_id"].as_str().unwrap().to_owned();
    let secret = reg["client_secret"].as_str().unwrap().to_owned();

    // The consent page, then the member's answer.
    let authorize = format!(
        "{base}/oauth/authorize?response_type=code&client_id={id}&redirect_uri={}&scope=profile&state=s1",
        form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let page = browser.get(&authorize).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Ann&#x27;s app") || page.contains("Ann's app"),
        "{page}"
    );
    assert!(page.contains("Allow"), "{page}");
    let r = browser
        .post(&authorize)
        .form(&[("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("s1"));
    let code = query_param(&location, "code").expect("a code");

    // A wrong secret is invalid_client: the guessing limits count it in the
    // support tables (without them, this was a 500).
    let r = api
        .post(format!("{base}/oauth/token"))
        .basic_auth(&id, Some("not-the-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    let r = api
        .post(format!("{base}/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token: Value = r.json().await.unwrap();
    let access = token["access_token"].as_str().unwrap().to_owned();
    let refresh = token["refresh_token"].as_str().unwrap().to_owned();

    // The member's API, with the member read with the token.
    let r = api
        .get(format!("{base}/api/profile"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(
        me,
        json!({ "email": "ann@example.test", "name": "Ann", "client": id })
    );
    // Without a token: RFC 6750's answer, not the site's login redirect.
    let r = api.get(format!("{base}/api/profile")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");

    // The site's own page on the storage's pool, and its own 401.
    let r = browser
        .get(format!("{base}/account/tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "tokens": 1 }));
    let r = api
        .get(format!("{base}/account/tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the site's 401 catcher");
    assert_eq!(r.headers()["location"], "/");

    // Refresh rotates, in the site's token table.
    let r = api
        .post(format!("{base}/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // What the tables hold: the site's columns beside the mapped ones.
    let mut conn = site.db.connect();
    let plan: String = site::my_clients::table
        .select(site::my_clients::plan)
        .first(&mut conn)
        .unwrap();
    assert_eq!(plan, "free");
    let owner: Option<i32> = site::my_clients::table
        .select(site::my_clients::owner)
        .first(&mut conn)
        .unwrap();
    assert!(owner.is_some(), "the registering member owns the client");
    let tokens: i64 = site::my_tokens::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(tokens, 2);
    let failures: i64 = oauth_diesel::schema::oauth2_client_auth_failure::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(failures, 1, "the wrong secret was counted");
}

/// Without the support tables, `check_schema` refuses at start-up and says
/// what to run, instead of the first token request answering 500.
#[test]
fn without_the_support_tables_the_storage_check_names_them() {
    let db = TestDb::sqlite();
    let pool = oauth_diesel::DbPool::connect(&db.url).unwrap();
    run_migration_sets(&mut pool.get().unwrap(), &[site_set()]).unwrap();
    let e = site::Store::new(pool.clone()).check_schema().unwrap_err();
    let message = e.chain().to_string();
    assert!(message.contains("MigrationSet::SUPPORT"), "{message}");
    assert!(message.contains("no such table: oauth2_"), "{message}");
    run_migration_sets(
        &mut pool.get().unwrap(),
        &[oauth_diesel::migrations::MigrationSet::SUPPORT],
    )
    .unwrap();
    site::Store::new(pool).check_schema().unwrap();
}
