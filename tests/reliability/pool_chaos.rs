//! Chaos through the worker pool: jobs with random short spins, about 1 % panicking inside
//! the worker and 1 % dropped by their caller in flight, sent through every entry of the public
//! API (`run`, `submit`, `run` inside a spawned task, `map`, `map_unordered`). Every job is done
//! exactly once or reported failed or cancelled, and the counts are exact.
//!
//! A job's plan comes from the seed and its index ([`job_plan`]), so the caller and the worker
//! agree on it without sharing memory (in the browser the job runs in another wasm instance, and
//! a panic there kills that worker, which the pool replaces). A successful job gives a value
//! only its own index yields ([`chaos_value`]), so a result can't belong to another job.
//! Natively the jobs run on threads of this process, and [`STARTS`] also shows that none
//! started twice.

use std::time::Duration;

use futures_lite::StreamExt;
use weft::{WorkerError, WorkerPool};

use crate::chaos::quiet_injected_panics;
#[cfg(not(target_arch = "wasm32"))]
use crate::pool_funcs::STARTS;
use crate::pool_funcs::{JobFault, chaos_job, chaos_value, job_plan, plus_one};
use crate::support::{Live, NATIVE, eventually, report, scale, seed};

/// A bound on any one wait for a healthy job: past it, the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(60);

/// What the caller was told about a job.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Done(u64),
    Panicked(String),
    /// The caller dropped it (its handle, its task, or the block's stream) in flight.
    Cancelled,
    /// Failed with its whole ordered `map` block (another item of the block panicked).
    FailedWithBlock,
    /// Anything else: always a test failure.
    Other(String),
}

impl From<Result<u64, WorkerError>> for Outcome {
    fn from(result: Result<u64, WorkerError>) -> Outcome {
        match result {
            Ok(value) => Outcome::Done(value),
            Err(WorkerError::Panicked(message)) => Outcome::Panicked(message),
            Err(other) => Outcome::Other(other.to_string()),
        }
    }
}

/// What the plan says a job that was not cancelled must report.
fn expected(seed: u64, index: u64) -> Outcome {
    match job_plan(seed, index).fault {
        JobFault::Panic => Outcome::Panicked(format!("injected panic in job {index}")),
        JobFault::Cancel | JobFault::None => Outcome::Done(chaos_value(seed, index)),
    }
}

/// One job through one of three entries, chosen by its index; a planned cancellation drops it
/// after `cancel_after`, wherever it is by then (waiting to be queued, queued, or running).
async fn one_job(pool: WorkerPool, live: Live, seed: u64, index: u64) -> Outcome {
    let plan = job_plan(seed, index);
    let limit = match plan.fault {
        JobFault::Cancel => plan.cancel_after,
        _ => PATIENCE,
    };
    let arg = (seed, index, false);
    match index % 3 {
        // `run`: dropping its future cancels the job.
        0 => match weft::timeout(limit, pool.run(chaos_job, arg)).await {
            Ok(result) => result.into(),
            Err(_) => Outcome::Cancelled,
        },
        // `submit`, then the handle: dropping the handle cancels the job.
        1 => {
            let start = weft::now();
            let mut job = match weft::timeout(limit, pool.submit(chaos_job, arg)).await {
                Ok(Ok(job)) => job,
                Ok(Err(error)) => return Outcome::Other(error.to_string()),
                Err(_) => return Outcome::Cancelled,
            };
            let left = limit.saturating_sub(weft::now() - start);
            match weft::timeout(left, &mut job).await {
                Ok(result) => result.into(),
                Err(_) => {
                    drop(job);
                    Outcome::Cancelled
                }
            }
        }
        // `run` inside a spawned task: dropping the task cancels it, and with it the job.
        _ => {
            let mut task = live.spawn(async move { pool.run(chaos_job, arg).await });
            match weft::timeout(limit, &mut task).await {
                Ok(Ok(result)) => result.into(),
                Ok(Err(join)) => Outcome::Other(join.to_string()),
                Err(_) => match task.cancel().await {
                    Some(result) => result.into(),
                    None => Outcome::Cancelled,
                },
            }
        }
    }
}

/// How a block of the map phase is consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BlockWay {
    /// `map_unordered` to the end.
    Unordered,
    /// `map_unordered`, the stream dropped after `k` results.
    Dropped(usize),
    /// `map`, ordered: a panic fails the whole block.
    Ordered,
}

fn block_way(seed: u64, block: u64, len: usize) -> BlockWay {
    let mut rng = fastrand::Rng::with_seed(seed ^ block.wrapping_mul(0xE703_7ED1_A0B4_28DB) ^ 1);
    match rng.u32(0..10) {
        0 => BlockWay::Dropped(rng.usize(0..len)),
        1 | 2 => BlockWay::Ordered,
        _ => BlockWay::Unordered,
    }
}

/// Runs one block of the map phase; writes each item's outcome into `outcomes[index - first]`.
async fn one_block(
    pool: &WorkerPool,
    seed: u64,
    block: u64,
    items: std::ops::Range<u64>,
    outcomes: &mut [Option<Outcome>],
) {
    let first = items.start;
    let len = (items.end - items.start) as usize;
    let args: Vec<(u64, u64, bool)> = items.clone().map(|i| (seed, i, true)).collect();
    match block_way(seed, block, len) {
        BlockWay::Ordered => {
            let result = weft::timeout(PATIENCE, pool.map(chaos_job, args))
                .await
                .expect("an ordered map block hung");
            match result {
                Ok(values) => {
                    assert_eq!(values.len(), len, "seed {seed}, block {block}");
                    for (offset, value) in values.into_iter().enumerate() {
                        outcomes[offset] = Some(Outcome::Done(value));
                    }
                }
                Err(WorkerError::Panicked(message)) => {
                    // The first failure fails the block: it is one of the block's own panics.
                    let index: u64 = message
                        .strip_prefix("injected panic in job ")
                        .and_then(|i| i.parse().ok())
                        .unwrap_or_else(|| panic!("unexpected panic {message:?}; seed {seed}"));
                    assert!(
                        items.contains(&index),
                        "seed {seed}: {index} not in block {block}"
                    );
                    assert_eq!(job_plan(seed, index).fault, JobFault::Panic, "seed {seed}");
                    for (offset, outcome) in outcomes.iter_mut().enumerate() {
                        *outcome = Some(if first + offset as u64 == index {
                            Outcome::Panicked(message.clone())
                        } else {
                            Outcome::FailedWithBlock
                        });
                    }
                }
                Err(other) => panic!("ordered map block {block} failed with {other}; seed {seed}"),
            }
        }
        way => {
            let keep = match way {
                BlockWay::Dropped(k) => k,
                _ => len,
            };
            let mut stream = pool.map_unordered(chaos_job, args);
            for _ in 0..keep {
                let (offset, result) = weft::timeout(PATIENCE, stream.next())
                    .await
                    .expect("a map_unordered block hung")
                    .expect("the stream ended before every item came");
                assert!(
                    outcomes[offset].is_none(),
                    "item {} came twice; seed {seed}",
                    first + offset as u64
                );
                outcomes[offset] = Some(result.into());
            }
            if keep == len {
                assert!(
                    stream.next().await.is_none(),
                    "more items than given; seed {seed}"
                );
            }
            // Dropping the stream cancels the rest of the block.
            drop(stream);
            for outcome in outcomes.iter_mut().filter(|o| o.is_none()) {
                *outcome = Some(Outcome::Cancelled);
            }
        }
    }
}

reliability! {
    async fn every_worker_pool_job_is_done_once_or_reported_under_chaos() {
        quiet_injected_panics();
        let seed = seed();
        let why = format!("seed {seed} (replay with WEFT_SEED={seed})");
        // Jobs one by one through run / submit / spawned run, then as many again through maps.
        let n = if NATIVE { scale(4_000, 200_000) } else { scale(600, 6_000) } as u64;
        const BLOCK: u64 = 50;
        let pool = WorkerPool::builder().size(2).build().unwrap();
        let live = Live::default();

        let mut outcomes: Vec<Outcome> = {
            let (pool, live) = (pool.clone(), live.clone());
            weft::map_concurrent(0..n, 16, move |index| one_job(pool.clone(), live.clone(), seed, index))
                .unwrap()
                .await
        };
        let (mut blocks_dropped, mut blocks_failed) = (0, 0);
        for block in 0..n / BLOCK {
            let items = n + block * BLOCK..n + (block + 1) * BLOCK;
            let mut mapped = vec![None; BLOCK as usize];
            one_block(&pool, seed, block, items.clone(), &mut mapped).await;
            blocks_dropped += usize::from(matches!(block_way(seed, block, BLOCK as usize), BlockWay::Dropped(_)));
            blocks_failed += usize::from(mapped.contains(&Some(Outcome::FailedWithBlock)));
            outcomes.extend(mapped.into_iter().map(|o| o.expect("every item of a block has an outcome")));
        }
        let total = outcomes.len() as u64;
        assert_eq!(total, n + n / BLOCK * BLOCK, "{why}");

        // Every outcome is the one the plan predicts: exact, item by item.
        let (mut done, mut panicked, mut cancelled, mut with_block) = (0, 0, 0, 0);
        for (index, outcome) in (0..).zip(&outcomes) {
            let mapped = index >= n;
            match outcome {
                Outcome::Cancelled if !mapped => {
                    assert_eq!(job_plan(seed, index).fault, JobFault::Cancel, "job {index} cancelled; {why}");
                    cancelled += 1;
                }
                Outcome::Cancelled => cancelled += 1,
                Outcome::FailedWithBlock => with_block += 1,
                Outcome::Other(error) => panic!("job {index} failed with {error}; {why}"),
                reported => {
                    assert_eq!(reported, &expected(seed, index), "job {index}; {why}");
                    if matches!(reported, Outcome::Done(_)) { done += 1 } else { panicked += 1 }
                }
            }
        }
        let planned_cancels = (0..n).filter(|&i| job_plan(seed, i).fault == JobFault::Cancel).count();
        assert_eq!(
            outcomes[..n as usize].iter().filter(|o| **o == Outcome::Cancelled).count(),
            planned_cancels,
            "every planned cancellation, and only those; {why}"
        );

        // Natively, no job started twice, and every job reported done or panicked started once.
        #[cfg(not(target_arch = "wasm32"))]
        let cancelled_running = {
            let starts = STARTS.lock().unwrap();
            let mut running = 0;
            for (index, outcome) in (0..).zip(&outcomes) {
                let times = starts.get(&(seed, index)).copied().unwrap_or(0);
                assert!(times <= 1, "job {index} started {times} times; {why}");
                if matches!(outcome, Outcome::Done(_) | Outcome::Panicked(_)) {
                    assert_eq!(times, 1, "job {index} reported without running; {why}");
                }
                running += usize::from(*outcome == Outcome::Cancelled && times == 1);
            }
            format!(" ({running} of them while running)")
        };
        #[cfg(target_arch = "wasm32")]
        let cancelled_running = String::new();

        // The pool still works, its caller tasks are gone, and it closes.
        assert_eq!(pool.run(plus_one, 41).await, Ok(42), "{why}");
        eventually(PATIENCE, "every spawned caller task is dropped", || live.live() == 0).await;
        weft::timeout(PATIENCE, pool.close()).await.expect("close hung");
        report(&format!(
            "chaos worker pool: seed {seed}: {total} jobs ({n} via run/submit/spawned run, {} via map/map_unordered \
             in {} blocks), {done} done, faults injected: {panicked} panicked in a worker{}, {cancelled} cancelled \
             by their caller{cancelled_running}, {blocks_dropped} streams dropped mid-block, {blocks_failed} ordered \
             maps failed by a panic ({with_block} items failed with them); 0 lost, 0 twice, 0 leaked, 0 hung",
            n / BLOCK * BLOCK,
            n / BLOCK,
            if NATIVE { "" } else { " (each one a worker replaced)" },
        ));
    }
}
