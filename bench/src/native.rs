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
    if wanted("N3") {
        rows.extend(n3_limited_map(settings, count(100_000, scale)));
    }
    if wanted("N4") {
        rows.extend(n4_pipeline(settings, count(1_000_000, scale)));
    }
    if wanted("N7") {
        rows.extend(n7_rate(settings, count(1_000_000, scale)));
    }
    if wanted("N8") {
        rows.extend(n8_seeds(settings));
    }
    if wanted("N5") {
        rows.extend(n5_cpu_map(settings, scale));
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
                crate::harness::print(&row);
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
    let mut rows = compare(
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
    );
    rows.extend(compare(
        settings,
        "N8",
        "seeds: the same 10k under Semaphore(10)",
        "ms",
        1.0,
        1e3,
        goal,
        vec![
            Impl::timed("weft", || {
                let semaphore = weft::Semaphore::new(10);
                let out = weft::block_on(weft::gather((0..SEED_TASKS).map(|i| {
                    let semaphore = &semaphore;
                    async move {
                        let _permit = semaphore.acquire().await;
                        seed_work(i).await
                    }
                })));
                assert_eq!(out.len(), SEED_TASKS);
            }),
            cpython("semaphore"),
        ],
    ));
    rows.extend(compare(
        settings,
        "N8",
        "seeds: queue of 100k items to 5 consumers (task_done/join)",
        "ms",
        1.0,
        1e3,
        goal,
        vec![
            Impl::timed("weft", || weft::block_on(seed_queue())),
            cpython("queue"),
        ],
    ));
    rows.extend(compare(
        settings,
        "N8",
        "seeds: TaskGroup of 10k tasks",
        "ms",
        1.0,
        1e3,
        goal,
        vec![
            Impl::timed("weft", || {
                weft::block_on(async {
                    let group: weft::TaskGroup<usize, ()> = weft::TaskGroup::new();
                    for i in 0..SEED_TASKS {
                        group.spawn(async move { Ok(seed_work(i).await) });
                    }
                    let sum: usize = group.join().await.unwrap().into_iter().sum();
                    assert_eq!(sum, SEED_TASKS * (SEED_TASKS - 1) / 2);
                })
            }),
            cpython("taskgroup"),
        ],
    ));
    rows
}

/// The seeds' run_pipeline: a queue of 100, one producer, five consumers, task_done and join,
/// then a sentinel per consumer.
async fn seed_queue() {
    const ITEMS: usize = 100_000;
    let queue: weft::Queue<Option<usize>> = weft::Queue::bounded(100).unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let producer = {
        let queue = queue.clone();
        weft::spawn(async move {
            for item in 0..ITEMS {
                queue.put(Some(item)).await.unwrap();
            }
        })
    };
    let consumers: Vec<_> = (0..5)
        .map(|_| {
            let queue = queue.clone();
            let done = done.clone();
            weft::spawn(async move {
                while let Some(Some(_item)) = queue.get().await {
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    queue.task_done().unwrap();
                }
                queue.task_done().unwrap();
            })
        })
        .collect();
    producer.await.unwrap();
    queue.join().await;
    for _ in 0..5 {
        queue.put(None).await.unwrap();
    }
    for consumer in consumers {
        consumer.await.unwrap();
    }
    assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), ITEMS);
}

fn n3_limited_map(settings: &Settings, n: usize) -> Vec<Row> {
    let limit = 64;
    let mut rows = compare(
        settings,
        "N3",
        "limited map in the calling task, 100k items, limit 64, unordered",
        "ns/item",
        n as f64,
        1e9,
        &["≤ 1.05×"],
        vec![
            Impl::timed("weft::map_concurrent_unordered", || {
                use futures_lite::StreamExt;
                let stream = weft::map_concurrent_unordered(0..n, limit, yield_once).unwrap();
                assert_eq!(block_on(stream.count()), n);
            }),
            Impl::timed("futures buffer_unordered(64)", || {
                use futures::StreamExt;
                let stream = futures::stream::iter(0..n)
                    .map(yield_once)
                    .buffer_unordered(limit);
                assert_eq!(block_on(stream.count()), n);
            }),
        ],
    );
    rows.extend(compare(
        settings,
        "N3",
        "limited map in the calling task, 100k items, limit 64, ordered",
        "ns/item",
        n as f64,
        1e9,
        &["≤ 1.05×"],
        vec![
            Impl::timed("weft::map_concurrent", || {
                let out = block_on(weft::map_concurrent(0..n, limit, yield_once).unwrap());
                assert_eq!(out.len(), n);
            }),
            Impl::timed("futures buffered(64)", || {
                use futures::StreamExt;
                let stream = futures::stream::iter(0..n).map(yield_once).buffered(limit);
                assert_eq!(block_on(stream.collect::<Vec<_>>()).len(), n);
            }),
        ],
    ));

    let ex: &'static async_executor::Executor<'static> =
        Box::leak(Box::new(async_executor::Executor::new()));
    executor_threads(ex);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rows.extend(compare(
        settings,
        "N3",
        "limited map that spawns, 100k items, limit 64",
        "ns/item",
        n as f64,
        1e9,
        &["≤ 1.0×", "≤ 0.5×"],
        vec![
            Impl::timed("weft Semaphore + weft::spawn", || {
                weft::block_on(async {
                    let semaphore = std::sync::Arc::new(weft::Semaphore::new(limit));
                    let mut tasks = Vec::with_capacity(n);
                    for i in 0..n {
                        let permit = semaphore.acquire_arc().await;
                        tasks.push(weft::spawn(async move {
                            let out = yield_once(i).await;
                            drop(permit);
                            out
                        }));
                    }
                    for task in tasks {
                        task.await.unwrap();
                    }
                })
            }),
            Impl::timed("async-lock Semaphore + async-executor", || {
                block_on(async {
                    let semaphore = std::sync::Arc::new(async_lock::Semaphore::new(limit));
                    let mut tasks = Vec::with_capacity(n);
                    for i in 0..n {
                        let permit = semaphore.acquire_arc().await;
                        tasks.push(ex.spawn(async move {
                            let out = yield_once(i).await;
                            drop(permit);
                            out
                        }));
                    }
                    for task in tasks {
                        task.await;
                    }
                })
            }),
            Impl::timed("tokio Semaphore + JoinSet", || {
                tokio.block_on(async {
                    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(limit));
                    let mut set = tokio::task::JoinSet::new();
                    for i in 0..n {
                        let permit = semaphore.clone().acquire_owned().await.unwrap();
                        set.spawn(async move {
                            tokio::task::yield_now().await;
                            drop(permit);
                            i
                        });
                    }
                    while set.join_next().await.is_some() {}
                })
            }),
        ],
    ));
    rows
}

fn n4_pipeline(settings: &Settings, n: usize) -> Vec<Row> {
    let ex: &'static async_executor::Executor<'static> =
        Box::leak(Box::new(async_executor::Executor::new()));
    executor_threads(ex);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    compare(
        settings,
        "N4",
        "pipeline: 1M u64 through a queue of 1024, 1 producer, 2 consumers",
        "ns/item",
        n as f64,
        1e9,
        &["≤ 1.05×", "reference"],
        vec![
            Impl::timed("weft::pipeline", || {
                weft::block_on(async {
                    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
                    let sum = seen.clone();
                    let pipeline: weft::Pipeline<u64, ()> =
                        weft::pipeline(2, 1024, move |x: u64| {
                            let sum = sum.clone();
                            async move {
                                sum.fetch_add(x, std::sync::atomic::Ordering::Relaxed);
                                Ok(())
                            }
                        })
                        .unwrap();
                    for x in 0..n as u64 {
                        pipeline.submit(x).await.unwrap();
                    }
                    let stats = pipeline.join().await;
                    assert_eq!(stats.done, n as u64);
                })
            }),
            Impl::timed(
                "async-channel bounded(1024) + 2 async-executor tasks",
                || {
                    block_on(async {
                        let (tx, rx) = async_channel::bounded::<u64>(1024);
                        let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
                        let consumers: Vec<_> = (0..2)
                            .map(|_| {
                                let rx = rx.clone();
                                let seen = seen.clone();
                                ex.spawn(async move {
                                    let mut done = 0_u64;
                                    while let Ok(x) = rx.recv().await {
                                        seen.fetch_add(x, std::sync::atomic::Ordering::Relaxed);
                                        done += 1;
                                    }
                                    done
                                })
                            })
                            .collect();
                        for x in 0..n as u64 {
                            tx.send(x).await.unwrap();
                        }
                        drop(tx);
                        let mut done = 0;
                        for consumer in consumers {
                            done += consumer.await;
                        }
                        assert_eq!(done, n as u64);
                    })
                },
            ),
            Impl::timed("tokio mpsc 1 → 1 (1024)", || {
                tokio.block_on(async {
                    let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(1024);
                    let consumer = tokio::spawn(async move {
                        let mut done = 0_u64;
                        while let Some(x) = rx.recv().await {
                            std::hint::black_box(x);
                            done += 1;
                        }
                        done
                    });
                    for x in 0..n as u64 {
                        tx.send(x).await.unwrap();
                    }
                    drop(tx);
                    assert_eq!(consumer.await.unwrap(), n as u64);
                })
            }),
        ],
    )
}

fn n7_rate(settings: &Settings, calls: usize) -> Vec<Row> {
    use std::num::NonZeroU32;
    // Never limiting, so every call takes the fast path: a window so short that the log of
    // recent starts stays near empty (weft), a quota so large it never runs dry (governor).
    let weft = weft::RateLimiter::new(64, Duration::from_nanos(1)).unwrap();
    let quota = governor::Quota::per_second(NonZeroU32::new(u32::MAX).unwrap());
    let governor = governor::RateLimiter::direct(quota);
    compare(
        settings,
        "N7",
        "rate limiter acquire, uncontended",
        "ns/call",
        calls as f64,
        1e9,
        &["≤ 1.0×"],
        vec![
            Impl::timed("weft RateLimiter::try_acquire", || {
                for _ in 0..calls {
                    assert!(weft.try_acquire());
                }
            }),
            Impl::timed("governor check()", || {
                for _ in 0..calls {
                    assert!(governor.check().is_ok());
                }
            }),
        ],
    )
}

weft::func! {
    /// The number of primes in `[start, end)`, by trial division: the CPU job of N5.
    fn count_primes_between(start: u64, end: u64) -> u64 {
        (start.max(2)..end)
            .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
            .count() as u64
    }
}

/// Ranges starting at `base` whose job takes about `target` each, `jobs` of them.
fn calibrated_ranges(jobs: u64, target: Duration, base: u64) -> Vec<(u64, u64)> {
    let mut width = 64_u64;
    loop {
        let start = Instant::now();
        std::hint::black_box(count_primes_between.call((base, base + width)));
        let took = start.elapsed();
        if took >= target / 2 || width > 1 << 30 {
            let width = ((width as f64) * target.as_secs_f64() / took.as_secs_f64().max(1e-9))
                .max(1.0) as u64;
            return (0..jobs)
                .map(|i| (base + i * width, base + (i + 1) * width))
                .collect();
        }
        width *= 2;
    }
}

fn n5_cpu_map(settings: &Settings, scale: f64) -> Vec<Row> {
    use rayon::prelude::*;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let pool = weft::WorkerPool::builder()
        .size(threads)
        .build()
        .expect("pool");
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool");
    let mut rows = Vec::new();
    let cases = [
        ("64 jobs of about 5 ms", 64, Duration::from_millis(5)),
        (
            "100k jobs of about 2 µs",
            count(100_000, scale) as u64,
            Duration::from_micros(2),
        ),
    ];
    for (label, jobs, each) in cases {
        let ranges = calibrated_ranges(jobs, each, 1_000_000);
        let expected: Vec<u64> = ranges
            .iter()
            .map(|&r| count_primes_between.call(r))
            .collect();
        let mut impls = vec![
            Impl::timed("weft WorkerPool::map", || {
                assert_eq!(
                    weft::block_on(pool.map(count_primes_between, ranges.clone())).unwrap(),
                    expected
                );
            }),
            Impl::timed("rayon par_iter", || {
                let out: Vec<u64> = rayon.install(|| {
                    ranges
                        .par_iter()
                        .map(|&r| count_primes_between.call(r))
                        .collect()
                });
                assert_eq!(out, expected);
            }),
            Impl::timed("sequential", || {
                let out: Vec<u64> = ranges
                    .iter()
                    .map(|&r| count_primes_between.call(r))
                    .collect();
                assert_eq!(out, expected);
            }),
        ];
        let medians = crate::harness::measure(settings, &mut impls, 1.0, 1e3);
        let (weft, rayon_ms, sequential) = (medians[0], medians[1], medians[2]);
        let (weft_speedup, rayon_speedup) = (sequential / weft, sequential / rayon_ms);
        let time_row = Row {
            id: "N5".into(),
            workload: format!("CPU map on {threads} cores, {label}"),
            weft,
            anchor: rayon_ms,
            anchor_name: "rayon par_iter".into(),
            unit: "ms".into(),
            ratio: weft / rayon_ms,
            goal: "≤ 1.05×".into(),
        };
        let speedup_row = Row {
            id: "N5".into(),
            workload: format!("speedup over sequential, {label}"),
            weft: weft_speedup,
            anchor: rayon_speedup,
            anchor_name: "rayon par_iter's speedup".into(),
            unit: "× speedup".into(),
            ratio: weft_speedup / rayon_speedup,
            goal: "≥ 0.97×".into(),
        };
        for row in [time_row, speedup_row] {
            crate::harness::print(&row);
            rows.push(row);
        }
    }
    rows
}
