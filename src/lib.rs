//! Python's async and concurrency patterns — gather, timeouts, tasks and the rest of asyncio,
//! threading, multiprocessing and tenacity — written once in Rust, with one semantics natively
//! and in the browser.
//!
//! This crate is the facade: it re-exports [`weft_core`] (the runtime-agnostic patterns) and the
//! backend for the target, `weft-native` (async-executor threads, async-io timers) or
//! `weft-web` (the browser's event loop, `setTimeout`, `performance.now()`). The same program
//! compiles for both; the conformance suite in `tests/` runs natively and in headless Chromium.
//!
//! | Python | weft |
//! |---|---|
//! | `asyncio.run(main())` | [`block_on`] (native only) |
//! | `asyncio.create_task(coro)` | [`spawn`] → [`Task`] (dropping it cancels) |
//! | `asyncio.sleep(s)` | [`sleep`] |
//! | `asyncio.gather(*aws)` | [`gather()`], `gather!(a, b)` for mixed types |
//! | `asyncio.gather` failing fast | [`try_gather()`] |
//! | `asyncio.wait_for(aw, s)`, `asyncio.timeout(s)` | [`timeout`], [`deadline`], `fut.timeout(d)` |
//! | `asyncio.as_completed(aws)` | [`as_completed()`]: a [`Stream`] of `(index, output)` |
//! | `asyncio.wait(aws, return_when, timeout)` | [`wait`] → [`Waited`] `{ done, pending }` |
//! | `Promise.race`, `Promise.any` | [`race()`], [`first_ok()`] |
//! | `asyncio.TaskGroup` | [`TaskGroup`], [`scope`] |
//! | `asyncio.Semaphore(n)`, `async with sem:` | [`Semaphore`], [`Limiter`]`::new(n)?.run(fut)` |
//! | `gather` of `n`-at-a-time tasks | [`map_concurrent()`], [`map_concurrent_unordered()`] |
//! | a rate limiter (`max` calls per `period`) | [`RateLimiter`]`::new(max, per)` |
//! | tenacity `@retry` | [`Retry`]`::new().attempts(n)…build()?.run(\|\| op())` |
//! | `asyncio.Queue(maxsize)`, `queue.Queue`, `task_done`/`join` | [`Queue`] |
//! | `asyncio.PriorityQueue`, `heapq` | [`PriorityQueue`] |
//! | producer/consumer with `num_workers` consumers | [`pipeline`] → [`Pipeline`], `join` → [`Stats`] |
//! | `process_batch(items, batch_size, max_concurrent)` + progress | [`batch`], [`Batch`] → [`Progress`] |
//! | `asyncpg.create_pool`, `pool.acquire()` | [`Pool`] of a [`pool::Manager`] |
//! | `threading.Lock`, `Event`, `Condition`, `Barrier` | [`sync`]: `Mutex`, `Event`, `Notify`, `Barrier` |
//! | `for line in f: yield line.strip()`, batching, periodic ticks | [`lines()`], [`chunks()`], [`chunks_timeout`], [`interval`] |
//! | a task timeline, slow-poll warnings | [`trace`]: `Recorder`, `traced`, `mark` |
//! | `multiprocessing.Pool`, `ProcessPoolExecutor` | [`WorkerPool`] with functions registered by [`func!`] |
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! async fn fetch_user(id: u32) -> String {
//!     weft::sleep(Duration::from_millis(50)).await;
//!     format!("User{id}")
//! }
//!
//! weft::block_on(async {
//!     let users = weft::gather((1..=3).map(fetch_user)).await;
//!     assert_eq!(users, ["User1", "User2", "User3"]);
//!
//!     let slow = weft::timeout(Duration::from_millis(10), fetch_user(4)).await;
//!     assert!(slow.is_err());
//! });
//! ```
#![forbid(unsafe_code)]

pub use weft_core::offload;
pub use weft_core::pool;
pub use weft_core::task::yield_now;
pub use weft_core::testing;
pub use weft_core::{
    AsCompleted, ChildFailure, ConfigError, Elapsed, FirstOk, Gather, GroupError, Instant,
    JoinError, MaybeSend, Outcome, Race, ReturnWhen, Runtime, Stream, StreamExt, Task, TryGather,
    Waited, as_completed, first_ok, gather, race, try_gather,
};
pub use weft_core::{Bytes, CancelToken, Func, Payload, Registry, WorkerError};
pub use weft_core::{Chunks, Lines, chunks, lines};
pub use weft_core::{
    Jitter, Limited, Limiter, MapConcurrent, MapConcurrentUnordered, RetryError, RetryInfo,
    Semaphore, SemaphoreGuard, SemaphoreGuardArc, StopReason, map_concurrent,
    map_concurrent_unordered,
};
pub use weft_core::{
    PoolError, PriorityQueue, Progress, PutError, Queue, Stats, TaskDoneError, TryGetError,
    TryPutError,
};
pub use weft_core::{stream, sync};
pub use weft_macros::func;

#[cfg(not(target_arch = "wasm32"))]
pub use weft_native::*;

#[cfg(target_arch = "wasm32")]
pub use weft_web::*;

// The README's examples are compiled and run as doctests, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

// The cookbook's Rust twins of the seeds' Python blocks are doctests as well.
#[cfg(doctest)]
#[doc = include_str!("../docs/cookbook.md")]
struct CookbookExamples;
