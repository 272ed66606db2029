//! [`Progress`]: how far a batch job has got.

use core::time::Duration;

/// How far a [`Batch`](super::Batch) has got; what a progress bar shows.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// weft::block_on(async {
///     let last = Arc::new(Mutex::new(None));
///     let keep = last.clone();
///     weft::Batch::new(0..5)
///         .size(2)
///         .on_progress(move |p| *keep.lock().unwrap() = Some(p.clone()))
///         .run(|batch: Vec<u8>| async move { if batch.contains(&4) { Err(()) } else { Ok(batch) } })
///         .await
///         .unwrap();
///     let last = last.lock().unwrap().clone().unwrap();
///     assert_eq!((last.done, last.failed, last.total), (5, 1, 5));
///     assert_eq!(last.eta, Some(std::time::Duration::ZERO));
///     assert_eq!(last.fraction(), 1.0);
/// });
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Items whose batch has finished, successfully or not.
    pub done: usize,
    /// Items whose batch failed; included in `done`.
    pub failed: usize,
    /// Items in the whole job.
    pub total: usize,
    /// Time since the job started, on the runtime's clock.
    pub elapsed: Duration,
    /// Items per second so far: `done / elapsed`; 0.0 while no time has passed.
    pub rate: f64,
    /// Estimated time left at the current rate: `Some(ZERO)` when `done == total`, `None` while
    /// the rate is unknown.
    pub eta: Option<Duration>,
}

impl Progress {
    pub(super) fn start(total: usize) -> Self {
        Progress {
            done: 0,
            failed: 0,
            total,
            elapsed: Duration::ZERO,
            rate: 0.0,
            eta: (total == 0).then_some(Duration::ZERO),
        }
    }

    pub(super) fn record(&mut self, items: usize, failed: bool, elapsed: Duration) {
        self.done += items;
        if failed {
            self.failed += items;
        }
        self.elapsed = elapsed;
        let seconds = elapsed.as_secs_f64();
        self.rate = if seconds > 0.0 {
            self.done as f64 / seconds
        } else {
            0.0
        };
        let left = (self.total - self.done) as f64;
        self.eta = if left == 0.0 {
            Some(Duration::ZERO)
        } else if self.rate > 0.0 {
            Duration::try_from_secs_f64(left / self.rate).ok()
        } else {
            None
        };
    }

    /// `done / total`, from 0.0 to 1.0; 1.0 for an empty job.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let mut fractions = Vec::new();
    ///     weft::Batch::new(0..4)
    ///         .size(1)
    ///         .concurrency(1)
    ///         .on_progress(|p| fractions.push(p.fraction()))
    ///         .run(|b: Vec<u8>| async move { Ok::<_, ()>(b) })
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(fractions, [0.25, 0.5, 0.75, 1.0]);
    /// });
    /// ```
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f64 / self.total as f64
        }
    }
}
