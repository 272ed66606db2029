//! Bound how long a future may take.
//!
//! `weft::timeout(d, fut)` is `asyncio.wait_for(fut, d)` / `async with asyncio.timeout(d)`:
//! the future runs, and if it has not finished `d` after it was first polled it is dropped
//! (cancelled) and the call returns [`Elapsed`]. `weft::deadline(at, fut)` takes an instant
//! instead of a duration. The inner future is always polled before the clock is checked, so a
//! future that is already done wins even with a zero timeout.
//!
//! The generic form, [`Timeout`], is bound to a [`Runtime`]; each backend exposes the short
//! functions (`weft::timeout`, `weft::deadline`, `weft::timeout_or`) and the extension method
//! `fut.timeout(d)` through `weft::TimeoutExt`.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use web_time::Instant;

use crate::runtime::Runtime;

/// The error of a future that did not finish in time.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let err = weft::timeout(Duration::from_millis(10), std::future::pending::<()>())
///         .await
///         .unwrap_err();
///     assert_eq!(err.to_string(), "timed out after 10ms");
///     assert_eq!(err.limit(), Some(Duration::from_millis(10)));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed {
    limit: Option<Duration>,
}

impl Elapsed {
    /// The time limit that was exceeded, or `None` when the limit was a deadline instant.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let at = weft::now();
    ///     let err = weft::deadline(at, std::future::pending::<()>()).await.unwrap_err();
    ///     assert_eq!(err.limit(), None);
    /// });
    /// ```
    pub fn limit(&self) -> Option<Duration> {
        self.limit
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            Some(limit) => write!(f, "timed out after {limit:?}"),
            None => f.write_str("deadline has passed"),
        }
    }
}

impl std::error::Error for Elapsed {}

#[derive(Clone, Copy, Debug)]
enum Limit {
    /// Counted from the first poll, as asyncio's `wait_for` counts from when it is awaited.
    After(Duration),
    At(Instant),
}

pin_project_lite::pin_project! {
    /// A future with a time limit, generic over the [`Runtime`] that keeps time.
    ///
    /// Made by `weft::timeout` / `weft::deadline` (or [`Timeout::after`] / [`Timeout::at`] for an
    /// explicit runtime). Outputs `Ok(output)` if the inner future finished in time, otherwise
    /// `Err(Elapsed)`; the inner future is dropped at that moment. Dropping a `Timeout` drops
    /// the inner future and the timer.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<R: Runtime, F> {
        #[pin]
        future: Option<F>,
        #[pin]
        sleep: Option<R::Sleep>,
        limit: Limit,
    }
}

impl<R: Runtime, F: Future> Timeout<R, F> {
    /// Limits `future` to `duration`, counted from its first poll.
    ///
    /// `Duration::MAX` (or any limit past the clock's range) never expires.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft_core::timeout::Timeout;
    ///
    /// weft::block_on(async {
    ///     let quick = Timeout::<weft::DefaultRuntime, _>::after(Duration::from_secs(5), async { 1 });
    ///     assert_eq!(quick.await, Ok(1));
    /// });
    /// ```
    pub fn after(duration: Duration, future: F) -> Self {
        Timeout {
            future: Some(future),
            sleep: None,
            limit: Limit::After(duration),
        }
    }

    /// Limits `future` to finish by `deadline` on the runtime's clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft_core::{timeout::Timeout, Runtime};
    ///
    /// type Rt = weft::DefaultRuntime;
    /// weft::block_on(async {
    ///     let soon = Rt::now() + Duration::from_millis(5);
    ///     let late = Timeout::<Rt, _>::at(soon, Rt::sleep(Duration::from_secs(60)));
    ///     assert!(late.await.is_err());
    ///     assert!(Rt::now() >= soon);
    /// });
    /// ```
    pub fn at(deadline: Instant, future: F) -> Self {
        Timeout {
            future: Some(future),
            sleep: None,
            limit: Limit::At(deadline),
        }
    }
}

impl<R: Runtime, F: Future> Future for Timeout<R, F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let future = this
            .future
            .as_mut()
            .as_pin_mut()
            .expect("Timeout polled after it completed");
        if let Poll::Ready(output) = future.poll(cx) {
            this.future.set(None);
            return Poll::Ready(Ok(output));
        }
        if this.sleep.is_none() {
            // The timer is armed lazily: a future that is ready at once never touches the clock.
            let deadline = match *this.limit {
                Limit::After(duration) => R::now().checked_add(duration),
                Limit::At(deadline) => Some(deadline),
            };
            match deadline {
                Some(deadline) => this.sleep.set(Some(R::sleep_until(deadline))),
                None => return Poll::Pending,
            }
        }
        let sleep = this.sleep.as_pin_mut().expect("armed above");
        match sleep.poll(cx) {
            Poll::Ready(()) => {
                this.future.set(None);
                let limit = match *this.limit {
                    Limit::After(duration) => Some(duration),
                    Limit::At(_) => None,
                };
                Poll::Ready(Err(Elapsed { limit }))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<R: Runtime, F> fmt::Debug for Timeout<R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("limit", &self.limit)
            .field("armed", &self.sleep.is_some())
            .finish()
    }
}

pin_project_lite::pin_project! {
    /// A future with a time limit that gives a default value instead of an error.
    ///
    /// Made by `weft::timeout_or`; the seeds' `with_timeout(coro, timeout, default)`.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct TimeoutOr<R: Runtime, F: Future> {
        #[pin]
        inner: Timeout<R, F>,
        default: Option<F::Output>,
    }
}

impl<R: Runtime, F: Future> TimeoutOr<R, F> {
    /// Limits `future` to `duration`; on expiry it is dropped and `default` is the output.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft_core::timeout::TimeoutOr;
    ///
    /// weft::block_on(async {
    ///     let never = std::future::pending::<&str>();
    ///     let out = TimeoutOr::<weft::DefaultRuntime, _>::new(Duration::from_millis(1), "default", never);
    ///     assert_eq!(out.await, "default");
    /// });
    /// ```
    pub fn new(duration: Duration, default: F::Output, future: F) -> Self {
        TimeoutOr {
            inner: Timeout::after(duration, future),
            default: Some(default),
        }
    }
}

impl<R: Runtime, F: Future> Future for TimeoutOr<R, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        match this.inner.poll(cx) {
            Poll::Ready(Ok(output)) => Poll::Ready(output),
            Poll::Ready(Err(_)) => Poll::Ready(
                this.default
                    .take()
                    .expect("TimeoutOr polled after it completed"),
            ),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<R: Runtime, F: Future> fmt::Debug for TimeoutOr<R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutOr")
            .field("inner", &self.inner)
            .finish()
    }
}

/// Binds `timeout`, `deadline`, `timeout_or`, `TimeoutExt` and their future types to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_timeout {
    ($rt:ty) => {
        /// A future limited in time on this runtime: see [`timeout`].
        pub type Timeout<F> = $crate::timeout::Timeout<$rt, F>;

        /// A future limited in time that falls back to a default: see [`timeout_or`].
        pub type TimeoutOr<F> = $crate::timeout::TimeoutOr<$rt, F>;

        /// Runs `future` for at most `duration`; asyncio's `wait_for` / `asyncio.timeout`.
        ///
        /// Gives `Ok(output)` if it finished in time; otherwise the future is dropped (cancelled)
        /// and the result is `Err(Elapsed)`. The time counts from the first poll. The future is
        /// polled before the clock is read, so a ready future wins even with a zero duration.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let slow = weft::sleep(Duration::from_secs(5));
        ///     let err = weft::timeout(Duration::from_millis(10), slow).await.unwrap_err();
        ///     assert_eq!(err.to_string(), "timed out after 10ms");
        ///
        ///     assert_eq!(weft::timeout(Duration::ZERO, async { "ready" }).await, Ok("ready"));
        /// });
        /// ```
        pub fn timeout<F>(duration: ::core::time::Duration, future: F) -> Timeout<F::IntoFuture>
        where
            F: ::core::future::IntoFuture,
        {
            $crate::timeout::Timeout::after(duration, future.into_future())
        }

        /// Runs `future` until the clock reaches `deadline`, then drops it and gives `Err(Elapsed)`.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let at = weft::now() + Duration::from_millis(10);
        ///     let out = weft::deadline(at, std::future::pending::<()>()).await;
        ///     assert!(out.is_err());
        ///     assert!(weft::now() >= at);
        /// });
        /// ```
        pub fn deadline<F>(deadline: $crate::Instant, future: F) -> Timeout<F::IntoFuture>
        where
            F: ::core::future::IntoFuture,
        {
            $crate::timeout::Timeout::at(deadline, future.into_future())
        }

        /// Runs `future` for at most `duration`; on expiry drops it and returns `default`.
        ///
        /// The seeds' `with_timeout(coro, timeout, default)`.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let slow = async { weft::sleep(Duration::from_secs(5)).await; 1 };
        ///     assert_eq!(weft::timeout_or(Duration::from_millis(5), 0, slow).await, 0);
        /// });
        /// ```
        pub fn timeout_or<F>(
            duration: ::core::time::Duration,
            default: F::Output,
            future: F,
        ) -> TimeoutOr<F::IntoFuture>
        where
            F: ::core::future::IntoFuture,
        {
            $crate::timeout::TimeoutOr::new(duration, default, future.into_future())
        }

        /// `fut.timeout(d)` and `fut.deadline(at)`: the fluent form of [`timeout`] and [`deadline`].
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        /// use weft::TimeoutExt;
        ///
        /// weft::block_on(async {
        ///     assert_eq!(async { 3 }.timeout(Duration::from_secs(1)).await, Ok(3));
        ///     assert!(std::future::pending::<()>().timeout(Duration::from_millis(1)).await.is_err());
        /// });
        /// ```
        pub trait TimeoutExt: ::core::future::Future + Sized {
            /// Limits this future to `duration`; see [`timeout`].
            fn timeout(self, duration: ::core::time::Duration) -> Timeout<Self> {
                $crate::timeout::Timeout::after(duration, self)
            }

            /// Limits this future to finish by `deadline`; see [`deadline`].
            fn deadline(self, deadline: $crate::Instant) -> Timeout<Self> {
                $crate::timeout::Timeout::at(deadline, self)
            }
        }

        impl<F: ::core::future::Future> TimeoutExt for F {}
    };
}
