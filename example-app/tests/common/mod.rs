//! Running the example app's binaries as a user would: a process on a free
//! port of 127.0.0.1, killed when dropped.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running binary; killed when dropped.
pub struct Process {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Starts `exe` in `dir` on `port`, without `DATABASE_URL` and
/// `ROCKET_SECRET_KEY` from this environment, with `env`, and waits until
/// `GET probe` answers 200; a binary that exits first fails the test with
/// its standard error.
pub async fn start(
    exe: &str,
    dir: &Path,
    port: u16,
    env: &[(&str, String)],
    probe: &str,
) -> Process {
    let mut command = Command::new(exe);
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("ROCKET_SECRET_KEY")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_LOG_LEVEL", "critical")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.spawn().expect("the binary starts");
    let mut process = Process {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = process.child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut stderr) = process.child.stderr.take() {
                use std::io::Read;
                let _ = stderr.read_to_string(&mut err);
            }
            panic!("{exe} exited with {status} before serving:\n{err}");
        }
        if let Ok(r) = client.get(format!("{}{probe}", process.base)).send().await
            && r.status() == 200
        {
            return process;
        }
        assert!(
            Instant::now() < deadline,
            "{exe} did not answer GET {probe}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
