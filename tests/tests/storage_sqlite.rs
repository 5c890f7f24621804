//! The storage conformance suite, and the database-only tests, on SQLite.

use oauth_tests::db::TestDb;

fn make() -> Option<(TestDb, oauth_diesel::StandardStorage)> {
    let db = TestDb::sqlite();
    let storage = db.storage();
    Some((db, storage))
}

oauth_tests::all_storage_tests!(make());
oauth_tests::all_diesel_tests!(Some(TestDb::sqlite()));

/// `DbPool::run_together` on SQLite is one read transaction: a write
/// committed by another connection between its two reads is not seen by
/// the second (one snapshot), while plain `run` reads see it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_together_see_one_snapshot() {
    use diesel::prelude::*;
    use oauth_diesel::schema::oauth2_client_auth_failure as f;

    let db = TestDb::sqlite();
    let pool = oauth_diesel::DbPool::connect_and_migrate(&db.url).unwrap();
    let count = |conn: &mut oauth_diesel::AnyConnection| f::table.count().get_result::<i64>(conn);
    // A count, a row inserted by another connection, a count again.
    let around_a_write = |n: i64| {
        let url = db.url.clone();
        move |conn: &mut oauth_diesel::AnyConnection| {
            let before = count(conn)?;
            let mut other = oauth_diesel::establish(&url).unwrap();
            diesel::insert_into(f::table)
                .values((f::client_id.eq(format!("c{n}")), f::failed_at.eq(n)))
                .execute(&mut other)
                .unwrap();
            Ok((before, count(conn)?))
        }
    };

    let counts = pool.run_together(around_a_write(1)).await.unwrap();
    assert_eq!(counts, (0, 0), "one snapshot for both reads");
    let counts = pool.run(around_a_write(2)).await.unwrap();
    assert_eq!(counts, (1, 2), "separate reads see the write between them");
}
