//! Run many futures concurrently and collect every output in input order.
//!
//! [`gather()`] is `asyncio.gather`: all futures run at once and the outputs come back in the
//! order the futures were given, whatever order they finish in. Python's
//! `return_exceptions=True` is plain `gather` over futures that return `Result`s: every error is
//! kept in its slot. [`try_gather()`] is the fail-fast form: the first `Err` is returned and every
//! future still running is dropped (cancelled) at once.
//!
//! Both are plain futures: they need no runtime and work under any executor. The futures run in
//! the task that awaits the gather; spawn them first (`weft::spawn`) to spread them over threads.

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_util::stream::{FuturesOrdered, FuturesUnordered, StreamExt};

pin_project_lite::pin_project! {
    /// A future tagged with its position in the input.
    pub(crate) struct Indexed<F> {
        pub(crate) index: usize,
        #[pin]
        pub(crate) future: F,
    }
}

impl<F: Future> Future for Indexed<F> {
    type Output = (usize, F::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let index = *this.index;
        this.future.poll(cx).map(|output| (index, output))
    }
}

impl<F> Indexed<F> {
    /// The position in the input and the future itself, for handing an unfinished future back.
    pub(crate) fn into_parts(self) -> (usize, F) {
        (self.index, self.future)
    }
}

/// Puts every future of `futures` in a set that polls only the ones that were woken.
pub(crate) fn indexed_set<I>(
    futures: I,
) -> FuturesUnordered<Indexed<<I::Item as IntoFuture>::IntoFuture>>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    futures
        .into_iter()
        .enumerate()
        .map(|(index, future)| Indexed {
            index,
            future: future.into_future(),
        })
        .collect()
}

/// Runs every future concurrently and returns their outputs in input order.
///
/// Only the futures that were woken are polled again, so a gather of 100,000 futures costs
/// about the same per future as a gather of ten. Empty input gives an empty `Vec` at once.
/// Dropping the returned future drops (cancels) every future that has not finished.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// weft::block_on(async {
///     // The first future finishes last; its output still comes first.
///     let jobs = [30_u64, 20, 10].map(|ms| async move {
///         weft::sleep(Duration::from_millis(ms)).await;
///         ms * 2
///     });
///     assert_eq!(weft::gather(jobs).await, [60, 40, 20]);
///
///     // Python's return_exceptions=True: gather Results and every error keeps its slot.
///     let results = weft::gather((0..3).map(|i| async move {
///         if i == 1 { Err(format!("job {i} failed")) } else { Ok(i) }
///     })).await;
///     assert_eq!(results, [Ok(0), Err("job 1 failed".to_string()), Ok(2)]);
///
///     let none: Vec<u8> = weft::gather(Vec::<std::future::Ready<u8>>::new()).await;
///     assert!(none.is_empty());
/// });
/// ```
pub fn gather<I>(futures: I) -> Gather<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    let pending: FuturesOrdered<_> = futures.into_iter().map(IntoFuture::into_future).collect();
    let outputs = Vec::with_capacity(pending.len());
    Gather { pending, outputs }
}

/// Future returned by [`gather()`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Gather<F: Future> {
    // FuturesOrdered polls only woken futures and hands outputs over in input order, holding
    // back only those that finish early; in-order finishes go straight into `outputs`.
    pending: FuturesOrdered<F>,
    outputs: Vec<F::Output>,
}

// The outputs are never pinned; only the futures are, and they live in boxes inside the set.
impl<F: Future> Unpin for Gather<F> {}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            match this.pending.poll_next_unpin(cx) {
                Poll::Ready(Some(output)) => this.outputs.push(output),
                Poll::Ready(None) => return Poll::Ready(std::mem::take(&mut this.outputs)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("done", &self.outputs.len())
            .field("pending", &self.pending.len())
            .finish()
    }
}

/// Runs every future concurrently; returns all outputs in input order, or the first error.
///
/// On the first `Err` to happen, wherever its future is in the input, the remaining futures are
/// dropped (cancelled) at once and that error is returned; no later error is looked at. Empty input gives `Ok(vec![])` at once. Dropping the
/// returned future cancels every future that has not finished.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let all_ok = weft::try_gather([1, 2, 3].map(|i| async move { Ok::<_, String>(i * 10) }));
///     assert_eq!(all_ok.await, Ok(vec![10, 20, 30]));
///
///     // The fast failure wins at once; the slow job is cancelled, never finished.
///     let jobs = [(5_000_u64, true), (5, false)].map(|(ms, ok)| async move {
///         weft::sleep(Duration::from_millis(ms)).await;
///         if ok { Ok(ms) } else { Err(format!("failed after {ms} ms")) }
///     });
///     let start = weft::now();
///     assert_eq!(weft::try_gather(jobs).await, Err("failed after 5 ms".to_string()));
///     assert!(weft::now() - start < Duration::from_secs(4));
/// });
/// ```
pub fn try_gather<I, T, E>(futures: I) -> TryGather<<I::Item as IntoFuture>::IntoFuture, T>
where
    I: IntoIterator,
    I::Item: IntoFuture<Output = Result<T, E>>,
{
    let pending = indexed_set(futures);
    let outputs = (0..pending.len()).map(|_| None).collect();
    TryGather { pending, outputs }
}

/// Future returned by [`try_gather()`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct TryGather<F: Future, T> {
    // Unordered, so an error is seen the moment it happens, not once every future before it in
    // input order has finished; the outputs go to their input slots.
    pending: FuturesUnordered<Indexed<F>>,
    outputs: Vec<Option<T>>,
}

impl<F: Future, T> Unpin for TryGather<F, T> {}

impl<F: Future, T> TryGather<F, T> {
    /// Cancels the unfinished now, not when the caller gets round to dropping us. Out of line:
    /// the error path must not weigh on the loop that collects successes.
    #[cold]
    #[inline(never)]
    fn cancel_rest(&mut self) {
        self.pending = FuturesUnordered::new();
        self.outputs = Vec::new();
    }
}

impl<F, T, E> Future for TryGather<F, T>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            match this.pending.poll_next_unpin(cx) {
                Poll::Ready(Some((index, Ok(output)))) => this.outputs[index] = Some(output),
                Poll::Ready(Some((_, Err(error)))) => {
                    this.cancel_rest();
                    return Poll::Ready(Err(error));
                }
                Poll::Ready(None) => {
                    let outputs = std::mem::take(&mut this.outputs);
                    return Poll::Ready(Ok(outputs
                        .into_iter()
                        .map(|output| output.expect("every future finished"))
                        .collect()));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<F: Future, T> fmt::Debug for TryGather<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("done", &self.outputs.iter().filter(|o| o.is_some()).count())
            .field("pending", &self.pending.len())
            .finish()
    }
}
