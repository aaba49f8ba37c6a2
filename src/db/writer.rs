//! Group commit for the hot write paths (group commands: messages, kicks,
//! joins). Writes that queue up while another batch runs go together in one
//! immediate transaction, each inside its own savepoint, on one dedicated
//! connection. That saves a transaction per write, and the dedicated
//! connection keeps its page cache: a pooled connection loses its cache every
//! time another connection has written, and re-reads every page it touches.
//!
//! A write's result is handed back only after the whole batch committed; when
//! the batch fails, every write in it fails.

use std::sync::{Arc, Mutex};

use diesel::connection::Connection;
use diesel::r2d2::{ConnectionManager, PooledConnection};

use super::{DbConn, Pool, WRITER};
use crate::error::ApiError;

/// What a write leaves to do once its batch is over: answer its caller.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;
/// One queued write: runs on the batch's connection, returns its finish.
type Job = Box<dyn FnOnce(&mut DbConn) -> Finish + Send>;

/// Most writes in one batch (keeps a transaction short).
const MAX_BATCH: usize = 256;

/// The batching writer of one database.
pub struct Writer {
    pool: Pool,
    queue: Mutex<Vec<Job>>,
    conn: Mutex<Option<PooledConnection<ConnectionManager<DbConn>>>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    pub fn new(pool: Pool) -> Arc<Self> {
        Arc::new(Self {
            pool,
            queue: Mutex::new(Vec::new()),
            conn: Mutex::new(None),
        })
    }

    /// Runs `work` in a savepoint of the next batch; its result once the batch committed.
    pub async fn write<T, F>(self: &Arc<Self>, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        self.submit(work).await
    }

    /// Like [`Writer::write`], but `work` is queued before this returns: writes
    /// submitted one after another run in that order, whenever their futures
    /// are awaited (socket frames rely on this).
    pub fn submit<T, F>(
        self: &Arc<Self>,
        work: F,
    ) -> impl std::future::Future<Output = Result<T, ApiError>> + 'static
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, ApiError>>();
        let job: Job = Box::new(move |conn: &mut DbConn| {
            let res = conn.transaction(work);
            Box::new(move |batch: Result<(), String>| {
                let out = match batch {
                    Ok(()) => res,
                    Err(e) => Err(ApiError::internal(format!("batch failed: {e}"))),
                };
                let _ = tx.send(out);
            }) as Finish
        });
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(job);
        let me = self.clone();
        async move {
            // Whoever gets the write lock first runs everything queued by then,
            // this write included; later callers find their job done.
            actix_web::web::block(move || me.drain())
                .await
                .map_err(ApiError::internal)?;
            rx.await
                .map_err(|_| ApiError::internal("write was dropped from its batch"))?
        }
    }

    fn drain(&self) {
        // Shared with `db::write`: SQLite takes one writer at a time.
        let _writer = WRITER.lock().unwrap_or_else(|p| p.into_inner());
        let mut conn_slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded, so other writers get the lock under steady load; whatever
        // is left is run by the callers that queued it.
        for _ in 0..4 {
            let jobs: Vec<Job> = {
                let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                let n = q.len().min(MAX_BATCH);
                q.drain(..n).collect()
            };
            if jobs.is_empty() {
                return;
            }
            if conn_slot.is_none() {
                match self.pool.get() {
                    Ok(c) => *conn_slot = Some(c),
                    Err(e) => {
                        // Dropping the jobs drops their answers: callers see an error.
                        tracing::error!("no connection: {e}");
                        return;
                    }
                }
            }
            let Some(conn) = conn_slot.as_mut() else {
                return;
            };
            let mut finishes: Vec<Finish> = Vec::with_capacity(jobs.len());
            let outcome = conn.immediate_transaction::<_, diesel::result::Error, _>(|c| {
                for job in jobs {
                    finishes.push(job(c));
                }
                Ok(())
            });
            let outcome = outcome.map_err(|e| e.to_string());
            if outcome.is_err() {
                // A connection in an unknown state is not kept.
                *conn_slot = None;
            }
            for finish in finishes {
                finish(outcome.clone());
            }
        }
    }
}
