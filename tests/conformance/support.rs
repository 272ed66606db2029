//! Helpers the conformance tests share: drop guards and bounded waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Counts how many of its guards have been dropped.
#[derive(Clone, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

impl DropCounter {
    pub fn guard(&self) -> DropGuard {
        DropGuard(self.0.clone())
    }

    pub fn dropped(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Bumps its counter when dropped: move one into a future to see when the future is dropped.
pub struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A shared counter tasks can bump.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Waits until `condition` holds, checking every millisecond; panics after `limit`.
///
/// For effects that happen on another thread (natively) or in a later microtask: the test
/// asserts that they happen, never how fast.
pub async fn eventually(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = weft::now();
    while !condition() {
        assert!(weft::now() - start < limit, "not within {limit:?}: {what}");
        weft::sleep(Duration::from_millis(1)).await;
    }
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
