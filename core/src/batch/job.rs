//! [`Batch`]: the builder and the loop that keeps `concurrency` batches in flight.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::error::ConfigError;
use crate::runtime::Runtime;

use super::progress::Progress;

/// The seeds' default batch size.
const DEFAULT_SIZE: usize = 100;
/// The seeds' default number of batches in flight.
const DEFAULT_CONCURRENCY: usize = 5;

/// A batch job, configured with builder methods and started by [`Batch::run`].
///
/// Defaults are the seeds': batches of 100, 5 in flight, no pause, no progress callback.
///
/// # Examples
///
/// The seeds' `update_users`: 1,000 users in batches of 50, 10 batches at a time.
///
/// ```
/// use std::time::Duration;
/// use std::sync::{Arc, Mutex};
///
/// weft::block_on(async {
///     let reports = Arc::new(Mutex::new(Vec::new()));
///     let seen = reports.clone();
///     let results = weft::Batch::new(1..=1_000)
///         .size(50)
///         .concurrency(10)
///         .on_progress(move |p| seen.lock().unwrap().push((p.done, p.total)))
///         .run(|user_ids: Vec<u32>| async move {
///             weft::sleep(Duration::from_millis(1)).await; // one bulk API call per batch
///             Ok::<_, String>(user_ids.into_iter().map(|id| format!("Updated user {id}")).collect())
///         })
///         .await
///         .unwrap(); // the configuration was valid
///
///     // One Result per batch, in input order; flatten for the seeds' flat list.
///     let updated: Vec<String> = results.into_iter().collect::<Result<Vec<_>, _>>().unwrap().concat();
///     assert_eq!(updated.len(), 1_000);
///     assert_eq!(updated[0], "Updated user 1");
///     assert_eq!(updated[999], "Updated user 1000");
///
///     let reports = reports.lock().unwrap();
///     assert_eq!(reports.len(), 20, "one report per batch");
///     assert_eq!(reports.last(), Some(&(1_000, 1_000)));
/// });
/// ```
#[must_use = "a Batch does nothing until `.run(f)` is awaited"]
pub struct Batch<R, T, P = fn(&Progress)> {
    items: Vec<T>,
    size: usize,
    concurrency: usize,
    pause: Duration,
    on_progress: P,
    runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime, T> Batch<R, T> {
    /// A batch job over `items`, with the defaults: batches of 100, 5 in flight, no pause.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let sizes = weft::Batch::new(0..250)
    ///         .run(|batch: Vec<i32>| async move { Ok::<_, ()>(vec![batch.len()]) })
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(sizes, [Ok(vec![100]), Ok(vec![100]), Ok(vec![50])]);
    /// });
    /// ```
    pub fn new(items: impl IntoIterator<Item = T>) -> Self {
        Batch {
            items: items.into_iter().collect(),
            size: DEFAULT_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            pause: Duration::ZERO,
            on_progress: |_| {},
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime, T, P> Batch<R, T, P> {
    /// How many items go in each batch (the last may have fewer); `batch_size`.
    ///
    /// 0 makes [`Batch::run`] return a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let out = weft::Batch::new([1, 2, 3])
    ///         .size(2)
    ///         .run(|batch: Vec<u8>| async move { Ok::<_, ()>(batch) })
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out, [Ok(vec![1, 2]), Ok(vec![3])]);
    ///
    ///     let bad = weft::Batch::new([1]).size(0).run(|b: Vec<u8>| async move { Ok::<_, ()>(b) });
    ///     assert_eq!(bad.await.unwrap_err().to_string(), "invalid size: must be at least 1, got 0");
    /// });
    /// ```
    pub fn size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// How many batches may be in flight at once; `max_concurrent`.
    ///
    /// 0 makes [`Batch::run`] return a [`ConfigError`]; 1 runs the batches one after another.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    /// use std::sync::Arc;
    ///
    /// weft::block_on(async {
    ///     let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    ///     weft::Batch::new(0..40)
    ///         .size(4)
    ///         .concurrency(3)
    ///         .run(|batch: Vec<u32>| {
    ///             let (now, peak) = (now.clone(), peak.clone());
    ///             async move {
    ///                 peak.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
    ///                 weft::sleep(std::time::Duration::from_millis(2)).await;
    ///                 now.fetch_sub(1, SeqCst);
    ///                 Ok::<_, ()>(batch)
    ///             }
    ///         })
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(peak.load(SeqCst), 3);
    /// });
    /// ```
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Waits `pause` before each batch that is not among the first `concurrency` to start.
    ///
    /// Each of the `concurrency` lanes rests `pause` after finishing a batch and before starting
    /// its next; there is no pause before the first batches or after the last (the seeds'
    /// "optional delay between batches"). With `concurrency(1)` that is exactly one pause
    /// between consecutive batches. [`Duration::ZERO`] (the default) means no pause.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft_core::{batch::Batch, testing::{self, VirtualRuntime}};
    ///
    /// let took = testing::run(async {
    ///     let start = testing::now();
    ///     Batch::<VirtualRuntime, _>::new(0..30)
    ///         .size(10)
    ///         .concurrency(1)
    ///         .pause(Duration::from_millis(100))
    ///         .run(|batch: Vec<u8>| async move { Ok::<_, ()>(batch) })
    ///         .await
    ///         .unwrap();
    ///     testing::now() - start
    /// });
    /// assert_eq!(took, Duration::from_millis(200), "three batches, two pauses");
    /// ```
    pub fn pause(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    /// Calls `on_progress` after each batch finishes, with the totals so far.
    ///
    /// It runs in the task that awaits [`Batch::run`], between batches, so keep it short
    /// (update a bar, send to a channel). The last call has `done == total`, and only the last.
    /// With no items it is called once, with `done == total == 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    ///
    /// weft::block_on(async {
    ///     let seen = Arc::new(Mutex::new(Vec::new()));
    ///     let log = seen.clone();
    ///     weft::Batch::new(0..10)
    ///         .size(4)
    ///         .concurrency(1)
    ///         .on_progress(move |p| log.lock().unwrap().push(p.done))
    ///         .run(|batch: Vec<u8>| async move { Ok::<_, ()>(batch) })
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(*seen.lock().unwrap(), [4, 8, 10]);
    /// });
    /// ```
    pub fn on_progress<Q>(self, on_progress: Q) -> Batch<R, T, Q>
    where
        Q: FnMut(&Progress),
    {
        Batch {
            items: self.items,
            size: self.size,
            concurrency: self.concurrency,
            pause: self.pause,
            on_progress,
            runtime: PhantomData,
        }
    }

    /// Runs `f` on every batch and gives one result per batch, in input order.
    ///
    /// `f` gets the batch's items and returns their outputs, or an error that fails the whole
    /// batch: its items count as done and failed in [`Progress`], and the other batches go on
    /// (Python's `gather(..., return_exceptions=True)`; collect the results into a
    /// `Result<Vec<_>, _>` for fail-at-the-end). `f` is called when a batch is scheduled; its
    /// future is first polled after the pause, if any. No items: `f` is never called and the
    /// result is empty.
    ///
    /// Returns `Err(ConfigError)` at once, calling nothing, if `size` or `concurrency` is 0.
    /// Dropping the future drops (cancels) the batches in flight; no progress is reported after.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let out = weft::Batch::new(1..=6)
    ///         .size(2)
    ///         .run(|batch: Vec<u32>| async move {
    ///             if batch.contains(&4) { Err("4 is unlucky") } else { Ok(batch.iter().map(|n| n * 10).collect()) }
    ///         })
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out, [Ok(vec![10, 20]), Err("4 is unlucky"), Ok(vec![50, 60])]);
    /// });
    /// ```
    pub async fn run<U, E, F, Fut>(self, mut f: F) -> Result<Vec<Result<Vec<U>, E>>, ConfigError>
    where
        P: FnMut(&Progress),
        F: FnMut(Vec<T>) -> Fut,
        Fut: Future<Output = Result<Vec<U>, E>>,
    {
        let size = ConfigError::at_least_one("size", self.size)?;
        let concurrency = ConfigError::at_least_one("concurrency", self.concurrency)?;
        let mut on_progress = self.on_progress;
        let total = self.items.len();
        let mut results: Vec<Option<Result<Vec<U>, E>>> =
            (0..total.div_ceil(size)).map(|_| None).collect();
        let mut items = self.items.into_iter();
        let mut next_index = 0;
        let mut running = FuturesUnordered::new();
        let mut progress = Progress::start(total);
        let start = R::now();

        let mut launch = |index: usize, pause: Option<Duration>| {
            let batch: Vec<T> = items.by_ref().take(size).collect();
            let len = batch.len();
            let call = f(batch);
            rest_then_call(pause.map(R::sleep), index, len, call)
        };
        while next_index < results.len() && running.len() < concurrency {
            running.push(launch(next_index, None));
            next_index += 1;
        }
        while let Some((index, len, result)) = running.next().await {
            if next_index < results.len() {
                let pause = (!self.pause.is_zero()).then_some(self.pause);
                running.push(launch(next_index, pause));
                next_index += 1;
            }
            progress.record(
                len,
                result.is_err(),
                R::now().saturating_duration_since(start),
            );
            results[index] = Some(result);
            on_progress(&progress);
        }
        if total == 0 {
            on_progress(&progress);
        }
        Ok(results
            .into_iter()
            .map(|r| r.expect("every batch finished"))
            .collect())
    }
}

impl<R, T, P> fmt::Debug for Batch<R, T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("items", &self.items.len())
            .field("size", &self.size)
            .field("concurrency", &self.concurrency)
            .field("pause", &self.pause)
            .finish()
    }
}

async fn rest_then_call<S, Fut>(
    pause: Option<S>,
    index: usize,
    len: usize,
    call: Fut,
) -> (usize, usize, Fut::Output)
where
    S: Future<Output = ()>,
    Fut: Future,
{
    if let Some(pause) = pause {
        pause.await;
    }
    (index, len, call.await)
}
