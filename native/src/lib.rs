//! weft's native backend: a multi-threaded async-executor sized to the cores, async-io timers.
//!
//! Users reach it through the `weft` facade (`weft::spawn`, `weft::block_on`, `weft::sleep`…);
//! this crate implements [`weft_core::Runtime`] for [`Native`] and binds the catalogue to it.
//!
//! - [`spawn`] runs a `Send` future on the global executor: one thread per core (override with
//!   the `WEFT_THREADS` environment variable), started on first use.
//! - [`spawn_local`] runs a `!Send` future on the current thread, while that thread is inside
//!   [`block_on`].
//! - Timers are async-io's: a reactor thread sleeps until the earliest deadline.
//! - `weft::WorkerPool` runs CPU jobs on dedicated threads, one per worker (see `pool.rs`);
//!   [`spawn_blocking`] runs blocking I/O on the `blocking` crate's pool.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! let total = weft::block_on(async {
//!     let jobs = (1..=3).map(|i| weft::spawn(async move {
//!         weft::sleep(Duration::from_millis(10 * i)).await;
//!         i
//!     }));
//!     weft::gather(jobs).await.into_iter().map(Result::unwrap).sum::<u64>()
//! });
//! assert_eq!(total, 6);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]

mod blocking;
mod executor;
mod pool;
mod timer;

pub use blocking::spawn_blocking;
pub use executor::{block_on, spawn_local};
pub use pool::{CpuThread, NativeCall, NativeReply};
pub use timer::Sleep;

use core::future::Future;
use core::time::Duration;

use weft_core::{Instant, MaybeSend, Runtime, Task};

/// The native runtime: async-executor threads and async-io timers.
///
/// # Examples
///
/// ```
/// use weft_core::Runtime;
/// use weft_native::Native;
///
/// let four = weft::block_on(Native::spawn(async { 2 + 2 })).unwrap();
/// assert_eq!(four, 4);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Native;

impl Runtime for Native {
    type Sleep = Sleep;

    fn sleep(duration: Duration) -> Sleep {
        Sleep::after(duration)
    }

    fn sleep_until(deadline: Instant) -> Sleep {
        Sleep::at(deadline)
    }

    fn now() -> Instant {
        Instant::now()
    }

    fn spawn<F>(future: F) -> Task<F::Output>
    where
        F: Future + MaybeSend + 'static,
        F::Output: MaybeSend + 'static,
    {
        executor::spawn(future)
    }
}

weft_core::bind_runtime!(Native);
