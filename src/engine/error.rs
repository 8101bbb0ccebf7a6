//! What can go wrong in the engine, sorted by what to do about it: a transient database problem
//! (busy, locked, full, an I/O error) is waited out with backoff; a lost lease stops the holder
//! before it writes again; anything else is reported.

use crate::backend::BackendError;

/// An engine failure.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The database is busy or locked by another process, the disk is full, or an I/O error
    /// happened: the same work may succeed later.
    #[error("{0}")]
    Transient(String),
    /// Another process holds the evaluator's lease now; this one must write nothing more.
    #[error("{0}")]
    LeaseLost(String),
    /// Anything else.
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl From<EngineError> for BackendError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Transient(m) => BackendError::Storage(m),
            EngineError::LeaseLost(m) => BackendError::Conflict(m),
            EngineError::Backend(b) => b,
        }
    }
}

impl From<rusqlite::Error> for EngineError {
    fn from(e: rusqlite::Error) -> Self {
        db(e)
    }
}

impl EngineError {
    /// Whether waiting may mend it.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, EngineError::Transient(_))
    }
}

/// A database error in words, sorted: busy, locked, full and I/O errors are transient.
pub(crate) fn db(e: rusqlite::Error) -> EngineError {
    use rusqlite::ErrorCode as C;
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    };
    match code {
        Some(C::DatabaseBusy | C::DatabaseLocked) => EngineError::Transient(
            "the local database is locked by another process; waiting for it".into(),
        ),
        Some(C::DiskFull) => EngineError::Transient(
            "the disk holding the local database is full; free some space".into(),
        ),
        Some(C::SystemIoFailure) => {
            EngineError::Transient(format!("the local database cannot be written ({e})"))
        }
        _ => EngineError::Backend(BackendError::Storage(format!(
            "the local database failed: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_database_is_transient_and_a_bad_query_is_not() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x BLOB); PRAGMA max_page_count = 2;")
            .unwrap();
        let full = conn
            .execute("INSERT INTO t VALUES (zeroblob(100000))", [])
            .unwrap_err();
        let e = db(full);
        assert!(e.is_transient(), "{e}");
        assert!(e.to_string().contains("full"), "{e}");
        let bad = conn
            .execute("INSERT INTO nowhere VALUES (1)", [])
            .unwrap_err();
        assert!(!db(bad).is_transient());
    }
}
