//! Group commit for SQLite: the writes of one process that queue while a
//! commit is under way are committed together, with one fsync.
//!
//! SQLite admits one writer at a time, and with `synchronous = FULL` every
//! commit waits for the disk: token issuance was bound by fsync latency, not
//! CPU. Writers queue here. Whoever gets the turn runs every queued write,
//! each in its own savepoint (a write that fails rolls back alone), inside
//! one `BEGIN IMMEDIATE` transaction, commits once, and only then hands
//! each writer its result: a write is reported done only once it is on
//! disk, as with one commit per write. If the commit fails, every write of
//! the batch gets the error and none of them happened.
//!
//! The queue also replaces SQLite's busy handler between the writers of one
//! process (it sleeps in steps of up to 100 ms, which turned contention
//! into long tail latencies); writers of other processes still meet at
//! SQLite's lock, with `busy_timeout`.

use std::sync::{Arc, Mutex, PoisonError};

#[cfg(feature = "sqlite")]
use diesel::connection::AnsiTransactionManager;
use diesel::connection::TransactionManager;
use diesel::r2d2;
use diesel::{Connection, QueryResult};
use oauth_core::StorageError;

use crate::connection::AnyConnection;
use crate::pool::{AnyConnectionManager, failed, storage_error};

/// Most writes committed together: bounds the time the first of them
/// waits for the others.
const MAX_BATCH: usize = 64;

/// Hands a write's result to its caller once its batch is settled.
type Finish = Box<dyn FnOnce(Result<(), &StorageError>) + Send>;

/// One queued write.
struct Job {
    /// Runs the write in a savepoint of the batch's transaction.
    run: Box<dyn FnOnce(&mut AnyConnection) -> Finish + Send>,
    /// Reports a batch that could not start.
    fail: Box<dyn FnOnce(StorageError) + Send>,
}

/// The queue of one pool's writers.
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Vec<Job>>,
    /// Held by the writer running a batch.
    turn: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GroupCommit {
    /// Runs `f` in the next batch and returns its result once the batch is
    /// committed. Blocks: call it on a blocking thread.
    pub(crate) fn write<R, F>(
        &self,
        pool: &r2d2::Pool<AnyConnectionManager>,
        url: &str,
        f: F,
    ) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> QueryResult<R> + Send + 'static,
    {
        type Slot<R> = Arc<Mutex<Option<Result<R, StorageError>>>>;
        let slot: Slot<R> = Arc::new(Mutex::new(None));
        let (on_run, on_fail) = (slot.clone(), slot.clone());
        let job = Job {
            run: Box::new(move |conn| {
                let result = conn.transaction(f).map_err(storage_error);
                Box::new(move |commit| {
                    *lock(&on_run) = Some(match commit {
                        Ok(()) => result,
                        Err(e) => Err(e.clone()),
                    });
                })
            }),
            fail: Box::new(move |e| *lock(&on_fail) = Some(Err(e))),
        };
        lock(&self.queue).push(job);
        loop {
            let _turn = lock(&self.turn);
            if let Some(result) = lock(&slot).take() {
                // An earlier batch carried it.
                return result;
            }
            let batch: Vec<Job> = {
                let mut queue = lock(&self.queue);
                let n = queue.len().min(MAX_BATCH);
                queue.drain(..n).collect()
            };
            run_batch(pool, url, batch);
            if let Some(result) = lock(&slot).take() {
                return result;
            }
            // More than MAX_BATCH were ahead of this one: take another turn.
        }
    }
}

/// Runs the jobs in one transaction and settles each.
fn run_batch(pool: &r2d2::Pool<AnyConnectionManager>, url: &str, batch: Vec<Job>) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            let error = StorageError::unavailable("no database connection").with_source(e);
            batch.into_iter().for_each(|job| (job.fail)(error.clone()));
            return;
        }
    };
    if let Err(e) = begin_immediate(&mut conn) {
        let error = failed(url, &mut conn, e);
        batch.into_iter().for_each(|job| (job.fail)(error.clone()));
        return;
    }
    let finishers: Vec<Finish> = batch.into_iter().map(|job| (job.run)(&mut conn)).collect();
    match AnyConnection::commit_transaction(&mut conn) {
        Ok(()) => finishers.into_iter().for_each(|finish| finish(Ok(()))),
        Err(e) => {
            let _ = AnyConnection::rollback_transaction(&mut conn);
            let error = failed(url, &mut conn, e);
            finishers.into_iter().for_each(|finish| finish(Err(&error)));
        }
    }
}

/// `BEGIN IMMEDIATE`: takes SQLite's write lock now, so that a write that
/// reads first cannot fail to upgrade its lock halfway through the batch.
fn begin_immediate(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        #[allow(unreachable_patterns)]
        other => AnyConnection::begin_transaction(other),
    }
}
