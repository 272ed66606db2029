//! The built policy: runs an operation, sleeping between failed tries.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::time::Duration;

use web_time::Instant;

use super::{AnyError, NoHook, OnRetry, RetryError, RetryIf, RetryInfo, Settings, StopReason};
use crate::backoff::Backoff;
use crate::runtime::Runtime;

/// A checked retry policy: runs operations, retrying them as configured.
///
/// Made by [`Retry::build`](super::Retry::build). Reusable and shareable: `run` takes `&self`,
/// so one policy can serve many concurrent operations (each run has its own attempt count and
/// randomness).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::time::Duration;
///
/// let policy = weft::Retry::new().attempts(4).min_delay(Duration::from_millis(1)).build().unwrap();
/// let calls = Cell::new(0);
/// let out = weft::block_on(policy.run(|| async {
///     calls.set(calls.get() + 1);
///     if calls.get() < 3 { Err("busy") } else { Ok(calls.get()) }
/// }));
/// assert_eq!(out, Ok(3));
/// ```
pub struct RetryPolicy<R, P = AnyError, H = NoHook> {
    pub(super) settings: Settings,
    pub(super) retry_if: P,
    pub(super) on_retry: H,
    pub(super) runtime: PhantomData<fn() -> R>,
}

/// What to do after a failed try.
enum Next {
    Sleep(Duration),
    Stop(StopReason),
}

impl<R, P, H> RetryPolicy<R, P, H> {
    /// How many tries in all, the first included.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::Retry::new().attempts(7).build().unwrap().attempts(), 7);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.settings.attempts
    }

    /// The overall deadline, if one was set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::Retry::new().build().unwrap().deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Duration> {
        self.settings.deadline
    }

    /// The delays one run would sleep, in order (seeded if the policy has a seed).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = weft::Retry::new()
    ///     .min_delay(Duration::from_millis(200))
    ///     .max_delay(Duration::from_secs(2))
    ///     .build()
    ///     .unwrap();
    /// let ms: Vec<_> = policy.backoff().take(6).map(|d| d.as_millis()).collect();
    /// assert_eq!(ms, [200, 400, 800, 1600, 2000, 2000]);
    /// ```
    pub fn backoff(&self) -> Backoff {
        let s = &self.settings;
        let rng = s
            .seed
            .map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
        Backoff::new(s.min_delay, s.max_delay, s.factor, s.jitter, rng)
    }

    /// Decides after try `attempt` failed with `error` at `now`; calls the hook on a retry.
    fn next<E>(
        &self,
        attempt: u32,
        error: &E,
        backoff: &mut Backoff,
        start: Instant,
        now: Instant,
    ) -> Next
    where
        P: RetryIf<E>,
        H: OnRetry<E>,
    {
        if !self.retry_if.retry_if(error) {
            return Next::Stop(StopReason::NotRetryable);
        }
        if attempt >= self.settings.attempts {
            return Next::Stop(StopReason::AttemptsExhausted);
        }
        let delay = backoff.next().unwrap_or_default();
        let elapsed = now.saturating_duration_since(start);
        if let Some(total) = self.settings.deadline
            && elapsed.saturating_add(delay) >= total
        {
            return Next::Stop(StopReason::Deadline);
        }
        self.on_retry.on_retry(&RetryInfo {
            attempt,
            error,
            delay,
            elapsed,
        });
        Next::Sleep(delay)
    }

    /// Runs `operation` until it succeeds, sleeping on the runtime's clock between tries.
    ///
    /// `operation` is called once per try and returns a fresh future. Returns the first `Ok`,
    /// or a [`RetryError`] with the number of tries, the last error and why it stopped: tries
    /// used up, an error `retry_if` rejected (returned at once), or the deadline. There is no
    /// sleep after the last try. Dropping the returned future cancels the try or sleep in
    /// progress; no further try is made.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft::StopReason;
    /// use weft_core::retry::Retry;
    ///
    /// let policy = Retry::<VirtualRuntime>::new().attempts(5).build().unwrap();
    /// let (err, took) = testing::run(async {
    ///     let t0 = testing::now();
    ///     let err = policy.run(|| async { Err::<(), _>("refused") }).await.unwrap_err();
    ///     (err, testing::now() - t0)
    /// });
    /// assert_eq!(err.to_string(), "retry gave up after 5 attempts: refused");
    /// assert_eq!(err.reason, StopReason::AttemptsExhausted);
    /// // 100 + 200 + 400 + 800 ms between the five tries, nothing after the last.
    /// assert_eq!(took, Duration::from_millis(1500));
    /// ```
    pub async fn run<F, Fut, T, E>(&self, mut operation: F) -> Result<T, RetryError<E>>
    where
        R: Runtime,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        P: RetryIf<E>,
        H: OnRetry<E>,
    {
        let start = R::now();
        let mut backoff = self.backoff();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match operation().await {
                Ok(output) => return Ok(output),
                Err(error) => error,
            };
            match self.next(attempt, &error, &mut backoff, start, R::now()) {
                Next::Sleep(delay) => R::sleep(delay).await,
                Next::Stop(reason) => {
                    return Err(RetryError {
                        attempts: attempt,
                        last: error,
                        reason,
                    });
                }
            }
        }
    }

    /// Runs a blocking `operation` until it succeeds, with `std::thread::sleep` between tries.
    ///
    /// The same rules as [`run`](Self::run), on the real clock. Native only: the browser's main
    /// thread must never block, so this is not compiled for `wasm32`.
    ///
    /// # Examples
    ///
    /// The seeds' custom retry decorator: 3 tries, 0.2 s doubling, capped at 2 s.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = weft::Retry::new()
    ///     .attempts(3)
    ///     .min_delay(Duration::from_millis(200))
    ///     .factor(2.0)
    ///     .max_delay(Duration::from_secs(2))
    ///     .build()
    ///     .unwrap();
    ///
    /// let mut tries = 0;
    /// let start = std::time::Instant::now();
    /// let out = policy.run_blocking(|| {
    ///     tries += 1;
    ///     if tries < 3 { Err("flaky") } else { Ok(tries) }
    /// });
    /// assert_eq!(out, Ok(3));
    /// assert!(start.elapsed() >= Duration::from_millis(600)); // 0.2 s + 0.4 s
    /// ```
    #[cfg(not(target_arch = "wasm32"))]
    pub fn run_blocking<F, T, E>(&self, mut operation: F) -> Result<T, RetryError<E>>
    where
        F: FnMut() -> Result<T, E>,
        P: RetryIf<E>,
        H: OnRetry<E>,
    {
        let start = Instant::now();
        let mut backoff = self.backoff();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match operation() {
                Ok(output) => return Ok(output),
                Err(error) => error,
            };
            match self.next(attempt, &error, &mut backoff, start, Instant::now()) {
                Next::Sleep(delay) => std::thread::sleep(delay),
                Next::Stop(reason) => {
                    return Err(RetryError {
                        attempts: attempt,
                        last: error,
                        reason,
                    });
                }
            }
        }
    }
}

impl<R, P: Clone, H: Clone> Clone for RetryPolicy<R, P, H> {
    fn clone(&self) -> Self {
        RetryPolicy {
            settings: self.settings,
            retry_if: self.retry_if.clone(),
            on_retry: self.on_retry.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R, P, H> fmt::Debug for RetryPolicy<R, P, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
