//! The seam between the patterns and the backends.
//!
//! A backend is one type that implements [`Runtime`]: how to sleep, what time it is, how to
//! spawn. `weft-native` implements it with async-executor and async-io, `weft-web` with the
//! browser's event loop, `setTimeout` and `performance.now()`. Every pattern that needs time or
//! spawning is generic over it, so the same code serves both targets.

use core::future::Future;
use core::time::Duration;

use web_time::Instant;

use crate::task::Task;

/// `Send` natively, nothing on `wasm32`.
///
/// Natively tasks move between executor threads, so what they hold must be `Send`. The browser
/// backend is single-threaded, so there the bound is empty and `Rc`, `JsValue` and other `!Send`
/// values can live in tasks. Bounding on `MaybeSend` lets one body of code serve both targets.
///
/// # Examples
///
/// ```
/// use weft_core::MaybeSend;
///
/// fn needs_maybe_send<T: MaybeSend>(_: T) {}
/// needs_maybe_send(42_u32);
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` natively, nothing on `wasm32`.
///
/// Natively tasks move between executor threads, so what they hold must be `Send`. The browser
/// backend is single-threaded, so there the bound is empty and `Rc`, `JsValue` and other `!Send`
/// values can live in tasks. Bounding on `MaybeSend` lets one body of code serve both targets.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// What a backend provides: timers, a clock and a way to spawn tasks.
///
/// The methods are associated functions, not methods: a runtime is a type, chosen at compile
/// time, and the patterns are generic over it (`Timeout<R, F>`, `RateLimiter<R>`…). Users rarely
/// name it: each backend binds the patterns to itself, so `weft::timeout(d, fut)` already knows
/// which runtime it runs on. Tests name it to run the same pattern on a virtual clock.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_core::Runtime;
///
/// // Code generic over the runtime runs on any backend.
/// async fn pause_twice<R: Runtime>() -> Duration {
///     let start = R::now();
///     R::sleep(Duration::from_millis(2)).await;
///     R::sleep(Duration::from_millis(2)).await;
///     R::now() - start
/// }
///
/// let took = weft::block_on(pause_twice::<weft::DefaultRuntime>());
/// assert!(took >= Duration::from_millis(4));
/// ```
pub trait Runtime: 'static {
    /// The future returned by [`Runtime::sleep`] and [`Runtime::sleep_until`].
    type Sleep: Future<Output = ()> + MaybeSend + 'static;

    /// A future that completes once `duration` has passed, never earlier. Dropping it cancels
    /// the timer.
    fn sleep(duration: Duration) -> Self::Sleep;

    /// A future that completes once [`Runtime::now`] reaches `deadline`, never earlier.
    fn sleep_until(deadline: Instant) -> Self::Sleep;

    /// The runtime's clock: monotonic, `std::time::Instant` natively, `performance.now()` in the
    /// browser, and the virtual clock in tests.
    fn now() -> Instant;

    /// Starts `future` as a task on this runtime and returns its handle.
    ///
    /// Dropping the returned [`Task`] cancels the task; [`Task::detach`] lets it run on.
    fn spawn<F>(future: F) -> Task<F::Output>
    where
        F: Future + MaybeSend + 'static,
        F::Output: MaybeSend + 'static;
}
