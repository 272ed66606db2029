//! A running worker: its tasks (read, dispatch, finish, claim) and the state they share.
//!
//! A job read from the stream is *held* (its entry is in this worker's pending list, renewed
//! by the claimer) from the read until the finishing script has acknowledged it; while it
//! waits for a thread or runs it is also *active*, which is what the read-ahead bounds.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use event_listener::Event;
use futures_lite::Future;
use redis::streams::{StreamClaimReply, StreamId, StreamReadReply};
use weft::{Registry, WorkerError};

use crate::finisher::{self, Finish};
use crate::keys::{GROUP, Keys};
use crate::link::Link;
use crate::threads::{Ran, Threads};
use crate::wire::{self, Event as JobEvent, Job, Outcome};
use crate::{Error, claimer};

/// How long one `XREADGROUP` blocks in Redis (also how long a stop may wait for the reader).
const BLOCK: Duration = Duration::from_millis(500);
/// How much work, in time, the worker reads ahead.
const READ_AHEAD: Duration = Duration::from_millis(2);

#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) concurrency: usize,
    pub(crate) attempts: u32,
    pub(crate) retry_delay: Duration,
    pub(crate) visibility: Duration,
    pub(crate) result_ttl: Duration,
    pub(crate) reconnect_timeout: Option<Duration>,
    pub(crate) max_prefetch: usize,
    pub(crate) consumer: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            concurrency: std::thread::available_parallelism().map_or(1, usize::from),
            attempts: 3,
            retry_delay: Duration::from_secs(1),
            visibility: Duration::from_secs(30),
            result_ttl: Duration::from_secs(24 * 3600),
            reconnect_timeout: None,
            max_prefetch: 256,
            consumer: None,
        }
    }
}

#[derive(Default)]
struct Local {
    held: HashSet<String>,
    active: usize,
    /// Mean run time of recent jobs, in ns (0: none ran yet).
    mean_ns: f64,
}

/// What the tasks of a running worker share.
pub(crate) struct Shared {
    pub(crate) keys: Keys,
    pub(crate) consumer: String,
    pub(crate) settings: Settings,
    client: redis::Client,
    local: Mutex<Local>,
    /// Room to read, a job released, or stopping.
    pub(crate) changed: Event,
    stopping: AtomicBool,
    threads: async_channel::Sender<Job>,
    finishes: async_channel::Sender<Finish>,
}

impl Shared {
    fn local(&self) -> MutexGuard<'_, Local> {
        self.local.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn link(&self) -> Link {
        Link::new(self.client.clone(), self.settings.reconnect_timeout)
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// How many more jobs to read now.
    pub(crate) fn room(&self) -> usize {
        let local = self.local();
        let n = self.settings.concurrency;
        let ahead = if local.mean_ns > 0.0 {
            let per_thread = READ_AHEAD.as_nanos() as f64 / local.mean_ns;
            ((per_thread * n as f64) as usize).min(self.settings.max_prefetch)
        } else {
            0
        };
        (n + ahead).saturating_sub(local.active)
    }

    pub(crate) fn held(&self) -> Vec<String> {
        self.local().held.iter().cloned().collect()
    }

    pub(crate) fn holds_nothing(&self) -> bool {
        self.local().held.is_empty()
    }

    /// The finishing script acknowledged these entries.
    pub(crate) fn release(&self, entries: &[String]) {
        let mut local = self.local();
        for entry in entries {
            local.held.remove(entry);
        }
        drop(local);
        self.changed.notify(usize::MAX);
    }

    pub(crate) fn finish(&self, finish: Finish) {
        self.local().held.insert(finish.entry().to_owned());
        // The finisher outlives every sender; a send fails only while the worker is returning.
        let _ = self.finishes.try_send(finish);
    }

    fn dispatch(&self, job: Job) {
        let mut local = self.local();
        local.held.insert(job.entry.clone());
        local.active += 1;
        drop(local);
        let _ = self.threads.try_send(job);
    }

    /// A job came back from its thread.
    fn ran(&self, took: Duration) {
        let mut local = self.local();
        local.active -= 1;
        let ns = took.as_nanos().max(1) as f64;
        local.mean_ns = if local.mean_ns == 0.0 {
            ns
        } else {
            0.8 * local.mean_ns + 0.2 * ns
        };
        drop(local);
        self.changed.notify(usize::MAX);
    }

    /// Takes in entries this worker now owns (read, or claimed from a dead worker): announces
    /// them, drops those that already have a result (cancelled, or finished elsewhere), and
    /// hands the rest to the threads. `deliveries` is each entry's delivery count.
    pub(crate) async fn accept(
        &self,
        link: &mut Link,
        entries: Vec<(StreamId, u32)>,
    ) -> Result<(), Error> {
        let mut jobs = Vec::with_capacity(entries.len());
        for (entry, delivery) in entries {
            match wire::parse_job(&entry, delivery) {
                Ok(job) => jobs.push(job),
                Err((entry, id, why)) => self.finish(Finish::unreadable(entry, id, why)),
            }
        }
        if jobs.is_empty() {
            return Ok(());
        }
        {
            let mut local = self.local();
            for job in &jobs {
                local.held.insert(job.entry.clone());
            }
        }
        let mut pipe = redis::pipe();
        for job in &jobs {
            pipe.cmd("EXISTS").arg(self.keys.result(&job.id));
        }
        for (event, again) in [(JobEvent::Running, false), (JobEvent::Retried, true)] {
            let ids: Vec<&str> = jobs
                .iter()
                .filter(|j| (j.attempt > 1) == again)
                .map(|j| j.id.as_str())
                .collect();
            if !ids.is_empty() {
                add_event(&mut pipe, &self.keys, event, &ids.join(" "));
            }
        }
        let ended: Vec<bool> = link.call(move |c| pipe.query(c)).await?;
        for (mut job, ended) in jobs.into_iter().zip(ended) {
            if ended {
                self.finish(Finish::skip(job));
            } else {
                job.keep_arg = job.attempt >= self.settings.attempts;
                self.dispatch(job);
            }
        }
        Ok(())
    }
}

pub(crate) fn add_event(pipe: &mut redis::Pipeline, keys: &Keys, event: JobEvent, ids: &str) {
    pipe.cmd("XADD")
        .arg(&keys.events)
        .arg("MAXLEN")
        .arg("~")
        .arg(crate::queue::EVENTS_MAXLEN)
        .arg("*")
        .arg("k")
        .arg(event.as_str())
        .arg("ids")
        .arg(ids)
        .ignore();
}

/// Whether `err` is Redis saying the consumer group does not exist.
pub(crate) fn is_no_group(err: &Error) -> bool {
    matches!(err, Error::Redis(e) if e.code() == Some("NOGROUP"))
}

/// Creates the consumer group (and the stream) if missing. From id 0: the stream only ever
/// holds jobs not yet acknowledged, so all of them are for this group.
pub(crate) async fn create_group(link: &mut Link, keys: &Keys) -> Result<(), Error> {
    let jobs = keys.jobs.clone();
    let created = link
        .call(move |c| {
            redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(&jobs)
                .arg(GROUP)
                .arg("0")
                .arg("MKSTREAM")
                .query::<()>(c)
        })
        .await;
    match created {
        Err(Error::Redis(e)) if e.code() == Some("BUSYGROUP") => Ok(()),
        other => other,
    }
}

fn default_consumer() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    format!("{host}-{}-{:04x}", std::process::id(), fastrand::u16(..))
}

pub(crate) async fn run(
    client: redis::Client,
    keys: Keys,
    registry: Registry,
    settings: Settings,
    stop: impl Future<Output = ()> + Send,
    interrupt: impl Future<Output = ()> + Send,
) -> Result<(), Error> {
    let mut link = Link::new(client.clone(), settings.reconnect_timeout);
    create_group(&mut link, &keys).await?;
    let consumer = settings.consumer.clone().unwrap_or_else(default_consumer);
    // Join the group now, not at the first job, so the worker shows in `XINFO CONSUMERS`.
    let (jobs, name) = (keys.jobs.clone(), consumer.clone());
    link.call(move |c| {
        redis::cmd("XGROUP")
            .arg("CREATECONSUMER")
            .arg(&jobs)
            .arg(GROUP)
            .arg(&name)
            .query::<i64>(c)
    })
    .await?;
    let (ran_tx, ran) = async_channel::unbounded();
    let (threads, jobs) = Threads::start(settings.concurrency, Arc::new(registry), ran_tx)
        .map_err(|e| {
            weft_core::ConfigError::new("concurrency", format!("cannot start threads: {e}"))
        })?;
    let (finishes, finish_rx) = async_channel::unbounded();
    let shared = Arc::new(Shared {
        keys,
        consumer,
        settings,
        client,
        local: Mutex::new(Local::default()),
        changed: Event::new(),
        stopping: AtomicBool::new(false),
        threads: jobs,
        finishes,
    });
    // A task that fails (Redis unreachable past the reconnect timeout, or an error waiting
    // cannot fix) stops the worker with that error.
    let (fatal_tx, fatal) = async_channel::bounded::<Error>(4);
    let guard = |task: std::pin::Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>| {
        let fatal_tx = fatal_tx.clone();
        weft::spawn(async move {
            if let Err(err) = task.await {
                let _ = fatal_tx.try_send(err);
            }
        })
    };
    let reader = guard(Box::pin(read(shared.clone(), link)));
    let tasks = [
        guard(Box::pin(dispatch(shared.clone(), ran))),
        guard(Box::pin(finisher::run(
            shared.clone(),
            shared.link(),
            finish_rx,
        ))),
        guard(Box::pin(claimer::keep(shared.clone(), shared.link()))),
    ];
    let fatal_error = async {
        fatal
            .recv()
            .await
            .unwrap_or_else(|_| Error::Protocol("worker tasks stopped".into()))
    };
    futures_lite::pin!(fatal_error, interrupt);
    let stop = async {
        stop.await;
        None
    };
    if let Some(err) =
        futures_lite::future::or(stop, async { Some((&mut fatal_error).await) }).await
    {
        return Err(err);
    }
    shared.stopping.store(true, Ordering::Release);
    shared.changed.notify(usize::MAX);
    let drained = async {
        // The reader stops after its current read; the jobs that read returned are held too.
        let _ = reader.await;
        // Finish what is held: wait until the finishing script has acknowledged every job.
        loop {
            let listener = shared.changed.listen();
            if shared.holds_nothing() {
                return Ok(());
            }
            listener.await;
        }
    };
    let failed = async {
        futures_lite::future::or(async { Err((&mut fatal_error).await) }, async {
            (&mut interrupt).await;
            Err(Error::Interrupted)
        })
        .await
    };
    let outcome = futures_lite::future::or(drained, failed).await;
    if outcome.is_ok() {
        threads.stop().await;
    }
    drop(tasks);
    outcome
}

/// Takes jobs while there is room: new ones (`XREADGROUP`), those of dead workers
/// (`XAUTOCLAIM`, every third of the visibility timeout), and at start and after a reconnect
/// its own that a lost reply hid from it. One task does all the taking, so no entry is taken
/// twice.
async fn read(shared: Arc<Shared>, mut link: Link) -> Result<(), Error> {
    let tick = shared.settings.visibility / 3;
    let block = BLOCK.min(tick);
    let mut reconnects = None;
    let mut cursor = "0-0".to_owned();
    let mut last_claim: Option<Instant> = None;
    loop {
        let listener = shared.changed.listen();
        if shared.stopping() {
            return Ok(());
        }
        if reconnects != Some(link.reconnects()) {
            claimer::recover(&shared, &mut link).await?;
            reconnects = Some(link.reconnects());
        }
        let mut room = shared.room();
        if room > 0 && last_claim.is_none_or(|at| at.elapsed() >= tick) {
            last_claim = Some(Instant::now());
            match claimer::claim(&shared, &mut link, &cursor, room).await {
                Ok(next) => cursor = next,
                Err(err) if is_no_group(&err) => create_group(&mut link, &shared.keys).await?,
                Err(err) => return Err(err),
            }
            room = shared.room();
        }
        if room == 0 {
            listener.await;
            continue;
        }
        let (jobs, consumer) = (shared.keys.jobs.clone(), shared.consumer.clone());
        let reply = link
            .call_blocking_for(block, move |c| {
                redis::cmd("XREADGROUP")
                    .arg("GROUP")
                    .arg(GROUP)
                    .arg(&consumer)
                    .arg("COUNT")
                    .arg(room)
                    .arg("BLOCK")
                    .arg(block.as_millis().max(1) as u64)
                    .arg("STREAMS")
                    .arg(&jobs)
                    .arg(">")
                    .query::<Option<StreamReadReply>>(c)
            })
            .await;
        let reply = match reply {
            Err(err) if is_no_group(&err) => {
                // Redis lost the group (restarted without persistence): make it again.
                create_group(&mut link, &shared.keys).await?;
                continue;
            }
            other => other?,
        };
        let entries: Vec<(StreamId, u32)> = reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .map(|entry| (entry, 1))
            .collect();
        if !entries.is_empty() {
            shared.accept(&mut link, entries).await?;
        }
    }
}

/// Takes results from the threads: finishes, fails, or retries each job.
async fn dispatch(shared: Arc<Shared>, ran: async_channel::Receiver<Ran>) -> Result<(), Error> {
    while let Ok(Ran { job, result, took }) = ran.recv().await {
        shared.ran(took);
        match result {
            Ok(bytes) => shared.finish(Finish::new(job, Outcome::Ok(bytes))),
            // Running it again cannot help: fail the job, keep the worker.
            Err(err @ (WorkerError::UnknownFunction(_) | WorkerError::Payload(_))) => {
                shared.finish(Finish::new(job, Outcome::Failed(err)));
            }
            Err(err) if job.attempt >= shared.settings.attempts => {
                let outcome = Outcome::Dead {
                    attempts: job.attempt,
                    last_error: err.to_string(),
                };
                shared.finish(Finish::new(job, outcome));
            }
            Err(err) => {
                weft::spawn(retry(shared.clone(), job, err.to_string())).detach();
            }
        }
    }
    Ok(())
}

/// Runs a job that panicked again: records the error, claims the entry again (which counts a
/// delivery, so a crash from now on still counts the attempts right), and re-dispatches it.
async fn retry(shared: Arc<Shared>, mut job: Job, error: String) {
    let mut link = shared.link();
    let mut pipe = redis::pipe();
    pipe.cmd("SET")
        .arg(shared.keys.last_error(&job.id))
        .arg(&error)
        .arg("EX")
        .arg(shared.settings.result_ttl.as_secs())
        .ignore();
    pipe.cmd("XCLAIM")
        .arg(&shared.keys.jobs)
        .arg(GROUP)
        .arg(&shared.consumer)
        .arg(0)
        .arg(&job.entry);
    add_event(&mut pipe, &shared.keys, JobEvent::Retried, &job.id);
    let claimed = link
        .call(move |c| pipe.query::<(StreamClaimReply,)>(c))
        .await;
    let entry = match claimed {
        Ok((reply,)) => reply.ids.into_iter().next(),
        Err(_) => None,
    };
    let Some(arg) = entry.and_then(|entry| wire::field(&entry, "a")) else {
        // Acknowledged elsewhere meanwhile, or Redis unreachable: the job is not ours to run;
        // if still pending, another worker claims it after the visibility timeout.
        shared.release(&[job.entry]);
        return;
    };
    weft::sleep(shared.settings.retry_delay).await;
    job.attempt += 1;
    job.arg = arg;
    job.keep_arg = job.attempt >= shared.settings.attempts;
    shared.dispatch(job);
}
