//! The database goes away while the example app is under load, and comes
//! back.
//!
//! On PostgreSQL and MySQL a small TCP proxy (in this test, on 127.0.0.1)
//! stands between the app and the shared server; cutting it closes its
//! listener and every connection through it, as a failed-over or
//! restarted database would, without touching the server the other tests
//! use. While it is cut, every answer must be a clean JSON
//! `temporarily_unavailable` (503) or `server_error` (500), never a panic,
//! a hang, or a wrong answer (a refused password, a foreign token); once
//! it is back, the same app serves again without a restart, and tokens
//! issued before the fault still work. On SQLite, a second connection
//! holds the write lock: writes fail with 503 once the busy timeout runs
//! out, reads go on. Restarting the app on the same database loses no
//! token on any backend.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oauth_tests::app::{Api, ClientAuth, Reply, TestApp, credentials, new_secret_key};
use oauth_tests::db::TestDb;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

// ---------------------------------------------------------------------------
// A TCP proxy that can be cut and restored.

/// Forwards `127.0.0.1:port` to `upstream` until cut.
struct Proxy {
    port: u16,
    upstream: SocketAddr,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

fn listen(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(128)
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = listen(0).expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let proxy = Proxy {
            port,
            upstream,
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let tasks = self.tasks.clone();
        let upstream = self.upstream;
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(pipe);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Closes the listener and every connection: new connections are
    /// refused, open ones see their peer gone.
    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Listens again on the same port.
    async fn restore(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match listen(self.port) {
                Ok(listener) => return self.serve(listener),
                Err(e) => {
                    assert!(Instant::now() < deadline, "cannot listen again: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// The `host:port` of a database URL, and the URL's text before and
/// after it.
fn split_authority(url: &str, default_port: u16) -> (String, String, String) {
    let scheme_end = url.find("://").expect("URL scheme") + 3;
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    let target = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:{default_port}")
    };
    (
        target,
        url[..scheme_end + host_start].to_owned(),
        url[scheme_end + authority_end..].to_owned(),
    )
}

/// `db` behind a new proxy: the proxy, and the database whose URL points
/// at it (the schema or database of `db`, dropped with it).
async fn behind_proxy(mut db: TestDb, default_port: u16) -> (Proxy, TestDb) {
    let (target, prefix, suffix) = split_authority(&db.url, default_port);
    let upstream = tokio::net::lookup_host(&target)
        .await
        .expect("resolve the database host")
        .next()
        .expect("an address");
    let proxy = Proxy::start(upstream).await;
    db.url = format!("{prefix}127.0.0.1:{}{suffix}", proxy.port);
    (proxy, db)
}

// ---------------------------------------------------------------------------
// The app's side.

/// A confidential password-grant client of `alice`, and a token pair for
/// her issued before anything goes wrong.
struct Fixture {
    client_id: String,
    secret: String,
    access_token: String,
    refresh_token: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let browser = app.logged_in("alice").await;
    let (client_id, secret) = credentials(
        &browser
            .register_client_json(&json!({
                "client_name": "Faults",
                "grant_types": ["password", "refresh_token"],
                "scope": "profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }))
            .await,
    );
    let tokens = app
        .api()
        .token_ok(
            ClientAuth::Basic(&client_id, &secret),
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "valid"),
                ("scope", "profile"),
            ],
        )
        .await;
    let fixture = Fixture {
        client_id,
        secret,
        access_token: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
    };
    assert_eq!(
        app.api().me_ok(&fixture.access_token).await["username"],
        "alice"
    );
    fixture
}

impl Fixture {
    fn auth(&self) -> ClientAuth<'_> {
        ClientAuth::Basic(&self.client_id, &self.secret)
    }

    /// The tokens issued before the fault still work: the access token at
    /// the API and at introspection, the refresh token by refreshing.
    async fn assert_tokens_still_work(&self, app: &TestApp) {
        let api = app.api();
        assert_eq!(api.me_ok(&self.access_token).await["username"], "alice");
        let info = api.introspect(self.auth(), &self.access_token).await;
        assert_eq!(info["active"], true, "{info}");
        let info = api.introspect(self.auth(), &self.refresh_token).await;
        assert_eq!(info["active"], true, "{info}");
    }
}

/// One kind of request the load sends.
#[derive(Debug, Clone, Copy)]
enum Call {
    Me,
    Password,
    Introspect,
}

impl Call {
    async fn send(self, api: &Api, f: &Fixture) -> Reply {
        match self {
            Call::Me => api.me(Some(&f.access_token)).await,
            Call::Password => {
                api.token(
                    f.auth(),
                    &[
                        ("grant_type", "password"),
                        ("username", "alice"),
                        ("password", "valid"),
                        ("scope", "profile"),
                    ],
                )
                .await
            }
            Call::Introspect => {
                api.post("/oauth/introspect", f.auth(), &[("token", &f.access_token)])
                    .await
            }
        }
    }

    /// The answer when the database is there.
    fn assert_ok(self, r: &Reply) {
        r.assert_status(200);
        match self {
            Call::Me => assert_eq!(r.json()["username"], "alice", "{}", r.body),
            Call::Password => assert!(r.json()["access_token"].is_string(), "{}", r.body),
            Call::Introspect => assert_eq!(r.json()["active"], true, "{}", r.body),
        }
    }
}

/// A database failure answered as the RFCs want: 503
/// `temporarily_unavailable` or 500 `server_error`, in JSON, not cached.
fn assert_clean_failure(call: Call, r: &Reply) {
    let status = r.status.as_u16();
    assert!(
        status == 503 || status == 500,
        "{call:?} while the database is away: {status} {}",
        r.body
    );
    let body: Value = serde_json::from_str(&r.body)
        .unwrap_or_else(|e| panic!("{call:?}: not JSON ({e}): {status} {}", r.body));
    let expected = if status == 503 {
        "temporarily_unavailable"
    } else {
        "server_error"
    };
    assert_eq!(body["error"], expected, "{call:?}: {}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"), "{call:?}");
    if matches!(call, Call::Me) {
        // RFC 6750 §3: the resource server's errors carry a challenge.
        assert!(
            r.header("www-authenticate")
                .is_some_and(|c| c.starts_with("Bearer")),
            "{:?}",
            r.headers
        );
    }
}

/// What the load saw, in order.
#[derive(Default)]
struct Seen {
    ok: usize,
    failed: usize,
}

/// Sends the three calls in a loop from `workers` tasks until `stop`,
/// checking each answer: a success is a correct success; anything else
/// must be a clean failure, and only while `down` is (or just was) set.
fn load(
    app: &TestApp,
    fixture: Arc<Fixture>,
    workers: usize,
    stop: Arc<AtomicBool>,
    down: Arc<AtomicBool>,
) -> Vec<JoinHandle<Seen>> {
    (0..workers)
        .map(|w| {
            let api = app.api();
            let fixture = fixture.clone();
            let stop = stop.clone();
            let down = down.clone();
            tokio::spawn(async move {
                let mut seen = Seen::default();
                let calls = [Call::Me, Call::Password, Call::Introspect];
                let mut i = w;
                while !stop.load(Ordering::SeqCst) {
                    let call = calls[i % calls.len()];
                    i += 1;
                    let was_down = down.load(Ordering::SeqCst);
                    let r = call.send(&api, &fixture).await;
                    if r.status.as_u16() == 200 {
                        call.assert_ok(&r);
                        seen.ok += 1;
                    } else {
                        assert!(
                            was_down || down.load(Ordering::SeqCst),
                            "{call:?} failed while the database was there: {} {}",
                            r.status,
                            r.body
                        );
                        assert_clean_failure(call, &r);
                        seen.failed += 1;
                    }
                }
                seen
            })
        })
        .collect()
}

/// Polls `call` until it succeeds (the app recovered) or `limit` passes.
async fn wait_until_ok(app: &TestApp, fixture: &Fixture, call: Call, limit: Duration) {
    let api = app.api();
    let deadline = Instant::now() + limit;
    loop {
        let r = call.send(&api, fixture).await;
        if r.status.as_u16() == 200 {
            call.assert_ok(&r);
            return;
        }
        assert_clean_failure(call, &r);
        assert!(
            Instant::now() < deadline,
            "{call:?} still fails {limit:?} after the database came back: {} {}",
            r.status,
            r.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The proxy is cut while four workers send requests, then restored.
async fn database_goes_away_and_comes_back(db: TestDb, default_port: u16) {
    let (proxy, db) = behind_proxy(db, default_port).await;
    let db = Arc::new(db);
    let key = new_secret_key();
    let app = TestApp::start_on(db.clone(), &key).await;
    let fixture = Arc::new(fixture(&app).await);

    let stop = Arc::new(AtomicBool::new(false));
    let down = Arc::new(AtomicBool::new(false));
    let workers = load(&app, fixture.clone(), 4, stop.clone(), down.clone());

    // Some traffic with the database there, then the cut.
    tokio::time::sleep(Duration::from_millis(300)).await;
    down.store(true, Ordering::SeqCst);
    proxy.cut();
    // Every call fails cleanly while it is away (checked by the workers;
    // here, one of each kind for certain).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let api = app.api();
    for call in [Call::Me, Call::Password, Call::Introspect] {
        let started = Instant::now();
        let r = call.send(&api, &fixture).await;
        eprintln!(
            "{call:?} failed in {:?} while the database was away",
            started.elapsed()
        );
        assert_clean_failure(call, &r);
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{call:?} took {:?} to fail",
            started.elapsed()
        );
    }

    // Back: the same app serves again, without a restart.
    proxy.restore().await;
    let restored = Instant::now();
    for call in [Call::Me, Call::Password, Call::Introspect] {
        wait_until_ok(&app, &fixture, call, Duration::from_secs(10)).await;
    }
    eprintln!(
        "recovered {:?} after the database came back",
        restored.elapsed()
    );
    down.store(false, Ordering::SeqCst);
    // Let the workers see the database back for a while: no failure now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let (mut ok, mut failed) = (0, 0);
    for w in workers {
        let seen = w.await.expect("a load worker panicked");
        ok += seen.ok;
        failed += seen.failed;
    }
    eprintln!("under load: {ok} answered, {failed} failed cleanly");
    assert!(ok > 0 && failed > 0, "ok {ok}, failed {failed}");
    fixture.assert_tokens_still_work(&app).await;
    let refreshed = app
        .api()
        .token_ok(
            fixture.auth(),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &fixture.refresh_token),
            ],
        )
        .await;
    app.api()
        .me_ok(refreshed["access_token"].as_str().unwrap())
        .await;
    drop(app);
    drop(proxy);
}

/// The app is stopped and a new one started on the same database: every
/// token issued by the first works at the second.
async fn restart_loses_no_token(db: TestDb) {
    let db = Arc::new(db);
    let key = new_secret_key();
    let app = TestApp::start_on(db.clone(), &key).await;
    let fixture = fixture(&app).await;
    let mut issued = Vec::new();
    for _ in 0..5 {
        let t = app
            .api()
            .token_ok(
                fixture.auth(),
                &[
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", "valid"),
                    ("scope", "profile"),
                ],
            )
            .await;
        issued.push(t["access_token"].as_str().unwrap().to_owned());
    }
    drop(app);

    let app = TestApp::start_on(db.clone(), &key).await;
    fixture.assert_tokens_still_work(&app).await;
    for token in &issued {
        app.api().me_ok(token).await;
    }
    // And the refresh token of the first instance rotates at the second.
    app.api()
        .token_ok(
            fixture.auth(),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &fixture.refresh_token),
            ],
        )
        .await;
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn database_goes_away_and_comes_back() {
        let Some(db) = oauth_tests::db::TestDb::postgres() else {
            return;
        };
        super::database_goes_away_and_comes_back(db, 5432).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn restart_loses_no_token() {
        let Some(db) = oauth_tests::db::TestDb::postgres() else {
            return;
        };
        super::restart_loses_no_token(db).await;
    }
}

mod mysql {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn database_goes_away_and_comes_back() {
        let Some(db) = oauth_tests::db::TestDb::mysql() else {
            return;
        };
        super::database_goes_away_and_comes_back(db, 3306).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn restart_loses_no_token() {
        let Some(db) = oauth_tests::db::TestDb::mysql() else {
            return;
        };
        super::restart_loses_no_token(db).await;
    }
}

mod sqlite {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn restart_loses_no_token() {
        super::restart_loses_no_token(TestDb::sqlite()).await;
    }

    /// Another process holds SQLite's write lock: a token request waits
    /// out the busy timeout and is answered 503 `temporarily_unavailable`
    /// (not 500, not a hang); reads go on meanwhile (WAL); once the lock
    /// is released, writes succeed again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn locked_database_is_temporarily_unavailable() {
        use diesel::connection::SimpleConnection;
        let db = Arc::new(TestDb::sqlite());
        let app = TestApp::start_on(db.clone(), &new_secret_key()).await;
        let fixture = fixture(&app).await;

        let mut locker = db.connect();
        locker
            .batch_execute("BEGIN EXCLUSIVE")
            .expect("take the write lock");
        let started = Instant::now();
        let r = Call::Password.send(&app.api(), &fixture).await;
        assert_clean_failure(Call::Password, &r);
        assert_eq!(r.status.as_u16(), 503, "{}", r.body);
        eprintln!("a write waited {:?} for the lock", started.elapsed());
        // Reads do not wait for the writer.
        let started = Instant::now();
        Call::Me.assert_ok(&Call::Me.send(&app.api(), &fixture).await);
        assert!(started.elapsed() < Duration::from_secs(2));
        locker.batch_execute("ROLLBACK").expect("release");
        Call::Password.assert_ok(&Call::Password.send(&app.api(), &fixture).await);
        fixture.assert_tokens_still_work(&app).await;
    }
}
