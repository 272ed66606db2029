//! [`Queue`]: the FIFO queue, on an async-channel channel.

use core::fmt;
use std::sync::Arc;

use super::error::{PutError, TaskDoneError, TryGetError, TryPutError};
use super::unfinished::Unfinished;

/// A multi-producer multi-consumer FIFO queue with Python's `task_done` / `join`.
///
/// Clones are handles to the same queue. Items are handed out in the order they were put, each
/// to exactly one getter. Dropping the last handle drops whatever is still queued.
///
/// # Examples
///
/// The seeds' producer/consumer: five workers, at most 100 items waiting, `join` until every
/// item has been marked done.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use weft::Queue;
///
/// weft::block_on(async {
///     let queue = Queue::bounded(100).unwrap();
///     let processed = Arc::new(AtomicUsize::new(0));
///     let workers: Vec<_> = (0..5)
///         .map(|_| {
///             let (queue, processed) = (queue.clone(), processed.clone());
///             weft::spawn(async move {
///                 while let Some(_item) = queue.get().await {
///                     processed.fetch_add(1, Ordering::SeqCst);
///                     queue.task_done().unwrap();
///                 }
///             })
///         })
///         .collect();
///     for item in 0..1_000 {
///         queue.put(item).await.unwrap();
///     }
///     queue.join().await; // every item put has been marked done
///     assert_eq!(processed.load(Ordering::SeqCst), 1_000);
///     queue.close(); // the workers' `get` now returns `None`
///     for worker in workers {
///         worker.await.unwrap();
///     }
/// });
/// ```
pub struct Queue<T> {
    sender: async_channel::Sender<T>,
    receiver: async_channel::Receiver<T>,
    unfinished: Arc<Unfinished>,
}

impl<T> Queue<T> {
    /// A queue that holds at most `capacity` items; `asyncio.Queue(maxsize=capacity)`.
    ///
    /// Python's `maxsize <= 0` means "unbounded"; here that is [`Queue::unbounded`], and a
    /// capacity of 0 is a [`ConfigError`](crate::ConfigError).
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::{Queue, TryPutError};
    ///
    /// let queue = Queue::bounded(1).unwrap();
    /// assert_eq!(queue.try_put(1), Ok(()));
    /// assert_eq!(queue.try_put(2), Err(TryPutError::Full(2)));
    /// assert_eq!(queue.capacity(), Some(1));
    ///
    /// let err = Queue::<u8>::bounded(0).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid capacity: must be at least 1, got 0");
    /// ```
    pub fn bounded(capacity: usize) -> Result<Self, crate::ConfigError> {
        let capacity = crate::ConfigError::at_least_one("capacity", capacity)?;
        Ok(Self::from_channel(async_channel::bounded(capacity)))
    }

    /// A queue with no limit; `asyncio.Queue()`. [`Queue::put`] never waits.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::unbounded();
    /// for i in 0..10_000 {
    ///     queue.try_put(i).unwrap();
    /// }
    /// assert_eq!(queue.len(), 10_000);
    /// assert_eq!(queue.capacity(), None);
    /// ```
    pub fn unbounded() -> Self {
        Self::from_channel(async_channel::unbounded())
    }

    fn from_channel(
        (sender, receiver): (async_channel::Sender<T>, async_channel::Receiver<T>),
    ) -> Self {
        Queue {
            sender,
            receiver,
            unfinished: Arc::default(),
        }
    }

    /// Puts `item` at the back of the queue, waiting while the queue is full.
    ///
    /// Waiting putters are served in the order they started waiting. Fails with the item handed
    /// back if the queue is closed (also while waiting: [`Queue::close`] wakes them). Dropping the
    /// future while it waits puts nothing and leaves the queue as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let queue = weft::Queue::bounded(2).unwrap();
    ///     queue.put("a").await.unwrap();
    ///     queue.put("b").await.unwrap();
    ///     assert_eq!(queue.len(), 2);
    ///
    ///     queue.close();
    ///     let err = queue.put("c").await.unwrap_err();
    ///     assert_eq!(err.into_inner(), "c");
    /// });
    /// ```
    pub async fn put(&self, item: T) -> Result<(), PutError<T>> {
        // Counted before the item is visible, so a fast consumer's task_done never sees zero.
        let pending = self.unfinished.pending();
        match self.sender.send(item).await {
            Ok(()) => {
                pending.keep();
                Ok(())
            }
            Err(err) => Err(PutError(err.into_inner())),
        }
    }

    /// Puts `item` if there is room right now; `put_nowait`.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::TryPutError;
    ///
    /// let queue = weft::Queue::bounded(1).unwrap();
    /// assert_eq!(queue.try_put(1), Ok(()));
    /// assert_eq!(queue.try_put(2), Err(TryPutError::Full(2)));
    /// queue.close();
    /// assert_eq!(queue.try_put(3), Err(TryPutError::Closed(3)));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        let pending = self.unfinished.pending();
        match self.sender.try_send(item) {
            Ok(()) => {
                pending.keep();
                Ok(())
            }
            Err(async_channel::TrySendError::Full(item)) => Err(TryPutError::Full(item)),
            Err(async_channel::TrySendError::Closed(item)) => Err(TryPutError::Closed(item)),
        }
    }

    /// Takes the item at the front of the queue, waiting while the queue is empty.
    ///
    /// Gives `None` once the queue is closed and every queued item has been taken, so
    /// `while let Some(item) = queue.get().await` drains a queue and stops. Waiting getters are
    /// served in the order they started waiting. Dropping the future while it waits takes
    /// nothing: the next item goes to another getter.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let queue = weft::Queue::unbounded();
    ///     queue.put(1).await.unwrap();
    ///     queue.put(2).await.unwrap();
    ///     queue.close();
    ///     assert_eq!(queue.get().await, Some(1)); // a closed queue still drains
    ///     assert_eq!(queue.get().await, Some(2));
    ///     assert_eq!(queue.get().await, None);
    /// });
    /// ```
    pub async fn get(&self) -> Option<T> {
        self.receiver.recv().await.ok()
    }

    /// Takes the front item if there is one right now; `get_nowait`.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::TryGetError;
    ///
    /// let queue = weft::Queue::unbounded();
    /// assert_eq!(queue.try_get(), Err(TryGetError::Empty));
    /// queue.try_put(7).unwrap();
    /// queue.close();
    /// assert_eq!(queue.try_get(), Ok(7));
    /// assert_eq!(queue.try_get(), Err(TryGetError::Closed));
    /// ```
    pub fn try_get(&self) -> Result<T, TryGetError> {
        self.receiver.try_recv().map_err(|err| match err {
            async_channel::TryRecvError::Empty => TryGetError::Empty,
            async_channel::TryRecvError::Closed => TryGetError::Closed,
        })
    }

    /// Marks one item taken from the queue as processed; Python's `task_done()`.
    ///
    /// Each [`Queue::put`] adds one unfinished item, each `task_done` removes one; [`Queue::join`]
    /// returns when none is left. Calling it more often than items were put is an error (Python
    /// raises `ValueError`), and the count stays at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::unbounded();
    /// queue.try_put("job").unwrap();
    /// assert_eq!(queue.unfinished(), 1);
    /// let _job = queue.try_get().unwrap();
    /// assert_eq!(queue.unfinished(), 1, "taken is not done");
    /// queue.task_done().unwrap();
    /// assert_eq!(queue.unfinished(), 0);
    /// assert!(queue.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.unfinished.done()
    }

    /// Waits until every item put has been marked done with [`Queue::task_done`]; Python's
    /// `join()`.
    ///
    /// Returns at once if nothing is unfinished. It waits on consumers, so a queue nobody
    /// drains waits forever: bound it with `weft::timeout` if that can happen. Dropping the
    /// future stops waiting and changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let queue = weft::Queue::unbounded();
    ///     queue.join().await; // nothing unfinished
    ///
    ///     queue.put(1).await.unwrap();
    ///     let stuck = weft::timeout(Duration::from_millis(5), queue.join()).await;
    ///     assert!(stuck.is_err(), "the item was never marked done");
    ///
    ///     let worker = queue.clone();
    ///     weft::spawn(async move {
    ///         worker.get().await.unwrap();
    ///         worker.task_done().unwrap();
    ///     })
    ///     .detach();
    ///     queue.join().await;
    ///     assert_eq!(queue.unfinished(), 0);
    /// });
    /// ```
    pub async fn join(&self) {
        self.unfinished.join().await
    }

    /// How many items were put and not yet marked done (queued, being put, or taken and in
    /// progress).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::unbounded();
    /// queue.try_put(1).unwrap();
    /// queue.try_put(2).unwrap();
    /// assert_eq!(queue.unfinished(), 2);
    /// ```
    pub fn unfinished(&self) -> usize {
        self.unfinished.count()
    }

    /// Closes the queue; Python 3.13's `Queue.shutdown()` without `immediate`.
    ///
    /// From then on puts fail (waiting putters wake up with their item handed back), and gets
    /// take what is still queued and then return `None`. Returns `true` if this call closed the
    /// queue, `false` if it was already closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::unbounded();
    /// queue.try_put(1).unwrap();
    /// assert!(queue.close());
    /// assert!(!queue.close());
    /// assert!(queue.is_closed());
    /// assert_eq!(queue.try_get(), Ok(1));
    /// ```
    pub fn close(&self) -> bool {
        self.sender.close()
    }

    /// Whether [`Queue::close`] has been called.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::<()>::unbounded();
    /// assert!(!queue.is_closed());
    /// queue.close();
    /// assert!(queue.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// How many items are queued now; `qsize()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::bounded(5).unwrap();
    /// queue.try_put('x').unwrap();
    /// assert_eq!(queue.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.receiver.len()
    }

    /// Whether no item is queued; `empty()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::<u8>::unbounded();
    /// assert!(queue.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.receiver.is_empty()
    }

    /// Whether a bounded queue holds `capacity` items; `full()`. Never true when unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::bounded(1).unwrap();
    /// queue.try_put(0).unwrap();
    /// assert!(queue.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.receiver.is_full()
    }

    /// The capacity given to [`Queue::bounded`], `None` for an unbounded queue; `maxsize`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::Queue::<u8>::bounded(100).unwrap().capacity(), Some(100));
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.receiver.capacity()
    }
}

#[cfg(not(target_family = "wasm"))]
impl<T> Queue<T> {
    /// Puts `item`, blocking the thread while the queue is full; `queue.Queue.put` for plain
    /// threads. Native only: nothing may block in the browser.
    ///
    /// Never call it inside async code: it blocks the executor thread. Fails with the item
    /// handed back if the queue is closed.
    ///
    /// # Examples
    ///
    /// The seeds' threading producer/consumer, ended by a `None` sentinel:
    ///
    /// ```
    /// let queue = weft::Queue::unbounded();
    /// let consumer = {
    ///     let queue = queue.clone();
    ///     std::thread::spawn(move || {
    ///         let mut consumed = Vec::new();
    ///         while let Some(Some(item)) = queue.get_blocking() {
    ///             consumed.push(item);
    ///             queue.task_done().unwrap();
    ///         }
    ///         consumed
    ///     })
    /// };
    /// for i in 0..5 {
    ///     queue.put_blocking(Some(i)).unwrap();
    /// }
    /// queue.put_blocking(None).unwrap(); // the sentinel
    /// assert_eq!(consumer.join().unwrap(), [0, 1, 2, 3, 4]);
    /// ```
    pub fn put_blocking(&self, item: T) -> Result<(), PutError<T>> {
        let pending = self.unfinished.pending();
        match self.sender.send_blocking(item) {
            Ok(()) => {
                pending.keep();
                Ok(())
            }
            Err(err) => Err(PutError(err.into_inner())),
        }
    }

    /// Takes the front item, blocking the thread while the queue is empty; `queue.Queue.get`.
    /// Native only.
    ///
    /// Gives `None` once the queue is closed and drained. Never call it inside async code.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = weft::Queue::unbounded();
    /// let producer = {
    ///     let queue = queue.clone();
    ///     std::thread::spawn(move || queue.put_blocking(42).unwrap())
    /// };
    /// assert_eq!(queue.get_blocking(), Some(42));
    /// producer.join().unwrap();
    /// ```
    pub fn get_blocking(&self) -> Option<T> {
        self.receiver.recv_blocking().ok()
    }
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            sender: self.sender.clone(),
            receiver: self.receiver.clone(),
            unfinished: self.unfinished.clone(),
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("unfinished", &self.unfinished())
            .field("closed", &self.is_closed())
            .finish()
    }
}
