//! gather, try_gather, as_completed, wait, race and first_ok against their models.
//!
//! Every input future sleeps a random number of virtual milliseconds (ties included, so futures
//! finish at the same instant) and then returns its value or fails.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use weft::testing::{self, VirtualRuntime};
use weft::{ReturnWhen, StreamExt};
use weft_core::wait::Wait;

use super::check;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A future that finishes `delay` ms after it is first polled, and its output.
#[derive(Clone, Copy, Debug)]
struct Job {
    delay: u64,
    fails: bool,
}

fn jobs(max_len: usize, fail_rate: f64) -> impl Strategy<Value = Vec<Job>> {
    vec(
        (0_u64..20, prop::bool::weighted(fail_rate))
            .prop_map(|(delay, fails)| Job { delay, fails }),
        0..max_len,
    )
}

/// Counts the futures that have been dropped, as the model says they must be.
#[derive(Clone, Default)]
struct Dropped(Rc<RefCell<usize>>);

struct DropMark(Dropped);

impl Drop for DropMark {
    fn drop(&mut self) {
        *self.0.0.borrow_mut() += 1;
    }
}

impl Dropped {
    fn mark(&self) -> DropMark {
        DropMark(self.clone())
    }

    fn count(&self) -> usize {
        *self.0.borrow()
    }
}

fn run_job(
    i: usize,
    job: Job,
    dropped: &Dropped,
) -> impl Future<Output = Result<usize, usize>> + use<> {
    let mark = dropped.mark();
    async move {
        let _mark = mark;
        testing::sleep(ms(job.delay)).await;
        if job.fails { Err(i) } else { Ok(i) }
    }
}

fn elapsed_since(start: weft::Instant) -> Duration {
    testing::now() - start
}

fn max_delay(jobs: &[Job]) -> u64 {
    jobs.iter().map(|j| j.delay).max().unwrap_or(0)
}

reliability! {
    async fn gather_returns_every_output_in_input_order_once_the_slowest_is_done() {
        check("gather", jobs(16, 0.3), |jobs| {
            let dropped = Dropped::default();
            let (out, took) = testing::run(async {
                let start = testing::now();
                let futures = jobs.iter().enumerate().map(|(i, &job)| run_job(i, job, &dropped));
                let out = weft::gather(futures).await;
                (out, elapsed_since(start))
            });
            let model: Vec<Result<usize, usize>> =
                jobs.iter().enumerate().map(|(i, j)| if j.fails { Err(i) } else { Ok(i) }).collect();
            prop_assert_eq!(out, model);
            prop_assert_eq!(took, ms(max_delay(&jobs)));
            prop_assert_eq!(dropped.count(), jobs.len());
            Ok(())
        });
    }
}

reliability! {
    async fn try_gather_returns_the_first_error_as_it_happens_and_drops_the_rest() {
        check("try_gather", jobs(12, 0.2), |jobs| {
            let dropped = Dropped::default();
            let (out, took, dropped_at_return) = testing::run(async {
                let start = testing::now();
                let futures = jobs.iter().enumerate().map(|(i, &job)| run_job(i, job, &dropped));
                let out = weft::try_gather(futures).await;
                (out, elapsed_since(start), dropped.count())
            });
            let first_failure = jobs.iter().filter(|j| j.fails).map(|j| j.delay).min();
            match first_failure {
                None => {
                    prop_assert_eq!(out, Ok((0..jobs.len()).collect::<Vec<_>>()));
                    prop_assert_eq!(took, ms(max_delay(&jobs)));
                }
                Some(at) => {
                    // The error of a job that failed first (any of them on a tie), returned at
                    // that instant, not when the jobs before it in input order are done.
                    let failed = out.clone().expect_err("a job failed");
                    prop_assert!(jobs[failed].fails && jobs[failed].delay == at, "got {:?}", out);
                    prop_assert_eq!(took, ms(at));
                }
            }
            prop_assert_eq!(dropped_at_return, jobs.len(), "every future dropped by the return");
            Ok(())
        });
    }
}

reliability! {
    async fn as_completed_yields_each_output_once_at_the_instant_it_finishes() {
        check("as_completed", jobs(16, 0.0), |jobs| {
            let dropped = Dropped::default();
            let yielded = testing::run(async {
                let start = testing::now();
                let futures = jobs.iter().enumerate().map(|(i, &job)| run_job(i, job, &dropped));
                let mut stream = weft::as_completed(futures);
                let mut yielded = Vec::new();
                while let Some((i, out)) = stream.next().await {
                    yielded.push((i, out, elapsed_since(start)));
                }
                yielded
            });
            prop_assert_eq!(yielded.len(), jobs.len());
            let mut seen = vec![false; jobs.len()];
            let mut last = Duration::ZERO;
            for (i, out, at) in yielded {
                prop_assert!(!seen[i], "index {} yielded twice", i);
                seen[i] = true;
                prop_assert_eq!(out, Ok(i));
                prop_assert_eq!(at, ms(jobs[i].delay), "index {} yielded late or early", i);
                prop_assert!(at >= last, "finish order");
                last = at;
            }
            Ok(())
        });
    }
}

type Boxed = Pin<Box<dyn Future<Output = Result<usize, usize>>>>;

fn return_when() -> impl Strategy<Value = ReturnWhen> {
    prop_oneof![
        Just(ReturnWhen::FirstCompleted),
        Just(ReturnWhen::FirstError),
        Just(ReturnWhen::AllCompleted),
    ]
}

reliability! {
    async fn wait_returns_what_is_done_when_its_condition_or_timeout_is_met_and_hands_back_the_rest() {
        let input = (jobs(10, 0.25), return_when(), proptest::option::of(0_u64..25));
        check("wait", input, |(jobs, when, timeout)| {
            let dropped = Dropped::default();
            let (mut done, pending, took, later) = testing::run(async {
                let start = testing::now();
                let futures: Vec<Boxed> = jobs
                    .iter()
                    .enumerate()
                    .map(|(i, &job)| Box::pin(run_job(i, job, &dropped)) as Boxed)
                    .collect();
                let waited = Wait::<VirtualRuntime, Boxed>::new(futures, when, timeout.map(ms)).await;
                let took = elapsed_since(start);
                let pending: Vec<usize> = waited.pending.iter().map(|(i, _)| *i).collect();
                // The pending futures were handed back unharmed: they finish on their own time.
                let later = weft::gather(waited.pending.into_iter().map(|(i, future)| async move {
                    let out = future.await;
                    (i, out, elapsed_since(start))
                }))
                .await;
                (waited.done, pending, took, later)
            });
            let all = max_delay(&jobs);
            let first = jobs.iter().map(|j| j.delay).min().unwrap_or(0);
            let first_error = jobs.iter().filter(|j| j.fails).map(|j| j.delay).min();
            let satisfied = match when {
                _ if jobs.is_empty() => 0,
                ReturnWhen::FirstCompleted => first,
                ReturnWhen::FirstError => first_error.unwrap_or(all).min(all),
                ReturnWhen::AllCompleted => all,
            };
            let returned = timeout.map_or(satisfied, |t| t.min(satisfied));
            prop_assert_eq!(took, ms(returned));
            done.sort_by_key(|(i, _)| *i);
            let model_done: Vec<(usize, Result<usize, usize>)> = jobs
                .iter()
                .enumerate()
                .filter(|(_, j)| j.delay <= returned)
                .map(|(i, j)| (i, if j.fails { Err(i) } else { Ok(i) }))
                .collect();
            prop_assert_eq!(done, model_done);
            let model_pending: Vec<usize> =
                (0..jobs.len()).filter(|&i| jobs[i].delay > returned).collect();
            prop_assert_eq!(&pending, &model_pending);
            for (i, out, at) in later {
                prop_assert_eq!(out, if jobs[i].fails { Err(i) } else { Ok(i) });
                prop_assert_eq!(at, ms(jobs[i].delay.max(returned)));
            }
            prop_assert_eq!(dropped.count(), jobs.len());
            Ok(())
        });
    }
}

reliability! {
    async fn race_returns_a_first_finisher_at_once_and_drops_the_losers() {
        check("race", jobs(10, 0.3), |jobs| {
            let dropped = Dropped::default();
            let (winner, took, dropped_at_return) = testing::run(async {
                let start = testing::now();
                let futures = jobs.iter().enumerate().map(|(i, &job)| run_job(i, job, &dropped));
                let winner = weft::race(futures).await;
                (winner, elapsed_since(start), dropped.count())
            });
            match jobs.iter().map(|j| j.delay).min() {
                None => prop_assert!(winner.is_none()),
                Some(first) => {
                    let (i, out) = winner.expect("a winner");
                    prop_assert_eq!(jobs[i].delay, first, "index {} did not finish first", i);
                    prop_assert_eq!(out, if jobs[i].fails { Err(i) } else { Ok(i) });
                    prop_assert_eq!(took, ms(first));
                }
            }
            prop_assert_eq!(dropped_at_return, jobs.len(), "the losers are dropped at once");
            Ok(())
        });
    }
}

reliability! {
    async fn first_ok_returns_the_first_success_or_every_error_in_input_order() {
        check("first_ok", jobs(10, 0.5), |jobs| {
            let dropped = Dropped::default();
            let (out, took, dropped_at_return) = testing::run(async {
                let start = testing::now();
                let futures = jobs.iter().enumerate().map(|(i, &job)| run_job(i, job, &dropped));
                let out = weft::first_ok(futures).await;
                (out, elapsed_since(start), dropped.count())
            });
            match jobs.iter().filter(|j| !j.fails).map(|j| j.delay).min() {
                Some(first) => {
                    let (i, value) = out.clone().expect("a success");
                    prop_assert!(!jobs[i].fails && jobs[i].delay == first, "got {:?}", out);
                    prop_assert_eq!(value, i);
                    prop_assert_eq!(took, ms(first));
                }
                None => {
                    prop_assert_eq!(out, Err((0..jobs.len()).collect::<Vec<_>>()));
                    prop_assert_eq!(took, ms(max_delay(&jobs)));
                }
            }
            prop_assert_eq!(dropped_at_return, jobs.len());
            Ok(())
        });
    }
}
