//! [`chunks`]: a stream's items in groups of `n`.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_lite::Stream;

use crate::error::ConfigError;

/// The most a chunk buffer reserves up front: a huge `n` must not allocate a huge empty `Vec`.
pub(super) const RESERVE_LIMIT: usize = 1024;

pin_project_lite::pin_project! {
    /// The stream of [`chunks`]: the items of a stream in `Vec`s of `n`, the last one shorter.
    #[must_use = "streams do nothing unless polled"]
    pub struct Chunks<S: Stream> {
        #[pin]
        stream: S,
        size: usize,
        chunk: Vec<S::Item>,
        done: bool,
    }
}

/// Groups the items of `stream` into `Vec`s of `size` items, in order; the last chunk holds
/// what is left (never empty).
///
/// A chunk is yielded as soon as it is full, so at most `size` items are held at a time. Empty
/// input yields no chunk; `size == 0` is a [`ConfigError`]. Dropping the stream drops the items
/// of the partial chunk. A chunk waits for its `size`-th item however long that takes; to yield
/// partial chunks after a while, use `weft::chunks_timeout`.
///
/// # Examples
///
/// ```
/// use futures_lite::{stream, StreamExt};
///
/// weft::block_on(async {
///     let chunks: Vec<Vec<u32>> = weft::chunks(stream::iter(1..=7), 3).unwrap().collect().await;
///     assert_eq!(chunks, [vec![1, 2, 3], vec![4, 5, 6], vec![7]]);
///
///     let none: Vec<Vec<u32>> = weft::chunks(stream::empty(), 3).unwrap().collect().await;
///     assert!(none.is_empty());
///
///     let err = weft::chunks(stream::iter(1..=7), 0).unwrap_err();
///     assert_eq!(err.to_string(), "invalid size: must be at least 1, got 0");
/// });
/// ```
pub fn chunks<S: Stream>(stream: S, size: usize) -> Result<Chunks<S>, ConfigError> {
    let size = ConfigError::at_least_one("size", size)?;
    Ok(Chunks {
        stream,
        size,
        chunk: Vec::new(),
        done: false,
    })
}

impl<S: Stream> Stream for Chunks<S> {
    type Item = Vec<S::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        loop {
            match this.stream.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(item)) => {
                    if this.chunk.is_empty() {
                        this.chunk.reserve((*this.size).min(RESERVE_LIMIT));
                    }
                    this.chunk.push(item);
                    if this.chunk.len() >= *this.size {
                        return Poll::Ready(Some(core::mem::take(this.chunk)));
                    }
                }
                Poll::Ready(None) => {
                    *this.done = true;
                    if this.chunk.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(core::mem::take(this.chunk)));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            return (0, Some(0));
        }
        let (low, high) = self.stream.size_hint();
        let held = self.chunk.len();
        let low = low.saturating_add(held) / self.size;
        let high = high
            .and_then(|h| h.checked_add(held))
            .map(|n| n.div_ceil(self.size));
        (low, high)
    }
}

impl<S: Stream> fmt::Debug for Chunks<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chunks")
            .field("size", &self.size)
            .field("held", &self.chunk.len())
            .field("done", &self.done)
            .finish()
    }
}
