//! Why a retry run failed: the error it returns.

use core::fmt;

/// Why a retry run stopped without success.
///
/// # Examples
///
/// ```
/// use weft::StopReason;
///
/// let policy = weft::Retry::new().attempts(1).build().unwrap();
/// let err = weft::block_on(policy.run(|| async { Err::<(), _>("no") })).unwrap_err();
/// assert_eq!(err.reason, StopReason::AttemptsExhausted);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// Every allowed try failed.
    AttemptsExhausted,
    /// The retry predicate rejected the error, so it was returned at once.
    NotRetryable,
    /// The next try would have started at or past the deadline.
    Deadline,
}

/// The error of a retry run that never succeeded: how many tries, the last error, and why.
///
/// `Display` says what happened and includes the last error ("retry gave up after 5 attempts:
/// connection refused"); `source()` is the last error.
///
/// # Examples
///
/// ```
/// use std::error::Error;
/// use std::io;
///
/// let policy = weft::Retry::new().attempts(2).min_delay(std::time::Duration::ZERO).build().unwrap();
/// let err = weft::block_on(policy.run(|| async {
///     Err::<(), _>(io::Error::new(io::ErrorKind::ConnectionRefused, "connection refused"))
/// }))
/// .unwrap_err();
/// assert_eq!(err.attempts, 2);
/// assert_eq!(err.to_string(), "retry gave up after 2 attempts: connection refused");
/// assert_eq!(err.source().unwrap().to_string(), "connection refused");
/// assert_eq!(err.into_last().kind(), io::ErrorKind::ConnectionRefused);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryError<E> {
    /// How many tries were made, the first included.
    pub attempts: u32,
    /// The error of the last try.
    pub last: E,
    /// Why no further try was made.
    pub reason: StopReason,
}

impl<E> RetryError<E> {
    /// The error of the last try.
    ///
    /// # Examples
    ///
    /// ```
    /// let policy = weft::Retry::new().attempts(1).build().unwrap();
    /// let err = weft::block_on(policy.run(|| async { Err::<(), _>(404) })).unwrap_err();
    /// assert_eq!(err.into_last(), 404);
    /// ```
    pub fn into_last(self) -> E {
        self.last
    }
}

impl<E: fmt::Display> fmt::Display for RetryError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.attempts;
        let attempts = if n == 1 { "attempt" } else { "attempts" };
        match self.reason {
            StopReason::AttemptsExhausted => write!(f, "retry gave up after {n} {attempts}"),
            StopReason::NotRetryable => {
                write!(
                    f,
                    "retry stopped at a non-retryable error after {n} {attempts}"
                )
            }
            StopReason::Deadline => write!(f, "retry deadline reached after {n} {attempts}"),
        }?;
        write!(f, ": {}", self.last)
    }
}

impl<E: std::error::Error + 'static> std::error::Error for RetryError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.last)
    }
}
