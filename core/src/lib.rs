//! The runtime-agnostic half of weft: the [`Runtime`] seam and the pattern catalogue.
//!
//! Nothing here knows about an executor, a clock or I/O. Patterns that need time or spawning are
//! generic over [`Runtime`]; each backend (`weft-native`, `weft-web`) implements it once and binds
//! the generic patterns to itself with [`bind_runtime!`], so users call plain functions such as
//! `weft::timeout(d, fut)`. Patterns that need no clock ([`gather()`], [`try_gather()`]) are plain
//! futures and run under any executor.
//!
//! | Python | weft | module |
//! |---|---|---|
//! | `asyncio.create_task`, `Task.cancel` | `weft::spawn`, [`Task`] (drop cancels) | [`task`] |
//! | `asyncio.gather(*aws)` | [`gather()`] | [`gather`](mod@gather) |
//! | `a, b = await asyncio.gather(fa(), fb())` | [`gather!`] | [`join`] |
//! | `asyncio.gather` failing fast | [`try_gather()`] | [`gather`](mod@gather) |
//! | `asyncio.wait_for`, `asyncio.timeout` | `weft::timeout`, `weft::deadline` | [`timeout`] |
//! | `asyncio.as_completed(aws)` | [`as_completed()`] → stream of `(index, output)` | [`as_completed`](mod@as_completed) |
//! | `asyncio.wait(aws, return_when=…, timeout=…)` | `weft::wait` → [`Waited`] `{ done, pending }` | [`wait`](mod@wait) |
//! | `FIRST_COMPLETED` + cancel the rest, JS `Promise.race` / `Promise.any` | [`race()`], [`first_ok()`] | [`race`](mod@race) |
//! | `asyncio.TaskGroup`, `async with TaskGroup() as tg` | `weft::TaskGroup`, `weft::scope` | [`group`] |
//! | `asyncio.Semaphore`, `threading.Semaphore` | [`Semaphore`], [`Limiter`] | [`limit`] |
//! | `gather` over semaphore-guarded tasks | [`map_concurrent()`], [`map_concurrent_unordered()`] | [`limit`] |
//! | a `RateLimiter(max_calls, period)` class | `weft::RateLimiter` | [`rate`] |
//! | tenacity `@retry(stop=…, wait=wait_exponential(…))` | `weft::Retry`, [`RetryError`] | [`retry`], [`backoff`] |
//! | `asyncio.Queue(maxsize)`, `queue.Queue`, `task_done`, `join` | [`Queue`] | [`queue`] |
//! | `asyncio.PriorityQueue`, `heapq` | [`PriorityQueue`] | [`queue`] |
//! | producer/consumer: a queue plus `num_workers` consumer tasks | `weft::pipeline`, `weft::Pipeline` | [`pipeline`] |
//! | `process_batch(items, batch_size, max_concurrent)` with a progress bar | `weft::batch`, `weft::Batch` | [`batch`] |
//! | `asyncpg.create_pool(min_size, max_size)`, `pool.acquire()` | `weft::Pool`, [`pool::Manager`] | [`pool`] |
//! | `threading.Lock`, `Event`, `Condition`, `Barrier` | [`sync::Mutex`], [`sync::Event`], [`sync::Notify`], [`sync::Barrier`] | [`sync`] |
//! | `for line in f: yield line.strip()` | [`lines()`], [`chunks()`], `weft::chunks_timeout`, `weft::interval` | [`stream`] |
//! | `asyncio` debug mode's slow-callback warning, a task timeline | `weft::trace::Recorder`, `weft::trace::traced` | [`trace`] |
//! | `multiprocessing.Pool`, `ProcessPoolExecutor` | `weft::WorkerPool`, `weft::func!` | [`offload`] |
//! | `loop.run_in_executor(None, f)` (blocking I/O) | `weft::spawn_blocking` (native) | [`offload`] |
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! weft::block_on(async {
//!     // Results come back in input order, whatever the finish order.
//!     let delays = [30, 10, 20];
//!     let fetches = delays.map(|ms| async move {
//!         weft::sleep(Duration::from_millis(ms)).await;
//!         ms
//!     });
//!     assert_eq!(weft::gather(fetches).await, [30, 10, 20]);
//!
//!     // A future that outlives its timeout is dropped and the call returns `Elapsed`.
//!     let late = weft::timeout(Duration::from_millis(5), weft::sleep(Duration::from_secs(60))).await;
//!     assert!(late.is_err());
//! });
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]

pub mod as_completed;
pub mod backoff;
pub mod batch;
pub mod gather;
pub mod group;
pub mod join;
pub mod limit;
pub mod offload;
pub mod pipeline;
pub mod pool;
pub mod queue;
pub mod race;
pub mod rate;
pub mod retry;
pub mod runtime;
pub mod stream;
pub mod sync;
pub mod task;
pub mod testing;
pub mod timeout;
pub mod trace;
pub mod wait;

mod bind;
mod error;
mod primitives;

pub use as_completed::{AsCompleted, as_completed};
pub use batch::Progress;
pub use error::ConfigError;
pub use futures_lite::{Stream, StreamExt};
pub use gather::{Gather, TryGather, gather, try_gather};
pub use group::{ChildFailure, GroupError};
pub use limit::{
    Limited, Limiter, MapConcurrent, MapConcurrentUnordered, Semaphore, SemaphoreGuard,
    SemaphoreGuardArc, map_concurrent, map_concurrent_unordered,
};
pub use offload::{Bytes, CancelToken, Func, Payload, Registry, WorkerError};
pub use pipeline::Stats;
pub use pool::{PoolError, Status};
pub use queue::{PriorityQueue, PutError, Queue, TaskDoneError, TryGetError, TryPutError};
pub use race::{FirstOk, Race, first_ok, race};
pub use retry::{Jitter, RetryError, RetryInfo, StopReason};
pub use runtime::{MaybeSend, Runtime};
pub use stream::{Chunks, Lines, chunks, lines};
pub use task::{JoinError, Task};
pub use timeout::Elapsed;
pub use wait::{Outcome, ReturnWhen, Waited};
pub use web_time::Instant;
