//! pool: never more than max, FIFO waiting, acquire timeout, broken objects never reused,
//! close semantics, and cancellation while waiting.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft::pool::{Manager, PoolError};
use weft::testing::{self, VirtualRuntime};
use weft_core::timeout::Timeout;

use crate::support::ms;

type Pool<M> = weft_core::pool::Pool<VirtualRuntime, M>;

#[derive(Debug, PartialEq)]
struct Conn {
    id: u32,
}

/// A manager that counts what it does; its objects can be marked broken.
#[derive(Clone, Default)]
struct Db(Arc<DbState>);

#[derive(Default)]
struct DbState {
    next_id: AtomicU32,
    live: AtomicUsize,
    peak_live: AtomicUsize,
    checks: AtomicUsize,
    destroyed: Mutex<Vec<u32>>,
    broken: Mutex<HashSet<u32>>,
    refuse: AtomicBool,
    /// Virtual time each create takes.
    create_ms: AtomicU32,
}

impl Db {
    fn live(&self) -> usize {
        self.0.live.load(Ordering::SeqCst)
    }

    fn peak(&self) -> usize {
        self.0.peak_live.load(Ordering::SeqCst)
    }

    fn destroyed(&self) -> Vec<u32> {
        self.0.destroyed.lock().unwrap().clone()
    }

    fn created(&self) -> u32 {
        self.0.next_id.load(Ordering::SeqCst)
    }

    fn break_conn(&self, id: u32) {
        self.0.broken.lock().unwrap().insert(id);
    }
}

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection refused")
    }
}

impl std::error::Error for Refused {}

impl Manager for Db {
    type Object = Conn;
    type Error = Refused;

    async fn create(&self) -> Result<Conn, Refused> {
        let delay = self.0.create_ms.load(Ordering::SeqCst);
        if delay > 0 {
            testing::sleep(ms(u64::from(delay))).await;
        }
        if self.0.refuse.load(Ordering::SeqCst) {
            return Err(Refused);
        }
        let live = self.0.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.peak_live.fetch_max(live, Ordering::SeqCst);
        Ok(Conn {
            id: self.0.next_id.fetch_add(1, Ordering::SeqCst),
        })
    }

    async fn check(&self, conn: &mut Conn) -> Result<(), Refused> {
        self.0.checks.fetch_add(1, Ordering::SeqCst);
        if self.0.broken.lock().unwrap().contains(&conn.id) {
            Err(Refused)
        } else {
            Ok(())
        }
    }

    fn destroy(&self, conn: Conn) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
        self.0.destroyed.lock().unwrap().push(conn.id);
    }
}

conformance! {
    async fn min_size_objects_are_created_up_front() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).min_size(5).max_size(20).build().await.unwrap();
            assert_eq!(db.created(), 5);
            let status = pool.status();
            assert_eq!((status.size, status.idle, status.in_use, status.waiting, status.max), (5, 5, 0, 0, 20));
        });
    }
}

conformance! {
    async fn the_pool_never_holds_more_than_max_size_objects() {
        testing::run(async {
            let db = Db::default();
            db.0.create_ms.store(3, Ordering::SeqCst);
            let pool = Pool::builder(db.clone()).max_size(3).build().await.unwrap();
            let holders = Arc::new(AtomicUsize::new(0));
            let peak_holders = Arc::new(AtomicUsize::new(0));
            let tasks: Vec<_> = (0..20_u64)
                .map(|i| {
                    let (pool, holders, peak) = (pool.clone(), holders.clone(), peak_holders.clone());
                    testing::spawn(async move {
                        let conn = pool.acquire().await.unwrap();
                        peak.fetch_max(holders.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                        assert!(pool.status().size <= 3);
                        testing::sleep(ms(10 + i % 3)).await;
                        holders.fetch_sub(1, Ordering::SeqCst);
                        conn.id
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            assert_eq!(peak_holders.load(Ordering::SeqCst), 3);
            assert_eq!(db.peak(), 3, "never more than max_size objects alive");
            assert_eq!(db.created(), 3, "objects were reused, not recreated");
            assert_eq!(pool.status().idle, 3);
        });
    }
}

conformance! {
    async fn waiters_are_served_first_come_first_served() {
        testing::run(async {
            let pool = Pool::builder(Db::default()).max_size(1).build().await.unwrap();
            let held = pool.acquire().await.unwrap();
            let order = Arc::new(Mutex::new(Vec::new()));
            let waiters: Vec<_> = ["a", "b", "c"]
                .into_iter()
                .map(|name| {
                    let (pool, order) = (pool.clone(), order.clone());
                    testing::spawn(async move {
                        let conn = pool.acquire().await.unwrap();
                        order.lock().unwrap().push(name);
                        testing::sleep(ms(10)).await;
                        drop(conn);
                    })
                })
                .collect();
            testing::sleep(ms(1)).await;
            assert_eq!(pool.status().waiting, 3);
            drop(held);
            // Someone arriving now joins the back of the line, even at the instant of a release.
            let late = pool.acquire().await.unwrap();
            order.lock().unwrap().push("late");
            drop(late);
            for waiter in waiters {
                waiter.await.unwrap();
            }
            assert_eq!(*order.lock().unwrap(), ["a", "b", "c", "late"]);
        });
    }
}

conformance! {
    async fn acquire_times_out_when_every_object_is_out() {
        testing::run(async {
            let pool = Pool::builder(Db::default())
                .max_size(1)
                .acquire_timeout(ms(500))
                .build()
                .await
                .unwrap();
            let _held = pool.acquire().await.unwrap();
            let start = testing::now();
            let err = pool.acquire().await.unwrap_err();
            assert!(matches!(err, PoolError::Timeout));
            assert_eq!(err.to_string(), "timed out waiting for a pool object");
            assert_eq!(testing::now() - start, ms(500));
            assert_eq!(pool.status().waiting, 0, "the timed-out waiter left the line");
        });
    }
}

conformance! {
    async fn a_zero_acquire_timeout_still_gets_an_idle_object() {
        testing::run(async {
            let pool = Pool::builder(Db::default())
                .min_size(1)
                .max_size(1)
                .acquire_timeout(Duration::ZERO)
                .build()
                .await
                .unwrap();
            let conn = pool.acquire().await.unwrap();
            assert_eq!(conn.id, 0);
            assert!(matches!(pool.acquire().await, Err(PoolError::Timeout)));
        });
    }
}

conformance! {
    async fn a_broken_object_is_destroyed_once_and_never_handed_out_again() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).min_size(2).max_size(2).build().await.unwrap();
            db.break_conn(0);
            let mut handed_out = Vec::new();
            for _ in 0..10 {
                let a = pool.acquire().await.unwrap();
                let b = pool.acquire().await.unwrap();
                handed_out.extend([a.id, b.id]);
            }
            assert!(!handed_out.contains(&0), "the broken object never came out: {handed_out:?}");
            assert_eq!(db.destroyed(), [0], "destroyed exactly once");
            assert_eq!(db.created(), 3, "one replacement");
            assert_eq!(db.live(), 2);
            assert_eq!(pool.status().size, 2);
        });
    }
}

conformance! {
    async fn a_discarded_object_is_destroyed_and_its_slot_freed() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).max_size(1).build().await.unwrap();
            let conn = pool.acquire().await.unwrap();
            assert_eq!(conn.id, 0);
            conn.discard();
            assert_eq!(db.destroyed(), [0]);
            assert_eq!(pool.status().size, 0);
            assert_eq!(pool.acquire().await.unwrap().id, 1);
        });
    }
}

conformance! {
    async fn a_discard_hands_the_freed_slot_to_the_next_waiter() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).max_size(1).build().await.unwrap();
            let conn = pool.acquire().await.unwrap();
            let waiter = {
                let pool = pool.clone();
                testing::spawn(async move { pool.acquire().await.map(|c| c.id) })
            };
            testing::sleep(ms(1)).await;
            conn.discard();
            assert_eq!(waiter.await.unwrap().unwrap(), 1, "the waiter got a fresh object");
            assert_eq!(db.peak(), 1);
        });
    }
}

conformance! {
    async fn a_create_error_carries_its_cause_and_frees_the_slot() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).max_size(1).build().await.unwrap();
            db.0.refuse.store(true, Ordering::SeqCst);
            let err = pool.acquire().await.unwrap_err();
            assert!(matches!(err, PoolError::Create(Refused)));
            assert_eq!(err.to_string(), "could not create a pool object");
            let cause = std::error::Error::source(&err).unwrap();
            assert_eq!(cause.to_string(), "connection refused");
            assert_eq!(pool.status().size, 0, "the slot was freed");
            db.0.refuse.store(false, Ordering::SeqCst);
            assert!(pool.acquire().await.is_ok());
        });
    }
}

conformance! {
    async fn build_rejects_bad_sizes_and_failed_initial_objects() {
        testing::run(async {
            let err = Pool::builder(Db::default()).max_size(0).build().await.unwrap_err();
            assert!(matches!(&err, PoolError::Config(c) if c.setting() == "max_size"));
            let err = Pool::builder(Db::default()).min_size(3).max_size(2).build().await.unwrap_err();
            assert!(matches!(&err, PoolError::Config(c) if c.setting() == "min_size"));

            let db = Db::default();
            db.0.refuse.store(true, Ordering::SeqCst);
            let err = Pool::builder(db.clone()).min_size(2).build().await.unwrap_err();
            assert!(matches!(err, PoolError::Create(_)));
        });
    }
}

conformance! {
    async fn close_fails_waiters_and_destroys_lent_objects_as_they_return() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).min_size(2).max_size(2).build().await.unwrap();
            let first = pool.acquire().await.unwrap();
            let second = pool.acquire().await.unwrap();
            let waiter = {
                let pool = pool.clone();
                testing::spawn(async move { pool.acquire().await.map(|c| c.id) })
            };
            testing::sleep(ms(1)).await;
            assert_eq!(pool.status().waiting, 1);

            let closing = {
                let pool = pool.clone();
                testing::spawn(async move { pool.close().await })
            };
            assert!(matches!(waiter.await.unwrap(), Err(PoolError::Closed)));
            assert!(matches!(pool.acquire().await, Err(PoolError::Closed)));
            assert!(pool.status().closed);
            testing::sleep(ms(10)).await;
            assert!(!closing.is_finished(), "close waits for the objects still out");

            drop(first);
            assert_eq!(db.destroyed(), [0], "destroyed on return, not put back");
            testing::sleep(ms(10)).await;
            assert!(!closing.is_finished());
            drop(second);
            closing.await.unwrap();
            assert_eq!(db.destroyed(), [0, 1]);
            assert_eq!(db.live(), 0);
            assert_eq!(pool.status().size, 0);
            pool.close().await; // twice is harmless
        });
    }
}

conformance! {
    async fn close_with_nothing_out_destroys_every_idle_object_at_once() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).min_size(3).max_size(3).build().await.unwrap();
            let start = testing::now();
            pool.close().await;
            assert_eq!(testing::now(), start);
            assert_eq!(db.destroyed().len(), 3);
            assert_eq!(db.live(), 0);
        });
    }
}

conformance! {
    async fn an_object_created_while_closing_is_destroyed_not_handed_out() {
        testing::run(async {
            let db = Db::default();
            db.0.create_ms.store(100, Ordering::SeqCst);
            let pool = Pool::builder(db.clone()).max_size(1).build().await.unwrap();
            let acquiring = {
                let pool = pool.clone();
                testing::spawn(async move { pool.acquire().await.map(|c| c.id) })
            };
            testing::sleep(ms(10)).await;
            pool.close().await; // waits for the object being created
            assert!(matches!(acquiring.await.unwrap(), Err(PoolError::Closed)));
            assert_eq!(db.destroyed(), [0]);
            assert_eq!(db.live(), 0);
        });
    }
}

conformance! {
    async fn cancelling_a_waiting_acquire_leaks_no_slot() {
        testing::run(async {
            let pool = Pool::builder(Db::default()).max_size(1).build().await.unwrap();
            let held = pool.acquire().await.unwrap();
            let gave_up = Timeout::<VirtualRuntime, _>::after(ms(10), pool.acquire()).await;
            assert!(gave_up.is_err());
            assert_eq!(pool.status().waiting, 0);
            drop(held);
            let status = pool.status();
            assert_eq!((status.size, status.idle, status.waiting), (1, 1, 0));
            assert_eq!(pool.acquire().await.unwrap().id, 0);
        });
    }
}

conformance! {
    async fn a_waiter_cancelled_just_after_being_handed_an_object_gives_it_back() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).max_size(1).build().await.unwrap();
            let held = pool.acquire().await.unwrap();
            let waiter = {
                let pool = pool.clone();
                testing::spawn(async move { pool.acquire().await.map(|c| c.id) })
            };
            testing::sleep(ms(1)).await;
            drop(held); // handed to the waiter, which has not run yet
            drop(waiter); // and cancelled before it could take it
            testing::sleep(ms(1)).await; // the runtime drops the cancelled task's future
            let status = pool.status();
            assert_eq!((status.size, status.idle, status.in_use), (1, 1, 0));
            assert_eq!(pool.acquire().await.unwrap().id, 0);
            assert_eq!(db.created(), 1);
        });
    }
}

conformance! {
    async fn idle_objects_are_checked_on_checkout_and_new_ones_are_not() {
        testing::run(async {
            let db = Db::default();
            let pool = Pool::builder(db.clone()).max_size(2).build().await.unwrap();
            drop(pool.acquire().await.unwrap()); // created: no check
            assert_eq!(db.0.checks.load(Ordering::SeqCst), 0);
            drop(pool.acquire().await.unwrap()); // idle: checked
            assert_eq!(db.0.checks.load(Ordering::SeqCst), 1);
        });
    }
}

conformance! {
    async fn the_seeds_connection_pool_serves_concurrent_queries() {
        // AsyncDatabasePool(pool_size=3) / asyncpg.create_pool(min_size=5, max_size=20).
        let took = testing::run(async {
            let db = Db::default();
            db.0.create_ms.store(5, Ordering::SeqCst);
            let pool = Pool::builder(db.clone()).min_size(3).max_size(3).build().await.unwrap();
            let start = testing::now();
            let execute = |query: &'static str| {
                let pool = pool.clone();
                async move {
                    let conn = pool.acquire().await.unwrap();
                    testing::sleep(ms(50)).await;
                    format!("{query} on {}", conn.id)
                }
            };
            let results = weft::gather([
                execute("SELECT users"),
                execute("SELECT posts"),
                execute("SELECT comments"),
            ])
            .await;
            assert_eq!(results.len(), 3);
            let ids: HashSet<_> = results.iter().map(|r| r.rsplit(' ').next().unwrap().to_string()).collect();
            assert_eq!(ids.len(), 3, "three connections at once");
            pool.close().await;
            assert_eq!(db.live(), 0);
            testing::now() - start
        });
        assert_eq!(took, ms(50), "the three queries ran concurrently");
    }
}

conformance! {
    async fn pooled_objects_need_not_be_send() {
        // In the browser objects are often JsValues; natively a pool awaited in place may hold Rc.
        struct Shared;
        impl Manager for Shared {
            type Object = std::rc::Rc<std::cell::Cell<u32>>;
            type Error = std::convert::Infallible;
            async fn create(&self) -> Result<Self::Object, Self::Error> {
                Ok(Default::default())
            }
        }
        testing::run(async {
            let pool = Pool::builder(Shared).max_size(1).build().await.unwrap();
            for _ in 0..3 {
                let cell = pool.acquire().await.unwrap();
                testing::sleep(ms(1)).await;
                cell.set(cell.get() + 1);
            }
            assert_eq!(pool.acquire().await.unwrap().get(), 3);
        });
    }
}

/// A manager with no clock, for the real runtime.
struct Counter {
    live: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl Manager for Counter {
    type Object = ();
    type Error = std::convert::Infallible;

    async fn create(&self) -> Result<(), Self::Error> {
        let live = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(live, Ordering::SeqCst);
        Ok(())
    }

    fn destroy(&self, _: ()) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

conformance! {
    async fn many_tasks_on_real_threads_never_hold_more_than_max() {
        let (live, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let pool = weft::Pool::builder(Counter { live: live.clone(), peak: peak.clone() })
            .max_size(3)
            .build()
            .await
            .unwrap();
        let holding = Arc::new(AtomicUsize::new(0));
        let most_holding = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (pool, holding, most) = (pool.clone(), holding.clone(), most_holding.clone());
                weft::spawn(async move {
                    for i in 0..200 {
                        let guard = pool.acquire().await.unwrap();
                        most.fetch_max(holding.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                        if i % 10 == 0 {
                            weft::yield_now().await;
                        }
                        holding.fetch_sub(1, Ordering::SeqCst);
                        drop(guard);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert!(most_holding.load(Ordering::SeqCst) <= 3);
        assert!(peak.load(Ordering::SeqCst) <= 3);
        pool.close().await;
        assert_eq!(live.load(Ordering::SeqCst), 0);
    }
}
