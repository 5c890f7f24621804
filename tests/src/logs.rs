//! Every log line of a test process, captured, and every secret the test
//! saw on the wire, so that a test can assert what was logged and the
//! harness can assert what never was.
//!
//! [`install`] sets up the example app's logging, as its binary does,
//! writing the formatted lines (as an operator's terminal shows them) into
//! memory: Rocket's own lines are captured with ours. The HTTP
//! helpers of [`crate::app`] call [`saw_secret`] with every token, code,
//! client secret, PKCE verifier and `Authorization` header that passes
//! through them; when a [`TestApp`](crate::app::TestApp) is dropped,
//! [`assert_no_secret_logged`] fails the test if any captured line holds
//! one of them. nextest runs each test in its own process, so the capture
//! holds that test's lines only.

use std::collections::BTreeSet;
use std::io;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Secrets shorter than this are not looked for: short values (a test
/// password such as `valid`) occur in ordinary words. Every generated
/// token, code and secret is far longer.
const MIN_SECRET_LEN: usize = 12;

#[derive(Default)]
struct Capture {
    text: Mutex<Vec<u8>>,
    secrets: Mutex<BTreeSet<String>>,
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(Capture::default)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

struct Writer;

impl io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&capture().text).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Starts capturing (idempotent), with the example app's own logging
/// ([`example_app::logging`]) writing into memory at `info`: `tracing`
/// events, and Rocket's `log` records through its redacting bridge.
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        example_app::logging::init_with(|| Writer, tracing::level_filters::LevelFilter::INFO);
    });
}

/// Every line captured so far.
pub fn lines() -> Vec<String> {
    String::from_utf8_lossy(&lock(&capture().text))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The captured lines that contain `needle`.
pub fn lines_with(needle: &str) -> Vec<String> {
    lines().into_iter().filter(|l| l.contains(needle)).collect()
}

/// Records a secret that must never appear in the log.
pub fn saw_secret(value: &str) {
    let value = value.trim();
    if value.len() >= MIN_SECRET_LEN {
        lock(&capture().secrets).insert(value.to_owned());
    }
}

/// The captured lines that hold a recorded secret, each with the start of
/// the secret it holds.
pub fn leaks() -> Vec<(String, String)> {
    let secrets = lock(&capture().secrets).clone();
    let mut found = Vec::new();
    for line in lines() {
        if let Some(secret) = secrets.iter().find(|s| line.contains(s.as_str())) {
            found.push((secret.chars().take(6).collect(), line));
        }
    }
    found
}

/// How many secrets were recorded.
pub fn secrets_seen() -> usize {
    lock(&capture().secrets).len()
}

/// Fails if a captured line holds a recorded secret.
#[track_caller]
pub fn assert_no_secret_logged() {
    let leaks = leaks();
    assert!(
        leaks.is_empty(),
        "{} log line(s) hold a secret the test saw on the wire:\n{}",
        leaks.len(),
        leaks
            .iter()
            .map(|(secret, line)| format!("  [{secret}...] {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
