//! Queue and PriorityQueue: backpressure, close drains, task_done/join, priority order,
//! cancellation while waiting, and the seeds' producer/consumer examples.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft::{PriorityQueue, Queue, TryGetError, TryPutError};
use weft_core::timeout::Timeout;

use crate::support::ms;

/// `Timeout` on the virtual clock.
fn within<F: std::future::Future>(d: Duration, f: F) -> Timeout<VirtualRuntime, F> {
    Timeout::after(d, f)
}

conformance! {
    async fn the_seeds_producer_consumer_with_five_workers_and_maxsize_100_processes_every_item() {
        // asyncio: Queue(maxsize=100), a producer ending with a None sentinel, five consumers
        // calling task_done, then queue.join() and one more sentinel per worker.
        let (processed, took, peak) = testing::run(async {
            let start = testing::now();
            let queue: Queue<Option<String>> = Queue::bounded(100).unwrap();
            let processed = Arc::new(Mutex::new(Vec::new()));
            let peak = Arc::new(Mutex::new(0));
            let items: Vec<String> = (0..1_000).map(|i| format!("item-{i}")).collect();

            let producer = {
                let (queue, peak) = (queue.clone(), peak.clone());
                testing::spawn(async move {
                    for item in items {
                        queue.put(Some(item)).await.unwrap();
                        let mut peak = peak.lock().unwrap();
                        *peak = (*peak).max(queue.len());
                    }
                    queue.put(None).await.unwrap();
                })
            };
            let consumers: Vec<_> = (0..5)
                .map(|_| {
                    let (queue, processed) = (queue.clone(), processed.clone());
                    testing::spawn(async move {
                        loop {
                            let item = queue.get().await.expect("not closed");
                            let Some(item) = item else {
                                queue.task_done().unwrap();
                                break;
                            };
                            testing::sleep(ms(10)).await; // process_item
                            processed.lock().unwrap().push(item);
                            queue.task_done().unwrap();
                        }
                    })
                })
                .collect();

            producer.await.unwrap();
            queue.join().await;
            for _ in 0..5 {
                queue.put(None).await.unwrap();
            }
            for consumer in weft::gather(consumers).await {
                consumer.unwrap();
            }
            let processed = std::mem::take(&mut *processed.lock().unwrap());
            let peak = *peak.lock().unwrap();
            (processed, testing::now() - start, peak)
        });
        let unique: BTreeSet<&String> = processed.iter().collect();
        assert_eq!(processed.len(), 1_000, "every item processed");
        assert_eq!(unique.len(), 1_000, "none processed twice");
        assert!(peak <= 100, "the queue never held more than maxsize: {peak}");
        // 1,000 items of 10 ms over five workers.
        assert_eq!(took, ms(2_000));
    }
}

conformance! {
    async fn put_waits_at_capacity_until_a_get_makes_room() {
        let (put_at, len_while_blocked) = testing::run(async {
            let start = testing::now();
            let queue = Queue::bounded(2).unwrap();
            let put_at = Arc::new(Mutex::new(Vec::new()));
            let producer = {
                let (queue, put_at) = (queue.clone(), put_at.clone());
                testing::spawn(async move {
                    for i in 0..5 {
                        queue.put(i).await.unwrap();
                        put_at.lock().unwrap().push(testing::now() - start);
                    }
                })
            };
            testing::sleep(ms(50)).await;
            let len_while_blocked = (queue.len(), put_at.lock().unwrap().len());
            for expected in 0..5 {
                testing::sleep(ms(100)).await;
                assert_eq!(queue.get().await, Some(expected));
            }
            producer.await.unwrap();
            let put_at = put_at.lock().unwrap().clone();
            (put_at, len_while_blocked)
        });
        assert_eq!(len_while_blocked, (2, 2), "two queued, the third put blocked");
        // Each get (at 150, 250, 350 ms) makes room for exactly one blocked put.
        assert_eq!(put_at, [ms(0), ms(0), ms(150), ms(250), ms(350)]);
    }
}

conformance! {
    async fn close_drains_every_queued_item_then_get_gives_none() {
        let queue = Queue::bounded(10).unwrap();
        for i in 0..10 {
            queue.put(i).await.unwrap();
        }
        assert!(queue.close());
        assert!(queue.put(10).await.is_err());
        assert_eq!(queue.try_put(11), Err(TryPutError::Closed(11)));
        let mut drained = Vec::new();
        while let Some(item) = queue.get().await {
            drained.push(item);
        }
        assert_eq!(drained, (0..10).collect::<Vec<_>>());
        assert_eq!(queue.get().await, None);
        assert_eq!(queue.try_get(), Err(TryGetError::Closed));
    }
}

conformance! {
    async fn close_wakes_a_blocked_putter_with_its_item_and_waiting_getters_with_none() {
        testing::run(async {
            let full = Queue::bounded(1).unwrap();
            full.put("kept").await.unwrap();
            let putter = {
                let full = full.clone();
                testing::spawn(async move { full.put("refused").await })
            };
            let empty: Queue<u8> = Queue::unbounded();
            let getters: Vec<_> = (0..3)
                .map(|_| {
                    let empty = empty.clone();
                    testing::spawn(async move { empty.get().await })
                })
                .collect();
            testing::sleep(ms(10)).await;
            full.close();
            empty.close();
            assert_eq!(putter.await.unwrap().unwrap_err().into_inner(), "refused");
            for getter in getters {
                assert_eq!(getter.await.unwrap(), None);
            }
            assert_eq!(full.get().await, Some("kept"), "what was queued is not lost");
        });
    }
}

conformance! {
    async fn join_waits_until_every_item_is_marked_done() {
        let joined_at = testing::run(async {
            let start = testing::now();
            let queue = Queue::unbounded();
            for i in 0..3_u64 {
                queue.put(i).await.unwrap();
            }
            let worker = queue.clone();
            testing::spawn(async move {
                while let Some(i) = worker.get().await {
                    testing::sleep(ms(100 * (i + 1))).await;
                    worker.task_done().unwrap();
                }
            })
            .detach();
            queue.join().await;
            assert_eq!(queue.unfinished(), 0);
            queue.close();
            testing::now() - start
        });
        assert_eq!(joined_at, ms(600), "100 + 200 + 300 ms of work");
    }
}

conformance! {
    async fn task_done_more_often_than_put_is_an_error_and_changes_nothing() {
        let queue = Queue::unbounded();
        queue.put(1).await.unwrap();
        queue.get().await.unwrap();
        assert_eq!(queue.task_done(), Ok(()));
        let err = queue.task_done().unwrap_err();
        assert_eq!(err.to_string(), "task_done called more times than items were put");
        assert_eq!(queue.unfinished(), 0);
        queue.join().await;
    }
}

conformance! {
    async fn a_cancelled_get_takes_nothing() {
        testing::run(async {
            let queue = Queue::unbounded();
            assert!(within(ms(20), queue.get()).await.is_err());
            queue.put(5).await.unwrap();
            assert_eq!(queue.len(), 1, "the abandoned get took nothing");
            assert_eq!(queue.get().await, Some(5));
        });
    }
}

conformance! {
    async fn a_cancelled_put_puts_nothing_and_join_does_not_wait_for_it() {
        testing::run(async {
            let queue = Queue::bounded(1).unwrap();
            queue.put(1).await.unwrap();
            assert!(within(ms(20), queue.put(2)).await.is_err());
            assert_eq!(queue.len(), 1);
            assert_eq!(queue.unfinished(), 1, "only the item really put is unfinished");
            assert_eq!(queue.get().await, Some(1));
            queue.task_done().unwrap();
            assert!(within(ms(1), queue.join()).await.is_ok());
            assert_eq!(queue.try_get(), Err(TryGetError::Empty));
        });
    }
}

conformance! {
    async fn invalid_capacity_is_a_config_error() {
        let err = Queue::<u8>::bounded(0).unwrap_err();
        assert_eq!(err.setting(), "capacity");
        assert!(PriorityQueue::<u8>::bounded(0).is_err());
        let one = Queue::bounded(1).unwrap();
        one.try_put(1).unwrap();
        assert_eq!(one.try_put(2), Err(TryPutError::Full(2)));
    }
}

conformance! {
    async fn many_producers_and_consumers_get_every_item_exactly_once() {
        let queue = Queue::bounded(16).unwrap();
        let producers: Vec<_> = (0..4_u32)
            .map(|p| {
                let queue = queue.clone();
                weft::spawn(async move {
                    for i in 0..2_500 {
                        queue.put(p * 10_000 + i).await.unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let queue = queue.clone();
                weft::spawn(async move {
                    let mut got = Vec::new();
                    while let Some(item) = queue.get().await {
                        got.push(item);
                    }
                    got
                })
            })
            .collect();
        for producer in producers {
            producer.await.unwrap();
        }
        queue.close();
        let mut all: Vec<u32> = Vec::new();
        for consumer in consumers {
            all.extend(consumer.await.unwrap());
        }
        all.sort_unstable();
        let expected: Vec<u32> = (0..4).flat_map(|p| (0..2_500).map(move |i| p * 10_000 + i)).collect();
        assert_eq!(all, expected);
    }
}

#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn the_seeds_threading_queue_with_a_sentinel_works_across_threads() {
        // threading + queue.Queue: the producer thread ends the stream with None.
        let queue = Queue::unbounded();
        let producer = {
            let queue = queue.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    queue.put_blocking(Some(i)).unwrap();
                    std::thread::sleep(Duration::from_millis(1));
                }
                queue.put_blocking(None).unwrap();
            })
        };
        let consumer = {
            let queue = queue.clone();
            std::thread::spawn(move || {
                let mut consumed = Vec::new();
                while let Some(Some(item)) = queue.get_blocking() {
                    consumed.push(item);
                    queue.task_done().unwrap();
                }
                consumed
            })
        };
        producer.join().unwrap();
        assert_eq!(consumer.join().unwrap(), [0, 1, 2, 3, 4]);
        assert_eq!(queue.unfinished(), 1, "the sentinel was never marked done, as in the seed");
    }
}

conformance! {
    async fn the_priority_queue_pops_the_smallest_item_first_like_heapq() {
        let heap = PriorityQueue::unbounded();
        for (priority, item) in [(3, "c"), (1, "a"), (4, "d"), (1, "a2"), (2, "b")] {
            heap.put((priority, item)).await.unwrap();
        }
        heap.close();
        let mut popped = Vec::new();
        while let Some((_, item)) = heap.get().await {
            popped.push(item);
        }
        assert_eq!(popped, ["a", "a2", "b", "c", "d"]);
    }
}

conformance! {
    async fn the_priority_queue_is_first_in_first_out_among_equal_items() {
        #[derive(Debug)]
        struct Job(u8, u32);
        impl PartialEq for Job {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl Eq for Job {}
        impl PartialOrd for Job {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Job {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.0.cmp(&other.0)
            }
        }
        let heap = PriorityQueue::unbounded();
        for n in 0..100 {
            heap.try_put(Job((n % 3) as u8, n)).unwrap();
        }
        let mut popped = Vec::new();
        while let Ok(job) = heap.try_get() {
            popped.push((job.0, job.1));
        }
        let mut expected: Vec<(u8, u32)> = (0..100).map(|n| ((n % 3) as u8, n)).collect();
        expected.sort_by_key(|&(priority, _)| priority); // a stable sort keeps arrival order
        assert_eq!(popped, expected);
    }
}

conformance! {
    async fn a_bounded_priority_queue_blocks_puts_at_capacity() {
        let (put_at, order) = testing::run(async {
            let start = testing::now();
            let heap = PriorityQueue::bounded(2).unwrap();
            let put_at = Arc::new(Mutex::new(Vec::new()));
            let producer = {
                let (heap, put_at) = (heap.clone(), put_at.clone());
                testing::spawn(async move {
                    for n in [5, 4, 3, 2] {
                        heap.put(n).await.unwrap();
                        put_at.lock().unwrap().push(testing::now() - start);
                    }
                })
            };
            testing::sleep(ms(100)).await;
            assert_eq!(heap.len(), 2);
            let mut order = Vec::new();
            for _ in 0..4 {
                order.push(heap.get().await.unwrap());
                testing::sleep(ms(100)).await;
            }
            producer.await.unwrap();
            let put_at = put_at.lock().unwrap().clone();
            (put_at, order)
        });
        assert_eq!(put_at, [ms(0), ms(0), ms(100), ms(200)]);
        // 5 and 4 wait; 4 goes; 3 arrives and goes; 2 arrives and goes; then 5.
        assert_eq!(order, [4, 3, 2, 5]);
    }
}

conformance! {
    async fn the_priority_queue_close_drains_and_wakes_waiters() {
        testing::run(async {
            let heap: PriorityQueue<u32> = PriorityQueue::bounded(1).unwrap();
            let getter = {
                let heap = heap.clone();
                testing::spawn(async move { heap.get().await })
            };
            testing::sleep(ms(5)).await;
            heap.close();
            assert_eq!(getter.await.unwrap(), None);

            let full = PriorityQueue::bounded(1).unwrap();
            full.put(1).await.unwrap();
            let putter = {
                let full = full.clone();
                testing::spawn(async move { full.put(0).await })
            };
            testing::sleep(ms(5)).await;
            full.close();
            assert_eq!(putter.await.unwrap().unwrap_err().into_inner(), 0);
            assert_eq!(full.get().await, Some(1));
            assert_eq!(full.get().await, None);
        });
    }
}

conformance! {
    async fn a_cancelled_priority_get_takes_nothing_and_the_next_getter_is_served() {
        testing::run(async {
            let heap = PriorityQueue::unbounded();
            let patient = {
                let heap = heap.clone();
                testing::spawn(async move { heap.get().await })
            };
            assert!(within(ms(10), heap.get()).await.is_err());
            heap.put(7).await.unwrap();
            assert_eq!(patient.await.unwrap(), Some(7));
            assert!(heap.is_empty());
        });
    }
}

conformance! {
    async fn priority_queue_join_waits_for_task_done() {
        testing::run(async {
            let heap = PriorityQueue::unbounded();
            heap.put(2).await.unwrap();
            heap.put(1).await.unwrap();
            let worker = heap.clone();
            testing::spawn(async move {
                while let Some(_n) = worker.get().await {
                    testing::sleep(ms(10)).await;
                    worker.task_done().unwrap();
                }
            })
            .detach();
            let start = testing::now();
            heap.join().await;
            assert_eq!(testing::now() - start, ms(20));
            assert!(heap.task_done().is_err());
            heap.close();
        });
    }
}

conformance! {
    async fn many_tasks_share_a_priority_queue_without_losing_items() {
        let heap = PriorityQueue::bounded(8).unwrap();
        let producers: Vec<_> = (0..4_u32)
            .map(|p| {
                let heap = heap.clone();
                weft::spawn(async move {
                    for i in 0..1_000 {
                        heap.put(p * 1_000 + i).await.unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let heap = heap.clone();
                weft::spawn(async move {
                    let mut got = Vec::new();
                    while let Some(item) = heap.get().await {
                        got.push(item);
                    }
                    got
                })
            })
            .collect();
        for producer in producers {
            producer.await.unwrap();
        }
        heap.close();
        let mut all = Vec::new();
        for consumer in consumers {
            all.extend(consumer.await.unwrap());
        }
        all.sort_unstable();
        assert_eq!(all, (0..4_000).collect::<Vec<u32>>());
    }
}
