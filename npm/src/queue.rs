//! `Queue` and `PriorityQueue`: many producers, many consumers, backpressure at `capacity`,
//! `taskDone` / `join`, and `close` that drains (`weft::Queue`, `weft::PriorityQueue`; Python's
//! `asyncio.Queue` and `PriorityQueue`).

use core::cmp::Ordering;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::bridge::{UP_FRONT, count, describe, field, live_signal, promise, spawn};
use crate::errors::{closed_error, config_error, range_error, type_error};

/// The `capacity` option: a whole number ≥ 1, or absent / `Infinity` for no bound.
fn capacity(options: &JsValue) -> Result<Option<usize>, JsValue> {
    match field(options, "capacity")? {
        None => Ok(None),
        Some(value) => count("capacity", &value, (1, UP_FRONT), true),
    }
}

/// An item of a priority queue: the smallest `priority` first, first in first out among equals.
struct Entry {
    priority: f64,
    item: JsValue,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority.total_cmp(&other.priority)
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// The methods both queues share; `$wrap` makes the stored item from `(item, options)`,
/// `$unwrap` gives it back.
macro_rules! queue_methods {
    ($class:literal, $ty:ident, $wrap:ident, $unwrap:ident) => {
        #[wasm_bindgen(js_class = $class)]
        impl $ty {
            /// `put(item, { signal })`: waits while the queue is full (backpressure); rejects
            /// with `ClosedError` once the queue is closed. Aborting the signal while waiting
            /// puts nothing.
            pub fn put(&self, item: JsValue, options: JsValue) -> Promise {
                promise((|| {
                    let item = $wrap(item, &options)?;
                    let signal = live_signal(&options)?;
                    let queue = self.queue.clone();
                    Ok(spawn(signal, async move {
                        match queue.put(item).await {
                            Ok(()) => Ok(JsValue::UNDEFINED),
                            Err(_) => Err(closed_error("queue")),
                        }
                    }))
                })())
            }

            /// `get({ signal })`: the next item, waiting while the queue is empty; once the
            /// queue is closed and drained, rejects with `ClosedError`. Aborting the signal
            /// while waiting takes nothing.
            pub fn get(&self, options: JsValue) -> Promise {
                promise((|| {
                    let signal = live_signal(&options)?;
                    let queue = self.queue.clone();
                    Ok(spawn(signal, async move {
                        match queue.get().await {
                            Some(item) => Ok($unwrap(item)),
                            None => Err(closed_error("queue")),
                        }
                    }))
                })())
            }

            /// Puts `item` if there is room now: `true`, or `false` if full; throws
            /// `ClosedError` if the queue is closed.
            #[wasm_bindgen(js_name = tryPut)]
            pub fn try_put(&self, item: JsValue, options: JsValue) -> Result<bool, JsValue> {
                match self.queue.try_put($wrap(item, &options)?) {
                    Ok(()) => Ok(true),
                    Err(error) if error.is_full() => Ok(false),
                    Err(_) => Err(closed_error("queue")),
                }
            }

            /// The next item if there is one now, else `undefined`.
            #[wasm_bindgen(js_name = tryGet)]
            pub fn try_get(&self) -> JsValue {
                self.queue.try_get().map_or(JsValue::UNDEFINED, $unwrap)
            }

            /// Marks one item taken by `get` as processed (for `join`); throws RangeError if
            /// called more times than items were put.
            #[wasm_bindgen(js_name = taskDone)]
            pub fn task_done(&self) -> Result<(), JsValue> {
                self.queue
                    .task_done()
                    .map_err(|_| range_error("taskDone called more times than items were put"))
            }

            /// `join({ signal })`: resolves once every item put has been marked `taskDone`.
            pub fn join(&self, options: JsValue) -> Promise {
                promise((|| {
                    let signal = live_signal(&options)?;
                    let queue = self.queue.clone();
                    Ok(spawn(signal, async move {
                        queue.join().await;
                        Ok(JsValue::UNDEFINED)
                    }))
                })())
            }

            /// Closes the queue: puts fail from now on, gets drain what is queued. `true` the
            /// first time.
            pub fn close(&self) -> bool {
                self.queue.close()
            }

            /// Items queued now.
            #[wasm_bindgen(getter)]
            pub fn size(&self) -> usize {
                self.queue.len()
            }

            /// Items put and not yet marked `taskDone`.
            #[wasm_bindgen(getter)]
            pub fn unfinished(&self) -> usize {
                self.queue.unfinished()
            }

            /// The capacity, `Infinity` if unbounded.
            #[wasm_bindgen(getter)]
            pub fn capacity(&self) -> f64 {
                self.queue.capacity().map_or(f64::INFINITY, |c| c as f64)
            }

            /// Whether `close` was called.
            #[wasm_bindgen(getter)]
            pub fn closed(&self) -> bool {
                self.queue.is_closed()
            }
        }
    };
}

/// `new Queue({ capacity })`: first in, first out.
#[wasm_bindgen(js_name = Queue)]
pub struct JsQueue {
    queue: weft::Queue<JsValue>,
}

#[wasm_bindgen(js_class = Queue)]
impl JsQueue {
    /// `capacity`: a whole number ≥ 1, or absent / `Infinity` for no bound.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsQueue, JsValue> {
        let queue = match capacity(&options)? {
            Some(capacity) => weft::Queue::bounded(capacity).map_err(config_error)?,
            None => weft::Queue::unbounded(),
        };
        Ok(JsQueue { queue })
    }
}

fn plain(item: JsValue, _: &JsValue) -> Result<JsValue, JsValue> {
    Ok(item)
}

fn same(item: JsValue) -> JsValue {
    item
}

queue_methods!("Queue", JsQueue, plain, same);

/// `new PriorityQueue({ capacity })`: the smallest `priority` first (as Python's
/// `PriorityQueue`), first in first out among equal priorities.
#[wasm_bindgen(js_name = PriorityQueue)]
pub struct JsPriorityQueue {
    queue: weft::PriorityQueue<Entry>,
}

#[wasm_bindgen(js_class = PriorityQueue)]
impl JsPriorityQueue {
    /// `capacity`: a whole number ≥ 1, or absent / `Infinity` for no bound.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsPriorityQueue, JsValue> {
        let queue = match capacity(&options)? {
            Some(capacity) => weft::PriorityQueue::bounded(capacity).map_err(config_error)?,
            None => weft::PriorityQueue::unbounded(),
        };
        Ok(JsPriorityQueue { queue })
    }
}

/// `{ priority }` of `put(item, { priority, signal })`: any number but NaN, default 0.
fn entry(item: JsValue, options: &JsValue) -> Result<Entry, JsValue> {
    let priority = match field(options, "priority")? {
        None => 0.0,
        Some(value) => match value.as_f64() {
            Some(p) if !p.is_nan() => p,
            Some(_) => return Err(range_error("priority must be a number, got NaN")),
            None => {
                return Err(type_error(&format!(
                    "priority must be a number, got {}",
                    describe(&value)
                )));
            }
        },
    };
    Ok(Entry { priority, item })
}

fn item(entry: Entry) -> JsValue {
    entry.item
}

queue_methods!("PriorityQueue", JsPriorityQueue, entry, item);
