//! Semaphore, Limiter and map_concurrent: never more than n in flight, order, laziness, drop.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_lite::StreamExt;
use futures_lite::future::poll_once;
use weft::Limiter;
use weft::testing;

use crate::support::{Counter, DropCounter, ms};

/// Counts how many futures are inside `track` at once and the most there ever were.
#[derive(Clone, Default)]
struct Concurrency {
    now: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl Concurrency {
    async fn track<T>(&self, future: impl Future<Output = T>) -> T {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let out = future.await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        out
    }

    fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }
}

conformance! {
    async fn a_limiter_never_runs_more_than_n_at_once() {
        let (most, took) = testing::run(async {
            let limiter = Limiter::new(3).unwrap();
            let seen = Concurrency::default();
            let t0 = testing::now();
            let jobs = (0..20_u64).map(|i| {
                let (limiter, seen) = (limiter.clone(), seen.clone());
                limiter.clone().run(async move {
                    seen.track(async {
                        assert!(limiter.in_flight() <= 3);
                        testing::sleep(ms(10 + i % 4)).await;
                    })
                    .await
                })
            });
            weft::gather(jobs).await;
            assert_eq!(limiter.in_flight(), 0);
            (seen.most(), testing::now() - t0)
        });
        assert_eq!(most, 3);
        // 20 jobs of 10-13 ms, 3 at a time, cannot take less than 7 rounds of 10 ms.
        assert!(took >= ms(70), "took {took:?}");
    }
}

conformance! {
    async fn a_limiter_of_one_serialises() {
        let (order, took) = testing::run(async {
            let limiter = Limiter::new(1).unwrap();
            let order = RefCell::new(Vec::new());
            let t0 = testing::now();
            let jobs = (0..5).map(|i| {
                let order = &order;
                limiter.run(async move {
                    order.borrow_mut().push(("start", i));
                    testing::sleep(ms(100)).await;
                    order.borrow_mut().push(("end", i));
                })
            });
            weft::gather(jobs).await;
            (order.into_inner(), testing::now() - t0)
        });
        // One at a time: every start is followed by its own end before the next start.
        assert_eq!(order.len(), 10);
        for pair in order.chunks(2) {
            assert_eq!((pair[0].0, pair[1].0), ("start", "end"));
            assert_eq!(pair[0].1, pair[1].1);
        }
        let mut ran: Vec<_> = order.iter().step_by(2).map(|(_, i)| *i).collect();
        ran.sort();
        assert_eq!(ran, [0, 1, 2, 3, 4]);
        assert_eq!(took, ms(500));
    }
}

conformance! {
    async fn a_limit_of_zero_is_a_config_error() {
        let err = Limiter::new(0).unwrap_err();
        assert_eq!(err.setting(), "limit");
        assert_eq!(err.to_string(), "invalid limit: must be at least 1, got 0");
        let ordered = weft::map_concurrent([1, 2], 0, |x| async move { x });
        assert_eq!(ordered.unwrap_err().setting(), "limit");
        let unordered = weft::map_concurrent_unordered([1, 2], 0, |x| async move { x });
        assert_eq!(unordered.unwrap_err().setting(), "limit");
        // Nothing is left broken: the next limiter works.
        assert_eq!(Limiter::new(1).unwrap().run(async { 5 }).await, 5);
    }
}

conformance! {
    async fn a_waiter_that_gives_up_takes_no_permit_and_the_next_one_proceeds() {
        testing::run(async {
            let limiter = Limiter::new(1).unwrap();
            let (open, gate) = gate();
            let mut holder = Box::pin(limiter.run(gate));
            assert!(poll_once(&mut holder).await.is_none());
            assert_eq!(limiter.in_flight(), 1);

            let mut quitter = Box::pin(limiter.run(async { "quitter" }));
            assert!(poll_once(&mut quitter).await.is_none());
            // The patient waiter is a task: it runs again only if something wakes it.
            let patient = testing::spawn(limiter.run(async { "patient" }));
            for _ in 0..3 {
                weft::yield_now().await;
            }
            assert!(!patient.is_finished());

            // The permit is released while the quitter is first in line; the quitter then leaves
            // without being polled again. The permit must pass on to the patient, not vanish
            // (if it did, the virtual runtime would report a deadlock here).
            open.set(true);
            assert_eq!(poll_once(&mut holder).await, Some(()));
            drop(quitter);
            assert_eq!(patient.await.unwrap(), "patient");
            assert_eq!(limiter.in_flight(), 0);
        });
    }
}

/// A future that stays pending until its flag is set, and a handle to set the flag.
fn gate() -> (Rc<Cell<bool>>, impl Future<Output = ()>) {
    let flag = Rc::new(Cell::new(false));
    let seen = flag.clone();
    let future = std::future::poll_fn(move |_| {
        if seen.get() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    });
    (flag, future)
}

conformance! {
    async fn a_limited_run_dropped_while_running_releases_its_permit() {
        let guards = DropCounter::default();
        let limiter = Limiter::new(1).unwrap();
        let guard = guards.guard();
        let out = weft::timeout(ms(10), limiter.run(async move {
            let _guard = guard;
            std::future::pending::<()>().await
        }))
        .await;
        assert!(out.is_err());
        assert_eq!(guards.dropped(), 1, "the inner future was dropped");
        assert_eq!(limiter.in_flight(), 0);
        assert_eq!(limiter.run(async { 1 }).await, 1);
    }
}

conformance! {
    async fn map_concurrent_keeps_input_order_whatever_the_finish_order() {
        let (out, took) = testing::run(async {
            let t0 = testing::now();
            let out = weft::map_concurrent([300_u64, 100, 200, 50], 2, |d| async move {
                testing::sleep(ms(d)).await;
                d
            })
            .unwrap()
            .await;
            (out, testing::now() - t0)
        });
        assert_eq!(out, [300, 100, 200, 50]);
        // Slots: 300 | 100 then 200 (ends at 300) then 50 (ends at 350).
        assert_eq!(took, ms(350));
    }
}

conformance! {
    async fn map_concurrent_unordered_yields_in_finish_order_with_input_indices() {
        let out: Vec<(usize, u64)> = testing::run(async {
            weft::map_concurrent_unordered([300_u64, 100, 200, 50], 2, |d| async move {
                testing::sleep(ms(d)).await;
                d
            })
            .unwrap()
            .collect()
            .await
        });
        assert_eq!(out, [(1, 100), (0, 300), (2, 200), (3, 50)]);
    }
}

conformance! {
    async fn map_concurrent_of_nothing_is_empty() {
        let none = weft::map_concurrent(Vec::<u32>::new(), 4, |x| async move { x }).unwrap().await;
        assert!(none.is_empty());
        let mut stream = weft::map_concurrent_unordered(Vec::<u32>::new(), 4, |x| async move { x }).unwrap();
        assert_eq!(stream.next().await, None);
        assert_eq!(stream.next().await, None, "stays ended");
    }
}

conformance! {
    async fn map_concurrent_pulls_items_lazily_and_never_exceeds_the_limit() {
        let pulled = Counter::default();
        let finished = Counter::default();
        let seen = Concurrency::default();
        let out = testing::run(async {
            let items = (0..50_u64).inspect(|_| {
                pulled.bump();
                assert!(pulled.get() - finished.get() <= 4, "an item was pulled without room");
            });
            weft::map_concurrent(items, 4, |i| {
                let (seen, finished) = (seen.clone(), finished.clone());
                async move {
                    let out = seen.track(testing::sleep(ms(1 + i % 7))).await;
                    finished.bump();
                    out
                }
            })
            .unwrap()
            .await
        });
        assert_eq!(out.len(), 50);
        assert_eq!(seen.most(), 4);
        assert_eq!((pulled.get(), finished.get()), (50, 50));
    }
}

conformance! {
    async fn map_concurrent_with_a_limit_of_one_serialises() {
        let took = testing::run(async {
            let t0 = testing::now();
            let out = weft::map_concurrent(0..4_u64, 1, |i| async move {
                testing::sleep(ms(25)).await;
                i
            })
            .unwrap()
            .await;
            assert_eq!(out, [0, 1, 2, 3]);
            testing::now() - t0
        });
        assert_eq!(took, ms(100));
    }
}

conformance! {
    async fn an_unread_stream_starts_no_new_work() {
        let started = Counter::default();
        let mut stream = weft::map_concurrent_unordered(0..100, 3, |i| {
            started.bump();
            async move { i }
        })
        .unwrap();
        let (index, value) = stream.next().await.unwrap();
        assert!(index < 3 && value == index);
        assert_eq!(started.get(), 3, "only one window was started");
        drop(stream);
        assert_eq!(started.get(), 3);
    }
}

conformance! {
    async fn dropping_map_concurrent_cancels_the_futures_in_flight() {
        let guards = DropCounter::default();
        let started = Counter::default();
        testing::run(async {
            let work = weft::map_concurrent(0..10_u64, 3, |i| {
                started.bump();
                let guard = guards.guard();
                async move {
                    let _guard = guard;
                    testing::sleep(ms(100 * (i + 1))).await;
                }
            })
            .unwrap();
            // After 250 ms: items 0 and 1 finished, 2, 3, 4 in flight.
            let out = weft_core::timeout::Timeout::<testing::VirtualRuntime, _>::after(ms(250), work).await;
            assert!(out.is_err());
        });
        assert_eq!(started.get(), 5);
        assert_eq!(guards.dropped(), 5, "every started future was dropped");
    }
}

/// The seeds' `RateLimitedClient`: `asyncio.Semaphore(max_concurrent)` around each fetch, and
/// `fetch_many` gathering them all.
struct RateLimitedClient {
    limiter: Limiter,
    seen: Concurrency,
}

impl RateLimitedClient {
    fn new(max_concurrent: usize) -> Result<Self, weft_core::ConfigError> {
        Ok(RateLimitedClient {
            limiter: Limiter::new(max_concurrent)?,
            seen: Concurrency::default(),
        })
    }

    async fn fetch(&self, url: String) -> String {
        self.limiter
            .run(self.seen.track(async {
                testing::sleep(ms(100)).await; // the HTTP round trip
                format!("response from {url}")
            }))
            .await
    }

    async fn fetch_many(&self, urls: Vec<String>) -> Vec<String> {
        weft::gather(urls.into_iter().map(|url| self.fetch(url))).await
    }
}

conformance! {
    async fn seeds_rate_limited_client_fetches_ten_at_a_time() {
        let (responses, most, took) = testing::run(async {
            let client = RateLimitedClient::new(10).unwrap();
            let urls: Vec<String> = (0..25).map(|i| format!("https://example.com/{i}")).collect();
            let t0 = testing::now();
            let responses = client.fetch_many(urls).await;
            (responses, client.seen.most(), testing::now() - t0)
        });
        assert_eq!(responses.len(), 25);
        assert_eq!(responses[7], "response from https://example.com/7");
        assert_eq!(most, 10);
        assert_eq!(took, ms(300), "three rounds of ten, ten and five");
        assert!(RateLimitedClient::new(0).is_err());
    }
}

conformance! {
    async fn map_concurrent_runs_concurrently_on_the_real_clock() {
        let start = weft::now();
        let out = weft::map_concurrent(0..8_u64, 8, |i| async move {
            weft::sleep(ms(40)).await;
            i
        })
        .unwrap()
        .await;
        assert_eq!(out, (0..8).collect::<Vec<_>>());
        // One after another would take 320 ms.
        assert!(weft::now() - start < ms(300), "took {:?}", weft::now() - start);
    }
}

conformance! {
    async fn a_semaphore_guard_releases_its_permit_on_drop() {
        let sem = Arc::new(weft::Semaphore::new(2));
        let a = sem.acquire().await;
        let _b = sem.acquire_arc().await;
        assert!(sem.try_acquire().is_none());
        drop(a);
        assert!(sem.try_acquire().is_some());
        assert_eq!(sem.available_permits(), 1);
    }
}
