//! [`Notify`]: wake one waiting task or all of them; the wake-up half of Python's `Condition`.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use event_listener::{EventListener, IntoNotification};

use crate::primitives::const_unless_loom;

/// Wakes waiting tasks: [`notify_one`](Notify::notify_one) wakes one, [`notify_all`](Notify::notify_all)
/// wakes every one. The wake-up half of `threading.Condition` (`notify()` / `notify_all()`);
/// the other half is a [`Mutex`](crate::sync::Mutex) around the state, as the
/// [module docs](crate::sync#condition-mutex--notify) show.
///
/// A thin layer over [event-listener](https://docs.rs/event-listener)'s `Event`, with these
/// semantics:
///
/// - A waiter counts from the moment [`notified`](Notify::notified) is *called*, not from its
///   first poll, so "listen, check the state, await" never misses a notification sent after the
///   check.
/// - A notification with nobody listening is lost, as with Python's `Condition.notify()` (and
///   unlike tokio's `Notify`, which keeps one permit). Always check the state; the notification
///   only says it may have changed.
/// - `notify_one` twice wakes two waiters (if two are listening); waiters wake in the order they
///   started listening.
/// - A waiter that was chosen by `notify_one` but is dropped before it wakes passes the
///   notification on to the next waiter, so cancelling a wait never swallows a wake-up.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use weft::sync::Notify;
///
/// weft::block_on(async {
///     let notify = Arc::new(Notify::new());
///     let waiter = notify.notified(); // listening from here
///     notify.notify_one();
///     waiter.await; // already notified: returns at once
///
///     notify.notify_all(); // nobody listening: lost
///     let late = notify.notified();
///     assert!(weft::timeout(std::time::Duration::from_millis(5), late).await.is_err());
/// });
/// ```
pub struct Notify {
    event: event_listener::Event,
}

impl Notify {
    const_unless_loom! {
        /// A new `Notify` with nobody waiting.
        ///
        /// # Examples
        ///
        /// ```
        /// static CHANGED: weft::sync::Notify = weft::sync::Notify::new();
        /// assert_eq!(CHANGED.notify_all(), 0);
        /// ```
        pub fn new() -> Self {
            Notify {
                event: event_listener::Event::new(),
            }
        }
    }

    /// Starts listening and returns the future that completes once this listener is notified.
    ///
    /// Dropping the future stops listening; if it had been chosen by a `notify_one`, the
    /// notification goes to the next listener instead.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let notify = weft::sync::Notify::new();
    ///     let first = notify.notified();
    ///     let second = notify.notified();
    ///     notify.notify_one();
    ///     drop(first); // chosen, then cancelled: the wake-up passes on
    ///     second.await;
    /// });
    /// ```
    pub fn notified(&self) -> Notified {
        Notified {
            listener: self.event.listen(),
        }
    }

    /// Wakes one more listener (the longest waiting one not yet woken); returns how many were
    /// woken, 0 or 1. With nobody listening the notification is lost.
    ///
    /// # Examples
    ///
    /// ```
    /// let notify = weft::sync::Notify::new();
    /// assert_eq!(notify.notify_one(), 0);
    /// let _a = notify.notified();
    /// let _b = notify.notified();
    /// assert_eq!(notify.notify_one(), 1);
    /// assert_eq!(notify.notify_one(), 1);
    /// assert_eq!(notify.notify_one(), 0);
    /// ```
    pub fn notify_one(&self) -> usize {
        self.event.notify(1.additional())
    }

    /// Wakes every current listener; returns how many were woken.
    ///
    /// # Examples
    ///
    /// ```
    /// let notify = weft::sync::Notify::new();
    /// let listeners: Vec<_> = (0..3).map(|_| notify.notified()).collect();
    /// assert_eq!(notify.notify_all(), 3);
    /// weft::block_on(weft::gather(listeners));
    /// ```
    pub fn notify_all(&self) -> usize {
        self.event.notify(usize::MAX)
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify")
            .field("listeners", &self.event.total_listeners())
            .finish()
    }
}

/// The future of [`Notify::notified`]: completes once this listener is notified.
///
/// Dropping it stops listening (a notification it had received goes to the next listener).
///
/// # Examples
///
/// ```
/// let notify = weft::sync::Notify::new();
/// let listener: weft::sync::Notified = notify.notified();
/// notify.notify_all();
/// weft::block_on(listener);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Notified {
    listener: EventListener,
}

impl Notified {
    /// Blocks this thread until notified: a `threading.Condition.wait()` for plain threads
    /// (natively only; nothing may block in the browser).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let notify = Arc::new(weft::sync::Notify::new());
    /// let listener = notify.notified();
    /// let other = std::thread::spawn({
    ///     let notify = notify.clone();
    ///     move || notify.notify_one()
    /// });
    /// listener.wait_blocking();
    /// other.join().unwrap();
    /// ```
    #[cfg(not(target_family = "wasm"))]
    pub fn wait_blocking(self) {
        event_listener::Listener::wait(self.listener)
    }
}

impl Future for Notified {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.listener).poll(cx)
    }
}

impl fmt::Debug for Notified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified").finish_non_exhaustive()
    }
}
