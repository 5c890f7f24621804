//! The standard tables as embedded Diesel migrations, one set per backend,
//! run at start-up; and a site's own migrations beside them.

use diesel::migration::MigrationSource;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::AnyConnection;

/// SQLite migrations.
pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// PostgreSQL migrations.
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// MySQL migrations.
pub const MYSQL: EmbeddedMigrations = embed_migrations!("migrations/mysql");

/// The support tables alone ([`MigrationSet::SUPPORT`]), for SQLite.
pub const SUPPORT_SQLITE: EmbeddedMigrations = embed_migrations!("migrations/support/sqlite");
/// The support tables alone, for PostgreSQL.
pub const SUPPORT_POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/support/postgres");
/// The support tables alone, for MySQL.
pub const SUPPORT_MYSQL: EmbeddedMigrations = embed_migrations!("migrations/support/mysql");

/// One set of migrations per backend, of which the connection's runs:
/// the standard tables ([`MigrationSet::STANDARD`]) or a site's own.
///
/// ```
/// use oauth_diesel::migrations::{MigrationSet, run_migration_sets};
///
/// // A site's set is made the same way from its own folders:
/// // MigrationSet { sqlite: &embed_migrations!("migrations/sqlite"), ... }
/// let mut conn = oauth_diesel::establish("sqlite://:memory:")?;
/// let ran = run_migration_sets(&mut conn, &[MigrationSet::STANDARD])?;
/// assert!(ran > 0);
/// assert_eq!(run_migration_sets(&mut conn, &[MigrationSet::STANDARD])?, 0);
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[derive(Clone, Copy)]
pub struct MigrationSet {
    /// For SQLite.
    pub sqlite: &'static EmbeddedMigrations,
    /// For PostgreSQL.
    pub postgres: &'static EmbeddedMigrations,
    /// For MySQL and MariaDB.
    pub mysql: &'static EmbeddedMigrations,
}

/// Diesel runs an `EmbeddedMigrations` by value; this lends it one.
struct Source(&'static EmbeddedMigrations);

impl<DB: diesel::backend::Backend> MigrationSource<DB> for Source {
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<DB>>>> {
        MigrationSource::<DB>::migrations(self.0)
    }
}

impl MigrationSet {
    /// The standard tables of this crate: the standard models' tables
    /// (OAuth 2.0 and OAuth 1.0a) and the support tables.
    pub const STANDARD: MigrationSet = MigrationSet {
        sqlite: &SQLITE,
        postgres: &POSTGRES,
        mysql: &MYSQL,
    };

    /// Only the tables [`DieselStorage`](crate::DieselStorage) needs beside
    /// a site's own models: `oauth2_client_auth_failure`,
    /// `oauth2_user_code_failure` and `oauth2_password_failure` (the
    /// guessing limits count failures there, on every authentication with a
    /// secret) and
    /// `oauth2_device_code` (the default device code model, swept by
    /// `delete_expired`). For a site whose clients, tokens and codes live
    /// in tables of its own; run it *instead of* [`MigrationSet::STANDARD`],
    /// which creates the same tables.
    ///
    /// ```
    /// use oauth_diesel::migrations::{MigrationSet, run_migration_sets};
    ///
    /// let mut conn = oauth_diesel::establish("sqlite://:memory:")?;
    /// run_migration_sets(&mut conn, &[MigrationSet::SUPPORT])?; // then the site's own sets
    /// assert!(run_migration_sets(&mut conn, &[MigrationSet::STANDARD, MigrationSet::SUPPORT]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub const SUPPORT: MigrationSet = MigrationSet {
        sqlite: &SUPPORT_SQLITE,
        postgres: &SUPPORT_POSTGRES,
        mysql: &SUPPORT_MYSQL,
    };

    fn is(&self, other: &MigrationSet) -> bool {
        std::ptr::eq(self.sqlite, other.sqlite)
    }

    /// Runs the pending migrations of the connection's backend; returns
    /// how many ran. Serialized with every other connection migrating the
    /// same database ([`run_migration_sets`]).
    pub fn run(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        with_migration_lock(conn, |conn| self.run_unlocked(conn))
    }

    fn run_unlocked(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        let applied = match conn {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => c.run_pending_migrations(Source(self.sqlite))?.len(),
            #[cfg(feature = "postgres")]
            AnyConnection::Postgresql(c) => c.run_pending_migrations(Source(self.postgres))?.len(),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => c.run_pending_migrations(Source(self.mysql))?.len(),
        };
        Ok(applied)
    }
}

/// Runs the pending migrations of the connection's backend for the
/// standard tables; returns how many ran.
pub fn run_migrations(
    conn: &mut AnyConnection,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    MigrationSet::STANDARD.run(conn)
}

/// Runs several sets in order (the standard tables first, then a site's
/// tables that refer to them); returns how many migrations ran.
///
/// Diesel keeps one `__diesel_schema_migrations` table per database, so
/// the versions of all sets share it: give a site's migrations folder
/// names that do not repeat this crate's.
pub fn run_migration_sets(
    conn: &mut AnyConnection,
    sets: &[MigrationSet],
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let has = |set: &MigrationSet| sets.iter().any(|s| s.is(set));
    if has(&MigrationSet::STANDARD) && has(&MigrationSet::SUPPORT) {
        return Err(
            "MigrationSet::SUPPORT creates tables MigrationSet::STANDARD has too: \
                    run one of them"
                .into(),
        );
    }
    with_migration_lock(conn, |conn| {
        let mut applied = 0;
        for set in sets {
            applied += set.run_unlocked(conn)?;
        }
        Ok(applied)
    })
}

type MigrationResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Runs `f` holding the database's migration lock, so that instances
/// started together do not race to create the same tables (on PostgreSQL
/// that failed with `duplicate key value violates unique constraint
/// "pg_class_relname_nsp_index"`): the second finds the migrations applied
/// and runs none.
///
/// - PostgreSQL: a session advisory lock keyed by the current schema (two
///   sites in two schemas of one database do not wait for each other),
///   released after `f`, or with the session.
/// - MySQL: `GET_LOCK` on a name made of the database's, for up to 60 s.
/// - SQLite: `f` in a `BEGIN IMMEDIATE` transaction, which holds the
///   database's write lock (Diesel runs each migration in a savepoint of
///   it); others wait for it up to `busy_timeout`.
// After `f`, each arm finds its backend's connection again with a `let ...
// else`, which is irrefutable when only that backend is compiled in.
#[allow(irrefutable_let_patterns)]
fn with_migration_lock<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> MigrationResult<T>,
) -> MigrationResult<T> {
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => {
            use diesel::connection::{AnsiTransactionManager, TransactionManager};
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let AnyConnection::Sqlite(c) = conn else {
                unreachable!()
            };
            match result {
                Ok(value) => {
                    AnsiTransactionManager::commit_transaction(c)?;
                    Ok(value)
                }
                Err(e) => {
                    let _ = AnsiTransactionManager::rollback_transaction(c);
                    Err(e)
                }
            }
        }
        #[cfg(feature = "postgres")]
        AnyConnection::Postgresql(c) => {
            use diesel::connection::SimpleConnection;
            const KEY: &str = "hashtext('oauth-rs migrations ' || current_schema())";
            c.batch_execute(&format!("SELECT pg_advisory_lock({KEY})"))?;
            let result = f(conn);
            let AnyConnection::Postgresql(c) = conn else {
                unreachable!()
            };
            // The migrations' own error first: a failed unlock is then
            // released with the session anyway.
            let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({KEY})"));
            let value = result?;
            unlocked?;
            Ok(value)
        }
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => {
            use diesel::RunQueryDsl;
            use diesel::sql_types::{Integer, Nullable};
            #[derive(diesel::QueryableByName)]
            struct Got {
                #[diesel(sql_type = Nullable<Integer>)]
                got: Option<i32>,
            }
            const NAME: &str = "CONCAT('oauth-rs migrations ', SHA1(DATABASE()))";
            let got: Got =
                diesel::sql_query(format!("SELECT GET_LOCK({NAME}, 60) AS got")).get_result(c)?;
            if got.got != Some(1) {
                return Err("the migration lock (GET_LOCK) was not granted within 60 s".into());
            }
            let result = f(conn);
            let AnyConnection::Mysql(c) = conn else {
                unreachable!()
            };
            let released: Result<Got, _> =
                diesel::sql_query(format!("SELECT RELEASE_LOCK({NAME}) AS got")).get_result(c);
            let value = result?;
            released?;
            Ok(value)
        }
    }
}
