//! Database access: the pool, embedded migrations, and one module of queries per table.
//!
//! Everything here is blocking Diesel code; callers reach it through [`run`],
//! which moves the work onto the blocking thread pool.

pub mod calls;
pub mod direct;
mod error;
pub mod fault;
pub mod friends;
pub mod groups;
pub mod login_codes;
pub mod messages;
pub mod posts;
pub mod push;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod users;
pub mod writer;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use error::{DbError, WorkError};

/// The connection type every query function takes.
pub type DbConn = SqliteConnection;
/// The shared connection pool.
pub type Pool = r2d2::Pool<ConnectionManager<DbConn>>;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The settings of every connection (pooled, and the writer's own).
pub(crate) const TUNING: &str =
    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

/// WAL, a busy timeout and foreign keys on every pooled SQLite connection.
#[derive(Debug)]
struct SqliteTuning;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqliteTuning {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(TUNING)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens the pool, switches the file to WAL and applies pending migrations.
/// A database that cannot be opened or written fails at once, naming it.
pub fn open(url: &str) -> Result<Pool, String> {
    {
        use diesel::Connection;
        let mut first =
            DbConn::establish(url).map_err(|e| format!("cannot open database {url}: {e}"))?;
        first
            .batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
            .map_err(|e| format!("cannot use database {url}: {e}"))?;
        first
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| format!("cannot migrate database {url}: {e}"))?;
    }
    let manager = ConnectionManager::<DbConn>::new(url);
    let pool = r2d2::Pool::builder()
        .max_size(16)
        .connection_timeout(Duration::from_secs(30))
        .connection_customizer(Box::new(SqliteTuning))
        .build(manager)
        .map_err(|e| format!("cannot open database {url}: {e}"))?;
    Ok(pool)
}

/// Runs blocking database work on the blocking pool and waits for it.
/// `work`'s error type `E` is the caller's (the API error for request
/// handlers); failures of the pool and the thread pool convert into it.
pub async fn run<T, E, F>(pool: &Pool, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: WorkError,
    F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(|e| E::from(DbError::from(e)))?;
        work(&mut conn)
    })
    .await
    .map_err(|e| E::from(DbError::from(e)))?
}

/// Serialises this process's write transactions. SQLite admits one writer at
/// a time and makes the others retry with sleeps of up to 100 ms; queueing on
/// a mutex instead hands the lock over as soon as it is free.
pub(crate) static WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Bumped after every write made through [`write`] (profiles, friends,
/// sign-ins, one-to-one chats), under the writer lock. Caches derived from
/// user rows compare it to know whether they may still be used.
static EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The current write epoch; read it under the writer lock (inside a write).
pub fn epoch() -> u64 {
    EPOCH.load(std::sync::atomic::Ordering::Acquire)
}

/// Invalidates caches derived from user rows (see [`epoch`]); for writes
/// that change users but go through the group writer. Call inside the write.
pub fn bump_epoch() {
    EPOCH.fetch_add(1, std::sync::atomic::Ordering::Release);
}

/// Runs `work` in an immediate (write-locking) transaction on the blocking pool.
pub async fn write<T, E, F>(pool: &Pool, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: WorkError + From<diesel::result::Error>,
    F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
{
    run(pool, move |conn| {
        // A panic while holding the lock leaves no half-written state behind
        // (the transaction rolls back), so a poisoned lock is still usable.
        let _writer = WRITER
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let out = conn.immediate_transaction(work);
        EPOCH.fetch_add(1, std::sync::atomic::Ordering::Release);
        out
    })
    .await
}

/// True when a Diesel error is a unique-constraint violation.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
