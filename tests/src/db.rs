//! An isolated, migrated database per test.
//!
//! SQLite: a fresh file in a temporary directory. PostgreSQL: a fresh schema
//! in the database of `DATABASE_URL_POSTGRES`. MySQL: a fresh database on
//! the server of `DATABASE_URL_MYSQL`. A server backend whose variable is
//! unset is skipped with a message, unless `OAUTH_TEST_REQUIRE` names it
//! (`.ci/run` sets `OAUTH_TEST_REQUIRE=postgres,mysql`), in which case the
//! test fails. A backend that is configured but unreachable always fails.

use std::path::PathBuf;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use oauth_core::secrets;
use oauth_diesel::{Backend, StandardStorage};

/// A provisioned database; dropped at the end of the test.
pub struct TestDb {
    /// Where to connect.
    pub url: String,
    backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PgSchema { admin_url: String, schema: String },
    MysqlDb { admin_url: String, db: String },
}

fn unique_name() -> String {
    format!(
        "oauth_t_{}",
        &secrets::digest(&secrets::random_token(16))[..16]
    )
}

fn required(backend: &str) -> bool {
    std::env::var("OAUTH_TEST_REQUIRE")
        .map(|v| v.split(',').any(|b| b.trim() == backend))
        .unwrap_or(false)
}

/// The URL in `var`, or `None` (skip, with a message) when it is unset,
/// unless `OAUTH_TEST_REQUIRE` names `backend`: then the test fails.
pub fn server_url(var: &str, backend: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if required(backend) => {
            panic!("{var} is not set, but OAUTH_TEST_REQUIRE asks for {backend}")
        }
        _ => {
            eprintln!("skipped: set {var} to run this test on {backend}");
            None
        }
    }
}

impl TestDb {
    /// A fresh SQLite database file.
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).expect("temp dir");
        TestDb {
            url: format!("sqlite://{}", dir.join("oauth.db").display()),
            backend: Backend::Sqlite,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A fresh schema on the PostgreSQL server of `DATABASE_URL_POSTGRES`.
    pub fn postgres() -> Option<TestDb> {
        let admin_url = server_url("DATABASE_URL_POSTGRES", "postgres")?;
        let schema = unique_name();
        let mut conn = diesel::PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("PostgreSQL at DATABASE_URL_POSTGRES is unreachable: {e}"));
        conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create schema");
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        Some(TestDb {
            url: format!("{admin_url}{sep}options=-csearch_path%3D{schema}"),
            backend: Backend::Postgres,
            cleanup: Cleanup::PgSchema { admin_url, schema },
        })
    }

    /// A fresh database on the MySQL server of `DATABASE_URL_MYSQL`.
    pub fn mysql() -> Option<TestDb> {
        let admin_url = server_url("DATABASE_URL_MYSQL", "mysql")?;
        let db = unique_name();
        let mut conn = diesel::MysqlConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("MySQL at DATABASE_URL_MYSQL is unreachable: {e}"));
        conn.batch_execute(&format!("CREATE DATABASE {db}"))
            .expect("create database");
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url.as_str(), String::new()),
        };
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        let url = format!("{}/{db}{query}", &base[..host_end]);
        Some(TestDb {
            url,
            backend: Backend::Mysql,
            cleanup: Cleanup::MysqlDb { admin_url, db },
        })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Standard storage on this database, migrated.
    pub fn storage(&self) -> StandardStorage {
        StandardStorage::connect_and_migrate(&self.url)
            .unwrap_or_else(|e| panic!("cannot open {:?} storage: {e}", self.backend))
    }

    /// A plain connection, for reading tables directly.
    pub fn connect(&self) -> oauth_diesel::AnyConnection {
        oauth_diesel::establish(&self.url).expect("connect")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgSchema { admin_url, schema } => {
                if let Ok(mut c) = diesel::PgConnection::establish(admin_url) {
                    let _ = c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
                }
            }
            Cleanup::MysqlDb { admin_url, db } => {
                if let Ok(mut c) = diesel::MysqlConnection::establish(admin_url) {
                    let _ = c.batch_execute(&format!("DROP DATABASE {db}"));
                }
            }
        }
    }
}
