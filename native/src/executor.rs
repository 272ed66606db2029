//! The global multi-threaded executor, the thread-local one, and `block_on`.

use core::future::Future;
use std::sync::{Once, OnceLock};
use std::thread;

use async_executor::{Executor, LocalExecutor, StaticExecutor};
use weft_core::Task;
use weft_core::task::catch_panic;

/// The global executor. It lives as long as the process, so it is a leaked `StaticExecutor`:
/// unlike a droppable `Executor` it need not track every live task under a lock, which makes
/// each spawn about three times cheaper.
fn global() -> &'static StaticExecutor {
    static EXECUTOR: OnceLock<&'static StaticExecutor> = OnceLock::new();
    static THREADS: Once = Once::new();
    let executor = *EXECUTOR.get_or_init(|| Executor::new().leak());
    THREADS.call_once(|| {
        for n in 0..thread_count() {
            thread::Builder::new()
                .name(format!("weft-{n}"))
                .spawn(move || {
                    async_io::block_on(executor.run(futures_lite::future::pending::<()>()))
                })
                .expect("weft could not start an executor thread");
        }
    });
    executor
}

fn thread_count() -> usize {
    std::env::var("WEFT_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .or_else(|| thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
}

pub(crate) fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Task::from_async_task(global().spawn(catch_panic(future)))
}

thread_local! {
    static LOCAL: LocalExecutor<'static> = const { LocalExecutor::new() };
}

/// Starts a `!Send` future as a task on the current thread.
///
/// The task runs while this thread is inside [`block_on`] (the one running now, or the next);
/// it never moves to another thread, so it may hold `Rc`, `RefCell` and other `!Send` values.
/// Dropping the returned [`Task`] cancels it. In the browser, `weft::spawn_local` and
/// `weft::spawn` are the same thing.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// weft::block_on(async {
///     let hits = Rc::new(Cell::new(0));
///     let counter = hits.clone();
///     weft::spawn_local(async move { counter.set(counter.get() + 1) }).await.unwrap();
///     assert_eq!(hits.get(), 1);
/// });
/// ```
pub fn spawn_local<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    LOCAL.with(|local| Task::from_async_task(local.spawn(catch_panic(future))))
}

/// Runs `future` to completion on the current thread and returns its output.
///
/// This is the entry point of a native program, asyncio's `asyncio.run(main())`. Tasks started
/// with `weft::spawn` run on the executor threads meanwhile; tasks started with [`spawn_local`]
/// on this thread run here. Not available in the browser, where nothing may block: there,
/// `weft::spawn` the future (or export it to JavaScript as a Promise) instead.
///
/// Do not call it from inside a weft task: that blocks one executor thread until it returns.
///
/// # Examples
///
/// ```
/// let answer = weft::block_on(async { weft::spawn(async { 42 }).await.unwrap() });
/// assert_eq!(answer, 42);
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    LOCAL.with(|local| async_io::block_on(local.run(future)))
}
