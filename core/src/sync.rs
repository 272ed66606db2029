//! Locks and signals for tasks: Python's `threading` / `asyncio` `Lock`, `Event`, `Condition`,
//! `Barrier` — async, and the same on both targets.
//!
//! The locks are [async-lock]'s, re-exported as they are (well kept, small, no executor of their
//! own). Waiting on them suspends the task instead of blocking its thread, so a page or an
//! executor thread stays free while a task waits. [`Event`] (Python's `Event`, a flag you can
//! wait on) and [`Notify`] (wake one or every waiter, the engine under a `Condition`) are thin
//! layers over [event-listener]. The semaphore lives with the other concurrency limits, in
//! `weft::Semaphore`.
//!
//! | Python | weft | notes |
//! |---|---|---|
//! | `threading.Lock()`, `asyncio.Lock()` + `with lock:` | [`Mutex<T>`] + `let guard = m.lock().await;` | the data lives inside the lock; dropping the guard unlocks |
//! | `threading.RLock()` | none: pass the guard down | see [below](#rlock-has-no-async-twin) |
//! | `threading.Event()`, `asyncio.Event()` | [`Event`] | `set`, `clear`, `is_set`, `wait().await` |
//! | `threading.Condition()` | [`Mutex<T>`] + [`Notify`] | see [below](#condition-mutex--notify) |
//! | `threading.Barrier(n)`, `asyncio.Barrier(n)` | [`Barrier`] | `Barrier::new(0)` acts as `Barrier::new(1)` |
//! | readers-writer lock | [`RwLock<T>`] | writers are not starved by a stream of readers |
//! | a value computed once, lazily | [`OnceCell<T>`] | concurrent initialisers wait for the first |
//! | `threading.Semaphore(n)` | `weft::Semaphore` | in the limit module |
//!
//! Cancellation: every wait here is a future; dropping it (for instance when a `weft::timeout`
//! expires) stops waiting and takes nothing: a dropped `lock()` never acquires the lock, a dropped
//! [`Event::wait`] leaves the event as it was. Natively the locks also have `*_blocking` methods
//! for plain threads (`lock_blocking`, `wait_blocking`); they do not exist in the browser, where
//! nothing may block.
//!
//! A `std::sync::Mutex` is still the right tool for state touched briefly and never across an
//! `.await` (a counter, a map lookup): it is cheaper, and natively the compiler refuses to spawn a
//! task that holds its guard across an `.await` (the guard is not `Send`).
//!
//! # Examples
//!
//! The seeds' ten threads incrementing a counter under a lock, as ten tasks:
//!
//! ```
//! use std::sync::Arc;
//! use weft::sync::Mutex;
//!
//! weft::block_on(async {
//!     let counter = Arc::new(Mutex::new(0));
//!     let tasks: Vec<_> = (0..10)
//!         .map(|_| {
//!             let counter = counter.clone();
//!             weft::spawn(async move {
//!                 for _ in 0..1_000 {
//!                     *counter.lock().await += 1; // the guard drops at the end of the statement
//!                 }
//!             })
//!         })
//!         .collect();
//!     weft::gather(tasks).await;
//!     assert_eq!(*counter.lock().await, 10_000);
//! });
//! ```
//!
//! # RLock has no async twin
//!
//! A re-entrant lock remembers its owner (a thread) and lets the owner lock again. In async code
//! there is no owner to remember: one task moves between threads, and many tasks share one
//! thread, so "the same thread" would let an unrelated task in and "the same task" cannot be
//! known without a task identity that locks do not get. Python's `asyncio` has no `RLock` for the
//! same reason. The fix is structural and usually clearer: take the lock once, at the top, and
//! hand the guarded data (`&mut T`) to the recursive part.
//!
//! ```
//! use weft::sync::Mutex;
//!
//! // Python: def recursive_function(n): with rlock: if n > 0: recursive_function(n - 1)
//! fn countdown(log: &mut Vec<u32>, n: u32) {
//!     log.push(n);
//!     if n > 0 {
//!         countdown(log, n - 1); // already holds the data: no second lock
//!     }
//! }
//!
//! weft::block_on(async {
//!     let log = Mutex::new(Vec::new());
//!     countdown(&mut *log.lock().await, 3);
//!     assert_eq!(*log.lock().await, [3, 2, 1, 0]);
//! });
//! ```
//!
//! # Condition: Mutex + Notify
//!
//! `threading.Condition` is a lock plus "wake me when it may have changed". In weft the lock is a
//! [`Mutex`] around the shared state and the wake-up is a [`Notify`]. The one rule: ask for the
//! notification ([`Notify::notified`]) *before* checking the state, so a notification sent
//! between the check and the wait is not missed (Python's `Condition.wait` gets the same effect by
//! releasing the lock and waiting in one step).
//!
//! ```
//! use std::sync::Arc;
//! use weft::sync::{Mutex, Notify};
//!
//! struct Shelf {
//!     items: Mutex<Vec<&'static str>>,
//!     changed: Notify,
//! }
//!
//! weft::block_on(async {
//!     let shelf = Arc::new(Shelf { items: Mutex::new(Vec::new()), changed: Notify::new() });
//!
//!     let consumer = weft::spawn({
//!         let shelf = shelf.clone();
//!         async move {
//!             loop {
//!                 let changed = shelf.changed.notified(); // 1. listen
//!                 if let Some(item) = shelf.items.lock().await.pop() {
//!                     break item; // 2. check
//!                 }
//!                 changed.await; // 3. wait
//!             }
//!         }
//!     });
//!
//!     weft::sleep(std::time::Duration::from_millis(5)).await;
//!     shelf.items.lock().await.push("item");
//!     shelf.changed.notify_one(); // Condition.notify()
//!     assert_eq!(consumer.await.unwrap(), "item");
//! });
//! ```
//!
//! [async-lock]: https://docs.rs/async-lock
//! [event-listener]: https://docs.rs/event-listener

mod event;
mod notify;

pub use async_lock::{
    Barrier, BarrierWaitResult, Mutex, MutexGuard, MutexGuardArc, OnceCell, RwLock,
    RwLockReadGuard, RwLockReadGuardArc, RwLockUpgradableReadGuard, RwLockUpgradableReadGuardArc,
    RwLockWriteGuard, RwLockWriteGuardArc,
};
pub use event::{Event, EventWait};
pub use notify::{Notified, Notify};
