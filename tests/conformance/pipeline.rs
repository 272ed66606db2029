//! pipeline: backpressure at capacity, close drains, exact counts, drop cancels the workers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft_core::pipeline::Pipeline;
use weft_core::timeout::Timeout;

use crate::support::{DropCounter, DropGuard, eventually, ms};

type Virtual<T, E> = Pipeline<VirtualRuntime, T, E>;

/// Counts its live clones: each pipeline worker owns one clone of `f`, so a closure holding a
/// `Live` tells how many workers still exist.
struct Live(Arc<AtomicUsize>);

impl Live {
    fn new() -> (Self, Arc<AtomicUsize>) {
        let count = Arc::new(AtomicUsize::new(1));
        (Live(count.clone()), count)
    }
}

impl Clone for Live {
    fn clone(&self) -> Self {
        self.0.fetch_add(1, Ordering::SeqCst);
        Live(self.0.clone())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

conformance! {
    async fn the_seeds_producer_consumer_runs_on_five_workers_with_maxsize_100() {
        let (stats, processed) = testing::run(async {
            let processed = Arc::new(Mutex::new(Vec::new()));
            let log = processed.clone();
            let pipeline = Virtual::new(5, 100, move |item: String| {
                let log = log.clone();
                async move {
                    testing::sleep(ms(10)).await; // process_item
                    log.lock().unwrap().push(item);
                    Ok::<(), String>(())
                }
            })
            .unwrap();
            for i in 0..1_000 {
                pipeline.submit(format!("item-{i}")).await.unwrap();
                assert!(pipeline.queued() <= 100);
            }
            let stats = pipeline.join().await;
            let processed = std::mem::take(&mut *processed.lock().unwrap());
            (stats, processed)
        });
        assert_eq!((stats.submitted, stats.done, stats.failed), (1_000, 1_000, 0));
        assert_eq!(stats.elapsed, ms(2_000), "1,000 items of 10 ms on five workers");
        let mut sorted = processed.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 1_000, "each item processed once");
    }
}

conformance! {
    async fn submit_waits_while_capacity_items_are_waiting() {
        let (submitted_at, queued_while_blocked) = testing::run(async {
            let start = testing::now();
            let pipeline = Arc::new(
                Virtual::new(1, 2, |_: u32| async {
                    testing::sleep(ms(100)).await;
                    Ok::<(), ()>(())
                })
                .unwrap(),
            );
            let submitted_at = Arc::new(Mutex::new(Vec::new()));
            let producer = {
                let (pipeline, submitted_at) = (pipeline.clone(), submitted_at.clone());
                testing::spawn(async move {
                    for i in 0..6 {
                        pipeline.submit(i).await.unwrap();
                        submitted_at.lock().unwrap().push(testing::now() - start);
                    }
                })
            };
            testing::sleep(ms(50)).await;
            let queued_while_blocked = (pipeline.queued(), submitted_at.lock().unwrap().len());
            producer.await.unwrap();
            let stats = Arc::into_inner(pipeline).unwrap().join().await;
            assert_eq!(stats.done, 6);
            let submitted_at = submitted_at.lock().unwrap().clone();
            (submitted_at, queued_while_blocked)
        });
        // One item in the worker's hands, two waiting: the fourth submit waits.
        assert_eq!(queued_while_blocked, (2, 3));
        assert_eq!(submitted_at, [ms(0), ms(0), ms(0), ms(100), ms(200), ms(300)]);
    }
}

conformance! {
    async fn join_drains_every_queued_item_exactly_once() {
        let (stats, seen) = testing::run(async {
            let seen = Arc::new(Mutex::new(vec![0_u32; 500]));
            let log = seen.clone();
            let pipeline = Virtual::new(3, 500, move |i: usize| {
                let log = log.clone();
                async move {
                    testing::sleep(ms((i % 7) as u64)).await;
                    log.lock().unwrap()[i] += 1;
                    Ok::<(), ()>(())
                }
            })
            .unwrap();
            for i in 0..500 {
                pipeline.submit(i).await.unwrap();
            }
            assert!(pipeline.queued() > 0, "items were still waiting when join began");
            let stats = pipeline.join().await;
            let seen = seen.lock().unwrap().clone();
            (stats, seen)
        });
        assert_eq!((stats.submitted, stats.done), (500, 500));
        assert!(seen.iter().all(|&n| n == 1), "every item done exactly once");
    }
}

conformance! {
    async fn failures_are_counted_and_kept_and_never_lost() {
        let pipeline = weft::pipeline(4, 8, |n: u32| async move {
            weft::sleep(ms(u64::from(n % 3))).await;
            if n % 5 == 0 { Err(n) } else { Ok(()) }
        })
        .unwrap();
        for n in 0..200 {
            pipeline.submit(n).await.unwrap();
        }
        let mut stats = pipeline.join().await;
        assert_eq!(stats.submitted, 200);
        assert_eq!(stats.done, 160);
        assert_eq!(stats.failed, 40);
        assert_eq!(stats.submitted, stats.done + stats.failed);
        stats.errors.sort_unstable();
        assert_eq!(stats.errors, (0..200).step_by(5).collect::<Vec<u32>>());
        assert!(stats.panics.is_empty());
    }
}

conformance! {
    async fn many_workers_on_real_threads_do_every_item_once() {
        let seen: Arc<Vec<AtomicUsize>> = Arc::new((0..20_000).map(|_| AtomicUsize::new(0)).collect());
        let log = seen.clone();
        let pipeline = weft::pipeline(8, 64, move |i: usize| {
            let log = log.clone();
            async move {
                log[i].fetch_add(1, Ordering::SeqCst);
                Ok::<(), ()>(())
            }
        })
        .unwrap();
        for i in 0..20_000 {
            pipeline.submit(i).await.unwrap();
        }
        let stats = pipeline.join().await;
        assert_eq!((stats.submitted, stats.done, stats.failed), (20_000, 20_000, 0));
        assert!(seen.iter().all(|n| n.load(Ordering::SeqCst) == 1));
    }
}

#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn a_panicking_item_fails_alone_and_its_worker_goes_on() {
        let pipeline = weft::pipeline(1, 4, |n: u32| async move {
            if n == 2 {
                panic!("item {n} exploded");
            }
            Ok::<(), ()>(())
        })
        .unwrap();
        for n in 0..5 {
            pipeline.submit(n).await.unwrap();
        }
        let stats = pipeline.join().await;
        assert_eq!((stats.submitted, stats.done, stats.failed), (5, 4, 1));
        assert_eq!(stats.panics.len(), 1);
        assert_eq!(stats.panics[0].panic_message(), Some("item 2 exploded"));
    }
}

conformance! {
    async fn dropping_the_pipeline_cancels_its_workers_and_drops_queued_items() {
        testing::run(async {
            let (live, workers) = Live::new();
            let in_flight = DropCounter::default();
            let queued = DropCounter::default();
            let calls = in_flight.clone();
            let pipeline = Virtual::new(3, 10, move |guard: DropGuard| {
                let _live = &live;
                let held = calls.guard();
                async move {
                    let _guard = guard;
                    let _held = held;
                    testing::sleep(Duration::from_secs(3600)).await;
                    Ok::<(), ()>(())
                }
            })
            .unwrap();
            for _ in 0..8 {
                pipeline.submit(queued.guard()).await.unwrap();
            }
            testing::sleep(ms(10)).await;
            assert_eq!(workers.load(Ordering::SeqCst), 3, "one clone of f per worker");
            assert_eq!(pipeline.workers(), 3);
            assert_eq!(pipeline.queued(), 5, "three items are in the workers' hands");
            drop(pipeline);
            testing::sleep(ms(1)).await;
            assert_eq!(workers.load(Ordering::SeqCst), 0, "no worker is left");
            assert_eq!(in_flight.dropped(), 3, "the calls in flight were cancelled");
            assert_eq!(queued.dropped(), 8, "every item, queued or in flight, was dropped");
        });
    }
}

conformance! {
    async fn dropping_the_pipeline_stops_workers_on_the_real_runtime_too() {
        let (live, workers) = Live::new();
        let pipeline = weft::pipeline(4, 4, move |_: u32| {
            let _live = &live;
            async {
                weft::sleep(Duration::from_secs(3600)).await;
                Ok::<(), ()>(())
            }
        })
        .unwrap();
        for i in 0..6 {
            pipeline.submit(i).await.unwrap();
        }
        drop(pipeline);
        eventually(ms(5_000), "every worker is gone", || workers.load(Ordering::SeqCst) == 0).await;
    }
}

conformance! {
    async fn a_cancelled_submit_submits_nothing() {
        testing::run(async {
            let pipeline = Virtual::new(1, 1, |_: u32| async {
                testing::sleep(ms(100)).await;
                Ok::<(), ()>(())
            })
            .unwrap();
            pipeline.submit(1).await.unwrap(); // taken by the worker
            testing::sleep(ms(1)).await;
            pipeline.submit(2).await.unwrap(); // waits in the queue
            let late = Timeout::<VirtualRuntime, _>::after(ms(10), pipeline.submit(3)).await;
            assert!(late.is_err());
            assert_eq!(pipeline.submitted(), 2);
            let stats = pipeline.join().await;
            assert_eq!((stats.submitted, stats.done), (2, 2));
        });
    }
}

conformance! {
    async fn close_refuses_new_items_but_runs_the_queued_ones() {
        let pipeline = weft::pipeline(2, 10, |_: u8| async { Ok::<(), ()>(()) }).unwrap();
        for i in 0..10 {
            pipeline.submit(i).await.unwrap();
        }
        assert!(pipeline.close());
        assert_eq!(pipeline.submit(99).await.unwrap_err().into_inner(), 99);
        let stats = pipeline.join().await;
        assert_eq!((stats.submitted, stats.done), (10, 10));
    }
}

conformance! {
    async fn join_with_nothing_submitted_returns_zeros() {
        let pipeline = weft::pipeline(3, 1, |_: u8| async { Ok::<(), ()>(()) }).unwrap();
        let stats = pipeline.join().await;
        assert_eq!((stats.submitted, stats.done, stats.failed), (0, 0, 0));
        assert!(stats.errors.is_empty());
    }
}

conformance! {
    async fn zero_workers_or_zero_capacity_is_a_config_error() {
        let f = |_: u8| async { Ok::<(), ()>(()) };
        let err = weft::pipeline(0, 1, f).unwrap_err();
        assert_eq!(err.setting(), "workers");
        let err = weft::pipeline(1, 0, f).unwrap_err();
        assert_eq!(err.setting(), "capacity");
        assert!(weft::pipeline(1, 1, f).is_ok());
    }
}

conformance! {
    async fn workers_run_items_concurrently() {
        let took = testing::run(async {
            let pipeline = Virtual::new(4, 8, |_: u8| async {
                testing::sleep(ms(100)).await;
                Ok::<(), ()>(())
            })
            .unwrap();
            for i in 0..8 {
                pipeline.submit(i).await.unwrap();
            }
            pipeline.join().await.elapsed
        });
        assert_eq!(took, ms(200), "eight 100 ms items on four workers");
    }
}
