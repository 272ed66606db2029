//! How far the jobs of a queue have got: [`Progress`] counts and the [`ProgressStream`].

use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use event_listener::EventListener;
use futures_lite::{Future, Stream};

use crate::tracker::Tracker;

/// Counts of the jobs submitted through one [`Queue`](crate::Queue) (and its clones), from the
/// events the workers write: Python's `tqdm` over `imap`, or Celery's task states.
///
/// A job is counted once in `submitted`, then is `queued` (no worker has taken it), `running`,
/// and ends as exactly one of `done`, `failed`, `dead` or `cancelled`. `retried` counts attempts
/// after the first (a panic retried, or a job taken over from a worker that died), so it may
/// exceed the number of jobs.
///
/// # Examples
///
/// ```
/// let p = weft_redis::Progress { submitted: 10, queued: 2, running: 3, done: 4, failed: 1, ..Default::default() };
/// assert_eq!(p.finished(), 5);
/// assert!(!p.is_complete());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Jobs handed to the queue.
    pub submitted: u64,
    /// Submitted jobs no worker has started.
    pub queued: u64,
    /// Jobs a worker is running now.
    pub running: u64,
    /// Jobs that gave their result.
    pub done: u64,
    /// Jobs that failed without retry (unknown function, malformed argument).
    pub failed: u64,
    /// Attempts after the first, over all jobs.
    pub retried: u64,
    /// Jobs moved to the dead-letter stream after their last attempt.
    pub dead: u64,
    /// Jobs cancelled before they gave a result.
    pub cancelled: u64,
}

impl Progress {
    /// Jobs that have ended, one way or another.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = weft_redis::Progress { done: 1, failed: 1, dead: 1, cancelled: 1, ..Default::default() };
    /// assert_eq!(p.finished(), 4);
    /// ```
    pub fn finished(&self) -> u64 {
        self.done + self.failed + self.dead + self.cancelled
    }

    /// Whether every submitted job has ended (true for a queue that submitted nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft_redis::Progress::default().is_complete());
    /// let p = weft_redis::Progress { submitted: 2, done: 2, ..Default::default() };
    /// assert!(p.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.finished() == self.submitted
    }
}

/// The [`Progress`] of a queue as a stream: yields the current counts at once, then each time
/// they change (a slow reader gets the latest counts, not every step).
///
/// Made by [`Queue::progress`](crate::Queue::progress). It ends when the queue and every handle
/// and map made from it are dropped; dropping the stream changes nothing else.
///
/// # Examples
///
/// ```no_run
/// use futures_lite::StreamExt;
///
/// weft::block_on(async {
///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "primes").await.unwrap();
///     let mut progress = queue.progress();
///     let first = progress.next().await.unwrap();
///     assert_eq!(first.submitted, 0);
/// });
/// ```
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct ProgressStream {
    tracker: Arc<Tracker>,
    seen: Option<u64>,
    listener: Option<EventListener>,
}

impl ProgressStream {
    pub(crate) fn new(tracker: Arc<Tracker>) -> Self {
        ProgressStream {
            tracker,
            seen: None,
            listener: None,
        }
    }
}

impl Stream for ProgressStream {
    type Item = Progress;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Progress>> {
        loop {
            let (version, progress, closed) = self.tracker.snapshot();
            if self.seen != Some(version) {
                self.seen = Some(version);
                self.listener = None;
                return Poll::Ready(Some(progress));
            }
            if closed {
                return Poll::Ready(None);
            }
            match &mut self.listener {
                None => self.listener = Some(self.tracker.listen_changes()),
                Some(listener) => {
                    futures_lite::ready!(Pin::new(listener).poll(cx));
                    self.listener = None;
                }
            }
        }
    }
}
