//! RateLimiter against its model: a sliding window served first come, first served. Each start
//! is exactly the earliest instant at or after its arrival that keeps at most `max` starts in
//! any window of `per` (and at most `burst` in any window of `per × burst / max`); a waiter that
//! gives up never uses a slot.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use weft::testing::{self, VirtualRuntime};
use weft_core::rate::RateLimiter;
use weft_core::timeout::Timeout;

use super::check;

const US_PER_MS: u64 = 1_000;

#[derive(Clone, Copy, Debug)]
struct Request {
    arrival: u64,
    /// Gives up this many ms (and a half, so it never ties with a start) after arriving.
    patience: Option<u64>,
}

#[derive(Clone, Debug)]
struct Case {
    max: usize,
    /// `per` is `max × step` ms, so the burst window (`per × burst / max`) is whole ms too.
    step: u64,
    burst: usize,
    requests: Vec<Request>,
}

fn cases() -> impl Strategy<Value = Case> {
    (1_usize..5, 1_u64..8).prop_flat_map(|(max, step)| {
        let request = (0_u64..60, proptest::option::weighted(0.3, 0_u64..30))
            .prop_map(|(arrival, patience)| Request { arrival, patience });
        (Just(max), Just(step), 1..=max, vec(request, 0..16)).prop_map(
            |(max, step, burst, requests)| Case {
                max,
                step,
                burst,
                requests,
            },
        )
    })
}

/// The start of each request in µs, or `None` if it gave up first.
fn model(case: &Case) -> Vec<Option<u64>> {
    let per = case.max as u64 * case.step * US_PER_MS;
    let burst_window = case.burst as u64 * case.step * US_PER_MS;
    let mut order: Vec<usize> = (0..case.requests.len()).collect();
    order.sort_by_key(|&i| (case.requests[i].arrival, i));
    let mut starts: Vec<u64> = Vec::new();
    let mut out = vec![None; case.requests.len()];
    for i in order {
        let request = case.requests[i];
        let mut at = request.arrival * US_PER_MS;
        let len = starts.len();
        if len >= case.max {
            at = at.max(starts[len - case.max] + per);
        }
        if len >= case.burst {
            at = at.max(starts[len - case.burst] + burst_window);
        }
        let gives_up = request
            .patience
            .map(|p| (request.arrival + p) * US_PER_MS + 500);
        if gives_up.is_none_or(|g| at <= g) {
            starts.push(at);
            out[i] = Some(at);
        }
    }
    out
}

reliability! {
    async fn a_rate_limiter_starts_each_caller_at_the_first_instant_its_windows_allow() {
        check("RateLimiter", cases(), |case| {
            let per = Duration::from_millis(case.max as u64 * case.step);
            let limiter = RateLimiter::<VirtualRuntime>::with_burst(case.max, per, case.burst).unwrap();
            let starts = Arc::new(Mutex::new(vec![None; case.requests.len()]));
            testing::run(async {
                let t0 = testing::now();
                let tasks: Vec<_> = case
                    .requests
                    .iter()
                    .copied()
                    .enumerate()
                    .map(|(i, request)| {
                        let (limiter, starts) = (limiter.clone(), starts.clone());
                        testing::spawn(async move {
                            testing::sleep(Duration::from_millis(request.arrival)).await;
                            let started = match request.patience {
                                None => {
                                    limiter.acquire().await;
                                    true
                                }
                                Some(p) => {
                                    let patience = Duration::from_micros(p * US_PER_MS + 500);
                                    Timeout::<VirtualRuntime, _>::after(patience, limiter.acquire()).await.is_ok()
                                }
                            };
                            if started {
                                let at = testing::now() - t0;
                                starts.lock().unwrap()[i] = Some(at.as_micros() as u64);
                            }
                        })
                    })
                    .collect();
                weft::gather(tasks).await;
            });
            let starts = starts.lock().unwrap().clone();
            prop_assert_eq!(&starts, &model(&case));
            // The promise itself, checked directly: at most `max` starts in any window of `per`.
            let mut sorted: Vec<u64> = starts.iter().flatten().copied().collect();
            sorted.sort_unstable();
            let per_us = per.as_micros() as u64;
            for pair in sorted.windows(case.max + 1) {
                prop_assert!(pair[case.max] - pair[0] >= per_us, "{} starts within {:?}", case.max + 1, per);
            }
            Ok(())
        });
    }
}
