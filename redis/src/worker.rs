//! The worker side: [`Worker`] runs the jobs of a queue with registered functions.

use core::fmt;
use std::time::Duration;

use futures_lite::{Future, StreamExt};
use weft::{Func, Registry};
use weft_core::ConfigError;

use crate::Error;
use crate::runner::{self, Settings};

/// A process's share of the work of a queue: reads jobs with `XREADGROUP`, runs them with the
/// functions registered here, stores each result under its job id and acknowledges the job.
/// Celery's `celery worker`, for functions registered with `weft::func!`.
///
/// Made by [`Worker::connect`], set up with the builder methods, started with [`Worker::run`]
/// (stops on SIGINT or SIGTERM) or [`Worker::run_until`]. Any number of workers on any number of
/// machines may serve one queue; each job goes to one of them.
///
/// - **Where jobs run**: on `concurrency` threads of this process, one job per thread at a
///   time; the worker holds a few more jobs than that, read ahead, when jobs are short (never
///   more than [`Worker::prefetch`] extra).
/// - **Crashes**: a job whose worker dies is taken over by another worker once it has been idle
///   for the visibility timeout (`XAUTOCLAIM`). A live worker renews its jobs every third of that
///   timeout, so a long job is never taken over while it runs.
/// - **Retries**: a job that panics is run again (after [`Worker::retry_delay`]) until it has
///   been run [`Worker::attempts`] times, crashes included; then it moves to the dead-letter
///   stream with its last error, and its result is [`JobError::Dead`](crate::JobError::Dead).
///   A function this worker does not have, or an argument it cannot decode, fails the job at once
///   ([`JobError::Failed`](crate::JobError::Failed)); the worker goes on.
/// - **Stopping**: on the first SIGINT or SIGTERM (or when `run_until`'s future completes) it
///   stops reading, finishes the jobs it holds, stores their results and returns `Ok(())`; a
///   second signal makes it return [`Error::Interrupted`] at once.
///
/// # Examples
///
/// ```no_run
/// weft::func! { pub fn double(x: u64) -> u64 { x * 2 } }
///
/// weft::block_on(async {
///     weft_redis::Worker::connect("redis://127.0.0.1/", "math")
///         .concurrency(4)
///         .register(double)
///         .run()
///         .await
///         .unwrap();
/// });
/// ```
#[must_use = "a worker does nothing until `run` is awaited"]
pub struct Worker {
    url: String,
    queue: String,
    registry: Registry,
    settings: Settings,
    problem: Option<ConfigError>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("url", &self.url)
            .field("queue", &self.queue)
            .field("registry", &self.registry)
            .field("settings", &self.settings)
            .finish()
    }
}

impl Worker {
    /// A worker for the queue `name` on the Redis at `url`, with no function yet. Nothing
    /// connects until [`Worker::run`]; a bad URL or setting is reported there, as
    /// [`Error::Config`].
    ///
    /// Defaults: one thread per core, 3 attempts, 1 s between attempts, 30 s visibility
    /// timeout, results kept one day, up to 256 jobs read ahead, and reconnecting forever.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let err = weft_redis::Worker::connect("redis://127.0.0.1/", "").run().await.unwrap_err();
    ///     assert_eq!(err.to_string(), "invalid queue name: must not be empty");
    /// });
    /// ```
    pub fn connect(url: &str, name: &str) -> Worker {
        Worker {
            url: url.to_owned(),
            queue: name.to_owned(),
            registry: Registry::new(),
            settings: Settings::default(),
            problem: None,
        }
    }

    fn check(mut self, problem: Option<ConfigError>) -> Self {
        if self.problem.is_none() {
            self.problem = problem;
        }
        self
    }

    /// How many jobs run at once (one thread each); at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let err = weft_redis::Worker::connect("redis://127.0.0.1/", "q").concurrency(0).run().await;
    ///     assert!(matches!(err, Err(weft_redis::Error::Config(_))));
    /// });
    /// ```
    pub fn concurrency(mut self, threads: usize) -> Self {
        self.settings.concurrency = threads;
        let problem = ConfigError::at_least_one("concurrency", threads).err();
        self.check(problem)
    }

    /// Adds a function this worker can run (by its name; a later one of the same name replaces
    /// it).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    /// let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "q").register(double);
    /// assert!(format!("{worker:?}").contains("double"));
    /// ```
    pub fn register<A, R>(mut self, func: Func<A, R>) -> Self {
        self.registry = self.registry.register(func);
        self
    }

    /// Uses `registry` as the functions this worker can run (replacing those registered so far).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    /// let registry = weft::Registry::new().register(double);
    /// let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "q").registry(registry);
    /// assert!(format!("{worker:?}").contains("double"));
    /// ```
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = registry;
        self
    }

    /// How many times a job may run, the first included (tenacity's `stop_after_attempt`): a
    /// job that panicked, or whose worker died, that many times goes to the dead-letter
    /// stream. At least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let err = weft_redis::Worker::connect("redis://127.0.0.1/", "q").attempts(0).run().await;
    ///     assert!(matches!(err, Err(weft_redis::Error::Config(_))));
    /// });
    /// ```
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.settings.attempts = attempts;
        let problem = ConfigError::at_least_one("attempts", attempts as usize).err();
        self.check(problem)
    }

    /// How long to wait before running a job again after it panicked (zero is allowed).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "q").retry_delay(Duration::ZERO);
    /// assert!(format!("{worker:?}").contains("retry_delay: 0ns"));
    /// ```
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.settings.retry_delay = delay;
        self
    }

    /// How long a job may go without news from its worker before another worker takes it over;
    /// at least 30 ms. Shorter means faster recovery from a dead worker, and more renewals.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "q")
    ///         .visibility_timeout(Duration::from_millis(1));
    ///     assert!(matches!(worker.run().await, Err(weft_redis::Error::Config(_))));
    /// });
    /// ```
    pub fn visibility_timeout(mut self, timeout: Duration) -> Self {
        self.settings.visibility = timeout;
        let problem = (timeout < Duration::from_millis(30))
            .then(|| ConfigError::new("visibility_timeout", "must be at least 30 ms"));
        self.check(problem)
    }

    /// How long results stay in Redis (`SET … EX`); at least 1 s, default one day.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "q").result_ttl(Duration::ZERO);
    ///     assert!(matches!(worker.run().await, Err(weft_redis::Error::Config(_))));
    /// });
    /// ```
    pub fn result_ttl(mut self, ttl: Duration) -> Self {
        self.settings.result_ttl = ttl;
        let problem = (ttl < Duration::from_secs(1))
            .then(|| ConfigError::new("result_ttl", "must be at least 1 s"));
        self.check(problem)
    }

    /// How long to keep trying while Redis is unreachable before `run` fails with
    /// [`Error::Unreachable`]; `None` (the default) keeps trying forever.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let err = weft_redis::Worker::connect("redis://127.0.0.1:1/", "q")
    ///         .reconnect_timeout(Some(Duration::from_millis(200)))
    ///         .run()
    ///         .await
    ///         .unwrap_err();
    ///     assert!(matches!(err, weft_redis::Error::Unreachable { .. }));
    /// });
    /// ```
    pub fn reconnect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.settings.reconnect_timeout = timeout;
        self
    }

    /// At most how many jobs beyond `concurrency` the worker reads ahead (default 256; 0: none).
    ///
    /// The worker reads ahead about 2 ms of work, measured from the jobs it ran: many when jobs
    /// take microseconds, none when they take longer than that, so long jobs spread evenly over
    /// the workers.
    ///
    /// # Examples
    ///
    /// ```
    /// let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "q").prefetch(0);
    /// assert!(format!("{worker:?}").contains("max_prefetch: 0"));
    /// ```
    pub fn prefetch(mut self, jobs: usize) -> Self {
        self.settings.max_prefetch = jobs;
        self
    }

    /// The name this worker reads under in the consumer group; default `<host>-<pid>-<random>`.
    /// Two live workers must not share a name.
    ///
    /// # Examples
    ///
    /// ```
    /// let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "q").name("box-7");
    /// assert!(format!("{worker:?}").contains("box-7"));
    /// ```
    pub fn name(mut self, name: &str) -> Self {
        self.settings.consumer = Some(name.to_owned());
        self
    }

    /// Runs until SIGINT or SIGTERM, then finishes the jobs it holds and returns `Ok(())`.
    ///
    /// Errors: bad settings ([`Error::Config`]), Redis unreachable past the reconnect timeout,
    /// a second signal while finishing ([`Error::Interrupted`]).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    ///
    /// weft::block_on(async {
    ///     let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "math").register(double);
    ///     worker.run().await.unwrap(); // returns after Ctrl-C
    /// });
    /// ```
    pub async fn run(self) -> Result<(), Error> {
        use async_signal::{Signal, Signals};

        let mut signals = Signals::new([Signal::Int, Signal::Term])
            .map_err(|e| ConfigError::new("signal handlers", e.to_string()))?;
        let (tx, rx) = async_channel::bounded::<()>(2);
        let forward = weft::spawn(async move {
            while signals.next().await.is_some() {
                if tx.send(()).await.is_err() {
                    break;
                }
            }
        });
        let stop = {
            let rx = rx.clone();
            async move {
                let _ = rx.recv().await;
            }
        };
        let interrupt = async move {
            let _ = rx.recv().await;
        };
        let result = self.start(stop, interrupt).await;
        drop(forward);
        result
    }

    /// Runs until `stop` completes, then finishes the jobs it holds and returns `Ok(())`: for
    /// embedding a worker in a larger program, and for tests.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// weft::func! { fn double(x: u64) -> u64 { x * 2 } }
    ///
    /// weft::block_on(async {
    ///     let worker = weft_redis::Worker::connect("redis://127.0.0.1/", "math").register(double);
    ///     // Serve for one minute.
    ///     worker.run_until(weft::sleep(Duration::from_secs(60))).await.unwrap();
    /// });
    /// ```
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send) -> Result<(), Error> {
        self.start(stop, futures_lite::future::pending()).await
    }

    async fn start(
        self,
        stop: impl Future<Output = ()> + Send,
        interrupt: impl Future<Output = ()> + Send,
    ) -> Result<(), Error> {
        let keys = crate::keys::Keys::new(&self.queue)?;
        if let Some(problem) = self.problem {
            return Err(problem.into());
        }
        let client = crate::link::client(&self.url)?;
        runner::run(client, keys, self.registry, self.settings, stop, interrupt).await
    }
}
