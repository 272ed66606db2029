//! The worker pool: results, order, chunking, panics, timeouts, cancellation, backpressure,
//! close and terminate, on CPU threads natively and on Web Workers in the browser.
//!
//! Real clock, generous bounds: a bound here only tells "it did not hang", never "it was fast".

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_lite::StreamExt;
use weft::offload::Progress;
use weft::{Bytes, WorkerError, WorkerPool};

use crate::pool_funcs::{
    add, boom, count_primes, reverse_bytes, shout, spin_ms, square, square_unless_13, tally,
};
#[cfg(not(target_arch = "wasm32"))]
use crate::support::eventually;
use crate::support::{Counter, ms};

/// Long enough for a browser worker to start, even on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

fn pool(size: usize) -> WorkerPool {
    WorkerPool::builder().size(size).build().unwrap()
}

conformance! {
    async fn run_gives_the_function_result() {
        let pool = pool(2);
        assert_eq!(pool.run(square, 12).await, Ok(144));
        assert_eq!(pool.run(add, (40, 2)).await, Ok(42));
        assert_eq!(pool.run(shout, "hi there".to_string()).await, Ok("HI THERE".to_string()));
        assert_eq!(pool.run(count_primes, 100).await, Ok(25));
        pool.close().await;
    }
}

conformance! {
    async fn byte_buffers_cross_unencoded_and_come_back() {
        let pool = pool(1);
        let data: Vec<u8> = (0..=255).cycle().take(1 << 20).collect();
        let back = pool.run(reverse_bytes, Bytes::from(data.clone())).await.unwrap();
        assert_eq!(back.len(), data.len());
        assert!(back.iter().rev().eq(data.iter()));
        let empty = pool.run(reverse_bytes, Bytes::default()).await.unwrap();
        assert!(empty.is_empty());
    }
}

conformance! {
    async fn map_keeps_input_order_whatever_the_finish_order() {
        let pool = pool(2);
        // Earlier items take longer, so they finish last.
        let delays = [80_u64, 60, 40, 20, 0, 70, 50, 30, 10, 0];
        let out = pool.map(spin_ms, delays).await.unwrap();
        assert_eq!(out, delays);

        let squares = pool.map(square, 0..1000).await.unwrap();
        assert_eq!(squares, (0..1000).map(|x| x * x).collect::<Vec<u64>>());
    }
}

conformance! {
    async fn map_of_nothing_is_empty_and_reports_no_progress() {
        let pool = pool(1);
        let reports = Counter::default();
        let seen = reports.clone();
        let out = pool.map(square, Vec::new()).on_progress(move |_| seen.bump()).await;
        assert_eq!(out, Ok(vec![]));
        assert_eq!(reports.get(), 0);
        assert_eq!(pool.map_unordered(square, Vec::new()).count().await, 0);
    }
}

conformance! {
    async fn map_unordered_yields_every_index_exactly_once() {
        let pool = pool(2);
        let mut seen: Vec<(usize, u64)> = pool
            .map_unordered(square, 0..500_u64)
            .map(|(i, r)| (i, r.unwrap()))
            .collect()
            .await;
        assert_eq!(seen.len(), 500);
        seen.sort();
        for (i, (index, value)) in seen.into_iter().enumerate() {
            assert_eq!((index, value), (i, (i * i) as u64));
        }
    }
}

conformance! {
    async fn map_progress_climbs_to_the_total_exactly_once() {
        let pool = pool(2);
        let reports = Arc::new(Mutex::new(Vec::<Progress>::new()));
        let log = reports.clone();
        let out = pool
            .map(square, 0..100)
            .on_progress(move |p| log.lock().unwrap().push(p))
            .await
            .unwrap();
        assert_eq!(out.len(), 100);
        let reports = reports.lock().unwrap();
        assert!(reports.len() > 1, "one report per chunk: {reports:?}");
        assert!(reports.windows(2).all(|w| w[0].done < w[1].done));
        assert!(reports.iter().all(|p| p.total == 100));
        assert_eq!(reports.iter().filter(|p| p.is_complete()).count(), 1);
        assert!(reports.last().unwrap().is_complete());
    }
}

conformance! {
    async fn a_panic_fails_only_its_own_job_and_the_pool_keeps_working() {
        let pool = pool(1);
        let err = pool.run(boom, "kaboom".to_string()).await.unwrap_err();
        assert_eq!(err, WorkerError::Panicked("kaboom".into()));
        assert_eq!(err.to_string(), "job panicked: kaboom");
        // Natively the same thread goes on; in the browser a fresh worker took over.
        assert_eq!(pool.run(square, 7).await, Ok(49));

        // In a map, only the panicking item fails: the rest of its chunk still runs.
        let results: Vec<(usize, Result<u64, WorkerError>)> =
            pool.map_unordered(square_unless_13, 0..40).collect().await;
        assert_eq!(results.len(), 40);
        for (index, result) in results {
            if index == 13 {
                assert_eq!(result, Err(WorkerError::Panicked("unlucky 13".into())));
            } else {
                assert_eq!(result, Ok((index * index) as u64));
            }
        }
        // The ordered map fails with the first error.
        let err = pool.map(square_unless_13, 0..40).await.unwrap_err();
        assert!(err.is_panic(), "{err}");
        assert_eq!(pool.run(square, 8).await, Ok(64));
    }
}

conformance! {
    async fn a_job_past_its_timeout_fails_and_the_next_one_runs() {
        let pool = WorkerPool::builder()
            .size(1)
            .job_timeout(ms(300))
            .build()
            .unwrap();
        // Warm up: the timeout counts from the start of the job, not of the worker.
        assert_eq!(pool.run(square, 2).await, Ok(4));
        let start = weft::now();
        let err = pool.run(spin_ms, 60_000).await.unwrap_err();
        let took = weft::now() - start;
        assert_eq!(err, WorkerError::Timeout(ms(300)));
        assert_eq!(err.to_string(), "job timed out after 300ms");
        assert!(took >= ms(300), "not before the limit: {took:?}");
        assert!(took < PATIENCE, "soon after the limit: {took:?}");
        // The stuck worker was replaced (browser) or left to stop (native): the pool goes on.
        assert_eq!(pool.run(square, 3).await, Ok(9));
    }
}

conformance! {
    async fn dropping_a_job_handle_cancels_the_job_and_frees_its_worker() {
        let pool = pool(1);
        assert_eq!(pool.run(square, 2).await, Ok(4));
        let long = pool.submit(spin_ms, 60_000).await.unwrap();
        weft::sleep(ms(50)).await;
        let start = weft::now();
        drop(long);
        // A size-1 pool runs the next job long before the dropped one would have ended.
        assert_eq!(pool.run(square, 5).await, Ok(25));
        assert!(weft::now() - start < PATIENCE);

        // A queued job whose handle is dropped never runs; the others do.
        let busy = pool.submit(spin_ms, 100).await.unwrap();
        let dropped = pool.submit(boom, "must never run".to_string()).await.unwrap();
        drop(dropped);
        let after = pool.submit(square, 6).await.unwrap();
        assert_eq!(busy.await, Ok(100));
        assert_eq!(after.await, Ok(36));
    }
}

conformance! {
    async fn the_queue_never_holds_more_than_its_capacity() {
        let pool = WorkerPool::builder().size(1).queue_capacity(2).build().unwrap();
        assert_eq!(pool.run(square, 1).await, Ok(1));
        let submitted = Counter::default();
        let producer = {
            let (pool, submitted) = (pool.clone(), submitted.clone());
            weft::spawn(async move {
                let mut jobs = Vec::new();
                for _ in 0..8 {
                    jobs.push(pool.submit(spin_ms, 40).await.unwrap());
                    submitted.bump();
                }
                jobs
            })
        };
        let (mut most_queued, mut producer_waited) = (0, false);
        while submitted.get() < 8 {
            let queued = pool.queued();
            assert!(queued <= 2, "{queued} jobs queued with capacity 2");
            most_queued = most_queued.max(queued);
            // A full queue with submissions left means the producer is waiting for room.
            producer_waited |= queued == 2 && submitted.get() < 8;
            weft::sleep(ms(2)).await;
        }
        for job in producer.await.unwrap() {
            assert_eq!(job.await, Ok(40));
        }
        assert_eq!(most_queued, 2, "the producer filled the queue");
        assert!(producer_waited, "submit waited while the queue was full");
    }
}

conformance! {
    async fn close_finishes_queued_jobs_then_refuses_new_ones() {
        let pool = pool(1);
        let jobs = [
            pool.submit(spin_ms, 30).await.unwrap(),
            pool.submit(spin_ms, 30).await.unwrap(),
            pool.submit(spin_ms, 30).await.unwrap(),
        ];
        pool.close().await;
        for job in jobs {
            assert_eq!(job.await, Ok(30));
        }
        assert_eq!(pool.run(square, 1).await, Err(WorkerError::Closed));
        assert_eq!(pool.map(square, [1, 2]).await, Err(WorkerError::Closed));
    }
}

conformance! {
    async fn terminate_fails_running_and_queued_jobs_at_once() {
        let pool = pool(1);
        assert_eq!(pool.run(square, 1).await, Ok(1));
        let running = pool.submit(spin_ms, 60_000).await.unwrap();
        let queued = pool.submit(square, 2).await.unwrap();
        weft::sleep(ms(50)).await;
        let start = weft::now();
        pool.terminate().await;
        assert_eq!(running.await, Err(WorkerError::Terminated));
        assert_eq!(queued.await, Err(WorkerError::Terminated));
        assert!(weft::now() - start < PATIENCE);
        assert_eq!(pool.run(square, 3).await, Err(WorkerError::Terminated));
    }
}

conformance! {
    async fn dropping_the_pool_still_finishes_its_queued_jobs() {
        let pool = pool(1);
        let job = pool.submit(spin_ms, 20).await.unwrap();
        drop(pool);
        assert_eq!(job.await, Ok(20));
    }
}

conformance! {
    async fn invalid_settings_are_config_errors() {
        let err = WorkerPool::builder().size(0).build().unwrap_err();
        assert_eq!(err.setting(), "size");
        let err = WorkerPool::builder().queue_capacity(0).build().unwrap_err();
        assert_eq!(err.setting(), "queue_capacity");
        let err = WorkerPool::builder().job_timeout(Duration::ZERO).build().unwrap_err();
        assert_eq!(err.to_string(), "invalid job_timeout: must be more than zero");
        assert!(WorkerPool::builder().build().unwrap().size() >= 1);
    }
}

conformance! {
    async fn bad_payloads_and_unknown_names_are_errors_not_panics() {
        use weft::{Payload, Registry};

        let registry = Registry::new().register(square).register(shout);
        assert_eq!(
            registry.call("cube", vec![1, 2]),
            Err(WorkerError::UnknownFunction("cube".into()))
        );
        assert!(matches!(registry.call("square", vec![]), Err(WorkerError::Payload(_))));
        assert!(matches!(registry.call("square", vec![7, 1]), Err(WorkerError::Payload(_))));
        let ok = registry.call("square", 9_u64.into_payload().unwrap()).unwrap();
        assert_eq!(u64::from_payload(ok), Ok(81));
    }
}

/// A one-worker pool that has run a few tiny jobs: it knows they are short, so it gives its
/// worker several at once (they wait on the worker behind the running one: pipelining).
async fn warm_pool(timeout: Option<std::time::Duration>) -> WorkerPool {
    let mut builder = WorkerPool::builder().size(1);
    if let Some(limit) = timeout {
        builder = builder.job_timeout(limit);
    }
    let pool = builder.build().unwrap();
    for x in 0..8 {
        assert_eq!(pool.run(square, x).await, Ok(x * x));
    }
    pool
}

/// Submits `square(x)` for each `x` (without awaiting: they go to the worker together).
async fn submit_squares(pool: &WorkerPool, xs: std::ops::Range<u64>) -> Vec<weft::JobHandle<u64>> {
    let mut jobs = Vec::new();
    for x in xs {
        jobs.push(pool.submit(square, x).await.unwrap());
    }
    jobs
}

conformance! {
    async fn jobs_waiting_behind_a_timed_out_job_run_once_on_the_fresh_worker() {
        let pool = warm_pool(Some(ms(300))).await;
        let stuck = pool.submit(spin_ms, 60_000).await.unwrap();
        let mut behind = Vec::new();
        for x in 1000..1008 {
            behind.push(pool.submit(tally, x).await.unwrap());
        }
        let squares = submit_squares(&pool, 0..8).await;
        assert_eq!(stuck.await, Err(WorkerError::Timeout(ms(300))));
        for (job, x) in behind.into_iter().zip(1000..) {
            assert_eq!(job.await, Ok(x), "never lost");
        }
        for (job, x) in squares.into_iter().zip(0..) {
            assert_eq!(job.await, Ok(x * x));
        }
        #[cfg(not(target_arch = "wasm32"))]
        for x in 1000..1008 {
            assert_eq!(crate::pool_funcs::tallied(x), 1, "run exactly once: {x}");
        }
        assert_eq!(pool.run(square, 9).await, Ok(81), "the pool goes on");
    }
}

conformance! {
    async fn a_waiting_job_s_timeout_counts_from_when_it_starts() {
        let pool = warm_pool(Some(ms(1000))).await;
        // Each takes 400 ms, well within the limit; the last ends 1.2 s after they were given
        // to the worker together, past the limit: it is timed from its own start.
        let mut jobs = Vec::new();
        for _ in 0..3 {
            jobs.push(pool.submit(spin_ms, 400).await.unwrap());
        }
        for job in jobs {
            assert_eq!(job.await, Ok(400));
        }
    }
}

conformance! {
    async fn a_job_cancelled_while_waiting_on_a_worker_does_not_run_and_others_are_unharmed() {
        let pool = warm_pool(None).await;
        let busy = pool.submit(spin_ms, 300).await.unwrap();
        let doomed = pool.submit(tally, 2000).await.unwrap();
        let after = submit_squares(&pool, 0..4).await;
        weft::sleep(ms(50)).await; // all given to the worker by now
        drop(doomed);
        assert_eq!(busy.await, Ok(300));
        for (job, x) in after.into_iter().zip(0..) {
            assert_eq!(job.await, Ok(x * x));
        }
        #[cfg(not(target_arch = "wasm32"))]
        assert_eq!(crate::pool_funcs::tallied(2000), 0, "the cancelled job never ran");
        assert_eq!(pool.run(square, 5).await, Ok(25));

        // Dropped once it runs, it is abandoned like any running job; the rest still run.
        let long = pool.submit(spin_ms, 60_000).await.unwrap();
        let rest = submit_squares(&pool, 0..4).await;
        weft::sleep(ms(50)).await;
        drop(long);
        for (job, x) in rest.into_iter().zip(0..) {
            assert_eq!(job.await, Ok(x * x));
        }
    }
}

conformance! {
    async fn jobs_waiting_behind_a_panicking_job_run_on_the_next_worker() {
        let pool = warm_pool(None).await;
        let crash = pool.submit(boom, "behind me".to_string()).await.unwrap();
        let mut behind = Vec::new();
        for x in 3000..3008 {
            behind.push(pool.submit(tally, x).await.unwrap());
        }
        assert_eq!(crash.await, Err(WorkerError::Panicked("behind me".into())));
        for (job, x) in behind.into_iter().zip(3000..) {
            assert_eq!(job.await, Ok(x));
        }
        #[cfg(not(target_arch = "wasm32"))]
        for x in 3000..3008 {
            assert_eq!(crate::pool_funcs::tallied(x), 1, "run exactly once: {x}");
        }
        // In a map whose chunks wait on the worker: only the panicking item fails.
        let results: Vec<(usize, Result<u64, WorkerError>)> =
            pool.map_unordered(square_unless_13, 0..400).collect().await;
        assert_eq!(results.len(), 400);
        for (index, result) in results {
            if index == 13 {
                assert!(result.unwrap_err().is_panic());
            } else {
                assert_eq!(result, Ok((index * index) as u64));
            }
        }
    }
}

conformance! {
    async fn results_keep_their_order_when_jobs_wait_on_workers() {
        let pool = WorkerPool::builder().size(2).build().unwrap();
        assert_eq!(pool.map(square, 0..64).await.unwrap().len(), 64);
        let squares = pool.map(square, 0..5000).await.unwrap();
        assert_eq!(squares, (0..5000).map(|x| x * x).collect::<Vec<u64>>());
        let jobs = {
            let mut jobs = Vec::new();
            for x in 0..500 {
                jobs.push(pool.submit(square, x).await.unwrap());
            }
            jobs
        };
        for (job, x) in jobs.into_iter().zip(0..) {
            assert_eq!(job.await, Ok(x * x));
        }
        let mut seen: Vec<usize> = pool.map_unordered(square, 0..3000).map(|(i, _)| i).collect().await;
        seen.sort_unstable();
        assert_eq!(seen, (0..3000).collect::<Vec<_>>());
    }
}

conformance! {
    async fn jobs_waiting_on_a_worker_count_in_the_queue_capacity() {
        let pool = WorkerPool::builder().size(1).queue_capacity(2).build().unwrap();
        for x in 0..8 {
            assert_eq!(pool.run(square, x).await, Ok(x * x));
        }
        let busy = pool.submit(spin_ms, 300).await.unwrap();
        let submitted = Counter::default();
        let producer = {
            let (pool, submitted) = (pool.clone(), submitted.clone());
            weft::spawn(async move {
                let mut jobs = Vec::new();
                for x in 4000..4006 {
                    jobs.push(pool.submit(tally, x).await.unwrap());
                    submitted.bump();
                }
                jobs
            })
        };
        weft::sleep(ms(100)).await; // the worker is still busy: the queue is full
        assert_eq!(pool.queued(), 2, "two jobs wait (on the worker or in the queue)");
        assert_eq!(submitted.get(), 2, "the third submit waits for room");
        assert_eq!(busy.await, Ok(300));
        for (job, x) in producer.await.unwrap().into_iter().zip(4000..) {
            assert_eq!(job.await, Ok(x));
        }
        assert_eq!(pool.queued(), 0);
        #[cfg(not(target_arch = "wasm32"))]
        for x in 4000..4006 {
            assert_eq!(crate::pool_funcs::tallied(x), 1, "run exactly once: {x}");
        }
    }
}

conformance! {
    async fn terminate_fails_jobs_waiting_on_a_worker_and_runs_none_of_them() {
        let pool = warm_pool(None).await;
        let running = pool.submit(spin_ms, 60_000).await.unwrap();
        let mut behind = Vec::new();
        for x in 5000..5008 {
            behind.push(pool.submit(tally, x).await.unwrap());
        }
        weft::sleep(ms(50)).await;
        let start = weft::now();
        pool.terminate().await;
        assert_eq!(running.await, Err(WorkerError::Terminated));
        for job in behind {
            assert_eq!(job.await, Err(WorkerError::Terminated));
        }
        assert!(weft::now() - start < PATIENCE);
        #[cfg(not(target_arch = "wasm32"))]
        for x in 5000..5008 {
            assert_eq!(crate::pool_funcs::tallied(x), 0, "never ran: {x}");
        }
    }
}

conformance! {
    async fn close_finishes_jobs_waiting_on_a_worker() {
        let pool = warm_pool(None).await;
        let running = pool.submit(spin_ms, 100).await.unwrap();
        let behind = submit_squares(&pool, 0..16).await;
        pool.close().await;
        assert_eq!(running.await, Ok(100));
        for (job, x) in behind.into_iter().zip(0..) {
            assert_eq!(job.await, Ok(x * x));
        }
        assert_eq!(pool.run(square, 1).await, Err(WorkerError::Closed));
    }
}

conformance! {
    async fn jobs_behind_one_that_times_out_as_it_ends_run_exactly_once() {
        // The limit is just under the job's length: its answer races the timeout, and may come
        // while the pool gives its worker a last chance. Whichever wins, the jobs behind it run
        // exactly once, on this worker or the next.
        let pool = warm_pool(Some(ms(190))).await;
        for round in 0..3_u64 {
            let late = pool.submit(spin_ms, 200).await.unwrap();
            let mut behind = Vec::new();
            for x in 0..6 {
                behind.push(pool.submit(tally, 6000 + round * 10 + x).await.unwrap());
            }
            let late = late.await;
            assert!(matches!(late, Ok(200) | Err(WorkerError::Timeout(_))), "{late:?}");
            for (job, x) in behind.into_iter().zip(0..) {
                assert_eq!(job.await, Ok(6000 + round * 10 + x));
            }
            #[cfg(not(target_arch = "wasm32"))]
            for x in 0..6 {
                let x = 6000 + round * 10 + x;
                assert_eq!(crate::pool_funcs::tallied(x), 1, "run exactly once: {x}");
            }
        }
        assert_eq!(pool.run(square, 7).await, Ok(49));
    }
}

// In the browser a worker finds a function by its export name, so a handle whose name the
// module does not export, or whose argument type is not the function's, fails there.
#[cfg(target_arch = "wasm32")]
conformance! {
    async fn a_worker_reports_unknown_functions_and_undecodable_arguments() {
        use weft::Func;

        let pool = pool(1);
        let missing: Func<u64, u64> = Func::__new("not_registered", |x| x, square.erased());
        assert_eq!(
            pool.run(missing, 1).await,
            Err(WorkerError::UnknownFunction("not_registered".into()))
        );
        // `shout` takes a String; a u64 payload does not decode as one.
        let mistyped: Func<u64, String> = Func::__new("shout", |_| String::new(), shout.erased());
        assert!(matches!(pool.run(mistyped, 5).await, Err(WorkerError::Payload(_))));
        assert_eq!(pool.run(square, 4).await, Ok(16), "the worker is still fine");
    }
}

#[cfg(target_arch = "wasm32")]
conformance! {
    async fn a_worker_whose_instance_dies_fails_only_its_job_and_is_replaced() {
        use crate::pool_funcs::abort_instance;

        let pool = pool(1);
        let err = pool.run(abort_instance, 1).await.unwrap_err();
        assert!(matches!(err, WorkerError::WorkerCrashed(_)), "{err}");
        assert!(err.to_string().starts_with("worker crashed: "), "{err}");
        // The next job runs on a fresh worker.
        assert_eq!(pool.run(square, 11).await, Ok(121));
        // Inside a map, the items after the crash run on the replacement.
        let out: Vec<_> = pool.map_unordered(square, 0..10).collect().await;
        assert!(out.iter().all(|(i, r)| *r == Ok((*i * *i) as u64)));
    }
}

#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn a_timed_out_native_job_sees_its_token_cancelled() {
        use std::sync::atomic::Ordering;

        use crate::pool_funcs::{SAW_CANCEL, spin_until_cancelled};

        let pool = WorkerPool::builder().size(1).job_timeout(ms(100)).build().unwrap();
        let err = pool.run(spin_until_cancelled, 60_000).await.unwrap_err();
        assert_eq!(err, WorkerError::Timeout(ms(100)));
        eventually(PATIENCE, "the job saw its token cancelled", || {
            SAW_CANCEL.load(Ordering::SeqCst)
        })
        .await;
    }
}

#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn spawn_blocking_runs_blocking_code_off_the_executor() {
        let out = weft::spawn_blocking(|| {
            std::thread::sleep(ms(20));
            7
        })
        .await;
        assert_eq!(out, Ok(7));
        let err = weft::spawn_blocking(|| -> u8 { panic!("blocked and broke") }).await.unwrap_err();
        assert_eq!(err.panic_message(), Some("blocked and broke"));
    }
}

conformance! {
    async fn two_long_jobs_on_two_idle_workers_run_side_by_side() {
        // After tiny jobs have taught the pool that jobs are short, two long ones submitted
        // together must still go to the two idle workers, not wait one behind the other.
        // Straight after a fresh pool's first short jobs, while its second worker may still be
        // starting (it used to count as busy then, and the second long job queued behind the
        // first on the worker that had started).
        let pool = WorkerPool::builder().size(2).build().unwrap();
        for out in weft::gather([pool.run(spin_ms, 2), pool.run(spin_ms, 2)]).await {
            out.unwrap();
        }
        let start = weft::now();
        let both = weft::gather([pool.run(spin_ms, 400), pool.run(spin_ms, 400)]).await;
        let took = weft::now() - start;
        assert!(both.iter().all(Result::is_ok), "{both:?}");
        // Side by side: about 400 ms; one after the other: 800 ms or more.
        assert!(took < ms(750), "two 400 ms jobs on two workers took {took:?}");
    }
}
