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
    let url = db.url.clone();
    let insert_elsewhere = move |n: i64| {
        let mut other = oauth_diesel::establish(&url).unwrap();
        diesel::insert_into(f::table)
            .values((f::client_id.eq(format!("c{n}")), f::failed_at.eq(n)))
            .execute(&mut other)
            .unwrap();
    };

    let writer = insert_elsewhere.clone();
    let (before, after) = pool
        .run_together(move |conn| {
            let before = count(conn)?;
            writer(1);
            Ok((before, count(conn)?))
        })
        .await
        .unwrap();
    assert_eq!((before, after), (0, 0), "one snapshot for both reads");

    let (before, after) = pool
        .run(move |conn| {
            let before = count(conn)?;
            insert_elsewhere(2);
            Ok((before, count(conn)?))
        })
        .await
        .unwrap();
    assert_eq!(
        (before, after),
        (1, 2),
        "separate reads see the write between them"
    );
}
