//! The settings of a `WorkerPool`, checked when it is built.

use core::fmt;
use core::marker::PhantomData;
use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use async_lock::Semaphore;

use super::pool::{DEFAULT_QUEUE_CAPACITY, Shared, WorkerPool};
use super::slot::{Slot, Slots};
use super::{Backend, CancelToken};
use crate::error::ConfigError;

/// Settings of a [`WorkerPool`]; made by [`WorkerPool::builder`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let pool = weft::WorkerPool::builder()
///     .size(2)
///     .queue_capacity(8)
///     .job_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert_eq!(pool.size(), 2);
/// assert_eq!(pool.queue_capacity(), 8);
///
/// let err = weft::WorkerPool::builder().size(0).build().unwrap_err();
/// assert_eq!(err.to_string(), "invalid size: must be at least 1, got 0");
/// ```
pub struct Builder<B: Backend> {
    size: Option<usize>,
    capacity: usize,
    job_timeout: Option<Duration>,
    backend: PhantomData<fn() -> B>,
}

impl<B: Backend> fmt::Debug for Builder<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("size", &self.size)
            .field("queue_capacity", &self.capacity)
            .field("job_timeout", &self.job_timeout)
            .finish()
    }
}

impl<B: Backend> Builder<B> {
    pub(super) fn new() -> Self {
        Builder {
            size: None,
            capacity: DEFAULT_QUEUE_CAPACITY,
            job_timeout: None,
            backend: PhantomData,
        }
    }

    /// How many workers: at least 1. Default: the number of cores (`navigator.hardwareConcurrency`
    /// in the browser).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::WorkerPool::builder().size(3).build().unwrap().size(), 3);
    /// ```
    pub fn size(mut self, workers: usize) -> Self {
        self.size = Some(workers);
        self
    }

    /// How many jobs may wait in the queue (running jobs do not count; jobs waiting on a busy
    /// worker behind its running one do): at least 1. Submitting to a full queue waits until a
    /// job starts. Default: [`DEFAULT_QUEUE_CAPACITY`].
    ///
    /// # Examples
    ///
    /// ```
    /// let err = weft::WorkerPool::builder().queue_capacity(0).build().unwrap_err();
    /// assert_eq!(err.setting(), "queue_capacity");
    /// ```
    pub fn queue_capacity(mut self, jobs: usize) -> Self {
        self.capacity = jobs;
        self
    }

    /// The longest a job may run, counted from when a worker starts it (time in the queue, or
    /// waiting on a worker behind another job, does not count; wrap the call in `weft::timeout`
    /// to bound that too). A chunk of a `map` is one
    /// job. Must be more than zero. Default: no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = weft::WorkerPool::builder().job_timeout(Duration::ZERO).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid job_timeout: must be more than zero");
    /// ```
    pub fn job_timeout(mut self, limit: Duration) -> Self {
        self.job_timeout = Some(limit);
        self
    }

    /// Checks the settings and starts the pool's workers (in the background: the first jobs
    /// wait in the queue until a worker is up).
    ///
    /// Errors: a size or queue capacity of 0, a zero job timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = weft::WorkerPool::builder().build().unwrap();
    /// assert!(pool.size() >= 1);
    /// ```
    pub fn build(self) -> Result<WorkerPool<B>, ConfigError> {
        let size = ConfigError::at_least_one("size", self.size.unwrap_or_else(B::default_size))?;
        let capacity = ConfigError::at_least_one("queue_capacity", self.capacity)?;
        if self.job_timeout == Some(Duration::ZERO) {
            return Err(ConfigError::new("job_timeout", "must be more than zero"));
        }
        let (sender, receiver) = async_channel::unbounded();
        let shared = Arc::new(Shared {
            sender,
            waiting: Arc::new(Semaphore::new(capacity)),
            closing: CancelToken::new(),
            size,
            capacity,
            job_timeout: self.job_timeout,
            terminate: CancelToken::new(),
            slots: Arc::new(Slots::new(size)),
            idle: Arc::new(AtomicUsize::new(0)),
        });
        for _ in 0..size {
            let slot = Slot::<B>::new(
                receiver.clone(),
                shared.job_timeout,
                shared.terminate.clone(),
                shared.slots.clone(),
                shared.idle.clone(),
            );
            B::spawn(slot.run()).detach();
        }
        Ok(WorkerPool::from_shared(shared))
    }
}
