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
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use error::{DbError, WorkError};

/// The connection type every query function takes: SQLite, or PostgreSQL
/// when built with the `postgres` feature. Queries written in Diesel's DSL
/// run on either; the few that differ match on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// An SQLite file (the default).
    Sqlite(SqliteConnection),
    /// A PostgreSQL database (`--database-url postgres://...`).
    #[cfg(feature = "postgres")]
    Pg(diesel::pg::PgConnection),
}

/// The shared connection pool.
pub type Pool = r2d2::Pool<Connector>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The settings of every SQLite connection (pooled, and the writer's own).
const TUNING: &str =
    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

/// True when `url` names a PostgreSQL database rather than an SQLite file.
pub fn is_postgres_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// One connection to the database at `url`, of the kind the URL names, with
/// the per-connection settings applied. (Diesel's own `establish` on the
/// enum would try each kind in turn, and SQLite accepts any path.)
pub fn connect(url: &str) -> Result<DbConn, String> {
    if is_postgres_url(url) {
        #[cfg(feature = "postgres")]
        {
            // libpq's messages span lines; startup errors are one line.
            let conn = diesel::pg::PgConnection::establish(url)
                .map_err(|e| e.to_string().trim().replace('\n', " "))?;
            return Ok(DbConn::Pg(conn));
        }
        #[cfg(not(feature = "postgres"))]
        return Err(
            "this build has no PostgreSQL support (build with `--features postgres`)".into(),
        );
    }
    let mut conn = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
    conn.batch_execute(TUNING).map_err(|e| e.to_string())?;
    Ok(DbConn::Sqlite(conn))
}

/// Opens connections of the URL's kind for the pool.
#[derive(Debug)]
pub struct Connector {
    url: String,
}

impl r2d2::ManageConnection for Connector {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        connect(&self.url).map_err(|e| {
            diesel::r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e))
        })
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Opens the pool and applies pending migrations (an SQLite file switches to
/// WAL first). A database that cannot be opened or written fails at once,
/// naming it (never with its password).
pub fn open(url: &str) -> Result<Pool, String> {
    let shown = crate::config::redact_url(url);
    let mut first = connect(url).map_err(|e| format!("cannot open database {shown}: {e}"))?;
    let migrated = match &mut first {
        DbConn::Sqlite(c) => {
            c.batch_execute("PRAGMA journal_mode = WAL;")
                .map_err(|e| format!("cannot use database {shown}: {e}"))?;
            c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ())
        }
        #[cfg(feature = "postgres")]
        DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
    };
    migrated.map_err(|e| format!("cannot migrate database {shown}: {e}"))?;
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(16)
        .connection_timeout(Duration::from_secs(30))
        .build(Connector {
            url: url.to_string(),
        })
        .map_err(|e| format!("cannot open database {shown}: {e}"))?;
    Ok(pool)
}

/// Whether the database answers a trivial query now (for `/healthz`).
pub fn reachable(conn: &mut DbConn) -> bool {
    conn.batch_execute("SELECT 1").is_ok()
}

/// Runs `work` in a write transaction: `BEGIN IMMEDIATE` on SQLite (the
/// write lock up front, so no deadlock-retry later), a plain transaction on
/// PostgreSQL (where a later multi-node step will take row locks first).
/// Nested `conn.transaction` calls inside `work` become savepoints.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    E: From<diesel::result::Error>,
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        #[cfg(feature = "postgres")]
        DbConn::Pg(_) => return conn.transaction(work),
    }
    // The enum's transaction manager works on the inner connection's state.
    type Manager = <DbConn as Connection>::TransactionManager;
    match work(conn) {
        Ok(v) => {
            Manager::commit_transaction(conn)?;
            Ok(v)
        }
        Err(e) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(e),
            Err(rollback) => Err(rollback.into()),
        },
    }
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

/// Runs `work` in a write transaction (see [`write_transaction`]) on the blocking pool.
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
        let out = write_transaction(conn, work);
        EPOCH.fetch_add(1, std::sync::atomic::Ordering::Release);
        out
    })
    .await
}

/// Runs several reads that must agree with each other (counts and flags of
/// one answer) on one snapshot: in a transaction of their own, read-only
/// `REPEATABLE READ` on PostgreSQL (whose default takes a new snapshot per
/// statement); inside a write's transaction they simply run.
pub fn consistent_read<T>(
    conn: &mut DbConn,
    reads: impl FnOnce(&mut DbConn) -> QueryResult<T>,
) -> QueryResult<T> {
    use diesel::connection::TransactionManager;
    type Manager = <DbConn as Connection>::TransactionManager;
    if Manager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some()
    {
        return reads(conn);
    }
    conn.transaction(|c| {
        #[cfg(feature = "postgres")]
        if let DbConn::Pg(_) = c {
            c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        reads(c)
    })
}

/// `each_backend!(conn, c, body)` runs `body` with `c` bound to the concrete
/// connection inside the [`DbConn`] `conn`, compiled once per backend: for
/// statements Diesel's multi-backend cannot express (upserts), which both
/// SQLite and PostgreSQL support.
macro_rules! each_backend {
    ($conn:expr, $c:ident, $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}
pub(crate) use each_backend;

/// Runs a statement whose failure the caller may recover from (a unique
/// violation it retries). PostgreSQL aborts the whole transaction on any
/// error, so there it runs in a savepoint; SQLite needs none.
pub fn recoverable<T>(
    conn: &mut DbConn,
    statement: impl FnOnce(&mut DbConn) -> QueryResult<T>,
) -> QueryResult<T> {
    match conn {
        DbConn::Sqlite(_) => statement(conn),
        #[cfg(feature = "postgres")]
        DbConn::Pg(_) => conn.transaction(statement),
    }
}

/// True when a Diesel error is a unique-constraint violation.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
