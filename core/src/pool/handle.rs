//! [`Pool`]: the handle users acquire from, and its [`Status`].

use core::fmt;
use core::marker::PhantomData;
use core::time::Duration;
use std::sync::Arc;

use super::builder::PoolBuilder;
use super::error::PoolError;
use super::guard::Guard;
use super::manager::Manager;
use super::shared::Shared;
use crate::runtime::Runtime;
use crate::timeout::Timeout;

/// A pool of objects made by a [`Manager`], generic over the [`Runtime`] that times acquires.
///
/// Clones are handles to the same pool. Dropping every handle and guard drops the idle objects
/// (without [`Manager::destroy`]; call [`Pool::close`] for that).
///
/// # Examples
///
/// The seeds' `Database.execute`: borrow a connection, use it, give it back.
///
/// ```
/// struct Conn;
/// impl Conn {
///     async fn execute(&self, query: &str) -> String { format!("ran {query}") }
/// }
/// struct Dsn(&'static str);
/// impl weft::pool::Manager for Dsn {
///     type Object = Conn;
///     type Error = std::convert::Infallible;
///     async fn create(&self) -> Result<Conn, Self::Error> { Ok(Conn) }
/// }
///
/// weft::block_on(async {
///     let pool = weft::Pool::builder(Dsn("postgres://localhost/app"))
///         .min_size(5)
///         .max_size(20)
///         .build()
///         .await
///         .unwrap();
///     assert_eq!(pool.status().idle, 5, "min_size objects were created up front");
///     {
///         let conn = pool.acquire().await.unwrap();
///         assert_eq!(conn.execute("SELECT 1").await, "ran SELECT 1");
///         assert_eq!(pool.status().in_use, 1);
///     } // the guard is dropped: the connection goes back
///     assert_eq!(pool.status().in_use, 0);
///     pool.close().await;
/// });
/// ```
pub struct Pool<R, M: Manager> {
    shared: Arc<Shared<M>>,
    timeout: Duration,
    runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime, M: Manager> Pool<R, M> {
    /// Starts configuring a pool of objects made by `manager`.
    ///
    /// # Examples
    ///
    /// ```
    /// # struct Factory;
    /// # impl weft::pool::Manager for Factory {
    /// #     type Object = u32;
    /// #     type Error = std::convert::Infallible;
    /// #     async fn create(&self) -> Result<u32, Self::Error> { Ok(7) }
    /// # }
    /// weft::block_on(async {
    ///     let pool = weft::Pool::builder(Factory).build().await.unwrap();
    ///     assert_eq!(*pool.acquire().await.unwrap(), 7);
    /// });
    /// ```
    pub fn builder(manager: M) -> PoolBuilder<R, M> {
        PoolBuilder::new(manager)
    }

    /// Borrows an object: an idle one that passes [`Manager::check`], or a new one if the pool
    /// is below `max_size`, or else the next one returned, waiting in line (first come, first
    /// served).
    ///
    /// Fails with [`PoolError::Timeout`] after `acquire_timeout` (waiting, creating and checking
    /// included), [`PoolError::Closed`] if the pool is or gets closed, [`PoolError::Create`] if
    /// a new object could not be made. Dropping the future at any point (for instance in a
    /// `timeout`) gives up its place in line and returns anything it held to the pool.
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
    /// use weft::pool::PoolError;
    ///
    /// weft::block_on(async {
    ///     let pool = weft::Pool::builder(Factory)
    ///         .max_size(1)
    ///         .acquire_timeout(Duration::from_millis(10))
    ///         .build()
    ///         .await
    ///         .unwrap();
    ///     let only = pool.acquire().await.unwrap();
    ///     assert!(matches!(pool.acquire().await, Err(PoolError::Timeout)));
    ///     drop(only);
    ///     assert!(pool.acquire().await.is_ok());
    /// });
    /// ```
    pub async fn acquire(&self) -> Result<Guard<M>, PoolError<M::Error>> {
        match Timeout::<R, _>::after(self.timeout, self.shared.clone().acquire()).await {
            Ok(acquired) => acquired,
            Err(_) => Err(PoolError::Timeout),
        }
    }

    /// Closes the pool and waits until every object has been destroyed.
    ///
    /// At once: later and waiting acquires fail with [`PoolError::Closed`], and idle objects are
    /// destroyed. Then it waits for the objects still lent out: each is destroyed when its guard
    /// is dropped, and `close` returns when none is left. Holding a guard while awaiting `close`
    /// in the same task therefore never finishes: drop it first, or bound the wait with
    /// `weft::timeout` (the pool stays closed either way). Closing twice is harmless.
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
    /// use weft::pool::PoolError;
    ///
    /// weft::block_on(async {
    ///     let pool = weft::Pool::builder(Factory).min_size(2).build().await.unwrap();
    ///     pool.close().await;
    ///     assert_eq!(pool.status().size, 0);
    ///     assert!(matches!(pool.acquire().await, Err(PoolError::Closed)));
    /// });
    /// ```
    pub async fn close(&self) {
        self.shared.close().await
    }
}

impl<R, M: Manager> Pool<R, M> {
    /// A snapshot of the pool's counts.
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
    ///     let pool = weft::Pool::builder(Factory).min_size(1).max_size(3).build().await.unwrap();
    ///     let _a = pool.acquire().await.unwrap();
    ///     let _b = pool.acquire().await.unwrap();
    ///     let status = pool.status();
    ///     assert_eq!((status.size, status.idle, status.in_use, status.waiting, status.max), (2, 0, 2, 0, 3));
    /// });
    /// ```
    pub fn status(&self) -> Status {
        self.shared.status()
    }
}

impl<R, M: Manager> Pool<R, M> {
    pub(super) fn new(shared: Arc<Shared<M>>, timeout: Duration) -> Self {
        Pool {
            shared,
            timeout,
            runtime: PhantomData,
        }
    }
}

impl<R, M: Manager> Clone for Pool<R, M> {
    fn clone(&self) -> Self {
        Pool {
            shared: self.shared.clone(),
            timeout: self.timeout,
            runtime: PhantomData,
        }
    }
}

impl<R, M: Manager> fmt::Debug for Pool<R, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("status", &self.status())
            .field("acquire_timeout", &self.timeout)
            .finish()
    }
}

/// A snapshot of a [`Pool`]'s counts, from [`Pool::status`].
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
///     let pool = weft::Pool::builder(Factory).min_size(2).max_size(5).build().await.unwrap();
///     let status = pool.status();
///     assert_eq!(status.size, 2);
///     assert_eq!(status.idle + status.in_use, status.size);
///     assert!(!status.closed);
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// Objects alive (idle or lent out) plus objects being created; never above `max`.
    pub size: usize,
    /// Objects waiting in the pool to be lent.
    pub idle: usize,
    /// `size - idle`: lent out, being checked, or being created.
    pub in_use: usize,
    /// Acquires waiting in line.
    pub waiting: usize,
    /// The `max_size` the pool was built with.
    pub max: usize,
    /// Whether [`Pool::close`] has been called.
    pub closed: bool,
}
