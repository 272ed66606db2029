//! The settings of a [`Queue`] and connecting one: [`QueueBuilder`].

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft_core::ConfigError;

use crate::collector::Collector;
use crate::keys::Keys;
use crate::link::{self, Link};
use crate::queue::Inner;
use crate::submitter::{BATCH, Submitter};
use crate::tracker::Tracker;
use crate::{Error, Queue};

/// Settings of a [`Queue`]; made by [`Queue::builder`].
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let queue = weft_redis::Queue::builder("redis://127.0.0.1/", "primes")
///         .max_pending(1_000)
///         .result_ttl(Duration::from_secs(3600))
///         .reconnect_timeout(Some(Duration::from_secs(30)))
///         .connect()
///         .await
///         .unwrap();
///     assert_eq!(queue.name(), "primes");
/// });
/// ```
#[derive(Clone, Debug)]
pub struct QueueBuilder {
    pub(crate) url: String,
    pub(crate) name: String,
    pub(crate) max_pending: usize,
    pub(crate) result_ttl: Duration,
    pub(crate) reconnect_timeout: Option<Duration>,
}

impl QueueBuilder {
    /// Submitting waits while the queue holds this many jobs not yet acknowledged by a worker,
    /// counting every client's jobs, not only this one's; default 10,000.
    ///
    /// This bounds the job stream's memory in Redis. One client never goes past it; several
    /// submitting at the same moment may each overshoot by one batch (at most 512 jobs), as each
    /// checks the count before it adds. 0 is an error at [`QueueBuilder::connect`].
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let err = weft_redis::Queue::builder("redis://127.0.0.1/", "q").max_pending(0).connect().await;
    ///     assert!(matches!(err, Err(weft_redis::Error::Config(_))));
    /// });
    /// ```
    pub fn max_pending(mut self, jobs: usize) -> Self {
        self.max_pending = jobs;
        self
    }

    /// How long a cancelled job's result is kept (the workers' own `result_ttl` governs the
    /// others); default one day, at least one second.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let err = weft_redis::Queue::builder("redis://127.0.0.1/", "q")
    ///         .result_ttl(Duration::from_millis(10))
    ///         .connect()
    ///         .await;
    ///     assert!(matches!(err, Err(weft_redis::Error::Config(_))));
    /// });
    /// ```
    pub fn result_ttl(mut self, ttl: Duration) -> Self {
        self.result_ttl = ttl;
        self
    }

    /// How long a call keeps trying while Redis is unreachable before it fails with
    /// [`Error::Unreachable`] (`None`: forever); default 60 s.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     // Nothing listens on port 1: connecting gives up after about 200 ms.
    ///     let err = weft_redis::Queue::builder("redis://127.0.0.1:1/", "q")
    ///         .reconnect_timeout(Some(Duration::from_millis(200)))
    ///         .connect()
    ///         .await
    ///         .unwrap_err();
    ///     assert!(matches!(err, weft_redis::Error::Unreachable { .. }));
    /// });
    /// ```
    pub fn reconnect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.reconnect_timeout = timeout;
        self
    }

    /// Connects to Redis and starts the queue's two background tasks (one submits, one
    /// collects results). Fails with [`Error::Config`] for bad settings or a bad URL, and with
    /// [`Error::Unreachable`] if Redis does not answer within the reconnect timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let err = weft_redis::Queue::builder("not a url", "q").connect().await.unwrap_err();
    ///     assert!(err.to_string().starts_with("invalid url"));
    /// });
    /// ```
    pub async fn connect(self) -> Result<Queue, Error> {
        let keys = Keys::new(&self.name)?;
        ConfigError::at_least_one("max_pending", self.max_pending)?;
        if self.result_ttl < Duration::from_secs(1) {
            return Err(ConfigError::new("result_ttl", "must be at least 1 s").into());
        }
        let client = link::client(&self.url)?;
        let mut link = Link::new(client.clone(), self.reconnect_timeout);
        let (events, backlog) = (keys.events.clone(), keys.backlog.clone());
        // Events are read from the last one now on: none about this queue's jobs come earlier.
        let (last, backlog): (Vec<(String, redis::Value)>, Option<i64>) = link
            .call(move |c| {
                redis::pipe()
                    .cmd("XREVRANGE")
                    .arg(&events)
                    .arg("+")
                    .arg("-")
                    .arg("COUNT")
                    .arg(1)
                    .cmd("GET")
                    .arg(&backlog)
                    .query(c)
            })
            .await?;
        let last = last
            .into_iter()
            .next()
            .map_or_else(|| "0-0".to_owned(), |(id, _)| id);
        let tracker = Arc::new(Tracker::default());
        let (submissions, incoming) = async_channel::bounded(BATCH);
        let submitter = Submitter {
            link: Link::new(client.clone(), self.reconnect_timeout),
            keys: keys.clone(),
            tracker: tracker.clone(),
            max_pending: self.max_pending as u64,
            backlog: backlog.unwrap_or(0).max(0) as u64,
        };
        let collector = Collector {
            link,
            keys: keys.clone(),
            tracker: tracker.clone(),
            last,
        };
        let tasks = [
            weft::spawn(submitter.run(incoming)),
            weft::spawn(collector.run()),
        ];
        Ok(Queue::from_inner(Inner {
            tracker,
            name: self.name.clone(),
            keys,
            client,
            id_prefix: format!("{:016x}", fastrand::u64(..)),
            next: AtomicU64::new(0),
            submissions,
            spare_links: Mutex::new(Vec::new()),
            settings: self,
            _tasks: tasks,
        }))
    }
}
