//! The queues' errors.

use core::fmt;

/// The error of a put into a closed queue; holds the item that was not put.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let queue = weft::Queue::unbounded();
///     queue.close();
///     let err = queue.put(5).await.unwrap_err();
///     assert_eq!(err.to_string(), "put into a closed queue");
///     assert_eq!(err.into_inner(), 5);
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PutError<T>(pub T);

impl<T> PutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::PutError("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PutError(..)")
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("put into a closed queue")
    }
}

impl<T> std::error::Error for PutError<T> {}

/// Why [`Queue::try_put`](super::Queue::try_put) did not put; holds the item.
///
/// # Examples
///
/// ```
/// use weft::TryPutError;
///
/// let queue = weft::Queue::bounded(1).unwrap();
/// queue.try_put(1).unwrap();
/// let err = queue.try_put(2).unwrap_err();
/// assert!(err.is_full());
/// assert_eq!(err.to_string(), "queue is full");
/// assert_eq!(err.into_inner(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The queue holds `capacity` items.
    Full(T),
    /// The queue is closed.
    Closed(T),
}

impl<T> TryPutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::TryPutError::Closed(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(item) | TryPutError::Closed(item) => item,
        }
    }

    /// Whether the queue was full (rather than closed).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft::TryPutError::Full(()).is_full());
    /// assert!(!weft::TryPutError::Closed(()).is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, TryPutError::Full(_))
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("queue is full"),
            TryPutError::Closed(_) => f.write_str("queue is closed"),
        }
    }
}

impl<T> std::error::Error for TryPutError<T> {}

/// Why [`Queue::try_get`](super::Queue::try_get) gave no item.
///
/// # Examples
///
/// ```
/// use weft::TryGetError;
///
/// let queue = weft::Queue::<u8>::unbounded();
/// assert_eq!(queue.try_get(), Err(TryGetError::Empty));
/// assert_eq!(TryGetError::Empty.to_string(), "queue is empty");
/// queue.close();
/// assert_eq!(queue.try_get(), Err(TryGetError::Closed));
/// assert_eq!(TryGetError::Closed.to_string(), "queue is closed and empty");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryGetError {
    /// Nothing is queued right now; a later get may succeed.
    Empty,
    /// The queue is closed and drained; no get will ever succeed again.
    Closed,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => f.write_str("queue is empty"),
            TryGetError::Closed => f.write_str("queue is closed and empty"),
        }
    }
}

impl std::error::Error for TryGetError {}

/// `task_done` was called more times than items were put (Python's `ValueError`).
///
/// # Examples
///
/// ```
/// let queue = weft::Queue::<u8>::unbounded();
/// let err = queue.task_done().unwrap_err();
/// assert_eq!(err.to_string(), "task_done called more times than items were put");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done called more times than items were put")
    }
}

impl std::error::Error for TaskDoneError {}
