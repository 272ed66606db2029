//! [`PriorityQueue`]: smallest item first, on a binary heap with event-listener wake-ups.

use core::cmp::Ordering;
use core::fmt;
use std::collections::BinaryHeap;
use std::sync::{Arc, PoisonError};

use event_listener::Event;

use super::error::{PutError, TaskDoneError, TryGetError, TryPutError};
use super::unfinished::Unfinished;
use crate::primitives::{Mutex, MutexGuard};

/// A queue that hands out its smallest item first; Python's `asyncio.PriorityQueue` and the
/// seeds' `heapq.heappush` / `heappop`.
///
/// Items are compared with their [`Ord`]; put `(priority, item)` tuples to order by a priority,
/// as in Python, or wrap a value in [`Reverse`](core::cmp::Reverse) to get the largest first.
/// Among equal items the one put first comes out first (Python's heap gives no such promise).
/// Everything else is as in [`Queue`](super::Queue): optional capacity with backpressure,
/// `task_done` / `join`, `close`, cheap clones. Dropping the last handle drops what is queued.
///
/// # Examples
///
/// ```
/// use std::cmp::Ordering;
/// use weft::PriorityQueue;
///
/// weft::block_on(async {
///     // heapq: (priority, item) tuples, smallest first.
///     let heap = PriorityQueue::unbounded();
///     heap.put((2, "write report")).await.unwrap();
///     heap.put((1, "fix outage")).await.unwrap();
///     heap.put((3, "lunch")).await.unwrap();
///     assert_eq!(heap.get().await, Some((1, "fix outage")));
///     assert_eq!(heap.get().await, Some((2, "write report")));
///
///     // Items that compare equal come out in the order they were put.
///     struct Job { priority: u8, name: &'static str }
///     impl Ord for Job {
///         fn cmp(&self, other: &Self) -> Ordering { self.priority.cmp(&other.priority) }
///     }
///     impl PartialOrd for Job {
///         fn partial_cmp(&self, other: &Self) -> Option<Ordering> { Some(self.cmp(other)) }
///     }
///     impl PartialEq for Job {
///         fn eq(&self, other: &Self) -> bool { self.priority == other.priority }
///     }
///     impl Eq for Job {}
///
///     let jobs = PriorityQueue::unbounded();
///     for (priority, name) in [(5, "c"), (1, "a"), (5, "d"), (1, "b")] {
///         jobs.put(Job { priority, name }).await.unwrap();
///     }
///     jobs.close();
///     let mut order = Vec::new();
///     while let Some(job) = jobs.get().await {
///         order.push(job.name);
///     }
///     assert_eq!(order, ["a", "b", "c", "d"]);
/// });
/// ```
pub struct PriorityQueue<T> {
    shared: Arc<Shared<T>>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    capacity: Option<usize>,
    /// Woken (one more waiter per item) when an item is put, and all at once on close.
    not_empty: Event,
    /// Woken (one more waiter per item) when an item is taken, and all at once on close.
    not_full: Event,
    unfinished: Unfinished,
}

struct State<T> {
    heap: BinaryHeap<Entry<T>>,
    next_seq: u64,
    closed: bool,
}

/// An item and its arrival number; the heap's greatest entry is the smallest, oldest item.
struct Entry<T> {
    item: T,
    seq: u64,
}

impl<T: Ord> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .item
            .cmp(&self.item)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T: Ord> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Ord> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Ord> Eq for Entry<T> {}

impl<T: Ord> PriorityQueue<T> {
    /// A priority queue that holds at most `capacity` items; `PriorityQueue(maxsize=capacity)`.
    ///
    /// A capacity of 0 is a [`ConfigError`](crate::ConfigError); use
    /// [`PriorityQueue::unbounded`] for no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::{PriorityQueue, TryPutError};
    ///
    /// let heap = PriorityQueue::bounded(2).unwrap();
    /// heap.try_put(5).unwrap();
    /// heap.try_put(4).unwrap();
    /// assert_eq!(heap.try_put(1), Err(TryPutError::Full(1)));
    /// assert!(PriorityQueue::<u8>::bounded(0).is_err());
    /// ```
    pub fn bounded(capacity: usize) -> Result<Self, crate::ConfigError> {
        let capacity = crate::ConfigError::at_least_one("capacity", capacity)?;
        Ok(Self::with_capacity(Some(capacity)))
    }

    /// A priority queue with no limit; [`PriorityQueue::put`] never waits.
    ///
    /// # Examples
    ///
    /// ```
    /// let heap = weft::PriorityQueue::unbounded();
    /// for n in (0..100).rev() {
    ///     heap.try_put(n).unwrap();
    /// }
    /// assert_eq!(heap.try_get(), Ok(0));
    /// ```
    pub fn unbounded() -> Self {
        Self::with_capacity(None)
    }

    fn with_capacity(capacity: Option<usize>) -> Self {
        PriorityQueue {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    heap: BinaryHeap::new(),
                    next_seq: 0,
                    closed: false,
                }),
                capacity,
                not_empty: Event::new(),
                not_full: Event::new(),
                unfinished: Unfinished::default(),
            }),
        }
    }

    /// Puts `item`, waiting while the queue is full.
    ///
    /// Fails with the item handed back if the queue is closed (also while waiting). Dropping the
    /// future while it waits puts nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let heap = weft::PriorityQueue::bounded(8).unwrap();
    ///     heap.put((1, "urgent")).await.unwrap();
    ///     heap.close();
    ///     assert_eq!(heap.put((0, "late")).await.unwrap_err().into_inner(), (0, "late"));
    /// });
    /// ```
    pub async fn put(&self, mut item: T) -> Result<(), PutError<T>> {
        loop {
            match self.try_put(item) {
                Ok(()) => return Ok(()),
                Err(TryPutError::Closed(item)) => return Err(PutError(item)),
                Err(TryPutError::Full(back)) => item = back,
            }
            // Listen, then try again: a get between the two wakes this listener.
            let listener = self.shared.not_full.listen();
            match self.try_put(item) {
                Ok(()) => return Ok(()),
                Err(TryPutError::Closed(item)) => return Err(PutError(item)),
                Err(TryPutError::Full(back)) => item = back,
            }
            listener.await;
        }
    }

    /// Puts `item` if there is room right now.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::TryPutError;
    ///
    /// let heap = weft::PriorityQueue::bounded(1).unwrap();
    /// assert_eq!(heap.try_put(2), Ok(()));
    /// assert_eq!(heap.try_put(1), Err(TryPutError::Full(1)));
    /// heap.close();
    /// assert_eq!(heap.try_put(0), Err(TryPutError::Closed(0)));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut state = self.state();
        if state.closed {
            return Err(TryPutError::Closed(item));
        }
        if self
            .shared
            .capacity
            .is_some_and(|cap| state.heap.len() >= cap)
        {
            return Err(TryPutError::Full(item));
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        // Counted while locked, before any getter can see the item.
        self.shared.unfinished.pending().keep();
        state.heap.push(Entry { item, seq });
        drop(state);
        self.shared.not_empty.notify_additional(1);
        Ok(())
    }

    /// Takes the smallest item, waiting while the queue is empty.
    ///
    /// Gives `None` once the queue is closed and drained. Dropping the future while it waits
    /// takes nothing; the item goes to another getter.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let heap = weft::PriorityQueue::unbounded();
    ///     let getter = {
    ///         let heap = heap.clone();
    ///         weft::spawn(async move { heap.get().await })
    ///     };
    ///     heap.put(9).await.unwrap();
    ///     assert_eq!(getter.await.unwrap(), Some(9));
    ///     heap.close();
    ///     assert_eq!(heap.get().await, None);
    /// });
    /// ```
    pub async fn get(&self) -> Option<T> {
        loop {
            match self.try_get() {
                Ok(item) => return Some(item),
                Err(TryGetError::Closed) => return None,
                Err(TryGetError::Empty) => {}
            }
            let listener = self.shared.not_empty.listen();
            match self.try_get() {
                Ok(item) => return Some(item),
                Err(TryGetError::Closed) => return None,
                Err(TryGetError::Empty) => {}
            }
            listener.await;
        }
    }

    /// Takes the smallest item if there is one right now.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::TryGetError;
    ///
    /// let heap = weft::PriorityQueue::unbounded();
    /// assert_eq!(heap.try_get(), Err(TryGetError::Empty));
    /// heap.try_put("b").unwrap();
    /// heap.try_put("a").unwrap();
    /// heap.close();
    /// assert_eq!(heap.try_get(), Ok("a"));
    /// assert_eq!(heap.try_get(), Ok("b"));
    /// assert_eq!(heap.try_get(), Err(TryGetError::Closed));
    /// ```
    pub fn try_get(&self) -> Result<T, TryGetError> {
        let mut state = self.state();
        match state.heap.pop() {
            Some(entry) => {
                drop(state);
                if self.shared.capacity.is_some() {
                    self.shared.not_full.notify_additional(1);
                }
                Ok(entry.item)
            }
            None if state.closed => Err(TryGetError::Closed),
            None => Err(TryGetError::Empty),
        }
    }

    /// Closes the queue: puts fail from then on, gets drain what is queued, then give `None`.
    ///
    /// Waiting putters and getters wake up at once. Returns `true` if this call closed the
    /// queue, `false` if it was already closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let heap = weft::PriorityQueue::unbounded();
    /// heap.try_put(1).unwrap();
    /// assert!(heap.close());
    /// assert!(!heap.close());
    /// assert_eq!(heap.try_get(), Ok(1));
    /// ```
    pub fn close(&self) -> bool {
        let first = !std::mem::replace(&mut self.state().closed, true);
        self.shared.not_empty.notify(usize::MAX);
        self.shared.not_full.notify(usize::MAX);
        first
    }
}

impl<T> PriorityQueue<T> {
    /// Marks one item taken from the queue as processed; see [`Queue::task_done`](super::Queue::task_done).
    ///
    /// # Examples
    ///
    /// ```
    /// let heap = weft::PriorityQueue::unbounded();
    /// heap.try_put(1).unwrap();
    /// heap.try_get().unwrap();
    /// assert_eq!(heap.task_done(), Ok(()));
    /// assert!(heap.task_done().is_err(), "one put, one task_done");
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.shared.unfinished.done()
    }

    /// Waits until every item put has been marked done; see [`Queue::join`](super::Queue::join).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let heap = weft::PriorityQueue::unbounded();
    ///     heap.put(1).await.unwrap();
    ///     heap.get().await.unwrap();
    ///     heap.task_done().unwrap();
    ///     heap.join().await;
    ///     assert_eq!(heap.unfinished(), 0);
    /// });
    /// ```
    pub async fn join(&self) {
        self.shared.unfinished.join().await
    }

    /// How many items were put and not yet marked done.
    ///
    /// # Examples
    ///
    /// ```
    /// let heap = weft::PriorityQueue::unbounded();
    /// heap.try_put('a').unwrap();
    /// assert_eq!(heap.unfinished(), 1);
    /// ```
    pub fn unfinished(&self) -> usize {
        self.shared.unfinished.count()
    }

    /// How many items are queued now.
    ///
    /// # Examples
    ///
    /// ```
    /// let heap = weft::PriorityQueue::unbounded();
    /// heap.try_put(3).unwrap();
    /// assert_eq!(heap.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.state().heap.len()
    }

    /// Whether no item is queued.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft::PriorityQueue::<u8>::unbounded().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.state().heap.is_empty()
    }

    /// Whether the queue has been closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let heap = weft::PriorityQueue::<u8>::unbounded();
    /// heap.close();
    /// assert!(heap.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state().closed
    }

    /// The capacity given to [`PriorityQueue::bounded`], `None` when unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::PriorityQueue::<u8>::bounded(3).unwrap().capacity(), Some(3));
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.shared.capacity
    }

    fn state(&self) -> MutexGuard<'_, State<T>> {
        // A panicking `Ord` leaves the heap valid (if oddly ordered); keep serving.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Clone for PriorityQueue<T> {
    fn clone(&self) -> Self {
        PriorityQueue {
            shared: self.shared.clone(),
        }
    }
}

impl<T> fmt::Debug for PriorityQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PriorityQueue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("unfinished", &self.unfinished())
            .field("closed", &self.is_closed())
            .finish()
    }
}
