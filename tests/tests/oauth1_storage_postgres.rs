//! The OAuth 1.0a storage conformance suite, and the database-only tests,
//! on PostgreSQL (`DATABASE_URL_POSTGRES`).

use oauth_tests::db::TestDb;

fn make() -> Option<(TestDb, oauth_diesel::StandardOAuth1Storage)> {
    let db = TestDb::postgres()?;
    let storage = oauth_diesel::StandardOAuth1Storage::connect_and_migrate(&db.url).unwrap();
    Some((db, storage))
}

oauth_tests::all_oauth1_storage_tests!(make());
oauth_tests::all_oauth1_diesel_tests!(TestDb::postgres());
