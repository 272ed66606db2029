//! [`Manager`]: how a pool makes, checks and disposes of its objects.

use core::future::Future;

use crate::runtime::MaybeSend;

/// How to make, check and dispose of the objects a [`Pool`](super::Pool) holds.
///
/// Implement it with `async fn` (the futures need be `Send` natively only; in the browser they
/// may hold `JsValue`s).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
///
/// struct Connection { id: u32, healthy: bool }
///
/// #[derive(Default)]
/// struct Database { opened: AtomicU32 }
///
/// impl weft::pool::Manager for Database {
///     type Object = Connection;
///     type Error = std::io::Error;
///
///     async fn create(&self) -> Result<Connection, std::io::Error> {
///         let id = self.opened.fetch_add(1, Ordering::SeqCst);
///         Ok(Connection { id, healthy: true })
///     }
///
///     async fn check(&self, conn: &mut Connection) -> Result<(), std::io::Error> {
///         if conn.healthy { Ok(()) } else { Err(std::io::Error::other("connection reset")) }
///     }
/// }
///
/// weft::block_on(async {
///     let pool = weft::Pool::builder(Database::default()).max_size(2).build().await.unwrap();
///     let conn = pool.acquire().await.unwrap();
///     assert_eq!(conn.id, 0);
/// });
/// ```
pub trait Manager {
    /// The pooled object (a connection, a client, a buffer…).
    type Object;
    /// Why an object could not be created or failed its check.
    type Error;

    /// Makes a new object.
    fn create(&self) -> impl Future<Output = Result<Self::Object, Self::Error>> + MaybeSend;

    /// Checks an idle object before it is handed out; an `Err` has it destroyed (never handed
    /// out again) and replaced by a new one. Objects fresh from [`Manager::create`] are not
    /// checked. The default accepts every object.
    fn check(
        &self,
        object: &mut Self::Object,
    ) -> impl Future<Output = Result<(), Self::Error>> + MaybeSend {
        let _ = object;
        async { Ok(()) }
    }

    /// Disposes of an object the pool no longer keeps (broken, discarded, or the pool closed).
    /// The default drops it.
    fn destroy(&self, object: Self::Object) {
        drop(object);
    }
}
