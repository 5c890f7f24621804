//! Running a page script in a real browser: Debian's headless Chromium,
//! driven by Playwright (`playwright-core` in `tests/browser`, installed
//! with `npm ci`; Playwright's own browser download is not used). A script
//! reads a JSON spec on stdin, prints JSON on stdout, and exits with
//! status 3 and a message when the browser or Playwright is missing.
//!
//! Then the test notes it and passes, unless `OAUTH_TEST_REQUIRE` contains
//! `browser`: then it fails, naming what to install.

use std::path::Path;

use serde_json::Value;

/// The folder of the browser scripts and their `package.json`.
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/browser");

fn unavailable(why: &str) -> Option<Value> {
    let required = std::env::var("OAUTH_TEST_REQUIRE").is_ok_and(|v| v.contains("browser"));
    assert!(
        !required,
        "OAUTH_TEST_REQUIRE contains \"browser\", but {why}. Install Node.js, \
         `apt-get install chromium`, and `npm ci` in {DIR}."
    );
    eprintln!("note: skipping the browser test: {why}");
    None
}

/// Runs `node DIR/script` with `spec` on stdin: its JSON output, or `None`
/// when the browser cannot run (and is not required). Any other failure
/// of the script fails the test with its stderr.
pub fn run(script: &str, spec: &Value) -> Option<Value> {
    let script = format!("{DIR}/{script}");
    crate::script::run("node", &script, Some(Path::new(DIR)), spec, unavailable)
}
