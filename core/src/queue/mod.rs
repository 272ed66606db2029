//! Queues shared by many producers and many consumers; Python's `asyncio.Queue(maxsize)`,
//! `queue.Queue` and `asyncio.PriorityQueue`.
//!
//! - [`Queue`]: first in, first out, on an [async-channel](async_channel) channel, plus what
//!   Python's queues have and channels lack: [`Queue::task_done`] and [`Queue::join`] (wait until
//!   every item put has been processed), and one cheap, cloneable handle that both puts and gets.
//! - [`PriorityQueue`]: the smallest item first (Python's `PriorityQueue` / `heapq`), first in,
//!   first out among equal items.
//!
//! Both share one vocabulary: `bounded(n)` waits in `put` while `n` items are queued
//! (backpressure), `unbounded()` never does; `close()` is Python 3.13's `shutdown()`: puts fail
//! from then on, gets drain what is queued and then return `None`, so nothing queued is lost.
//! Dropping a waiting `put` or `get` future puts or takes nothing.
//!
//! For a ready-made set of workers draining a queue see the [`pipeline`](crate::pipeline) module.
//!
//! # Examples
//!
//! ```
//! use weft::{PriorityQueue, Queue};
//!
//! weft::block_on(async {
//!     let fifo = Queue::bounded(10).unwrap();
//!     let smallest_first = PriorityQueue::unbounded();
//!     for n in [3, 1, 2] {
//!         fifo.put(n).await.unwrap();
//!         smallest_first.put(n).await.unwrap();
//!     }
//!     assert_eq!(fifo.get().await, Some(3));
//!     assert_eq!(smallest_first.get().await, Some(1));
//! });
//! ```

mod error;
mod fifo;
mod priority;
mod unfinished;

pub use error::{PutError, TaskDoneError, TryGetError, TryPutError};
pub use fifo::Queue;
pub use priority::PriorityQueue;
