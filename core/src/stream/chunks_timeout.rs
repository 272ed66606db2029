//! [`ChunksTimeout`]: a stream's items in groups of `n`, or fewer once a chunk has waited long
//! enough.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use futures_lite::Stream;

use super::chunks::RESERVE_LIMIT;
use crate::error::ConfigError;
use crate::runtime::Runtime;

pin_project_lite::pin_project! {
    /// Groups a stream's items into chunks of `size`, yielding a shorter chunk once `wait` has
    /// passed since the chunk's first item; generic over the [`Runtime`] that keeps time.
    ///
    /// Made by `weft::chunks_timeout(stream, size, wait)` (or [`ChunksTimeout::new`] for an
    /// explicit runtime). The batching a consumer of a queue wants: full batches under load,
    /// prompt small batches when items trickle in.
    ///
    /// - A chunk is yielded when it holds `size` items or when `wait` has passed since its first
    ///   item arrived, whichever comes first. Chunks are never empty: with no items, no timer runs
    ///   and nothing is yielded.
    /// - When the stream ends, the partial chunk (if any) is yielded at once, then the stream ends.
    /// - The clock is checked whenever the inner stream has nothing ready; a stream that always has
    ///   an item ready fills chunks to `size`. So `wait == 0` means "whatever is ready now, up to
    ///   `size`".
    /// - `size == 0` is a [`ConfigError`]. Dropping the stream drops the partial chunk and the
    ///   timer.
    #[must_use = "streams do nothing unless polled"]
    pub struct ChunksTimeout<R: Runtime, S: Stream> {
        #[pin]
        stream: S,
        #[pin]
        timer: Option<R::Sleep>,
        size: usize,
        wait: Duration,
        chunk: Vec<S::Item>,
        done: bool,
        runtime: PhantomData<fn() -> R>,
    }
}

impl<R: Runtime, S: Stream> ChunksTimeout<R, S> {
    /// Groups `stream` into chunks of `size` items, or fewer once `wait` has passed since a
    /// chunk's first item.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures_lite::{stream, StreamExt};
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft_core::stream::ChunksTimeout;
    ///
    /// let chunks = testing::run(async {
    ///     // Three items 10 ms apart, then two 40 ms apart.
    ///     let items = stream::iter([("a", 10), ("b", 10), ("c", 10), ("d", 40), ("e", 40)])
    ///         .then(|(item, ms)| async move {
    ///             testing::sleep(Duration::from_millis(ms)).await;
    ///             item
    ///         });
    ///     let start = testing::now();
    ///     // A chunk closes at 3 items or 25 ms after its first item.
    ///     ChunksTimeout::<VirtualRuntime, _>::new(items, 3, Duration::from_millis(25))
    ///         .unwrap()
    ///         .map(|chunk| (chunk, (testing::now() - start).as_millis()))
    ///         .collect::<Vec<_>>()
    ///         .await
    /// });
    /// assert_eq!(
    ///     chunks,
    ///     [
    ///         (vec!["a", "b", "c"], 30), // full
    ///         (vec!["d"], 95),           // 25 ms after "d" arrived at 70
    ///         (vec!["e"], 110),          // the stream ended
    ///     ]
    /// );
    /// ```
    pub fn new(stream: S, size: usize, wait: Duration) -> Result<Self, ConfigError> {
        let size = ConfigError::at_least_one("size", size)?;
        Ok(ChunksTimeout {
            stream,
            timer: None,
            size,
            wait,
            chunk: Vec::new(),
            done: false,
            runtime: PhantomData,
        })
    }
}

impl<R: Runtime, S: Stream> Stream for ChunksTimeout<R, S> {
    type Item = Vec<S::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        loop {
            match this.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => {
                    if this.chunk.is_empty() {
                        this.chunk.reserve((*this.size).min(RESERVE_LIMIT));
                        // A wait past the clock's range never expires: no timer at all.
                        let deadline = R::now().checked_add(*this.wait);
                        this.timer.set(deadline.map(R::sleep_until));
                    }
                    this.chunk.push(item);
                    if this.chunk.len() >= *this.size {
                        this.timer.set(None);
                        return Poll::Ready(Some(core::mem::take(this.chunk)));
                    }
                }
                Poll::Ready(None) => {
                    *this.done = true;
                    this.timer.set(None);
                    if this.chunk.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(core::mem::take(this.chunk)));
                }
                Poll::Pending => break,
            }
        }
        // The timer runs only while the chunk holds items, so a chunk yielded here is not empty.
        if let Some(timer) = this.timer.as_mut().as_pin_mut()
            && timer.poll(cx).is_ready()
        {
            this.timer.set(None);
            return Poll::Ready(Some(core::mem::take(this.chunk)));
        }
        Poll::Pending
    }
}

impl<R: Runtime, S: Stream> fmt::Debug for ChunksTimeout<R, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunksTimeout")
            .field("size", &self.size)
            .field("wait", &self.wait)
            .field("held", &self.chunk.len())
            .field("done", &self.done)
            .finish()
    }
}
