//! map_concurrent, map_concurrent_unordered and Limiter against their model: at most `limit`
//! in flight, items pulled in input order as slots free up (so each start time is exactly the
//! list-scheduling model's), outputs in input order or in finish order.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use weft::StreamExt;
use weft::testing::{self, VirtualRuntime};
use weft_core::timeout::Timeout;

use super::check;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// When each item starts if items are pulled in order into `limit` slots, each slot refilled
/// the instant it frees.
fn list_schedule(delays: &[u64], limit: usize) -> Vec<u64> {
    let mut running = BinaryHeap::new();
    delays
        .iter()
        .map(|&d| {
            let start = if running.len() < limit {
                0
            } else {
                let Reverse(free) = running.pop().expect("full");
                free
            };
            running.push(Reverse(start + d));
            start
        })
        .collect()
}

#[derive(Default)]
struct Log {
    in_flight: usize,
    max_in_flight: usize,
    starts: Vec<Option<Duration>>,
}

reliability! {
    async fn map_concurrent_keeps_at_most_limit_in_flight_and_starts_each_item_as_a_slot_frees() {
        let input = (vec(0_u64..20, 0..16), 1_usize..5, any::<bool>());
        check("map_concurrent", input, |(delays, limit, ordered)| {
            let n = delays.len();
            let log = Rc::new(RefCell::new(Log { starts: vec![None; n], ..Log::default() }));
            let (outputs, yields) = testing::run(async {
                let start = testing::now();
                let f = |i: usize| {
                    let (log, d) = (log.clone(), delays[i]);
                    async move {
                        {
                            let mut log = log.borrow_mut();
                            log.in_flight += 1;
                            log.max_in_flight = log.max_in_flight.max(log.in_flight);
                            assert!(log.starts[i].replace(testing::now() - start).is_none(), "started twice");
                        }
                        testing::sleep(ms(d)).await;
                        log.borrow_mut().in_flight -= 1;
                        i
                    }
                };
                if ordered {
                    let out = weft::map_concurrent(0..n, limit, f).unwrap().await;
                    (Some((out, testing::now() - start)), Vec::new())
                } else {
                    let mut stream = weft::map_concurrent_unordered(0..n, limit, f).unwrap();
                    let mut yields = Vec::new();
                    while let Some((index, out)) = stream.next().await {
                        yields.push((index, out, testing::now() - start));
                    }
                    (None, yields)
                }
            });
            let model = list_schedule(&delays, limit);
            let log = log.borrow();
            prop_assert!(log.max_in_flight <= limit, "{} in flight, limit {}", log.max_in_flight, limit);
            for (i, &start) in model.iter().enumerate() {
                prop_assert_eq!(log.starts[i], Some(ms(start)), "start of item {}", i);
            }
            let end = (0..n).map(|i| model[i] + delays[i]).max().unwrap_or(0);
            match outputs {
                Some((out, took)) => {
                    prop_assert_eq!(out, (0..n).collect::<Vec<_>>());
                    prop_assert_eq!(took, ms(end));
                }
                None => {
                    prop_assert_eq!(yields.len(), n);
                    let mut last = Duration::ZERO;
                    for (index, out, at) in yields {
                        prop_assert_eq!(index, out);
                        prop_assert_eq!(at, ms(model[index] + delays[index]), "item {} finished", index);
                        prop_assert!(at >= last, "finish order");
                        last = at;
                    }
                }
            }
            Ok(())
        });
    }
}

reliability! {
    async fn a_limiter_never_runs_more_than_its_limit_and_gives_every_permit_back() {
        // Tasks sleep, some give up (their future is dropped, waiting for a permit or holding
        // one): the limit holds, each task finished or gave up, and every permit comes back.
        let task = (0_u64..15, proptest::option::weighted(0.3, 0_u64..10));
        check("Limiter", (vec(task, 0..12), 1_usize..4), |(tasks, limit)| {
            #[derive(Default)]
            struct Seen {
                in_flight: usize,
                max: usize,
                ran: Vec<usize>,
                gave_up: Vec<usize>,
            }
            let seen = Arc::new(Mutex::new(Seen::default()));
            let limiter = weft::Limiter::new(limit).unwrap();
            let left = testing::run(async {
                let handles: Vec<_> = tasks
                    .iter()
                    .copied()
                    .enumerate()
                    .map(|(i, (delay, patience))| {
                        let (seen, limiter) = (seen.clone(), limiter.clone());
                        testing::spawn(async move {
                            let work = limiter.run(async {
                                // Counted out on drop too: a task may give up mid-work.
                                struct InFlight(Arc<Mutex<Seen>>);
                                impl Drop for InFlight {
                                    fn drop(&mut self) {
                                        self.0.lock().unwrap().in_flight -= 1;
                                    }
                                }
                                let _in_flight = {
                                    let mut s = seen.lock().unwrap();
                                    s.in_flight += 1;
                                    s.max = s.max.max(s.in_flight);
                                    InFlight(seen.clone())
                                };
                                testing::sleep(ms(delay)).await;
                                seen.lock().unwrap().ran.push(i);
                            });
                            match patience {
                                None => work.await,
                                Some(p) => {
                                    if Timeout::<VirtualRuntime, _>::after(ms(p), work).await.is_err() {
                                        seen.lock().unwrap().gave_up.push(i);
                                    }
                                }
                            }
                        })
                    })
                    .collect();
                weft::gather(handles).await;
                limiter.in_flight()
            });
            let seen = seen.lock().unwrap();
            prop_assert!(seen.max <= limit, "{} in flight, limit {}", seen.max, limit);
            prop_assert_eq!(left, 0, "every permit came back");
            prop_assert_eq!(seen.in_flight, 0);
            let mut all: Vec<usize> = seen.ran.iter().chain(&seen.gave_up).copied().collect();
            all.sort_unstable();
            prop_assert_eq!(all, (0..tasks.len()).collect::<Vec<_>>(), "each task ran or gave up, once");
            // Those without patience always run.
            for (i, (_, patience)) in tasks.iter().enumerate() {
                if patience.is_none() {
                    prop_assert!(seen.ran.contains(&i));
                }
            }
            // Everyone started at t = 0 and asked for a slot: the first `limit` got one at once.
            if tasks.iter().all(|t| t.0 > 0 && t.1 != Some(0)) {
                prop_assert_eq!(seen.max, limit.min(tasks.len()));
            }
            Ok(())
        });
    }
}
