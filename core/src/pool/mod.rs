//! A pool of reusable resources such as connections; asyncpg's `create_pool(min_size,
//! max_size)` / `pool.acquire()` and the seeds' `ConnectionPool`.
//!
//! A [`Manager`] says how to create, health-check and destroy one object; a [`Pool`] keeps
//! between `min_size` and `max_size` of them and lends them out. [`Pool::acquire`] gives a
//! [`Guard`] that derefs to the object and returns it to the pool when dropped (Python's
//! `async with pool.acquire() as conn`). When every object is out and the pool is at
//! `max_size`, acquirers wait in line, first come first served, for at most `acquire_timeout`.
//!
//! - An idle object is checked ([`Manager::check`]) before it is handed out; one that fails is
//!   destroyed and replaced by a new one, so a broken object is never handed out again.
//! - [`Guard::discard`] destroys an object its user found broken.
//! - [`Pool::close`] fails the waiters, destroys the idle objects, and destroys the others as
//!   they come back.
//!
//! The generic form names its [`Runtime`](crate::Runtime) (for the timeout); each backend exposes `weft::Pool`
//! bound to itself.

mod builder;
mod error;
mod guard;
mod handle;
mod manager;
mod shared;

pub use builder::PoolBuilder;
pub use error::PoolError;
pub use guard::Guard;
pub use handle::{Pool, Status};
pub use manager::Manager;

/// Binds `Pool` and `PoolBuilder` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_pool {
    ($rt:ty) => {
        /// A pool of objects made by a [`Manager`]($crate::pool::Manager), on this runtime;
        /// asyncpg's `create_pool`. See [`weft_core::pool`]($crate::pool).
        ///
        /// # Examples
        ///
        /// ```
        /// struct Numbers;
        /// impl weft::pool::Manager for Numbers {
        ///     type Object = u64;
        ///     type Error = std::convert::Infallible;
        ///     async fn create(&self) -> Result<u64, Self::Error> { Ok(42) }
        /// }
        ///
        /// weft::block_on(async {
        ///     let pool: weft::Pool<Numbers> = weft::Pool::builder(Numbers).max_size(4).build().await.unwrap();
        ///     assert_eq!(*pool.acquire().await.unwrap(), 42);
        /// });
        /// ```
        pub type Pool<M> = $crate::pool::Pool<$rt, M>;

        /// Configures a [`Pool`] on this runtime; made by `Pool::builder(manager)`.
        ///
        /// # Examples
        ///
        /// ```
        /// struct Numbers;
        /// impl weft::pool::Manager for Numbers {
        ///     type Object = u64;
        ///     type Error = std::convert::Infallible;
        ///     async fn create(&self) -> Result<u64, Self::Error> { Ok(1) }
        /// }
        ///
        /// weft::block_on(async {
        ///     let builder: weft::PoolBuilder<Numbers> = weft::Pool::builder(Numbers).min_size(2);
        ///     let pool = builder.build().await.unwrap();
        ///     assert_eq!(pool.status().idle, 2);
        /// });
        /// ```
        pub type PoolBuilder<M> = $crate::pool::PoolBuilder<$rt, M>;
    };
}
