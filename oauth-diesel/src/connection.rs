//! One connection type for three databases, chosen by URL at run time.

use diesel::connection::SimpleConnection;
use diesel::{Connection, ConnectionResult};

/// A connection to SQLite, PostgreSQL or MySQL. Diesel queries written once
/// run on any of them (Diesel's `MultiConnection`).
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// PostgreSQL.
    Postgresql(diesel::PgConnection),
    /// MySQL or MariaDB.
    Mysql(diesel::MysqlConnection),
    /// SQLite.
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://PATH`, or a bare file path.
    Sqlite,
    /// `postgres://...` or `postgresql://...`.
    Postgres,
    /// `mysql://...`.
    Mysql,
}

impl Backend {
    /// The backend of a `DATABASE_URL`, and the string to connect with.
    ///
    /// ```
    /// use oauth_diesel::Backend;
    /// assert_eq!(Backend::from_url("sqlite://oauth.db"), (Backend::Sqlite, "oauth.db"));
    /// assert_eq!(Backend::from_url("oauth.db"), (Backend::Sqlite, "oauth.db"));
    /// assert_eq!(Backend::from_url("postgres://u@h/db").0, Backend::Postgres);
    /// assert_eq!(Backend::from_url("mysql://u@h/db").0, Backend::Mysql);
    /// ```
    pub fn from_url(url: &str) -> (Backend, &str) {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url)
        } else if url.starts_with("mysql://") {
            (Backend::Mysql, url)
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            (Backend::Sqlite, path)
        } else {
            (Backend::Sqlite, url.strip_prefix("sqlite:").unwrap_or(url))
        }
    }
}

/// SQLite settings applied to every new connection: WAL so readers do not
/// block the writer, a busy timeout so writers queue instead of failing
/// with `SQLITE_BUSY`, and foreign keys on.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA busy_timeout = 10000; \
     PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON;";

/// Opens a connection to `url` (see [`Backend::from_url`]).
pub fn establish(url: &str) -> ConnectionResult<AnyConnection> {
    let (backend, target) = Backend::from_url(url);
    Ok(match backend {
        Backend::Postgres => AnyConnection::Postgresql(diesel::PgConnection::establish(target)?),
        Backend::Mysql => AnyConnection::Mysql(diesel::MysqlConnection::establish(target)?),
        Backend::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(target)?;
            conn.batch_execute(SQLITE_PRAGMAS)
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            AnyConnection::Sqlite(conn)
        }
    })
}

impl AnyConnection {
    /// The backend of this connection.
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Mysql(_) => Backend::Mysql,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Runs a Diesel query on the concrete connection inside an
/// [`AnyConnection`]: `on_backend!(conn, |c| query.get_result(c))`.
///
/// Queries through `AnyConnection` itself work on every backend but are
/// rendered to SQL again on each execution (Diesel's `MultiConnection`
/// serializes the query for the inner connection every time). Narrowed to
/// `SqliteConnection`, `PgConnection` or `MysqlConnection`, a query with a
/// static shape is looked up in Diesel's prepared statement cache by its
/// type and runs without building any SQL. The body is compiled once per
/// backend, so keep it to the hot queries (the derives use it for every
/// lookup that runs on each request).
///
/// ```
/// use diesel::prelude::*;
/// use oauth_diesel::{on_backend, schema::oauth2_token as t};
///
/// let mut conn = oauth_diesel::establish("sqlite://:memory:")?;
/// oauth_diesel::migrations::run_migrations(&mut conn)?;
/// let n: i64 = on_backend!(&mut conn, |c| t::table.count().get_result(c))?;
/// assert_eq!(n, 0);
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::AnyConnection::Sqlite($c) => $body,
            $crate::AnyConnection::Postgresql($c) => $body,
            $crate::AnyConnection::Mysql($c) => $body,
        }
    };
}
