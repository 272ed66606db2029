//! Locks and signals: Event's set/clear/wait, Notify's one/all, and the seeds' Lock, Condition
//! and Barrier patterns.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use weft::sync::{Barrier, Event, Mutex, Notify, OnceCell, RwLock};
use weft::testing::{self, VirtualRuntime};
use weft_core::timeout::Timeout;

use crate::support::{Counter, DropCounter, eventually, ms};

/// `timeout` on the virtual clock.
fn within<F: std::future::IntoFuture>(d: Duration, f: F) -> Timeout<VirtualRuntime, F::IntoFuture> {
    Timeout::after(d, f.into_future())
}

conformance! {
    async fn event_wait_returns_at_once_when_set_and_suspends_after_clear() {
        let event = Event::new();
        assert!(!event.is_set());
        event.set();
        assert!(event.is_set());
        event.wait().await;
        event.wait().await;
        event.clear();
        assert!(!event.is_set());
        assert!(weft::timeout(ms(5), event.wait()).await.is_err());
    }
}

conformance! {
    async fn event_set_wakes_every_waiter_at_that_moment() {
        let woke_at = testing::run(async {
            let event = Arc::new(Event::new());
            let start = testing::now();
            let waiters: Vec<_> = (0..100)
                .map(|_| {
                    let event = event.clone();
                    testing::spawn(async move {
                        event.wait().await;
                        testing::now() - start
                    })
                })
                .collect();
            testing::sleep(ms(10)).await;
            event.set();
            weft::gather(waiters).await
        });
        assert_eq!(woke_at.len(), 100);
        assert!(woke_at.into_iter().all(|at| at == Ok(ms(10))));
    }
}

conformance! {
    async fn a_set_then_clear_pulse_wakes_the_waiters_of_that_moment_only() {
        let (early, late) = testing::run(async {
            let event = Arc::new(Event::new());
            let early: Vec<_> = (0..10)
                .map(|_| {
                    let event = event.clone();
                    testing::spawn(async move { event.wait().await })
                })
                .collect();
            testing::sleep(ms(1)).await; // every early waiter is waiting now
            event.set();
            event.clear(); // before any of them ran again
            let early = within(ms(100), weft::gather(early)).await.is_ok();
            let late = within(ms(100), event.wait()).await.is_ok();
            (early, late)
        });
        assert!(early, "waiters woken by set() return even though the event was cleared");
        assert!(!late, "a wait that starts after the pulse does not see it");
    }
}

conformance! {
    async fn event_set_and_wait_racing_across_tasks_never_lose_a_wake_up() {
        // Natively the waiter and the setter run on different threads; in the browser they
        // interleave on one. Either way every round must end.
        for round in 0..200 {
            let event = Arc::new(Event::new());
            let waiter = weft::spawn({
                let event = event.clone();
                async move { event.wait().await }
            });
            let setter = weft::spawn({
                let event = event.clone();
                async move {
                    if round % 2 == 0 {
                        weft::yield_now().await;
                    }
                    event.set();
                }
            });
            setter.await.unwrap();
            weft::timeout(Duration::from_secs(10), waiter)
                .await
                .unwrap_or_else(|_| panic!("round {round}: the waiter missed the set"))
                .unwrap();
        }
    }
}

conformance! {
    async fn a_dropped_wait_leaves_the_event_usable() {
        let event = Arc::new(Event::new());
        let guards = DropCounter::default();
        let guard = guards.guard();
        let cancelled = weft::timeout(ms(5), {
            let event = event.clone();
            async move {
                let _guard = guard;
                event.wait().await;
            }
        })
        .await;
        assert!(cancelled.is_err());
        assert_eq!(guards.dropped(), 1, "the waiting future was dropped");
        assert_eq!(format!("{event:?}"), "Event { is_set: false }");

        let waiter = weft::spawn({
            let event = event.clone();
            async move { event.wait().await }
        });
        event.set();
        weft::timeout(Duration::from_secs(10), waiter).await.unwrap().unwrap();
    }
}

conformance! {
    async fn notify_one_wakes_exactly_one_waiter_per_call_in_order() {
        let order = testing::run(async {
            let notify = Arc::new(Notify::new());
            let woke = Arc::new(std::sync::Mutex::new(Vec::new()));
            let waiters: Vec<_> = (0..3)
                .map(|i| {
                    let (notify, woke) = (notify.clone(), woke.clone());
                    testing::spawn(async move {
                        notify.notified().await;
                        woke.lock().unwrap().push(i);
                    })
                })
                .collect();
            testing::sleep(ms(1)).await;
            notify.notify_one();
            testing::sleep(ms(1)).await;
            let after_one = woke.lock().unwrap().clone();
            notify.notify_one();
            notify.notify_one();
            weft::gather(waiters).await;
            let all = woke.lock().unwrap().clone();
            (after_one, all)
        });
        assert_eq!(order.0, [0]);
        assert_eq!(order.1, [0, 1, 2]);
    }
}

conformance! {
    async fn notify_all_wakes_every_listener_and_a_lost_notification_is_not_kept() {
        testing::run(async {
            let notify = Arc::new(Notify::new());
            assert_eq!(notify.notify_all(), 0, "nobody listening: lost");
            let late = notify.notified();
            assert!(within(ms(10), late).await.is_err(), "the lost notification was not stored");

            let listeners: Vec<_> = (0..5).map(|_| notify.notified()).collect();
            assert_eq!(notify.notify_all(), 5);
            assert!(within(ms(10), weft::gather(listeners)).await.is_ok());
        });
    }
}

conformance! {
    async fn a_cancelled_notified_passes_its_wake_up_to_the_next_listener() {
        testing::run(async {
            let notify = Notify::new();
            let first = notify.notified();
            let second = notify.notified();
            assert_eq!(notify.notify_one(), 1);
            drop(first);
            assert!(within(ms(10), second).await.is_ok());
        });
    }
}

conformance! {
    async fn the_seeds_condition_pattern_hands_each_item_to_one_consumer() {
        // threading.Condition: consumers wait until the list has an item, the producer appends
        // and notifies one.
        struct Shelf {
            items: Mutex<Vec<u32>>,
            changed: Notify,
        }
        let shelf = Arc::new(Shelf { items: Mutex::new(Vec::new()), changed: Notify::new() });
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let shelf = shelf.clone();
                weft::spawn(async move {
                    let mut got = Vec::new();
                    while got.len() < 25 {
                        let changed = shelf.changed.notified();
                        let item = shelf.items.lock().await.pop();
                        match item {
                            Some(item) => got.push(item),
                            None => changed.await,
                        }
                    }
                    got
                })
            })
            .collect();
        for item in 0..100 {
            shelf.items.lock().await.push(item);
            shelf.changed.notify_one();
            if item % 10 == 0 {
                weft::yield_now().await;
            }
        }
        let mut all: Vec<u32> = weft::timeout(Duration::from_secs(30), weft::gather(consumers))
            .await
            .expect("a consumer missed a notification")
            .into_iter()
            .flat_map(Result::unwrap)
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>(), "every item consumed exactly once");
    }
}

conformance! {
    async fn the_seeds_locked_counter_is_exact() {
        let counter = Arc::new(Mutex::new(0_u32));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let counter = counter.clone();
                weft::spawn(async move {
                    for i in 0..1_000 {
                        let mut guard = counter.lock().await;
                        let seen = *guard;
                        if i % 100 == 0 {
                            weft::yield_now().await; // hold the lock across a suspension
                        }
                        *guard = seen + 1;
                    }
                })
            })
            .collect();
        weft::gather(tasks).await;
        assert_eq!(*counter.lock().await, 10_000);
    }
}

conformance! {
    async fn a_barrier_releases_everyone_when_the_last_arrives_with_one_leader() {
        let (times, leaders) = testing::run(async {
            let barrier = Arc::new(Barrier::new(3));
            let start = testing::now();
            let tasks: Vec<_> = [5_u64, 10, 30]
                .into_iter()
                .map(|d| {
                    let barrier = barrier.clone();
                    testing::spawn(async move {
                        testing::sleep(ms(d)).await;
                        let result = barrier.wait().await;
                        (testing::now() - start, result.is_leader())
                    })
                })
                .collect();
            let out: Vec<_> = weft::gather(tasks).await.into_iter().map(Result::unwrap).collect();
            let times: Vec<_> = out.iter().map(|(t, _)| *t).collect();
            (times, out.iter().filter(|(_, leader)| *leader).count())
        });
        assert_eq!(times, [ms(30), ms(30), ms(30)]);
        assert_eq!(leaders, 1);
    }
}

conformance! {
    async fn once_cell_runs_its_initialiser_once_for_concurrent_callers() {
        let cell = Arc::new(OnceCell::new());
        let runs = Counter::default();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (cell, runs) = (cell.clone(), runs.clone());
                weft::spawn(async move {
                    *cell
                        .get_or_init(|| async {
                            runs.bump();
                            weft::sleep(ms(5)).await;
                            42
                        })
                        .await
                })
            })
            .collect();
        let values: Vec<_> = weft::gather(tasks).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(values, [42; 8]);
        assert_eq!(runs.get(), 1);
    }
}

conformance! {
    async fn rwlock_lets_readers_share_and_writers_exclude() {
        let lock = Arc::new(RwLock::new(0));
        let reading = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let (lock, reading, most) = (lock.clone(), reading.clone(), most.clone());
                weft::spawn(async move {
                    let guard = lock.read().await;
                    let now = reading.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    eventually(Duration::from_secs(10), "all readers inside", || {
                        most.load(Ordering::SeqCst) == 4
                    })
                    .await;
                    reading.fetch_sub(1, Ordering::SeqCst);
                    *guard
                })
            })
            .collect();
        assert_eq!(weft::gather(readers).await.into_iter().map(Result::unwrap).sum::<i32>(), 0);
        *lock.write().await += 1;
        assert_eq!(*lock.read().await, 1);
        assert!(lock.try_write().is_some());
    }
}
