//! Why a queue call failed ([`Error`]) and why a job gave no result ([`JobError`]).

use core::fmt;
use core::time::Duration;

use weft::WorkerError;
use weft_core::ConfigError;

/// Why a call on a [`Queue`](crate::Queue) or a [`Worker`](crate::Worker) failed.
///
/// Connection trouble is retried for a while before it becomes an error: a dropped connection,
/// a refused one, a timeout or a server still loading its data after a restart are all waited
/// out (with a backoff of 50 ms doubling up to 1 s) for the `reconnect_timeout` of the queue or
/// worker; only then is the call an [`Error::Unreachable`].
///
/// # Examples
///
/// ```
/// use weft_redis::Error;
///
/// let err = Error::Config(weft_core::ConfigError::new("queue name", "must not be empty"));
/// assert_eq!(err.to_string(), "invalid queue name: must not be empty");
/// assert!(std::error::Error::source(&err).is_some());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// A setting cannot work (a name that is empty, a concurrency of 0, a URL that does not
    /// parse…).
    Config(ConfigError),
    /// Redis answered with an error that waiting will not fix.
    Redis(redis::RedisError),
    /// Redis could not be reached for `waited`; `last` is the last failure seen.
    Unreachable {
        /// How long the call kept trying.
        waited: Duration,
        /// The last failure.
        last: redis::RedisError,
    },
    /// An argument could not be encoded.
    Payload(WorkerError),
    /// Redis holds data this version of weft-redis cannot read (written by a newer version, or
    /// by something else under the queue's keys).
    Protocol(String),
    /// The worker got a second SIGINT or SIGTERM while finishing its jobs and stopped at once;
    /// the jobs it had not finished are taken over by other workers after the visibility timeout.
    Interrupted,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(err) => err.fmt(f),
            Error::Redis(err) => write!(f, "redis error: {err}"),
            Error::Unreachable { waited, last } => {
                write!(f, "redis unreachable for {waited:?}: {last}")
            }
            Error::Payload(err) => write!(f, "cannot encode the argument: {err}"),
            Error::Protocol(why) => write!(f, "unreadable data in redis: {why}"),
            Error::Interrupted => f.write_str("worker interrupted by a second signal"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(err) => Some(err),
            Error::Redis(err) | Error::Unreachable { last: err, .. } => Some(err),
            Error::Payload(err) => Some(err),
            Error::Protocol(_) | Error::Interrupted => None,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(err: ConfigError) -> Self {
        Error::Config(err)
    }
}

/// Why a job gave no result: what a [`JobHandle`](crate::JobHandle) resolves to when it fails.
///
/// # Examples
///
/// ```
/// use weft_redis::JobError;
///
/// let dead = JobError::Dead { attempts: 3, last_error: "job panicked: boom".into() };
/// assert_eq!(dead.to_string(), "job dead after 3 attempts: job panicked: boom");
/// assert_eq!(JobError::Cancelled.to_string(), "job was cancelled");
/// let unknown = JobError::Failed(weft::WorkerError::UnknownFunction("nope".into()));
/// assert_eq!(unknown.to_string(), "job failed: unknown function `nope`");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum JobError {
    /// The worker could not run the job at all, and trying again would not help: a function it
    /// does not have ([`WorkerError::UnknownFunction`]) or an argument it cannot decode
    /// ([`WorkerError::Payload`]). The job is not retried.
    Failed(WorkerError),
    /// Every attempt the worker's retry policy allows failed (the function panicked, or the
    /// worker running it died); the job was moved to the dead-letter stream.
    Dead {
        /// How many times the job was run.
        attempts: u32,
        /// The last failure: a panic message, or which worker died under it.
        last_error: String,
    },
    /// The job was cancelled with [`Queue::cancel`](crate::Queue::cancel).
    Cancelled,
    /// The job finished, but its result had expired (the result TTL) before it was fetched.
    Expired,
    /// The queue could not submit the job or fetch its result (Redis unreachable for longer than
    /// the reconnect timeout, or unreadable data). The job itself may still run: fetch its result
    /// later with [`Queue::job`](crate::Queue::job).
    Queue(Error),
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Failed(err) => write!(f, "job failed: {err}"),
            JobError::Dead {
                attempts,
                last_error,
            } => write!(f, "job dead after {attempts} attempts: {last_error}"),
            JobError::Cancelled => f.write_str("job was cancelled"),
            JobError::Expired => f.write_str("job result expired before it was fetched"),
            JobError::Queue(err) => write!(f, "queue error: {err}"),
        }
    }
}

impl std::error::Error for JobError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JobError::Failed(err) => Some(err),
            JobError::Queue(err) => Some(err),
            _ => None,
        }
    }
}
