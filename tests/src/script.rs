//! Running a script of others' libraries (Python's, a browser's) on a JSON
//! spec: the spec goes to its stdin, its JSON comes back from stdout. Exit
//! status 3 means its library or browser is missing; the caller's
//! `unavailable` then says whether the test passes with a note or fails.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs `program script` in `dir` (the current one when `None`) with `spec`
/// on stdin: its JSON output, or what `unavailable` says when the program
/// cannot be started (`program` is missing) or exits with status 3 (the
/// script's message). Any other failure fails the test with its stderr.
pub fn run(
    program: &str,
    script: &str,
    dir: Option<&Path>,
    spec: &Value,
    unavailable: impl Fn(&str) -> Option<Value>,
) -> Option<Value> {
    let mut command = Command::new(program);
    command
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return unavailable(&format!("{program} cannot be run ({e})")),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(spec.to_string().as_bytes())
        .expect("write the spec");
    let out = child.wait_with_output().expect("the script runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => Some(serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{script} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })),
        Some(3) => unavailable(stderr.trim()),
        _ => panic!("{script} failed ({}): {stderr}", out.status),
    }
}
