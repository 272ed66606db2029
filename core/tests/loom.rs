//! Loom model checks of weft's hand-written synchronisation: every interleaving (up to loom's
//! preemption bound, `LOOM_MAX_PREEMPTIONS`) of the real code, with loom's atomics, mutexes and
//! event-listener swapped in (see `src/primitives.rs`).
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p weft-core --test loom --release` in a target
//! directory of its own (`cargo xtask test` and `cargo xtask soak` do). A lost wake-up shows as
//! loom's deadlock error, a broken invariant as a failed assertion in one interleaving.
//!
//! | code | checked |
//! |---|---|
//! | `sync/event.rs` | `set` racing a waiter's check-then-listen never loses the wake-up; `clear` racing `set` |
//! | `sync/notify.rs` | a `notify_one` after `notified()` always reaches that listener |
//! | `queue/priority.rs` | a bounded queue's put and get wake each other; `close` wakes a blocked get |
//! | `queue/unfinished.rs` | `join` returns after concurrent `task_done`s, never before the last |
//!
//! `pool/shared.rs` hands slots over through async-channel, which has no loom build of its own
//! (its `Arc` is std's, so loom reports false causality violations when the last receiver is
//! dropped): the pool is checked by the thread stress tests in `tests/reliability/stress.rs`.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use weft_core::PriorityQueue;
use weft_core::sync::{Event, Notify};

fn model(f: impl Fn() + Sync + Send + 'static) {
    loom::model::Builder::new().check(f);
}

#[test]
fn event_set_wakes_a_waiter_that_races_it() {
    model(|| {
        let event = Arc::new(Event::new());
        let setter = {
            let event = event.clone();
            thread::spawn(move || event.set())
        };
        loom::future::block_on(event.wait());
        assert!(event.is_set());
        setter.join().unwrap();
    });
}

#[test]
fn event_clear_racing_set_then_a_final_set_releases_the_waiter() {
    model(|| {
        let event = Arc::new(Event::new());
        let clearer = {
            let event = event.clone();
            thread::spawn(move || event.clear())
        };
        event.set();
        clearer.join().unwrap();
        // Either order is fine; after a final set every waiter returns.
        event.set();
        loom::future::block_on(event.wait());
    });
}

#[test]
fn notify_one_reaches_a_listener_registered_before_it() {
    model(|| {
        let notify = Arc::new(Notify::new());
        let listener = notify.notified();
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || {
                notify.notify_one();
            })
        };
        loom::future::block_on(listener);
        notifier.join().unwrap();
    });
}

#[test]
fn a_bounded_priority_queue_put_and_get_wake_each_other() {
    model(|| {
        let queue = PriorityQueue::bounded(1).unwrap();
        let producer = {
            let queue = queue.clone();
            thread::spawn(move || {
                loom::future::block_on(async {
                    queue.put(2).await.unwrap();
                    queue.put(1).await.unwrap(); // waits for the first get
                })
            })
        };
        let got = loom::future::block_on(async { (queue.get().await, queue.get().await) });
        assert_eq!(got, (Some(2), Some(1)));
        producer.join().unwrap();
        assert_eq!(queue.len(), 0);
    });
}

#[test]
fn close_wakes_a_blocked_get() {
    model(|| {
        let queue = PriorityQueue::<u8>::unbounded();
        let closer = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.close();
            })
        };
        assert_eq!(loom::future::block_on(queue.get()), None);
        closer.join().unwrap();
    });
}

#[test]
fn join_returns_once_concurrent_task_dones_bring_the_count_to_zero() {
    model(|| {
        let queue = PriorityQueue::unbounded();
        queue.try_put(1).unwrap();
        queue.try_put(2).unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (queue, done) = (queue.clone(), done.clone());
                thread::spawn(move || {
                    queue.try_get().unwrap();
                    done.fetch_add(1, Ordering::SeqCst);
                    queue.task_done().unwrap();
                })
            })
            .collect();
        loom::future::block_on(queue.join());
        assert_eq!(
            done.load(Ordering::SeqCst),
            2,
            "join returned before the last task_done"
        );
        assert_eq!(queue.unfinished(), 0);
        for w in workers {
            w.join().unwrap();
        }
    });
}
