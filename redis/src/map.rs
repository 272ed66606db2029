//! [`Queue::map`](crate::Queue::map) and [`Queue::map_unordered`](crate::Queue::map_unordered):
//! one job per item, submitted in the background, results as a stream.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_lite::{Future, Stream};
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesOrdered, FuturesUnordered};
use weft::{Payload, Task, WorkerError};

use crate::{Error, JobError, JobHandle, Queue};

/// A job handed to the submitting task: whether it got stored, and its handle.
pub(crate) struct Pending<R> {
    stored: async_channel::Receiver<Result<(), Error>>,
    handle: JobHandle<R>,
}

impl<R> Pending<R> {
    pub(crate) fn new(
        stored: async_channel::Receiver<Result<(), Error>>,
        handle: JobHandle<R>,
    ) -> Self {
        Pending { stored, handle }
    }

    pub(crate) fn into_parts(self) -> (impl Future<Output = Result<(), Error>>, JobHandle<R>) {
        let stored = self.stored;
        let stored = async move {
            stored.recv().await.unwrap_or_else(|_| {
                Err(Error::Protocol(
                    "the queue's submitting task stopped".into(),
                ))
            })
        };
        (stored, self.handle)
    }

    async fn result(self) -> Result<R, JobError>
    where
        R: Payload,
    {
        let (stored, handle) = self.into_parts();
        stored.await.map_err(JobError::Queue)?;
        handle.await
    }
}

type Args = Vec<Result<Vec<u8>, WorkerError>>;

/// Submits every item in order on a background task; sends each job's `Pending` as it goes.
struct Feed<R> {
    start: Option<(Queue, String, Args)>,
    pending: Option<Pin<Box<async_channel::Receiver<Pending<R>>>>>,
    _driver: Option<Task<()>>,
}

impl<R: Payload> Feed<R> {
    fn new(queue: Queue, func: &str, args: Args) -> Self {
        Feed {
            start: Some((queue, func.to_owned(), args)),
            pending: None,
            _driver: None,
        }
    }

    /// The next submitted job, `None` once every item is submitted.
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Pending<R>>> {
        if let Some((queue, func, args)) = self.start.take() {
            let (sender, receiver) = async_channel::unbounded();
            self._driver = Some(weft::spawn(async move {
                for arg in args {
                    let pending = queue.enqueue::<R>(&func, arg).await;
                    if sender.send(pending).await.is_err() {
                        break;
                    }
                }
            }));
            self.pending = Some(Box::pin(receiver));
        }
        match &mut self.pending {
            Some(receiver) => receiver.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

/// The results of [`Queue::map`](crate::Queue::map), in input order.
///
/// Yields one `Result<R, JobError>` per item. Dropping it stops submitting the items not yet
/// submitted; the jobs already submitted still run (their results expire with the result TTL).
#[must_use = "streams do nothing unless polled"]
pub struct Map<R> {
    feed: Feed<R>,
    fed: bool,
    running: FuturesOrdered<BoxFuture<'static, Result<R, JobError>>>,
}

impl<R: Payload> Map<R> {
    pub(crate) fn new(queue: Queue, func: &str, args: Args) -> Self {
        Map {
            feed: Feed::new(queue, func, args),
            fed: false,
            running: FuturesOrdered::new(),
        }
    }
}

impl<R: Payload> Stream for Map<R> {
    type Item = Result<R, JobError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        while !this.fed {
            match this.feed.poll_next(cx) {
                Poll::Ready(Some(pending)) => this.running.push_back(Box::pin(pending.result())),
                Poll::Ready(None) => this.fed = true,
                Poll::Pending => break,
            }
        }
        match Pin::new(&mut this.running).poll_next(cx) {
            Poll::Ready(None) if !this.fed => Poll::Pending,
            other => other,
        }
    }
}

impl<R> fmt::Debug for Map<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("in_flight", &self.running.len())
            .finish()
    }
}

/// The results of [`Queue::map_unordered`](crate::Queue::map_unordered), as jobs finish.
///
/// Yields `(index, Result<R, JobError>)`, the index being the item's position in the input.
/// Dropping it stops submitting the items not yet submitted; the jobs already submitted still
/// run.
#[must_use = "streams do nothing unless polled"]
pub struct MapUnordered<R> {
    feed: Feed<R>,
    fed: bool,
    next_index: usize,
    running: FuturesUnordered<BoxFuture<'static, (usize, Result<R, JobError>)>>,
}

impl<R: Payload> MapUnordered<R> {
    pub(crate) fn new(queue: Queue, func: &str, args: Args) -> Self {
        MapUnordered {
            feed: Feed::new(queue, func, args),
            fed: false,
            next_index: 0,
            running: FuturesUnordered::new(),
        }
    }
}

impl<R: Payload> Stream for MapUnordered<R> {
    type Item = (usize, Result<R, JobError>);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        while !this.fed {
            match this.feed.poll_next(cx) {
                Poll::Ready(Some(pending)) => {
                    let index = this.next_index;
                    this.next_index += 1;
                    this.running
                        .push(Box::pin(async move { (index, pending.result().await) }));
                }
                Poll::Ready(None) => this.fed = true,
                Poll::Pending => break,
            }
        }
        match Pin::new(&mut this.running).poll_next(cx) {
            Poll::Ready(None) if !this.fed => Poll::Pending,
            other => other,
        }
    }
}

impl<R> fmt::Debug for MapUnordered<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapUnordered")
            .field("in_flight", &self.running.len())
            .finish()
    }
}
