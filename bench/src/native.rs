//! The native workloads.

use std::future::ready;
use std::time::{Duration, Instant};

use futures::future::{join_all, try_join_all};
use futures_lite::future::block_on;
use weft_core::task::yield_now;

use crate::harness::{Impl, Row, Settings, compare};

fn count(base: usize, scale: f64) -> usize {
    ((base as f64 * scale) as usize).max(1)
}

pub fn run_all(settings: &Settings, scale: f64, only: Option<&[String]>) -> Vec<Row> {
    let wanted = |id: &str| only.is_none_or(|ids| ids.iter().any(|i| i == id));
    let mut rows = Vec::new();
    if wanted("N1") {
        rows.extend(n1_spawn(settings, count(100_000, scale)));
    }
    if wanted("N2") {
        rows.extend(n2_gather(settings, count(100_000, scale)));
    }
    if wanted("N8") {
        rows.extend(n8_seeds(settings));
    }
    if wanted("N6") {
        rows.extend(n6_timeout(
            settings,
            count(1_000_000, scale),
            count(500, scale),
        ));
    }
    rows
}

/// A two-thread executor of the given kind, for the anchors.
fn executor_threads(ex: &'static async_executor::Executor<'static>) {
    for _ in 0..2 {
        std::thread::spawn(move || {
            futures_lite::future::block_on(ex.run(std::future::pending::<()>()))
        });
    }
}

fn n1_spawn(settings: &Settings, n: usize) -> Vec<Row> {
    let ex: &'static async_executor::Executor<'static> =
        Box::leak(Box::new(async_executor::Executor::new()));
    executor_threads(ex);
    let statik: &'static async_executor::StaticExecutor = async_executor::Executor::new().leak();
    for _ in 0..2 {
        std::thread::spawn(move || {
            futures_lite::future::block_on(statik.run(std::future::pending::<()>()))
        });
    }
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Start every implementation before timing: start-up is not what N1 measures.
    weft::block_on(weft::spawn(async {})).unwrap();

    compare(
        settings,
        "N1",
        "spawn + join 100k trivial tasks on 2 threads",
        "ns/task",
        n as f64,
        1e9,
        &["≤ 1.0×", "≤ 0.7×", "reference", "reference"],
        vec![
            Impl::timed("weft::spawn", || {
                weft::block_on(async {
                    let tasks: Vec<_> = (0..n).map(|i| weft::spawn(async move { i })).collect();
                    for task in tasks {
                        task.await.unwrap();
                    }
                })
            }),
            Impl::timed("async-executor Executor::spawn", || {
                futures_lite::future::block_on(async {
                    let tasks: Vec<_> = (0..n).map(|i| ex.spawn(async move { i })).collect();
                    for task in tasks {
                        task.await;
                    }
                })
            }),
            Impl::timed("tokio multi-thread (2 workers) spawn", || {
                tokio.block_on(async {
                    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
                    for task in tasks {
                        task.await.unwrap();
                    }
                })
            }),
            Impl::timed("async-executor spawn_many", || {
                futures_lite::future::block_on(async {
                    let mut tasks = Vec::with_capacity(n);
                    ex.spawn_many((0..n).map(|i| async move { i }), &mut tasks);
                    for task in tasks {
                        task.await;
                    }
                })
            }),
            Impl::timed("async-executor StaticExecutor::spawn", || {
                futures_lite::future::block_on(async {
                    let tasks: Vec<_> = (0..n).map(|i| statik.spawn(async move { i })).collect();
                    for task in tasks {
                        task.await;
                    }
                })
            }),
        ],
    )
}

async fn yield_once(i: usize) -> usize {
    yield_now().await;
    i
}

fn n2_gather(settings: &Settings, n: usize) -> Vec<Row> {
    let mut rows = compare(
        settings,
        "N2",
        "gather of 100k futures that yield once",
        "ns/future",
        n as f64,
        1e9,
        &["≤ 1.05×"],
        vec![
            Impl::timed("weft::gather", || {
                assert_eq!(block_on(weft::gather((0..n).map(yield_once))).len(), n);
            }),
            Impl::timed("futures join_all", || {
                assert_eq!(block_on(join_all((0..n).map(yield_once))).len(), n);
            }),
        ],
    );
    rows.extend(compare(
        settings,
        "N2",
        "try_gather of 100k futures that yield once",
        "ns/future",
        n as f64,
        1e9,
        &["≤ 1.05×"],
        vec![
            Impl::timed("weft::try_gather", || {
                let out = block_on(weft::try_gather(
                    (0..n).map(|i| async move { Ok::<_, ()>(yield_once(i).await) }),
                ));
                assert_eq!(out.unwrap().len(), n);
            }),
            Impl::timed("futures try_join_all", || {
                let out = block_on(try_join_all(
                    (0..n).map(|i| async move { Ok::<_, ()>(yield_once(i).await) }),
                ));
                assert_eq!(out.unwrap().len(), n);
            }),
        ],
    ));
    rows
}

fn lateness(samples: &mut [f64], quantile: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * quantile).round() as usize]
}

fn n6_timeout(settings: &Settings, calls: usize, sleeps: usize) -> Vec<Row> {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let limit = Duration::from_secs(1);
    let mut rows = compare(
        settings,
        "N6",
        "timeout around a ready future",
        "ns/call",
        calls as f64,
        1e9,
        &["≤ 1.0×"],
        vec![
            Impl::timed("weft::timeout", || {
                weft::block_on(async {
                    let mut sum = 0;
                    for i in 0..calls {
                        sum += weft::timeout(limit, ready(i)).await.unwrap();
                    }
                    std::hint::black_box(sum);
                })
            }),
            Impl::timed("tokio::time::timeout", || {
                tokio.block_on(async {
                    let mut sum = 0;
                    for i in 0..calls {
                        sum += tokio::time::timeout(limit, ready(i)).await.unwrap();
                    }
                    std::hint::black_box(sum);
                })
            }),
        ],
    );

    // Timer lateness: sleeps of 1 ms and 10 ms, implementations alternating sleep by sleep so
    // they see the same machine load.
    for (ms, count) in [(1_u64, sleeps), (10, sleeps / 5)] {
        let want = Duration::from_millis(ms);
        let mut weft_late = Vec::new();
        let mut tokio_late = Vec::new();
        let mut io_late = Vec::new();
        for _ in 0..count.max(5) {
            weft_late.push(weft::block_on(async {
                let start = Instant::now();
                weft::sleep(want).await;
                (start.elapsed() - want).as_secs_f64() * 1e6
            }));
            tokio_late.push(tokio.block_on(async {
                let start = Instant::now();
                tokio::time::sleep(want).await;
                (start.elapsed() - want).as_secs_f64() * 1e6
            }));
            io_late.push(futures_lite::future::block_on(async {
                let start = Instant::now();
                async_io::Timer::after(want).await;
                (start.elapsed() - want).as_secs_f64() * 1e6
            }));
        }
        for (q, label, goal) in [(0.5, "median", "≤ 100 µs"), (0.99, "p99", "reference")] {
            let weft = lateness(&mut weft_late, q);
            for (name, samples) in [
                ("tokio::time::sleep", &mut tokio_late),
                ("async-io Timer", &mut io_late),
            ] {
                let anchor = lateness(samples, q);
                let row = Row {
                    id: "N6".into(),
                    workload: format!("{label} lateness of {ms} ms sleeps"),
                    weft,
                    anchor,
                    anchor_name: name.into(),
                    unit: "µs".into(),
                    ratio: weft / anchor,
                    goal: goal.into(),
                };
                println!(
                    "{:4} {:<58} weft {:>10.1} {:<6} {:<38} {:>10.1}  ratio {:>5.2}  (goal {})",
                    row.id,
                    row.workload,
                    row.weft,
                    row.unit,
                    row.anchor_name,
                    row.anchor,
                    row.ratio,
                    row.goal
                );
                rows.push(row);
            }
        }
    }
    rows
}

/// Runs one of the seeds' programs on CPython and returns the time it reports for itself.
fn cpython(program: &'static str) -> Impl<'static> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/seeds.py");
    Impl::new(format!("CPython 3 asyncio ({program})"), move || {
        let out = std::process::Command::new("python3")
            .args([script, program])
            .output()
            .unwrap_or_else(|e| panic!("running python3 {script}: {e}"));
        assert!(
            out.status.success(),
            "python3 {script} {program} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seconds: f64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("seconds");
        Duration::from_secs_f64(seconds)
    })
}

const SEED_TASKS: usize = 10_000;

async fn seed_work(i: usize) -> usize {
    weft::yield_now().await;
    i
}

fn n8_seeds(settings: &Settings) -> Vec<Row> {
    let goal = &["≤ 0.05×"];
    compare(
        settings,
        "N8",
        "seeds: gather of 10k coroutines (≥ 20× faster than CPython)",
        "ms",
        1.0,
        1e3,
        goal,
        vec![
            Impl::timed("weft", || {
                let out = weft::block_on(weft::gather((0..SEED_TASKS).map(seed_work)));
                assert_eq!(out.len(), SEED_TASKS);
            }),
            cpython("gather"),
        ],
    )
}
