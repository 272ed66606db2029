//! as_completed: finish order with the input index, exact on the virtual clock; drop cancels.

use std::time::Duration;

use weft::testing;
use weft::{Stream, StreamExt};

use crate::support::{Counter, DropCounter, ms};

conformance! {
    async fn as_completed_yields_the_seeds_apis_in_finish_order_at_exact_times() {
        let finished = testing::run(async {
            let urls = [("https://api1.com", 2_000), ("https://api2.com", 500), ("https://api3.com", 1_000)];
            let fetches = urls.map(|(url, delay)| async move {
                testing::sleep(ms(delay)).await;
                url
            });
            let start = testing::now();
            let mut stream = weft::as_completed(fetches);
            let mut finished = Vec::new();
            while let Some((index, url)) = stream.next().await {
                finished.push((index, url, testing::now() - start));
            }
            finished
        });
        assert_eq!(
            finished,
            [
                (1, "https://api2.com", ms(500)),
                (2, "https://api3.com", ms(1_000)),
                (0, "https://api1.com", ms(2_000)),
            ]
        );
    }
}

conformance! {
    async fn as_completed_of_nothing_ends_at_once() {
        let mut stream = weft::as_completed(Vec::<std::future::Ready<u8>>::new());
        assert!(stream.is_empty());
        assert_eq!(stream.next().await, None);
        assert_eq!(stream.next().await, None, "it stays ended");
    }
}

conformance! {
    async fn as_completed_of_one_future_yields_it_with_index_zero() {
        let items: Vec<_> = weft::as_completed([async { "only" }]).collect().await;
        assert_eq!(items, [(0, "only")]);
    }
}

conformance! {
    async fn as_completed_yields_errors_in_place_and_goes_on() {
        let items = testing::run(async {
            let jobs = [3_u64, 1, 2].map(|s| async move {
                testing::sleep(Duration::from_secs(s)).await;
                if s == 1 { Err(format!("job of {s} s failed")) } else { Ok(s) }
            });
            weft::as_completed(jobs).collect::<Vec<_>>().await
        });
        assert_eq!(items, [(1, Err("job of 1 s failed".to_string())), (2, Ok(2)), (0, Ok(3))]);
    }
}

conformance! {
    async fn as_completed_counts_down_what_is_left() {
        testing::run(async {
            let jobs = [1_u64, 2, 3].map(|s| testing::sleep(Duration::from_secs(s)));
            let mut stream = weft::as_completed(jobs);
            assert_eq!(stream.size_hint(), (3, Some(3)));
            stream.next().await;
            assert_eq!(stream.len(), 2);
            stream.next().await;
            stream.next().await;
            assert!(stream.is_empty());
        });
    }
}

conformance! {
    async fn dropping_as_completed_cancels_the_unfinished() {
        let guards = DropCounter::default();
        let reached_end = Counter::default();
        let first = testing::run(async {
            let jobs: Vec<_> = [1_u64, 5, 10]
                .into_iter()
                .map(|s| {
                    let guard = guards.guard();
                    let reached_end = reached_end.clone();
                    async move {
                        let _guard = guard;
                        testing::sleep(Duration::from_secs(s)).await;
                        reached_end.bump();
                        s
                    }
                })
                .collect();
            let mut stream = weft::as_completed(jobs);
            let first = stream.next().await;
            assert_eq!(guards.dropped(), 1, "only the finished future is gone");
            drop(stream);
            assert_eq!(guards.dropped(), 3, "dropping the stream dropped the other two");
            // Give the dropped futures' timers every chance to fire: nothing happens.
            testing::sleep(Duration::from_secs(60)).await;
            first
        });
        assert_eq!(first, Some((0, 1)));
        assert_eq!(reached_end.get(), 1);
    }
}

conformance! {
    async fn as_completed_over_spawned_tasks_on_the_real_clock() {
        let tasks = [60_u64, 1, 30].map(|d| weft::spawn(async move {
            weft::sleep(ms(d)).await;
            d
        }));
        let mut seen: Vec<(usize, u64)> = weft::as_completed(tasks)
            .map(|(i, out)| (i, out.unwrap()))
            .collect()
            .await;
        // Finish order on a busy machine is not ours to assert; that every index came once is.
        seen.sort();
        assert_eq!(seen, [(0, 60), (1, 1), (2, 30)]);
    }
}
