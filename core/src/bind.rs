//! The one place where the generic patterns are bound to a concrete runtime.
//!
//! Each backend invokes [`bind_runtime!`](crate::bind_runtime) with its runtime type, which
//! defines the short functions and type aliases users call (`weft::sleep`, `weft::spawn`,
//! `weft::timeout`…). Writing them once here keeps the two backends' public APIs identical.

/// Defines weft's runtime-bound API (`sleep`, `spawn`, `timeout`, …) for the runtime `$rt`.
///
/// Backends call it once at their crate root; users never need it unless they write a backend.
///
/// # Examples
///
/// ```
/// mod my_backend {
///     pub use weft::DefaultRuntime as MyRuntime;
///     weft_core::bind_runtime!(MyRuntime);
/// }
/// weft::block_on(async {
///     let out = my_backend::timeout(std::time::Duration::from_secs(1), async { 5 }).await;
///     assert_eq!(out, Ok(5));
/// });
/// ```
#[macro_export]
macro_rules! bind_runtime {
    ($rt:ty) => {
        /// The runtime this backend provides, as a type to name in generic code.
        ///
        /// # Examples
        ///
        /// ```
        /// use weft::Runtime;
        ///
        /// let before = weft::DefaultRuntime::now();
        /// assert!(weft::DefaultRuntime::now() >= before);
        /// ```
        pub type DefaultRuntime = $rt;

        /// Waits until `duration` has passed, never less. Dropping the future cancels the timer.
        ///
        /// asyncio: `await asyncio.sleep(seconds)`.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let start = weft::now();
        ///     weft::sleep(Duration::from_millis(20)).await;
        ///     assert!(weft::now() - start >= Duration::from_millis(20));
        /// });
        /// ```
        pub fn sleep(duration: ::core::time::Duration) -> <$rt as $crate::Runtime>::Sleep {
            <$rt as $crate::Runtime>::sleep(duration)
        }

        /// Waits until the clock reaches `deadline`, never earlier.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let at = weft::now() + Duration::from_millis(10);
        ///     weft::sleep_until(at).await;
        ///     assert!(weft::now() >= at);
        /// });
        /// ```
        pub fn sleep_until(deadline: $crate::Instant) -> <$rt as $crate::Runtime>::Sleep {
            <$rt as $crate::Runtime>::sleep_until(deadline)
        }

        /// The runtime's monotonic clock (`performance.now()` in the browser).
        ///
        /// # Examples
        ///
        /// ```
        /// let a = weft::now();
        /// let b = weft::now();
        /// assert!(b >= a);
        /// ```
        pub fn now() -> $crate::Instant {
            <$rt as $crate::Runtime>::now()
        }

        /// Starts `future` as a task and returns its handle; asyncio's `create_task`.
        ///
        /// Natively the task runs on weft's executor threads (one per core) and must be `Send`;
        /// in the browser it runs on the page's (or worker's) event loop. Dropping the returned
        /// [`Task`]($crate::Task) cancels the task; `.detach()` lets it run on. A panic in the task
        /// reaches the awaiter as a [`JoinError`]($crate::JoinError) natively.
        ///
        /// # Examples
        ///
        /// ```
        /// weft::block_on(async {
        ///     let tasks: Vec<_> = (0..4).map(|i| weft::spawn(async move { i * i })).collect();
        ///     let squares: Vec<i32> = weft::gather(tasks).await.into_iter().map(Result::unwrap).collect();
        ///     assert_eq!(squares, [0, 1, 4, 9]);
        /// });
        /// ```
        pub fn spawn<F>(future: F) -> $crate::Task<F::Output>
        where
            F: ::core::future::Future + $crate::MaybeSend + 'static,
            F::Output: $crate::MaybeSend + 'static,
        {
            <$rt as $crate::Runtime>::spawn(future)
        }

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
