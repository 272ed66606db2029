//! Retry: attempts counted exactly, exact and bounded delays, predicate, hook, deadline, errors.

use std::cell::{Cell, RefCell};
use std::error::Error;
use std::fmt;
use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft::{Jitter, RetryInfo, StopReason};
use weft_core::retry::{Retry, RetryPolicy};

use crate::support::ms;

type VirtualRetry = Retry<VirtualRuntime>;

/// Runs `policy` over an operation that fails `failures` times (then succeeds) on the virtual
/// clock; returns the outcome and the start time of every try.
fn tries<P, H>(
    policy: &RetryPolicy<VirtualRuntime, P, H>,
    failures: usize,
) -> (Result<usize, weft::RetryError<String>>, Vec<Duration>)
where
    P: weft_core::retry::RetryIf<String>,
    H: weft_core::retry::OnRetry<String>,
{
    let at = RefCell::new(Vec::new());
    let out = testing::run(async {
        let t0 = testing::now();
        policy
            .run(|| async {
                at.borrow_mut().push(testing::now() - t0);
                let n = at.borrow().len();
                if n <= failures {
                    Err(format!("failure {n}"))
                } else {
                    Ok(n)
                }
            })
            .await
    });
    (out, at.into_inner())
}

/// The waits between consecutive tries.
fn gaps(starts: &[Duration]) -> Vec<Duration> {
    starts.windows(2).map(|w| w[1] - w[0]).collect()
}

conformance! {
    async fn attempts_count_every_try_the_first_included() {
        for attempts in [1, 2, 5] {
            let policy = VirtualRetry::new().attempts(attempts).build().unwrap();
            let (out, starts) = tries(&policy, usize::MAX);
            let err = out.unwrap_err();
            assert_eq!(starts.len(), attempts as usize);
            assert_eq!(err.attempts, attempts);
            assert_eq!(err.reason, StopReason::AttemptsExhausted);
            assert_eq!(err.last, format!("failure {attempts}"));
        }
    }
}

conformance! {
    async fn success_after_failures_returns_the_value() {
        let policy = VirtualRetry::new().attempts(5).build().unwrap();
        let (out, starts) = tries(&policy, 3);
        assert_eq!(out, Ok(4));
        assert_eq!(starts.len(), 4);
        let (out, starts) = tries(&policy, 0);
        assert_eq!((out, starts), (Ok(1), vec![Duration::ZERO]));
    }
}

conformance! {
    async fn without_jitter_the_delays_are_exact_and_nothing_sleeps_after_the_last_try() {
        let policy = VirtualRetry::new()
            .attempts(6)
            .min_delay(ms(200))
            .factor(2.0)
            .max_delay(ms(1000))
            .build()
            .unwrap();
        let elapsed = testing::run(async {
            let t0 = testing::now();
            let _ = policy.run(|| async { Err::<(), _>("down") }).await;
            testing::now() - t0
        });
        let (_, starts) = tries(&policy, usize::MAX);
        assert_eq!(gaps(&starts), [ms(200), ms(400), ms(800), ms(1000), ms(1000)]);
        // The run ends with the last try: total time is exactly the sum of the waits between tries.
        assert_eq!(elapsed, ms(3400));
        assert_eq!(*starts.last().unwrap(), elapsed);
    }
}

conformance! {
    async fn a_factor_of_one_keeps_the_delay_constant() {
        let policy = VirtualRetry::new().attempts(4).min_delay(ms(70)).factor(1.0).build().unwrap();
        let (_, starts) = tries(&policy, usize::MAX);
        assert_eq!(gaps(&starts), [ms(70); 3]);
    }
}

/// Checks every gap of runs with `jitter` over many seeds against its documented bound.
fn assert_jitter_bounds(jitter: Jitter) -> Vec<Duration> {
    let (min, max) = (ms(100), ms(1000));
    let mut all = Vec::new();
    for seed in 0..150 {
        let policy = VirtualRetry::new()
            .attempts(8)
            .min_delay(min)
            .max_delay(max)
            .factor(2.0)
            .jitter(jitter)
            .seed(seed)
            .build()
            .unwrap();
        let (_, starts) = tries(&policy, usize::MAX);
        let gaps = gaps(&starts);
        assert_eq!(gaps.len(), 7);
        let mut previous = min;
        for (k, &gap) in gaps.iter().enumerate() {
            let base = (min * 2u32.pow(k as u32)).min(max);
            let (low, high) = match jitter {
                Jitter::None => (base, base),
                Jitter::Full => (Duration::ZERO, base),
                Jitter::Equal => (base / 2, base),
                Jitter::Decorrelated => (min, (previous * 3).min(max)),
            };
            assert!(
                low <= gap && gap <= high,
                "{jitter:?} seed {seed} delay {}: {gap:?} not in [{low:?}, {high:?}]",
                k + 1
            );
            previous = gap;
        }
        all.extend(gaps);
    }
    all
}

conformance! {
    async fn every_jitter_keeps_its_delays_within_bounds_over_many_seeds() {
        for jitter in [Jitter::None, Jitter::Full, Jitter::Equal, Jitter::Decorrelated] {
            let delays = assert_jitter_bounds(jitter);
            let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
            if jitter == Jitter::None {
                assert_eq!(distinct.len(), 5, "100, 200, 400, 800 then 1000 ms");
            } else {
                assert!(distinct.len() > 500, "{jitter:?} barely varies: {} values", distinct.len());
            }
        }
    }
}

conformance! {
    async fn the_same_seed_gives_the_same_delays() {
        let policy = VirtualRetry::new().attempts(6).jitter(Jitter::Full).seed(42).build().unwrap();
        let (_, first) = tries(&policy, usize::MAX);
        let (_, second) = tries(&policy, usize::MAX);
        assert_eq!(first, second);
        let other = VirtualRetry::new().attempts(6).jitter(Jitter::Full).seed(43).build().unwrap();
        assert_ne!(tries(&other, usize::MAX).1, first);
    }
}

conformance! {
    async fn a_non_retryable_error_returns_at_once() {
        let policy = VirtualRetry::new()
            .attempts(10)
            .retry_if(|e: &String| e != "failure 3")
            .build()
            .unwrap();
        let (out, starts) = tries(&policy, usize::MAX);
        let err = out.unwrap_err();
        assert_eq!(err.reason, StopReason::NotRetryable);
        assert_eq!(err.attempts, 3);
        assert_eq!(err.last, "failure 3");
        // Two waits (before tries 2 and 3), none after the rejected error.
        assert_eq!(starts, [Duration::ZERO, ms(100), ms(300)]);
        assert_eq!(
            err.to_string(),
            "retry stopped at a non-retryable error after 3 attempts: failure 3"
        );
    }
}

conformance! {
    async fn the_hook_is_told_of_every_retry_and_not_of_the_last_failure() {
        let calls = RefCell::new(Vec::new());
        let policy = VirtualRetry::new()
            .attempts(4)
            .min_delay(ms(10))
            .on_retry(|info: &RetryInfo<'_, String>| {
                calls.borrow_mut().push((info.attempt, info.error.clone(), info.delay, info.elapsed));
            })
            .build()
            .unwrap();
        let (out, _) = tries(&policy, usize::MAX);
        assert_eq!(out.unwrap_err().attempts, 4);
        assert_eq!(
            calls.into_inner(),
            [
                (1, "failure 1".to_string(), ms(10), Duration::ZERO),
                (2, "failure 2".to_string(), ms(20), ms(10)),
                (3, "failure 3".to_string(), ms(40), ms(30)),
            ]
        );
    }
}

conformance! {
    async fn the_deadline_is_never_slept_past() {
        // Tries at 0, 1 s and 3 s; the next wait (4 s) would end at 7 s, past the 5 s deadline.
        let policy = VirtualRetry::new()
            .attempts(100)
            .min_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(60))
            .deadline(Duration::from_secs(5))
            .build()
            .unwrap();
        let elapsed = testing::run(async {
            let t0 = testing::now();
            let _ = policy.run(|| async { Err::<(), _>("x") }).await;
            testing::now() - t0
        });
        let (out, starts) = tries(&policy, usize::MAX);
        let err = out.unwrap_err();
        assert_eq!(err.reason, StopReason::Deadline);
        assert_eq!(err.attempts, 3);
        assert_eq!(starts, [0, 1, 3].map(Duration::from_secs));
        assert_eq!(elapsed, Duration::from_secs(3), "gave up instead of sleeping");
        assert_eq!(err.to_string(), "retry deadline reached after 3 attempts: failure 3");
    }
}

conformance! {
    async fn the_deadline_counts_the_time_the_tries_take() {
        // Each try takes 1 s: tries start at 0 and 2 s (after a 1 s wait); the next would start
        // at 2 + 1 + 2 = 5 s, which is the deadline itself, so the run stops at 3 s.
        let policy = VirtualRetry::new()
            .attempts(100)
            .min_delay(Duration::from_secs(1))
            .deadline(Duration::from_secs(5))
            .build()
            .unwrap();
        let (count, elapsed) = testing::run(async {
            let count = Cell::new(0);
            let t0 = testing::now();
            let out = policy
                .run(|| async {
                    count.set(count.get() + 1);
                    testing::sleep(Duration::from_secs(1)).await;
                    Err::<(), _>("slow failure")
                })
                .await;
            assert_eq!(out.unwrap_err().reason, StopReason::Deadline);
            (count.get(), testing::now() - t0)
        });
        assert_eq!((count, elapsed), (2, Duration::from_secs(3)));
    }
}

conformance! {
    async fn a_zero_deadline_means_a_single_try() {
        let policy = VirtualRetry::new().attempts(5).deadline(Duration::ZERO).build().unwrap();
        let (out, starts) = tries(&policy, usize::MAX);
        assert_eq!(out.unwrap_err().reason, StopReason::Deadline);
        assert_eq!(starts, [Duration::ZERO]);
    }
}

#[derive(Debug)]
struct Refused {
    port: u16,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connection refused on port {}", self.port)
    }
}

impl Error for Refused {}

conformance! {
    async fn the_error_carries_the_cause_and_the_attempt_count() {
        let policy = VirtualRetry::new().attempts(5).build().unwrap();
        let err = testing::run(policy.run(|| async { Err::<(), _>(Refused { port: 443 }) })).unwrap_err();
        assert_eq!(err.attempts, 5);
        assert_eq!(err.to_string(), "retry gave up after 5 attempts: connection refused on port 443");
        let source = err.source().unwrap();
        assert_eq!(source.downcast_ref::<Refused>().unwrap().port, 443);
        assert_eq!(err.into_last().port, 443);

        let once = VirtualRetry::new().attempts(1).build().unwrap();
        let err = testing::run(once.run(|| async { Err::<(), _>(Refused { port: 80 }) })).unwrap_err();
        assert_eq!(err.to_string(), "retry gave up after 1 attempt: connection refused on port 80");
    }
}

conformance! {
    async fn bad_settings_are_config_errors() {
        let setting = |retry: VirtualRetry| retry.build().unwrap_err().setting();
        assert_eq!(setting(VirtualRetry::new().attempts(0)), "attempts");
        assert_eq!(setting(VirtualRetry::new().min_delay(ms(5)).max_delay(ms(4))), "min_delay");
        assert_eq!(setting(VirtualRetry::new().factor(0.99)), "factor");
        assert_eq!(setting(VirtualRetry::new().factor(f64::NAN)), "factor");
        assert_eq!(setting(VirtualRetry::new().factor(f64::INFINITY)), "factor");
        assert_eq!(setting(VirtualRetry::new().factor(-2.0)), "factor");
        // Edge values that do work.
        assert!(VirtualRetry::new().attempts(1).min_delay(Duration::ZERO).max_delay(Duration::ZERO).build().is_ok());
        assert!(VirtualRetry::new().max_delay(Duration::MAX).factor(1e300).build().is_ok());
    }
}

conformance! {
    async fn zero_delays_retry_at_once() {
        let policy = VirtualRetry::new()
            .attempts(4)
            .min_delay(Duration::ZERO)
            .max_delay(Duration::ZERO)
            .jitter(Jitter::Decorrelated)
            .build()
            .unwrap();
        let (out, starts) = tries(&policy, 3);
        assert_eq!(out, Ok(4));
        assert_eq!(starts, [Duration::ZERO; 4]);
    }
}

conformance! {
    async fn dropping_a_run_stops_retrying() {
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let policy = VirtualRetry::new().attempts(10).min_delay(Duration::from_secs(1)).build().unwrap();
        testing::run(async {
            let counted = count.clone();
            let run = policy.run(move || {
                let counted = counted.clone();
                async move {
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Err::<(), _>("no")
                }
            });
            // Tries at 0, 1 s and 3 s; dropped during the 4 s wait.
            let out = weft_core::timeout::Timeout::<VirtualRuntime, _>::after(Duration::from_secs(5), run).await;
            assert!(out.is_err());
            testing::sleep(Duration::from_secs(60)).await;
        });
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
}

conformance! {
    async fn retry_runs_on_the_real_clock() {
        let policy = weft::Retry::new().attempts(3).min_delay(ms(10)).build().unwrap();
        let count = Cell::new(0);
        let start = weft::now();
        let out = policy
            .run(|| async {
                count.set(count.get() + 1);
                weft::sleep(ms(1)).await;
                if count.get() < 3 { Err("busy") } else { Ok("ok") }
            })
            .await;
        assert_eq!(out, Ok("ok"));
        assert!(weft::now() - start >= ms(30), "10 + 20 ms between the tries");
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn run_blocking_retries_with_thread_sleep() {
    let hook_calls = Cell::new(0);
    let policy = weft::Retry::new()
        .attempts(4)
        .min_delay(ms(10))
        .on_retry(|info: &RetryInfo<'_, String>| {
            assert_eq!(info.attempt, hook_calls.get() + 1);
            hook_calls.set(hook_calls.get() + 1);
        })
        .build()
        .unwrap();
    let mut tries = 0;
    let start = std::time::Instant::now();
    let err = policy
        .run_blocking(|| {
            tries += 1;
            Err::<(), _>(format!("try {tries}"))
        })
        .unwrap_err();
    assert_eq!((tries, err.attempts, hook_calls.get()), (4, 4, 3));
    assert_eq!(err.to_string(), "retry gave up after 4 attempts: try 4");
    assert!(start.elapsed() >= ms(70), "10 + 20 + 40 ms");

    // Not retryable: returned at once, no sleep.
    let strict = weft::Retry::new()
        .attempts(4)
        .min_delay(Duration::from_secs(3600))
        .max_delay(Duration::from_secs(3600))
        .retry_if(|_: &&str| false)
        .build()
        .unwrap();
    let err = strict.run_blocking(|| Err::<(), _>("fatal")).unwrap_err();
    assert_eq!((err.attempts, err.reason), (1, StopReason::NotRetryable));
    assert_eq!(strict.run_blocking(|| Ok::<_, &str>(9)), Ok(9));
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn run_blocking_respects_the_deadline() {
    let policy = weft::Retry::new()
        .attempts(100)
        .min_delay(ms(20))
        .deadline(ms(50))
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    let err = policy.run_blocking(|| Err::<(), _>("x")).unwrap_err();
    assert_eq!(err.reason, StopReason::Deadline);
    // Tries at 0 and 20 ms; the next wait (40 ms) would pass the deadline.
    assert_eq!(err.attempts, 2);
    assert!(start.elapsed() < Duration::from_secs(5));
}

conformance! {
    async fn a_policy_is_shared_by_spawned_runs() {
        let policy = std::sync::Arc::new(VirtualRetry::new().attempts(3).min_delay(ms(10)).build().unwrap());
        let outs = testing::run(async {
            let runs: Vec<_> = (0..4_usize)
                .map(|i| {
                    let policy = policy.clone();
                    testing::spawn(async move {
                        let tries = std::sync::atomic::AtomicUsize::new(0);
                        policy
                            .run(|| async {
                                let n = tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                                if n <= i { Err(n) } else { Ok((n, testing::now())) }
                            })
                            .await
                    })
                })
                .collect();
            let t0 = testing::now();
            weft::gather(runs)
                .await
                .into_iter()
                .map(|out| out.unwrap().map(|(n, at)| (n, at - t0)))
                .collect::<Vec<_>>()
        });
        // Each run keeps its own count and delays: 0, 1 or 2 failures, then the third gives up.
        assert_eq!(outs[0], Ok((1, Duration::ZERO)));
        assert_eq!(outs[1], Ok((2, ms(10))));
        assert_eq!(outs[2], Ok((3, ms(30))));
        assert_eq!(outs[3].as_ref().unwrap_err().attempts, 3);
        assert_eq!(outs[3].as_ref().unwrap_err().last, 3);
    }
}
