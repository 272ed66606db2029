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
//! The generic form names its [`Runtime`] (for the timeout); each backend exposes `weft::Pool`
//! bound to itself.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::time::Duration;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use event_listener::Event;

use crate::error::ConfigError;
use crate::runtime::{MaybeSend, Runtime};
use crate::timeout::Timeout;

/// How long [`Pool::acquire`] waits by default.
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// How to make, check and dispose of the objects a [`Pool`] holds.
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

    /// Checks an idle object before it is handed out; an `Err` has it destroyed and replaced.
    /// The default accepts every object.
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

/// A handoff to a waiter: an object, or the right to create one (`None`).
type Slot<O> = Option<O>;

struct Shared<M: Manager> {
    manager: M,
    max_size: usize,
    state: Mutex<State<M::Object>>,
    /// Notified when the last object of a closed pool is destroyed.
    emptied: Event,
}

struct State<O> {
    idle: VecDeque<O>,
    /// Objects alive plus objects being created; never above `max_size`.
    size: usize,
    /// Acquirers in line, oldest first. A waiter that gave up has closed its channel.
    waiters: VecDeque<async_channel::Sender<Slot<O>>>,
    closed: bool,
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
        PoolBuilder {
            manager,
            min_size: 0,
            max_size: 10,
            timeout: DEFAULT_ACQUIRE_TIMEOUT,
            runtime: PhantomData,
        }
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
        let (idle, waiters) = {
            let mut state = self.shared.state();
            state.closed = true;
            state.size -= state.idle.len();
            (
                std::mem::take(&mut state.idle),
                std::mem::take(&mut state.waiters),
            )
        };
        // Dropping the senders wakes every waiter with `Closed`.
        drop(waiters);
        for object in idle {
            self.shared.manager.destroy(object);
        }
        loop {
            if self.shared.state().size == 0 {
                return;
            }
            let listener = self.shared.emptied.listen();
            if self.shared.state().size == 0 {
                return;
            }
            listener.await;
        }
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
        let state = self.shared.state();
        Status {
            size: state.size,
            idle: state.idle.len(),
            in_use: state.size - state.idle.len(),
            waiting: state.waiters.iter().filter(|w| !w.is_closed()).count(),
            max: self.shared.max_size,
            closed: state.closed,
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

impl<M: Manager> Shared<M> {
    fn state(&self) -> MutexGuard<'_, State<M::Object>> {
        // Nothing user-written runs under this lock, but never let a poisoned lock wedge a pool.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn acquire(self: Arc<Self>) -> Result<Guard<M>, PoolError<M::Error>> {
        let mut lease = self.clone().take_slot().await?;
        if let Some(object) = lease.object.as_mut() {
            if self.manager.check(object).await.is_ok() {
                return self.hand_out(lease);
            }
            // Broken: destroy it and make a replacement in the same slot.
            if let Some(broken) = lease.object.take() {
                self.manager.destroy(broken);
            }
        }
        match self.manager.create().await {
            Ok(object) => {
                lease.object = Some(object);
                self.hand_out(lease)
            }
            // Dropping the lease frees the slot for the next in line.
            Err(err) => Err(PoolError::Create(err)),
        }
    }

    /// Waits for an idle object or for room to create one, in line behind earlier waiters.
    async fn take_slot(self: Arc<Self>) -> Result<Lease<M>, PoolError<M::Error>> {
        let receiver = {
            let mut state = self.state();
            if state.closed {
                return Err(PoolError::Closed);
            }
            state.waiters.retain(|w| !w.is_closed());
            if state.waiters.is_empty() {
                if let Some(object) = state.idle.pop_front() {
                    drop(state);
                    return Ok(Lease::new(self, Some(object)));
                }
                if state.size < self.max_size {
                    state.size += 1;
                    drop(state);
                    return Ok(Lease::new(self, None));
                }
            }
            let (sender, receiver) = async_channel::bounded(1);
            state.waiters.push_back(sender);
            receiver
        };
        let waiting = Waiting {
            shared: &self,
            receiver,
        };
        match waiting.receiver.recv().await {
            Ok(slot) => Ok(Lease::new(self.clone(), slot)),
            // The pool dropped our sender: it was closed.
            Err(_) => Err(PoolError::Closed),
        }
    }

    fn hand_out(self: &Arc<Self>, mut lease: Lease<M>) -> Result<Guard<M>, PoolError<M::Error>> {
        if self.state().closed {
            // Closed while we created or checked: the lease destroys the object.
            return Err(PoolError::Closed);
        }
        let object = lease.object.take();
        lease.armed = false;
        Ok(Guard {
            shared: self.clone(),
            object,
        })
    }

    /// Gives a slot back: to the oldest waiter still waiting, else to the idle list (an object)
    /// or to the free room (no object). In a closed pool the object is destroyed.
    fn release(&self, slot: Slot<M::Object>) {
        let mut slot = slot;
        let mut state = self.state();
        if !state.closed {
            while let Some(waiter) = state.waiters.pop_front() {
                match waiter.try_send(slot) {
                    Ok(()) => return,
                    // That waiter gave up: try the next one.
                    Err(err) => slot = err.into_inner(),
                }
            }
            match slot {
                Some(object) => state.idle.push_back(object),
                None => state.size -= 1,
            }
            return;
        }
        state.size -= 1;
        let emptied = state.size == 0;
        drop(state);
        if let Some(object) = slot {
            self.manager.destroy(object);
        }
        if emptied {
            self.emptied.notify(usize::MAX);
        }
    }

    /// Destroys an object and frees its slot.
    fn discard(&self, object: M::Object) {
        self.manager.destroy(object);
        self.release(None);
    }
}

/// A place in line; if dropped after a slot was handed to it, gives that slot back.
struct Waiting<'a, M: Manager> {
    shared: &'a Shared<M>,
    receiver: async_channel::Receiver<Slot<M::Object>>,
}

impl<M: Manager> Drop for Waiting<'_, M> {
    fn drop(&mut self) {
        // Closed first, so no slot can arrive after the look below. A slot may already be
        // buffered even if the pool closed the channel (by dropping its sender) meanwhile.
        self.receiver.close();
        if let Ok(slot) = self.receiver.try_recv() {
            self.shared.release(slot);
        }
    }
}

/// A slot held by an acquire in progress; given back if the acquire fails or is dropped.
struct Lease<M: Manager> {
    shared: Arc<Shared<M>>,
    object: Slot<M::Object>,
    armed: bool,
}

impl<M: Manager> Lease<M> {
    fn new(shared: Arc<Shared<M>>, object: Slot<M::Object>) -> Self {
        Lease {
            shared,
            object,
            armed: true,
        }
    }
}

impl<M: Manager> Drop for Lease<M> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.release(self.object.take());
        }
    }
}

/// An object borrowed from a [`Pool`]; derefs to it and gives it back when dropped.
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
        Ok(Pool {
            shared: Arc::new(Shared {
                manager: self.manager,
                max_size,
                state: Mutex::new(State {
                    size: idle.len(),
                    idle,
                    waiters: VecDeque::new(),
                    closed: false,
                }),
                emptied: Event::new(),
            }),
            timeout: self.timeout,
            runtime: PhantomData,
        })
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

/// Why [`Pool::acquire`] or [`PoolBuilder::build`] failed.
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
        pub type PoolBuilder<M> = $crate::pool::PoolBuilder<$rt, M>;
    };
}
