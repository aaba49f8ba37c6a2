//! Group commit for the hot write paths (group commands: messages, kicks,
//! joins). Writes that queue up while another batch runs go together in one
//! immediate transaction, each inside its own savepoint, on one dedicated
//! connection. That saves a transaction per write, and the dedicated
//! connection keeps its page cache: a pooled connection loses its cache every
//! time another connection has written, and re-reads every page it touches.
//!
//! What a caller hears always matches the database:
//! - a write's result is handed back only after its batch committed;
//! - a write refused by a rule (a 4xx answer) rolls back its own savepoint
//!   and keeps its answer whatever happens to the batch;
//! - the first database-level error (a 5xx: disk full, I/O error) or panic
//!   stops the batch: it rolls back whole, the writes that had run answer
//!   `500`, the writes that had not run yet go back to the queue untouched
//!   and run in a later batch, and the connection is closed (closing rolls
//!   back whatever SQLite may still hold open);
//! - a caller hears "failed" only for a write that can no longer commit.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use diesel::connection::{Connection, SimpleConnection};

use super::fault::{Fault, Faults};
use super::{DbConn, WRITER};
use super::{DbError, WorkError};

/// How a job's savepoint ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ran {
    /// Its work succeeded; it stands or falls with the batch.
    Done,
    /// Its work was refused by a rule; nothing of it remains.
    Refused,
    /// A database-level error: the batch cannot go on.
    Broken,
}

/// What a write leaves to do once its batch is over: answer its caller
/// (`true` when the batch committed).
type Finish = Box<dyn FnOnce(bool) + Send>;
/// One queued write: runs on the batch's connection (`true`: panic after the
/// work, a test fault), returns how it went and its finish. Dropping a job
/// unrun answers its caller with an error.
type Job = Box<dyn FnOnce(&mut DbConn, bool) -> (Ran, Finish) + Send>;

/// A job and the id its caller knows it by.
struct Queued {
    id: u64,
    job: Job,
}

/// Removes a job from the queue when the `write` that queued it is dropped.
struct TakeBack<'a> {
    writer: &'a Writer,
    id: u64,
}

impl Drop for TakeBack<'_> {
    fn drop(&mut self) {
        self.writer.unqueue(self.id);
    }
}

/// Most writes in one batch (keeps a transaction short).
const MAX_BATCH: usize = 256;

/// The batching writer of one database.
pub struct Writer {
    url: String,
    queue: Mutex<VecDeque<Queued>>,
    next_id: AtomicU64,
    /// The dedicated connection; `None` until opened, and after a failure.
    conn: Mutex<Option<DbConn>>,
    faults: Faults,
    /// Batch sizes and commit times go here.
    metrics: crate::metrics::Metrics,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Writer {
    /// A writer for the database at `url`; its connection opens on first use.
    /// On PostgreSQL it batches the same way (one transaction, a savepoint per
    /// write), which is correct for one node; several nodes will add row locks.
    pub fn new(url: String, metrics: crate::metrics::Metrics) -> Arc<Self> {
        Arc::new(Self {
            url,
            metrics,
            queue: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(0),
            conn: Mutex::new(None),
            faults: Faults::default(),
        })
    }

    /// Test-only: the next batch meets `fault` (see [`Fault`]). Nothing in
    /// the server calls this; it exists so tests can prove what callers hear
    /// when a write fails.
    pub fn inject_fault(&self, fault: Fault) {
        self.faults.push(fault);
    }

    /// Test-only: caps the database at `pages` pages on the writer's
    /// connection (`PRAGMA max_page_count`; SQLite raises it to the current
    /// size at least), so a write that needs a new page fails as on a full
    /// disk. `None` lifts the cap.
    pub fn limit_pages(&self, pages: Option<u64>) {
        self.faults.limit_pages(pages);
    }

    /// Runs `work` in a savepoint of the next batch; its result once the
    /// batch is over. `Err` means the work is not in the database and never
    /// will be.
    pub async fn write<T, E, F>(self: &Arc<Self>, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError + From<diesel::result::Error>,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        self.submit(work).await
    }

    /// Like [`Writer::write`], but `work` is queued before this returns: writes
    /// submitted one after another run in that order, whenever their futures
    /// are awaited (socket frames rely on this).
    pub fn submit<T, E, F>(
        self: &Arc<Self>,
        work: F,
    ) -> impl std::future::Future<Output = Result<T, E>> + 'static
    where
        T: Send + 'static,
        E: WorkError + From<diesel::result::Error>,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |conn: &mut DbConn, panic: bool| {
            let res = conn.transaction(|c| {
                let out = work(c);
                if panic {
                    panic!("injected fault: a write panics inside its savepoint");
                }
                out
            });
            let ran = match &res {
                Ok(_) => Ran::Done,
                Err(e) if e.is_fault() => Ran::Broken,
                Err(_) => Ran::Refused,
            };
            let finish: Finish = Box::new(move |committed| {
                let out = match res {
                    Ok(v) if committed => Ok(v),
                    // A refusal stands whatever became of the batch.
                    Err(e) if committed || !e.is_fault() => Err(e),
                    _ => Err(E::from(DbError::Writer("the write's batch did not commit"))),
                };
                let _ = tx.send(out);
            });
            (ran, finish)
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lock(&self.queue).push_back(Queued { id, job });
        let writer = self.clone();
        async move {
            // If this future is dropped (its caller went away), a job no batch
            // has taken yet is taken back rather than run for nobody.
            let _taken_back_on_drop = TakeBack {
                writer: &writer,
                id,
            };
            // Whoever gets the write lock first runs everything queued by then,
            // this write included; later callers find their job taken.
            loop {
                let me = writer.clone();
                if let Err(e) = actix_web::web::block(move || me.drain()).await {
                    // Still queued: take it back, it will never run. Otherwise a
                    // batch holds it, and its answer comes when that batch is over.
                    if writer.unqueue(id) {
                        return Err(E::from(DbError::Blocking(e)));
                    }
                    break;
                }
                // A batch may have handed it back unrun (see `run_batch`).
                if !writer.is_queued(id) {
                    break;
                }
            }
            rx.await.map_err(|_| {
                E::from(DbError::Writer("the write was dropped before it committed"))
            })?
        }
    }

    fn is_queued(&self, id: u64) -> bool {
        lock(&self.queue).iter().any(|j| j.id == id)
    }

    /// Removes job `id` from the queue; false when a batch has taken it.
    fn unqueue(&self, id: u64) -> bool {
        let mut q = lock(&self.queue);
        match q.iter().position(|j| j.id == id) {
            Some(at) => q.remove(at).is_some(),
            None => false,
        }
    }

    /// The dedicated connection, opened (and tuned) when there is none; true
    /// when it was opened just now.
    fn connection<'a>(
        &self,
        slot: &'a mut Option<DbConn>,
    ) -> Result<(&'a mut DbConn, bool), String> {
        let fresh = slot.is_none();
        if fresh {
            let conn = super::connect(&self.url)?;
            self.faults.force_page_limit();
            *slot = Some(conn);
        }
        let conn = slot.as_mut().ok_or("no connection")?;
        // The page cap is an SQLite setting (tests of PostgreSQL never set it).
        if let (Some(pages), DbConn::Sqlite(_)) = (self.faults.pending_page_limit(), &conn) {
            conn.batch_execute(&format!("PRAGMA max_page_count = {pages};"))
                .map_err(|e| e.to_string())?;
        }
        Ok((conn, fresh))
    }

    fn drain(&self) {
        // Shared with `db::write`: SQLite takes one writer at a time.
        let _writer = lock(&WRITER);
        let mut slot = lock(&self.conn);
        // Bounded, so other writers get the lock under steady load; whatever
        // is left is run by the callers that queued it.
        for _ in 0..4 {
            let jobs: Vec<Queued> = {
                let mut q = lock(&self.queue);
                let n = q.len().min(MAX_BATCH);
                q.drain(..n).collect()
            };
            if jobs.is_empty() {
                return;
            }
            let (conn, fresh) = match self.connection(&mut slot) {
                Ok(opened) => opened,
                Err(e) => {
                    // Dropped unrun: their callers hear an error, truthfully.
                    tracing::error!("the writer has no connection: {e}");
                    *slot = None;
                    return;
                }
            };
            self.metrics.writer_batch_size.observe(jobs.len() as f64);
            let started = std::time::Instant::now();
            let committed = self.run_batch(conn, fresh, jobs);
            self.metrics
                .writer_commit_seconds
                .observe(started.elapsed().as_secs_f64());
            if !committed {
                // A connection in an unknown state is not kept; closing it
                // rolls back anything SQLite still holds open.
                *slot = None;
            }
        }
    }

    /// Runs one batch on `conn` (`fresh`: opened for it); false when it did
    /// not commit.
    fn run_batch(&self, conn: &mut DbConn, fresh: bool, jobs: Vec<Queued>) -> bool {
        let fault = self.faults.take();
        let mut finishes: Vec<Finish> = Vec::with_capacity(jobs.len());
        let mut unrun: Vec<Queued> = Vec::new();
        let mut stopped = false;
        // Still here after the transaction: it never began.
        let mut waiting = Some(jobs);
        let outcome = super::write_transaction::<_, diesel::result::Error, _>(conn, |c| {
            let mut jobs = waiting.take().unwrap_or_default().into_iter();
            let mut first = true;
            while let Some(Queued { job, .. }) = jobs.next() {
                let panic = first && fault == Some(Fault::PanicJob);
                first = false;
                match catch_unwind(AssertUnwindSafe(|| job(c, panic))) {
                    Ok((ran, finish)) => {
                        finishes.push(finish);
                        if ran == Ran::Broken {
                            stopped = true;
                        }
                    }
                    Err(_) => {
                        // Its answer went with the unwinding: an error.
                        tracing::error!("a write panicked; its batch is rolled back");
                        stopped = true;
                    }
                }
                if stopped {
                    unrun.extend(jobs);
                    return Err(diesel::result::Error::RollbackTransaction);
                }
            }
            if fault == Some(Fault::FailCommit) {
                tracing::warn!("injected fault: the batch fails to commit");
                return Err(diesel::result::Error::RollbackTransaction);
            }
            Ok(())
        });
        if let Some(jobs) = waiting {
            // A kept connection may have gone stale (PostgreSQL restarted,
            // or dropped it): the batch goes back to the queue for a new
            // connection. One just opened that cannot begin answers errors.
            if fresh {
                tracing::error!("the writer's new connection cannot begin a transaction");
            } else {
                tracing::warn!("the writer's connection failed; reconnecting");
                unrun = jobs;
            }
        }
        if !unrun.is_empty() {
            // Never ran: safe to run in a later batch, in their order.
            let mut q = lock(&self.queue);
            for job in unrun.into_iter().rev() {
                q.push_front(job);
            }
        }
        let committed = outcome.is_ok() && !stopped;
        if !committed {
            // Caches may hold what the batch read or wrote before it rolled back.
            super::bump_epoch();
        }
        if let Err(e) = &outcome {
            if !stopped && fault != Some(Fault::FailCommit) {
                tracing::error!("a write batch failed: {e}");
            }
        }
        for finish in finishes {
            finish(committed);
        }
        committed
    }
}
