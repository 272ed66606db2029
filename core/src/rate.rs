//! Bound how often work starts: at most `max` starts in any window of length `per`.
//!
//! The seeds' `RateLimiter(max_calls=5, period=1.0)` (`async with limiter:`), without its
//! drift: [`RateLimiter`] keeps a sliding-window log of the last `max` start times, so in EVERY
//! window `[t, t + per)` at most `max` starts happen, wherever the window is placed. (A token
//! bucket does not promise that: a full bucket emptied at the end of one period and refilled
//! during the next lets up to `2 × max − 1` starts into one window.)
//!
//! It limits how often work *starts*, not how much runs at once; combine it with a
//! [`Limiter`](crate::limit::Limiter) for both. Waiters are served first come, first served;
//! a waiter that gives up (its future dropped) never uses a slot. The generic form is
//! `RateLimiter<R>` over a [`Runtime`]; each backend binds it as `weft::RateLimiter`.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use weft::testing::{self, VirtualRuntime};
//! use weft_core::rate::RateLimiter;
//!
//! // On the virtual clock: 5 calls per second, 12 calls.
//! let starts = testing::run(async {
//!     let limiter = RateLimiter::<VirtualRuntime>::new(5, Duration::from_secs(1)).unwrap();
//!     let t0 = testing::now();
//!     let mut starts = Vec::new();
//!     for _ in 0..12 {
//!         limiter.acquire().await;
//!         starts.push((testing::now() - t0).as_secs());
//!     }
//!     starts
//! });
//! assert_eq!(starts, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]);
//! ```

use core::fmt;
use core::future::{Future, IntoFuture};
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker, ready};
use core::time::Duration;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use web_time::Instant;

use crate::error::ConfigError;
use crate::runtime::Runtime;

/// Lets at most `max` starts happen in any window of length `per`; cheap to clone.
///
/// Clones share one log, so hand a clone to every task that must respect the rate. Made by
/// [`RateLimiter::new`] or [`RateLimiter::with_burst`]; `weft::RateLimiter` is this type on
/// the target's runtime.
///
/// Memory: the log holds the start times of the last `per`, never more than `max` (16 bytes
/// each); a steady rate allocates nothing once the log has grown to it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let limiter = weft::RateLimiter::new(3, Duration::from_secs(60)).unwrap();
///     assert!(limiter.try_acquire());
///     limiter.acquire().await;
///     assert_eq!(limiter.run(async { "third" }).await, "third");
///     // A fourth start within the minute would have to wait.
///     assert!(!limiter.try_acquire());
/// });
/// ```
pub struct RateLimiter<R> {
    inner: Arc<Inner>,
    runtime: PhantomData<fn() -> R>,
}

struct Inner {
    max: usize,
    per: Duration,
    burst: usize,
    /// `per × burst / max`: the window in which at most `burst` starts may happen.
    burst_window: Duration,
    state: Mutex<State>,
}

struct State {
    /// The start times of the last `per`, at most `max` of them, oldest first.
    starts: VecDeque<Instant>,
    /// Waiting `acquire`s, first come first; ids increase from front to back.
    waiters: VecDeque<Waiter>,
    next_id: u64,
}

struct Waiter {
    id: u64,
    waker: Waker,
}

/// When the next start may happen.
enum Slot {
    Free,
    At(Instant),
    /// The period is so long that the slot frees past the clock's range.
    Never,
}

impl<R: Runtime> RateLimiter<R> {
    /// A limiter allowing at most `max` starts in any window of length `per`.
    ///
    /// All `max` may happen back to back (use [`RateLimiter::with_burst`] to spread them). A
    /// `max` of 0 or a zero `per` is a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let limiter = weft::RateLimiter::new(100, Duration::from_secs(1)).unwrap();
    /// assert_eq!((limiter.max(), limiter.per(), limiter.burst()), (100, Duration::from_secs(1), 100));
    ///
    /// let err = weft::RateLimiter::new(0, Duration::from_secs(1)).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid max: must be at least 1, got 0");
    /// assert!(weft::RateLimiter::new(5, Duration::ZERO).is_err());
    /// ```
    pub fn new(max: usize, per: Duration) -> Result<Self, ConfigError> {
        Self::with_burst(max, per, max)
    }

    /// A limiter allowing at most `max` starts per `per`, and at most `burst` back to back.
    ///
    /// The rule, exactly: at most `max` starts in any window of length `per`, AND at most
    /// `burst` starts in any window of length `per × burst / max` (rounded down to the
    /// nanosecond). So `burst = 1` spaces starts evenly, `per / max` apart; `burst = max` is
    /// [`RateLimiter::new`]. Needs `1 <= burst <= max`, otherwise it is a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft_core::rate::RateLimiter;
    ///
    /// // 10 per second, at most 5 back to back: two bursts of 5, half a second apart.
    /// let starts = testing::run(async {
    ///     let limiter = RateLimiter::<VirtualRuntime>::with_burst(10, Duration::from_secs(1), 5).unwrap();
    ///     let t0 = testing::now();
    ///     let mut starts = Vec::new();
    ///     for _ in 0..10 {
    ///         limiter.acquire().await;
    ///         starts.push((testing::now() - t0).as_millis());
    ///     }
    ///     starts
    /// });
    /// assert_eq!(starts, [0, 0, 0, 0, 0, 500, 500, 500, 500, 500]);
    ///
    /// assert!(RateLimiter::<VirtualRuntime>::with_burst(10, Duration::from_secs(1), 11).is_err());
    /// ```
    pub fn with_burst(max: usize, per: Duration, burst: usize) -> Result<Self, ConfigError> {
        let max = ConfigError::at_least_one("max", max)?;
        if per.is_zero() {
            return Err(ConfigError::new("per", "must be longer than zero"));
        }
        if burst == 0 || burst > max {
            return Err(ConfigError::new(
                "burst",
                format!("must be between 1 and max ({max}), got {burst}"),
            ));
        }
        let nanos = per.as_nanos() * burst as u128 / max as u128;
        let burst_window = Duration::new(
            (nanos / 1_000_000_000) as u64,
            (nanos % 1_000_000_000) as u32,
        );
        Ok(RateLimiter {
            inner: Arc::new(Inner {
                max,
                per,
                burst,
                burst_window,
                state: Mutex::new(State {
                    starts: VecDeque::new(),
                    waiters: VecDeque::new(),
                    next_id: 0,
                }),
            }),
            runtime: PhantomData,
        })
    }

    /// Waits for a start slot; the start is counted the moment the future completes.
    ///
    /// Ready at once (one lock, one clock read, no allocation) when nobody is waiting and the
    /// window has room. Otherwise the caller joins a first-come-first-served line and sleeps
    /// until its slot frees. Dropping the future while it waits gives up its place: it never
    /// uses a slot, and the next waiter moves up.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft_core::rate::RateLimiter;
    ///
    /// let waited = testing::run(async {
    ///     let limiter = RateLimiter::<VirtualRuntime>::new(2, Duration::from_millis(100)).unwrap();
    ///     let t0 = testing::now();
    ///     limiter.acquire().await;
    ///     limiter.acquire().await;
    ///     limiter.acquire().await; // the window is full until the first start is 100 ms old
    ///     testing::now() - t0
    /// });
    /// assert_eq!(waited, Duration::from_millis(100));
    /// ```
    pub fn acquire(&self) -> Acquire<'_, R> {
        Acquire {
            inner: &self.inner,
            ticket: None,
            sleep: None,
            sleeping_until: None,
        }
    }

    /// Takes a start slot if one is free now and nobody is waiting; never waits.
    ///
    /// Returns `false` when the window is full or other callers are already waiting (it does
    /// not jump the line).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let limiter = weft::RateLimiter::new(2, Duration::from_secs(60)).unwrap();
    /// assert!(limiter.try_acquire());
    /// assert!(limiter.try_acquire());
    /// assert!(!limiter.try_acquire());
    /// ```
    pub fn try_acquire(&self) -> bool {
        let mut state = self.inner.lock();
        let now = R::now();
        if state.waiters.is_empty() && matches!(self.inner.next_slot(&state, now), Slot::Free) {
            self.inner.record(&mut state, now);
            true
        } else {
            false
        }
    }

    /// Waits for a start slot, then runs `future`; the seeds' `async with limiter:`.
    ///
    /// The slot is taken before `future` is first polled. Dropping the returned future while
    /// it waits uses no slot; dropping it later drops `future` (the slot stays used: the start
    /// happened).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft_core::rate::RateLimiter;
    ///
    /// let (out, took) = testing::run(async {
    ///     let limiter = RateLimiter::<VirtualRuntime>::new(5, Duration::from_secs(1)).unwrap();
    ///     let t0 = testing::now();
    ///     let calls = (0..20).map(|i| limiter.run(async move { i }));
    ///     (weft::gather(calls).await, testing::now() - t0)
    /// });
    /// assert_eq!(out, (0..20).collect::<Vec<_>>());
    /// assert_eq!(took, Duration::from_secs(3)); // 5 at 0 s, 1 s, 2 s and 3 s
    /// ```
    pub fn run<F: IntoFuture>(&self, future: F) -> RateLimited<'_, R, F::IntoFuture> {
        RateLimited {
            acquire: self.acquire(),
            future: future.into_future(),
            started: false,
        }
    }

    /// The most starts in any window of length [`per`](Self::per).
    ///
    /// # Examples
    ///
    /// ```
    /// let limiter = weft::RateLimiter::new(7, std::time::Duration::from_secs(1)).unwrap();
    /// assert_eq!(limiter.max(), 7);
    /// ```
    pub fn max(&self) -> usize {
        self.inner.max
    }

    /// The length of the window.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let limiter = weft::RateLimiter::new(7, Duration::from_millis(250)).unwrap();
    /// assert_eq!(limiter.per(), Duration::from_millis(250));
    /// ```
    pub fn per(&self) -> Duration {
        self.inner.per
    }

    /// The most starts back to back (`max` unless set by [`RateLimiter::with_burst`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let limiter = weft::RateLimiter::with_burst(10, Duration::from_secs(1), 2).unwrap();
    /// assert_eq!(limiter.burst(), 2);
    /// ```
    pub fn burst(&self) -> usize {
        self.inner.burst
    }
}

impl<R> Clone for RateLimiter<R> {
    fn clone(&self) -> Self {
        RateLimiter {
            inner: self.inner.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R> fmt::Debug for RateLimiter<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiting = self.inner.lock().waiters.len();
        f.debug_struct("RateLimiter")
            .field("max", &self.inner.max)
            .field("per", &self.inner.per)
            .field("burst", &self.inner.burst)
            .field("waiting", &waiting)
            .finish()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock, so a poisoned lock still holds consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next_slot(&self, state: &State, now: Instant) -> Slot {
        let starts = &state.starts;
        let len = starts.len();
        let mut at = None;
        // The start `max` places back must be at least `per` old; likewise for the burst rule.
        for (count, window) in [(self.max, self.per), (self.burst, self.burst_window)] {
            if len >= count {
                match starts[len - count].checked_add(window) {
                    Some(free) if free > now => at = at.max(Some(free)),
                    Some(_) => {}
                    None => return Slot::Never,
                }
            }
        }
        at.map_or(Slot::Free, Slot::At)
    }

    fn record(&self, state: &mut State, now: Instant) {
        // Starts a full `per` old can never limit anyone again (the burst window is no longer
        // than `per`): dropping them keeps an idle limiter with a large `max` small.
        while let Some(&oldest) = state.starts.front()
            && (state.starts.len() == self.max
                || oldest.checked_add(self.per).is_some_and(|t| t <= now))
        {
            state.starts.pop_front();
        }
        state.starts.push_back(now);
    }

    fn position(state: &State, id: u64) -> Option<usize> {
        state.waiters.binary_search_by_key(&id, |w| w.id).ok()
    }
}

/// A place in the line of waiters; leaving it (drop) lets the next waiter move up.
struct Ticket<'a> {
    inner: &'a Inner,
    id: u64,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        let mut state = self.inner.lock();
        let Some(position) = Inner::position(&state, self.id) else {
            return;
        };
        state.waiters.remove(position);
        // A new head must wake up to arm its own timer.
        let next = (position == 0)
            .then(|| state.waiters.front().map(|w| w.waker.clone()))
            .flatten();
        drop(state);
        if let Some(waker) = next {
            waker.wake();
        }
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`RateLimiter::acquire`]: ready once the caller may start.
    ///
    /// Dropping it while waiting uses no slot and lets the next waiter move up.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Acquire<'a, R: Runtime> {
        inner: &'a Inner,
        ticket: Option<Ticket<'a>>,
        #[pin]
        sleep: Option<R::Sleep>,
        sleeping_until: Option<Instant>,
    }
}

impl<'a, R: Runtime> Future for Acquire<'a, R> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let inner: &'a Inner = this.inner;
        loop {
            let mut state = inner.lock();
            // Read the clock under the lock, so recorded starts are in order across threads.
            let now = R::now();
            let slot = match this.ticket {
                None => {
                    let slot = inner.next_slot(&state, now);
                    if state.waiters.is_empty() && matches!(slot, Slot::Free) {
                        inner.record(&mut state, now);
                        return Poll::Ready(());
                    }
                    let id = state.next_id;
                    state.next_id += 1;
                    state.waiters.push_back(Waiter {
                        id,
                        waker: cx.waker().clone(),
                    });
                    *this.ticket = Some(Ticket { inner, id });
                    if state.waiters.len() > 1 {
                        return Poll::Pending;
                    }
                    slot
                }
                Some(ticket) => {
                    let position = Inner::position(&state, ticket.id).expect("a ticket is queued");
                    let waiter = &mut state.waiters[position];
                    if !waiter.waker.will_wake(cx.waker()) {
                        waiter.waker = cx.waker().clone();
                    }
                    if position > 0 {
                        return Poll::Pending;
                    }
                    let slot = inner.next_slot(&state, now);
                    if let Slot::Free = slot {
                        inner.record(&mut state, now);
                        drop(state);
                        // Leaves the line and wakes the next waiter.
                        *this.ticket = None;
                        this.sleep.set(None);
                        return Poll::Ready(());
                    }
                    slot
                }
            };
            drop(state);
            // Only the head of the line sleeps: its slot cannot be taken by anyone else.
            let at = match slot {
                Slot::At(at) => at,
                Slot::Never | Slot::Free => return Poll::Pending,
            };
            if *this.sleeping_until != Some(at) {
                this.sleep.set(Some(R::sleep_until(at)));
                *this.sleeping_until = Some(at);
            }
            let sleep = this.sleep.as_mut().as_pin_mut().expect("armed above");
            ready!(sleep.poll(cx));
            // Due: look again (and arm a fresh timer should the slot still be taken).
            this.sleep.set(None);
            *this.sleeping_until = None;
        }
    }
}

impl<R: Runtime> fmt::Debug for Acquire<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &self.ticket.is_some())
            .field("sleeping_until", &self.sleeping_until)
            .finish()
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`RateLimiter::run`]: takes a start slot, then runs the inner future.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct RateLimited<'a, R: Runtime, F> {
        #[pin]
        acquire: Acquire<'a, R>,
        #[pin]
        future: F,
        started: bool,
    }
}

impl<R: Runtime, F: Future> Future for RateLimited<'_, R, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if !*this.started {
            ready!(this.acquire.poll(cx));
            *this.started = true;
        }
        this.future.poll(cx)
    }
}

impl<R: Runtime, F> fmt::Debug for RateLimited<'_, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimited")
            .field("started", &self.started)
            .finish()
    }
}

/// Binds `RateLimiter` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_rate {
    ($rt:ty) => {
        /// At most `max` starts in any window of length `per`, on this runtime; see
        /// [`weft_core::rate`]($crate::rate).
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let limiter = weft::RateLimiter::new(2, Duration::from_millis(30)).unwrap();
        ///     let start = weft::now();
        ///     for _ in 0..3 {
        ///         limiter.acquire().await;
        ///     }
        ///     assert!(weft::now() - start >= Duration::from_millis(30));
        /// });
        /// ```
        pub type RateLimiter = $crate::rate::RateLimiter<$rt>;
    };
}
