//! `pool.map` and `pool.map_unordered`: many items, chunked into jobs, with progress.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::collections::VecDeque;

use futures_lite::Stream;
use futures_util::stream::FuturesUnordered;

use super::job::RawJob;
use super::pool::WorkerPool;
use super::{Backend, Func, Payload, WorkerError};
use crate::runtime::MaybeSend;

/// How far a `map` has come: `done` of `total` items have a result (an output or an error).
///
/// # Examples
///
/// ```
/// let p = weft::offload::Progress { done: 3, total: 4 };
/// assert_eq!(p.to_string(), "3/4");
/// assert!(!p.is_complete());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Items with a result so far.
    pub done: usize,
    /// Items in the map.
    pub total: usize,
}

impl Progress {
    /// Whether every item has its result.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft::offload::Progress { done: 4, total: 4 }.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.done == self.total
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.done, self.total)
    }
}

/// How `pool.map` cuts `items` items into jobs for `workers` workers: the chunk sizes, in order.
///
/// The first chunk is multiprocessing's `chunksize` (about four chunks per worker); each next
/// one is what remains over four per worker, down to a floor of one 64th per worker ("guided"
/// scheduling, as OpenMP's). Big chunks first keep the per-job overhead (a thread hand-off
/// natively, two `postMessage`s in the browser) small against the work; small chunks last let
/// the workers finish together even when items cost more towards the end. No chunk is empty,
/// and the sizes add up to `items`.
///
/// # Examples
///
/// ```
/// use weft::offload::chunk_sizes;
///
/// let sizes = chunk_sizes(100, 2);
/// assert_eq!(sizes[0], 13); // ceil(100 / 8), multiprocessing's chunksize
/// assert_eq!(sizes.iter().sum::<usize>(), 100);
/// assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
/// assert_eq!(chunk_sizes(3, 8), [1, 1, 1]);
/// assert!(chunk_sizes(0, 4).is_empty());
/// ```
pub fn chunk_sizes(items: usize, workers: usize) -> Vec<usize> {
    let per_round = workers.max(1) * 4;
    let floor = items.div_ceil(per_round * 16).max(1);
    let mut sizes = Vec::new();
    let mut left = items;
    while left > 0 {
        let size = left.div_ceil(per_round).max(floor).min(left);
        sizes.push(size);
        left -= size;
    }
    sizes
}

#[cfg(not(target_arch = "wasm32"))]
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
#[cfg(target_arch = "wasm32")]
type BoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

#[cfg(not(target_arch = "wasm32"))]
type ProgressFn = Box<dyn FnMut(Progress) + Send>;
#[cfg(target_arch = "wasm32")]
type ProgressFn = Box<dyn FnMut(Progress)>;

/// A chunk waiting for room in the queue: its first item's index, its length, the submission.
type Sending<B> = (usize, usize, BoxFuture<Result<RawJob<B>, WorkerError>>);

/// A chunk on its way: its first item's index, its length, and its job.
struct Running<B: Backend> {
    start: usize,
    len: usize,
    job: RawJob<B>,
}

impl<B: Backend> Future for Running<B> {
    type Output = (usize, usize, Result<B::Reply, WorkerError>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (start, len) = (self.start, self.len);
        Pin::new(&mut self.job)
            .poll(cx)
            .map(|reply| (start, len, reply))
    }
}

/// The stream of [`WorkerPool::map_unordered`]: `(index, result)` in finish order.
///
/// Chunks are submitted as the queue has room (backpressure) while finished ones are read.
/// Dropping the stream cancels every job still queued or running.
#[must_use = "streams do nothing unless polled"]
pub struct MapUnordered<B: Backend, A, R> {
    pool: WorkerPool<B>,
    func: Func<A, R>,
    waiting: VecDeque<(usize, Vec<A>)>,
    sending: Option<Sending<B>>,
    running: FuturesUnordered<Running<B>>,
    ready: VecDeque<(usize, Result<R, WorkerError>)>,
    progress: Option<ProgressFn>,
    done: usize,
    total: usize,
}

impl<B, A, R> MapUnordered<B, A, R>
where
    B: Backend,
    A: Payload + MaybeSend,
    R: Payload + MaybeSend,
{
    pub(crate) fn new(pool: WorkerPool<B>, func: Func<A, R>, items: Vec<A>) -> Self {
        let total = items.len();
        let sizes = chunk_sizes(total, pool.size());
        let mut waiting = VecDeque::with_capacity(sizes.len());
        let mut items = items.into_iter();
        let mut start = 0;
        for size in sizes {
            waiting.push_back((start, items.by_ref().take(size).collect()));
            start += size;
        }
        MapUnordered {
            pool,
            func,
            waiting,
            sending: None,
            running: FuturesUnordered::new(),
            ready: VecDeque::new(),
            progress: None,
            done: 0,
            total,
        }
    }

    /// Calls `report` each time a chunk finishes, with how many items have a result so far;
    /// the last call has `done == total`, exactly once. Empty input makes no call.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use futures_lite::StreamExt;
    ///
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(2).build().unwrap();
    ///     let seen = Arc::new(Mutex::new(Vec::new()));
    ///     let log = seen.clone();
    ///     let n = pool
    ///         .map_unordered(square, 0..50)
    ///         .on_progress(move |p| log.lock().unwrap().push(p))
    ///         .count()
    ///         .await;
    ///     assert_eq!(n, 50);
    ///     let seen = seen.lock().unwrap();
    ///     assert_eq!(seen.last().unwrap().done, 50);
    ///     assert_eq!(seen.iter().filter(|p| p.is_complete()).count(), 1);
    /// });
    /// ```
    pub fn on_progress(mut self, report: impl FnMut(Progress) + MaybeSend + 'static) -> Self {
        self.progress = Some(Box::new(report));
        self
    }

    /// How many items the map has in all.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    /// let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    /// assert_eq!(pool.map_unordered(square, [1, 2]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether the map has no items.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    /// let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    /// assert!(pool.map_unordered(square, Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    fn finish_chunk(&mut self, start: usize, len: usize, outcome: Result<B::Reply, WorkerError>) {
        match outcome {
            Ok(reply) => {
                let mut results = B::unpack::<R>(reply).into_iter();
                for index in start..start + len {
                    let result = results.next().unwrap_or_else(|| {
                        Err(WorkerError::WorkerCrashed(
                            "the worker gave no result".into(),
                        ))
                    });
                    self.ready.push_back((index, result));
                }
            }
            Err(e) => {
                for index in start..start + len {
                    self.ready.push_back((index, Err(e.clone())));
                }
            }
        }
        self.done += len;
        let progress = Progress {
            done: self.done,
            total: self.total,
        };
        if let Some(report) = self.progress.as_mut() {
            report(progress);
        }
    }
}

// Nothing inside is pinned structurally: chunks, results and boxed futures all move freely.
impl<B: Backend, A, R> Unpin for MapUnordered<B, A, R> {}
impl<B: Backend, A, R> Unpin for Map<B, A, R> {}

impl<B, A, R> Stream for MapUnordered<B, A, R>
where
    B: Backend,
    A: Payload + MaybeSend,
    R: Payload + MaybeSend,
{
    type Item = (usize, Result<R, WorkerError>);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.ready.pop_front() {
                return Poll::Ready(Some(item));
            }
            if this.sending.is_none()
                && let Some((start, chunk)) = this.waiting.pop_front()
            {
                let (pool, func, len) = (this.pool.clone(), this.func, chunk.len());
                let submit = async move { pool.submit_items(func, chunk).await };
                this.sending = Some((start, len, Box::pin(submit)));
            }
            if let Some((start, len, submit)) = this.sending.as_mut() {
                let (start, len) = (*start, *len);
                if let Poll::Ready(submitted) = submit.as_mut().poll(cx) {
                    this.sending = None;
                    match submitted {
                        Ok(job) => this.running.push(Running { start, len, job }),
                        Err(e) => this.finish_chunk(start, len, Err(e)),
                    }
                    continue;
                }
            }
            match Pin::new(&mut this.running).poll_next(cx) {
                Poll::Ready(Some((start, len, outcome))) => this.finish_chunk(start, len, outcome),
                Poll::Ready(None) if this.sending.is_none() && this.waiting.is_empty() => {
                    return Poll::Ready(None);
                }
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.total - self.done + self.ready.len();
        (left, Some(left))
    }
}

impl<B: Backend, A, R> fmt::Debug for MapUnordered<B, A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapUnordered")
            .field("func", &self.func)
            .field("done", &self.done)
            .field("total", &self.total)
            .finish()
    }
}

/// The future of [`WorkerPool::map`]: every result in input order, or the first error.
///
/// Dropping it (or its finishing with an error) cancels every job still queued or running.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Map<B: Backend, A, R> {
    inner: Option<MapUnordered<B, A, R>>,
    results: Vec<Option<R>>,
}

impl<B, A, R> Map<B, A, R>
where
    B: Backend,
    A: Payload + MaybeSend,
    R: Payload + MaybeSend,
{
    pub(crate) fn new(inner: MapUnordered<B, A, R>) -> Self {
        let results = (0..inner.len()).map(|_| None).collect();
        Map {
            inner: Some(inner),
            results,
        }
    }

    /// Calls `report` each time a chunk finishes; see [`MapUnordered::on_progress`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    ///
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(2).build().unwrap();
    ///     let last = Arc::new(Mutex::new(None));
    ///     let seen = last.clone();
    ///     let out = pool
    ///         .map(square, 0..10)
    ///         .on_progress(move |p| *seen.lock().unwrap() = Some(p))
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out.len(), 10);
    ///     assert_eq!(*last.lock().unwrap(), Some(weft::offload::Progress { done: 10, total: 10 }));
    /// });
    /// ```
    pub fn on_progress(mut self, report: impl FnMut(Progress) + MaybeSend + 'static) -> Self {
        self.inner = self.inner.map(|inner| inner.on_progress(report));
        self
    }
}

impl<B, A, R> Future for Map<B, A, R>
where
    B: Backend,
    A: Payload + MaybeSend,
    R: Payload + MaybeSend,
{
    type Output = Result<Vec<R>, WorkerError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(Err(WorkerError::Cancelled));
        };
        loop {
            match Pin::new(&mut *inner).poll_next(cx) {
                Poll::Ready(Some((index, Ok(output)))) => this.results[index] = Some(output),
                Poll::Ready(Some((_, Err(e)))) => {
                    this.inner = None; // cancels the rest now
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(None) => {
                    this.inner = None;
                    let results = core::mem::take(&mut this.results);
                    return Poll::Ready(Ok(results.into_iter().flatten().collect()));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<B: Backend, A, R> fmt::Debug for Map<B, A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map").field("inner", &self.inner).finish()
    }
}
