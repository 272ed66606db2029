//! The worker pool's browser backend: one module Web Worker per worker, each running the page's
//! own wasm module, compiled once.
//!
//! A worker is started from `pool.js` (a wasm-bindgen snippet next to the glue, so same-origin:
//! no blob: URL, no eval). The page posts it the `WebAssembly.Module` it already has
//! (`wasm_bindgen::module()`) and the URL of the wasm-bindgen glue (`import.meta.url` read inside
//! the glue); the worker imports that glue, instantiates the module, and calls registered
//! functions through their exports `__weft_fn_<name>`, found by name. Arguments and results
//! cross as small strings or, when large, as `Uint8Array`s whose buffers are transferred both
//! ways (see payload.rs): the only copies of a large buffer are the ones into and out of each
//! instance's memory.
//!
//! The pool may post a worker several jobs ahead (pipelining): the worker runs them in order and
//! answers each, and its `onmessage` hands each answer straight to the job's caller through the
//! lane. A job posted ahead is posted as a copy (the lane keeps it), so that if the worker is
//! terminated before starting it, it runs on the replacement; a job whose buffers must move is
//! posted only to an idle worker.
//!
//! A Rust panic aborts a worker's instance: the worker hands back the results it had, the
//! panicking item's message and the items it had not started, and runs nothing more; this
//! backend reports it, and the pool replaces the worker and runs those items, then the jobs
//! that were waiting, on the new one. A timed-out or cancelled job's worker is terminated.
//!
//! Needs wasm-bindgen's `web` target (ES module glue); other targets have no `import.meta.url`.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use weft_core::offload::{Backend, Func, Lane, Payload, Posted, WorkerError};

use crate::Browser;
use crate::executor::run_woken;
use crate::payload::{self, Wire};

/// The longest a new worker may take to load the glue and instantiate the module.
const START_LIMIT: Duration = Duration::from_secs(30);

#[wasm_bindgen(module = "/src/pool.js")]
extern "C" {
    #[wasm_bindgen(js_name = startWorker, catch)]
    fn start_worker_js(
        module: &JsValue,
        glue_url: &str,
        on_message: &Function,
        on_number: &Function,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = gatherJob)]
    fn gather_job(name: &JsValue, input: &JsValue);

    #[wasm_bindgen(js_name = gatherJobNumber)]
    fn gather_job_number(name: &JsValue, input: f64);

    #[wasm_bindgen(js_name = postJobs)]
    fn post_jobs(worker: &JsValue);

    #[wasm_bindgen(js_name = postModuleJob)]
    fn post_module_job(
        worker: &JsValue,
        url: &JsValue,
        name: &JsValue,
        args: &JsValue,
        transfer: &JsValue,
    );

    #[wasm_bindgen(js_name = postSkip)]
    fn post_skip(worker: &JsValue, seq: f64);

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

/// A prepared job: a call of a registered Rust function, or of a function of the app's own ES
/// module (see [`JsModuleJobs`]).
#[derive(Debug)]
pub struct WebCall(Call);

impl WebCall {
    /// A call of the registered function `name` whose one encoded argument is already in
    /// `input` (for a [`weft_core::offload::Bytes`] argument: the bytes themselves). The buffer
    /// moves to the worker, never copied into this instance's memory; give it to
    /// [`WorkerPool::call`](weft_core::offload::WorkerPool::call).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(pool: weft_core::offload::WorkerPool<weft_web::Browser>) {
    /// let input = js_sys::Uint8Array::from(&[1_u8, 2, 3][..]);
    /// let reply = pool.call(weft_web::WebCall::rust_bytes("invert", input)).await;
    /// assert!(matches!(reply, Ok(weft_web::WebReply::Rust(_))));
    /// # }
    /// ```
    pub fn rust_bytes(name: &'static str, input: js_sys::Uint8Array) -> WebCall {
        WebCall(Call::Rust {
            name: js_name(name),
            input: Wire::Js(input.into()),
            moves: true,
            done: Vec::new(),
        })
    }
}

#[derive(Debug)]
enum Call {
    /// A registered Rust function: its name and its encoded argument (or, for a chunk of a map,
    /// an array of them), already in the form they are posted in, so queued jobs take no wasm
    /// memory.
    Rust {
        /// The function's registered name, as a JS string.
        name: JsValue,
        input: Wire,
        /// Whether a payload holds a buffer that moves when posted.
        moves: bool,
        /// The results of the items a crashed worker had finished, when this call is the rest
        /// of a chunk: they come first in the job's reply.
        done: Vec<Result<Vec<u8>, WorkerError>>,
    },
    /// A function exported by an ES module of the app's own.
    Module {
        url: JsValue,
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
const FAILED: u32 = 4;
const VALUE: u32 = 5;
const THREW: u32 = 6;
const OUTPUT: u32 = 7;
const SKIPPED: u32 = 8;
const UNPOSTABLE: u32 = 9;

/// What a worker's message handler shares with its `WebWorker`.
struct Link {
    lane: Lane<Browser>,
    /// Whether the worker said it is up; until then messages go to `start`.
    up: Cell<bool>,
    /// How the start went (`Err`: why it failed), and who waits to know.
    start: RefCell<Option<Result<(), String>>>,
    starter: RefCell<Option<Waker>>,
    /// Results a crashed worker had finished for the job now running, which came back as the
    /// rest of a chunk: they go first in its reply.
    done: RefCell<Vec<Result<Vec<u8>, WorkerError>>>,
}

impl Link {
    /// A one-payload Rust job's result that came as a number (the commonest answer).
    fn on_number(&self, number: f64) {
        let mut results = self.done.take();
        results.push(payload::from_number(number));
        self.lane.answer(Ok(WebReply::Rust(results)));
    }

    fn on_message(&self, code: u32, value: JsValue) {
        if !self.up.get() {
            let start = match code {
                READY => Ok(()),
                FAILED => Err(text(&value)),
                _ => return,
            };
            self.up.set(start.is_ok());
            *self.start.borrow_mut() = Some(start);
            if let Some(starter) = self.starter.borrow_mut().take() {
                starter.wake();
            }
            return;
        }
        let lane = &self.lane;
        match code {
            OUTPUT => {
                let mut results = self.done.take();
                results.push(payload::from_js(&value));
                lane.answer(Ok(WebReply::Rust(results)));
            }
            DONE => {
                let mut results = self.done.take();
                collect_outputs(value.unchecked_ref(), &mut results);
                lane.answer(Ok(WebReply::Rust(results)));
            }
            VALUE => lane.answer(Ok(WebReply::Module(Ok(value)))),
            THREW => lane.answer(Ok(WebReply::Module(Err(value)))),
            SKIPPED => lane.answer(Err(WorkerError::Cancelled)),
            UNKNOWN => {
                self.done.take();
                lane.answer(Err(WorkerError::UnknownFunction(text(&value))));
            }
            UNPOSTABLE => lane.answer(Err(WorkerError::WorkerCrashed(format!(
                "could not post to the worker: {}",
                text(&value)
            )))),
            CRASHED => {
                let mut results = self.done.take();
                let outputs = Reflect::get(&value, &JsValue::from_str("outputs"))
                    .map(JsCast::unchecked_into)
                    .unwrap_or_default();
                collect_outputs(&outputs, &mut results);
                let why = field(&value, "message");
                let panicked = Reflect::get(&value, &JsValue::from_str("panicked"))
                    .is_ok_and(|p| p.is_truthy());
                results.push(Err(if panicked {
                    WorkerError::Panicked(why)
                } else {
                    WorkerError::WorkerCrashed(why)
                }));
                let rest: Array = Reflect::get(&value, &JsValue::from_str("rest"))
                    .map(JsCast::unchecked_into)
                    .unwrap_or_default();
                if rest.length() == 0 {
                    lane.crashed(Ok(WebReply::Rust(results)));
                } else {
                    let moves = rest.iter().any(|input| payload::moves(&input));
                    lane.crashed_leaving(WebCall(Call::Rust {
                        name: Reflect::get(&value, &JsValue::from_str("name")).unwrap_or_default(),
                        input: Wire::Js(rest.into()),
                        moves,
                        done: results,
                    }));
                }
            }
            _ => lane.crashed(Err(WorkerError::WorkerCrashed(text(&value)))),
        }
    }
}

/// One module Web Worker of the pool.
pub struct WebWorker {
    worker: JsValue,
    link: Rc<Link>,
    _on_message: Closure<dyn FnMut(u32, JsValue)>,
    _on_number: Closure<dyn FnMut(f64)>,
}

impl core::fmt::Debug for WebWorker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WebWorker")
    }
}

/// Resolves when the worker says how its start went.
struct Started<'a>(&'a Link);

impl Future for Started<'_> {
    type Output = Result<(), String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        match self.0.start.borrow_mut().take() {
            Some(start) => Poll::Ready(start),
            None => {
                *self.0.starter.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl WebWorker {
    async fn start(lane: Lane<Browser>) -> Result<WebWorker, WorkerError> {
        let link = Rc::new(Link {
            lane,
            up: Cell::new(false),
            start: RefCell::new(None),
            starter: RefCell::new(None),
            done: RefCell::new(Vec::new()),
        });
        // Both run the tasks an answer wakes (its caller) before returning to JavaScript.
        let on_message = Closure::<dyn FnMut(u32, JsValue)>::new({
            let link = link.clone();
            move |code, value| run_woken(|| link.on_message(code, value))
        });
        let on_number = Closure::<dyn FnMut(f64)>::new({
            let link = link.clone();
            move |number| run_woken(|| link.on_number(number))
        });
        let glue_url = GLUE_URL.with(String::clone);
        let worker = start_worker_js(
            &wasm_bindgen::module(),
            &glue_url,
            on_message.as_ref().unchecked_ref(),
            on_number.as_ref().unchecked_ref(),
        )
        .map_err(|e| {
            WorkerError::WorkerCrashed(format!("could not start a worker: {}", text(&e)))
        })?;
        let worker = WebWorker {
            worker,
            link,
            _on_message: on_message,
            _on_number: on_number,
        };
        match crate::timeout(START_LIMIT, Started(&worker.link)).await {
            Ok(Ok(())) => Ok(worker),
            Ok(Err(why)) => Err(WorkerError::WorkerCrashed(format!(
                "the worker did not start: {why}"
            ))),
            Err(_) => Err(WorkerError::WorkerCrashed(format!(
                "the worker did not start within {START_LIMIT:?}"
            ))),
        }
    }

    /// Posts `call` (the worker's copy, when the lane keeps it): Rust jobs are gathered into one
    /// message, a module job goes in a message of its own, in its turn.
    fn give(&self, call: &Call, gathered: &mut bool) {
        match call {
            Call::Rust { name, input, .. } => {
                match input {
                    Wire::Number(number) => gather_job_number(name, *number),
                    Wire::Js(value) => gather_job(name, value),
                }
                *gathered = true;
            }
            Call::Module {
                url,
                name,
                args,
                transfer,
            } => {
                self.flush(gathered);
                post_module_job(&self.worker, url, name, args, transfer);
            }
        }
    }

    /// Posts the Rust jobs gathered so far, as one message.
    fn flush(&self, gathered: &mut bool) {
        if core::mem::take(gathered) {
            post_jobs(&self.worker);
        }
    }
}

impl Drop for WebWorker {
    fn drop(&mut self) {
        // Idle or in the middle of an abandoned job, the same: terminate() ends it at once.
        stop_worker_js(&self.worker);
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

/// Appends each entry of `outputs` (a payload, or `{error}`) to `results`.
fn collect_outputs(outputs: &Array, results: &mut Vec<Result<Vec<u8>, WorkerError>>) {
    for output in outputs.iter() {
        if output.is_object() && !output.is_instance_of::<js_sys::Uint8Array>() {
            results.push(Err(WorkerError::Payload(field(&output, "error"))));
        } else {
            results.push(payload::from_js(&output));
        }
    }
}

impl Backend for Browser {
    type Worker = WebWorker;
    type Call = WebCall;
    type Reply = WebReply;

    /// Tiny jobs are posted up to this many at a time: enough to keep a worker busy while the
    /// page handles the answers, and few enough that a cancelled one is rarely far from its turn.
    const DEPTH: usize = 32;

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
        let input = if items.len() == 1 {
            let item = items.into_iter().next().expect("one item");
            Wire::of(item.into_payload()?)
        } else {
            let inputs = Array::new_with_length(items.len() as u32);
            for (i, item) in items.into_iter().enumerate() {
                inputs.set(i as u32, payload::to_js(item.into_payload()?));
            }
            Wire::Js(inputs.into())
        };
        let moves = match &input {
            Wire::Number(_) => false,
            Wire::Js(value) => match value.dyn_ref::<Array>() {
                Some(inputs) => inputs.iter().any(|input| payload::moves(&input)),
                None => payload::moves(value),
            },
        };
        Ok(WebCall(Call::Rust {
            name: js_name(func.name()),
            input,
            moves,
            done: Vec::new(),
        }))
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

    fn can_wait(call: &WebCall) -> bool {
        match &call.0 {
            Call::Rust { moves, .. } => !moves,
            Call::Module { transfer, .. } => {
                transfer.is_undefined()
                    || transfer.is_null()
                    || transfer.dyn_ref::<Array>().is_some_and(|t| t.length() == 0)
            }
        }
    }

    fn start_worker(lane: Lane<Browser>) -> impl Future<Output = Result<WebWorker, WorkerError>> {
        WebWorker::start(lane)
    }

    fn post(worker: &mut WebWorker, lane: &Lane<Browser>) {
        let mut gathered = false;
        lane.unposted(|_, posted| match posted {
            Posted::Starting(WebCall(mut call)) => {
                if let Call::Rust { done, .. } = &mut call {
                    *worker.link.done.borrow_mut() = core::mem::take(done);
                }
                worker.give(&call, &mut gathered);
            }
            Posted::Waiting(WebCall(call)) => worker.give(call, &mut gathered),
        });
        worker.flush(&mut gathered);
    }

    fn skip(worker: &mut WebWorker, seq: u64) {
        post_skip(&worker.worker, seq as f64);
    }

    fn stop_worker(worker: WebWorker, _abandoned: bool) {
        drop(worker); // terminate() ends it at once, idle or not
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
        let call = WebCall(Call::Module {
            url: JsValue::from_str(url),
            name: JsValue::from_str(name),
            args,
            transfer,
        });
        match self.call(call).await? {
            WebReply::Module(outcome) => Ok(outcome),
            WebReply::Rust(_) => Err(WorkerError::Payload("a Rust reply to a module job".into())),
        }
    }
}
