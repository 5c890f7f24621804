//! Workspace-level integration tests live here once the Rocket adapter and the
//! example app exist; the engine's own tests are in `oauth-core/tests`.
