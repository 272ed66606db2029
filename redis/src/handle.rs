//! A job's id and the handle that awaits its result.

use core::fmt;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use event_listener::EventListener;
use futures_lite::Future;
use weft::Payload;

use crate::JobError;
use crate::queue::Inner;
use crate::tracker::Slot;
use crate::wire;

/// The id of a job: unique across queues and clients, printable, and enough to fetch the job's
/// result later from any process ([`Queue::job`](crate::Queue::job)) or to cancel it.
///
/// # Examples
///
/// ```
/// use weft_redis::JobId;
///
/// let id = JobId::from("5f1c2a9b3e7d4c10-42");
/// assert_eq!(id.as_str(), "5f1c2a9b3e7d4c10-42");
/// assert_eq!(id.to_string(), "5f1c2a9b3e7d4c10-42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(String);

impl JobId {
    /// The id as text (what is stored in Redis).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_redis::JobId::from("a-1").as_str(), "a-1");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for JobId {
    fn from(id: String) -> Self {
        JobId(id)
    }
}

impl From<&str> for JobId {
    fn from(id: &str) -> Self {
        JobId(id.to_owned())
    }
}

/// A submitted job: a future of its result, `Result<R, JobError>`.
///
/// The job lives in Redis, not in the handle: dropping the handle stops waiting and nothing
/// else; the job still runs and its result is kept for the queue's result TTL, so
/// [`Queue::job`](crate::Queue::job) with [`JobHandle::id`] waits for it again, from this process
/// or another. To stop the job itself, use [`Queue::cancel`](crate::Queue::cancel).
///
/// Awaiting never hangs on a lost connection: if Redis stays unreachable longer than the queue's
/// reconnect timeout, the handle resolves to [`JobError::Queue`].
///
/// # Examples
///
/// ```no_run
/// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
///
/// weft::block_on(async {
///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "demo").await.unwrap();
///     let job = queue.submit(double, 21).await.unwrap();
///     let id = job.id().clone();
///     drop(job); // the job goes on
///     let again = queue.job::<u64>(id).await.unwrap();
///     assert_eq!(again.await.unwrap(), 42);
/// });
/// ```
#[must_use = "a handle does nothing unless awaited (the job runs either way)"]
pub struct JobHandle<R> {
    id: JobId,
    key: u64,
    slot: Arc<Slot>,
    listener: Option<EventListener>,
    queue: Arc<Inner>,
    _result: PhantomData<fn() -> R>,
}

impl<R> JobHandle<R> {
    pub(crate) fn new(id: JobId, key: u64, slot: Arc<Slot>, queue: Arc<Inner>) -> Self {
        JobHandle {
            id,
            key,
            slot,
            listener: None,
            queue,
            _result: PhantomData,
        }
    }

    /// The job's id.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    ///
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "demo").await.unwrap();
    ///     let job = queue.submit(double, 1).await.unwrap();
    ///     assert!(!job.id().as_str().is_empty());
    /// });
    /// ```
    pub fn id(&self) -> &JobId {
        &self.id
    }
}

impl<R> fmt::Debug for JobHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobHandle").field("id", &self.id).finish()
    }
}

impl<R> Unpin for JobHandle<R> {}

impl<R: Payload> Future for JobHandle<R> {
    type Output = Result<R, JobError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            if let Some(stored) = self.slot.take() {
                return Poll::Ready(wire::into_result(stored));
            }
            match &mut self.listener {
                None => self.listener = Some(self.slot.listen()),
                Some(listener) => {
                    futures_lite::ready!(Pin::new(listener).poll(cx));
                    self.listener = None;
                }
            }
        }
    }
}

impl<R> Drop for JobHandle<R> {
    fn drop(&mut self) {
        self.queue.tracker.unwatch(self.id.as_str(), self.key);
    }
}
