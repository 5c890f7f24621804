//! The standard tables as embedded Diesel migrations, one set per backend,
//! run at start-up.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::AnyConnection;

/// SQLite migrations.
pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// PostgreSQL migrations.
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// MySQL migrations.
pub const MYSQL: EmbeddedMigrations = embed_migrations!("migrations/mysql");

/// Runs the pending migrations of the connection's backend; returns how
/// many ran.
pub fn run_migrations(
    conn: &mut AnyConnection,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?.len(),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES)?.len(),
        AnyConnection::Mysql(c) => c.run_pending_migrations(MYSQL)?.len(),
    };
    Ok(applied)
}
