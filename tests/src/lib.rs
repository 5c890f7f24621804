//! Workspace-level integration tests.
//!
//! [`db`] provisions an isolated database per test on SQLite (always) and
//! on PostgreSQL and MySQL when `DATABASE_URL_POSTGRES` /
//! `DATABASE_URL_MYSQL` are set; [`suite`] holds the storage conformance
//! tests that run on each of them and on the in-memory storage.

pub mod db;
pub mod suite;
