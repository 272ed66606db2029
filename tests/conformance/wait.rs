//! wait: FirstCompleted / FirstError / AllCompleted, timeouts, and pending futures handed back
//! unharmed. Timing on the virtual clock, so every instant is exact.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft::{Outcome, ReturnWhen, Waited};
use weft_core::wait::Wait;

use crate::support::{Counter, DropCounter, ms};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// `wait` on the virtual clock.
fn vwait<I>(
    futures: I,
    return_when: ReturnWhen,
    timeout: Option<Duration>,
) -> Wait<VirtualRuntime, <I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
    <I::Item as IntoFuture>::IntoFuture: Unpin,
    <I::Item as IntoFuture>::Output: Outcome,
{
    Wait::new(futures, return_when, timeout)
}

fn indices<F>(pending: &[(usize, F)]) -> Vec<usize> {
    pending.iter().map(|(i, _)| *i).collect()
}

type Job<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A boxed future that sleeps `s` virtual seconds, then gives `out`.
fn job<T: Send + 'static>(s: u64, out: T) -> Job<T> {
    Box::pin(async move {
        testing::sleep(secs(s)).await;
        out
    })
}

conformance! {
    async fn wait_first_completed_gives_one_done_and_hands_back_two_pending_tasks() {
        let guards = DropCounter::default();
        let reached_end = Counter::default();
        let (done, at, second) = testing::run(async {
            let start = testing::now();
            let tasks: Vec<_> = [1_u64, 2, 3]
                .into_iter()
                .map(|s| {
                    let guard = guards.guard();
                    let reached_end = reached_end.clone();
                    testing::spawn(async move {
                        let _guard = guard;
                        testing::sleep(secs(s)).await;
                        reached_end.bump();
                        format!("url{s}")
                    })
                })
                .collect();
            let Waited { done, pending } = vwait(tasks, ReturnWhen::FirstCompleted, None).await;
            let at = testing::now() - start;
            assert_eq!(indices(&pending), [1, 2]);
            assert_eq!(guards.dropped(), 1, "the pending tasks are alive");

            let mut pending = pending.into_iter();
            let (_, task) = pending.next().unwrap();
            let second = (task.await, testing::now() - start);
            let (_, task) = pending.next().unwrap();
            assert_eq!(task.cancel().await, None, "the last one is cancelled before it finishes");
            assert_eq!(guards.dropped(), 3);
            testing::sleep(secs(10)).await;
            (done, at, second)
        });
        assert_eq!(done, [(0, Ok("url1".to_string()))]);
        assert_eq!(at, secs(1));
        assert_eq!(second, (Ok("url2".to_string()), secs(2)), "a pending task is still completable");
        assert_eq!(reached_end.get(), 2, "the cancelled one never reached its end");
    }
}

conformance! {
    async fn wait_done_holds_every_future_finished_by_then_not_only_the_first() {
        let (done, pending) = testing::run(async {
            let jobs = vec![job(2, 'a'), job(1, 'b'), job(1, 'c'), job(3, 'd')];
            let Waited { mut done, pending } = vwait(jobs, ReturnWhen::FirstCompleted, None).await;
            done.sort();
            (done, indices(&pending))
        });
        assert_eq!(done, [(1, 'b'), (2, 'c')]);
        assert_eq!(pending, [0, 3]);
    }
}

conformance! {
    async fn wait_with_a_timeout_returns_what_is_done_and_the_rest_as_pending() {
        // The seeds' wait_with_timeout: two 5 s fetches, a 2 s timeout.
        let (done, pending, at) = testing::run(async {
            let start = testing::now();
            let tasks = [5_u64, 5].map(|s| testing::spawn(testing::sleep(secs(s))));
            let waited = vwait(tasks, ReturnWhen::AllCompleted, Some(secs(2))).await;
            let at = testing::now() - start;
            let pending = indices(&waited.pending);
            for (_, task) in waited.pending {
                assert_eq!(task.cancel().await, None);
            }
            (waited.done.len(), pending, at)
        });
        assert_eq!((done, pending, at), (0, vec![0, 1], secs(2)));
    }
}

conformance! {
    async fn wait_all_completed_with_a_timeout_keeps_what_finished_in_time() {
        let (done, pending, at) = testing::run(async {
            let start = testing::now();
            let jobs = vec![job(1, 10), job(3, 30), job(5, 50), job(2, 20)];
            let waited = vwait(jobs, ReturnWhen::AllCompleted, Some(Duration::from_millis(2_500))).await;
            let mut done = waited.done;
            done.sort();
            (done, indices(&waited.pending), testing::now() - start)
        });
        assert_eq!(done, [(0, 10), (3, 20)]);
        assert_eq!(pending, [1, 2]);
        assert_eq!(at, ms(2_500));
    }
}

conformance! {
    async fn wait_all_completed_without_timeout_waits_for_the_slowest() {
        let (done, at) = testing::run(async {
            let start = testing::now();
            let jobs = vec![job(3, "c"), job(1, "a"), job(2, "b")];
            let waited = vwait(jobs, ReturnWhen::AllCompleted, None).await;
            assert!(waited.pending.is_empty());
            (waited.done, testing::now() - start)
        });
        assert_eq!(done, [(1, "a"), (2, "b"), (0, "c")], "done is in finish order");
        assert_eq!(at, secs(3));
    }
}

conformance! {
    async fn wait_first_error_returns_at_the_first_err_with_everything_done_by_then() {
        let (done, pending, at) = testing::run(async {
            let start = testing::now();
            let jobs: Vec<Job<Result<u64, String>>> = vec![
                job(1, Ok(1)),
                job(2, Err("job 1 failed".to_string())),
                job(2, Ok(2)),
                job(3, Ok(3)),
            ];
            let waited = vwait(jobs, ReturnWhen::FirstError, None).await;
            let mut done = waited.done;
            done.sort();
            (done, indices(&waited.pending), testing::now() - start)
        });
        assert_eq!(done, [(0, Ok(1)), (1, Err("job 1 failed".to_string())), (2, Ok(2))]);
        assert_eq!(pending, [3]);
        assert_eq!(at, secs(2));
    }
}

conformance! {
    async fn wait_first_error_without_any_error_waits_for_all() {
        let (done, at) = testing::run(async {
            let start = testing::now();
            let jobs: Vec<Job<Result<u64, String>>> = vec![job(2, Ok(2)), job(1, Ok(1))];
            let waited = vwait(jobs, ReturnWhen::FirstError, None).await;
            assert!(waited.pending.is_empty());
            (waited.done, testing::now() - start)
        });
        assert_eq!(done, [(1, Ok(1)), (0, Ok(2))]);
        assert_eq!(at, secs(2));
    }
}

conformance! {
    async fn wait_first_error_uses_the_outputs_own_outcome() {
        #[derive(Debug, PartialEq)]
        struct Status(u16);
        impl Outcome for Status {
            fn is_failure(&self) -> bool {
                self.0 >= 500
            }
        }
        let (done, pending) = testing::run(async {
            let jobs = vec![job(1, Status(200)), job(2, Status(503)), job(3, Status(200))];
            let waited = vwait(jobs, ReturnWhen::FirstError, None).await;
            (waited.done, indices(&waited.pending))
        });
        assert_eq!(done, [(0, Status(200)), (1, Status(503))]);
        assert_eq!(pending, [2]);
    }
}

conformance! {
    async fn wait_of_nothing_returns_at_once_with_both_empty() {
        for return_when in [ReturnWhen::FirstCompleted, ReturnWhen::FirstError, ReturnWhen::AllCompleted] {
            let waited = weft::wait(Vec::<std::future::Ready<u8>>::new(), return_when, None).await;
            assert!(waited.done.is_empty() && waited.pending.is_empty());
        }
        let at = testing::run(async {
            let start = testing::now();
            let none: Vec<Job<()>> = Vec::new();
            vwait(none, ReturnWhen::AllCompleted, Some(secs(5))).await;
            testing::now() - start
        });
        assert_eq!(at, Duration::ZERO, "no waiting for the timeout");
    }
}

conformance! {
    async fn wait_with_a_zero_timeout_polls_each_future_once_and_returns() {
        let polled = Counter::default();
        let (done, pending, at) = testing::run(async {
            let start = testing::now();
            let jobs: Vec<_> = (0..3_u64)
                .map(|i| {
                    let polled = polled.clone();
                    Box::pin(async move {
                        polled.bump();
                        if i == 1 {
                            testing::sleep(secs(1)).await;
                        }
                        i
                    })
                })
                .collect();
            let waited = vwait(jobs, ReturnWhen::AllCompleted, Some(Duration::ZERO)).await;
            let mut done = waited.done;
            done.sort();
            (done, waited.pending, testing::now() - start)
        });
        assert_eq!(polled.get(), 3, "every future was polled");
        assert_eq!(done, [(0, 0), (2, 2)]);
        assert_eq!(indices(&pending), [1]);
        assert_eq!(at, Duration::ZERO);
    }
}

conformance! {
    async fn wait_hands_back_pending_futures_that_still_run_to_their_end() {
        let guards = DropCounter::default();
        let outputs = testing::run(async {
            let jobs: Vec<_> = [1_u64, 4, 6]
                .into_iter()
                .map(|s| {
                    let guard = guards.guard();
                    Box::pin(async move {
                        let _guard = guard;
                        testing::sleep(secs(s)).await;
                        s * 10
                    })
                })
                .collect();
            let waited = vwait(jobs, ReturnWhen::FirstCompleted, Some(secs(2))).await;
            assert_eq!(guards.dropped(), 1, "pending futures were not dropped");
            let start = testing::now();
            let mut outputs = Vec::new();
            for (i, future) in waited.pending {
                outputs.push((i, future.await, testing::now() - start));
            }
            outputs
        });
        // They kept their place in time: the 4 s one ends 3 s after the 1 s wait returned.
        assert_eq!(outputs, [(1, 40, secs(3)), (2, 60, secs(5))]);
        assert_eq!(guards.dropped(), 3);
    }
}

conformance! {
    async fn dropping_a_wait_drops_every_future_it_holds() {
        let guards = DropCounter::default();
        testing::run(async {
            let jobs: Vec<_> = (0..3)
                .map(|_| {
                    let guard = guards.guard();
                    Box::pin(async move {
                        let _guard = guard;
                        testing::sleep(secs(3_600)).await;
                    })
                })
                .collect();
            let out = weft_core::timeout::Timeout::<VirtualRuntime, _>::after(
                secs(1),
                vwait(jobs, ReturnWhen::AllCompleted, None),
            )
            .await;
            assert!(out.is_err());
        });
        assert_eq!(guards.dropped(), 3);
    }
}

conformance! {
    async fn outcome_covers_the_common_output_types() {
        fn fails<T: Outcome>(value: T) -> bool {
            value.is_failure()
        }
        assert!(fails(Err::<(), _>("x")));
        assert!(!fails(Ok::<_, ()>(1)));
        assert!(fails(Box::new(Err::<(), _>(1))));
        assert!(!fails(()) && !fails(true) && !fails(1_u8) && !fails(-1_i64) && !fails(1.5_f64));
        assert!(!fails('x') && !fails("str") && !fails(String::new()) && !fails(vec![1]));
        assert!(!fails(None::<u8>) && !fails((1,)) && !fails((1, "a")) && !fails((1, 2, 3, 4)));
    }
}

conformance! {
    async fn wait_on_spawned_tasks_on_the_real_clock() {
        let tasks = [1_u64, 60_000].map(|d| weft::spawn(async move {
            weft::sleep(ms(d)).await;
            d
        }));
        let waited = weft::wait(tasks, ReturnWhen::FirstCompleted, None).await;
        assert_eq!(waited.done, [(0, Ok(1))]);
        assert_eq!(indices(&waited.pending), [1]);
        for (_, task) in waited.pending {
            assert_eq!(task.cancel().await, None);
        }
    }
}
