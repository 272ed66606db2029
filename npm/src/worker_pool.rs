//! `WorkerPool`: CPU work on module Web Workers — functions of the app's own ES module, or the
//! package's Rust built-ins (`weft::WorkerPool`, Python's `multiprocessing.Pool`).
//!
//! Glue only: queueing, backpressure, per-job timeouts, cancellation (the worker is terminated
//! and replaced) and crash recovery are the Rust pool's (`weft_web`'s `pool.rs` and `pool.js`).

use core::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use weft::offload::DEFAULT_QUEUE_CAPACITY;
use weft::{Bytes, JsModuleJobs, WebCall, WebReply, WorkerError};

use crate::bridge::{
    Failure, Outcome, UP_FRONT, count, describe, field, items, live_signal, millis, num, object,
    opt_count, opt_function, opt_millis, promise, spawn,
};
use crate::errors::{closed_error, config_error, make, range_error, timeout_error, type_error};

/// The prefix of the package's own Rust functions in `run(name, …)`.
const BUILTIN: &str = "builtin:";

weft::func! {
    /// How many primes are below `n`, by trial division: `builtin:countPrimes`, a CPU job.
    fn count_primes(n: u64) -> u64 {
        let mut found = 0;
        let mut k = 2;
        while k < n {
            let mut d = 2;
            let mut prime = true;
            while d * d <= k {
                if k % d == 0 {
                    prime = false;
                    break;
                }
                d += 1;
            }
            found += u64::from(prime);
            k += 1;
        }
        found
    }
}

weft::func! {
    /// Every byte flipped (`255 - b`): `builtin:invert`, a job on a byte buffer.
    fn invert(data: Bytes) -> Bytes {
        let mut bytes = data.into_vec();
        for b in &mut bytes {
            *b = !*b;
        }
        Bytes::from(bytes)
    }
}

/// `await WorkerPool.create({ module, size, queue, timeout })`.
#[wasm_bindgen(js_name = WorkerPool)]
pub struct JsWorkerPool {
    pool: weft::WorkerPool,
    module: Option<String>,
    // The pool-wide job timeout in ms, for TimeoutError's `timeout` field.
    timeout_ms: f64,
    stopped: Rc<Cell<bool>>,
}

#[wasm_bindgen(js_class = WorkerPool)]
impl JsWorkerPool {
    /// Resolves with a pool of `size` workers (default `navigator.hardwareConcurrency`) that
    /// queues up to `queue` jobs (default 1024; `run` waits when full) and fails a job running
    /// longer than `timeout` ms (default none) with `TimeoutError`. `module` (a URL or string,
    /// relative to the page) is the app's ES module whose exports `run` calls. Bad options reject
    /// with TypeError / RangeError and start nothing. Workers start in the background.
    pub fn create(options: JsValue) -> Promise {
        promise(Self::build(&options).map(|pool| Promise::resolve(&JsValue::from(pool))))
    }

    fn build(options: &JsValue) -> Result<JsWorkerPool, JsValue> {
        if !(options.is_undefined() || options.is_object()) {
            return Err(type_error(&format!(
                "options must be an object {{ module, size, queue, timeout }}, got {}",
                describe(options)
            )));
        }
        let module = field(options, "module")?
            .map(|m| module_url(&m))
            .transpose()?;
        let mut builder = weft::WorkerPool::builder();
        if let Some(size) = field(options, "size")? {
            builder = builder.size(count("size", &size, (1, 1024), false)?.unwrap_or(1));
        }
        let queue = opt_count(options, "queue", (1, UP_FRONT), DEFAULT_QUEUE_CAPACITY)?;
        builder = builder.queue_capacity(queue);
        let mut timeout_ms = f64::INFINITY;
        if let Some(Some(limit)) = opt_millis(options, "timeout", true)? {
            timeout_ms = limit.as_secs_f64() * 1000.0;
            if let Some(ms) = field(options, "timeout")?.and_then(|v| v.as_f64()) {
                timeout_ms = ms;
            }
            builder = builder.job_timeout(limit);
        }
        let pool = builder.build().map_err(config_error)?;
        Ok(JsWorkerPool {
            pool,
            module,
            timeout_ms,
            stopped: Rc::new(Cell::new(false)),
        })
    }

    /// The number of workers.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.pool.size()
    }

    /// `run(name, args, { signal, timeout, transfer })`: calls `name(...args)` on a worker and
    /// resolves with its value. `name` is an export of the pool's module, or `builtin:<name>` for
    /// the package's Rust functions (`builtin:countPrimes`, `builtin:invert`). `transfer` lists
    /// ArrayBuffers that move to the worker instead of being copied; ArrayBuffers in the result
    /// move back. `timeout` (ms, from the call) and aborting `signal` end the job: its worker is
    /// terminated and replaced, and `run` rejects with `TimeoutError` / the signal's reason.
    /// What the function throws, a panic or a crash reject with `WorkerError` (`kind`).
    pub fn run(&self, name: JsValue, args: JsValue, options: JsValue) -> Promise {
        promise((|| {
            let name = name.as_string().filter(|n| !n.is_empty()).ok_or_else(|| {
                type_error(&format!(
                    "name must be a non-empty string, got {}",
                    describe(&name)
                ))
            })?;
            let args = arguments(args)?;
            let transfer = transfer_list(&options)?;
            let limit = field(&options, "timeout")?
                .map(|value| millis("timeout", &value, true).map(|d| d.zip(value.as_f64())))
                .transpose()?
                .flatten();
            let signal = live_signal(&options)?;
            let job = self.job(&name, args, transfer)?;
            Ok(spawn(signal, async move {
                match limit {
                    None => job.await,
                    Some((limit, ms)) => weft::timeout(limit, job)
                        .await
                        .unwrap_or_else(|_| Err(timeout_error(ms))),
                }
            }))
        })())
    }

    /// `map(name, items, { signal, onProgress })`: `run(name, [item])` for every item, all
    /// queued at once; resolves with the values in input order. The first failure rejects and
    /// cancels the rest (their workers are replaced), as does aborting `signal`.
    /// `onProgress({ done, total })` runs after each item; if it throws, `map` rejects with that.
    pub fn map(&self, name: JsValue, items: JsValue, options: JsValue) -> Promise {
        promise((|| {
            let name = name.as_string().filter(|n| !n.is_empty()).ok_or_else(|| {
                type_error(&format!(
                    "name must be a non-empty string, got {}",
                    describe(&name)
                ))
            })?;
            let items = self::items("items", &items)?;
            let on_progress = opt_function(&options, "onProgress")?;
            let signal = live_signal(&options)?;
            let total = items.len() as f64;
            let jobs = items
                .into_iter()
                .map(|item| self.job(&name, Array::of1(&item), Array::new()))
                .collect::<Result<Vec<_>, _>>()?;
            let failure = Failure::default();
            let done = Rc::new(Cell::new(0.0));
            let jobs = jobs.into_iter().map(|job| {
                let (failure, done, hook) = (failure.clone(), done.clone(), on_progress.clone());
                async move {
                    let value = job.await?;
                    done.set(done.get() + 1.0);
                    if let Some(hook) = hook {
                        let progress =
                            object(&[("done", done.get().into()), ("total", total.into())]);
                        failure.call(&hook, &progress);
                    }
                    Ok::<_, JsValue>(value)
                }
            });
            let all = weft::try_gather(jobs);
            Ok(spawn(signal, async move {
                failure
                    .guard(async move {
                        let values = all.await?;
                        Ok(values.into_iter().collect::<Array>().into())
                    })
                    .await
            }))
        })())
    }

    /// Lets queued and running jobs (every `run` made before) finish, then stops the workers;
    /// resolves when they have stopped. Later `run`s reject with `ClosedError`, and so do
    /// earlier ones still waiting for room in a full queue.
    pub fn close(&self) -> Promise {
        self.stopped.set(true);
        let pool = self.pool.clone();
        spawn(None, async move {
            // `run`s made before this call are tasks that queue their job when first polled:
            // let them (tasks run in spawn order) before the queue closes.
            weft::yield_now().await;
            pool.close().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Stops at once: running jobs' workers are terminated, and they and queued jobs reject
    /// with `WorkerError` (`kind: 'terminated'`). Later `run`s reject with `ClosedError`.
    pub fn terminate(&self) -> Promise {
        self.stopped.set(true);
        let stopping = self.pool.terminate();
        spawn(None, async move {
            stopping.await;
            Ok(JsValue::UNDEFINED)
        })
    }
}

impl JsWorkerPool {
    /// The job for `run(name, args)`, checked; it is queued when first polled.
    fn job(
        &self,
        name: &str,
        args: Array,
        transfer: Array,
    ) -> Result<impl Future<Output = Outcome> + 'static + use<>, JsValue> {
        if self.stopped.get() {
            return Err(closed_error("the worker pool"));
        }
        let pool = self.pool.clone();
        let timeout_ms = self.timeout_ms;
        let kind = match name.strip_prefix(BUILTIN) {
            Some(builtin) => Builtin::parse(builtin, &args, &transfer)?,
            None => {
                let Some(url) = self.module.clone() else {
                    return Err(type_error(&format!(
                        "`{name}`: this pool has no module (give `module` to WorkerPool.create), \
                         and the package's own functions are named `builtin:…`"
                    )));
                };
                Builtin::Module(url, name.to_string(), args, transfer)
            }
        };
        Ok(async move {
            let error = |e| worker_error(e, timeout_ms);
            match kind {
                Builtin::CountPrimes(n) => {
                    Ok((pool.run(count_primes, n).await.map_err(error)? as f64).into())
                }
                Builtin::Invert(input) => {
                    let call = WebCall::rust_bytes(invert.name(), input);
                    match pool.call(call).await.map_err(error)? {
                        WebReply::Rust(mut results) => {
                            let bytes = results.pop().unwrap_or(Err(WorkerError::Cancelled));
                            Ok(Uint8Array::from(&bytes.map_err(error)?[..]).into())
                        }
                        WebReply::Module(_) => {
                            Err(error(WorkerError::Payload("a module reply".into())))
                        }
                    }
                }
                Builtin::Module(url, name, args, transfer) => {
                    match pool
                        .run_module(&url, &name, args.into(), transfer.into())
                        .await
                    {
                        Ok(Ok(value)) => Ok(value),
                        Ok(Err(thrown)) => Err(threw(&thrown)),
                        Err(e) => Err(error(e)),
                    }
                }
            }
        })
    }
}

/// A checked call: a built-in with its decoded argument, or a module export.
enum Builtin {
    CountPrimes(u64),
    Invert(Uint8Array),
    Module(String, String, Array, Array),
}

impl Builtin {
    fn parse(name: &str, args: &Array, transfer: &Array) -> Result<Builtin, JsValue> {
        let one = |what: &str| {
            if args.length() == 1 {
                Ok(args.get(0))
            } else {
                Err(type_error(&format!(
                    "builtin:{name} takes one argument ({what}), got {}",
                    args.length()
                )))
            }
        };
        match name {
            "countPrimes" => {
                let n = one("a whole number")?;
                let Some(n) = n.as_f64() else {
                    return Err(type_error(&format!(
                        "builtin:countPrimes takes a number, got {}",
                        describe(&n)
                    )));
                };
                if !(n.is_finite()
                    && n.fract() == 0.0
                    && (0.0..=9_007_199_254_740_991.0).contains(&n))
                {
                    return Err(range_error(&format!(
                        "builtin:countPrimes takes a whole number ≥ 0, got {}",
                        num(n)
                    )));
                }
                Ok(Builtin::CountPrimes(n as u64))
            }
            "invert" => {
                let data = one("an ArrayBuffer or a typed array")?;
                let (buffer, offset, length) = if let Some(buffer) = data.dyn_ref::<ArrayBuffer>() {
                    (buffer.clone(), 0, buffer.byte_length())
                } else if ArrayBuffer::is_view(&data) {
                    let view: &js_sys::DataView = data.unchecked_ref();
                    let buffer = view.buffer();
                    (buffer, view.byte_offset() as u32, view.byte_length() as u32)
                } else {
                    return Err(type_error(&format!(
                        "builtin:invert takes an ArrayBuffer or a typed array, got {}",
                        describe(&data)
                    )));
                };
                let bytes = Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length);
                // pool.js always moves a Rust job's input buffer: copy it unless the caller
                // listed it in `transfer`.
                let moved = transfer.iter().any(|t| t == JsValue::from(&buffer));
                Ok(Builtin::Invert(if moved {
                    bytes
                } else {
                    bytes.slice(0, length)
                }))
            }
            _ => Err(make(
                "WorkerError",
                &format!("unknown function `builtin:{name}` (the built-ins: countPrimes, invert)"),
                None,
                &[("kind", "unknown".into())],
            )),
        }
    }
}

/// `args`: an array (or absent, for no arguments).
fn arguments(args: JsValue) -> Result<Array, JsValue> {
    if args.is_undefined() {
        return Ok(Array::new());
    }
    if Array::is_array(&args) {
        return Ok(args.unchecked_into());
    }
    Err(type_error(&format!(
        "args must be an array of arguments, got {}",
        describe(&args)
    )))
}

/// The `transfer` option: distinct, usable ArrayBuffers.
fn transfer_list(options: &JsValue) -> Result<Array, JsValue> {
    let Some(list) = field(options, "transfer")? else {
        return Ok(Array::new());
    };
    if !Array::is_array(&list) {
        return Err(type_error(&format!(
            "transfer must be an array of ArrayBuffers, got {}",
            describe(&list)
        )));
    }
    let list: Array = list.unchecked_into();
    for (i, entry) in list.iter().enumerate() {
        let Some(buffer) = entry.dyn_ref::<ArrayBuffer>() else {
            let hint = if ArrayBuffer::is_view(&entry) {
                " (a typed array: list its .buffer)"
            } else {
                ""
            };
            return Err(type_error(&format!(
                "transfer[{i}] must be an ArrayBuffer, got {}{hint}",
                describe(&entry)
            )));
        };
        if Reflect::get(buffer, &"detached".into()).is_ok_and(|d| d.is_truthy()) {
            return Err(type_error(&format!(
                "transfer[{i}] is detached (already transferred)"
            )));
        }
        if list.index_of(&entry, 0) != i as i32 {
            return Err(type_error(&format!("transfer[{i}] is listed twice")));
        }
    }
    Ok(list)
}

/// `module`: a URL or string, resolved against the page (workers import it by absolute URL).
fn module_url(value: &JsValue) -> Result<String, JsValue> {
    let text = if let Some(text) = value.as_string() {
        text
    } else if value.is_object()
        && let Some(href) = Reflect::get(value, &"href".into())?.as_string()
    {
        href
    } else {
        return Err(type_error(&format!(
            "module must be a URL or a string, got {}",
            describe(value)
        )));
    };
    let global = js_sys::global();
    let base = Reflect::get(&global, &"location".into())
        .and_then(|l| Reflect::get(&l, &"href".into()))
        .unwrap_or_default();
    let url: Function = Reflect::get(&global, &"URL".into())?.unchecked_into();
    let resolved = Reflect::construct(&url, &Array::of2(&text.into(), &base))
        .map_err(|_| type_error("module is not a valid URL"))?;
    Ok(Reflect::get(&resolved, &"href".into())?
        .as_string()
        .unwrap_or_default())
}

/// The `WorkerError` for what a module function threw: its message, and it as `cause`.
fn threw(thrown: &JsValue) -> JsValue {
    let message = Reflect::get(thrown, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| text(thrown));
    make(
        "WorkerError",
        &message,
        Some(thrown),
        &[("kind", "threw".into())],
    )
}

/// `String(value)`.
fn text(value: &JsValue) -> String {
    if value.is_undefined() || value.is_null() {
        return describe(value);
    }
    value.unchecked_ref::<js_sys::Object>().to_string().into()
}

/// The JS error for a pool failure: `TimeoutError`, `ClosedError`, or `WorkerError` with `kind`.
fn worker_error(error: WorkerError, timeout_ms: f64) -> JsValue {
    let kind = match &error {
        WorkerError::Timeout(_) => return timeout_error(timeout_ms),
        WorkerError::Closed => return closed_error("the worker pool"),
        WorkerError::Panicked(_) => "panicked",
        WorkerError::Terminated => "terminated",
        WorkerError::Cancelled => "cancelled",
        WorkerError::UnknownFunction(_) => "unknown",
        WorkerError::Payload(_) => "payload",
        _ => "crashed",
    };
    make(
        "WorkerError",
        &error.to_string(),
        None,
        &[("kind", kind.into())],
    )
}

/// Called once by `index.js`: pool workers start from the package's `worker.js`, written so
/// that bundlers emit it (see `weft_web::set_worker_factory`).
#[wasm_bindgen(js_name = __setWorkerFactory)]
pub fn set_worker_factory(factory: Function) {
    weft::set_worker_factory(Some(&factory));
}
