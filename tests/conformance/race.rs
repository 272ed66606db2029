//! race and first_ok: the winner's index, losers dropped at once, every error in input order.

use std::time::Duration;

use weft::testing;

use crate::support::{Counter, DropCounter, ms};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

conformance! {
    async fn race_gives_the_first_to_finish_and_drops_the_losers_at_once() {
        let guards = DropCounter::default();
        let reached_end = Counter::default();
        let (winner, at) = testing::run(async {
            let start = testing::now();
            let jobs: Vec<_> = [3_u64, 1, 2]
                .into_iter()
                .map(|s| {
                    let guard = guards.guard();
                    let reached_end = reached_end.clone();
                    async move {
                        let _guard = guard;
                        testing::sleep(secs(s)).await;
                        reached_end.bump();
                        format!("mirror {s}")
                    }
                })
                .collect();
            let winner = weft::race(jobs).await;
            assert_eq!(guards.dropped(), 3, "the losers were dropped before race returned");
            let at = testing::now() - start;
            testing::sleep(secs(60)).await;
            (winner, at)
        });
        assert_eq!(winner, Some((1, "mirror 1".to_string())));
        assert_eq!(at, secs(1));
        assert_eq!(reached_end.get(), 1, "no loser reached its end");
    }
}

conformance! {
    async fn race_of_nothing_is_none_at_once() {
        let nobody = weft::race(Vec::<std::future::Ready<u8>>::new()).await;
        assert_eq!(nobody, None);
    }
}

conformance! {
    async fn race_of_one_future_gives_it() {
        assert_eq!(weft::race([async { 7 }]).await, Some((0, 7)));
    }
}

conformance! {
    async fn race_is_won_by_an_error_that_comes_first() {
        let winner = testing::run(async {
            let jobs = [(2_u64, true), (1, false)].map(|(s, ok)| async move {
                testing::sleep(secs(s)).await;
                if ok { Ok(s) } else { Err(format!("failed after {s} s")) }
            });
            weft::race(jobs).await
        });
        assert_eq!(winner, Some((1, Err("failed after 1 s".to_string()))));
    }
}

conformance! {
    async fn dropping_a_race_drops_every_future() {
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
        assert!(weft::timeout(ms(5), weft::race(jobs)).await.is_err());
        assert_eq!(guards.dropped(), 3);
    }
}

conformance! {
    async fn first_ok_skips_failures_and_takes_the_first_success() {
        let guards = DropCounter::default();
        let (winner, at) = testing::run(async {
            let start = testing::now();
            let jobs: Vec<_> = [(1_u64, false), (3, true), (2, true), (4, false)]
                .into_iter()
                .map(|(s, ok)| {
                    let guard = guards.guard();
                    async move {
                        let _guard = guard;
                        testing::sleep(secs(s)).await;
                        if ok { Ok(s) } else { Err(format!("mirror {s} down")) }
                    }
                })
                .collect();
            let winner = weft::first_ok(jobs).await;
            assert_eq!(guards.dropped(), 4, "the rest were dropped before first_ok returned");
            (winner, testing::now() - start)
        });
        assert_eq!(winner, Ok((2, 2)));
        assert_eq!(at, secs(2));
    }
}

conformance! {
    async fn first_ok_when_all_fail_gives_every_error_in_input_order() {
        let (errors, at) = testing::run(async {
            let start = testing::now();
            // They fail in reverse order; the errors still come in input order.
            let jobs = [3_u64, 2, 1].map(|s| async move {
                testing::sleep(secs(s)).await;
                Err::<(), _>(format!("mirror {s} down"))
            });
            (weft::first_ok(jobs).await, testing::now() - start)
        });
        assert_eq!(
            errors,
            Err(vec!["mirror 3 down".to_string(), "mirror 2 down".into(), "mirror 1 down".into()])
        );
        assert_eq!(at, secs(3), "it waited for the last one before giving up");
    }
}

conformance! {
    async fn first_ok_of_nothing_is_an_empty_error() {
        let none = Vec::<std::future::Ready<Result<u8, String>>>::new();
        assert_eq!(weft::first_ok(none).await, Err(vec![]));
    }
}

conformance! {
    async fn race_on_the_real_clock_cancels_the_slow_tasks() {
        let guards = DropCounter::default();
        let jobs: Vec<_> = [60_000_u64, 1, 60_000]
            .into_iter()
            .map(|d| {
                let guard = guards.guard();
                weft::spawn(async move {
                    let _guard = guard;
                    weft::sleep(ms(d)).await;
                    d
                })
            })
            .collect();
        assert_eq!(weft::race(jobs).await, Some((1, Ok(1))));
        crate::support::eventually(ms(5_000), "the losing tasks are dropped", || guards.dropped() == 3)
            .await;
    }
}
