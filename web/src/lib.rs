//! weft's browser backend: tasks on the page's event loop, `setTimeout` timers, and the
//! `performance.now()` clock. It compiles only for `wasm32`; elsewhere the crate is empty.
//!
//! Users reach it through the `weft` facade: the same `weft::spawn`, `weft::sleep`,
//! `weft::timeout` as natively. Differences a browser forces, and nothing else:
//!
//! - there is no `block_on` (nothing may block the page); export an `async fn` with
//!   `#[wasm_bindgen]` or `weft::spawn` the future;
//! - `spawn` and `spawn_local` are the same: one thread, so futures need not be `Send`;
//! - a Rust panic aborts the wasm instance (stable Rust cannot unwind on `wasm32-unknown-unknown`):
//!   weft installs a panic hook that prints the message to the console, and work that may panic
//!   belongs on the worker pool, which replaces a crashed worker.
//!
//! CPU work goes to `weft::WorkerPool`, whose workers are module Web Workers running this same
//! wasm module (see `pool.rs` and `pool.js`).
//!
//! Tasks run in microtasks, in batches: after about 4 ms of work in one batch the executor
//! yields to the browser (a `MessageChannel` macrotask), so a busy set of tasks never freezes
//! rendering or input. All timers share one `setTimeout`, armed for the earliest deadline.
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]

mod executor;
mod payload;
mod pool;
mod timer;

pub use executor::spawn_local;
pub use pool::{JsModuleJobs, WebCall, WebReply, WebWorker, set_worker_factory, worker_start};
pub use timer::Sleep;

use core::future::Future;
use core::time::Duration;

use weft_core::{Instant, MaybeSend, Runtime, Task};

/// The browser runtime: the event loop, `setTimeout` and `performance.now()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Browser;

impl Runtime for Browser {
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
        executor::spawn_local(future)
    }
}

weft_core::bind_runtime!(Browser);

/// Makes Rust panics print their message and stack to the browser console.
///
/// weft calls it the first time a task is spawned or a timer armed; call it yourself first
/// thing if your code can panic before that. Inside a pool worker it does nothing: there weft's
/// own hook hands the panic's message to the page instead.
pub fn install_panic_hook() {
    if !pool::in_pool_worker() {
        console_error_panic_hook::set_once();
    }
}

/// What `weft::func!` expands to; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use wasm_bindgen;
    use wasm_bindgen::JsValue;
    use weft_core::offload::{Func, WorkerError};

    /// The body of a `__weft_fn_<name>` export: the argument and the result in their JavaScript
    /// form (a string, or a `Uint8Array` when large). A payload error is thrown as a string,
    /// which the worker reports for that item alone (any other throw means the instance broke).
    pub fn call_export<A, R>(func: Func<A, R>, input: JsValue) -> Result<JsValue, JsValue> {
        crate::payload::from_js(&input)
            .and_then(|input| func.call_payload(input))
            .map(crate::payload::to_js)
            .map_err(|e| match e {
                WorkerError::Payload(why) => JsValue::from_str(&why),
                other => JsValue::from_str(&other.to_string()),
            })
    }
}
