//! `WorkerPool`: a bounded queue of jobs and N workers taking them.

use core::fmt;
use core::future::Future;
use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use async_lock::{Semaphore, SemaphoreGuardArc};
use futures_channel::oneshot;
use futures_lite::future;

use super::builder::Builder;
use super::job::{JobHandle, RawJob};
use super::lane::Job;
use super::map::{Map, MapUnordered};
use super::slot::Slots;
use super::{Backend, CancelToken, Func, Payload, WorkerError};
use crate::runtime::MaybeSend;

/// How many jobs may wait in the queue when the builder is given no capacity.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

/// A pool of workers for CPU work: `multiprocessing.Pool` / `ProcessPoolExecutor`, on both
/// targets.
///
/// Natively each worker is a dedicated thread (not the blocking-I/O pool) and a job is a direct
/// call of the registered function: no serialization. In the browser each worker is a module
/// Web Worker running the page's own wasm module; arguments and results cross as [`Payload`]s.
/// Functions are registered with `weft::func!`.
///
/// - [`run`](WorkerPool::run) one call; [`submit`](WorkerPool::submit) for a handle;
/// - [`map`](WorkerPool::map) many items, results in input order, automatically chunked;
/// - [`map_unordered`](WorkerPool::map_unordered) a stream of `(index, result)` in finish order;
/// - the queue is bounded: submitting waits while it is full (backpressure). A worker busy with
///   tiny jobs may hold a few more waiting behind its running one (pipelining, so that each does
///   not pay a round trip of its own); they still count as queued until they start;
/// - a job that outlives the `job_timeout` fails with [`WorkerError::Timeout`] at once; dropping
///   a job's handle cancels it. Its [`CancelToken`] is cancelled, and if it has not answered
///   within a short grace period (20 ms) its worker is replaced: in the browser the worker is
///   terminated; a native thread cannot be killed, so its result is discarded and a fresh
///   thread takes its place while the old one finishes. Jobs that were waiting behind it run
///   exactly once, on the fresh worker; a job dropped while it waits never runs (in the browser,
///   where the word travels to the worker, this holds for jobs waiting behind one of a
///   millisecond or more: a job behind a tiny one may already have started);
/// - a panicking job fails with [`WorkerError::Panicked`] and the pool goes on (in the browser
///   the panic aborted that worker's wasm instance, so the worker is replaced);
/// - [`close`](WorkerPool::close) finishes the queued jobs then stops;
///   [`terminate`](WorkerPool::terminate) stops at once and fails every pending job with
///   [`WorkerError::Terminated`].
///
/// `WorkerPool` is a cheap handle: clones share one pool. When the last clone is dropped, the
/// pool closes in the background: queued jobs still run, then the workers stop.
///
/// # Examples
///
/// ```
/// weft::func! {
///     /// Counts the primes below `limit`.
///     pub fn count_primes(limit: u64) -> u64 {
///         (2..limit).filter(|n| (2..).take_while(|d| d * d <= *n).all(|d| n % d != 0)).count() as u64
///     }
/// }
///
/// weft::block_on(async {
///     let pool = weft::WorkerPool::builder().size(2).build().unwrap();
///     assert_eq!(pool.run(count_primes, 100).await, Ok(25));
///     assert_eq!(pool.map(count_primes, [10, 20, 30]).await, Ok(vec![4, 8, 10]));
///     pool.close().await;
/// });
/// ```
pub struct WorkerPool<B: Backend> {
    shared: Arc<Shared<B>>,
}

/// What every clone of a pool shares; the slots hold the queue's other end.
pub(super) struct Shared<B: Backend> {
    /// Unbounded: `waiting` bounds the jobs in it and the ones waiting on workers together.
    pub(super) sender: async_channel::Sender<Job<B>>,
    /// One permit per job that has not started yet.
    pub(super) waiting: Arc<Semaphore>,
    /// Cancelled by `close` and `terminate`: submitters waiting for room give up.
    pub(super) closing: CancelToken,
    pub(super) size: usize,
    pub(super) capacity: usize,
    pub(super) job_timeout: Option<Duration>,
    pub(super) terminate: CancelToken,
    pub(super) slots: Arc<Slots>,
    /// How many workers have nothing to do.
    pub(super) idle: Arc<AtomicUsize>,
}

impl<B: Backend> Clone for WorkerPool<B> {
    fn clone(&self) -> Self {
        WorkerPool {
            shared: self.shared.clone(),
        }
    }
}

impl<B: Backend> fmt::Debug for WorkerPool<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerPool")
            .field("size", &self.shared.size)
            .field("queue_capacity", &self.shared.capacity)
            .field("queued", &self.queued())
            .field("job_timeout", &self.shared.job_timeout)
            .finish()
    }
}

impl<B: Backend> WorkerPool<B> {
    /// Settings for a new pool; see [`Builder`].
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    /// assert_eq!(pool.size(), 1);
    /// ```
    pub fn builder() -> Builder<B> {
        Builder::new()
    }

    pub(super) fn from_shared(shared: Arc<Shared<B>>) -> Self {
        WorkerPool { shared }
    }

    /// How many workers the pool runs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::WorkerPool::builder().size(2).build().unwrap().size(), 2);
    /// ```
    pub fn size(&self) -> usize {
        self.shared.size
    }

    /// How many jobs may wait in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = weft::WorkerPool::builder().build().unwrap();
    /// assert_eq!(pool.queue_capacity(), weft::offload::DEFAULT_QUEUE_CAPACITY);
    /// ```
    pub fn queue_capacity(&self) -> usize {
        self.shared.capacity
    }

    /// How many jobs wait now, in the queue or behind a worker's running job (never more than
    /// the capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = weft::WorkerPool::builder().build().unwrap();
    /// assert_eq!(pool.queued(), 0);
    /// ```
    pub fn queued(&self) -> usize {
        self.shared.capacity - self.shared.waiting.available_permits()
    }

    /// Calls `func(arg)` on a worker and gives its result; `pool.apply(f, args)` in Python.
    ///
    /// Waits for room in the queue first. Dropping the future cancels the job (see
    /// [`JobHandle`]). Errors: [`WorkerError`], never a panic.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    ///     assert_eq!(pool.run(square, 12).await, Ok(144));
    /// });
    /// ```
    pub async fn run<A, R>(&self, func: Func<A, R>, arg: A) -> Result<R, WorkerError>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend,
    {
        self.submit(func, arg).await?.await
    }

    /// Queues `func(arg)` and gives a handle to its result; `apply_async` / `executor.submit`.
    ///
    /// Waits while the queue is full (backpressure); dropping this future before it is ready
    /// queues nothing. Errors: [`WorkerError::Closed`] or [`WorkerError::Terminated`] if the pool
    /// no longer takes jobs, [`WorkerError::Payload`] if the argument cannot be encoded.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(2).build().unwrap();
    ///     let a = pool.submit(square, 3).await.unwrap();
    ///     let b = pool.submit(square, 4).await.unwrap();
    ///     assert_eq!((a.await, b.await), (Ok(9), Ok(16)));
    /// });
    /// ```
    pub async fn submit<A, R>(
        &self,
        func: Func<A, R>,
        arg: A,
    ) -> Result<JobHandle<B, R>, WorkerError>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend,
    {
        let raw = self.submit_items(func, vec![arg]).await?;
        Ok(JobHandle::new(raw))
    }

    /// Calls `func` on every item on the workers; the results in input order. Python's
    /// `pool.map`.
    ///
    /// Items go in chunks, each chunk one job: large ones first (multiprocessing's `chunksize`),
    /// then smaller ones so the workers finish together (see [`chunk_sizes`](super::chunk_sizes)); [`Map::on_progress`] reports `done/total` items as chunks finish. The
    /// first failure is the result and the remaining jobs are cancelled. Empty input gives an
    /// empty `Vec` at once. Dropping the future cancels every job still queued or running.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(2).build().unwrap();
    ///     let squares = pool.map(square, 0..100).await.unwrap();
    ///     assert_eq!(squares, (0..100).map(|x| x * x).collect::<Vec<u64>>());
    /// });
    /// ```
    pub fn map<A, R, I>(&self, func: Func<A, R>, items: I) -> Map<B, A, R>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend,
        I: IntoIterator<Item = A>,
    {
        Map::new(self.map_unordered(func, items))
    }

    /// Calls `func` on every item; a stream of `(index, result)` in the order the items finish.
    /// Python's `imap_unordered` (with the index, as `enumerate` would give).
    ///
    /// Every index comes exactly once, with its output or its own error: one failure does not
    /// stop the others. Chunked like [`WorkerPool::map`]. Dropping the stream cancels every job
    /// still queued or running. Empty input gives an empty stream.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(2).build().unwrap();
    ///     let mut results: Vec<(usize, u64)> = pool
    ///         .map_unordered(square, [1, 2, 3])
    ///         .map(|(i, r)| (i, r.unwrap()))
    ///         .collect()
    ///         .await;
    ///     results.sort();
    ///     assert_eq!(results, [(0, 1), (1, 4), (2, 9)]);
    /// });
    /// ```
    pub fn map_unordered<A, R, I>(&self, func: Func<A, R>, items: I) -> MapUnordered<B, A, R>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend,
        I: IntoIterator<Item = A>,
    {
        MapUnordered::new(self.clone(), func, items.into_iter().collect())
    }

    /// Stops taking jobs, lets the queued and running ones finish, then stops the workers;
    /// `pool.close(); pool.join()` in Python. Waits until every worker has stopped.
    ///
    /// Submitting afterwards fails with [`WorkerError::Closed`]. Dropping the future does not
    /// undo the close; the queued jobs still finish.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    ///     let queued = pool.submit(square, 5).await.unwrap();
    ///     pool.close().await;
    ///     assert_eq!(queued.await, Ok(25)); // finished before the pool stopped
    ///     assert_eq!(pool.run(square, 1).await, Err(weft::WorkerError::Closed));
    /// });
    /// ```
    pub fn close(&self) -> impl Future<Output = ()> + MaybeSend + 'static {
        self.shared.sender.close();
        self.shared.closing.cancel();
        self.stopped()
    }

    /// Stops at once: running jobs are abandoned (their workers terminated in the browser) and
    /// they and every queued job fail with [`WorkerError::Terminated`]; Python's
    /// `pool.terminate()`.
    ///
    /// Takes effect when called; await the returned future to wait until every worker has
    /// stopped (dropping it changes nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    ///     pool.terminate().await;
    ///     assert_eq!(pool.run(square, 1).await, Err(weft::WorkerError::Terminated));
    /// });
    /// ```
    pub fn terminate(&self) -> impl Future<Output = ()> + MaybeSend + 'static {
        self.shared.terminate.cancel();
        self.shared.sender.close();
        self.shared.closing.cancel();
        self.stopped()
    }

    fn stopped(&self) -> impl Future<Output = ()> + MaybeSend + 'static {
        let slots = self.shared.slots.clone();
        async move { slots.all_stopped().await }
    }

    /// Queues one job calling `func` on `items`.
    pub(crate) async fn submit_items<A, R>(
        &self,
        func: Func<A, R>,
        items: Vec<A>,
    ) -> Result<RawJob<B>, WorkerError>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend,
    {
        self.check_open()?;
        self.submit_call(B::prepare(func, items)?).await
    }

    /// Runs a call the backend prepared itself and gives the backend's raw reply.
    ///
    /// This is the entry for job kinds a backend adds of its own, beyond registered Rust
    /// functions: the browser backend runs functions of a user's ES module through it
    /// (`weft_web::JsModuleJobs`). Queueing, backpressure, timeouts, cancellation and worker
    /// replacement are the same as for [`WorkerPool::run`]; dropping the future cancels the job.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::offload::Backend;
    ///
    /// weft::func! { fn double(x: u64) -> u64 { 2 * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    ///     let call = <weft::DefaultRuntime as Backend>::prepare(double, vec![21]).unwrap();
    ///     let reply = pool.call(call).await.unwrap();
    ///     let out = <weft::DefaultRuntime as Backend>::unpack::<u64>(reply);
    ///     assert_eq!(out, [Ok(42)]);
    /// });
    /// ```
    pub async fn call(&self, call: B::Call) -> Result<B::Reply, WorkerError> {
        self.check_open()?;
        self.submit_call(call).await?.await
    }

    fn check_open(&self) -> Result<(), WorkerError> {
        if self.shared.sender.is_closed() {
            Err(self.stopped_error())
        } else {
            Ok(())
        }
    }

    fn stopped_error(&self) -> WorkerError {
        if self.shared.terminate.is_cancelled() {
            WorkerError::Terminated
        } else {
            WorkerError::Closed
        }
    }

    async fn submit_call(&self, call: B::Call) -> Result<RawJob<B>, WorkerError> {
        let permit = self.room().await?;
        let (answer, receiver) = oneshot::channel();
        let job = Job {
            call,
            answer,
            permit,
        };
        self.shared
            .sender
            .try_send(job)
            .map_err(|_| self.stopped_error())?;
        Ok(RawJob::new(receiver))
    }

    /// Waits for room in the queue, unless the pool stops taking jobs first.
    async fn room(&self) -> Result<SemaphoreGuardArc, WorkerError> {
        if let Some(permit) = self.shared.waiting.try_acquire_arc() {
            return Ok(permit);
        }
        let acquire = async { Some(self.shared.waiting.acquire_arc().await) };
        let closing = async {
            self.shared.closing.cancelled().await;
            None
        };
        future::or(acquire, closing)
            .await
            .ok_or_else(|| self.stopped_error())
    }
}
