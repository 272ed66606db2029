//! batch: results in input order, concurrency bound, pause between batches, and progress that
//! is monotonic and reaches total exactly once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft::Progress;
use weft::testing::{self, VirtualRuntime};
use weft_core::batch::Batch;
use weft_core::timeout::Timeout;

use crate::support::{DropCounter, ms};

type Virtual<T> = Batch<VirtualRuntime, T>;

/// Collects every progress report.
fn recorder() -> (
    Arc<Mutex<Vec<Progress>>>,
    impl FnMut(&Progress) + Send + 'static,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    (log, move |p: &Progress| {
        sink.lock().unwrap().push(p.clone())
    })
}

conformance! {
    async fn the_seeds_process_batch_returns_every_result_in_input_order() {
        // process_batch(items, batch_size=100, max_concurrent=5) over api_call(batch); later
        // batches finish first here, and the results still come back in input order.
        let (flat, took) = testing::run(async {
            let start = testing::now();
            let items: Vec<String> = (0..1_000).map(|i| format!("item-{i}")).collect();
            let results = Virtual::new(items)
                .size(100)
                .concurrency(5)
                .run(|batch: Vec<String>| async move {
                    let first: usize = batch[0][5..].parse().unwrap();
                    testing::sleep(ms(100 - (first / 100) as u64 * 10)).await; // api_call(batch)
                    Ok::<_, String>(batch.into_iter().map(|item| format!("result of {item}")).collect::<Vec<_>>())
                })
                .await
                .unwrap();
            let flat: Vec<String> = results.into_iter().collect::<Result<Vec<_>, _>>().unwrap().concat();
            (flat, testing::now() - start)
        });
        assert_eq!(flat.len(), 1_000);
        assert!(flat.iter().enumerate().all(|(i, r)| *r == format!("result of item-{i}")));
        // Batches 0-4 start at once (100..60 ms); 5-9 (50..10 ms) take the freed slots and all
        // end at 110 ms.
        assert_eq!(took, ms(110));
    }
}

conformance! {
    async fn never_more_than_concurrency_batches_are_in_flight() {
        let peak = testing::run(async {
            let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            Virtual::new(0..97)
                .size(10)
                .concurrency(3)
                .run(|batch: Vec<u32>| {
                    let (now, peak) = (now.clone(), peak.clone());
                    async move {
                        peak.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                        testing::sleep(ms(u64::from(batch[0] % 7) + 1)).await;
                        now.fetch_sub(1, Ordering::SeqCst);
                        Ok::<_, ()>(batch)
                    }
                })
                .await
                .unwrap();
            peak.load(Ordering::SeqCst)
        });
        assert_eq!(peak, 3);
    }
}

conformance! {
    async fn progress_is_monotonic_and_reaches_total_exactly_once() {
        let reports = testing::run(async {
            let (log, on_progress) = recorder();
            let results = Virtual::new(0..95)
                .size(10)
                .concurrency(4)
                .on_progress(on_progress)
                .run(|batch: Vec<u32>| async move {
                    testing::sleep(ms(u64::from(100 - batch[0]))).await;
                    if batch[0] == 30 { Err("batch 3 failed") } else { Ok(batch) }
                })
                .await
                .unwrap();
            assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
            log.lock().unwrap().clone()
        });
        assert_eq!(reports.len(), 10, "one report per batch");
        assert!(reports.windows(2).all(|w| w[0].done < w[1].done), "done only grows");
        assert!(reports.windows(2).all(|w| w[0].failed <= w[1].failed));
        assert!(reports.windows(2).all(|w| w[0].elapsed <= w[1].elapsed));
        assert_eq!(reports.iter().filter(|p| p.done == p.total).count(), 1);
        let last = reports.last().unwrap();
        assert_eq!((last.done, last.failed, last.total), (95, 10, 95));
        assert_eq!(last.eta, Some(Duration::ZERO));
        assert!(reports.iter().all(|p| p.failed <= p.done && p.total == 95));
    }
}

conformance! {
    async fn rate_and_eta_follow_the_clock() {
        let reports = testing::run(async {
            let (log, on_progress) = recorder();
            Virtual::new(0..50)
                .size(10)
                .concurrency(1)
                .on_progress(on_progress)
                .run(|batch: Vec<u8>| async move {
                    testing::sleep(Duration::from_secs(1)).await;
                    Ok::<_, ()>(batch)
                })
                .await
                .unwrap();
            log.lock().unwrap().clone()
        });
        let first = &reports[0];
        assert_eq!((first.done, first.elapsed), (10, Duration::from_secs(1)));
        assert_eq!(first.rate, 10.0, "items per second");
        assert_eq!(first.eta, Some(Duration::from_secs(4)));
        assert_eq!(reports[4].eta, Some(Duration::ZERO));
        assert_eq!(reports[4].elapsed, Duration::from_secs(5));
    }
}

conformance! {
    async fn each_lane_pauses_between_its_batches() {
        let starts = testing::run(async {
            let start = testing::now();
            let starts = Arc::new(Mutex::new(Vec::new()));
            Virtual::new(0..60)
                .size(10)
                .concurrency(2)
                .pause(ms(50))
                .run(|batch: Vec<u32>| {
                    let starts = starts.clone();
                    async move {
                        starts.lock().unwrap().push((batch[0] / 10, testing::now() - start));
                        testing::sleep(ms(100)).await;
                        Ok::<_, ()>(batch)
                    }
                })
                .await
                .unwrap();
            let mut starts = starts.lock().unwrap().clone();
            starts.sort();
            starts.into_iter().map(|(_, at)| at).collect::<Vec<_>>()
        });
        // Two lanes: 100 ms of work, 50 ms of rest, and no rest before the first batches.
        assert_eq!(starts, [ms(0), ms(0), ms(150), ms(150), ms(300), ms(300)]);
    }
}

conformance! {
    async fn the_seeds_batches_with_progress_run_one_batch_at_a_time_with_a_pause() {
        // process_batch(user_ids, update_user, batch_size=50): each batch's items concurrently
        // (the seed's tqdm.gather), a 0.1 s pause between batches.
        let (updated, reports, took) = testing::run(async {
            let start = testing::now();
            let (log, on_progress) = recorder();
            let results = Virtual::new(1..=1_000_u32)
                .size(50)
                .concurrency(1)
                .pause(ms(100))
                .on_progress(on_progress)
                .run(|user_ids: Vec<u32>| async move {
                    let updates = user_ids.into_iter().map(|id| async move {
                        testing::sleep(ms(100)).await; // simulate API call
                        format!("Updated user {id}")
                    });
                    Ok::<_, ()>(weft::gather(updates).await)
                })
                .await
                .unwrap();
            let updated: Vec<String> = results.into_iter().flat_map(Result::unwrap).collect();
            let reports = log.lock().unwrap().len();
            (updated, reports, testing::now() - start)
        });
        assert_eq!(updated.len(), 1_000);
        assert_eq!(updated[0], "Updated user 1");
        assert_eq!(updated[999], "Updated user 1000");
        assert_eq!(reports, 20);
        // Twenty batches of 100 ms and nineteen pauses of 100 ms.
        assert_eq!(took, ms(3_900));
    }
}

conformance! {
    async fn no_items_calls_nothing_and_reports_once() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let (log, on_progress) = recorder();
        let out = weft::Batch::new(Vec::<u8>::new())
            .on_progress(on_progress)
            .run(move |batch: Vec<u8>| {
                counted.fetch_add(1, Ordering::SeqCst);
                async move { Ok::<_, ()>(batch) }
            })
            .await
            .unwrap();
        assert!(out.is_empty());
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        let reports = log.lock().unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!((reports[0].done, reports[0].total), (0, 0));
        assert_eq!(reports[0].fraction(), 1.0);
    }
}

conformance! {
    async fn zero_size_or_zero_concurrency_is_a_config_error_and_calls_nothing() {
        let calls = Arc::new(AtomicUsize::new(0));
        let f = {
            let calls = calls.clone();
            move |batch: Vec<u8>| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move { Ok::<_, ()>(batch) }
            }
        };
        let err = weft::batch([1, 2], 0, 1, f.clone()).await.unwrap_err();
        assert_eq!(err.setting(), "size");
        let err = weft::batch([1, 2], 1, 0, f.clone()).await.unwrap_err();
        assert_eq!(err.setting(), "concurrency");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(weft::batch([1, 2, 3], 2, 1, f).await.unwrap(), [Ok(vec![1, 2]), Ok(vec![3])]);
    }
}

conformance! {
    async fn a_batch_larger_than_the_input_is_one_batch() {
        let out = weft::batch(0..7, 100, 5, |b: Vec<u8>| async move { Ok::<_, ()>(vec![b.len()]) })
            .await
            .unwrap();
        assert_eq!(out, [Ok(vec![7])]);
    }
}

conformance! {
    async fn dropping_the_run_cancels_the_batches_in_flight_and_reports_nothing_more() {
        testing::run(async {
            let guards = DropCounter::default();
            let (log, on_progress) = recorder();
            let run = Virtual::new(0..40)
                .size(10)
                .concurrency(2)
                .on_progress(on_progress)
                .run(|batch: Vec<u32>| {
                    let guard = guards.guard();
                    async move {
                        let _guard = guard;
                        testing::sleep(ms(100)).await;
                        Ok::<_, ()>(batch)
                    }
                });
            let out = Timeout::<VirtualRuntime, _>::after(ms(150), run).await;
            assert!(out.is_err());
            // Batches 0 and 1 finished at 100 ms; 2 and 3 were cancelled mid-flight.
            assert_eq!(guards.dropped(), 4);
            let reported = log.lock().unwrap().len();
            assert_eq!(reported, 2);
            testing::sleep(ms(500)).await;
            assert_eq!(log.lock().unwrap().len(), 2, "nothing reported after the drop");
        });
    }
}

conformance! {
    async fn batches_run_on_the_real_clock_too() {
        let (log, on_progress) = recorder();
        let results = weft::Batch::new(0..100_u32)
            .size(7)
            .concurrency(3)
            .pause(ms(1))
            .on_progress(on_progress)
            .run(|batch: Vec<u32>| async move {
                weft::sleep(ms(1)).await;
                Ok::<_, ()>(batch.iter().map(|n| n * 2).collect::<Vec<_>>())
            })
            .await
            .unwrap();
        let flat: Vec<u32> = results.into_iter().flat_map(Result::unwrap).collect();
        assert_eq!(flat, (0..100).map(|n| n * 2).collect::<Vec<_>>());
        let reports = log.lock().unwrap();
        assert_eq!(reports.len(), 15);
        assert_eq!(reports.iter().filter(|p| p.done == p.total).count(), 1);
        assert!(reports.last().unwrap().rate > 0.0);
    }
}
