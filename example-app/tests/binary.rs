//! The `example-app` binary as a newcomer runs it: in an empty directory,
//! with no configuration, under Rocket's release profile (which refuses to
//! start with Rocket's built-in all-zero secret key). It must create and
//! migrate its SQLite file, create and keep its cookie key, and keep a
//! logged-in session across a restart.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The running binary; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

async fn start(dir: &Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_example-app"))
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("ROCKET_SECRET_KEY")
        .env("ROCKET_PROFILE", "release")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_LOG_LEVEL", "critical")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example-app binary starts");
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut stderr) = server.child.stderr.take() {
                use std::io::Read;
                let _ = stderr.read_to_string(&mut err);
            }
            panic!("example-app exited with {status} before serving:\n{err}");
        }
        if let Ok(r) = client.get(format!("{}/ping", server.base)).send().await
            && r.status() == 200
        {
            return server;
        }
        assert!(
            Instant::now() < deadline,
            "example-app did not answer /ping"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
