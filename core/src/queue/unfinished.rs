//! The count behind `task_done` / `join`, shared by both queues.

use std::sync::atomic::Ordering;

use event_listener::Event;

use super::error::TaskDoneError;
use crate::primitives::AtomicUsize;

/// The count behind `task_done` / `join`, shared by [`Queue`] and the priority queue.
#[derive(Debug, Default)]
pub(crate) struct Unfinished {
    count: AtomicUsize,
    zero: Event,
}

impl Unfinished {
    /// Counts one item about to be put; the count is undone if the guard is dropped unkept
    /// (the put failed or was cancelled).
    pub(crate) fn pending(&self) -> Pending<'_> {
        self.count.fetch_add(1, Ordering::AcqRel);
        Pending(Some(self))
    }

    pub(crate) fn done(&self) -> Result<(), TaskDoneError> {
        let mut count = self.count.load(Ordering::Acquire);
        loop {
            if count == 0 {
                return Err(TaskDoneError);
            }
            match self.count.compare_exchange_weak(
                count,
                count - 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if count == 1 {
                        self.zero.notify(usize::MAX);
                    }
                    return Ok(());
                }
                Err(now) => count = now,
            }
        }
    }

    pub(crate) async fn join(&self) {
        loop {
            if self.count() == 0 {
                return;
            }
            // Listen first, then check again: a task_done between the two wakes the listener.
            let listener = self.zero.listen();
            if self.count() == 0 {
                return;
            }
            listener.await;
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }
}

/// One item counted as unfinished before its put has succeeded.
pub(crate) struct Pending<'a>(Option<&'a Unfinished>);

impl Pending<'_> {
    /// The put succeeded: the item stays unfinished until `task_done`.
    pub(crate) fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(unfinished) = self.0 {
            // Cannot fail: this guard's own increment is still in the count.
            let _ = unfinished.done();
        }
    }
}
