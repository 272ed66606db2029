//! Stress (native only): many threads against weft's hand-written synchronisation, each test
//! checking one invariant many times over. Where a lost wake-up would hang, a watchdog turns it
//! into a failure.
//!
//! | code | invariant |
//! |---|---|
//! | `sync/event.rs` (flag + event-listener) | a waiter that starts before or while `set` runs always wakes |
//! | `queue/priority.rs` (mutex + two events) | many producers and consumers: no item lost or got twice, capacity never exceeded, close wakes every consumer |
//! | `queue/unfinished.rs` (atomic count + event) | `join` returns only once every `task_done` happened, and always does |
//! | `pool/shared.rs` (mutex, waiter line, leases) | never more objects than `max_size`, a broken object never handed out, no acquire hangs, close destroys every object |
//! | `rate.rs` (mutex + start log) | `try_acquire` from many threads at once: exactly the free slots are granted, never more than `max` in a window |
//! | `group/state.rs` (mutex + live counts) | `join` returns only when every child has stopped, with exactly the failures that happened |
//!
//! The loom tests (`core/tests/loom.rs`, run by `cargo xtask test`) explore every interleaving of
//! the first three; these tests cover the rest, and the first three under real threads.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::Duration;

use weft::sync::Event;
use weft::{Instant, PriorityQueue, Queue, Runtime};
use weft_core::rate::RateLimiter;

use crate::support::{report, scale, seed};

/// Runs `f` on a thread and fails if it does not finish within `limit`: a hang becomes a failure.
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("hung (no result within {limit:?}): {what}"))
}

const WATCHDOG: Duration = Duration::from_secs(120);

#[test]
fn an_event_set_from_another_thread_wakes_every_waiter() {
    let rounds = scale(300, 5_000);
    within(WATCHDOG, "Event waiters", move || {
        for round in 0..rounds {
            let event = Arc::new(Event::new());
            let start = Arc::new(Barrier::new(5));
            let waiters: Vec<_> = (0..4)
                .map(|w| {
                    let (event, start) = (event.clone(), start.clone());
                    thread::spawn(move || {
                        start.wait();
                        if w % 2 == 0 {
                            event.wait_blocking();
                        } else {
                            weft::block_on(event.wait());
                        }
                        assert!(event.is_set());
                    })
                })
                .collect();
            start.wait();
            // Race the set against the waiters' check-then-register.
            for _ in 0..(round % 64) {
                std::hint::spin_loop();
            }
            event.set();
            for waiter in waiters {
                waiter.join().unwrap();
            }
            event.clear();
            assert!(!event.is_set());
        }
    });
    report(&format!(
        "stress: Event: {rounds} rounds of 4 waiters racing set: 0 lost wake-ups"
    ));
}

#[test]
fn a_priority_queue_shared_by_many_threads_loses_nothing() {
    let per_producer = scale(5_000, 100_000);
    let (producers, consumers, capacity) = (4, 4, 8);
    let seed = seed();
    let got = within(
        WATCHDOG,
        "PriorityQueue producers and consumers",
        move || {
            let queue = PriorityQueue::bounded(capacity).unwrap();
            let over_capacity = Arc::new(AtomicBool::new(false));
            let producing: Vec<_> = (0..producers)
                .map(|p| {
                    let queue = queue.clone();
                    let mut rng = fastrand::Rng::with_seed(seed ^ p as u64);
                    thread::spawn(move || {
                        weft::block_on(async {
                            for i in 0..per_producer {
                                let id = p * per_producer + i;
                                queue.put((rng.u8(0..8), id)).await.unwrap();
                            }
                        })
                    })
                })
                .collect();
            let consuming: Vec<_> = (0..consumers)
                .map(|_| {
                    let (queue, over) = (queue.clone(), over_capacity.clone());
                    thread::spawn(move || {
                        weft::block_on(async {
                            let mut got = Vec::new();
                            while let Some((_, id)) = queue.get().await {
                                if queue.len() > capacity {
                                    over.store(true, Ordering::SeqCst);
                                }
                                queue.task_done().unwrap();
                                got.push(id);
                            }
                            got
                        })
                    })
                })
                .collect();
            for p in producing {
                p.join().unwrap();
            }
            weft::block_on(queue.join());
            assert_eq!(queue.unfinished(), 0);
            queue.close();
            let mut got: Vec<usize> = consuming
                .into_iter()
                .flat_map(|c| c.join().unwrap())
                .collect();
            assert!(!over_capacity.load(Ordering::SeqCst), "capacity exceeded");
            got.sort_unstable();
            got
        },
    );
    let total = producers * per_producer;
    assert_eq!(got.len(), total, "items lost or got twice (seed {seed})");
    assert!(
        got.iter().enumerate().all(|(i, &id)| i == id),
        "items lost or got twice (seed {seed})"
    );
    report(&format!(
        "stress: PriorityQueue: {total} items, {producers} producer and {consumers} consumer threads, capacity {capacity}: 0 lost, 0 twice"
    ));
}

#[test]
fn queue_join_returns_only_once_every_item_is_done() {
    let rounds = scale(200, 2_000);
    within(WATCHDOG, "Queue join", move || {
        for _ in 0..rounds {
            let queue = Queue::unbounded();
            let done = Arc::new(AtomicUsize::new(0));
            for i in 0..64 {
                queue.try_put(i).unwrap();
            }
            let workers: Vec<_> = (0..3)
                .map(|_| {
                    let (queue, done) = (queue.clone(), done.clone());
                    thread::spawn(move || {
                        while let Ok(_item) = queue.try_get() {
                            done.fetch_add(1, Ordering::SeqCst);
                            queue.task_done().unwrap();
                        }
                    })
                })
                .collect();
            weft::block_on(queue.join());
            assert_eq!(done.load(Ordering::SeqCst), 64, "join returned early");
            assert!(
                queue.task_done().is_err(),
                "one task_done too many is refused"
            );
            for w in workers {
                w.join().unwrap();
            }
        }
    });
    report(&format!(
        "stress: Queue join: {rounds} rounds of 64 items over 3 threads: join never early, never hung"
    ));
}

/// Objects that know whether they are broken; the manager counts them.
struct Conn {
    broken: bool,
}

#[derive(Clone, Default)]
struct Conns {
    live: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    made: Arc<AtomicUsize>,
}

impl weft::pool::Manager for Conns {
    type Object = Conn;
    type Error = ();

    fn create(&self) -> impl Future<Output = Result<Conn, ()>> + weft::MaybeSend {
        let live = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(live, Ordering::SeqCst);
        self.made.fetch_add(1, Ordering::SeqCst);
        async { Ok(Conn { broken: false }) }
    }

    fn check(&self, conn: &mut Conn) -> impl Future<Output = Result<(), ()>> + weft::MaybeSend {
        let ok = !conn.broken;
        async move { if ok { Ok(()) } else { Err(()) } }
    }

    fn destroy(&self, _conn: Conn) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn a_pool_shared_by_many_threads_never_exceeds_its_size_or_lends_a_broken_object() {
    let ops = scale(2_000, 50_000);
    let (threads, max) = (8, 3);
    let seed = seed();
    let conns = Conns::default();
    let manager = conns.clone();
    within(WATCHDOG, "Pool acquire/release", move || {
        let pool = weft::block_on(
            weft::Pool::builder(manager)
                .max_size(max)
                .acquire_timeout(Duration::from_secs(60))
                .build(),
        )
        .unwrap();
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let pool = pool.clone();
                let mut rng = fastrand::Rng::with_seed(seed ^ t as u64);
                thread::spawn(move || {
                    weft::block_on(async {
                        for _ in 0..ops / threads {
                            let mut conn = pool.acquire().await.expect("no acquire times out");
                            assert!(!conn.broken, "a broken object was handed out");
                            match rng.u8(0..10) {
                                0 => conn.broken = true, // found broken: checked out next time
                                1 => conn.discard(),
                                2 => weft::yield_now().await,
                                _ => {}
                            }
                        }
                    })
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let status = pool.status();
        assert_eq!(status.in_use, 0);
        assert!(status.size <= max);
        weft::block_on(pool.close());
    });
    assert!(
        conns.most.load(Ordering::SeqCst) <= max,
        "more than max_size objects alive"
    );
    assert_eq!(
        conns.live.load(Ordering::SeqCst),
        0,
        "close destroys every object"
    );
    report(&format!(
        "stress: Pool: {ops} acquires over {threads} threads, max_size {max}: at most {} alive, {} made, \
         0 broken lent, 0 hung, 0 left after close",
        conns.most.load(Ordering::SeqCst),
        conns.made.load(Ordering::SeqCst),
    ));
}

/// A runtime whose clock the test moves by hand (only `now` is used: `try_acquire` never sleeps).
struct Manual;

static MANUAL_BASE: OnceLock<Instant> = OnceLock::new();
static MANUAL_MICROS: AtomicU64 = AtomicU64::new(0);

impl Runtime for Manual {
    type Sleep = <weft::DefaultRuntime as Runtime>::Sleep;

    fn sleep(duration: Duration) -> Self::Sleep {
        weft::sleep(duration)
    }

    fn sleep_until(deadline: Instant) -> Self::Sleep {
        weft::sleep_until(deadline)
    }

    fn now() -> Instant {
        *MANUAL_BASE.get_or_init(Instant::now)
            + Duration::from_micros(MANUAL_MICROS.load(Ordering::SeqCst))
    }

    fn spawn<F>(future: F) -> weft::Task<F::Output>
    where
        F: Future + weft::MaybeSend + 'static,
        F::Output: weft::MaybeSend + 'static,
    {
        weft::spawn(future)
    }
}

#[test]
fn try_acquire_from_many_threads_grants_exactly_the_free_slots() {
    let phases = scale(500, 10_000);
    let (threads, tries, max) = (4, 3, 5);
    let per = Duration::from_millis(10);
    let seed = seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let limiter = RateLimiter::<Manual>::new(max, per).unwrap();
    let barrier = Arc::new(Barrier::new(threads + 1));
    let granted = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let hammers: Vec<_> = (0..threads)
        .map(|_| {
            let (limiter, barrier, granted, stop) = (
                limiter.clone(),
                barrier.clone(),
                granted.clone(),
                stop.clone(),
            );
            thread::spawn(move || {
                loop {
                    barrier.wait();
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    for _ in 0..tries {
                        if limiter.try_acquire() {
                            granted.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    barrier.wait();
                }
            })
        })
        .collect();
    let mut log: Vec<(u64, usize)> = Vec::new();
    let mut now = 0;
    for _ in 0..phases {
        now += rng.u64(0..=4_000);
        MANUAL_MICROS.store(now, Ordering::SeqCst);
        barrier.wait();
        barrier.wait();
        let got = granted.swap(0, Ordering::SeqCst);
        let in_window: usize = log
            .iter()
            .filter(|(at, _)| *at + per.as_micros() as u64 > now)
            .map(|(_, n)| n)
            .sum();
        let free = max - in_window;
        assert_eq!(
            got,
            free.min(threads * tries),
            "phase at {now} µs (seed {seed})"
        );
        log.push((now, got));
    }
    stop.store(true, Ordering::SeqCst);
    barrier.wait();
    for h in hammers {
        h.join().unwrap();
    }
    let total: usize = log.iter().map(|(_, n)| n).sum();
    report(&format!(
        "stress: RateLimiter: {phases} instants, {threads} threads racing try_acquire: {total} granted, \
         exactly the free slots every time"
    ));
}

#[test]
fn a_task_group_joined_under_threads_stops_every_child_and_reports_exactly_the_failures() {
    let groups = scale(300, 5_000);
    let seed = seed();
    let failures = within(WATCHDOG, "TaskGroup join", move || {
        weft::block_on(async move {
            let mut failures = 0;
            for g in 0..groups {
                let mut rng = fastrand::Rng::with_seed(seed ^ g as u64);
                let alive = Arc::new(AtomicUsize::new(0));
                let failed = Arc::new(Mutex::new(Vec::new()));
                let group: weft::TaskGroup<usize, usize> = weft::TaskGroup::new();
                let handle = group.handle();
                for child in 0..8 {
                    let fails = rng.u8(0..20) == 0;
                    let spins = rng.u32(0..200);
                    let (alive, failed, handle) = (alive.clone(), failed.clone(), handle.clone());
                    let _ = group.spawn(async move {
                        struct Alive(Arc<AtomicUsize>);
                        impl Drop for Alive {
                            fn drop(&mut self) {
                                self.0.fetch_sub(1, Ordering::SeqCst);
                            }
                        }
                        alive.fetch_add(1, Ordering::SeqCst);
                        let _alive = Alive(alive.clone());
                        if child == 0 {
                            // A grandchild through the handle, racing the siblings' failures.
                            alive.fetch_add(1, Ordering::SeqCst);
                            let grand = Alive(alive.clone());
                            let _ = handle.spawn(async move {
                                let _grand = grand;
                                weft::yield_now().await;
                                Ok(100)
                            });
                        }
                        for _ in 0..spins % 4 {
                            weft::yield_now().await;
                        }
                        for _ in 0..spins {
                            std::hint::spin_loop();
                        }
                        if fails {
                            // Reached the failing return: from here it is reported, whatever else happens.
                            failed.lock().unwrap().push(child);
                            Err(child)
                        } else {
                            Ok(child)
                        }
                    });
                }
                drop(handle);
                let out = group.join().await;
                assert_eq!(
                    alive.load(Ordering::SeqCst),
                    0,
                    "a child outlived join (group {g}, seed {seed})"
                );
                let mut model = failed.lock().unwrap().clone();
                model.sort_unstable();
                match out {
                    Ok(outputs) => assert!(model.is_empty() && outputs.len() >= 8),
                    Err(error) => {
                        let mut reported: Vec<usize> = error.errors().map(|(_, e)| *e).collect();
                        reported.sort_unstable();
                        assert_eq!(reported, model, "group {g} (seed {seed})");
                        failures += reported.len();
                    }
                }
            }
            failures
        })
    });
    report(&format!(
        "stress: TaskGroup: {groups} groups of 8 children (+1 grandchild) on the executor threads, \
         {failures} failures: every one reported, 0 children outlived join"
    ));
}
