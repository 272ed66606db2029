//! TaskGroup and scope: nothing outlives the group, the first failure cancels the siblings,
//! every failure is reported, children spawn children.

use std::error::Error as _;
use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft::{ChildFailure, GroupError};

use crate::support::{Counter, DropCounter, eventually, ms};

/// The group on the virtual clock.
type Group<T, E> = weft_core::group::TaskGroup<VirtualRuntime, T, E>;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

conformance! {
    async fn a_group_joins_every_child_with_outputs_in_spawn_order() {
        let (out, at) = testing::run(async {
            let start = testing::now();
            let group = Group::new();
            for s in [3_u64, 1, 2] {
                assert!(group.spawn(async move {
                    testing::sleep(secs(s)).await;
                    Ok::<_, String>(format!("processed_{s}"))
                }));
            }
            (group.join().await, testing::now() - start)
        });
        assert_eq!(out, Ok(vec!["processed_3".into(), "processed_1".into(), "processed_2".into()]));
        assert_eq!(at, secs(3), "the children ran concurrently");
    }
}

conformance! {
    async fn an_empty_group_joins_at_once() {
        let group: weft::TaskGroup<u8, String> = weft::TaskGroup::new();
        assert_eq!(group.join().await, Ok(vec![]));
        let out: Result<Vec<u8>, GroupError<String>> = weft::scope(|_group| async {}).await;
        assert_eq!(out, Ok(vec![]));
    }
}

conformance! {
    async fn the_first_failure_cancels_every_sibling() {
        let guards = DropCounter::default();
        let reached_end = Counter::default();
        let (err, at) = testing::run(async {
            let start = testing::now();
            let group = Group::new();
            for s in [5_u64, 1, 3, 10] {
                let guard = guards.guard();
                let reached_end = reached_end.clone();
                group.spawn(async move {
                    let _guard = guard;
                    testing::sleep(secs(s)).await;
                    if s == 1 {
                        return Err(format!("child of {s} s failed"));
                    }
                    reached_end.bump();
                    Ok(s)
                });
            }
            let err = group.join().await.unwrap_err();
            assert_eq!(guards.dropped(), 4, "every child stopped before join returned");
            let at = testing::now() - start;
            testing::sleep(secs(60)).await;
            (err, at)
        });
        assert_eq!(at, secs(1), "join returned at the failure, not after the slow siblings");
        assert_eq!(reached_end.get(), 0, "no sibling reached its end");
        assert_eq!(err.failures(), [(1, ChildFailure::Error("child of 1 s failed".to_string()))]);
        assert_eq!(err.spawned(), 4);
        assert_eq!(err.to_string(), "1 of 4 tasks in the group failed: child of 1 s failed");
    }
}

conformance! {
    async fn every_failure_is_reported_with_its_child_index() {
        let err = testing::run(async {
            let group = Group::<u64, std::io::Error>::new();
            for (s, fails) in [(5_u64, false), (2, true), (1, false), (2, true), (9, true)] {
                group.spawn(async move {
                    testing::sleep(secs(s)).await;
                    if fails { Err(std::io::Error::other(format!("child of {s} s failed"))) } else { Ok(s) }
                });
            }
            group.join().await.unwrap_err()
        });
        // Children 1 and 3 failed at the same instant, before either's cancellation reached the
        // other; child 4 would fail later but was cancelled first, which is not a failure.
        let mut failed: Vec<usize> = err.failures().iter().map(|(i, _)| *i).collect();
        failed.sort();
        assert_eq!(failed, [1, 3]);
        assert_eq!(err.errors().count(), 2);
        assert_eq!(err.panics().count(), 0);
        assert_eq!(err.spawned(), 5);
        assert_eq!(
            err.to_string(),
            "2 of 5 tasks in the group failed: first: child of 2 s failed"
        );
        assert_eq!(err.source().unwrap().to_string(), "child of 2 s failed");
    }
}

conformance! {
    async fn a_failure_cancels_the_siblings_even_before_join_is_awaited() {
        let guards = DropCounter::default();
        testing::run(async {
            let group = Group::new();
            let guard = guards.guard();
            group.spawn(async move {
                let _guard = guard;
                testing::sleep(secs(3_600)).await;
                Ok(())
            });
            group.spawn(async { Err("early failure") });
            testing::sleep(secs(1)).await;
            assert_eq!(guards.dropped(), 1, "the sibling was cancelled without anyone joining");
            assert_eq!(group.running(), 0);
            assert!(!group.spawn(async { Ok(()) }), "a failing group accepts no new child");
            assert!(group.join().await.is_err());
        });
    }
}

conformance! {
    async fn dropping_the_group_cancels_every_child() {
        let guards = DropCounter::default();
        let reached_end = Counter::default();
        let group = weft::TaskGroup::new();
        for _ in 0..5 {
            let guard = guards.guard();
            let reached_end = reached_end.clone();
            group.spawn(async move {
                let _guard = guard;
                weft::sleep(ms(100)).await;
                reached_end.bump();
                Ok::<_, String>(())
            });
        }
        let handle = group.handle();
        weft::sleep(ms(1)).await;
        drop(group);
        assert!(handle.is_closed());
        assert!(!handle.spawn(async { Ok(()) }), "nothing may start in a dropped group");
        eventually(ms(5_000), "every child is dropped", || guards.dropped() == 5).await;
        weft::sleep(ms(200)).await;
        assert_eq!(reached_end.get(), 0, "no child reached its end");
    }
}

conformance! {
    async fn dropping_the_join_future_cancels_every_child() {
        let guards = DropCounter::default();
        let left = testing::run(async {
            let group = Group::new();
            for _ in 0..3 {
                let guard = guards.guard();
                group.spawn(async move {
                    let _guard = guard;
                    testing::sleep(secs(3_600)).await;
                    Ok::<_, String>(())
                });
            }
            let handle = group.handle();
            let out = weft_core::timeout::Timeout::<VirtualRuntime, _>::after(secs(1), group.join()).await;
            assert!(out.is_err());
            // Let the executor drop the cancelled children.
            testing::sleep(secs(1)).await;
            handle.is_closed()
        });
        assert!(left);
        assert_eq!(guards.dropped(), 3);
    }
}

conformance! {
    async fn children_spawn_siblings_while_the_group_is_joined() {
        let (out, at) = testing::run(async {
            let start = testing::now();
            let group = Group::new();
            let handle = group.handle();
            group.spawn(async move {
                testing::sleep(secs(1)).await;
                let inner = handle.clone();
                handle.spawn(async move {
                    testing::sleep(secs(1)).await;
                    // A grandchild, spawned by a child that was itself spawned during join.
                    inner.spawn(async {
                        testing::sleep(secs(1)).await;
                        Ok::<_, String>("grandchild")
                    });
                    Ok("child")
                });
                Ok("parent")
            });
            (group.join().await, testing::now() - start)
        });
        assert_eq!(out, Ok(vec!["parent", "child", "grandchild"]));
        assert_eq!(at, secs(3), "join waited for the children spawned during it");
    }
}

conformance! {
    async fn spawning_into_a_joined_group_is_refused() {
        let group = weft::TaskGroup::new();
        let handle = group.handle();
        group.spawn(async { Ok::<_, String>(1) });
        assert_eq!(group.join().await, Ok(vec![1]));
        let dropped = DropCounter::default();
        let guard = dropped.guard();
        assert!(!handle.spawn(async move {
            let _guard = guard;
            Ok(2)
        }));
        assert_eq!(dropped.dropped(), 1, "the refused child was dropped unstarted");
    }
}

conformance! {
    async fn the_seeds_process_items_runs_every_item_concurrently() {
        let (out, at) = testing::run(async {
            let start = testing::now();
            let items = ["a", "b", "c", "d"];
            let out = weft_core::group::scope::<VirtualRuntime, _, String, _, _>(|group| async move {
                for item in items {
                    group.spawn(async move {
                        testing::sleep(secs(1)).await;
                        Ok(format!("processed_{item}"))
                    });
                }
            })
            .await;
            (out, testing::now() - start)
        });
        assert_eq!(out.unwrap(), ["processed_a", "processed_b", "processed_c", "processed_d"]);
        assert_eq!(at, secs(1));
    }
}

conformance! {
    async fn a_failing_child_cancels_the_scope_body_too() {
        let guards = DropCounter::default();
        let reached_end = Counter::default();
        let (out, at) = testing::run(async {
            let start = testing::now();
            let guard = guards.guard();
            let body_end = reached_end.clone();
            let out = weft_core::group::scope::<VirtualRuntime, (), _, _, _>(|group| async move {
                let _guard = guard;
                group.spawn(async {
                    testing::sleep(secs(1)).await;
                    Err("child failed")
                });
                testing::sleep(secs(3_600)).await;
                body_end.bump();
            })
            .await;
            (out, testing::now() - start)
        });
        assert_eq!(out.unwrap_err().first(), (0, &ChildFailure::Error("child failed")));
        assert_eq!(at, secs(1));
        assert_eq!(guards.dropped(), 1);
        assert_eq!(reached_end.get(), 0, "the body was cancelled");
    }
}

conformance! {
    async fn a_group_on_the_real_runtime_spreads_children_and_keeps_their_order() {
        let group = weft::TaskGroup::new();
        for i in 0..20_u64 {
            group.spawn(async move {
                weft::sleep(ms(20 - i)).await;
                Ok::<_, String>(i * i)
            });
        }
        assert_eq!(group.join().await, Ok((0..20).map(|i| i * i).collect::<Vec<_>>()));
    }
}

#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn a_panicking_child_is_reported_and_cancels_its_siblings() {
        let guards = DropCounter::default();
        let group = weft::TaskGroup::<(), String>::new();
        let guard = guards.guard();
        group.spawn(async move {
            let _guard = guard;
            weft::sleep(ms(60_000)).await;
            Ok(())
        });
        group.spawn(async {
            weft::sleep(ms(2)).await;
            panic!("child exploded")
        });
        let err = group.join().await.unwrap_err();
        assert_eq!(guards.dropped(), 1, "the sibling stopped before join returned");
        let (index, failure) = err.first();
        assert_eq!(index, 1);
        assert!(matches!(failure, ChildFailure::Panic(p) if p.panic_message() == Some("child exploded")));
        assert_eq!(err.to_string(), "1 of 2 tasks in the group failed: task panicked: child exploded");
        // The runtime goes on.
        assert_eq!(weft::spawn(async { 1 }).await, Ok(1));
    }
}

#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn join_waits_for_a_sibling_that_is_mid_poll_on_another_thread() {
        let guards = DropCounter::default();
        let started = Counter::default();
        let group = weft::TaskGroup::<(), String>::new();
        let guard = guards.guard();
        let flag = started.clone();
        group.spawn(async move {
            let _guard = guard;
            flag.bump();
            // Busy in a poll: cancellation can only land when this poll returns.
            std::thread::sleep(ms(100));
            weft::sleep(ms(60_000)).await;
            Ok(())
        });
        let seen = started.clone();
        group.spawn(async move {
            while seen.get() == 0 {
                weft::sleep(ms(1)).await;
            }
            Err("fail while the sibling is busy".to_string())
        });
        assert!(group.join().await.is_err());
        assert_eq!(guards.dropped(), 1, "join returned only after the busy sibling had stopped");
    }
}
