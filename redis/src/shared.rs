//! The state the tasks of a running worker share: which jobs it holds, how many are active,
//! how long they take; and what it does with the entries it takes.
//!
//! A job read from the stream is *held* (its entry is in this worker's pending list, renewed
//! every third of the visibility timeout) from the read until the finishing script has
//! acknowledged it; while it waits for a thread or runs it is also *active*, which is what the
//! read-ahead bounds.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use event_listener::Event;
use redis::streams::StreamId;

use crate::Error;
use crate::finisher::Finish;
use crate::keys::{GROUP, Keys};
use crate::link::Link;
use crate::runner::Settings;
use crate::wire::{self, Event as JobEvent, Job};

/// How much work, in time, the worker reads ahead.
const READ_AHEAD: Duration = Duration::from_millis(2);

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
    pub(crate) fn new(
        keys: Keys,
        consumer: String,
        settings: Settings,
        client: redis::Client,
        threads: async_channel::Sender<Job>,
        finishes: async_channel::Sender<Finish>,
    ) -> Shared {
        Shared {
            keys,
            consumer,
            settings,
            client,
            local: Mutex::new(Local::default()),
            changed: Event::new(),
            stopping: AtomicBool::new(false),
            threads,
            finishes,
        }
    }

    /// Stop taking jobs (the ones held are still finished).
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        self.changed.notify(usize::MAX);
    }

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

    pub(crate) fn dispatch(&self, job: Job) {
        let mut local = self.local();
        local.held.insert(job.entry.clone());
        local.active += 1;
        drop(local);
        let _ = self.threads.try_send(job);
    }

    /// A job came back from its thread.
    pub(crate) fn ran(&self, took: Duration) {
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

pub(crate) fn default_consumer() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    format!("{host}-{}-{:04x}", std::process::id(), fastrand::u16(..))
}
