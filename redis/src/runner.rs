//! A running worker: its settings, and its tasks: take (read, claim, recover), dispatch (to
//! the threads, and retries), finish, keep (renew its jobs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_lite::Future;
use redis::streams::{StreamClaimReply, StreamId, StreamReadReply};
use weft::{Registry, WorkerError};

use crate::finisher::{self, Finish};
use crate::keys::{GROUP, Keys};
use crate::link::Link;
use crate::shared::{Shared, add_event, create_group, default_consumer, is_no_group};
use crate::threads::{Ran, Threads};
use crate::wire::{self, Event as JobEvent, Job, Outcome};
use crate::{Error, claimer};

/// How long one `XREADGROUP` blocks in Redis (also how long a stop may wait for the reader).
const BLOCK: Duration = Duration::from_millis(500);

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
    let shared = Arc::new(Shared::new(
        keys, consumer, settings, client, jobs, finishes,
    ));
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
    shared.stop();
    let drained = async {
        // The reader stops after its current read, whose jobs are then held and finished too.
        // If Redis is unreachable that read never ends: stop without it (anything it was given
        // waits in this worker's pending list, for a take-over after the visibility timeout).
        let _ = futures_lite::future::or(async { reader.await.ok() }, async {
            weft::sleep(BLOCK * 4).await;
            None
        })
        .await;
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
