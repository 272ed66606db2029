//! Async generators with bounded memory: Python's `for line in f: yield line.strip()`,
//! batching an `async for`, and periodic ticks.
//!
//! Each is a named [`Stream`] that holds at most one item's worth of data (a line, a chunk), so a
//! pipeline over input far larger than memory runs in constant memory:
//!
//! | Python | weft | memory held |
//! |---|---|---|
//! | `for line in open(path): yield line.strip()` (the seeds' `read_large_file`) | [`lines`]`(reader)` | the current line |
//! | batching an `async for` by count | [`chunks`]`(stream, n)` | one chunk of at most `n` |
//! | … by count or by time, whichever first | `weft::chunks_timeout(stream, n, d)` | one chunk of at most `n` |
//! | `while True: await asyncio.sleep(d)` without drift | `weft::interval(d)` | nothing |
//!
//! [`lines`] and [`chunks`] need no runtime. [`ChunksTimeout`] and [`Interval`] keep time, so
//! they are generic over a [`Runtime`](crate::Runtime); each backend binds them as
//! `weft::chunks_timeout`, `weft::interval` and `weft::interval_at`.
//!
//! All of them are plain streams: consume them with `futures_lite::StreamExt` (`next`,
//! `for_each`, `map`…). Dropping a stream cancels it and drops whatever it held (a partial line,
//! a partial chunk, a pending timer).
//!
//! # Examples
//!
//! ```
//! use futures_lite::{io::Cursor, StreamExt};
//!
//! weft::block_on(async {
//!     let file = Cursor::new("alpha\nbeta\r\ngamma\ndelta\nepsilon");
//!     let lines = weft::lines(file).map(|line| line.unwrap().to_uppercase());
//!     let batches: Vec<Vec<String>> = weft::chunks(lines, 2).unwrap().collect().await;
//!     assert_eq!(
//!         batches,
//!         [vec!["ALPHA", "BETA"], vec!["GAMMA", "DELTA"], vec!["EPSILON"]]
//!     );
//! });
//! ```

mod chunks;
mod chunks_timeout;
mod interval;
mod lines;

pub use chunks::{Chunks, chunks};
pub use chunks_timeout::ChunksTimeout;
pub use futures_lite::Stream;
pub use interval::{Interval, MissedTicks};
pub use lines::{Lines, lines};

/// Binds `chunks_timeout`, `interval`, `interval_at` and their stream types to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_stream {
    ($rt:ty) => {
        /// Chunks by size or by time on this runtime: see [`chunks_timeout`].
        pub type ChunksTimeout<S> = $crate::stream::ChunksTimeout<$rt, S>;

        /// Ticks on a fixed grid on this runtime: see [`interval`].
        pub type Interval = $crate::stream::Interval<$rt>;

        /// Groups `stream` into chunks of `size` items, or fewer once `wait` has passed since a
        /// chunk's first item, whichever comes first.
        ///
        /// Chunks are never empty; when the stream ends its partial chunk comes at once. At most
        /// `size` items are held. `size == 0` is a [`ConfigError`]($crate::ConfigError). Dropping
        /// the stream drops the partial chunk. See
        /// [`ChunksTimeout`]($crate::stream::ChunksTimeout) for the details.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        /// use futures_lite::{stream, StreamExt};
        ///
        /// weft::block_on(async {
        ///     // Two items at once, then nothing for a long time: the pair comes after 20 ms.
        ///     let trickle = stream::iter([1, 2]).chain(stream::pending());
        ///     let mut chunks = weft::chunks_timeout(trickle, 10, Duration::from_millis(20)).unwrap();
        ///     let start = weft::now();
        ///     assert_eq!(chunks.next().await, Some(vec![1, 2]));
        ///     assert!(weft::now() - start >= Duration::from_millis(20));
        ///
        ///     assert!(weft::chunks_timeout(stream::iter([1]), 0, Duration::ZERO).is_err());
        /// });
        /// ```
        pub fn chunks_timeout<S: $crate::stream::Stream>(
            stream: S,
            size: usize,
            wait: ::core::time::Duration,
        ) -> ::core::result::Result<ChunksTimeout<S>, $crate::ConfigError> {
            $crate::stream::ChunksTimeout::new(stream, size, wait)
        }

        /// A stream that ticks every `period`, the first tick one period from now, on a grid that
        /// never drifts: each tick is the previous tick's deadline plus `period`.
        ///
        /// Ticks missed while the consumer was busy come at once, one per poll, until caught up
        /// (change with `.missed_ticks(weft::stream::MissedTicks::Skip)`). The stream never ends;
        /// dropping it cancels the timer. `period == 0` is a [`ConfigError`]($crate::ConfigError).
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        /// use futures_lite::StreamExt;
        ///
        /// weft::block_on(async {
        ///     let start = weft::now();
        ///     let ticks: Vec<_> = weft::interval(Duration::from_millis(5)).unwrap().take(3).collect().await;
        ///     // Each tick is its deadline on the grid, exactly one period apart.
        ///     assert_eq!(ticks[2] - ticks[1], Duration::from_millis(5));
        ///     assert!(ticks[0] - start >= Duration::from_millis(5));
        ///     assert!(weft::interval(Duration::ZERO).is_err());
        /// });
        /// ```
        pub fn interval(
            period: ::core::time::Duration,
        ) -> ::core::result::Result<Interval, $crate::ConfigError> {
            $crate::stream::Interval::new(period)
        }

        /// A stream that ticks at `start`, then every `period` after it; see [`interval`].
        ///
        /// `weft::interval_at(weft::now(), d)` ticks at once, then every `d`.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        /// use futures_lite::StreamExt;
        ///
        /// weft::block_on(async {
        ///     let now = weft::now();
        ///     let mut ticks = weft::interval_at(now, Duration::from_millis(5)).unwrap();
        ///     assert_eq!(ticks.next().await, Some(now));
        ///     assert_eq!(ticks.next().await, Some(now + Duration::from_millis(5)));
        /// });
        /// ```
        pub fn interval_at(
            start: $crate::Instant,
            period: ::core::time::Duration,
        ) -> ::core::result::Result<Interval, $crate::ConfigError> {
            $crate::stream::Interval::at(start, period)
        }
    };
}
