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
        $crate::__bind_basics!($rt);
        $crate::__bind_timeout!($rt);
        $crate::__bind_offload!($rt);
    };
}

/// `DefaultRuntime`, `sleep`, `sleep_until`, `now`, `spawn`: the runtime's own capabilities.
///
/// Each pattern module that needs a runtime defines its own `__bind_<module>!` next to its code;
/// [`bind_runtime!`](crate::bind_runtime) lists them all.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_basics {
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
    };
}
