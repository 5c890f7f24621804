//! The storage conformance suite, and the database-only tests, on SQLite.

use oauth_tests::db::TestDb;

fn make() -> Option<(TestDb, oauth_diesel::StandardStorage)> {
    let db = TestDb::sqlite();
    let storage = db.storage();
    Some((db, storage))
}

oauth_tests::all_storage_tests!(make());
oauth_tests::all_diesel_tests!(Some(TestDb::sqlite()));
