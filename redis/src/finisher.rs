//! The worker's finishing task: stores results and acknowledges jobs, many per round trip.
//!
//! Jobs that end while a round trip is in flight wait for the next one (group commit), so a
//! worker running tiny jobs sends one script call per batch, and a worker running long ones
//! still finishes each at once.

use std::sync::Arc;

use weft::WorkerError;

use crate::Error;
use crate::keys::GROUP;
use crate::link::Link;
use crate::queue::EVENTS_MAXLEN;
use crate::scripts;
use crate::shared::Shared;
use crate::wire::{Job, Outcome};

/// At most this many jobs per script call.
const BATCH: usize = 256;

/// One job to finish: what to store, and for a dead job what to put in the dead-letter stream.
pub(crate) struct Finish {
    entry: String,
    id: String,
    kind: &'static str,
    value: Vec<u8>,
    func: String,
    arg: Vec<u8>,
    attempts: u32,
    error: String,
}

impl Finish {
    /// `job` ran (or could not run) and ended with `outcome`.
    pub(crate) fn new(job: Job, outcome: Outcome) -> Finish {
        let (kind, attempts, error) = match &outcome {
            Outcome::Ok(_) => ("done", 0, String::new()),
            Outcome::Failed(_) | Outcome::Cancelled => ("failed", 0, String::new()),
            Outcome::Dead {
                attempts,
                last_error,
            } => ("dead", *attempts, last_error.clone()),
        };
        Finish {
            value: outcome.encode(),
            entry: job.entry,
            id: job.id,
            kind,
            func: job.func,
            arg: job.arg,
            attempts,
            error,
        }
    }

    /// An entry that is not a job this worker can read.
    pub(crate) fn unreadable(entry: String, id: String, why: WorkerError) -> Finish {
        Finish {
            value: Outcome::Failed(why).encode(),
            entry,
            id,
            kind: "failed",
            func: String::new(),
            arg: Vec::new(),
            attempts: 0,
            error: String::new(),
        }
    }

    /// A job that already has a result (cancelled, or finished by another worker): acknowledge
    /// it, store nothing.
    pub(crate) fn skip(job: Job) -> Finish {
        Finish {
            value: Vec::new(),
            entry: job.entry,
            id: job.id,
            kind: "skip",
            func: String::new(),
            arg: Vec::new(),
            attempts: 0,
            error: String::new(),
        }
    }

    pub(crate) fn entry(&self) -> &str {
        &self.entry
    }
}

pub(crate) async fn run(
    shared: Arc<Shared>,
    mut link: Link,
    incoming: async_channel::Receiver<Finish>,
) -> Result<(), Error> {
    let keys = shared.keys.clone();
    let head = [
        keys.jobs.clone(),
        keys.backlog.clone(),
        keys.events.clone(),
        keys.dead.clone(),
    ];
    let settings = [
        GROUP.to_owned(),
        shared.settings.result_ttl.as_secs().to_string(),
        EVENTS_MAXLEN.to_string(),
        EVENTS_MAXLEN.to_string(),
        keys.prefix().to_owned(),
    ];
    while let Ok(first) = incoming.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match incoming.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let entries: Vec<String> = batch.iter().map(|f| f.entry.clone()).collect();
        let mut args: Vec<Vec<u8>> = settings.iter().map(|s| s.clone().into_bytes()).collect();
        for f in batch {
            args.extend([
                f.entry.into_bytes(),
                f.id.into_bytes(),
                f.value,
                f.kind.as_bytes().to_vec(),
                f.func.into_bytes(),
                f.arg,
                f.attempts.to_string().into_bytes(),
                f.error.into_bytes(),
            ]);
        }
        let head = head.clone();
        // Safe to repeat after a lost reply: see `scripts::FINISH`.
        link.call(move |c| {
            let mut call = scripts::FINISH.prepare_invoke();
            for key in &head {
                call.key(key);
            }
            for arg in &args {
                call.arg(arg);
            }
            call.invoke::<i64>(c)
        })
        .await?;
        shared.release(&entries);
    }
    Ok(())
}
