//! The `example-app` binary as a newcomer runs it: in an empty directory,
//! with no configuration, under Rocket's release profile (which refuses to
//! start with Rocket's built-in all-zero secret key). It must create and
//! migrate its SQLite file, create and keep its cookie key, and keep a
//! logged-in session across a restart.

mod common;

use std::path::Path;

use common::{Process, free_port};

async fn start(dir: &Path) -> Process {
    common::start(
        env!("CARGO_BIN_EXE_example-app"),
        dir,
        free_port(),
        &[("ROCKET_PROFILE", "release".to_owned())],
        "/ping",
    )
    .await
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn home_page(base: &str, cookie: &str) -> String {
    let response = no_redirects()
        .get(format!("{base}/"))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("GET /");
    assert_eq!(response.status(), 200);
    response.text().await.expect("body")
}

#[tokio::test]
async fn release_profile_in_an_empty_directory_starts_and_keeps_sessions_across_restarts() {
    let dir = std::env::temp_dir().join(format!("example-app-binary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");

    let server = start(&dir).await;
    assert!(dir.join("example-app.sqlite").is_file(), "database created");
    let key = std::fs::read_to_string(dir.join("example-app.secret")).expect("key file");
    assert_eq!(key.trim().len(), 88, "a 512-bit key, base64");

    let login = no_redirects()
        .post(format!("{}/", server.base))
        .form(&[("username", "release-alice")])
        .send()
        .await
        .expect("POST /");
    assert_eq!(login.status(), 303);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(!cookie.is_empty(), "the login sets a session cookie");
    assert!(
        home_page(&server.base, &cookie)
            .await
            .contains("release-alice")
    );
    assert!(
        !home_page(&server.base, "").await.contains("release-alice"),
        "without the cookie nobody is logged in"
    );
    drop(server);

    let server = start(&dir).await;
    assert_eq!(
        std::fs::read_to_string(dir.join("example-app.secret")).expect("key file"),
        key,
        "the key is kept, not replaced"
    );
    assert!(
        home_page(&server.base, &cookie)
            .await
            .contains("release-alice"),
        "the session made before the restart still opens"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
