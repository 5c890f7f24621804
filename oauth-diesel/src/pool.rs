//! A connection pool usable from async code: queries run on Tokio's
//! blocking threads (SQLite reads excepted, see
//! [`PoolOptions::inline_sqlite_reads`]); SQLite writes are committed in
//! groups (see [`DbPool::write`]).

use std::sync::Arc;
use std::time::Duration;

use diesel::r2d2::{self, ManageConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, QueryResult};
use oauth_core::StorageError;

use crate::connection::{AnyConnection, Backend, establish};
use crate::group_commit::GroupCommit;

/// Makes [`AnyConnection`]s for r2d2.
#[derive(Debug, Clone)]
pub struct AnyConnectionManager {
    url: String,
}

impl ManageConnection for AnyConnectionManager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        establish(&self.url).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// A connection dropped while its thread panicked, or whose
    /// transaction manager is broken (a failed rollback), is not put back.
    /// (A connection the server closed is replaced where its failure is
    /// seen: [`DbPool`] checks it after an error.)
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        std::thread::panicking() || conn.is_broken()
    }
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections open at once. SQLite: 8. PostgreSQL and MySQL:
    /// twice this machine's cores, at least 4 and at most 16
    /// ([`server_pool_size`]).
    pub max_size: Option<u32>,
    /// How long a query waits for a free connection before the storage
    /// reports itself unavailable (5 s).
    pub connection_timeout: Duration,
    /// Whether SQLite reads run on the calling thread instead of a blocking
    /// thread (true). In WAL mode a reader never waits for a writer, and an
    /// indexed point read costs a few microseconds: less than the two thread
    /// switches of a hop to Tokio's blocking pool, which dominated the cost
    /// of a bearer check in profiles. Writes (which may wait for the write
    /// lock and fsync) and every query to PostgreSQL or MySQL (a network
    /// round trip) always go to blocking threads.
    pub inline_sqlite_reads: bool,
}

impl Default for PoolOptions {
    fn default() -> PoolOptions {
        PoolOptions {
            max_size: None,
            connection_timeout: Duration::from_secs(5),
            inline_sqlite_reads: true,
        }
    }
}

/// A pool of connections to one database.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<AnyConnectionManager>,
    backend: Backend,
    /// SQLite admits one writer at a time: the writes of this process are
    /// queued and committed in groups (`group_commit`).
    group_commit: Option<Arc<GroupCommit>>,
    inline_reads: bool,
    /// To replace a connection found dead (see [`failed`]).
    url: Arc<str>,
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbPool")
            .field("backend", &self.backend)
            .finish()
    }
}

impl DbPool {
    /// Connects to `url` with default options. Fails if no connection can
    /// be made now.
    pub fn connect(url: &str) -> Result<DbPool, StorageError> {
        DbPool::connect_with(url, PoolOptions::default())
    }

    /// Connects to `url` and runs the bundled migrations
    /// ([`crate::migrations::run_migrations`]).
    pub fn connect_and_migrate(url: &str) -> Result<DbPool, StorageError> {
        let pool = DbPool::connect(url)?;
        crate::migrations::run_migrations(&mut *pool.get()?)
            .map_err(|e| StorageError::new(format!("migrations failed: {e}")))?;
        Ok(pool)
    }

    /// Connects to `url`.
    pub fn connect_with(url: &str, options: PoolOptions) -> Result<DbPool, StorageError> {
        let (backend, _) = Backend::from_url(url);
        if !backend.is_compiled_in() {
            return Err(StorageError::new(backend.not_compiled_in()));
        }
        let in_memory = backend == Backend::Sqlite && Backend::from_url(url).1.contains(":memory:");
        let max_size = if in_memory {
            // Each connection to :memory: is its own database.
            1
        } else {
            options.max_size.unwrap_or(match backend {
                Backend::Sqlite => 8,
                _ => server_pool_size(),
            })
        };
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(options.connection_timeout)
            .test_on_check_out(false)
            .build(AnyConnectionManager {
                url: url.to_owned(),
            })
            .map_err(|e| {
                StorageError::unavailable(format!("cannot connect to the database: {e}"))
            })?;
        let group_commit = (backend == Backend::Sqlite).then(|| Arc::new(GroupCommit::default()));
        Ok(DbPool {
            pool,
            backend,
            group_commit,
            inline_reads: backend == Backend::Sqlite && options.inline_sqlite_reads,
            url: url.into(),
        })
    }

    /// The database behind the pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f`, which only reads, with a pooled connection.
    ///
    /// `f` must only read: on SQLite (see [`PoolOptions::inline_sqlite_reads`])
    /// it may run on the calling thread; writes go through [`DbPool::write`].
    pub async fn run<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> QueryResult<R> + Send + 'static,
    {
        if self.inline_reads {
            let mut conn = self.get()?;
            return f(&mut conn).map_err(|e| failed(&self.url, &mut conn, e));
        }
        self.blocking(f).await
    }

    /// Like [`DbPool::run`], for `f` that makes several reads which belong
    /// together (a token, then its user). On SQLite they run in one read
    /// transaction: one snapshot, and one round of SQLite's locks instead
    /// of one per query (the locks of a WAL read transaction cost more
    /// than an indexed read, in profiles). Elsewhere they run back to back
    /// on one connection, in one trip to a blocking thread.
    pub async fn run_together<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> QueryResult<R> + Send + 'static,
    {
        self.run(|conn| {
            if conn.is_sqlite() {
                conn.transaction(f)
            } else {
                f(conn)
            }
        })
        .await
    }

    /// Like [`DbPool::run`], for `f` that writes. On SQLite the writes of
    /// this process are committed in groups, one fsync for all the writes
    /// that queued during the previous commit; each runs in its own
    /// savepoint and its result is returned once it is committed.
    pub async fn write<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> QueryResult<R> + Send + 'static,
    {
        let Some(group) = self.group_commit.clone() else {
            return self.blocking(f).await;
        };
        let pool = self.pool.clone();
        let url = self.url.clone();
        tokio::task::spawn_blocking(move || group.write(&pool, &url, f))
            .await
            .map_err(|e| StorageError::new("database task failed").with_source(e))?
    }

    async fn blocking<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> QueryResult<R> + Send + 'static,
    {
        let pool = self.pool.clone();
        let url = self.url.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| StorageError::unavailable("no database connection").with_source(e))?;
            f(&mut conn).map_err(|e| failed(&url, &mut conn, e))
        })
        .await
        .map_err(|e| StorageError::new("database task failed").with_source(e))?
    }

    /// Runs `f` in a transaction (rolled back if `f` fails), as a writer. A
    /// transaction the database aborted to break a deadlock or a
    /// serialization conflict (InnoDB does this to concurrent writers) is
    /// retried, a few times.
    pub async fn transaction<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: Fn(&mut AnyConnection) -> QueryResult<R> + Send + 'static,
    {
        if self.group_commit.is_some() {
            // Every SQLite write already runs in its own savepoint of a
            // batch that holds the write lock: nothing to retry, no second
            // savepoint needed.
            return self.write(f).await;
        }
        self.write(move |conn| {
            let mut attempt = 0;
            loop {
                match conn.transaction(&f) {
                    Err(e) if attempt < 5 && is_retryable(&e) => attempt += 1,
                    result => return result,
                }
            }
        })
        .await
    }

    /// A connection for synchronous use (migrations, tests, tools).
    pub fn get(&self) -> Result<r2d2::PooledConnection<AnyConnectionManager>, StorageError> {
        self.pool
            .get()
            .map_err(|e| StorageError::unavailable("no database connection").with_source(e))
    }
}

/// The default pool size for PostgreSQL and MySQL: twice the cores of
/// this machine, clamped to 4..=16.
///
/// Each query holds a blocking thread and a database backend; more of them
/// than the cores can run add no throughput and a long tail. On 2 cores,
/// with PostgreSQL on the same machine, 16 connections served `/api/me` no
/// faster than 4 (about 15,500 req/s either way), with up to 20 runnable
/// threads, query round trips of 35-680 ms seen inside the pool while the
/// backends sat idle waiting for their client, and a p99 of 175-370 ms
/// instead of 6 ms (BENCHMARKS.md).
pub fn server_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores.saturating_mul(2)).map_or(16, |n| n.clamp(4, 16))
}

/// The storage error of a failed query on `conn`. When the connection
/// itself is dead (the server restarted, a proxy or the network dropped
/// it: a `SELECT 1` fails too), the error is temporary whatever Diesel
/// called it, and the connection is replaced by a new one if the database
/// can be reached, so the pool heals as soon as the database is back
/// instead of handing out dead connections (r2d2 does not test them on
/// checkout; doing so would cost a round trip per query). Only failed
/// queries pay for the check.
pub(crate) fn failed(url: &str, conn: &mut AnyConnection, e: DieselError) -> StorageError {
    use diesel::connection::SimpleConnection;
    let mut error = storage_error(e);
    if conn.batch_execute("SELECT 1").is_err() {
        error.temporary = true;
        if let Ok(fresh) = establish(url) {
            *conn = fresh;
        }
    }
    error
}

/// Classifies a Diesel error: lost connections and serialization failures
/// are temporary (503), everything else permanent (500).
pub fn storage_error(e: DieselError) -> StorageError {
    match &e {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::UnableToSendCommand
            | DatabaseErrorKind::SerializationFailure,
            _,
        ) => StorageError::unavailable("query failed").with_source(e),
        DieselError::DatabaseError(_, info) if is_busy(info.message()) => {
            StorageError::unavailable("query failed").with_source(e)
        }
        _ => StorageError::new("query failed").with_source(e),
    }
}

/// A transaction the database rolled back on its own and that may succeed
/// if run again.
fn is_retryable(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => {
            info.message().contains("Deadlock found")
                || info.message().contains("database is locked")
        }
        _ => false,
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("server has gone away")
        || message.contains("Lost connection")
        || message.contains("terminating connection")
        || message.contains("Deadlock found")
}
