//! Why a job on the worker pool gave no result.

use core::fmt;
use core::time::Duration;

/// Why a job on a `WorkerPool` (or a call through a [`Registry`](super::Registry)) gave no result.
///
/// Every job ends in exactly one of these or in its output: nothing hangs and nothing is lost.
/// Bad input never panics the caller: a payload that cannot be decoded is a
/// [`WorkerError::Payload`], a name nobody registered an [`WorkerError::UnknownFunction`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft::WorkerError;
///
/// assert_eq!(WorkerError::Panicked("boom".into()).to_string(), "job panicked: boom");
/// assert_eq!(WorkerError::Timeout(Duration::from_millis(50)).to_string(), "job timed out after 50ms");
/// assert_eq!(WorkerError::UnknownFunction("nope".into()).to_string(), "unknown function `nope`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkerError {
    /// The function panicked; the panic's message.
    ///
    /// Natively the panic is caught and the worker thread goes on. In the browser a panic aborts
    /// the worker's wasm instance, so the pool replaces that worker before its next job.
    Panicked(String),
    /// The job ran longer than the pool's `job_timeout` (the limit is carried).
    ///
    /// In the browser its worker was terminated and replaced. Natively a thread cannot be killed:
    /// the job's [`CancelToken`](super::CancelToken) is cancelled, its result is discarded and a
    /// fresh thread takes its place in the pool.
    Timeout(Duration),
    /// The job's handle was dropped (or cancelled) before the job finished.
    Cancelled,
    /// The pool was terminated before the job finished; queued jobs never start.
    Terminated,
    /// The pool was closed (or dropped) before the job was submitted.
    Closed,
    /// The worker died under the job: it could not start, or it stopped answering (a browser
    /// worker's `error` or `messageerror` event, a wasm trap that was not a Rust panic).
    WorkerCrashed(String),
    /// No function of this name is registered (or exported by the wasm module).
    UnknownFunction(String),
    /// An argument or result could not be encoded or decoded.
    Payload(String),
}

impl WorkerError {
    /// Whether the job failed because its function panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft::WorkerError::Panicked("x".into()).is_panic());
    /// assert!(!weft::WorkerError::Cancelled.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, WorkerError::Panicked(_))
    }
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Panicked(message) => write!(f, "job panicked: {message}"),
            WorkerError::Timeout(limit) => write!(f, "job timed out after {limit:?}"),
            WorkerError::Cancelled => f.write_str("job was cancelled"),
            WorkerError::Terminated => f.write_str("worker pool was terminated"),
            WorkerError::Closed => f.write_str("worker pool is closed"),
            WorkerError::WorkerCrashed(why) => write!(f, "worker crashed: {why}"),
            WorkerError::UnknownFunction(name) => write!(f, "unknown function `{name}`"),
            WorkerError::Payload(why) => write!(f, "bad payload: {why}"),
        }
    }
}

impl std::error::Error for WorkerError {}
