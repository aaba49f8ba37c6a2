//! The database layer's own error: what went wrong below the API. The HTTP
//! layer turns it into `500 ERROR` (see `crate::error`), keeping it as the
//! cause for the log.

use std::fmt;

/// A failure of the database or of the machinery around it.
#[derive(Debug)]
pub enum DbError {
    /// A query or transaction failed.
    Query(diesel::result::Error),
    /// No pooled connection could be had.
    Pool(r2d2::Error),
    /// The blocking thread pool could not run the work.
    Blocking(actix_web::error::BlockingError),
    /// The batching writer could not run or commit a write.
    Writer(&'static str),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Query(_) => f.write_str("database query failed"),
            DbError::Pool(_) => f.write_str("no database connection"),
            DbError::Blocking(_) => f.write_str("blocking pool unavailable"),
            DbError::Writer(what) => write!(f, "database writer: {what}"),
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DbError::Query(e) => Some(e),
            DbError::Pool(e) => Some(e),
            DbError::Blocking(e) => Some(e),
            DbError::Writer(_) => None,
        }
    }
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Query(e)
    }
}

impl From<r2d2::Error> for DbError {
    fn from(e: r2d2::Error) -> Self {
        DbError::Pool(e)
    }
}

impl From<actix_web::error::BlockingError> for DbError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        DbError::Blocking(e)
    }
}

/// The error type of work run through [`run`](super::run), [`write`](super::write)
/// and the [`Writer`](super::writer::Writer): a database failure converts into
/// it, and it tells a refusal by a rule (which rolls back only its own work)
/// from a fault (which stops a write batch).
pub trait WorkError: From<DbError> + Send + 'static {
    /// True for a fault (a `5xx`), false for a refusal by a rule.
    fn is_fault(&self) -> bool;
}

impl WorkError for DbError {
    fn is_fault(&self) -> bool {
        true
    }
}
