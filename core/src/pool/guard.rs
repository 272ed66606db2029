//! [`Guard`]: an object on loan from a pool.

use core::fmt;
use core::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::manager::Manager;
use super::shared::Shared;

/// An object borrowed from a [`Pool`](super::Pool); derefs to it and gives it back when dropped.
///
/// If the pool was closed meanwhile, dropping the guard destroys the object instead.
///
/// # Examples
///
/// ```
/// # struct Factory;
/// # impl weft::pool::Manager for Factory {
/// #     type Object = Vec<u8>;
/// #     type Error = std::convert::Infallible;
/// #     async fn create(&self) -> Result<Vec<u8>, Self::Error> { Ok(Vec::new()) }
/// # }
/// weft::block_on(async {
///     let pool = weft::Pool::builder(Factory).max_size(1).build().await.unwrap();
///     {
///         let mut buffer = pool.acquire().await.unwrap();
///         buffer.push(1); // DerefMut to the object
///     }
///     assert_eq!(*pool.acquire().await.unwrap(), [1], "the same object came back");
/// });
/// ```
pub struct Guard<M: Manager> {
    shared: Arc<Shared<M>>,
    /// Always `Some` until the guard is dropped or discarded.
    object: Option<M::Object>,
}

impl<M: Manager> Guard<M> {
    pub(super) fn new(shared: Arc<Shared<M>>, object: Option<M::Object>) -> Self {
        Guard { shared, object }
    }

    /// Destroys the object instead of returning it, for an object found broken while in use.
    ///
    /// Its slot is freed: the next acquire creates a fresh object.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::sync::atomic::{AtomicU32, Ordering};
    /// # #[derive(Default)]
    /// # struct Counter(AtomicU32);
    /// # impl weft::pool::Manager for Counter {
    /// #     type Object = u32;
    /// #     type Error = std::convert::Infallible;
    /// #     async fn create(&self) -> Result<u32, Self::Error> { Ok(self.0.fetch_add(1, Ordering::SeqCst)) }
    /// # }
    /// weft::block_on(async {
    ///     let pool = weft::Pool::builder(Counter::default()).max_size(1).build().await.unwrap();
    ///     let first = pool.acquire().await.unwrap();
    ///     assert_eq!(*first, 0);
    ///     first.discard();
    ///     assert_eq!(*pool.acquire().await.unwrap(), 1, "a new object replaced it");
    /// });
    /// ```
    pub fn discard(mut self) {
        if let Some(object) = self.object.take() {
            self.shared.discard(object);
        }
    }
}

impl<M: Manager> Deref for Guard<M> {
    type Target = M::Object;

    fn deref(&self) -> &M::Object {
        self.object
            .as_ref()
            .expect("a guard holds its object until dropped")
    }
}

impl<M: Manager> DerefMut for Guard<M> {
    fn deref_mut(&mut self) -> &mut M::Object {
        self.object
            .as_mut()
            .expect("a guard holds its object until dropped")
    }
}

impl<M: Manager> Drop for Guard<M> {
    fn drop(&mut self) {
        if let Some(object) = self.object.take() {
            self.shared.release(Some(object));
        }
    }
}

impl<M: Manager> fmt::Debug for Guard<M>
where
    M::Object: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Guard").field(&self.object).finish()
    }
}
