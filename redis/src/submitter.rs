//! The queue's submitting task: batches what callers submit into one transaction per round trip,
//! and holds submissions back while the queue's backlog is full.

use std::sync::Arc;
use std::time::Duration;

use crate::Error;
use crate::keys::Keys;
use crate::link::Link;
use crate::tracker::Tracker;
use crate::wire::JOB_FORMAT;

/// At most this many jobs go in one transaction.
pub(crate) const BATCH: usize = 512;
/// While the backlog is full, look at it again at least this often.
const RECHECK: Duration = Duration::from_millis(100);

/// One job on its way to Redis.
pub(crate) struct Submission {
    pub(crate) id: String,
    pub(crate) func: String,
    pub(crate) arg: Vec<u8>,
    /// Told when the job is stored (or could not be).
    pub(crate) stored: async_channel::Sender<Result<(), Error>>,
}

pub(crate) struct Submitter {
    pub(crate) link: Link,
    pub(crate) keys: Keys,
    pub(crate) tracker: Arc<Tracker>,
    pub(crate) max_pending: u64,
    /// The backlog as last seen (an upper bound between looks: only jobs ending lower it).
    pub(crate) backlog: u64,
}

impl Submitter {
    pub(crate) async fn run(mut self, incoming: async_channel::Receiver<Submission>) {
        let mut batch = Vec::with_capacity(BATCH);
        while let Ok(first) = incoming.recv().await {
            batch.push(first);
            while batch.len() < BATCH {
                match incoming.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            while !batch.is_empty() {
                let room = match self.room().await {
                    Ok(room) => room,
                    Err(err) => {
                        self.fail(batch.drain(..), &err);
                        break;
                    }
                };
                let part: Vec<Submission> = batch.drain(..room.min(batch.len())).collect();
                self.store(part).await;
            }
        }
    }

    /// Waits until the backlog has room; returns how many jobs fit.
    async fn room(&mut self) -> Result<usize, Error> {
        loop {
            if self.backlog < self.max_pending {
                return Ok((self.max_pending - self.backlog) as usize);
            }
            // Listen before looking, so a job ending in between still wakes us.
            let ended = self.tracker.listen_ended();
            let key = self.keys.backlog.clone();
            let backlog: Option<i64> = self
                .link
                .call(move |c| redis::cmd("GET").arg(&key).query(c))
                .await?;
            self.backlog = backlog.unwrap_or(0).max(0) as u64;
            if self.backlog >= self.max_pending {
                futures_lite::future::or(ended, async {
                    weft::sleep(RECHECK).await;
                })
                .await;
            }
        }
    }

    /// Stores `part` in one transaction: all of it or none (a retry after a lost reply may store
    /// it twice; each copy then runs at most once more and the results are one, by job id).
    async fn store(&mut self, part: Vec<Submission>) {
        let mut pipe = redis::pipe();
        pipe.atomic();
        for job in &part {
            pipe.cmd("XADD")
                .arg(&self.keys.jobs)
                .arg("*")
                .arg("id")
                .arg(&job.id)
                .arg("f")
                .arg(&job.func)
                .arg("a")
                .arg(&job.arg)
                .arg("v")
                .arg(JOB_FORMAT)
                .ignore();
        }
        pipe.cmd("INCRBY").arg(&self.keys.backlog).arg(part.len());
        match self.link.call(move |c| pipe.query::<(i64,)>(c)).await {
            Ok((backlog,)) => {
                self.backlog = backlog.max(0) as u64;
                for job in part {
                    let _ = job.stored.try_send(Ok(()));
                }
            }
            Err(err) => self.fail(part.into_iter(), &err),
        }
    }

    fn fail(&self, jobs: impl Iterator<Item = Submission>, err: &Error) {
        for job in jobs {
            self.tracker.submit_failed(&job.id, err);
            let _ = job.stored.try_send(Err(err.clone()));
        }
    }
}
