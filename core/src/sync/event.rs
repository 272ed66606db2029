//! [`Event`]: a flag tasks can wait on, Python's `asyncio.Event` / `threading.Event`.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::Ordering;
use core::task::{Context, Poll};

use event_listener::EventListener;

use crate::primitives::{AtomicBool, const_unless_loom};

/// A flag that tasks can wait on: Python's `asyncio.Event` and `threading.Event`.
///
/// An event starts cleared. [`set`](Event::set) raises the flag and wakes every task waiting in
/// [`wait`](Event::wait); while the flag is up, `wait` returns at once.
/// [`clear`](Event::clear) lowers it again, so later waits suspend until the next `set`.
///
/// As in Python, a task that was already waiting when `set` was called wakes even if the event is
/// cleared again before the task runs: a quick `set(); clear();` pulse wakes every waiter of the
/// moment and nobody after it.
///
/// Share it with an `Arc` (or a `static`: [`Event::new`] is `const`). Python's
/// `event.wait(timeout)` is `weft::timeout(d, event.wait())`: the result tells whether the event
/// was set in time.
///
/// # Examples
///
/// The seeds' waiter and setter:
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use weft::sync::Event;
///
/// weft::block_on(async {
///     let event = Arc::new(Event::new());
///     let waiters: Vec<_> = (0..3)
///         .map(|i| {
///             let event = event.clone();
///             weft::spawn(async move {
///                 event.wait().await; // suspends until set
///                 i
///             })
///         })
///         .collect();
///
///     weft::sleep(Duration::from_millis(10)).await;
///     assert!(!event.is_set());
///     event.set(); // wakes all three
///     let woke: Vec<_> = weft::gather(waiters).await.into_iter().map(Result::unwrap).collect();
///     assert_eq!(woke, [0, 1, 2]);
///
///     // While set, waiting returns at once; after clear it suspends again.
///     event.wait().await;
///     event.clear();
///     assert!(weft::timeout(Duration::from_millis(5), event.wait()).await.is_err());
/// });
/// ```
pub struct Event {
    flag: AtomicBool,
    waiters: event_listener::Event,
}

impl Event {
    const_unless_loom! {
        /// A new, cleared event.
        ///
        /// # Examples
        ///
        /// ```
        /// static READY: weft::sync::Event = weft::sync::Event::new();
        /// assert!(!READY.is_set());
        /// ```
        pub fn new() -> Self {
            Event {
                flag: AtomicBool::new(false),
                waiters: event_listener::Event::new(),
            }
        }
    }

    /// Raises the flag and wakes every task waiting in [`wait`](Event::wait).
    ///
    /// Setting an event that is already set changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = weft::sync::Event::new();
    /// event.set();
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn set(&self) {
        // Flag first, then notify: a waiter that registers after this store sees the flag on its
        // second check; one that registered before it gets the notification.
        self.flag.store(true, Ordering::SeqCst);
        self.waiters.notify(usize::MAX);
    }

    /// Lowers the flag: later calls to [`wait`](Event::wait) suspend until the next
    /// [`set`](Event::set). Waiters that a `set` already woke still return.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = weft::sync::Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        self.flag.store(false, Ordering::SeqCst);
    }

    /// Whether the flag is up.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = weft::sync::Event::new();
    /// assert!(!event.is_set());
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Waits until the event is set; returns at once if it already is.
    ///
    /// Dropping the returned future stops waiting and leaves the event as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let event = weft::sync::Event::new();
    ///     // Python's event.wait(timeout=0.01) returning False:
    ///     assert!(weft::timeout(Duration::from_millis(10), event.wait()).await.is_err());
    ///     event.set();
    ///     assert!(weft::timeout(Duration::from_millis(10), event.wait()).await.is_ok());
    /// });
    /// ```
    pub fn wait(&self) -> EventWait<'_> {
        EventWait {
            event: self,
            listener: None,
        }
    }

    /// Blocks this thread until the event is set: `threading.Event.wait()` for code running on a
    /// plain thread (natively only; nothing may block in the browser).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft::sync::Event;
    ///
    /// let event = Arc::new(Event::new());
    /// let setter = std::thread::spawn({
    ///     let event = event.clone();
    ///     move || event.set()
    /// });
    /// event.wait_blocking();
    /// assert!(event.is_set());
    /// setter.join().unwrap();
    /// ```
    #[cfg(not(target_family = "wasm"))]
    pub fn wait_blocking(&self) {
        use event_listener::Listener;

        if let Some(listener) = self.register() {
            listener.wait();
        }
    }

    /// Registers a listener unless the flag is up. `None` means "set: do not wait".
    ///
    /// The race with `set` / `clear`: the flag is checked, then a listener is registered, then the
    /// flag is checked again. A `set` that stores the flag after the registration also notifies
    /// the listener; one that stored it before is seen by the second check. So a waiter never
    /// sleeps through a `set` that happened after it registered. A `set(); clear();` pulse that
    /// falls wholly between the first check and the registration is not seen, which is the same
    /// as the pulse happening just before `wait` was called: the wait takes effect at the
    /// registration. Once registered, a notification always ends the wait, even if the flag has
    /// been cleared since (Python's semantics): only `set` notifies, so a notification proves a
    /// `set` happened while this waiter was waiting.
    fn register(&self) -> Option<EventListener> {
        if self.is_set() {
            return None;
        }
        let listener = self.waiters.listen();
        if self.is_set() {
            return None;
        }
        Some(listener)
    }
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("is_set", &self.is_set())
            .finish()
    }
}

/// The future of [`Event::wait`]: ready once the event has been set.
///
/// Dropping it stops waiting; the event is left as it was.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let event = weft::sync::Event::new();
///     let wait: weft::sync::EventWait<'_> = event.wait();
///     event.set();
///     wait.await;
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct EventWait<'a> {
    event: &'a Event,
    listener: Option<EventListener>,
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.listener.is_none() {
            match self.event.register() {
                None => return Poll::Ready(()),
                Some(listener) => self.listener = Some(listener),
            }
        }
        let listener = self.listener.as_mut().expect("registered above");
        match Pin::new(listener).poll(cx) {
            Poll::Ready(()) => {
                self.listener = None;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("event", self.event)
            .field("registered", &self.listener.is_some())
            .finish()
    }
}
