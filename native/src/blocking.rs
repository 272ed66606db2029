//! Blocking I/O off the executor: `spawn_blocking`, asyncio's `run_in_executor(None, f)`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use weft_core::offload::panic_message;
use weft_core::{JoinError, Task};

/// Runs the blocking function `f` on the `blocking` crate's thread pool and gives its result
/// as a [`Task`]; asyncio's `loop.run_in_executor(None, f)` / `asyncio.to_thread(f)`, and the
/// twin of `ThreadPoolExecutor.submit`.
///
/// For blocking I/O (files, a synchronous database driver, DNS): that pool grows up to 500
/// threads as needed and shrinks when idle. CPU work belongs on a `weft::WorkerPool`, which
/// keeps one thread per core. Native only: the browser has no threads to block.
///
/// Dropping the task before `f` starts means `f` never runs; once it runs it cannot be
/// interrupted and its result is dropped. A panic in `f` reaches the awaiter as a
/// [`JoinError`].
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let text = weft::spawn_blocking(|| std::fs::read_to_string("Cargo.toml")).await.unwrap();
///     assert!(text.unwrap().contains("[package]"));
///
///     let err = weft::spawn_blocking(|| -> u8 { panic!("disk on fire") }).await.unwrap_err();
///     assert_eq!(err.panic_message(), Some("disk on fire"));
/// });
/// ```
pub fn spawn_blocking<T, F>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Task::from_async_task(blocking::unblock(move || {
        catch_unwind(AssertUnwindSafe(f)).map_err(|p| JoinError::panicked(panic_message(&*p)))
    }))
}
