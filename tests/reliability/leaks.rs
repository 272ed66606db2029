//! Leaks: task groups, gathers, pipelines and pools dropped mid-flight leave nothing behind.
//!
//! Every future the test makes holds a [`LiveGuard`], every task it spawns goes through
//! [`Live::spawn`], and every pooled object is a guard too; once everything is dropped the count
//! of live guards must return to 0. Natively a second test runs many such operations in a
//! process of its own and checks that the resident memory stays flat after a warm-up.
//!
//! Hook for the worker pool (being built elsewhere): dropping a `WorkerPool` with jobs in flight
//! belongs in [`churn`] as a fifth kind, with the JS heap (`performance.memory`) as the browser's
//! flat-memory figure.

use std::time::Duration;

use futures_lite::future::poll_once;

use crate::support::{Live, LiveGuard, NATIVE, eventually, report, scale};

const FOREVER: Duration = Duration::from_secs(3_600);

/// A pool manager whose objects are live guards, so objects that are never destroyed show.
struct Objects(Live);

impl weft::pool::Manager for Objects {
    type Object = LiveGuard;
    type Error = ();

    fn create(&self) -> impl Future<Output = Result<LiveGuard, ()>> + weft::MaybeSend {
        let object = self.0.guard();
        async move { Ok(object) }
    }
}

/// A task group with a finished child, a sleeping child and a child waiting on a grandchild,
/// dropped (or its `join` dropped) after one look.
async fn group_dropped_mid_flight(live: &Live, round: usize) {
    let group: weft::TaskGroup<(), ()> = weft::TaskGroup::new();
    let handle = group.handle();
    for child in 0..3 {
        let guard = live.guard();
        let inner = live.clone();
        let handle = handle.clone();
        let _ = group.spawn(async move {
            let _guard = guard;
            match child {
                0 => Ok(()),
                1 => {
                    weft::sleep(FOREVER).await;
                    Ok(())
                }
                _ => {
                    let grandchild = inner.guard();
                    let _ = handle.spawn(async move {
                        let _grandchild = grandchild;
                        weft::sleep(FOREVER).await;
                        Ok(())
                    });
                    weft::sleep(FOREVER).await;
                    Ok(())
                }
            }
        });
    }
    weft::yield_now().await;
    if round % 2 == 0 {
        drop(group);
    } else {
        let mut join = group.join();
        assert!(poll_once(&mut join).await.is_none());
        drop(join);
    }
}

/// A gather (or try_gather) of futures that never finish, polled once and dropped.
async fn gather_dropped_mid_flight(live: &Live, round: usize) {
    let futures: Vec<_> = (0..3)
        .map(|k| {
            let guard = live.guard();
            async move {
                let _guard = guard;
                if k > 0 {
                    weft::sleep(FOREVER).await;
                }
                Ok::<u32, ()>(k)
            }
        })
        .collect();
    if round % 2 == 0 {
        let mut gather = weft::gather(futures);
        assert!(poll_once(&mut gather).await.is_none());
    } else {
        let mut gather = weft::try_gather(futures);
        assert!(poll_once(&mut gather).await.is_none());
    }
}

/// A pipeline with items in its workers' hands and items still queued, dropped.
async fn pipeline_dropped_mid_flight(live: &Live) {
    let pipeline = weft::pipeline(2, 8, |item: LiveGuard| async move {
        let _item = item;
        weft::sleep(FOREVER).await;
        Ok::<(), ()>(())
    })
    .unwrap();
    for _ in 0..5 {
        pipeline.submit(live.guard()).await.unwrap();
    }
    weft::yield_now().await;
    drop(pipeline);
}

/// A pool with one object lent to a sleeping task and a second task waiting for one, all
/// dropped: the tasks, then the pool.
async fn pool_dropped_mid_flight(live: &Live) {
    let pool = weft::Pool::builder(Objects(live.clone()))
        .min_size(1)
        .max_size(1)
        .build()
        .await
        .unwrap();
    let holder = {
        let pool = pool.clone();
        live.spawn(async move {
            let _object = pool.acquire().await;
            weft::sleep(FOREVER).await;
        })
    };
    let waiter = {
        let pool = pool.clone();
        live.spawn(async move {
            weft::yield_now().await;
            let _object = pool.acquire().await;
        })
    };
    weft::yield_now().await;
    drop((holder, waiter, pool));
}

/// Runs `rounds` of each kind, then waits for every guard to go. Returns the guards made.
async fn churn(live: &Live, rounds: usize) -> usize {
    for round in 0..rounds {
        group_dropped_mid_flight(live, round).await;
        gather_dropped_mid_flight(live, round).await;
        pipeline_dropped_mid_flight(live).await;
        pool_dropped_mid_flight(live).await;
    }
    // Cancelled tasks are dropped by their executor, natively on another thread.
    eventually(Duration::from_secs(60), "every guard is dropped", || {
        live.live() == 0
    })
    .await;
    live.made()
}

reliability! {
    async fn groups_gathers_pipelines_and_pools_dropped_mid_flight_leave_nothing_alive() {
        let rounds = if NATIVE { scale(2_000, 10_000) } else { scale(500, 10_000) };
        let live = Live::default();
        let made = churn(&live, rounds).await;
        assert_eq!(live.live(), 0);
        // Each round makes 3 children, 3 gathered futures, 5 pipeline items, 2 tasks and 1 pooled
        // object at the least: the drops really happened mid-flight.
        assert!(made >= rounds * 14, "made {made} guards in {rounds} rounds");
        report(&format!(
            "leaks: {rounds} task groups, {rounds} gathers, {rounds} pipelines and {rounds} pools dropped \
             mid-flight; {made} guarded futures, tasks and objects; 0 leaked"
        ));
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod memory {
    use super::*;

    /// The resident set size of this process, from `/proc/self/status`.
    fn rss_kib() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    const CHILD: &str = "WEFT_RSS_CHILD";

    /// Operations: each round is one task group, gather, pipeline and pool dropped mid-flight,
    /// plus a spawned task awaited and a timeout that fires.
    async fn operations(live: &Live, rounds: usize) {
        for round in 0..rounds {
            group_dropped_mid_flight(live, round).await;
            gather_dropped_mid_flight(live, round).await;
            pipeline_dropped_mid_flight(live).await;
            pool_dropped_mid_flight(live).await;
            live.spawn(async { weft::yield_now().await }).await.unwrap();
            assert!(
                weft::timeout(Duration::ZERO, weft::sleep(FOREVER))
                    .await
                    .is_err()
            );
        }
        eventually(Duration::from_secs(60), "every guard is dropped", || {
            live.live() == 0
        })
        .await;
    }

    const OPS_PER_ROUND: usize = 6;

    /// The measurement, in a process of its own so that no other test's memory moves the
    /// figure: warm up, read VmRSS, run the rest, read it again.
    fn measure() {
        let ops = scale(60_000, 1_000_000);
        let rounds = ops / OPS_PER_ROUND;
        let warm_up = rounds / 5;
        let live = Live::default();
        let (before, after) = weft::block_on(async {
            operations(&live, warm_up).await;
            let before = rss_kib().expect("VmRSS is readable");
            operations(&live, rounds - warm_up).await;
            (before, rss_kib().expect("VmRSS is readable"))
        });
        let growth = (after as f64 - before as f64) / before as f64 * 100.0;
        report(&format!(
            "memory: {} operations ({} after a warm-up of {}): VmRSS {before} KiB -> {after} KiB, \
             growth {growth:+.2} % (limit 5 %); {} guards made, 0 live",
            rounds * OPS_PER_ROUND,
            (rounds - warm_up) * OPS_PER_ROUND,
            warm_up * OPS_PER_ROUND,
            live.made(),
        ));
        assert_eq!(live.live(), 0);
        assert!(
            growth < 5.0,
            "VmRSS grew {growth:.2} % ({before} -> {after} KiB)"
        );
    }

    #[test]
    fn memory_stays_flat_over_many_operations() {
        if std::env::var_os(CHILD).is_some() {
            return measure();
        }
        // Run the measurement alone: this test again, in a child process.
        let exe = std::env::current_exe().expect("the test binary");
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "leaks::memory::memory_stays_flat_over_many_operations",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // With one test thread libtest prints "test <name> ... " before a test's own output.
        for line in stdout
            .lines()
            .filter_map(|l| l.find("memory: ").map(|at| &l[at..]))
        {
            println!("{line}");
        }
        assert!(
            out.status.success(),
            "the measurement failed:\n{stdout}\n{stderr}"
        );
        assert!(
            stdout.contains("memory: "),
            "the measurement did not run:\n{stdout}"
        );
    }
}
