//! [`PoolError`]: why an acquire or a build failed.

use core::fmt;

use crate::error::ConfigError;

/// Why [`Pool::acquire`](super::Pool::acquire) or [`PoolBuilder::build`](super::PoolBuilder::build) failed.
///
/// # Examples
///
/// ```
/// use weft::pool::PoolError;
///
/// let timeout: PoolError<std::io::Error> = PoolError::Timeout;
/// assert_eq!(timeout.to_string(), "timed out waiting for a pool object");
/// assert_eq!(PoolError::<std::io::Error>::Closed.to_string(), "pool is closed");
/// ```
#[derive(Debug)]
pub enum PoolError<E> {
    /// No object could be had within `acquire_timeout`.
    Timeout,
    /// The pool is closed.
    Closed,
    /// The manager failed to create an object; the cause is the source.
    Create(E),
    /// The pool's settings are invalid (from `build` only).
    Config(ConfigError),
}

impl<E> From<ConfigError> for PoolError<E> {
    fn from(err: ConfigError) -> Self {
        PoolError::Config(err)
    }
}

impl<E> fmt::Display for PoolError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Timeout => f.write_str("timed out waiting for a pool object"),
            PoolError::Closed => f.write_str("pool is closed"),
            PoolError::Create(_) => f.write_str("could not create a pool object"),
            PoolError::Config(err) => fmt::Display::fmt(err, f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for PoolError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PoolError::Create(err) => Some(err),
            PoolError::Config(err) => Some(err),
            PoolError::Timeout | PoolError::Closed => None,
        }
    }
}
