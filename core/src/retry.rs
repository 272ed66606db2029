//! Try an operation again after failures, waiting longer each time: tenacity's `@retry`.
//!
//! Build a policy once with the [`Retry`] builder, then run any fallible operation under it:
//!
//! | tenacity | weft |
//! |---|---|
//! | `stop=stop_after_attempt(n)` | [`Retry::attempts`]`(n)`: every try counts, the first included |
//! | `wait=wait_exponential(min=, max=, exp_base=)` | [`Retry::min_delay`], [`Retry::max_delay`], [`Retry::factor`] |
//! | `wait_random_exponential`, … | [`Retry::jitter`] ([`Jitter`]) |
//! | `retry=retry_if_exception(pred)` | [`Retry::retry_if`] |
//! | `before_sleep=hook` | [`Retry::on_retry`] |
//! | `stop=stop_after_delay(s)` | [`Retry::deadline`] (never sleeps past it: gives up instead) |
//! | `reraise=False` → `RetryError` | [`RetryError`]: attempts, the last error, why it stopped |
//!
//! [`RetryPolicy::run`] retries an async operation (`|| fetch(url)`), sleeping on the runtime's
//! clock; [`RetryPolicy::run_blocking`] (native only) retries a blocking one with
//! `std::thread::sleep`. Neither sleeps after the last try. The generic form is
//! `Retry<R>` over a [`Runtime`](crate::Runtime); each backend binds it as `weft::Retry`.
//!
//! # Examples
//!
//! The seeds' custom retry decorator (3 tries, 0.2 s doubling, capped at 2 s), on the virtual
//! clock so the waits are exact:
//!
//! ```
//! use std::cell::Cell;
//! use std::time::Duration;
//! use weft::testing::{self, VirtualRuntime};
//! use weft_core::retry::Retry;
//!
//! let policy = Retry::<VirtualRuntime>::new()
//!     .attempts(3)
//!     .min_delay(Duration::from_millis(200))
//!     .factor(2.0)
//!     .max_delay(Duration::from_secs(2))
//!     .build()
//!     .unwrap();
//!
//! let tries = Cell::new(0);
//! let (out, took) = testing::run(async {
//!     let t0 = testing::now();
//!     let out = policy.run(|| async {
//!         tries.set(tries.get() + 1);
//!         if tries.get() < 3 { Err("flaky") } else { Ok("data") }
//!     }).await;
//!     (out, testing::now() - t0)
//! });
//! assert_eq!(out, Ok("data"));
//! assert_eq!(tries.get(), 3);
//! assert_eq!(took, Duration::from_millis(200 + 400));
//! ```

mod error;
mod policy;

use core::fmt;
use core::marker::PhantomData;
use core::time::Duration;

pub use self::error::{RetryError, StopReason};
pub use self::policy::RetryPolicy;
pub use crate::backoff::{Backoff, Jitter};
use crate::error::ConfigError;

/// Decides whether an error is worth another try; see [`Retry::retry_if`].
///
/// Implemented for every `Fn(&E) -> bool` and for [`AnyError`].
pub trait RetryIf<E> {
    /// `true` to try again after `error`, `false` to give up at once.
    fn retry_if(&self, error: &E) -> bool;
}

/// The default retry predicate: every error is retried.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnyError;

impl<E> RetryIf<E> for AnyError {
    fn retry_if(&self, _: &E) -> bool {
        true
    }
}

impl<E, F: Fn(&E) -> bool> RetryIf<E> for F {
    fn retry_if(&self, error: &E) -> bool {
        self(error)
    }
}

/// Called before each sleep between tries; see [`Retry::on_retry`].
///
/// Implemented for every `Fn(&RetryInfo<'_, E>)` and for [`NoHook`].
pub trait OnRetry<E> {
    /// Told which try failed, with what error, and how long the wait before the next one is.
    fn on_retry(&self, info: &RetryInfo<'_, E>);
}

/// The default hook: does nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHook;

impl<E> OnRetry<E> for NoHook {
    fn on_retry(&self, _: &RetryInfo<'_, E>) {}
}

impl<E, F: Fn(&RetryInfo<'_, E>)> OnRetry<E> for F {
    fn on_retry(&self, info: &RetryInfo<'_, E>) {
        self(info)
    }
}

/// What the [`Retry::on_retry`] hook is told: a try failed and another will follow.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryInfo<'a, E> {
    /// The try that just failed, counted from 1.
    pub attempt: u32,
    /// Its error.
    pub error: &'a E,
    /// How long the policy will sleep before the next try.
    pub delay: Duration,
    /// Time since the first try started.
    pub elapsed: Duration,
}

/// Builder of a [`RetryPolicy`]; tenacity's `@retry(...)` arguments.
///
/// Defaults: 3 attempts, delays from 100 ms doubling (`factor` 2) up to 10 s, no jitter, every
/// error retried, no hook, no deadline, fresh randomness per run. [`Retry::build`] checks the
/// settings and returns a [`ConfigError`] for any that cannot work; nothing panics.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// // tenacity: @retry(stop=stop_after_attempt(3), wait=wait_exponential(min=1, max=10))
/// let policy = weft::Retry::new()
///     .attempts(3)
///     .min_delay(Duration::from_secs(1))
///     .max_delay(Duration::from_secs(10))
///     .build()
///     .unwrap();
/// assert_eq!(policy.attempts(), 3);
///
/// let err = weft::Retry::new().attempts(0).build().unwrap_err();
/// assert_eq!(err.to_string(), "invalid attempts: must be at least 1, got 0");
/// ```
#[must_use = "a builder does nothing until `.build()`"]
pub struct Retry<R, P = AnyError, H = NoHook> {
    settings: Settings,
    retry_if: P,
    on_retry: H,
    runtime: PhantomData<fn() -> R>,
}

/// The checked numbers a policy runs with.
#[derive(Clone, Copy, Debug)]
struct Settings {
    attempts: u32,
    min_delay: Duration,
    max_delay: Duration,
    factor: f64,
    jitter: Jitter,
    deadline: Option<Duration>,
    seed: Option<u64>,
}

impl<R> Retry<R> {
    /// A builder with the defaults: 3 attempts, 100 ms doubling up to 10 s, no jitter.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = weft::Retry::new().build().unwrap();
    /// assert_eq!(policy.attempts(), 3);
    /// let delays: Vec<_> = policy.backoff().take(2).collect();
    /// assert_eq!(delays, [Duration::from_millis(100), Duration::from_millis(200)]);
    /// ```
    pub fn new() -> Self {
        Retry {
            settings: Settings {
                attempts: 3,
                min_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(10),
                factor: 2.0,
                jitter: Jitter::None,
                deadline: None,
                seed: None,
            },
            retry_if: AnyError,
            on_retry: NoHook,
            runtime: PhantomData,
        }
    }
}

impl<R> Default for Retry<R> {
    fn default() -> Self {
        Retry::new()
    }
}

impl<R, P, H> Retry<R, P, H> {
    /// How many tries in all, the first included (tenacity's `stop_after_attempt(n)`).
    ///
    /// `attempts(1)` means no retry. 0 is a [`ConfigError`] from [`build`](Self::build).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::Retry::new().attempts(5).build().unwrap().attempts(), 5);
    /// assert!(weft::Retry::new().attempts(0).build().is_err());
    /// ```
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.settings.attempts = attempts;
        self
    }

    /// The first delay, and the floor of the exponential base (default 100 ms).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = weft::Retry::new().min_delay(Duration::from_millis(5)).build().unwrap();
    /// assert_eq!(policy.backoff().next(), Some(Duration::from_millis(5)));
    /// ```
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.settings.min_delay = delay;
        self
    }

    /// The longest delay (default 10 s). Less than `min_delay` is a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = weft::Retry::new().max_delay(Duration::from_millis(150)).build().unwrap();
    /// let delays: Vec<_> = policy.backoff().take(3).map(|d| d.as_millis()).collect();
    /// assert_eq!(delays, [100, 150, 150]);
    /// assert!(weft::Retry::new().max_delay(Duration::from_millis(1)).build().is_err());
    /// ```
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.settings.max_delay = delay;
        self
    }

    /// How much each delay grows: `delay_k = min(max_delay, min_delay × factor^(k−1))`.
    ///
    /// Default 2. Must be finite and at least 1 (1 keeps the delay constant); anything else,
    /// NaN included, is a [`ConfigError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = weft::Retry::new().factor(3.0).build().unwrap();
    /// let delays: Vec<_> = policy.backoff().take(3).map(|d| d.as_millis()).collect();
    /// assert_eq!(delays, [100, 300, 900]);
    /// assert!(weft::Retry::new().factor(0.5).build().is_err());
    /// assert!(weft::Retry::new().factor(f64::NAN).build().is_err());
    /// ```
    pub fn factor(mut self, factor: f64) -> Self {
        self.settings.factor = factor;
        self
    }

    /// How randomness spreads the delays (default [`Jitter::None`]); bounds in [`Jitter`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::Jitter;
    ///
    /// let policy = weft::Retry::new().jitter(Jitter::Equal).build().unwrap();
    /// let first = policy.backoff().next().unwrap();
    /// assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
    /// ```
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.settings.jitter = jitter;
        self
    }

    /// Gives up rather than start a try `total` or more after the first one started.
    ///
    /// Checked before each sleep: if the next try would start at or past the deadline, the run
    /// stops at once with [`StopReason::Deadline`] instead of sleeping. A try already running is
    /// not interrupted (wrap the operation in `weft::timeout` for that). The first try always
    /// runs; `Duration::ZERO` therefore means "never retry".
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = weft::Retry::new().deadline(Duration::from_secs(30)).build().unwrap();
    /// assert_eq!(policy.deadline(), Some(Duration::from_secs(30)));
    /// ```
    pub fn deadline(mut self, total: Duration) -> Self {
        self.settings.deadline = Some(total);
        self
    }

    /// Seeds the jitter's randomness: every run then draws the same delays (for tests).
    ///
    /// Without a seed each run draws fresh ones (fastrand, seeded from the OS natively and from
    /// `crypto.getRandomValues` in the browser).
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::Jitter;
    ///
    /// let policy = weft::Retry::new().jitter(Jitter::Full).seed(7).build().unwrap();
    /// let a: Vec<_> = policy.backoff().take(5).collect();
    /// let b: Vec<_> = policy.backoff().take(5).collect();
    /// assert_eq!(a, b);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = Some(seed);
        self
    }

    /// Retries only errors for which `predicate` is `true`; others are returned at once
    /// (tenacity's `retry=retry_if_exception(...)`).
    ///
    /// The error type must be written in the closure: `|e: &io::Error| …`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use weft::StopReason;
    ///
    /// let policy = weft::Retry::new()
    ///     .attempts(5)
    ///     .retry_if(|e: &&str| *e != "not found")
    ///     .build()
    ///     .unwrap();
    /// let tries = Cell::new(0);
    /// let err = weft::block_on(policy.run(|| async {
    ///     tries.set(tries.get() + 1);
    ///     Err::<(), _>("not found")
    /// }))
    /// .unwrap_err();
    /// assert_eq!((tries.get(), err.attempts, err.reason), (1, 1, StopReason::NotRetryable));
    /// ```
    pub fn retry_if<E, Q>(self, predicate: Q) -> Retry<R, Q, H>
    where
        Q: Fn(&E) -> bool,
    {
        Retry {
            settings: self.settings,
            retry_if: predicate,
            on_retry: self.on_retry,
            runtime: PhantomData,
        }
    }

    /// Calls `hook` after each failed try that will be retried, before the sleep (tenacity's
    /// `before_sleep`); never after the last try.
    ///
    /// The error type must be written in the closure: `|info: &RetryInfo<'_, MyError>| …`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use std::time::Duration;
    /// use weft::RetryInfo;
    ///
    /// let log = Mutex::new(Vec::new());
    /// let policy = weft::Retry::new()
    ///     .attempts(3)
    ///     .min_delay(Duration::from_millis(1))
    ///     .on_retry(|info: &RetryInfo<'_, String>| {
    ///         log.lock().unwrap().push(format!("try {} failed: {}", info.attempt, info.error));
    ///     })
    ///     .build()
    ///     .unwrap();
    /// let out = weft::block_on(policy.run(|| async { Err::<(), _>("down".to_string()) }));
    /// assert_eq!(out.unwrap_err().attempts, 3);
    /// assert_eq!(*log.lock().unwrap(), ["try 1 failed: down", "try 2 failed: down"]);
    /// ```
    pub fn on_retry<E, G>(self, hook: G) -> Retry<R, P, G>
    where
        G: Fn(&RetryInfo<'_, E>),
    {
        Retry {
            settings: self.settings,
            retry_if: self.retry_if,
            on_retry: hook,
            runtime: PhantomData,
        }
    }

    /// Checks the settings and makes the policy.
    ///
    /// Errors ([`ConfigError`], naming the setting): `attempts` 0; `min_delay` above
    /// `max_delay`; `factor` below 1, infinite or NaN.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = weft::Retry::new()
    ///     .min_delay(Duration::from_secs(5))
    ///     .max_delay(Duration::from_secs(1))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.setting(), "min_delay");
    /// ```
    pub fn build(self) -> Result<RetryPolicy<R, P, H>, ConfigError> {
        let s = self.settings;
        if s.attempts == 0 {
            return Err(ConfigError::new("attempts", "must be at least 1, got 0"));
        }
        // Whole milliseconds and no float in these messages: formatting floats or `Duration`s
        // would add about 15 KB to the npm package's wasm, which builds policies at run time.
        if s.min_delay > s.max_delay {
            return Err(ConfigError::new(
                "min_delay",
                format!(
                    "must not exceed max_delay ({} ms), got {} ms",
                    s.max_delay.as_millis(),
                    s.min_delay.as_millis()
                ),
            ));
        }
        if !(s.factor.is_finite() && s.factor >= 1.0) {
            let got = if s.factor.is_nan() {
                "NaN"
            } else if s.factor.is_infinite() {
                "an infinite number"
            } else {
                "a number below 1"
            };
            return Err(ConfigError::new(
                "factor",
                format!("must be a finite number of at least 1, got {got}"),
            ));
        }
        Ok(RetryPolicy {
            settings: s,
            retry_if: self.retry_if,
            on_retry: self.on_retry,
            runtime: PhantomData,
        })
    }
}

impl<R, P, H> fmt::Debug for Retry<R, P, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retry")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Binds `Retry` and `RetryPolicy` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_retry {
    ($rt:ty) => {
        /// Builder of a retry policy on this runtime; see [`weft_core::retry`]($crate::retry).
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// let policy = weft::Retry::new().attempts(2).min_delay(Duration::from_millis(1)).build().unwrap();
        /// let out = weft::block_on(policy.run(|| async { Ok::<_, ()>(5) }));
        /// assert_eq!(out, Ok(5));
        /// ```
        pub type Retry<P = $crate::retry::AnyError, H = $crate::retry::NoHook> =
            $crate::retry::Retry<$rt, P, H>;

        /// A checked retry policy on this runtime, made by `Retry::build`.
        ///
        /// # Examples
        ///
        /// ```
        /// let policy: weft::RetryPolicy = weft::Retry::new().build().unwrap();
        /// assert_eq!(policy.attempts(), 3);
        /// ```
        pub type RetryPolicy<P = $crate::retry::AnyError, H = $crate::retry::NoHook> =
            $crate::retry::RetryPolicy<$rt, P, H>;
    };
}
