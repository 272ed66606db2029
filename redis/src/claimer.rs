//! Claiming: taking over the jobs of dead workers (and a worker's own that a lost reply hid
//! from it), burying jobs past their last attempt in the dead-letter stream, renewing the jobs a
//! worker holds, forgetting consumers that are gone.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::streams::{
    StreamAutoClaimReply, StreamClaimReply, StreamId, StreamInfoConsumersReply,
    StreamPendingCountReply,
};

use crate::Error;
use crate::finisher::Finish;
use crate::keys::GROUP;
use crate::link::Link;
use crate::shared::Shared;
use crate::wire::{self, Job, Outcome};

/// A consumer with nothing pending and no sign of life for this many visibility timeouts (and
/// at least a minute) is forgotten: its worker is gone.
const FORGET_AFTER: u32 = 10;

/// Keeps this worker's jobs: renews them every third of the visibility timeout, and now and then
/// forgets consumers that are gone. (Taking jobs over is the reader's: one task takes entries,
/// so none is taken twice.)
pub(crate) async fn keep(shared: Arc<Shared>, mut link: Link) -> Result<(), Error> {
    let visibility = shared.settings.visibility;
    let forget_after = (visibility * FORGET_AFTER).max(Duration::from_secs(60));
    let mut last_cleanup = Instant::now();
    loop {
        weft::sleep(visibility / 3).await;
        renew(&shared, &mut link).await?;
        if last_cleanup.elapsed() > forget_after {
            last_cleanup = Instant::now();
            forget_dead_consumers(&shared, &mut link, forget_after).await?;
        }
    }
}

/// Takes back the entries pending for this worker that it does not hold: delivered by a read
/// whose reply was lost, or left by an earlier run under the same consumer name. Without this
/// they would wait for the visibility timeout.
pub(crate) async fn recover(shared: &Shared, link: &mut Link) -> Result<(), Error> {
    let (jobs, consumer) = (shared.keys.jobs.clone(), shared.consumer.clone());
    let pending: StreamPendingCountReply = link
        .call(move |c| {
            redis::cmd("XPENDING")
                .arg(&jobs)
                .arg(GROUP)
                .arg("-")
                .arg("+")
                .arg(1000)
                .arg(&consumer)
                .query(c)
        })
        .await?;
    let held: HashSet<String> = shared.held().into_iter().collect();
    let lost: Vec<String> = pending
        .ids
        .into_iter()
        .map(|p| p.id)
        .filter(|id| !held.contains(id))
        .collect();
    if lost.is_empty() {
        return Ok(());
    }
    let (jobs, consumer) = (shared.keys.jobs.clone(), shared.consumer.clone());
    // Claiming them again counts a delivery, as a take-over by another worker would.
    let claimed: StreamClaimReply = link
        .call(move |c| {
            redis::cmd("XCLAIM")
                .arg(&jobs)
                .arg(GROUP)
                .arg(&consumer)
                .arg(0)
                .arg(&lost)
                .query(c)
        })
        .await?;
    take_over(shared, link, claimed.ids).await
}

/// Resets the idle time of every job this worker holds, so no one takes them over.
async fn renew(shared: &Shared, link: &mut Link) -> Result<(), Error> {
    let held = shared.held();
    if held.is_empty() {
        return Ok(());
    }
    let (jobs, consumer) = (shared.keys.jobs.clone(), shared.consumer.clone());
    // JUSTID: renewing is not a delivery, so the attempt count does not move.
    link.call(move |c| {
        redis::cmd("XCLAIM")
            .arg(&jobs)
            .arg(GROUP)
            .arg(&consumer)
            .arg(0)
            .arg(&held)
            .arg("JUSTID")
            .query::<redis::Value>(c)
    })
    .await?;
    Ok(())
}

/// Takes over up to `room` jobs idle for the visibility timeout; returns the next cursor.
pub(crate) async fn claim(
    shared: &Shared,
    link: &mut Link,
    cursor: &str,
    room: usize,
) -> Result<String, Error> {
    let (jobs, consumer, cursor) = (
        shared.keys.jobs.clone(),
        shared.consumer.clone(),
        cursor.to_owned(),
    );
    let min_idle = shared.settings.visibility.as_millis() as u64;
    let reply: StreamAutoClaimReply = link
        .call(move |c| {
            redis::cmd("XAUTOCLAIM")
                .arg(&jobs)
                .arg(GROUP)
                .arg(&consumer)
                .arg(min_idle)
                .arg(&cursor)
                .arg("COUNT")
                .arg(room)
                .query(c)
        })
        .await?;
    if !reply.deleted_ids.is_empty() {
        // Entries deleted while pending (by hand: weft deletes only acknowledged ones) left the
        // pending list just now without an acknowledgement: count them out of the backlog.
        let (backlog, gone) = (shared.keys.backlog.clone(), reply.deleted_ids.len());
        link.call(move |c| redis::cmd("DECRBY").arg(&backlog).arg(gone).query::<i64>(c))
            .await?;
    }
    take_over(shared, link, reply.claimed).await?;
    Ok(reply.next_stream_id)
}

/// Runs entries just claimed, or buries those past their last attempt.
async fn take_over(shared: &Shared, link: &mut Link, claimed: Vec<StreamId>) -> Result<(), Error> {
    // A job this worker still runs (its renewals came too late) is not run twice here.
    let held: HashSet<String> = shared.held().into_iter().collect();
    let claimed: Vec<StreamId> = claimed
        .into_iter()
        .filter(|e| !held.contains(&e.id))
        .collect();
    if claimed.is_empty() {
        return Ok(());
    }
    let deliveries = deliveries(shared, link, &claimed).await?;
    let mut runnable = Vec::new();
    let mut dead = Vec::new();
    for (entry, delivery) in claimed.into_iter().zip(deliveries) {
        if delivery > shared.settings.attempts {
            dead.push((entry, delivery - 1));
        } else {
            runnable.push((entry, delivery));
        }
    }
    bury(shared, link, dead).await?;
    shared.accept(link, runnable).await
}

/// How many times each entry has been delivered (this claim included).
async fn deliveries(
    shared: &Shared,
    link: &mut Link,
    entries: &[StreamId],
) -> Result<Vec<u32>, Error> {
    let mut pipe = redis::pipe();
    for entry in entries {
        pipe.cmd("XPENDING")
            .arg(&shared.keys.jobs)
            .arg(GROUP)
            .arg(&entry.id)
            .arg(&entry.id)
            .arg(1);
    }
    let replies: Vec<StreamPendingCountReply> = link.call(move |c| pipe.query(c)).await?;
    Ok(replies
        .iter()
        .map(|r| r.ids.first().map_or(1, |p| p.times_delivered as u32))
        .collect())
}

/// Moves jobs that have been run `attempts` times to the dead-letter stream, with their last
/// recorded error.
async fn bury(shared: &Shared, link: &mut Link, dead: Vec<(StreamId, u32)>) -> Result<(), Error> {
    if dead.is_empty() {
        return Ok(());
    }
    let mut pipe = redis::pipe();
    for (entry, _) in &dead {
        let id = wire::field(entry, "id").map_or_else(
            || entry.id.clone(),
            |b| String::from_utf8_lossy(&b).into_owned(),
        );
        pipe.cmd("GET").arg(shared.keys.last_error(&id));
    }
    let errors: Vec<Option<String>> = link.call(move |c| pipe.query(c)).await?;
    for ((entry, attempts), error) in dead.into_iter().zip(errors) {
        let last_error = error.unwrap_or_else(|| {
            format!("the worker running attempt {attempts} stopped before finishing it")
        });
        let job = match wire::parse_job(&entry, attempts) {
            Ok(job) => job,
            Err((entry, id, _)) => Job {
                entry,
                id,
                func: String::new(),
                arg: Vec::new(),
                attempt: attempts,
                keep_arg: false,
            },
        };
        shared.finish(Finish::new(
            job,
            Outcome::Dead {
                attempts,
                last_error,
            },
        ));
    }
    Ok(())
}

/// Deletes consumers that hold nothing and have not been seen for `after`.
async fn forget_dead_consumers(
    shared: &Shared,
    link: &mut Link,
    after: Duration,
) -> Result<(), Error> {
    let jobs = shared.keys.jobs.clone();
    let info: StreamInfoConsumersReply = link
        .call(move |c| {
            redis::cmd("XINFO")
                .arg("CONSUMERS")
                .arg(&jobs)
                .arg(GROUP)
                .query(c)
        })
        .await?;
    let gone: Vec<String> = info
        .consumers
        .into_iter()
        .filter(|c| {
            c.name != shared.consumer && c.pending == 0 && c.idle as u128 > after.as_millis()
        })
        .map(|c| c.name)
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    let mut pipe = redis::pipe();
    for name in &gone {
        pipe.cmd("XGROUP")
            .arg("DELCONSUMER")
            .arg(&shared.keys.jobs)
            .arg(GROUP)
            .arg(name)
            .ignore();
    }
    link.call(move |c| pipe.query::<()>(c)).await
}
