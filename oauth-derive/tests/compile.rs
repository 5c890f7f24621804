//! Compile tests for the derives: structs that must be accepted, and
//! mistakes that must be refused with the derive's own message.
//!
//! Regenerate the pinned messages with
//! `TRYBUILD=overwrite cargo test -p oauth-derive --test compile`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
