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
//! | `asyncio.gather` failing fast / `TaskGroup` | [`try_gather()`] |
//! | `asyncio.wait_for(aw, s)`, `asyncio.timeout(s)` | [`timeout`], [`deadline`], `fut.timeout(d)` |
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
pub use weft_core::task::yield_now;
pub use weft_core::testing;
pub use weft_core::{Bytes, CancelToken, Func, Payload, Registry, WorkerError};
pub use weft_core::{
    Elapsed, Gather, Instant, JoinError, MaybeSend, Runtime, Task, TryGather, gather, try_gather,
};
pub use weft_macros::func;

#[cfg(not(target_arch = "wasm32"))]
pub use weft_native::*;

#[cfg(target_arch = "wasm32")]
pub use weft_web::*;

// The README's examples are compiled and run as doctests, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
