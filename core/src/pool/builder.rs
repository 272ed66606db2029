//! [`PoolBuilder`]: sizes and timeout, checked before the first object is made.

use core::fmt;
use core::marker::PhantomData;
use core::time::Duration;
use std::collections::VecDeque;

use super::error::PoolError;
use super::handle::Pool;
use super::manager::Manager;
use super::shared::Shared;
use crate::error::ConfigError;
use crate::runtime::Runtime;

/// How long [`Pool::acquire`] waits by default.
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Configures a [`Pool`]: sizes and acquire timeout. Made by [`Pool::builder`].
///
/// # Examples
///
/// ```
/// # struct Factory;
/// # impl weft::pool::Manager for Factory {
/// #     type Object = ();
/// #     type Error = std::convert::Infallible;
/// #     async fn create(&self) -> Result<(), Self::Error> { Ok(()) }
/// # }
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let pool = weft::Pool::builder(Factory)
///         .min_size(2)
///         .max_size(4)
///         .acquire_timeout(Duration::from_secs(5))
///         .build()
///         .await
///         .unwrap();
///     assert_eq!(pool.status().size, 2);
///
///     let bad = weft::Pool::builder(Factory).min_size(5).max_size(4).build().await;
///     assert_eq!(
///         bad.unwrap_err().to_string(),
///         "invalid min_size: must not exceed max_size (4), got 5"
///     );
/// });
/// ```
#[must_use = "a builder does nothing until `.build().await`"]
pub struct PoolBuilder<R, M> {
    manager: M,
    min_size: usize,
    max_size: usize,
    timeout: Duration,
    runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime, M: Manager> PoolBuilder<R, M> {
    pub(super) fn new(manager: M) -> Self {
        PoolBuilder {
            manager,
            min_size: 0,
            max_size: 10,
            timeout: DEFAULT_ACQUIRE_TIMEOUT,
            runtime: PhantomData,
        }
    }

    /// Objects created by [`build`](PoolBuilder::build), before the pool is used. Default 0.
    ///
    /// More than `max_size` makes `build` fail with [`PoolError::Config`]. The pool does not
    /// create replacements to stay at `min_size` after objects are destroyed; acquires create
    /// them when needed.
    ///
    /// # Examples
    ///
    /// ```
    /// # struct Factory;
    /// # impl weft::pool::Manager for Factory {
    /// #     type Object = ();
    /// #     type Error = std::convert::Infallible;
    /// #     async fn create(&self) -> Result<(), Self::Error> { Ok(()) }
    /// # }
    /// weft::block_on(async {
    ///     let pool = weft::Pool::builder(Factory).min_size(3).build().await.unwrap();
    ///     assert_eq!(pool.status().idle, 3);
    /// });
    /// ```
    pub fn min_size(mut self, min_size: usize) -> Self {
        self.min_size = min_size;
        self
    }

    /// The most objects alive at once, lent out or idle. Default 10; 0 makes `build` fail.
    ///
    /// # Examples
    ///
    /// ```
    /// # struct Factory;
    /// # impl weft::pool::Manager for Factory {
    /// #     type Object = ();
    /// #     type Error = std::convert::Infallible;
    /// #     async fn create(&self) -> Result<(), Self::Error> { Ok(()) }
    /// # }
    /// weft::block_on(async {
    ///     let pool = weft::Pool::builder(Factory).max_size(2).build().await.unwrap();
    ///     assert_eq!(pool.status().max, 2);
    ///     assert!(weft::Pool::builder(Factory).max_size(0).build().await.is_err());
    /// });
    /// ```
    pub fn max_size(mut self, max_size: usize) -> Self {
        self.max_size = max_size;
        self
    }

    /// How long [`Pool::acquire`] may take in all. Default 30 seconds; `Duration::MAX` waits
    /// forever; zero still succeeds when an idle object passes its check at once.
    ///
    /// # Examples
    ///
    /// ```
    /// # struct Factory;
    /// # impl weft::pool::Manager for Factory {
    /// #     type Object = ();
    /// #     type Error = std::convert::Infallible;
    /// #     async fn create(&self) -> Result<(), Self::Error> { Ok(()) }
    /// # }
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let pool = weft::Pool::builder(Factory)
    ///         .min_size(1)
    ///         .acquire_timeout(Duration::ZERO)
    ///         .build()
    ///         .await
    ///         .unwrap();
    ///     assert!(pool.acquire().await.is_ok());
    /// });
    /// ```
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks the sizes, creates `min_size` objects, and returns the pool.
    ///
    /// Fails with [`PoolError::Config`] if `max_size` is 0 or `min_size` exceeds it, and with
    /// [`PoolError::Create`] if an initial object cannot be made (those already made are
    /// destroyed). Dropping the future drops the objects made so far.
    ///
    /// # Examples
    ///
    /// ```
    /// struct Unreachable;
    /// impl weft::pool::Manager for Unreachable {
    ///     type Object = ();
    ///     type Error = std::io::Error;
    ///     async fn create(&self) -> Result<(), std::io::Error> {
    ///         Err(std::io::Error::other("connection refused"))
    ///     }
    /// }
    ///
    /// weft::block_on(async {
    ///     let err = weft::Pool::builder(Unreachable).min_size(1).build().await.unwrap_err();
    ///     assert_eq!(err.to_string(), "could not create a pool object");
    ///     let cause = std::error::Error::source(&err).unwrap();
    ///     assert_eq!(cause.to_string(), "connection refused");
    /// });
    /// ```
    pub async fn build(self) -> Result<Pool<R, M>, PoolError<M::Error>> {
        let max_size = ConfigError::at_least_one("max_size", self.max_size)?;
        if self.min_size > max_size {
            return Err(PoolError::Config(ConfigError::new(
                "min_size",
                format!(
                    "must not exceed max_size ({max_size}), got {}",
                    self.min_size
                ),
            )));
        }
        let mut idle = VecDeque::with_capacity(self.min_size);
        for _ in 0..self.min_size {
            match self.manager.create().await {
                Ok(object) => idle.push_back(object),
                Err(err) => {
                    for object in idle {
                        self.manager.destroy(object);
                    }
                    return Err(PoolError::Create(err));
                }
            }
        }
        Ok(Pool::new(
            Shared::new(self.manager, max_size, idle),
            self.timeout,
        ))
    }
}

impl<R, M> fmt::Debug for PoolBuilder<R, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("min_size", &self.min_size)
            .field("max_size", &self.max_size)
            .field("acquire_timeout", &self.timeout)
            .finish()
    }
}
