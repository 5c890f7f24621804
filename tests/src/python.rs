//! Running a Python script of a library written by others (requests-oauthlib,
//! PyJWT) on a JSON spec, for the tests that check this project against
//! them. The script reads the spec on stdin, prints JSON on stdout, and
//! exits with status 3 and a message when its library is not installed.
//!
//! When Python or the library is missing, the test notes it and passes,
//! unless `OAUTH_TEST_REQUIRE` contains `python`: then it fails, naming
//! what to install.

use serde_json::Value;

/// `None` (after a note) when `what` cannot run and is not required.
fn unavailable(what: &str, install: &str, why: &str) -> Option<Value> {
    let required = std::env::var("OAUTH_TEST_REQUIRE").is_ok_and(|v| v.contains("python"));
    assert!(
        !required,
        "OAUTH_TEST_REQUIRE contains \"python\", but {why}. Install python3 and `{install}`."
    );
    eprintln!("note: skipping the {what} test: {why}");
    None
}

/// Runs `python3 script` with `spec` on stdin: its JSON output, or `None`
/// when Python or the library is missing (and not required). `what` names
/// the library for the note, `install` the command that installs it. Any
/// other failure of the script fails the test with its stderr.
pub fn run_script(script: &str, spec: &Value, what: &str, install: &str) -> Option<Value> {
    crate::script::run("python3", script, None, spec, |why| {
        unavailable(what, install, why)
    })
}

/// Runs a step of `tests/oauth2_client.py` (requests-oauth2client and
/// jwskate: key pairs, `private_key_jwt` flows, single assertions, pushed
/// authorization requests) off the async runtime's workers; `None` when
/// the library is missing and not required.
pub async fn oauth2_client(spec: Value) -> Option<Value> {
    tokio::task::spawn_blocking(move || {
        run_script(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oauth2_client.py"),
            &spec,
            "requests-oauth2client",
            "pip install requests-oauth2client",
        )
    })
    .await
    .expect("the script's thread")
}
