//! One connection type for the databases compiled in, chosen by URL at run
//! time.
//!
//! Each backend is a cargo feature of this crate: `sqlite` (on by default;
//! SQLite is compiled from source, so no system library is needed),
//! `postgres` (links `libpq`) and `mysql` (links `libmysqlclient` or
//! MariaDB's). [`AnyConnection`] has one variant per backend compiled in;
//! a URL for a backend that is not compiled in is refused by [`establish`]
//! with an error naming the feature to turn on.

use diesel::{ConnectionError, ConnectionResult};

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!(
    "oauth-diesel needs at least one database backend: turn on one of its features \
     `sqlite` (the default), `postgres` or `mysql`"
);

/// Declares [`AnyConnection`] with the variants of the compiled backends
/// (Diesel's `MultiConnection` derive takes no `#[cfg]` on variants).
macro_rules! any_connection {
    ($($(#[$doc:meta])* $variant:ident($ty:ty)),+ $(,)?) => {
        /// A connection to one of the databases compiled in (SQLite,
        /// PostgreSQL, MySQL: the crate's features). Diesel queries written
        /// once run on any of them (Diesel's `MultiConnection`).
        #[derive(diesel::MultiConnection)]
        pub enum AnyConnection {
            $($(#[$doc])* $variant($ty),)+
        }
    };
}

#[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
any_connection!(
    /// PostgreSQL.
    Postgresql(diesel::PgConnection),
    /// MySQL or MariaDB.
    Mysql(diesel::MysqlConnection),
    /// SQLite.
    Sqlite(diesel::SqliteConnection),
);
#[cfg(all(feature = "sqlite", feature = "postgres", not(feature = "mysql")))]
any_connection!(
    /// PostgreSQL.
    Postgresql(diesel::PgConnection),
    /// SQLite.
    Sqlite(diesel::SqliteConnection),
);
#[cfg(all(feature = "sqlite", not(feature = "postgres"), feature = "mysql"))]
any_connection!(
    /// MySQL or MariaDB.
    Mysql(diesel::MysqlConnection),
    /// SQLite.
    Sqlite(diesel::SqliteConnection),
);
#[cfg(all(feature = "sqlite", not(feature = "postgres"), not(feature = "mysql")))]
any_connection!(
    /// SQLite.
    Sqlite(diesel::SqliteConnection),
);
#[cfg(all(not(feature = "sqlite"), feature = "postgres", feature = "mysql"))]
any_connection!(
    /// PostgreSQL.
    Postgresql(diesel::PgConnection),
    /// MySQL or MariaDB.
    Mysql(diesel::MysqlConnection),
);
#[cfg(all(not(feature = "sqlite"), feature = "postgres", not(feature = "mysql")))]
any_connection!(
    /// PostgreSQL.
    Postgresql(diesel::PgConnection),
);
#[cfg(all(not(feature = "sqlite"), not(feature = "postgres"), feature = "mysql"))]
any_connection!(
    /// MySQL or MariaDB.
    Mysql(diesel::MysqlConnection),
);

/// The URL with its password, if any, replaced by `***`, for logs and
/// messages: `postgres://app:hunter2@db/oauth` becomes
/// `postgres://app:***@db/oauth`.
///
/// ```
/// use oauth_diesel::redact_password;
/// assert_eq!(redact_password("postgres://app:hunter2@db/oauth"), "postgres://app:***@db/oauth");
/// assert_eq!(redact_password("mysql://root@127.0.0.1/test"), "mysql://root@127.0.0.1/test");
/// assert_eq!(redact_password("oauth.db"), "oauth.db");
/// ```
pub fn redact_password(url: &str) -> std::borrow::Cow<'_, str> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.into();
    };
    // The user information ends at the last `@` before the path.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.into();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***{}", &rest[at..]).into(),
        None => url.into(),
    }
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

    /// The database's name, as its makers spell it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MySQL",
        }
    }

    /// The cargo feature of this crate that compiles the backend in.
    pub fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// Whether this build of the crate can connect to the backend.
    pub fn is_compiled_in(self) -> bool {
        match self {
            Backend::Sqlite => cfg!(feature = "sqlite"),
            Backend::Postgres => cfg!(feature = "postgres"),
            Backend::Mysql => cfg!(feature = "mysql"),
        }
    }

    /// The error for a URL naming a backend this build does not have: it
    /// says which feature to turn on.
    pub fn not_compiled_in(self) -> String {
        let name = match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MySQL",
        };
        format!(
            "the database URL names {name}, but oauth-diesel was built without its `{feature}` \
             feature: add `features = [\"{feature}\"]` to the oauth-diesel dependency \
             (the example app: `cargo run -p example-app --features {feature}`)",
            feature = self.feature()
        )
    }
}

/// SQLite settings applied to every new connection: WAL so readers do not
/// block the writer, a busy timeout so writers queue instead of failing
/// with `SQLITE_BUSY`, and foreign keys on.
#[cfg(feature = "sqlite")]
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA busy_timeout = 10000; \
     PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON;";

/// Opens a connection to `url` (see [`Backend::from_url`]). A URL for a
/// backend that is not compiled in fails with
/// [`Backend::not_compiled_in`]'s message.
pub fn establish(url: &str) -> ConnectionResult<AnyConnection> {
    #[allow(unused_imports)]
    use diesel::Connection;
    let (backend, target) = Backend::from_url(url);
    let _ = target;
    match backend {
        #[cfg(feature = "postgres")]
        Backend::Postgres => Ok(AnyConnection::Postgresql(diesel::PgConnection::establish(
            target,
        )?)),
        #[cfg(feature = "mysql")]
        Backend::Mysql => Ok(AnyConnection::Mysql(diesel::MysqlConnection::establish(
            target,
        )?)),
        #[cfg(feature = "sqlite")]
        Backend::Sqlite => {
            use diesel::connection::SimpleConnection;
            let mut conn = diesel::SqliteConnection::establish(target)?;
            conn.batch_execute(SQLITE_PRAGMAS)
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(AnyConnection::Sqlite(conn))
        }
        #[allow(unreachable_patterns)]
        other => Err(ConnectionError::BadConnection(other.not_compiled_in())),
    }
}

impl AnyConnection {
    /// The backend of this connection.
    pub fn backend(&self) -> Backend {
        match self {
            #[cfg(feature = "postgres")]
            AnyConnection::Postgresql(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(_) => Backend::Mysql,
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Whether this is a SQLite connection.
    pub fn is_sqlite(&self) -> bool {
        self.backend() == Backend::Sqlite
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
/// backend compiled in, so keep it to the hot queries (the derives use it
/// for every lookup that runs on each request).
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
///
/// A query that Diesel writes differently per backend (an upsert: `ON
/// CONFLICT` on SQLite and PostgreSQL, `ON DUPLICATE KEY` on MySQL) takes
/// one body per backend; only those of the backends compiled in are
/// compiled, so a site built with SQLite alone needs no MySQL code to
/// compile:
///
/// ```
/// use diesel::prelude::*;
/// use oauth_diesel::{on_backend, schema::oauth2_client_auth_failure as f};
///
/// let mut conn = oauth_diesel::establish("sqlite://:memory:")?;
/// oauth_diesel::migrations::run_migrations(&mut conn)?;
/// let row = (f::id.eq(1), f::client_id.eq("app"), f::failed_at.eq(7_i64));
/// let inserted = on_backend!(&mut conn,
///     sqlite: |c| diesel::insert_into(f::table).values(row).on_conflict_do_nothing().execute(c),
///     postgres: |c| diesel::insert_into(f::table).values(row).on_conflict_do_nothing().execute(c),
///     mysql: |c| diesel::insert_or_ignore_into(f::table).values(row).execute(c),
/// )?;
/// assert_eq!(inserted, 1);
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
///
/// The macro expands in the caller's crate, where `#[cfg(feature = ...)]`
/// would ask the caller's features, not this crate's; so each backend's
/// case is a helper macro defined here for the backends compiled in, and
/// empty for the others.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr,
     sqlite: |$sc:ident| $sb:expr,
     postgres: |$pc:ident| $pb:expr,
     mysql: |$mc:ident| $mb:expr $(,)?) => {{
        let on_backend_conn: &mut $crate::AnyConnection = $conn;
        'on_backend: {
            $crate::__on_sqlite!('on_backend, on_backend_conn, $sc, $sb);
            $crate::__on_postgres!('on_backend, on_backend_conn, $pc, $pb);
            $crate::__on_mysql!('on_backend, on_backend_conn, $mc, $mb);
            ::core::unreachable!("AnyConnection has a variant for each backend compiled in")
        }
    }};
    ($conn:expr, |$c:ident| $body:expr) => {{
        let on_backend_conn: &mut $crate::AnyConnection = $conn;
        'on_backend: {
            $crate::__on_sqlite!('on_backend, on_backend_conn, $c, $body);
            $crate::__on_postgres!('on_backend, on_backend_conn, $c, $body);
            $crate::__on_mysql!('on_backend, on_backend_conn, $c, $body);
            ::core::unreachable!("AnyConnection has a variant for each backend compiled in")
        }
    }};
}

// The cases of [`on_backend!`], one per backend: each leaves the block
// with `$body` run on the concrete connection if `$conn` is of its
// backend, and is empty when the backend is not compiled in. (Written out:
// a `#[macro_export]` macro defined by another macro cannot be named by
// path inside this crate, which the derives on `models` do.)

#[cfg(feature = "sqlite")]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_sqlite {
    ($l:lifetime, $conn:ident, $c:ident, $body:expr) => {
        #[allow(unreachable_patterns)]
        match &mut *$conn {
            $crate::AnyConnection::Sqlite($c) => break $l $body,
            _ => {}
        }
    };
}
#[cfg(not(feature = "sqlite"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_sqlite {
    ($l:lifetime, $conn:ident, $c:ident, $body:expr) => {};
}

#[cfg(feature = "postgres")]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_postgres {
    ($l:lifetime, $conn:ident, $c:ident, $body:expr) => {
        #[allow(unreachable_patterns)]
        match &mut *$conn {
            $crate::AnyConnection::Postgresql($c) => break $l $body,
            _ => {}
        }
    };
}
#[cfg(not(feature = "postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_postgres {
    ($l:lifetime, $conn:ident, $c:ident, $body:expr) => {};
}

#[cfg(feature = "mysql")]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_mysql {
    ($l:lifetime, $conn:ident, $c:ident, $body:expr) => {
        #[allow(unreachable_patterns)]
        match &mut *$conn {
            $crate::AnyConnection::Mysql($c) => break $l $body,
            _ => {}
        }
    };
}
#[cfg(not(feature = "mysql"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_mysql {
    ($l:lifetime, $conn:ident, $c:ident, $body:expr) => {};
}
