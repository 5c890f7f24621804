//! Workspace-level integration tests.
//!
//! [`db`] provisions an isolated database per test on SQLite (always) and
//! on PostgreSQL and MySQL when `DATABASE_URL_POSTGRES` /
//! `DATABASE_URL_MYSQL` are set; [`suite`] holds the storage conformance
//! tests that run on each of them and on the in-memory storage, and
//! [`suite_oauth1`] those of OAuth 1.0a (also on Redis); [`app`]
//! launches the example app on one of them for the end-to-end tests over
//! HTTP (`tests/e2e_*.rs`); [`oauth1`] signs OAuth 1.0a requests for them;
//! [`python`] runs the scripts of Python libraries they are checked against;
//! [`chrono_models`] are the standard models with `TIMESTAMP` instants.

pub mod app;
pub mod browser;
pub mod chrono_models;
pub mod db;
pub mod logs;
pub mod oauth1;
pub mod python;
pub mod script;
pub mod served;
pub mod suite;
pub mod suite_oauth1;
