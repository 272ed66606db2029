//! Bound how many futures run at once: a semaphore, a limiter, and a concurrent map.
//!
//! This is `asyncio.Semaphore` / `threading.Semaphore` and the seeds' "fetch with a semaphore"
//! idiom. [`Semaphore`] is async-lock's, re-exported: `acquire().await` gives a guard that
//! releases its permit on drop. [`Limiter`] wraps one for the common case,
//! `limiter.run(fut).await` (`async with sem: await fut`). [`map_concurrent()`] and
//! [`map_concurrent_unordered()`] run `f(item)` over many items with at most `limit` in flight,
//! pulling items from the iterator only as slots free up, so memory stays bounded by the limit
//! even for endless input.
//!
//! None of these needs a runtime: the futures run in the task that awaits them (like futures'
//! `buffer_unordered`); spawn inside `f` to spread the work over threads.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use weft::Semaphore;
//!
//! weft::block_on(async {
//!     // asyncio.Semaphore(3): `async with sem:` is a guard held across the work.
//!     let sem = Arc::new(Semaphore::new(3));
//!     let fetches = (0..10).map(|i| {
//!         let sem = sem.clone();
//!         async move {
//!             let _permit = sem.acquire().await;
//!             weft::sleep(Duration::from_millis(1)).await;
//!             i
//!         }
//!     });
//!     assert_eq!(weft::gather(fetches).await, (0..10).collect::<Vec<_>>());
//!     assert_eq!(sem.available_permits(), 3);
//! });
//! ```

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::Arc;

use futures_util::stream::{FusedStream, FuturesUnordered, Stream, StreamExt};

use crate::error::ConfigError;
use crate::gather::Indexed;

/// async-lock's semaphore, the futures that acquire it and the guards that hold a permit.
///
/// `Semaphore::new(n)`, `acquire().await` (or `acquire_arc()` for a guard that owns an
/// `Arc`), `try_acquire()`, and `acquire_blocking()` natively. A guard releases its permit when
/// dropped; a dropped `acquire` future gives up its place in line without taking a permit.
/// Unlike Python 3.11's `asyncio.Semaphore`, waiters are not served in a guaranteed order.
pub use async_lock::{Semaphore, SemaphoreGuard, SemaphoreGuardArc};

/// The futures returned by [`Semaphore::acquire`] and [`Semaphore::acquire_arc`].
pub use async_lock::futures::{Acquire, AcquireArc};

/// Runs futures with at most `n` of them in flight at any moment; cheap to clone.
///
/// Clones share the same permits, so hand a clone to every task that must respect the limit.
/// It is a [`Semaphore`] used the way the seeds use `async with semaphore:`; reach for the
/// semaphore itself to hold a permit across more than one future.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft::Limiter;
///
/// weft::block_on(async {
///     let limiter = Limiter::new(2).unwrap();
///     let jobs = (0..6).map(|i| {
///         let limiter = limiter.clone();
///         async move {
///             limiter.run(async {
///                 assert!(limiter.in_flight() <= 2);
///                 weft::sleep(Duration::from_millis(2)).await;
///                 i * 10
///             }).await
///         }
///     });
///     assert_eq!(weft::gather(jobs).await, [0, 10, 20, 30, 40, 50]);
///     assert_eq!(limiter.in_flight(), 0);
/// });
/// ```
#[derive(Clone)]
pub struct Limiter {
    semaphore: Arc<Semaphore>,
    limit: usize,
}

impl Limiter {
    /// A limiter that lets at most `limit` futures run at once.
    ///
    /// A `limit` of 0 could never run anything and is a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::Limiter;
    ///
    /// assert_eq!(Limiter::new(4).unwrap().limit(), 4);
    /// let err = Limiter::new(0).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid limit: must be at least 1, got 0");
    /// ```
    pub fn new(limit: usize) -> Result<Limiter, ConfigError> {
        let limit = ConfigError::at_least_one("limit", limit)?;
        Ok(Limiter {
            semaphore: Arc::new(Semaphore::new(limit)),
            limit,
        })
    }

    /// Runs `future` once a permit is free, holding the permit until it finishes.
    ///
    /// The future is not polled before its permit is held, and the permit is released the
    /// moment it finishes. Waiters are not strictly first come, first served: async-lock's
    /// semaphore does not promise an order (smol-rs/async-lock#23), and a waiter woken just as
    /// another took the permit queues again. Dropping the returned future while it waits gives up its place in line and
    /// takes nothing; dropping it while it runs drops `future` and releases the permit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::Limiter;
    ///
    /// weft::block_on(async {
    ///     let limiter = Limiter::new(1).unwrap();
    ///     assert_eq!(limiter.run(async { "done" }).await, "done");
    ///
    ///     // A waiter that gives up leaves the permit for the next one.
    ///     let waiter_gone = weft::sync::Event::new();
    ///     let held = limiter.run(waiter_gone.wait()); // holds the permit until then
    ///     let gave_up = async {
    ///         let out = weft::timeout(Duration::from_millis(5), limiter.run(async { 1 })).await;
    ///         waiter_gone.set();
    ///         out
    ///     };
    ///     let (_, gave_up, next) = weft::gather!(held, gave_up, limiter.run(async { 2 })).await;
    ///     assert!(gave_up.is_err());
    ///     assert_eq!(next, 2);
    /// });
    /// ```
    pub fn run<F: IntoFuture>(&self, future: F) -> Limited<F::IntoFuture> {
        Limited {
            future: future.into_future(),
            acquire: Some(self.semaphore.acquire_arc()),
            permit: None,
        }
    }

    /// How many futures hold a permit right now.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::Limiter;
    ///
    /// weft::block_on(async {
    ///     let limiter = Limiter::new(3).unwrap();
    ///     assert_eq!(limiter.in_flight(), 0);
    ///     let seen = limiter.run(async { limiter.in_flight() }).await;
    ///     assert_eq!(seen, 1);
    ///     assert_eq!(limiter.in_flight(), 0);
    /// });
    /// ```
    pub fn in_flight(&self) -> usize {
        self.limit - self.semaphore.available_permits()
    }

    /// The most futures this limiter lets run at once.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::Limiter::new(8).unwrap().limit(), 8);
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl fmt::Debug for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limiter")
            .field("limit", &self.limit)
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`Limiter::run`]: waits for a permit, then runs the inner future.
    ///
    /// Outputs the inner future's output. Dropping it while waiting takes no permit; dropping it
    /// while running drops the inner future and releases the permit.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Limited<F> {
        #[pin]
        future: F,
        #[pin]
        acquire: Option<AcquireArc>,
        permit: Option<SemaphoreGuardArc>,
    }
}

impl<F: Future> Future for Limited<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if let Some(acquire) = this.acquire.as_mut().as_pin_mut() {
            let permit = ready!(acquire.poll(cx));
            *this.permit = Some(permit);
            this.acquire.set(None);
        }
        let output = ready!(this.future.poll(cx));
        // Release now, not when the caller gets round to dropping this future.
        *this.permit = None;
        Poll::Ready(output)
    }
}

impl<F> fmt::Debug for Limited<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limited")
            .field("holds_permit", &self.permit.is_some())
            .finish()
    }
}

/// The sliding window both concurrent maps share: at most `limit` futures, refilled lazily.
struct Window<I, F, Fut> {
    in_flight: FuturesUnordered<Indexed<Fut>>,
    items: I,
    f: F,
    next_index: usize,
    limit: usize,
    exhausted: bool,
}

impl<I, F, Fut> Window<I, F, Fut>
where
    I: Iterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future,
{
    fn new(items: I, limit: usize, f: F) -> Result<Self, ConfigError> {
        Ok(Window {
            in_flight: FuturesUnordered::new(),
            items,
            f,
            next_index: 0,
            limit: ConfigError::at_least_one("limit", limit)?,
            exhausted: false,
        })
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<(usize, Fut::Output)>> {
        // Pull items only while there is room: the iterator may be endless.
        while !self.exhausted && self.in_flight.len() < self.limit {
            match self.items.next() {
                Some(item) => {
                    let future = (self.f)(item);
                    self.in_flight.push(Indexed {
                        index: self.next_index,
                        future,
                    });
                    self.next_index += 1;
                }
                // Iterators need not be fused: never call `next` again after `None`.
                None => self.exhausted = true,
            }
        }
        // With a limit of at least 1, an empty set here means the input is exhausted.
        self.in_flight.poll_next_unpin(cx)
    }

    fn is_done(&self) -> bool {
        self.exhausted && self.in_flight.is_empty()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.exhausted {
            return (self.in_flight.len(), Some(self.in_flight.len()));
        }
        let (low, high) = self.items.size_hint();
        let running = self.in_flight.len();
        (
            low.saturating_add(running),
            high.and_then(|h| h.checked_add(running)),
        )
    }
}

/// Runs `f(item)` for every item with at most `limit` in flight; outputs in input order.
///
/// The seeds' `gather(*[fetch_with_sem(url) for url in urls])` with `Semaphore(limit)`, without
/// creating every future up front: items are pulled from `items` only as slots free up, so at
/// most `limit` futures (and items) exist at once. The futures run in the calling task (no
/// spawning); spawn inside `f` to use other threads. A `limit` of 0 is a [`ConfigError`];
/// empty input gives an empty `Vec` at once. Dropping the returned future drops (cancels) the
/// futures in flight; items not yet pulled are dropped with the iterator, never started.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let doubled = weft::map_concurrent([30_u64, 10, 20], 2, |ms| async move {
///         weft::sleep(Duration::from_millis(ms)).await;
///         ms * 2
///     })
///     .unwrap()
///     .await;
///     assert_eq!(doubled, [60, 20, 40]); // input order, whatever the finish order
///
///     // The iterator is pulled lazily, so endless input is fine when it is cut short.
///     let first = weft::map_concurrent((0..).take(5), 3, |i| async move { i }).unwrap().await;
///     assert_eq!(first, [0, 1, 2, 3, 4]);
///
///     assert!(weft::map_concurrent(Vec::<u8>::new(), 4, |x| async move { x }).unwrap().await.is_empty());
///     assert!(weft::map_concurrent([1], 0, |x| async move { x }).is_err());
/// });
/// ```
pub fn map_concurrent<I, F, Fut>(
    items: I,
    limit: usize,
    f: F,
) -> Result<MapConcurrent<I::IntoIter, F, Fut>, ConfigError>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future,
{
    let items = items.into_iter();
    let outputs = Vec::with_capacity(items.size_hint().0);
    Ok(MapConcurrent {
        window: Window::new(items, limit, f)?,
        outputs,
    })
}

/// Future returned by [`map_concurrent()`]; outputs every result in input order.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct MapConcurrent<I, F, Fut: Future> {
    window: Window<I, F, Fut>,
    outputs: Vec<Option<Fut::Output>>,
}

// Nothing here is pinned in place: the futures live in boxes inside the `FuturesUnordered`.
impl<I, F, Fut: Future> Unpin for MapConcurrent<I, F, Fut> {}

impl<I, F, Fut> Future for MapConcurrent<I, F, Fut>
where
    I: Iterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future,
{
    type Output = Vec<Fut::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        while let Some((index, output)) = ready!(this.window.poll_next(cx)) {
            if index >= this.outputs.len() {
                this.outputs.resize_with(index + 1, || None);
            }
            this.outputs[index] = Some(output);
        }
        let outputs = std::mem::take(&mut this.outputs);
        Poll::Ready(
            outputs
                .into_iter()
                .map(|output| output.expect("every pulled item finished"))
                .collect(),
        )
    }
}

impl<I, F, Fut: Future> fmt::Debug for MapConcurrent<I, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapConcurrent")
            .field("limit", &self.window.limit)
            .field("in_flight", &self.window.in_flight.len())
            .field("started", &self.window.next_index)
            .finish()
    }
}

/// Runs `f(item)` for every item with at most `limit` in flight; yields `(index, output)` as
/// each finishes.
///
/// The streaming twin of [`map_concurrent()`] (futures' `buffer_unordered`, `asyncio`'s
/// `as_completed` over semaphore-guarded tasks): outputs come in finish order, tagged with the
/// item's position in the input. Items are pulled lazily as slots free up, and only while the
/// stream is polled: a consumer that stops reading stops new work. A `limit` of 0 is a
/// [`ConfigError`]; empty input ends the stream at once. Dropping the stream drops (cancels)
/// the futures in flight.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures_lite::StreamExt;
///
/// weft::block_on(async {
///     let finished: Vec<(usize, u64)> = weft::map_concurrent_unordered([30_u64, 10, 20], 3, |ms| async move {
///         weft::sleep(Duration::from_millis(ms)).await;
///         ms
///     })
///     .unwrap()
///     .collect()
///     .await;
///     assert_eq!(finished, [(1, 10), (2, 20), (0, 30)]);
/// });
/// ```
pub fn map_concurrent_unordered<I, F, Fut>(
    items: I,
    limit: usize,
    f: F,
) -> Result<MapConcurrentUnordered<I::IntoIter, F, Fut>, ConfigError>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future,
{
    Ok(MapConcurrentUnordered {
        window: Window::new(items.into_iter(), limit, f)?,
    })
}

/// Stream returned by [`map_concurrent_unordered()`]: `(input index, output)` in finish order.
#[must_use = "streams do nothing unless polled"]
pub struct MapConcurrentUnordered<I, F, Fut> {
    window: Window<I, F, Fut>,
}

impl<I, F, Fut> Unpin for MapConcurrentUnordered<I, F, Fut> {}

impl<I, F, Fut> Stream for MapConcurrentUnordered<I, F, Fut>
where
    I: Iterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future,
{
    type Item = (usize, Fut::Output);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Once done, the empty set keeps answering `None` and the exhausted input is not pulled.
        self.window.poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.window.size_hint()
    }
}

impl<I, F, Fut> FusedStream for MapConcurrentUnordered<I, F, Fut>
where
    I: Iterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future,
{
    fn is_terminated(&self) -> bool {
        self.window.is_done()
    }
}

impl<I, F, Fut> fmt::Debug for MapConcurrentUnordered<I, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapConcurrentUnordered")
            .field("limit", &self.window.limit)
            .field("in_flight", &self.window.in_flight.len())
            .field("started", &self.window.next_index)
            .finish()
    }
}
