//! RateLimiter: never more than `max` starts in ANY window of length `per`; burst, FIFO order,
//! waiters that give up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft_core::rate::RateLimiter;
use weft_core::timeout::Timeout;

use crate::support::ms;

type Limiter = RateLimiter<VirtualRuntime>;

/// Start times since `t0`, shared by the tasks that record them.
#[derive(Clone, Default)]
struct Starts(Arc<Mutex<Vec<(usize, Duration)>>>);

impl Starts {
    fn record(&self, who: usize, t0: weft::Instant) {
        self.0.lock().unwrap().push((who, testing::now() - t0));
    }

    fn times(&self) -> Vec<Duration> {
        self.0.lock().unwrap().iter().map(|(_, at)| *at).collect()
    }

    fn order(&self) -> Vec<usize> {
        self.0.lock().unwrap().iter().map(|(who, _)| *who).collect()
    }
}

/// Fails unless every half-open window `[t, t + per)` holds at most `max` of `starts`.
///
/// The busiest windows begin at a start, so checking the window opening at each start checks
/// them all: the start `max` places later must be at least `per` later.
fn assert_sliding_window(starts: &[Duration], max: usize, per: Duration) {
    let mut sorted = starts.to_vec();
    sorted.sort();
    for (i, pair) in sorted.windows(max + 1).enumerate() {
        let span = pair[max] - pair[0];
        assert!(
            span >= per,
            "{} starts within {span:?} (from start #{i} at {:?}), more than {max} per {per:?}",
            max + 1,
            pair[0]
        );
    }
}

/// A small deterministic generator, so the arrival pattern is the same on both targets.
fn arrivals(seed: u64, count: usize, spread_ms: u64) -> Vec<Duration> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ms((state >> 33) % spread_ms)
        })
        .collect()
}

/// Spawns one task per arrival time; each waits for its time, acquires, and records its start.
fn run_arrivals(limiter: &Limiter, arrivals: &[Duration]) -> Starts {
    let starts = Starts::default();
    testing::run(async {
        let t0 = testing::now();
        let tasks: Vec<_> = arrivals
            .iter()
            .enumerate()
            .map(|(who, &at)| {
                let (limiter, starts) = (limiter.clone(), starts.clone());
                testing::spawn(async move {
                    testing::sleep(at).await;
                    limiter.acquire().await;
                    starts.record(who, t0);
                })
            })
            .collect();
        weft::gather(tasks).await;
    });
    starts
}

conformance! {
    async fn never_more_than_max_starts_in_any_window() {
        for (seed, max, per) in [(1, 5, ms(1000)), (2, 3, ms(250)), (3, 1, ms(100)), (4, 10, ms(60))] {
            let limiter = Limiter::new(max, per).unwrap();
            let starts = run_arrivals(&limiter, &arrivals(seed, 60, 3000)).times();
            assert_eq!(starts.len(), 60);
            assert_sliding_window(&starts, max, per);
        }
    }
}

conformance! {
    async fn the_boundary_a_token_bucket_gets_wrong_holds() {
        // 5 starts at the very end of one period, then a crowd right after: a token bucket
        // refilled at 5 per second would let 9 or 10 in within one second here.
        let mut times = vec![ms(990); 5];
        times.extend(vec![ms(1000); 10]);
        times.extend(vec![ms(1500); 5]);
        let limiter = Limiter::new(5, ms(1000)).unwrap();
        let starts = run_arrivals(&limiter, &times).times();
        assert_sliding_window(&starts, 5, ms(1000));
        let mut sorted = starts.clone();
        sorted.sort();
        // The crowd waits for the first five to be a full second old, exactly.
        assert_eq!(sorted[5..10], [ms(1990); 5]);
        assert_eq!(sorted[10..15], [ms(2990); 5]);
        assert_eq!(sorted[15..20], [ms(3990); 5]);
    }
}

conformance! {
    async fn starts_are_not_delayed_more_than_the_rule_needs() {
        // Each start happens at its arrival, or exactly when the window frees up for it.
        let limiter = Limiter::new(4, ms(500)).unwrap();
        let times = arrivals(9, 40, 4000);
        let starts = run_arrivals(&limiter, &times);
        let order = starts.order();
        let starts = starts.times();
        for (k, (&who, &at)) in order.iter().zip(&starts).enumerate() {
            let arrived = times[who];
            let freed = k.checked_sub(4).map(|j| starts[j] + ms(500));
            let expected = freed.map_or(arrived, |freed| freed.max(arrived));
            assert_eq!(at, expected, "start {k} arrived at {arrived:?}");
        }
    }
}

conformance! {
    async fn a_burst_of_one_spaces_starts_evenly() {
        let limiter = Limiter::with_burst(10, ms(1000), 1).unwrap();
        let starts = run_arrivals(&limiter, &[Duration::ZERO; 12]).times();
        let expected: Vec<_> = (0..12).map(|i| ms(100 * i)).collect();
        assert_eq!(starts, expected);
    }
}

conformance! {
    async fn a_burst_caps_back_to_back_starts() {
        let limiter = Limiter::with_burst(10, ms(1000), 4).unwrap();
        let starts = run_arrivals(&limiter, &[Duration::ZERO; 20]).times();
        // At most 4 in any 400 ms, and at most 10 in any second.
        assert_sliding_window(&starts, 4, ms(400));
        assert_sliding_window(&starts, 10, ms(1000));
        assert_eq!(starts[..4], [Duration::ZERO; 4]);
        assert_eq!(starts[4..8], [ms(400); 4]);
        assert_eq!(starts[8..10], [ms(800); 2]);
        // The 11th must wait for the 1st to be a second old.
        assert_eq!(starts[10], ms(1000));
    }
}

conformance! {
    async fn waiters_are_served_first_come_first_served() {
        let limiter = Limiter::new(2, ms(1000)).unwrap();
        // Arrivals 1 ms apart, all while the window is full.
        let times: Vec<_> = (0..10).map(ms).collect();
        let starts = run_arrivals(&limiter, &times);
        assert_eq!(starts.order(), (0..10).collect::<Vec<_>>());
        let expected: Vec<_> = [0, 1, 1000, 1001, 2000, 2001, 3000, 3001, 4000, 4001].map(ms).to_vec();
        assert_eq!(starts.times(), expected);
    }
}

conformance! {
    async fn a_waiter_that_gives_up_never_uses_a_slot() {
        let (starts, served) = testing::run(async {
            let limiter = Limiter::new(1, ms(1000)).unwrap();
            let t0 = testing::now();
            let starts = Starts::default();
            limiter.acquire().await; // the window is full until 1000 ms
            let spawn_waiter = |who: usize, arrive: u64, patience: Option<u64>| {
                let (limiter, starts) = (limiter.clone(), starts.clone());
                testing::spawn(async move {
                    testing::sleep(ms(arrive)).await;
                    let acquire = limiter.acquire();
                    match patience {
                        None => acquire.await,
                        Some(p) => {
                            if Timeout::<VirtualRuntime, _>::after(ms(p), acquire).await.is_err() {
                                return false;
                            }
                        }
                    }
                    starts.record(who, t0);
                    true
                })
            };
            // 1 is first in line and leaves at 500 ms; 3 is in the middle and leaves at 1500 ms.
            let waiters = vec![
                spawn_waiter(1, 10, Some(490)),
                spawn_waiter(2, 20, None),
                spawn_waiter(3, 30, Some(1470)),
                spawn_waiter(4, 40, None),
            ];
            let served: Vec<bool> = weft::gather(waiters).await.into_iter().map(Result::unwrap).collect();
            (starts, served)
        });
        assert_eq!(served, [false, true, false, true]);
        assert_eq!(starts.order(), [2, 4]);
        // Neither quitter used a slot: 2 starts at 1000 ms, 4 right after at 2000 ms.
        assert_eq!(starts.times(), [ms(1000), ms(2000)]);
    }
}

conformance! {
    async fn try_acquire_takes_a_free_slot_but_never_jumps_the_line() {
        testing::run(async {
            let limiter = Limiter::new(1, ms(1000)).unwrap();
            let t0 = testing::now();
            assert!(limiter.try_acquire());
            assert!(!limiter.try_acquire());
            // This timer is set before the waiter's, so at 1000 ms the test runs first.
            let mut tick = Box::pin(testing::sleep(ms(1000)));
            assert!(futures_lite::future::poll_once(&mut tick).await.is_none());
            let waiter = {
                let limiter = limiter.clone();
                testing::spawn(async move {
                    limiter.acquire().await;
                    testing::now() - t0
                })
            };
            tick.await;
            assert!(!limiter.try_acquire(), "a waiter is in line");
            assert_eq!(waiter.await.unwrap(), ms(1000));
            assert!(!limiter.try_acquire(), "the window is full again");
            testing::sleep(ms(1000)).await;
            assert!(limiter.try_acquire());
        });
    }
}

conformance! {
    async fn run_limits_starts_not_concurrency() {
        let (out, took) = testing::run(async {
            let limiter = Limiter::new(5, ms(1000)).unwrap();
            let t0 = testing::now();
            // Ten calls of 10 s each: five start at once, five more a second later.
            let calls = (0..10).map(|i| limiter.run(async move {
                let started = testing::now() - t0;
                testing::sleep(Duration::from_secs(10)).await;
                (i, started)
            }));
            (weft::gather(calls).await, testing::now() - t0)
        });
        let started: Vec<_> = out.iter().map(|(_, at)| *at).collect();
        assert_eq!(started[..5], [Duration::ZERO; 5]);
        assert_eq!(started[5..], [ms(1000); 5]);
        assert_eq!(took, ms(11_000));
    }
}

conformance! {
    async fn seeds_api_with_rate_limit_five_calls_per_second() {
        let (results, starts) = testing::run(async {
            let limiter = Limiter::new(5, Duration::from_secs(1)).unwrap();
            let t0 = testing::now();
            let starts = Starts::default();
            let fetch = |i: usize| {
                let (limiter, starts) = (&limiter, starts.clone());
                async move {
                    limiter
                        .run(async {
                            starts.record(i, t0);
                            testing::sleep(ms(100)).await;
                            format!("url{i}")
                        })
                        .await
                }
            };
            (weft::gather((0..20).map(fetch)).await, starts)
        });
        assert_eq!(results[19], "url19");
        let seconds: Vec<u64> = starts.times().iter().map(|d| d.as_secs()).collect();
        assert_eq!(seconds, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
        assert_sliding_window(&starts.times(), 5, Duration::from_secs(1));
    }
}

conformance! {
    async fn bad_settings_are_config_errors() {
        assert_eq!(Limiter::new(0, ms(1)).unwrap_err().setting(), "max");
        assert_eq!(Limiter::new(1, Duration::ZERO).unwrap_err().setting(), "per");
        assert_eq!(Limiter::with_burst(5, ms(1), 0).unwrap_err().setting(), "burst");
        let err = Limiter::with_burst(5, ms(1), 6).unwrap_err();
        assert_eq!(err.to_string(), "invalid burst: must be between 1 and max (5), got 6");
        assert!(weft::RateLimiter::new(1, ms(1)).is_ok());
    }
}

conformance! {
    async fn the_rate_holds_on_the_real_clock() {
        let limiter = weft::RateLimiter::new(2, ms(50)).unwrap();
        let start = weft::now();
        for _ in 0..5 {
            limiter.acquire().await;
        }
        // Starts 3-4 wait for the first window, 5 for the second.
        assert!(weft::now() - start >= ms(100), "took {:?}", weft::now() - start);
    }
}
