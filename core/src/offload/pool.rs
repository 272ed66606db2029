//! `WorkerPool`: a bounded queue of jobs, N workers taking them, timeouts and cancellation.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use event_listener::Event;
use futures_lite::{Stream, future};

use super::map::{Map, MapUnordered};
use super::{Backend, CancelToken, Func, Payload, WorkerError};
use crate::error::ConfigError;
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
/// - the queue is bounded: submitting waits while it is full (backpressure);
/// - a job that outlives the `job_timeout` fails with [`WorkerError::Timeout`]; dropping a
///   job's handle cancels it. In the browser both terminate the job's worker and start a fresh
///   one. A native thread cannot be killed: the job's [`CancelToken`] is cancelled, its result
///   is discarded, and a fresh thread takes its place while the old one finishes;
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

struct Shared<B: Backend> {
    sender: async_channel::Sender<Job<B>>,
    size: usize,
    capacity: usize,
    job_timeout: Option<Duration>,
    terminate: CancelToken,
    slots: Arc<Slots>,
}

/// A job waiting in the queue or running.
struct Job<B: Backend> {
    call: B::Call,
    token: CancelToken,
    reply: async_channel::Sender<Result<B::Reply, WorkerError>>,
}

/// How many slot tasks are still running, and who waits for none to be.
#[derive(Default)]
struct Slots {
    live: AtomicUsize,
    all_stopped: Event,
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

/// Settings of a [`WorkerPool`]; made by [`WorkerPool::builder`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let pool = weft::WorkerPool::builder()
///     .size(2)
///     .queue_capacity(8)
///     .job_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert_eq!(pool.size(), 2);
/// assert_eq!(pool.queue_capacity(), 8);
///
/// let err = weft::WorkerPool::builder().size(0).build().unwrap_err();
/// assert_eq!(err.to_string(), "invalid size: must be at least 1, got 0");
/// ```
pub struct Builder<B: Backend> {
    size: Option<usize>,
    capacity: usize,
    job_timeout: Option<Duration>,
    backend: PhantomData<fn() -> B>,
}

impl<B: Backend> fmt::Debug for Builder<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("size", &self.size)
            .field("queue_capacity", &self.capacity)
            .field("job_timeout", &self.job_timeout)
            .finish()
    }
}

impl<B: Backend> Builder<B> {
    /// How many workers: at least 1. Default: the number of cores (`navigator.hardwareConcurrency`
    /// in the browser).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::WorkerPool::builder().size(3).build().unwrap().size(), 3);
    /// ```
    pub fn size(mut self, workers: usize) -> Self {
        self.size = Some(workers);
        self
    }

    /// How many jobs may wait in the queue (running jobs do not count): at least 1. Submitting
    /// to a full queue waits until a worker takes a job. Default: [`DEFAULT_QUEUE_CAPACITY`].
    ///
    /// # Examples
    ///
    /// ```
    /// let err = weft::WorkerPool::builder().queue_capacity(0).build().unwrap_err();
    /// assert_eq!(err.setting(), "queue_capacity");
    /// ```
    pub fn queue_capacity(mut self, jobs: usize) -> Self {
        self.capacity = jobs;
        self
    }

    /// The longest a job may run, counted from when a worker starts it (time in the queue does
    /// not count; wrap the call in `weft::timeout` to bound that too). A chunk of a `map` is one
    /// job. Must be more than zero. Default: no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = weft::WorkerPool::builder().job_timeout(Duration::ZERO).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid job_timeout: must be more than zero");
    /// ```
    pub fn job_timeout(mut self, limit: Duration) -> Self {
        self.job_timeout = Some(limit);
        self
    }

    /// Checks the settings and starts the pool's workers (in the background: the first jobs
    /// wait in the queue until a worker is up).
    ///
    /// Errors: a size or queue capacity of 0, a zero job timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = weft::WorkerPool::builder().build().unwrap();
    /// assert!(pool.size() >= 1);
    /// ```
    pub fn build(self) -> Result<WorkerPool<B>, ConfigError> {
        let size = ConfigError::at_least_one("size", self.size.unwrap_or_else(B::default_size))?;
        let capacity = ConfigError::at_least_one("queue_capacity", self.capacity)?;
        if self.job_timeout == Some(Duration::ZERO) {
            return Err(ConfigError::new("job_timeout", "must be more than zero"));
        }
        let (sender, receiver) = async_channel::bounded(capacity);
        let shared = Arc::new(Shared {
            sender,
            size,
            capacity,
            job_timeout: self.job_timeout,
            terminate: CancelToken::new(),
            slots: Arc::new(Slots::default()),
        });
        shared.slots.live.store(size, Ordering::SeqCst);
        for _ in 0..size {
            let slot = Slot::<B> {
                queue: receiver.clone(),
                job_timeout: shared.job_timeout,
                terminate: shared.terminate.clone(),
                _count: SlotCount(shared.slots.clone()),
            };
            B::spawn(slot.run()).detach();
        }
        Ok(WorkerPool { shared })
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
        Builder {
            size: None,
            capacity: DEFAULT_QUEUE_CAPACITY,
            job_timeout: None,
            backend: PhantomData,
        }
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

    /// How many jobs wait in the queue now (never more than the capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = weft::WorkerPool::builder().build().unwrap();
    /// assert_eq!(pool.queued(), 0);
    /// ```
    pub fn queued(&self) -> usize {
        self.shared.sender.len()
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
    pub async fn submit<A, R>(&self, func: Func<A, R>, arg: A) -> Result<JobHandle<B, R>, WorkerError>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend,
    {
        let raw = self.submit_items(func, vec![arg]).await?;
        Ok(JobHandle {
            raw,
            result: PhantomData,
        })
    }

    /// Calls `func` on every item on the workers; the results in input order. Python's
    /// `pool.map`.
    ///
    /// Items go in chunks (about four per worker, as multiprocessing's `chunksize` heuristic),
    /// each chunk one job; [`Map::on_progress`] reports `done/total` items as chunks finish. The
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
        self.stopped()
    }

    fn stopped(&self) -> impl Future<Output = ()> + MaybeSend + 'static {
        let slots = self.shared.slots.clone();
        async move {
            loop {
                if slots.live.load(Ordering::SeqCst) == 0 {
                    return;
                }
                let listener = slots.all_stopped.listen();
                if slots.live.load(Ordering::SeqCst) == 0 {
                    return;
                }
                listener.await;
            }
        }
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
        let stopped = || {
            if self.shared.terminate.is_cancelled() {
                WorkerError::Terminated
            } else {
                WorkerError::Closed
            }
        };
        if self.shared.sender.is_closed() {
            return Err(stopped());
        }
        let call = B::prepare(func, items)?;
        let (reply, receiver) = async_channel::bounded(1);
        let token = CancelToken::new();
        let job = Job {
            call,
            token: token.clone(),
            reply,
        };
        self.shared.sender.send(job).await.map_err(|_| stopped())?;
        Ok(RawJob {
            receiver: Box::pin(receiver),
            token,
            finished: false,
        })
    }
}

/// A queued job's reply, as the backend gave it; dropping it unfinished cancels the job.
pub(crate) struct RawJob<B: Backend> {
    // Boxed: async-channel's receiver is not `Unpin`, and handles are moved around freely.
    receiver: Pin<Box<async_channel::Receiver<Result<B::Reply, WorkerError>>>>,
    token: CancelToken,
    finished: bool,
}

impl<B: Backend> RawJob<B> {
    fn detach(mut self) {
        self.finished = true;
    }
}

impl<B: Backend> Future for RawJob<B> {
    type Output = Result<B::Reply, WorkerError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match this.receiver.as_mut().poll_next(cx) {
            Poll::Ready(reply) => {
                this.finished = true;
                // Slots always answer; a closed channel means the pool's tasks are gone.
                Poll::Ready(reply.unwrap_or(Err(WorkerError::Terminated)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<B: Backend> Drop for RawJob<B> {
    fn drop(&mut self) {
        if !self.finished {
            self.token.cancel();
        }
    }
}

/// The handle of a job queued with [`WorkerPool::submit`]; await it for the job's result.
///
/// Dropping it before the job finishes cancels the job: a queued job never starts; a running
/// one is abandoned (in the browser its worker is terminated and replaced; natively its
/// [`CancelToken`] is cancelled and its result discarded). [`JobHandle::detach`] lets the job
/// run on with nobody waiting.
///
/// # Examples
///
/// ```
/// weft::func! { fn square(x: u64) -> u64 { x * x } }
///
/// weft::block_on(async {
///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
///     let job: weft::JobHandle<u64> = pool.submit(square, 9).await.unwrap();
///     assert_eq!(job.await, Ok(81));
/// });
/// ```
#[must_use = "dropping a JobHandle cancels its job; call .detach() to let it run"]
pub struct JobHandle<B: Backend, R> {
    raw: RawJob<B>,
    result: PhantomData<fn() -> R>,
}

impl<B: Backend, R> JobHandle<B, R> {
    /// Lets the job run to completion with nobody waiting; its result is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    ///     pool.submit(square, 2).await.unwrap().detach();
    ///     pool.close().await; // the detached job still ran
    /// });
    /// ```
    pub fn detach(self) {
        self.raw.detach()
    }
}

impl<B: Backend, R: Payload> Future for JobHandle<B, R> {
    type Output = Result<R, WorkerError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.raw).poll(cx).map(|reply| {
            B::unpack::<R>(reply?)
                .into_iter()
                .next()
                .unwrap_or_else(|| Err(WorkerError::WorkerCrashed("the worker gave no result".into())))
        })
    }
}

impl<B: Backend, R> fmt::Debug for JobHandle<B, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobHandle")
            .field("finished", &self.raw.finished)
            .finish()
    }
}

/// Marks a slot task as stopped when it ends, however it ends.
struct SlotCount(Arc<Slots>);

impl Drop for SlotCount {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.all_stopped.notify(usize::MAX);
        }
    }
}

/// One worker's task: takes jobs from the queue and runs them on its worker, one at a time.
struct Slot<B: Backend> {
    queue: async_channel::Receiver<Job<B>>,
    job_timeout: Option<Duration>,
    terminate: CancelToken,
    _count: SlotCount,
}

enum Outcome<T> {
    Done(T),
    TimedOut(Duration),
    Cancelled,
    Terminated,
}

impl<B: Backend> Slot<B> {
    async fn run(self) {
        let mut worker = self.start().await.and_then(Result::ok);
        loop {
            let next = future::or(async { self.queue.recv().await.ok() }, async {
                self.terminate.cancelled().await;
                None
            })
            .await;
            let Some(job) = next.filter(|_| !self.terminate.is_cancelled()) else {
                break;
            };
            if job.token.is_cancelled() {
                continue; // its handle is gone: nobody waits for the answer
            }
            let mut current = match worker.take() {
                Some(current) => current,
                None => match self.start().await {
                    Some(Ok(started)) => started,
                    Some(Err(e)) => {
                        let _ = job.reply.try_send(Err(e));
                        continue;
                    }
                    None => {
                        let _ = job.reply.try_send(Err(WorkerError::Terminated));
                        break;
                    }
                },
            };
            let outcome = self.execute(&mut current, job.call, &job.token).await;
            let (answer, healthy) = match outcome {
                Outcome::Done(Ok(reply)) => (Ok(reply), true),
                Outcome::Done(Err(e)) => (Err(e), false),
                Outcome::TimedOut(limit) => (Err(WorkerError::Timeout(limit)), false),
                Outcome::Cancelled => (Err(WorkerError::Cancelled), false),
                Outcome::Terminated => (Err(WorkerError::Terminated), false),
            };
            if healthy {
                worker = Some(current);
            } else {
                job.token.cancel();
                B::stop_worker(current, true);
            }
            let _ = job.reply.try_send(answer);
            if self.terminate.is_cancelled() {
                break;
            }
            if worker.is_none() {
                // Replace the abandoned worker now, so the next job does not wait for it.
                worker = self.start().await.and_then(Result::ok);
            }
        }
        if let Some(worker) = worker {
            B::stop_worker(worker, false);
        }
        // Terminated: whatever is still queued fails instead of waiting forever.
        while let Ok(job) = self.queue.try_recv() {
            let _ = job.reply.try_send(Err(WorkerError::Terminated));
        }
    }

    /// Starts a worker, unless the pool is terminated first (`None`).
    async fn start(&self) -> Option<Result<B::Worker, WorkerError>> {
        future::or(async { Some(B::start_worker().await) }, async {
            self.terminate.cancelled().await;
            None
        })
        .await
        .filter(|_| !self.terminate.is_cancelled())
    }

    async fn execute(
        &self,
        worker: &mut B::Worker,
        call: B::Call,
        token: &CancelToken,
    ) -> Outcome<Result<B::Reply, WorkerError>> {
        let work = async { Outcome::Done(B::execute(worker, call, token).await) };
        let timer = async {
            match self.job_timeout {
                Some(limit) => {
                    B::sleep(limit).await;
                    Outcome::TimedOut(limit)
                }
                None => future::pending().await,
            }
        };
        let cancelled = async {
            token.cancelled().await;
            Outcome::Cancelled
        };
        let terminated = async {
            self.terminate.cancelled().await;
            Outcome::Terminated
        };
        future::or(work, future::or(timer, future::or(cancelled, terminated))).await
    }
}
