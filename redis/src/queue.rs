//! The client side: [`Queue`] submits jobs to Redis and hands their results back.

use core::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft::{Bytes, Func, Payload, Task};

use crate::keys::Keys;
use crate::link::Link;
use crate::map::{Map, MapUnordered, Pending};
use crate::progress::ProgressStream;
use crate::scripts;
use crate::submitter::Submission;
use crate::tracker::Tracker;
use crate::wire::Outcome;
use crate::{Error, JobHandle, JobId, QueueBuilder};

/// Events and dead letters are capped near this many entries (`MAXLEN ~`).
pub(crate) const EVENTS_MAXLEN: usize = 10_000;

/// A named job queue on Redis, from the submitting side: Celery's `task.delay()` /
/// `AsyncResult`, or `ProcessPoolExecutor.submit` with workers on other machines.
///
/// Jobs are calls of functions registered with `weft::func!`; workers started with
/// [`Worker`](crate::Worker) (or the `weft-worker` binary) on any machine run them. A `Queue` is
/// cheap to clone (clones share one set of connections and background tasks) and is `Send +
/// Sync`.
///
/// Dropping the last clone and every handle and map made from it stops its background tasks
/// (and ends its progress streams); jobs already submitted stay in Redis and run, and their
/// results can be fetched by id from another `Queue`.
///
/// # Examples
///
/// ```no_run
/// weft::func! { pub fn count_primes(limit: u64) -> u64 {
///     (2..limit).filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0)).count() as u64
/// } }
///
/// weft::block_on(async {
///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "primes").await.unwrap();
///     assert_eq!(queue.submit(count_primes, 100).await.unwrap().await.unwrap(), 25);
/// });
/// ```
#[derive(Clone)]
pub struct Queue {
    inner: Arc<Inner>,
}

/// What every clone of a queue (and every handle) shares.
pub(crate) struct Inner {
    pub(crate) tracker: Arc<Tracker>,
    pub(crate) name: String,
    pub(crate) keys: Keys,
    pub(crate) client: redis::Client,
    pub(crate) settings: QueueBuilder,
    /// Makes job ids unique: a random prefix per queue, then a counter.
    pub(crate) id_prefix: String,
    pub(crate) next: AtomicU64,
    pub(crate) submissions: async_channel::Sender<Submission>,
    /// Links for one-off calls (cancel, fetch by id), reused.
    pub(crate) spare_links: Mutex<Vec<Link>>,
    pub(crate) _tasks: [Task<()>; 2],
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.tracker.close();
    }
}

impl Queue {
    pub(crate) fn from_inner(inner: Inner) -> Queue {
        Queue {
            inner: Arc::new(inner),
        }
    }

    /// Connects to the queue `name` on the Redis at `url` with the default settings (see
    /// [`Queue::builder`]).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1:6379/", "primes").await.unwrap();
    ///     assert_eq!(queue.name(), "primes");
    /// });
    /// ```
    pub async fn connect(url: &str, name: &str) -> Result<Queue, Error> {
        Queue::builder(url, name).connect().await
    }

    /// Settings for a queue: backlog limit, result TTL, reconnect timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = weft_redis::Queue::builder("redis://127.0.0.1/", "primes").max_pending(100);
    /// assert!(format!("{builder:?}").contains("max_pending: 100"));
    /// ```
    pub fn builder(url: &str, name: &str) -> QueueBuilder {
        QueueBuilder {
            url: url.to_owned(),
            name: name.to_owned(),
            max_pending: 10_000,
            result_ttl: Duration::from_secs(24 * 3600),
            reconnect_timeout: Some(Duration::from_secs(60)),
        }
    }

    /// The queue's name.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "primes").await.unwrap();
    ///     assert_eq!(queue.name(), "primes");
    /// });
    /// ```
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Submits `func(arg)`; returns once the job is stored in Redis (durably, as far as Redis's
    /// own persistence goes), with a handle that awaits its result.
    ///
    /// Waits first while the queue's backlog is at [`QueueBuilder::max_pending`]. Errors: an
    /// argument that cannot be encoded ([`Error::Payload`]), Redis unreachable past the
    /// reconnect timeout. Dropping this future before it returns may or may not submit the job.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::func! { fn add(a: u64, b: u64) -> u64 { a + b } }
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     let job = queue.submit(add, (2, 3)).await.unwrap();
    ///     assert_eq!(job.await.unwrap(), 5);
    /// });
    /// ```
    pub async fn submit<A: Payload, R: Payload>(
        &self,
        func: Func<A, R>,
        arg: A,
    ) -> Result<JobHandle<R>, Error> {
        let payload = arg.into_payload().map_err(Error::Payload)?;
        self.submit_bytes(func.name(), payload).await
    }

    /// Submits a call of the function named `func` with an already encoded argument; the
    /// handle gives the encoded result. For producers that have no `Func` handle (a name from a
    /// config file, a bridge from another language).
    ///
    /// A name no worker registered, or bytes the function cannot decode, fail the job (not the
    /// worker) with [`JobError::Failed`](crate::JobError::Failed).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use weft::Payload;
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     let job = queue.submit_raw("no_such_function", 1_u64.into_payload().unwrap()).await.unwrap();
    ///     let err = job.await.unwrap_err();
    ///     assert_eq!(err.to_string(), "job failed: unknown function `no_such_function`");
    /// });
    /// ```
    pub async fn submit_raw(&self, func: &str, arg: Vec<u8>) -> Result<JobHandle<Bytes>, Error> {
        self.submit_bytes(func, arg).await
    }

    async fn submit_bytes<R>(&self, func: &str, arg: Vec<u8>) -> Result<JobHandle<R>, Error> {
        let pending = self.enqueue(func, Ok(arg)).await;
        let (stored, handle) = pending.into_parts();
        stored.await?;
        Ok(handle)
    }

    /// Registers a job and hands it to the submitting task (waiting while its channel is
    /// full); the result says when it is stored.
    pub(crate) async fn enqueue<R>(
        &self,
        func: &str,
        arg: Result<Vec<u8>, weft::WorkerError>,
    ) -> Pending<R> {
        let n = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let id = JobId::from(format!("{}-{n}", self.inner.id_prefix));
        let handle = self.handle(id.clone());
        let (stored, result) = async_channel::bounded(1);
        match arg {
            Err(err) => {
                let _ = stored.try_send(Err(Error::Payload(err)));
            }
            Ok(arg) => {
                self.inner.tracker.submitting(id.as_str());
                let submission = Submission {
                    id: id.as_str().to_owned(),
                    func: func.to_owned(),
                    arg,
                    stored,
                };
                if let Err(lost) = self.inner.submissions.send(submission).await {
                    // Only when the submitting task is gone, which outlives every handle.
                    let err = Error::Protocol("the queue's submitting task stopped".into());
                    self.inner.tracker.submit_failed(id.as_str(), &err);
                    let _ = lost.into_inner().stored.try_send(Err(err));
                }
            }
        }
        Pending::new(result, handle)
    }

    fn handle<R>(&self, id: JobId) -> JobHandle<R> {
        let (key, slot) = self.inner.tracker.watch(id.as_str());
        JobHandle::new(id, key, slot, self.inner.clone())
    }

    /// Runs `func` on every item, on the workers; yields the results in input order (as
    /// `multiprocessing.Pool.imap`).
    ///
    /// Items are encoded at once and submitted in the background as the backlog allows, so
    /// results start coming while later items are still being submitted. An item whose job
    /// fails yields its [`JobError`](crate::JobError) and the others go on. Empty input yields
    /// nothing. Dropping the stream stops submitting the rest; jobs already submitted still run.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_lite::StreamExt;
    ///
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     let squares: Vec<u64> = queue.map(square, 1..=4).map(Result::unwrap).collect().await;
    ///     assert_eq!(squares, [1, 4, 9, 16]);
    /// });
    /// ```
    pub fn map<A, R, I>(&self, func: Func<A, R>, items: I) -> Map<R>
    where
        A: Payload,
        R: Payload,
        I: IntoIterator<Item = A>,
    {
        Map::new(self.clone(), func.name(), encode_all(items))
    }

    /// As [`Queue::map`], yielding `(index, result)` in the order jobs finish (as
    /// `multiprocessing.Pool.imap_unordered`, with the input index added).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_lite::StreamExt;
    ///
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     let mut squares: Vec<(usize, u64)> = queue
    ///         .map_unordered(square, [3, 4])
    ///         .map(|(i, r)| (i, r.unwrap()))
    ///         .collect()
    ///         .await;
    ///     squares.sort();
    ///     assert_eq!(squares, [(0, 9), (1, 16)]);
    /// });
    /// ```
    pub fn map_unordered<A, R, I>(&self, func: Func<A, R>, items: I) -> MapUnordered<R>
    where
        A: Payload,
        R: Payload,
        I: IntoIterator<Item = A>,
    {
        MapUnordered::new(self.clone(), func.name(), encode_all(items))
    }

    /// A handle on job `id`, submitted earlier by this queue or any other client: awaits its
    /// result (at once if it has one). A job id nobody submitted waits until the handle is
    /// dropped, so bound it with `weft::timeout`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     let id = queue.submit(double, 4).await.unwrap().id().clone();
    ///     // Later, maybe in another process:
    ///     let other = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     assert_eq!(other.job::<u64>(id).await.unwrap().await.unwrap(), 8);
    /// });
    /// ```
    pub async fn job<R: Payload>(&self, id: JobId) -> Result<JobHandle<R>, Error> {
        // Watch first, then look: a result stored in between is seen by one or the other.
        let handle = self.handle::<R>(id.clone());
        let key = self.inner.keys.result(id.as_str());
        let stored: Option<Vec<u8>> = self
            .with_link(move |c| redis::cmd("GET").arg(&key).query(c))
            .await?;
        if let Some(bytes) = stored {
            self.inner.tracker.resolve(id.as_str(), Ok(bytes));
        }
        Ok(handle)
    }

    /// Cancels job `id`: returns `true` if it had not ended (it now ends as
    /// [`JobError::Cancelled`](crate::JobError::Cancelled)), `false` if it already had a result.
    ///
    /// A cancelled job that no worker has taken yet never runs: the worker that takes it sees
    /// the cancellation and drops it. One that a worker already took (running, or prefetched a
    /// few milliseconds ahead) runs to the end, but its result is discarded: a CPU job cannot be
    /// stopped from outside safely.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "idle").await.unwrap();
    ///     let job = queue.submit(double, 4).await.unwrap();
    ///     assert!(queue.cancel(job.id()).await.unwrap());
    ///     assert!(matches!(job.await, Err(weft_redis::JobError::Cancelled)));
    /// });
    /// ```
    pub async fn cancel(&self, id: &JobId) -> Result<bool, Error> {
        let keys = [
            self.inner.keys.result(id.as_str()),
            self.inner.keys.events.clone(),
        ];
        let value = Outcome::Cancelled.encode();
        let ttl = self.inner.settings.result_ttl.as_secs();
        let id = id.as_str().to_owned();
        let cancelled: i64 = self
            .with_link(move |c| {
                scripts::CANCEL
                    .key(&keys[0])
                    .key(&keys[1])
                    .arg(&value)
                    .arg(ttl)
                    .arg(&id)
                    .arg(EVENTS_MAXLEN)
                    .invoke(c)
            })
            .await?;
        Ok(cancelled == 1)
    }

    /// The progress of this queue's jobs, as a stream of counts.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_lite::StreamExt;
    ///
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     let mut progress = queue.progress();
    ///     let job = queue.submit(double, 1).await.unwrap();
    ///     job.await.unwrap();
    ///     while let Some(p) = progress.next().await {
    ///         if p.is_complete() && p.done == 1 {
    ///             break;
    ///         }
    ///     }
    /// });
    /// ```
    pub fn progress(&self) -> ProgressStream {
        ProgressStream::new(self.inner.tracker.clone())
    }

    /// How many jobs the queue holds that no worker has acknowledged yet (every client's).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
    ///     println!("{} jobs to go", queue.backlog().await.unwrap());
    /// });
    /// ```
    pub async fn backlog(&self) -> Result<u64, Error> {
        let key = self.inner.keys.backlog.clone();
        let backlog: Option<i64> = self
            .with_link(move |c| redis::cmd("GET").arg(&key).query(c))
            .await?;
        Ok(backlog.unwrap_or(0).max(0) as u64)
    }

    /// Runs a one-off call on a spare link.
    pub(crate) async fn with_link<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnMut(&mut redis::Connection) -> redis::RedisResult<T> + Send + 'static,
    {
        let spare = self
            .inner
            .spare_links
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let mut link = spare.unwrap_or_else(|| {
            Link::new(
                self.inner.client.clone(),
                self.inner.settings.reconnect_timeout,
            )
        });
        let result = link.call(f).await;
        self.inner
            .spare_links
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(link);
        result
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.inner.keys
    }
}

fn encode_all<A: Payload>(
    items: impl IntoIterator<Item = A>,
) -> Vec<Result<Vec<u8>, weft::WorkerError>> {
    items.into_iter().map(Payload::into_payload).collect()
}

impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("name", &self.inner.name)
            .field("tracker", &self.inner.tracker)
            .finish()
    }
}
