//! gather, try_gather and gather!: input order, fail-fast cancellation, concurrency.

use crate::support::{DropCounter, ms};

conformance! {
    async fn gather_keeps_input_order_when_futures_finish_in_reverse() {
        let finished = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let jobs = (0..5_u64).map(|i| {
            let finished = finished.clone();
            async move {
                weft::sleep(ms(10 * (5 - i))).await;
                finished.lock().unwrap().push(i);
                i
            }
        });
        assert_eq!(weft::gather(jobs).await, [0, 1, 2, 3, 4]);
        assert_eq!(*finished.lock().unwrap(), [4, 3, 2, 1, 0], "they did finish in reverse");
    }
}

conformance! {
    async fn gather_of_nothing_is_empty() {
        let none: Vec<u32> = weft::gather(Vec::<std::future::Ready<u32>>::new()).await;
        assert!(none.is_empty());
        let ok: Result<Vec<u32>, ()> = weft::try_gather(Vec::<std::future::Ready<Result<u32, ()>>>::new()).await;
        assert_eq!(ok, Ok(vec![]));
    }
}

conformance! {
    async fn gather_runs_futures_concurrently() {
        let start = weft::now();
        let out = weft::gather((0..20).map(|i| async move {
            weft::sleep(ms(50)).await;
            i
        }))
        .await;
        assert_eq!(out.len(), 20);
        // Twenty 50 ms waits one after another would take a second.
        assert!(weft::now() - start < ms(900), "took {:?}", weft::now() - start);
    }
}

conformance! {
    async fn gather_of_results_keeps_every_error_in_its_slot() {
        let out = weft::gather((0..4).map(|i| async move {
            weft::sleep(ms(i * 3)).await;
            if i % 2 == 1 { Err(format!("job {i}")) } else { Ok(i) }
        }))
        .await;
        assert_eq!(out, [Ok(0), Err("job 1".into()), Ok(2), Err("job 3".into())]);
    }
}

conformance! {
    async fn try_gather_returns_the_first_error_and_cancels_the_unfinished() {
        let guards = DropCounter::default();
        let finished = crate::support::Counter::default();
        let jobs = (0..4_u64).map(|i| {
            let guard = guards.guard();
            let finished = finished.clone();
            async move {
                let _guard = guard;
                if i == 1 {
                    weft::sleep(ms(5)).await;
                    return Err(format!("job {i} failed"));
                }
                if i == 2 {
                    weft::sleep(ms(30)).await;
                    return Err("a later error nobody sees".to_string());
                }
                weft::sleep(ms(if i == 0 { 1 } else { 2_000 })).await;
                finished.bump();
                Ok(i)
            }
        });
        assert_eq!(weft::try_gather(jobs).await, Err("job 1 failed".to_string()));
        // Job 0 finished before the error; jobs 2 and 3 were dropped, not run to the end.
        assert_eq!(finished.get(), 1);
        assert_eq!(guards.dropped(), 4, "every future was dropped by the time try_gather returned");
    }
}

conformance! {
    async fn try_gather_returns_an_error_at_once_even_before_earlier_inputs_finish() {
        let (out, took) = weft::testing::run(async {
            let start = weft::testing::now();
            let jobs = [(8_u64, false), (0, true), (3, false)].map(|(delay, fails)| async move {
                weft::testing::sleep(ms(delay)).await;
                if fails { Err(delay) } else { Ok(delay) }
            });
            let out = weft::try_gather(jobs).await;
            (out, weft::testing::now() - start)
        });
        assert_eq!(out, Err(0));
        assert_eq!(took, ms(0), "not held back until the first input finished");
    }
}

conformance! {
    async fn try_gather_of_successes_is_in_input_order() {
        let jobs = [30_u64, 10, 20].map(|d| async move {
            weft::sleep(ms(d)).await;
            Ok::<_, String>(d)
        });
        assert_eq!(weft::try_gather(jobs).await, Ok(vec![30, 10, 20]));
    }
}

conformance! {
    async fn gather_macro_takes_futures_of_different_types() {
        let start = weft::now();
        let (name, posts, unit) = weft::gather!(
            async { weft::sleep(ms(40)).await; "User1" },
            async { weft::sleep(ms(40)).await; vec![1, 2, 3] },
            weft::sleep(ms(40)),
        )
        .await;
        assert_eq!(name, "User1");
        assert_eq!(posts, [1, 2, 3]);
        assert_eq!(unit, ());
        assert!(weft::now() - start < ms(110), "ran concurrently, took {:?}", weft::now() - start);
    }
}

conformance! {
    async fn dropping_a_gather_drops_its_futures() {
        let guards = DropCounter::default();
        let jobs: Vec<_> = (0..3)
            .map(|_| {
                let guard = guards.guard();
                async move {
                    let _guard = guard;
                    weft::sleep(ms(60_000)).await;
                }
            })
            .collect();
        let out = weft::timeout(ms(5), weft::gather(jobs)).await;
        assert!(out.is_err());
        assert_eq!(guards.dropped(), 3);
    }
}
