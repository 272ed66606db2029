//! The queue's collecting task: reads the events stream, counts progress, fetches the results
//! that handles wait for.
//!
//! Events are a notification, not the truth: the truth is the result key. So when the collector
//! may have missed events (it reconnected, or the stream was trimmed past it) it sweeps: it
//! looks up the result of every job still awaited.

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::streams::StreamReadReply;

use crate::keys::Keys;
use crate::link::Link;
use crate::tracker::Tracker;
use crate::wire::{self, Event};
use crate::{Error, JobError};

/// How long one `XREAD` blocks in Redis.
const BLOCK: Duration = Duration::from_millis(1000);
/// Sweep when awaited jobs have had no news for this long.
const QUIET: Duration = Duration::from_secs(2);
const FETCH_CHUNK: usize = 1000;

pub(crate) struct Collector {
    pub(crate) link: Link,
    pub(crate) keys: Keys,
    pub(crate) tracker: Arc<Tracker>,
    /// The last event read.
    pub(crate) last: String,
}

impl Collector {
    pub(crate) async fn run(mut self) {
        let mut reconnects = self.link.reconnects();
        let mut news = Instant::now();
        loop {
            let key = self.keys.events.clone();
            let from = self.last.clone();
            let reply = self
                .link
                .call_blocking_for(BLOCK, move |c| {
                    redis::cmd("XREAD")
                        .arg("COUNT")
                        .arg(1000)
                        .arg("BLOCK")
                        .arg(BLOCK.as_millis() as u64)
                        .arg("STREAMS")
                        .arg(&key)
                        .arg(&from)
                        .query::<Option<StreamReadReply>>(c)
                })
                .await;
            let reply = match reply {
                Ok(reply) => reply,
                Err(err) => {
                    // Unreachable past the reconnect timeout (or an error waiting cannot fix):
                    // the handles learn it; the collector itself keeps trying.
                    self.tracker.fail_waiters(&err);
                    weft::sleep(BLOCK).await;
                    continue;
                }
            };
            let mut wanted = Vec::new();
            for entry in reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids) {
                self.last = entry.id.clone();
                let kind =
                    wire::field(&entry, "k").map(|k| String::from_utf8_lossy(&k).into_owned());
                let Some(event) = kind.as_deref().and_then(Event::parse) else {
                    continue;
                };
                let ids = wire::field(&entry, "ids").unwrap_or_default();
                for id in String::from_utf8_lossy(&ids)
                    .split(' ')
                    .filter(|id| !id.is_empty())
                {
                    if self.tracker.event(event, id) {
                        wanted.push(id.to_owned());
                    }
                }
            }
            let sweep = self.link.reconnects() != reconnects
                || (wanted.is_empty() && news.elapsed() > QUIET && self.tracker.has_outstanding());
            reconnects = self.link.reconnects();
            if !wanted.is_empty() {
                news = Instant::now();
                self.fetch(wanted, true).await;
            }
            if sweep {
                news = Instant::now();
                self.fetch(self.tracker.outstanding(), false).await;
            }
        }
    }

    /// Fetches the results of `ids` and hands them out. `ended`: the events said these jobs
    /// ended, so a missing result has expired; otherwise a missing result is not there yet.
    async fn fetch(&mut self, ids: Vec<String>, ended: bool) {
        for chunk in ids.chunks(FETCH_CHUNK) {
            let chunk = chunk.to_vec();
            let keys: Vec<String> = chunk.iter().map(|id| self.keys.result(id)).collect();
            let values = self
                .link
                .call(move |c| {
                    redis::cmd("MGET")
                        .arg(&keys)
                        .query::<Vec<Option<Vec<u8>>>>(c)
                })
                .await;
            match values {
                Ok(values) => {
                    for (id, value) in chunk.iter().zip(values) {
                        match value {
                            Some(bytes) => self.tracker.resolve(id, Ok(bytes)),
                            None if ended => self.tracker.resolve(id, Err(JobError::Expired)),
                            None => {}
                        }
                    }
                }
                Err(err) => {
                    let err: Error = err;
                    for id in &chunk {
                        self.tracker.resolve(id, Err(JobError::Queue(err.clone())));
                    }
                }
            }
        }
    }
}
