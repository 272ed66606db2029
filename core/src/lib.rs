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

pub mod gather;
pub mod join;
pub mod offload;
pub mod runtime;
pub mod task;
pub mod testing;
pub mod timeout;

mod bind;
mod error;

pub use error::ConfigError;
pub use gather::{Gather, TryGather, gather, try_gather};
pub use offload::{Bytes, CancelToken, Func, Payload, Registry, WorkerError};
pub use runtime::{MaybeSend, Runtime};
pub use task::{JoinError, Task};
pub use timeout::Elapsed;
pub use web_time::Instant;
