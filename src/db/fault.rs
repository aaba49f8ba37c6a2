//! Test-only fault hooks of the writer. Integration tests cannot see
//! `cfg(test)` code, so the hooks are ordinary methods on
//! [`Writer`](super::writer::Writer) that nothing in the server calls; unset,
//! they cost one uncontended lock per batch.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A fault the next write batch meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The batch runs its writes, then fails to commit (rolls back).
    FailCommit,
    /// The batch's first write panics after its work ran, inside its savepoint.
    PanicJob,
}

/// SQLite's own default `max_page_count`, used to lift a cap.
const NO_PAGE_LIMIT: u64 = 1_073_741_823;

/// Pending faults and the page cap, as tests set them.
#[derive(Debug, Default)]
pub(super) struct Faults {
    queue: Mutex<VecDeque<Fault>>,
    pages: Mutex<Option<u64>>,
    /// The cap changed (or the connection is new) and must be applied.
    pages_dirty: AtomicBool,
}

impl Faults {
    pub(super) fn push(&self, fault: Fault) {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(fault);
    }

    /// The fault for the batch about to run, if any.
    pub(super) fn take(&self) -> Option<Fault> {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
    }

    pub(super) fn limit_pages(&self, pages: Option<u64>) {
        *self.pages.lock().unwrap_or_else(|p| p.into_inner()) = pages;
        self.pages_dirty.store(true, Ordering::Release);
    }

    /// A new connection: the cap, if any, must be applied to it.
    pub(super) fn force_page_limit(&self) {
        if self
            .pages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
        {
            self.pages_dirty.store(true, Ordering::Release);
        }
    }

    /// The `max_page_count` to apply now, when it changed.
    pub(super) fn pending_page_limit(&self) -> Option<u64> {
        if !self.pages_dirty.swap(false, Ordering::AcqRel) {
            return None;
        }
        let pages = *self.pages.lock().unwrap_or_else(|p| p.into_inner());
        Some(pages.unwrap_or(NO_PAGE_LIMIT))
    }
}
