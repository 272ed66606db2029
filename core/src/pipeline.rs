//! A fixed set of worker tasks draining a bounded queue; the seeds' producer/consumer
//! `run_pipeline` (an `asyncio.Queue(maxsize)` plus `num_workers` consumer tasks).
//!
//! `weft::pipeline(workers, capacity, f)` spawns `workers` tasks that each take items from one
//! queue of `capacity` and call `f(item)`. [`Pipeline::submit`] waits while `capacity` items are
//! waiting (backpressure); [`Pipeline::join`] closes the queue, lets the workers drain every
//! item already submitted, and returns [`Stats`]: how many items were submitted, done and
//! failed, with the errors kept. Nothing is lost and nothing runs twice: once `join` returns,
//! `submitted == done + failed`.
//!
//! The per-item cost is one channel send, one receive and the call to `f`: no allocation, no
//! lock, no shared counter is touched per item (each worker counts on its own). Dropping the
//! [`Pipeline`] cancels the workers at once and drops every item still queued.
//!
//! The generic form, [`Pipeline`], names its [`Runtime`]; each backend exposes
//! `weft::pipeline(..)` and `weft::Pipeline<T, E>` bound to itself.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use web_time::Instant;

use crate::error::ConfigError;
use crate::queue::PutError;
use crate::runtime::{MaybeSend, Runtime};
use crate::task::{JoinError, Task, catch_panic};

/// Worker tasks draining a bounded queue, generic over the [`Runtime`] that runs them.
///
/// Made by `weft::pipeline(workers, capacity, f)` (or [`Pipeline::new`] for an explicit
/// runtime). `f` returns `Result<(), E>`: an `Ok` counts as done, an `Err` as failed and is kept
/// for [`Stats::errors`]; natively a panic in `f` fails only its item and is kept in
/// [`Stats::panics`] (in the browser a panic aborts the wasm instance).
///
/// Dropping the pipeline (or a `join` future) cancels every worker at its next await point and
/// drops the items still queued; no task of it runs afterwards.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let pipeline = weft::pipeline(5, 100, |n: u64| async move {
///         if n % 10 == 0 { Err(format!("item {n} rejected")) } else { Ok(()) }
///     })
///     .unwrap();
///     for n in 0..1_000 {
///         pipeline.submit(n).await.unwrap(); // waits while 100 items are queued
///     }
///     let stats = pipeline.join().await; // closes, drains, waits for the workers
///     assert_eq!((stats.submitted, stats.done, stats.failed), (1_000, 900, 100));
///     assert_eq!(stats.errors.len(), 100);
/// });
/// ```
pub struct Pipeline<R, T, E> {
    sender: async_channel::Sender<T>,
    submitted: Arc<AtomicU64>,
    workers: Vec<Task<Report<E>>>,
    started: Instant,
    runtime: PhantomData<fn() -> R>,
}

impl<R, T, E> Pipeline<R, T, E>
where
    R: Runtime,
    T: MaybeSend + 'static,
    E: MaybeSend + 'static,
{
    /// Spawns `workers` tasks on `R`, each calling `f` on items taken from a queue that holds at
    /// most `capacity` of them.
    ///
    /// Each worker owns a clone of `f`. `workers` or `capacity` of 0 is a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_core::pipeline::Pipeline;
    ///
    /// weft::block_on(async {
    ///     let pipeline = Pipeline::<weft::DefaultRuntime, u8, ()>::new(2, 4, |_| async { Ok(()) })
    ///         .unwrap();
    ///     pipeline.submit(1).await.unwrap();
    ///     assert_eq!(pipeline.join().await.done, 1);
    ///
    ///     let err = Pipeline::<weft::DefaultRuntime, u8, ()>::new(0, 4, |_| async { Ok(()) });
    ///     assert_eq!(err.unwrap_err().to_string(), "invalid workers: must be at least 1, got 0");
    /// });
    /// ```
    pub fn new<F, Fut>(workers: usize, capacity: usize, f: F) -> Result<Self, ConfigError>
    where
        F: FnMut(T) -> Fut + Clone + MaybeSend + 'static,
        Fut: Future<Output = Result<(), E>> + MaybeSend + 'static,
    {
        let workers = ConfigError::at_least_one("workers", workers)?;
        let capacity = ConfigError::at_least_one("capacity", capacity)?;
        let (sender, receiver) = async_channel::bounded(capacity);
        let mut tasks = Vec::with_capacity(workers);
        for _ in 1..workers {
            tasks.push(R::spawn(work(receiver.clone(), f.clone())));
        }
        tasks.push(R::spawn(work(receiver, f)));
        Ok(Pipeline {
            sender,
            submitted: Arc::default(),
            workers: tasks,
            started: R::now(),
            runtime: PhantomData,
        })
    }

    /// Queues `item` for a worker, waiting while `capacity` items are already waiting.
    ///
    /// Fails with the item handed back once the pipeline is closed. Dropping the future while it
    /// waits submits nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let pipeline = weft::pipeline(1, 1, |_: u32| async { Ok::<(), ()>(()) }).unwrap();
    ///     pipeline.submit(1).await.unwrap();
    ///     pipeline.close();
    ///     assert_eq!(pipeline.submit(2).await.unwrap_err().into_inner(), 2);
    ///     assert_eq!(pipeline.join().await.submitted, 1);
    /// });
    /// ```
    pub async fn submit(&self, item: T) -> Result<(), PutError<T>> {
        match self.sender.send(item).await {
            Ok(()) => {
                // Only this handle submits and `join` takes it by value, so this count is exact
                // by the time `join` reads it.
                self.submitted.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(err) => Err(PutError(err.into_inner())),
        }
    }

    /// Stops accepting items; the workers go on until the queue is drained, then stop.
    ///
    /// Returns `true` if this call closed the pipeline. [`Pipeline::join`] closes it too.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let pipeline = weft::pipeline(1, 8, |_: u8| async { Ok::<(), ()>(()) }).unwrap();
    ///     pipeline.submit(1).await.unwrap();
    ///     assert!(pipeline.close());
    ///     assert!(!pipeline.close());
    ///     assert!(pipeline.submit(2).await.is_err());
    ///     assert_eq!(pipeline.join().await.done, 1, "what was queued still ran");
    /// });
    /// ```
    pub fn close(&self) -> bool {
        self.sender.close()
    }

    /// Closes the pipeline, waits until every submitted item has been processed and every
    /// worker has stopped, and returns the counts.
    ///
    /// With no item submitted it returns zeros as soon as the workers have stopped. Dropping the
    /// future cancels the workers like dropping the pipeline.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let pipeline = weft::pipeline(3, 10, |n: i32| async move {
    ///         if n < 0 { Err(n) } else { Ok(()) }
    ///     })
    ///     .unwrap();
    ///     for n in [1, -2, 3, -4] {
    ///         pipeline.submit(n).await.unwrap();
    ///     }
    ///     let mut stats = pipeline.join().await;
    ///     stats.errors.sort();
    ///     assert_eq!(stats.errors, [-4, -2]);
    ///     assert_eq!(stats.submitted, stats.done + stats.failed);
    /// });
    /// ```
    pub async fn join(self) -> Stats<E> {
        self.sender.close();
        let mut stats = Stats {
            submitted: self.submitted.load(Ordering::Relaxed),
            done: 0,
            failed: 0,
            errors: Vec::new(),
            panics: Vec::new(),
            elapsed: Duration::ZERO,
        };
        for worker in self.workers {
            // A worker only ends early if its runtime shuts down; then it has nothing to report.
            if let Ok(report) = worker.await {
                stats.done += report.done;
                stats.errors.extend(report.errors);
                stats.panics.extend(report.panics);
            }
        }
        stats.failed = (stats.errors.len() + stats.panics.len()) as u64;
        stats.elapsed = R::now().saturating_duration_since(self.started);
        stats
    }
}

impl<R, T, E> Pipeline<R, T, E> {
    /// How many items are queued and not yet taken by a worker.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let pipeline = weft::pipeline(1, 4, |_: u8| async { Ok::<(), ()>(()) }).unwrap();
    ///     assert_eq!(pipeline.queued(), 0);
    ///     pipeline.join().await;
    /// });
    /// ```
    pub fn queued(&self) -> usize {
        self.sender.len()
    }

    /// How many items have been submitted so far.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let pipeline = weft::pipeline(1, 4, |_: u8| async { Ok::<(), ()>(()) }).unwrap();
    ///     pipeline.submit(0).await.unwrap();
    ///     assert_eq!(pipeline.submitted(), 1);
    ///     pipeline.join().await;
    /// });
    /// ```
    pub fn submitted(&self) -> u64 {
        self.submitted.load(Ordering::Relaxed)
    }

    /// How many worker tasks have not finished (they finish once closed and drained).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let pipeline = weft::pipeline(3, 4, |_: u8| async { Ok::<(), ()>(()) }).unwrap();
    ///     assert_eq!(pipeline.workers(), 3);
    ///     pipeline.join().await;
    /// });
    /// ```
    pub fn workers(&self) -> usize {
        self.workers.iter().filter(|w| !w.is_finished()).count()
    }
}

impl<R, T, E> fmt::Debug for Pipeline<R, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("workers", &self.workers())
            .field("queued", &self.queued())
            .field("submitted", &self.submitted())
            .field("closed", &self.sender.is_closed())
            .finish()
    }
}

/// What [`Pipeline::join`] reports: every submitted item is either done or failed, once.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let pipeline = weft::pipeline(2, 2, |n: u8| async move { if n == 1 { Err("odd one") } else { Ok(()) } })
///         .unwrap();
///     for n in 0..3 {
///         pipeline.submit(n).await.unwrap();
///     }
///     let stats = pipeline.join().await;
///     assert_eq!(stats.submitted, 3);
///     assert_eq!(stats.done, 2);
///     assert_eq!(stats.failed, 1);
///     assert_eq!(stats.errors, ["odd one"]);
///     assert!(stats.panics.is_empty());
/// });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats<E> {
    /// Items accepted by [`Pipeline::submit`].
    pub submitted: u64,
    /// Items for which `f` returned `Ok`.
    pub done: u64,
    /// Items for which `f` returned `Err` or panicked: `errors.len() + panics.len()`.
    pub failed: u64,
    /// The error of every failed item, in no particular order (put an id in `E` to tell which
    /// item it was). One is kept per failure, so a flood of failures costs memory.
    pub errors: Vec<E>,
    /// Natively, the panic of every item whose `f` panicked; that item failed, its worker went
    /// on. Always empty in the browser, where a panic aborts the wasm instance.
    pub panics: Vec<JoinError>,
    /// Time from the pipeline's creation to the end of `join`, on its runtime's clock.
    pub elapsed: Duration,
}

/// One worker's counts, merged by `join`.
struct Report<E> {
    done: u64,
    errors: Vec<E>,
    panics: Vec<JoinError>,
}

async fn work<T, E, F, Fut>(receiver: async_channel::Receiver<T>, mut f: F) -> Report<E>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let mut report = Report {
        done: 0,
        errors: Vec::new(),
        panics: Vec::new(),
    };
    while let Ok(item) = receiver.recv().await {
        // The call is inside the guarded future, so a panic while making the future is caught too.
        match catch_panic(async { f(item).await }).await {
            Ok(Ok(())) => report.done += 1,
            Ok(Err(err)) => report.errors.push(err),
            Err(panic) => report.panics.push(panic),
        }
    }
    report
}

/// Binds `pipeline` and `Pipeline` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_pipeline {
    ($rt:ty) => {
        /// Worker tasks draining a bounded queue on this runtime: see [`pipeline`].
        ///
        /// # Examples
        ///
        /// ```
        /// weft::block_on(async {
        ///     let pipeline: weft::Pipeline<u32, String> =
        ///         weft::Pipeline::new(2, 8, |n: u32| async move { if n > 2 { Err(format!("{n} too big")) } else { Ok(()) } })
        ///             .unwrap();
        ///     for n in 0..5 {
        ///         pipeline.submit(n).await.unwrap();
        ///     }
        ///     let stats = pipeline.join().await;
        ///     assert_eq!((stats.done, stats.failed), (3, 2));
        /// });
        /// ```
        pub type Pipeline<T, E> = $crate::pipeline::Pipeline<$rt, T, E>;

        /// Spawns `workers` tasks calling `f` on items from a queue of `capacity`; the seeds'
        /// producer/consumer with `asyncio.Queue(maxsize=capacity)` and `num_workers` consumers.
        ///
        /// [`submit`](Pipeline::submit) waits while `capacity` items wait; `join` closes, drains
        /// every submitted item and returns `Stats { submitted, done, failed, errors, .. }`.
        /// `workers` or `capacity` of 0 is a `ConfigError`. Dropping the pipeline cancels its
        /// workers and drops what is still queued.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::sync::atomic::{AtomicU64, Ordering};
        /// use std::sync::Arc;
        ///
        /// weft::block_on(async {
        ///     let sum = Arc::new(AtomicU64::new(0));
        ///     let total = sum.clone();
        ///     let pipeline = weft::pipeline(4, 16, move |n: u64| {
        ///         let total = total.clone();
        ///         async move {
        ///             total.fetch_add(n, Ordering::Relaxed);
        ///             Ok::<(), std::convert::Infallible>(())
        ///         }
        ///     })
        ///     .unwrap();
        ///     for n in 1..=100 {
        ///         pipeline.submit(n).await.unwrap();
        ///     }
        ///     let stats = pipeline.join().await;
        ///     assert_eq!(stats.done, 100);
        ///     assert_eq!(sum.load(Ordering::Relaxed), 5050);
        ///
        ///     assert!(weft::pipeline(1, 0, |_: u8| async { Ok::<(), ()>(()) }).is_err());
        /// });
        /// ```
        pub fn pipeline<T, E, F, Fut>(
            workers: usize,
            capacity: usize,
            f: F,
        ) -> ::core::result::Result<Pipeline<T, E>, $crate::ConfigError>
        where
            T: $crate::MaybeSend + 'static,
            E: $crate::MaybeSend + 'static,
            F: FnMut(T) -> Fut + Clone + $crate::MaybeSend + 'static,
            Fut: ::core::future::Future<Output = ::core::result::Result<(), E>>
                + $crate::MaybeSend
                + 'static,
        {
            $crate::pipeline::Pipeline::new(workers, capacity, f)
        }
    };
}
