//! Worker crashes: workers crashed mid-job, over and over, in every way the public API allows —
//! a panic inside the function (in the browser: the worker's wasm instance aborts), a trap with
//! no panic (browser only), a job past its timeout and a job whose caller drops it while it runs
//! (both terminate the browser worker from outside). A healthy job runs beside each crash.
//!
//! The pool must recover every time: each crashing job fails with its `WorkerError`, the healthy
//! one succeeds, every wait is bounded, and after all that the next job and a map succeed.

use std::time::Duration;

use futures_lite::StreamExt;
use futures_lite::future::poll_once;
use weft::{WorkerError, WorkerPool};

use crate::chaos::quiet_injected_panics;
#[cfg(target_arch = "wasm32")]
use crate::pool_funcs::crash_abort;
use crate::pool_funcs::{busy_ms, crash_panic, plus_one};
use crate::support::{NATIVE, ms, report, scale, seed};

/// A bound on any one wait: past it, the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(60);

/// The pool's job timeout: long enough that no job but the spinning ones reaches it, even on a
/// loaded machine (a trapped browser worker's report took up to 250 ms here under load).
const JOB_TIMEOUT: Duration = Duration::from_secs(1);

/// Awaits `future`, failing the test if it takes longer than [`PATIENCE`].
async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    weft::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("hung: {what}"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Crash {
    /// A panic in the function: `Panicked` (in the browser its worker is replaced).
    Panic,
    /// A wasm trap without a panic: `WorkerCrashed` (browser only).
    Abort,
    /// A job past the pool's job timeout: `Timeout`; the browser terminates its worker.
    Timeout,
    /// A running job whose handle is dropped; the browser terminates its worker.
    DropHandle,
    /// A `map_unordered` whose stream is dropped with its jobs running.
    DropStream,
}

const KINDS: &[Crash] = if NATIVE {
    &[
        Crash::Panic,
        Crash::Timeout,
        Crash::DropHandle,
        Crash::DropStream,
    ]
} else {
    &[
        Crash::Panic,
        Crash::Abort,
        Crash::Timeout,
        Crash::DropHandle,
        Crash::DropStream,
    ]
};

reliability! {
    async fn workers_crashed_mid_job_are_replaced_and_every_job_resolves() {
        quiet_injected_panics();
        let seed = seed();
        let mut rng = fastrand::Rng::with_seed(seed);
        let crashes = if NATIVE { scale(100, 1_000) } else { scale(100, 300) };
        let pool = WorkerPool::builder().size(2).job_timeout(JOB_TIMEOUT).build().unwrap();
        assert_eq!(bounded("warm-up", pool.run(plus_one, 0)).await, Ok(1));
        let mut counts = [0_usize; 5];
        let start = weft::now();
        for round in 0..crashes {
            let kind = KINDS[rng.usize(0..KINDS.len())];
            let why = format!("round {round}, {kind:?}; seed {seed} (replay with WEFT_SEED={seed})");
            // The healthy job goes first, so it holds one worker while the other one crashes.
            let healthy = bounded("submit", pool.submit(busy_ms, 3)).await.unwrap();
            match kind {
                Crash::Panic => {
                    let err = bounded(&why, pool.run(crash_panic, format!("round {round}"))).await;
                    assert_eq!(err, Err(WorkerError::Panicked(format!("injected panic: round {round}"))), "{why}");
                }
                Crash::Abort => {
                    #[cfg(target_arch = "wasm32")]
                    {
                        let err = bounded(&why, pool.run(crash_abort, 1)).await.unwrap_err();
                        assert!(matches!(err, WorkerError::WorkerCrashed(_)), "{err}; {why}");
                    }
                }
                Crash::Timeout => {
                    let err = bounded(&why, pool.run(busy_ms, 60_000)).await;
                    assert_eq!(err, Err(WorkerError::Timeout(JOB_TIMEOUT)), "{why}");
                }
                Crash::DropHandle => {
                    let job = bounded(&why, pool.submit(busy_ms, 60_000)).await.unwrap();
                    // Sometimes still queued, mostly running by the time it is dropped.
                    weft::sleep(ms(rng.u64(0..20))).await;
                    drop(job);
                }
                Crash::DropStream => {
                    let mut stream = pool.map_unordered(busy_ms, [60_000, 60_000, 0]);
                    let _ = poll_once(stream.next()).await;
                    weft::sleep(ms(rng.u64(0..20))).await;
                    drop(stream);
                }
            }
            counts[kind as usize] += 1;
            assert_eq!(bounded(&why, healthy).await, Ok(3), "the healthy job beside it; {why}");
        }
        let took = weft::now() - start;
        // After all that: the next job succeeds, and so does a map over every worker.
        assert_eq!(bounded("the next job", pool.run(plus_one, 41)).await, Ok(42));
        let out = bounded("a map", pool.map(plus_one, 0..200)).await.unwrap();
        assert_eq!(out, (1..201).collect::<Vec<u64>>());
        bounded("close", pool.close()).await;
        report(&format!(
            "pool crashes: seed {seed}: {crashes} workers crashed mid-job in {:.1} s ({} panics, {} traps, \
             {} job timeouts, {} handles and {} map streams dropped while running), a healthy job beside \
             each: every job resolved or failed with its WorkerError, the next job succeeded; 0 hung",
            took.as_secs_f64(),
            counts[Crash::Panic as usize],
            counts[Crash::Abort as usize],
            counts[Crash::Timeout as usize],
            counts[Crash::DropHandle as usize],
            counts[Crash::DropStream as usize],
        ));
    }
}
