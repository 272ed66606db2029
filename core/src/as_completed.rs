//! Take outputs as they finish: a stream of `(index, output)` in finish order.
//!
//! [`as_completed()`] is `asyncio.as_completed`: every future runs at once and each output is
//! yielded the moment its future finishes. Python's loop hands back bare results; a Rust future
//! carries no identity, so each item also says which input it came from: its index in the input.
//!
//! It is a plain [`Stream`]: it needs no runtime and works under any executor. Read it with
//! `while let Some((i, v)) = stream.next().await` (`weft::StreamExt`, futures-lite's trait).

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_lite::Stream;
use futures_util::stream::{FusedStream, FuturesUnordered, StreamExt as _};

use crate::gather::{Indexed, indexed_set};

/// Runs every future concurrently and yields `(index, output)` as each one finishes.
///
/// `index` is the future's position in the input. Items come in finish order; the stream ends
/// after the last future's output. Only the futures that were woken are polled again, so the
/// cost per item stays flat however many futures there are.
///
/// - Empty input: the stream ends at once.
/// - Dropping the stream drops (cancels) every future that has not finished; stopping early is
///   how to cancel the rest.
/// - Errors are outputs like any other: a future returning `Result` yields its `Err` in place.
///
/// # Examples
///
/// The seeds' three APIs, on the virtual clock so the times are exact:
///
/// ```
/// use std::time::Duration;
/// use weft::StreamExt;
/// use weft::testing::{self, VirtualRuntime};
///
/// let order = testing::run(async {
///     let urls = [("api1", 2000), ("api2", 500), ("api3", 1000)];
///     let fetches = urls.map(|(url, ms)| async move {
///         testing::sleep(Duration::from_millis(ms)).await;
///         url
///     });
///     let start = testing::now();
///     let mut finished = Vec::new();
///     let mut stream = weft::as_completed(fetches);
///     while let Some((index, url)) = stream.next().await {
///         finished.push((index, url, testing::now() - start));
///     }
///     finished
/// });
/// assert_eq!(order, [
///     (1, "api2", Duration::from_millis(500)),
///     (2, "api3", Duration::from_millis(1000)),
///     (0, "api1", Duration::from_millis(2000)),
/// ]);
/// ```
pub fn as_completed<I>(futures: I) -> AsCompleted<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    AsCompleted {
        pending: indexed_set(futures),
    }
}

/// Stream returned by [`as_completed()`]: `(index, output)` in finish order.
///
/// Dropping it cancels the futures that have not finished.
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F> {
    pending: FuturesUnordered<Indexed<F>>,
}

// The futures live in boxes inside the set; the stream itself is never pinned in place.
impl<F> Unpin for AsCompleted<F> {}

impl<F> AsCompleted<F> {
    /// How many futures have not finished yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::StreamExt;
    ///
    /// weft::block_on(async {
    ///     let mut stream = weft::as_completed([1, 2].map(|i| async move { i }));
    ///     assert_eq!(stream.len(), 2);
    ///     stream.next().await;
    ///     assert_eq!(stream.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether every future has finished (or there were none).
    ///
    /// # Examples
    ///
    /// ```
    /// let none = weft::as_completed(Vec::<std::future::Ready<()>>::new());
    /// assert!(none.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = (usize, F::Output);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.pending.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.pending.len(), Some(self.pending.len()))
    }
}

impl<F: Future> FusedStream for AsCompleted<F> {
    fn is_terminated(&self) -> bool {
        self.pending.is_terminated()
    }
}

impl<F> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("pending", &self.pending.len())
            .finish()
    }
}
