//! CPU work on other cores, one API on both targets: Python's `multiprocessing.Pool`,
//! `ProcessPoolExecutor`, `ThreadPoolExecutor` and `run_in_executor`.
//!
//! Closures cannot cross into a Web Worker, so CPU work is named: `weft::func!` registers a
//! plain Rust function and gives a typed handle, [`Func`]. A [`WorkerPool`] runs it on other
//! cores: natively on dedicated CPU threads (a direct call, no serialization), in the browser on
//! module Web Workers that instantiate the page's own wasm module (arguments and results cross
//! as [`Payload`]s, byte buffers as transferred [`Bytes`]).
//!
//! | Python | weft |
//! |---|---|
//! | `Pool(processes=n)`, `ProcessPoolExecutor(max_workers=n)` | `WorkerPool::builder().size(n).build()` |
//! | `pool.apply(f, args)`, `await loop.run_in_executor(pool, f, x)` | `pool.run(f, x).await` |
//! | `pool.apply_async(f, args)`, `executor.submit(f, x)` | `pool.submit(f, x).await` → [`JobHandle`] |
//! | `pool.map(f, items)` | `pool.map(f, items).await` |
//! | `pool.imap_unordered(f, items)` | `pool.map_unordered(f, items)` (with indices) |
//! | `pool.close(); pool.join()` / `pool.terminate()` | `pool.close().await` / `pool.terminate()` |
//! | `ThreadPoolExecutor` / `run_in_executor(None, f)` for blocking I/O | `weft::spawn_blocking(f)` (native) |
//!
//! How it differs from Python: a job's timeout counts from when it starts running; dropping a
//! handle cancels its job (Python's futures keep running); a native job cannot be killed, so
//! a timed-out or cancelled one has its [`CancelToken`] cancelled and its result discarded.
//!
//! The seam to the backends is [`Backend`]; each backend's runtime implements it, and
//! `weft::WorkerPool` is `WorkerPool<weft::DefaultRuntime>`.

mod backend;
mod builder;
mod cancel;
mod error;
mod func;
mod job;
mod lane;
mod map;
mod payload;
mod pool;
mod slot;

pub use backend::Backend;
pub use builder::Builder;
pub use cancel::CancelToken;
pub use error::WorkerError;
pub use func::{ErasedFn, Func, Registry, call_encoded, panic_message};
pub use job::JobHandle;
pub use lane::{Lane, Next, Posted};
pub use map::{Map, MapUnordered, Progress, chunk_sizes};
pub use payload::{Bytes, FORMAT_VERSION, Payload};
pub use pool::{DEFAULT_QUEUE_CAPACITY, WorkerPool};

/// Binds `WorkerPool`, `WorkerPoolBuilder`, `JobHandle`, `Map` and `MapUnordered` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_offload {
    ($rt:ty) => {
        /// The worker pool of this target: see [`weft_core::offload::WorkerPool`].
        pub type WorkerPool = $crate::offload::WorkerPool<$rt>;

        /// The settings of a [`WorkerPool`], from `WorkerPool::builder()`.
        pub type WorkerPoolBuilder = $crate::offload::Builder<$rt>;

        /// The handle of a job on a [`WorkerPool`]: await it; dropping it cancels the job.
        pub type JobHandle<R> = $crate::offload::JobHandle<$rt, R>;

        /// The future of `WorkerPool::map`.
        pub type Map<A, R> = $crate::offload::Map<$rt, A, R>;

        /// The stream of `WorkerPool::map_unordered`.
        pub type MapUnordered<A, R> = $crate::offload::MapUnordered<$rt, A, R>;
    };
}
