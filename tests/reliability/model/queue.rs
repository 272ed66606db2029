//! Queue and PriorityQueue against their models: first in first out (smallest first, first in
//! first out among equals), capacity, close draining what is queued, task_done/join counts, and
//! no item lost or seen twice, one operation at a time and with producers and consumers racing.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use weft::testing::{self, VirtualRuntime};
use weft::{PriorityQueue, PutError, Queue, TryGetError, TryPutError};
use weft_core::timeout::Timeout;

use super::check;

/// An item ordered by priority only, so items of equal priority can be told apart by `id`.
#[derive(Clone, Copy, Debug)]
struct Item {
    priority: u8,
    id: usize,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.priority == other.priority
    }
}

impl Eq for Item {}

impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority.cmp(&other.priority)
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    TryPut(u8),
    /// `put` under a zero timeout: dropped at once if it would wait.
    Put(u8),
    TryGet,
    /// `get` under a zero timeout.
    Get,
    Close,
    TaskDone,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        4 => (0_u8..4).prop_map(Op::TryPut),
        3 => (0_u8..4).prop_map(Op::Put),
        3 => Just(Op::TryGet),
        3 => Just(Op::Get),
        1 => Just(Op::Close),
        2 => Just(Op::TaskDone),
    ];
    vec(op, 0..40)
}

/// What one operation answered, in a form both queues and the model share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Put,
    Full,
    Closed,
    /// A put or get dropped by its zero timeout.
    Dropped,
    Got(usize),
    Empty,
    Done,
    TooManyDone,
    Closing(bool),
}

/// The reference: a list kept in queue order, a capacity, a closed flag and the unfinished count.
struct Model {
    items: Vec<(Item, usize)>,
    seq: usize,
    capacity: Option<usize>,
    closed: bool,
    unfinished: usize,
    priority: bool,
}

impl Model {
    fn apply(&mut self, op: Op, id: usize) -> Answer {
        match op {
            Op::TryPut(p) | Op::Put(p) => {
                if self.closed {
                    Answer::Closed
                } else if self.capacity.is_some_and(|c| self.items.len() >= c) {
                    if matches!(op, Op::Put(_)) {
                        Answer::Dropped
                    } else {
                        Answer::Full
                    }
                } else {
                    self.items.push((Item { priority: p, id }, self.seq));
                    self.seq += 1;
                    self.unfinished += 1;
                    Answer::Put
                }
            }
            Op::TryGet | Op::Get => {
                let next = if self.priority {
                    (0..self.items.len())
                        .min_by_key(|&i| (self.items[i].0.priority, self.items[i].1))
                } else {
                    (!self.items.is_empty()).then_some(0)
                };
                match next {
                    Some(i) => Answer::Got(self.items.remove(i).0.id),
                    None if self.closed => Answer::Closed,
                    None if matches!(op, Op::Get) => Answer::Dropped,
                    None => Answer::Empty,
                }
            }
            Op::Close => Answer::Closing(!std::mem::replace(&mut self.closed, true)),
            Op::TaskDone if self.unfinished == 0 => Answer::TooManyDone,
            Op::TaskDone => {
                self.unfinished -= 1;
                Answer::Done
            }
        }
    }
}

fn zero<F: Future>(future: F) -> Timeout<VirtualRuntime, F> {
    Timeout::after(Duration::ZERO, future)
}

async fn on_queue(queue: &Queue<Item>, op: Op, id: usize) -> Answer {
    let put = |result: Result<(), TryPutError<Item>>| match result {
        Ok(()) => Answer::Put,
        Err(TryPutError::Full(_)) => Answer::Full,
        Err(TryPutError::Closed(_)) => Answer::Closed,
    };
    match op {
        Op::TryPut(p) => put(queue.try_put(Item { priority: p, id })),
        Op::Put(p) => match zero(queue.put(Item { priority: p, id })).await {
            Ok(Ok(())) => Answer::Put,
            Ok(Err(PutError(_))) => Answer::Closed,
            Err(_) => Answer::Dropped,
        },
        Op::TryGet => match queue.try_get() {
            Ok(item) => Answer::Got(item.id),
            Err(TryGetError::Empty) => Answer::Empty,
            Err(TryGetError::Closed) => Answer::Closed,
        },
        Op::Get => match zero(queue.get()).await {
            Ok(Some(item)) => Answer::Got(item.id),
            Ok(None) => Answer::Closed,
            Err(_) => Answer::Dropped,
        },
        Op::Close => Answer::Closing(queue.close()),
        Op::TaskDone => queue
            .task_done()
            .map_or(Answer::TooManyDone, |()| Answer::Done),
    }
}

async fn on_priority_queue(queue: &PriorityQueue<Item>, op: Op, id: usize) -> Answer {
    match op {
        Op::TryPut(p) => match queue.try_put(Item { priority: p, id }) {
            Ok(()) => Answer::Put,
            Err(TryPutError::Full(_)) => Answer::Full,
            Err(TryPutError::Closed(_)) => Answer::Closed,
        },
        Op::Put(p) => match zero(queue.put(Item { priority: p, id })).await {
            Ok(Ok(())) => Answer::Put,
            Ok(Err(PutError(_))) => Answer::Closed,
            Err(_) => Answer::Dropped,
        },
        Op::TryGet => match queue.try_get() {
            Ok(item) => Answer::Got(item.id),
            Err(TryGetError::Empty) => Answer::Empty,
            Err(TryGetError::Closed) => Answer::Closed,
        },
        Op::Get => match zero(queue.get()).await {
            Ok(Some(item)) => Answer::Got(item.id),
            Ok(None) => Answer::Closed,
            Err(_) => Answer::Dropped,
        },
        Op::Close => Answer::Closing(queue.close()),
        Op::TaskDone => queue
            .task_done()
            .map_or(Answer::TooManyDone, |()| Answer::Done),
    }
}

reliability! {
    async fn queues_answer_every_operation_as_the_model_does() {
        let input = (ops(), proptest::option::of(1_usize..4), any::<bool>());
        check("Queue, PriorityQueue (one operation at a time)", input, |(ops, capacity, priority)| {
            let mut model = Model { items: Vec::new(), seq: 0, capacity, closed: false, unfinished: 0, priority };
            let answers = testing::run(async {
                let fifo = match capacity {
                    Some(c) => Queue::bounded(c).unwrap(),
                    None => Queue::unbounded(),
                };
                let heap = match capacity {
                    Some(c) => PriorityQueue::bounded(c).unwrap(),
                    None => PriorityQueue::unbounded(),
                };
                let mut answers = Vec::new();
                for (id, &op) in ops.iter().enumerate() {
                    let answer = if priority {
                        on_priority_queue(&heap, op, id).await
                    } else {
                        on_queue(&fifo, op, id).await
                    };
                    let (len, unfinished) = if priority {
                        (heap.len(), heap.unfinished())
                    } else {
                        (fifo.len(), fifo.unfinished())
                    };
                    answers.push((answer, len, unfinished));
                }
                answers
            });
            for (k, (&op, (answer, len, unfinished))) in ops.iter().zip(answers).enumerate() {
                let expected = model.apply(op, k);
                prop_assert_eq!(answer, expected, "operation {} ({:?})", k, op);
                prop_assert_eq!(len, model.items.len(), "length after operation {}", k);
                prop_assert_eq!(unfinished, model.unfinished, "unfinished after operation {}", k);
            }
            Ok(())
        });
    }
}

#[derive(Clone, Debug)]
struct Race {
    /// Per producer: (priority, ms to wait before the put) of each item.
    producers: Vec<Vec<(u8, u64)>>,
    /// Per consumer: ms to wait after each get.
    consumers: Vec<u64>,
    capacity: usize,
    priority: bool,
}

fn races() -> impl Strategy<Value = Race> {
    let producer = vec((0_u8..4, 0_u64..5), 0..10);
    (
        vec(producer, 1..4),
        vec(0_u64..5, 1..4),
        1_usize..4,
        any::<bool>(),
    )
        .prop_map(|(producers, consumers, capacity, priority)| Race {
            producers,
            consumers,
            capacity,
            priority,
        })
}

/// Both queues behind one face, for the racing test.
#[derive(Clone)]
enum Either {
    Fifo(Queue<Item>),
    Heap(PriorityQueue<Item>),
}

impl Either {
    async fn put(&self, item: Item) {
        match self {
            Either::Fifo(q) => q.put(item).await.unwrap(),
            Either::Heap(q) => q.put(item).await.unwrap(),
        }
    }

    async fn get(&self) -> Option<Item> {
        match self {
            Either::Fifo(q) => q.get().await,
            Either::Heap(q) => q.get().await,
        }
    }

    fn task_done(&self) {
        match self {
            Either::Fifo(q) => q.task_done().unwrap(),
            Either::Heap(q) => q.task_done().unwrap(),
        }
    }

    async fn join(&self) {
        match self {
            Either::Fifo(q) => q.join().await,
            Either::Heap(q) => q.join().await,
        }
    }

    fn close(&self) {
        match self {
            Either::Fifo(q) => q.close(),
            Either::Heap(q) => q.close(),
        };
    }
}

/// What happened, in order: the virtual runtime runs one task at a time, and each event is
/// logged in the same poll that did it, so this order is the queue's own.
#[derive(Clone, Copy, Debug)]
enum Event {
    Put(Item),
    Got(Item),
}

reliability! {
    async fn producers_and_consumers_racing_lose_nothing_and_keep_the_queue_order() {
        check("Queue, PriorityQueue (producers and consumers racing)", races(), |race| {
            let log = Arc::new(Mutex::new(Vec::new()));
            let (joined_after, got) = testing::run(async {
                let queue = if race.priority {
                    Either::Heap(PriorityQueue::bounded(race.capacity).unwrap())
                } else {
                    Either::Fifo(Queue::bounded(race.capacity).unwrap())
                };
                let mut next_id = 0;
                let producers: Vec<_> = race
                    .producers
                    .iter()
                    .map(|items| {
                        let items: Vec<(Item, u64)> = items
                            .iter()
                            .map(|&(priority, wait)| {
                                next_id += 1;
                                (Item { priority, id: next_id }, wait)
                            })
                            .collect();
                        let (queue, log) = (queue.clone(), log.clone());
                        testing::spawn(async move {
                            for (item, wait) in items {
                                testing::sleep(Duration::from_millis(wait)).await;
                                queue.put(item).await;
                                log.lock().unwrap().push(Event::Put(item));
                            }
                        })
                    })
                    .collect();
                let consumers: Vec<_> = race
                    .consumers
                    .iter()
                    .map(|&wait| {
                        let (queue, log) = (queue.clone(), log.clone());
                        testing::spawn(async move {
                            let mut got = 0;
                            while let Some(item) = queue.get().await {
                                log.lock().unwrap().push(Event::Got(item));
                                testing::sleep(Duration::from_millis(wait)).await;
                                queue.task_done();
                                got += 1;
                            }
                            got
                        })
                    })
                    .collect();
                for producer in producers {
                    producer.await.unwrap();
                }
                queue.join().await;
                let joined_after = log.lock().unwrap().len();
                queue.close();
                let mut got = 0;
                for consumer in consumers {
                    got += consumer.await.unwrap();
                }
                (joined_after, got)
            });
            let log = log.lock().unwrap().clone();
            let total: usize = race.producers.iter().map(Vec::len).sum();
            prop_assert_eq!(got, total, "every item was got once");
            prop_assert_eq!(joined_after, 2 * total, "join returned only once every item was done");
            // Replay the log against the model queue.
            let mut queued: VecDeque<(Item, usize)> = VecDeque::new();
            let mut seen = vec![false; total + 1];
            for (seq, event) in log.iter().enumerate() {
                match *event {
                    Event::Put(item) => {
                        queued.push_back((item, seq));
                        prop_assert!(queued.len() <= race.capacity, "over capacity");
                    }
                    Event::Got(item) => {
                        prop_assert!(!seen[item.id], "item {} got twice", item.id);
                        seen[item.id] = true;
                        let expected = if race.priority {
                            (0..queued.len()).min_by_key(|&i| (queued[i].0.priority, queued[i].1))
                        } else {
                            (!queued.is_empty()).then_some(0)
                        };
                        let position = queued.iter().position(|(q, _)| q.id == item.id);
                        prop_assert!(position.is_some(), "item {} got before it was put", item.id);
                        prop_assert_eq!(position, expected, "item {} out of order", item.id);
                        queued.remove(position.expect("checked"));
                    }
                }
            }
            prop_assert!(queued.is_empty());
            Ok(())
        });
    }
}
