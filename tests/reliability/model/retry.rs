//! Retry against its model: every try counts (the first included), no sleep after the last
//! try, a non-retryable error stops at once, the deadline is never slept past, and every delay
//! lies within the bounds of its jitter (AWS's "Exponential Backoff And Jitter").

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use proptest::prelude::*;
use weft::testing::{self, VirtualRuntime};
use weft::{Jitter, RetryInfo, StopReason};
use weft_core::retry::Retry;

use super::check;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[derive(Clone, Debug)]
struct Case {
    attempts: u32,
    min: u64,
    max: u64,
    factor: f64,
    jitter: Jitter,
    seed: u64,
    /// The operation fails its first `fails` tries, and takes `op` ms each time.
    fails: u32,
    op: u64,
    /// The try whose error is not retryable, if any.
    fatal_at: Option<u32>,
    deadline: Option<u64>,
}

fn cases() -> impl Strategy<Value = Case> {
    let jitter = prop_oneof![
        Just(Jitter::None),
        Just(Jitter::Full),
        Just(Jitter::Equal),
        Just(Jitter::Decorrelated)
    ];
    (
        (
            1_u32..7,
            0_u64..50,
            0_u64..300,
            1.0_f64..3.0,
            jitter,
            any::<u64>(),
        ),
        (
            0_u32..8,
            0_u64..5,
            proptest::option::weighted(0.2, 1_u32..7),
        ),
        proptest::option::weighted(0.3, 1_u64..600),
    )
        .prop_map(
            |((attempts, min, extra, factor, jitter, seed), (fails, op, fatal_at), deadline)| {
                Case {
                    attempts,
                    min,
                    max: min + extra,
                    factor,
                    jitter,
                    seed,
                    fails,
                    op,
                    fatal_at,
                    deadline,
                }
            },
        )
}

#[derive(Clone, Debug, PartialEq)]
struct Failure {
    attempt: u32,
    retryable: bool,
}

/// The `k`-th delay's bounds (k = 1, 2, …) given the delay before it, from the jitter's
/// definition, with 1 µs of slack for the float rounding of the exponential base.
fn bounds(case: &Case, k: u32, previous: Duration) -> (Duration, Duration) {
    let slack = Duration::from_micros(1);
    let (min, max) = (ms(case.min), ms(case.max));
    let base = (case.min as f64 * 1e6 * case.factor.powi(k as i32 - 1)).min(case.max as f64 * 1e6);
    let base = Duration::from_nanos(base as u64);
    match case.jitter {
        Jitter::None => (base.saturating_sub(slack), base + slack),
        Jitter::Full => (Duration::ZERO, base + slack),
        Jitter::Equal => ((base / 2).saturating_sub(slack), base + slack),
        Jitter::Decorrelated => (min, max.min(min.max(previous * 3))),
    }
}

reliability! {
    async fn retry_tries_as_the_policy_says_and_waits_within_the_jitter_bounds() {
        check("Retry", cases(), |case| {
            let hook_log: Rc<RefCell<Vec<(u32, Duration)>>> = Rc::default();
            let builder = Retry::<VirtualRuntime>::new()
                .attempts(case.attempts)
                .min_delay(ms(case.min))
                .max_delay(ms(case.max))
                .factor(case.factor)
                .jitter(case.jitter)
                .seed(case.seed);
            let builder = match case.deadline {
                Some(d) => builder.deadline(ms(d)),
                None => builder,
            };
            let log = hook_log.clone();
            let policy = builder
                .retry_if(|e: &Failure| e.retryable)
                .on_retry(move |info: &RetryInfo<'_, Failure>| log.borrow_mut().push((info.attempt, info.delay)))
                .build()
                .unwrap();
            let tries: Rc<RefCell<Vec<Duration>>> = Rc::default();
            let (out, took) = testing::run(async {
                let t0 = testing::now();
                let out = policy
                    .run(|| {
                        let tries = tries.clone();
                        let case = case.clone();
                        async move {
                            tries.borrow_mut().push(testing::now() - t0);
                            let attempt = tries.borrow().len() as u32;
                            testing::sleep(ms(case.op)).await;
                            if attempt <= case.fails {
                                Err(Failure { attempt, retryable: case.fatal_at != Some(attempt) })
                            } else {
                                Ok(attempt)
                            }
                        }
                    })
                    .await;
                (out, testing::now() - t0)
            });
            let tries = tries.borrow().clone();
            let hook = hook_log.borrow().clone();

            // The model, run over the delays the hook reported (each checked against its bounds).
            let mut previous = ms(case.min);
            // The policy's own delay sequence (seeded): the run must have used exactly it.
            let mut backoff = policy.backoff();
            for (k, &(attempt, delay)) in hook.iter().enumerate() {
                prop_assert_eq!(backoff.next(), Some(delay));
                prop_assert_eq!(attempt, k as u32 + 1);
                let (low, high) = bounds(&case, k as u32 + 1, previous);
                prop_assert!(delay >= low && delay <= high, "delay {} = {:?} outside {:?}..={:?}", k + 1, delay, low, high);
                previous = delay;
            }
            let mut at = Duration::ZERO;
            let mut expected_tries = Vec::new();
            let outcome = loop {
                let attempt = expected_tries.len() as u32 + 1;
                expected_tries.push(at);
                at += ms(case.op);
                if attempt > case.fails {
                    break Ok(attempt);
                }
                if case.fatal_at == Some(attempt) {
                    break Err((attempt, StopReason::NotRetryable));
                }
                if attempt == case.attempts {
                    break Err((attempt, StopReason::AttemptsExhausted));
                }
                match hook.get(attempt as usize - 1) {
                    Some(&(_, delay)) => {
                        if let Some(deadline) = case.deadline {
                            prop_assert!(at + delay < ms(deadline), "slept past the deadline");
                        }
                        at += delay;
                    }
                    // No retry announced: only the deadline may stop it here, and only if the
                    // next delay would have reached it.
                    None => {
                        let deadline = ms(case.deadline.expect("only a deadline stops early"));
                        let next = backoff.next().expect("endless");
                        prop_assert!(at + next >= deadline, "gave up {:?} before the deadline", deadline - at - next);
                        break Err((attempt, StopReason::Deadline));
                    }
                }
            };
            prop_assert_eq!(&tries, &expected_tries, "when each try started");
            prop_assert_eq!(took, at, "no sleep after the last try");
            match (out, outcome) {
                (Ok(attempt), Ok(model)) => prop_assert_eq!(attempt, model),
                (Err(error), Err((attempts, reason))) => {
                    prop_assert_eq!(error.attempts, attempts);
                    prop_assert_eq!(error.reason, reason);
                    prop_assert_eq!(error.last.attempt, attempts, "the last error is kept");
                }
                (out, model) => prop_assert!(false, "got {:?}, model {:?}", out, model),
            }
            Ok(())
        });
    }
}
