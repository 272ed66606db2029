//! The worker pool's browser backend: one module Web Worker per worker, each running the page's
//! own wasm module, compiled once.
//!
//! A worker is started from `pool.js` (a wasm-bindgen snippet next to the glue, so same-origin:
//! no blob: URL, no eval). The page posts it the `WebAssembly.Module` it already has
//! (`wasm_bindgen::module()`) and the URL of the wasm-bindgen glue (`import.meta.url` read inside
//! the glue); the worker imports that glue, instantiates the module, and calls registered
//! functions through their exports `__weft_fn_<name>`, found by name. Arguments and results are
//! `Uint8Array` payloads whose buffers are transferred both ways: the only copies are the ones
//! into and out of each instance's memory.
//!
//! A Rust panic aborts a worker's instance: the worker hands back the results it had, the
//! panicking item's message and the items it had not started; this backend replaces the worker
//! and runs those items on the new one. A timed-out or cancelled job's worker is terminated.
//!
//! Needs wasm-bindgen's `web` target (ES module glue); other targets have no `import.meta.url`.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use weft_core::offload::{Backend, CancelToken, Func, Payload, WorkerError};

use crate::Browser;

/// The longest a new worker may take to load the glue and instantiate the module.
const START_LIMIT: Duration = Duration::from_secs(30);

#[wasm_bindgen(module = "/src/pool.js")]
extern "C" {
    #[wasm_bindgen(js_name = startWorker, catch)]
    fn start_worker_js(
        module: &JsValue,
        glue_url: &str,
        on_message: &Function,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = postJob, catch)]
    fn post_job(worker: &JsValue, name: &JsValue, inputs: &Array) -> Result<(), JsValue>;

    #[wasm_bindgen(js_name = postModuleJob, catch)]
    fn post_module_job(
        worker: &JsValue,
        url: &JsValue,
        name: &JsValue,
        args: &JsValue,
        transfer: &JsValue,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(js_name = stopWorker)]
    fn stop_worker_js(worker: &JsValue);

    #[wasm_bindgen(js_name = notePanic)]
    fn note_panic(message: &str);

    #[wasm_bindgen(js_name = setWorkerFactory)]
    fn set_worker_factory_js(factory: &JsValue);
}

#[wasm_bindgen]
extern "C" {
    // `import.meta.url` evaluated inside the generated glue: the glue's own URL, which each
    // worker imports to instantiate the same module.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

thread_local! {
    static IN_POOL_WORKER: Cell<bool> = const { Cell::new(false) };
    // Function names as JS strings, made once: decoding a Rust string into JS costs more than
    // the rest of a small job's trip through wasm.
    static NAMES: RefCell<HashMap<&'static str, JsValue>> = RefCell::new(HashMap::new());
}

fn js_name(name: &'static str) -> JsValue {
    NAMES.with(|names| {
        names
            .borrow_mut()
            .entry(name)
            .or_insert_with(|| JsValue::from_str(name))
            .clone()
    })
}

/// Whether this wasm instance runs inside a pool worker (its panic hook is weft's own).
pub(crate) fn in_pool_worker() -> bool {
    IN_POOL_WORKER.with(Cell::get)
}

/// Called by `pool.js` in a worker once its instance is up: panics there record their message
/// for the page, which gets it as `WorkerError::Panicked`.
#[wasm_bindgen(js_name = __weft_worker_start)]
pub fn worker_start() {
    IN_POOL_WORKER.with(|flag| flag.set(true));
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a non-string panic payload");
        note_panic(message);
    }));
}

/// Makes the pool start its workers with `factory()` instead of from `pool.js`'s own URL.
///
/// For packages that a bundler inlines into an app's chunk, where `pool.js`'s URL is no worker
/// script any more. `factory` must return a module `Worker` named `weft-pool-worker` whose entry
/// statically imports the wasm-bindgen glue and stores its namespace as
/// `self[Symbol.for('weft.workerGlue')]` (the npm package's `worker.js` does). Write it as
/// `() => new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name:
/// 'weft-pool-worker' })` so that bundlers find and emit the entry. `null` restores the default.
/// Applies to workers started afterwards, by every pool.
pub fn set_worker_factory(factory: Option<&Function>) {
    set_worker_factory_js(factory.map_or(&JsValue::NULL, |f| f.as_ref()));
}

/// A prepared job.
#[derive(Debug)]
pub enum WebCall {
    /// A registered Rust function: its name and one encoded argument per item, already copied
    /// out of wasm memory into buffers that will move to the worker (queued jobs take no wasm
    /// memory).
    Rust {
        /// The function's registered name.
        name: &'static str,
        /// One `Uint8Array` payload per item.
        inputs: Array,
    },
    /// A function exported by an ES module of the app's own (see [`JsModuleJobs`]).
    Module {
        /// The module's URL (same-origin).
        url: JsValue,
        /// The export to call.
        name: JsValue,
        /// The arguments, an array spread into the call.
        args: JsValue,
        /// Buffers to move to the worker instead of copying.
        transfer: JsValue,
    },
}

/// A job's outcome.
#[derive(Debug)]
pub enum WebReply {
    /// One encoded result per item of a Rust call, or that item's error.
    Rust(Vec<Result<Vec<u8>, WorkerError>>),
    /// What a module function returned (its `ArrayBuffer`s moved back), or what it threw.
    Module(Result<JsValue, JsValue>),
}

// The message codes `pool.js` hands to `onMessage(code, value)`.
const READY: u32 = 0;
const DONE: u32 = 1;
const UNKNOWN: u32 = 2;
const CRASHED: u32 = 3;
const VALUE: u32 = 5;
const THREW: u32 = 6;

/// Messages from one worker (code and value), in arrival order, and the task waiting for one.
#[derive(Default)]
struct Inbox {
    messages: RefCell<VecDeque<(u32, JsValue)>>,
    waker: RefCell<Option<Waker>>,
}

/// One module Web Worker of the pool.
pub struct WebWorker {
    worker: JsValue,
    inbox: Rc<Inbox>,
    _on_message: Closure<dyn FnMut(u32, JsValue)>,
}

impl core::fmt::Debug for WebWorker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WebWorker")
    }
}

struct NextMessage<'a>(&'a Inbox);

impl Future for NextMessage<'_> {
    type Output = (u32, JsValue);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(u32, JsValue)> {
        match self.0.messages.borrow_mut().pop_front() {
            Some(message) => Poll::Ready(message),
            None => {
                *self.0.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl WebWorker {
    async fn start() -> Result<WebWorker, WorkerError> {
        let inbox = Rc::new(Inbox::default());
        let on_message = Closure::<dyn FnMut(u32, JsValue)>::new({
            let inbox = inbox.clone();
            move |code, value| {
                inbox.messages.borrow_mut().push_back((code, value));
                if let Some(waker) = inbox.waker.borrow_mut().take() {
                    waker.wake();
                }
            }
        });
        let glue_url = GLUE_URL.with(String::clone);
        let worker = start_worker_js(
            &wasm_bindgen::module(),
            &glue_url,
            on_message.as_ref().unchecked_ref(),
        )
        .map_err(|e| {
            WorkerError::WorkerCrashed(format!("could not start a worker: {}", text(&e)))
        })?;
        let worker = WebWorker {
            worker,
            inbox,
            _on_message: on_message,
        };
        let first = crate::timeout(START_LIMIT, worker.next()).await;
        match first {
            Ok((READY, _)) => Ok(worker),
            Ok((_, message)) => {
                worker.stop();
                Err(WorkerError::WorkerCrashed(format!(
                    "the worker did not start: {}",
                    text(&message)
                )))
            }
            Err(_) => {
                worker.stop();
                Err(WorkerError::WorkerCrashed(format!(
                    "the worker did not start within {START_LIMIT:?}"
                )))
            }
        }
    }

    fn next(&self) -> NextMessage<'_> {
        NextMessage(&self.inbox)
    }

    fn stop(&self) {
        stop_worker_js(&self.worker);
    }
}

impl Drop for WebWorker {
    fn drop(&mut self) {
        self.stop();
    }
}

fn field(message: &JsValue, name: &str) -> String {
    Reflect::get(message, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn text(value: &JsValue) -> String {
    value
        .as_string()
        .unwrap_or_else(|| String::from(js_sys::JsString::from(value.clone())))
}

/// Appends each entry of `outputs` (a `Uint8Array`, or `{error}`) to `results`.
fn collect_outputs(outputs: &Array, results: &mut Vec<Result<Vec<u8>, WorkerError>>) {
    for output in outputs.iter() {
        match output.dyn_into::<Uint8Array>() {
            Ok(bytes) => results.push(Ok(bytes.to_vec())),
            Err(other) => results.push(Err(WorkerError::Payload(field(&other, "error")))),
        }
    }
}

impl Backend for Browser {
    type Worker = WebWorker;
    type Call = WebCall;
    type Reply = WebReply;

    fn default_size() -> usize {
        let navigator = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"));
        navigator
            .and_then(|n| Reflect::get(&n, &JsValue::from_str("hardwareConcurrency")))
            .ok()
            .and_then(|n| n.as_f64())
            .filter(|n| *n >= 1.0)
            .map_or(1, |n| n as usize)
    }

    fn prepare<A: Payload, R: Payload>(
        func: Func<A, R>,
        items: Vec<A>,
    ) -> Result<WebCall, WorkerError> {
        let inputs = Array::new();
        for item in items {
            inputs.push(&Uint8Array::from(&item.into_payload()?[..]));
        }
        Ok(WebCall::Rust {
            name: func.name(),
            inputs,
        })
    }

    fn unpack<R: Payload>(reply: WebReply) -> Vec<Result<R, WorkerError>> {
        match reply {
            WebReply::Rust(results) => results
                .into_iter()
                .map(|result| result.and_then(R::from_payload))
                .collect(),
            WebReply::Module(_) => vec![Err(WorkerError::Payload(
                "a module function's reply has no Rust payload".into(),
            ))],
        }
    }

    fn start_worker() -> impl Future<Output = Result<WebWorker, WorkerError>> {
        WebWorker::start()
    }

    async fn execute(
        worker: &mut WebWorker,
        call: WebCall,
        _token: &CancelToken,
    ) -> Result<WebReply, WorkerError> {
        match call {
            WebCall::Rust { name, inputs } => execute_rust(worker, name, inputs).await,
            WebCall::Module {
                url,
                name,
                args,
                transfer,
            } => execute_module(worker, &url, &name, &args, &transfer).await,
        }
    }

    fn stop_worker(worker: WebWorker, _abandoned: bool) {
        // Idle or in the middle of an abandoned job, the same: terminate() ends it at once.
        drop(worker);
    }
}

async fn execute_module(
    worker: &mut WebWorker,
    url: &JsValue,
    name: &JsValue,
    args: &JsValue,
    transfer: &JsValue,
) -> Result<WebReply, WorkerError> {
    post_module_job(&worker.worker, url, name, args, transfer).map_err(|e| {
        WorkerError::WorkerCrashed(format!("could not post to the worker: {}", text(&e)))
    })?;
    let (code, message) = worker.next().await;
    match code {
        VALUE => Ok(WebReply::Module(Ok(message))),
        THREW => Ok(WebReply::Module(Err(message))),
        UNKNOWN => Err(WorkerError::UnknownFunction(format!(
            "{} (not a function exported by {})",
            text(name),
            text(url)
        ))),
        _ => {
            // The module failed to load, or the worker died: it is replaced before the next job.
            let why = text(&message);
            *worker = WebWorker::start().await?;
            Err(WorkerError::WorkerCrashed(why))
        }
    }
}

async fn execute_rust(
    worker: &mut WebWorker,
    name: &'static str,
    mut inputs: Array,
) -> Result<WebReply, WorkerError> {
    {
        let mut results = Vec::with_capacity(inputs.length() as usize);
        let js_name = js_name(name);
        loop {
            post_job(&worker.worker, &js_name, &inputs).map_err(|e| {
                WorkerError::WorkerCrashed(format!("could not post to the worker: {}", text(&e)))
            })?;
            let (code, message) = worker.next().await;
            match code {
                DONE => {
                    collect_outputs(message.unchecked_ref(), &mut results);
                    return Ok(WebReply::Rust(results));
                }
                UNKNOWN => return Err(WorkerError::UnknownFunction(name.to_string())),
                CRASHED => {
                    let outputs = Reflect::get(&message, &JsValue::from_str("outputs"))
                        .map(JsCast::unchecked_into)
                        .unwrap_or_default();
                    collect_outputs(&outputs, &mut results);
                    let why = field(&message, "message");
                    let panicked = Reflect::get(&message, &JsValue::from_str("panicked"))
                        .is_ok_and(|p| p.is_truthy());
                    results.push(Err(if panicked {
                        WorkerError::Panicked(why)
                    } else {
                        WorkerError::WorkerCrashed(why)
                    }));
                    // The instance is dead: replace the worker, then run the items it left.
                    let rest: Array = Reflect::get(&message, &JsValue::from_str("rest"))
                        .map(JsCast::unchecked_into)
                        .unwrap_or_default();
                    *worker = WebWorker::start().await?;
                    if rest.length() == 0 {
                        return Ok(WebReply::Rust(results));
                    }
                    inputs = rest;
                }
                _ => return Err(WorkerError::WorkerCrashed(text(&message))),
            }
        }
    }
}

/// Running functions of an ES module of the app's own on the pool's workers.
///
/// Each worker imports the module once (same-origin URL, so a strict CSP allows it) and calls
/// the named export with `args` spread as its arguments; the result may be a value or a promise.
/// Buffers listed in `transfer` move to the worker instead of being copied, and every
/// `ArrayBuffer` in the result (the result itself, a typed array's buffer, or one level inside
/// an array or object) moves back. A function that throws rejects with what it threw; the
/// pool's timeouts, cancellation (the worker is terminated and replaced), backpressure and
/// crash recovery apply as to Rust jobs.
pub trait JsModuleJobs {
    /// Calls `name(...args)` from the module at `url` on a worker.
    fn run_module(
        &self,
        url: &str,
        name: &str,
        args: JsValue,
        transfer: JsValue,
    ) -> impl Future<Output = Result<Result<JsValue, JsValue>, WorkerError>>;
}

impl JsModuleJobs for weft_core::offload::WorkerPool<Browser> {
    async fn run_module(
        &self,
        url: &str,
        name: &str,
        args: JsValue,
        transfer: JsValue,
    ) -> Result<Result<JsValue, JsValue>, WorkerError> {
        let call = WebCall::Module {
            url: JsValue::from_str(url),
            name: JsValue::from_str(name),
            args,
            transfer,
        };
        match self.call(call).await? {
            WebReply::Module(outcome) => Ok(outcome),
            WebReply::Rust(_) => Err(WorkerError::Payload("a Rust reply to a module job".into())),
        }
    }
}
