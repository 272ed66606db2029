//! The boundary between JS and weft: calling JS tasks, cancelling them, `AbortSignal`s, running
//! Rust futures as promises, and checking arguments before any work starts.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::errors::{range_error, type_error};

/// What every export's future gives: a value, or the error to reject with.
pub type Outcome = Result<JsValue, JsValue>;

/// A JS task in flight: the promise it returned, and the controller whose signal it was given.
/// Dropping it before it settles aborts that signal: a cancelled future is an aborted task.
pub struct JsTask {
    future: TaskFuture,
    controller: Option<AbortController>,
}

enum TaskFuture {
    Plain(JsFuture),
    // While a `Recorder` records, every task is a span of it.
    Traced(weft::trace::Traced<JsFuture>),
}

impl JsTask {
    fn new(
        promise: Promise,
        controller: Option<AbortController>,
        traced: bool,
        function: Option<&Function>,
    ) -> JsTask {
        let future = JsFuture::from(promise);
        let recorder = if traced {
            crate::trace::recording()
        } else {
            None
        };
        let future = match recorder {
            // Named after the function when it has one (`async function fetchUser`).
            Some(recorder) => {
                let name = function.map(|f| String::from(f.name())).unwrap_or_default();
                let name = if name.is_empty() { "task".into() } else { name };
                TaskFuture::Traced(recorder.try_traced(name, future))
            }
            None => TaskFuture::Plain(future),
        };
        JsTask { future, controller }
    }

    /// Gives up the right to cancel: dropping the task from now on leaves it running, and the
    /// returned controller (if any) is the caller's to abort.
    pub fn detach_controller(&mut self) -> Option<AbortController> {
        self.controller.take()
    }
}

impl Future for JsTask {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let out = match &mut self.future {
            TaskFuture::Plain(future) => Pin::new(future).poll(cx),
            TaskFuture::Traced(future) => Pin::new(future).poll(cx),
        };
        if out.is_ready() {
            self.controller = None;
        }
        out
    }
}

impl Drop for JsTask {
    fn drop(&mut self) {
        if let Some(controller) = self.controller.take() {
            controller.abort_with_reason(&crate::errors::make(
                "AbortError",
                "cancelled by weft",
                None,
                &[],
            ));
        }
    }
}

thread_local! {
    // Handed to tasks weft can never cancel (nothing can drop them before they settle): one
    // signal that never aborts costs nothing per call, a fresh AbortController does.
    static NEVER: AbortSignal = AbortController::new().expect("AbortController is available").signal();
}

/// Starts a task weft may cancel: a function is called with a fresh `AbortSignal` (aborted if
/// weft drops the task); a promise or any other value is awaited as it is (a promise cannot be
/// cancelled). A function that throws synchronously gives a rejected task, not an exception.
pub fn start(task: &JsValue) -> JsTask {
    launch(task, true, true)
}

/// Starts a task nothing can cancel (no signal option, no sibling, no timeout): the function
/// gets a signal that never aborts, which saves an `AbortController` per call.
pub fn start_uncancelled(task: &JsValue) -> JsTask {
    launch(task, false, true)
}

/// Starts a task that is never recorded by the active `Recorder` (it records it itself).
pub fn start_plain(task: &JsValue, cancellable: bool) -> JsTask {
    launch(task, cancellable, false)
}

fn launch(task: &JsValue, cancellable: bool, traced: bool) -> JsTask {
    match task.dyn_ref::<Function>() {
        Some(function) => invoke(function, &[], cancellable, traced),
        None => JsTask::new(Promise::resolve(task), None, traced, None),
    }
}

/// Calls `function(...args, signal)` as a task (see [`start`]); at most two `args`.
pub fn call(function: &Function, args: &[&JsValue], cancellable: bool) -> JsTask {
    invoke(function, args, cancellable, true)
}

fn invoke(function: &Function, args: &[&JsValue], cancellable: bool, traced: bool) -> JsTask {
    let controller =
        cancellable.then(|| AbortController::new().expect("AbortController is available"));
    let signal = match &controller {
        Some(controller) => controller.signal(),
        None => NEVER.with(AbortSignal::clone),
    };
    let this = &JsValue::UNDEFINED;
    let result = match args {
        [] => function.call1(this, &signal),
        [a] => function.call2(this, a, &signal),
        [a, b, ..] => function.call3(this, a, b, &signal),
    };
    let promise = match result {
        Ok(value) => Promise::resolve(&value),
        Err(error) => Promise::reject(&error),
    };
    JsTask::new(promise, controller, traced, Some(function))
}

/// Runs `future` as a promise; if `signal` aborts first, the future is dropped (cancelling
/// everything under it) and the promise rejects with the signal's reason.
///
/// Every export goes through this one non-generic instantiation of the promise machinery
/// (`future_to_promise` is about 1.5 KB of wasm per future type), at the price of one box.
pub fn spawn(
    signal: Option<AbortSignal>,
    future: impl Future<Output = Outcome> + 'static,
) -> Promise {
    spawn_boxed(signal, Box::pin(future))
}

#[inline(never)]
fn spawn_boxed(
    signal: Option<AbortSignal>,
    future: Pin<Box<dyn Future<Output = Outcome>>>,
) -> Promise {
    // On weft's own executor rather than wasm-bindgen-futures' `future_to_promise`: one task
    // queue in the package instead of two.
    let mut future = Some(abortable(signal, future));
    Promise::new(&mut |resolve: Function, reject: Function| {
        if let Some(future) = future.take() {
            spawn_task(async move {
                let _ = match future.await {
                    Ok(value) => resolve.call1(&JsValue::UNDEFINED, &value),
                    Err(error) => reject.call1(&JsValue::UNDEFINED, &error),
                };
            })
            .detach();
        }
    })
}

/// Turns an argument error into a rejected promise: the JS convention for async functions.
pub fn promise(result: Result<Promise, JsValue>) -> Promise {
    result.unwrap_or_else(|error| Promise::reject(&error))
}

/// Reads `options[key]`, treating `undefined` options or field as absent.
pub fn field(options: &JsValue, key: &str) -> Result<Option<JsValue>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(type_error(&format!(
            "options must be an object, got {}",
            describe(options)
        )));
    }
    let value = Reflect::get(options, &key.into())?;
    Ok((!value.is_undefined()).then_some(value))
}

/// A number as JS prints it. Formatting floats in Rust would pull about 15 KB of float
/// printing code into the package; JS already has it.
pub fn num(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// A short description of a JS value for error messages: `a string`, `NaN`, `-1`…
pub fn describe(value: &JsValue) -> String {
    if let Some(n) = value.as_f64() {
        return num(n);
    }
    if value.is_null() {
        return "null".into();
    }
    match value.js_typeof().as_string().as_deref() {
        Some("string") => "a string".into(),
        Some("object") if js_sys::Array::is_array(value) => "an array".into(),
        Some("object") => "an object".into(),
        Some("function") => "a function".into(),
        Some(kind) => kind.into(),
        None => "a value".into(),
    }
}

/// A duration in milliseconds: a finite number ≥ 0 (`Infinity` is allowed where `allow_infinite`).
pub fn millis(
    name: &str,
    value: &JsValue,
    allow_infinite: bool,
) -> Result<Option<Duration>, JsValue> {
    let Some(ms) = value.as_f64() else {
        return Err(type_error(&format!(
            "{name} must be a number of milliseconds, got {}",
            describe(value)
        )));
    };
    if ms.is_nan() || ms < 0.0 {
        return Err(range_error(&format!(
            "{name} must be a number of milliseconds ≥ 0, got {}",
            num(ms)
        )));
    }
    if ms.is_infinite() || ms > 1e15 {
        return if allow_infinite {
            Ok(None)
        } else {
            Err(range_error(&format!(
                "{name} must be finite (at most 1e15), got {}",
                num(ms)
            )))
        };
    }
    Ok(Some(Duration::from_secs_f64(ms / 1000.0)))
}

/// An optional duration option: `None` when absent, `Some(None)` for `Infinity` where allowed.
pub fn opt_millis(
    options: &JsValue,
    key: &str,
    allow_infinite: bool,
) -> Result<Option<Option<Duration>>, JsValue> {
    field(options, key)?
        .map(|value| millis(key, &value, allow_infinite))
        .transpose()
}

/// The largest count most settings take.
pub const MOST: u32 = 1_000_000_000;

/// The largest count of a setting weft allocates for up front (a channel's slots, worker
/// tasks, objects made at once): beyond it the page would run out of memory, not wait.
pub const UP_FRONT: u32 = 1_000_000;

/// A whole count from `min` to `max`; `Infinity` gives `None` where `allow_infinite`.
pub fn count(
    name: &str,
    value: &JsValue,
    (min, max): (u32, u32),
    allow_infinite: bool,
) -> Result<Option<usize>, JsValue> {
    let Some(n) = value.as_f64() else {
        return Err(type_error(&format!(
            "{name} must be a number, got {}",
            describe(value)
        )));
    };
    if allow_infinite && n == f64::INFINITY {
        return Ok(None);
    }
    if !(n.is_finite() && n.fract() == 0.0 && n >= f64::from(min) && n <= f64::from(max)) {
        let infinite = if allow_infinite { " or Infinity" } else { "" };
        return Err(range_error(&format!(
            "{name} must be a whole number from {min} to {max}{infinite}, got {}",
            num(n)
        )));
    }
    Ok(Some(n as usize))
}

/// A finite whole count option with a default.
pub fn opt_count(
    options: &JsValue,
    key: &str,
    range: (u32, u32),
    default: usize,
) -> Result<usize, JsValue> {
    match field(options, key)? {
        None => Ok(default),
        Some(value) => Ok(count(key, &value, range, false)?.unwrap_or(default)),
    }
}

/// A function argument, or a TypeError naming it.
pub fn function(name: &str, value: &JsValue) -> Result<Function, JsValue> {
    value.dyn_ref::<Function>().cloned().ok_or_else(|| {
        type_error(&format!(
            "{name} must be a function, got {}",
            describe(value)
        ))
    })
}

/// An optional function option.
pub fn opt_function(options: &JsValue, key: &str) -> Result<Option<Function>, JsValue> {
    field(options, key)?
        .map(|value| function(key, &value))
        .transpose()
}

/// The `signal` option, checked to be an `AbortSignal`.
pub fn signal(options: &JsValue) -> Result<Option<AbortSignal>, JsValue> {
    match field(options, "signal")? {
        None => Ok(None),
        Some(value) => value.dyn_into::<AbortSignal>().map(Some).map_err(|v| {
            type_error(&format!(
                "signal must be an AbortSignal, got {}",
                describe(&v)
            ))
        }),
    }
}

/// The `signal` option, rejecting at once if it is already aborted (start nothing then).
pub fn live_signal(options: &JsValue) -> Result<Option<AbortSignal>, JsValue> {
    let signal = signal(options)?;
    check_not_aborted(&signal)?;
    Ok(signal)
}

/// Checks that `value` is a function or a promise-like (a task), for error messages at the call.
pub fn check_task(name: &str, value: &JsValue) -> Result<(), JsValue> {
    if value.is_function() || value.is_object() {
        Ok(())
    } else {
        Err(type_error(&format!(
            "{name} must be a function (signal) => Promise or a Promise, got {}",
            describe(value)
        )))
    }
}

/// Collects an iterable argument into a Vec, with a TypeError naming the argument otherwise.
pub fn items(name: &str, iterable: &JsValue) -> Result<Vec<JsValue>, JsValue> {
    let not_iterable = || {
        type_error(&format!(
            "{name} must be an iterable (an array, a Set…), got {}",
            describe(iterable)
        ))
    };
    // An iterator that throws gives its own error; a value that is not iterable a TypeError.
    js_sys::try_iter(iterable)?
        .ok_or_else(not_iterable)?
        .collect()
}

/// Collects an iterable of tasks, each checked with [`check_task`].
pub fn tasks(iterable: &JsValue) -> Result<Vec<JsValue>, JsValue> {
    let tasks = items("tasks", iterable)?;
    for (i, task) in tasks.iter().enumerate() {
        check_task(&format!("tasks[{i}]"), task)?;
    }
    Ok(tasks)
}

/// Rejects with `signal.reason` right away if the signal is already aborted.
pub fn check_not_aborted(signal: &Option<AbortSignal>) -> Result<(), JsValue> {
    match signal {
        Some(signal) if signal.aborted() => Err(signal.reason()),
        _ => Ok(()),
    }
}

/// Runs `future` until it finishes or `signal` aborts; on abort the future is dropped
/// (cancelling everything under it) and the result is the signal's reason. An already-aborted
/// signal rejects at once and starts nothing: check it before building the future.
pub async fn abortable<F>(signal: Option<AbortSignal>, future: F) -> Outcome
where
    F: Future<Output = Outcome>,
{
    let Some(signal) = signal else {
        return future.await;
    };
    if signal.aborted() {
        return Err(signal.reason());
    }
    first(future, Aborted::new(&signal)).await
}

/// `a`'s output, or `b`'s as an error if `b` finishes first; the loser is dropped.
async fn first<A, B>(a: A, b: B) -> Outcome
where
    A: Future<Output = Outcome>,
    B: Future<Output = JsValue>,
{
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    core::future::poll_fn(move |cx| {
        if let Poll::Ready(out) = a.as_mut().poll(cx) {
            return Poll::Ready(out);
        }
        b.as_mut().poll(cx).map(Err)
    })
    .await
}

/// A future that resolves with the signal's reason when it aborts (its listener is removed when
/// the future is dropped).
pub fn aborted(signal: &AbortSignal) -> impl Future<Output = JsValue> + use<> {
    Aborted::new(signal)
}

/// Resolves with the signal's reason when it aborts.
struct Aborted {
    signal: AbortSignal,
    state: Rc<RefCell<(bool, Option<Waker>)>>,
    listener: Closure<dyn FnMut()>,
}

impl Aborted {
    fn new(signal: &AbortSignal) -> Self {
        let state = Rc::new(RefCell::new((false, None::<Waker>)));
        let inner = state.clone();
        let listener = Closure::<dyn FnMut()>::new(move || {
            let waker = {
                let mut state = inner.borrow_mut();
                state.0 = true;
                state.1.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        let _ = signal.add_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        Aborted {
            signal: signal.clone(),
            state,
            listener,
        }
    }
}

impl Future for Aborted {
    type Output = JsValue;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<JsValue> {
        let mut state = self.state.borrow_mut();
        if state.0 || self.signal.aborted() {
            return Poll::Ready(self.signal.reason());
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Aborted {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.listener.as_ref().unchecked_ref());
    }
}

/// Where a user callback that threw (`onRetry`, `onProgress`, `retryIf`…) leaves its error, so
/// the operation it was called from stops and rejects with it: [`Failure::guard`].
#[derive(Clone, Default)]
pub struct Failure(Rc<RefCell<(Option<JsValue>, Option<Waker>)>>);

impl Failure {
    /// Keeps the first error and wakes the guarded operation.
    pub fn fail(&self, error: JsValue) {
        let waker = {
            let mut state = self.0.borrow_mut();
            if state.0.is_none() {
                state.0 = Some(error);
            }
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Calls `callback(arg)`, recording what it throws; returns its result.
    pub fn call(&self, callback: &Function, arg: &JsValue) -> Option<JsValue> {
        match callback.call1(&JsValue::UNDEFINED, arg) {
            Ok(value) => Some(value),
            Err(error) => {
                self.fail(error);
                None
            }
        }
    }

    /// Runs `future` until it finishes or a callback fails; a callback's error wins (the
    /// future is dropped at once if it is still running).
    pub async fn guard<F: Future<Output = Outcome>>(&self, future: F) -> Outcome {
        let failed = core::future::poll_fn(|cx| {
            let mut state = self.0.borrow_mut();
            match state.0.take() {
                Some(error) => Poll::Ready(error),
                None => {
                    state.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        });
        let out = first(future, failed).await;
        match self.0.borrow_mut().0.take() {
            Some(error) => Err(error),
            None => out,
        }
    }
}

/// Makes a plain JS object from key/value pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let out = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&out, &(*key).into(), value);
    }
    out.into()
}

/// `{ status: 'fulfilled', value }` or `{ status: 'rejected', reason }`, as `Promise.allSettled`.
pub fn settled(result: Outcome) -> JsValue {
    match result {
        Ok(value) => object(&[("status", "fulfilled".into()), ("value", value)]),
        Err(reason) => object(&[("status", "rejected".into()), ("reason", reason)]),
    }
}

/// A duration as a number of milliseconds (no float formatting: a plain division).
pub fn ms(duration: Duration) -> JsValue {
    (duration.as_secs_f64() * 1000.0).into()
}

/// `[index, value]`.
pub fn pair(index: usize, value: JsValue) -> JsValue {
    js_sys::Array::of2(&(index as f64).into(), &value).into()
}

#[wasm_bindgen]
extern "C" {
    /// A promise seen through its `then` and `finally` methods, to call them with any values
    /// (js-sys wants closures).
    type Thenable;

    #[wasm_bindgen(method, js_name = then)]
    fn then(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue) -> Promise;

    #[wasm_bindgen(method, js_name = finally)]
    fn finally(this: &Thenable, callback: &JsValue) -> Promise;
}

/// `promise.then(onFulfilled, onRejected)`.
pub fn then_js(promise: &Promise, on_fulfilled: &JsValue, on_rejected: &JsValue) -> Promise {
    promise
        .unchecked_ref::<Thenable>()
        .then(on_fulfilled, on_rejected)
}

/// `promise.finally(callback)`.
pub fn finally_js(promise: &Promise, callback: &JsValue) -> Promise {
    promise.unchecked_ref::<Thenable>().finally(callback)
}

/// Calls `function(signal)` with the never-aborting signal and gives its result as a promise
/// (a throw becomes a rejection): the cheapest way to start a task nothing will cancel.
pub fn invoke_now(function: &Function) -> Promise {
    let signal = NEVER.with(AbortSignal::clone);
    match function.call1(&JsValue::UNDEFINED, &signal) {
        Ok(value) => Promise::resolve(&value),
        Err(error) => Promise::reject(&error),
    }
}

/// A task that has already failed with `error`.
pub fn rejected(error: JsValue) -> JsTask {
    JsTask::new(Promise::reject(&error), None, false, None)
}

thread_local! {
    static IGNORE: JsValue = Closure::<dyn FnMut(JsValue)>::new(|_| ()).into_js_value();
}

/// If `value` is a promise, marks its rejection as handled (nobody will await it).
pub fn ignore_rejection(value: &JsValue) {
    if let Some(promise) = value.dyn_ref::<Promise>() {
        IGNORE.with(|ignore| drop(then_js(promise, &JsValue::UNDEFINED, ignore)));
    }
}

/// `weft::spawn` of a boxed future: one task type (and one copy of the task machinery) for
/// every background task of the package.
pub fn spawn_task(future: impl Future<Output = ()> + 'static) -> weft::Task<()> {
    let future: Pin<Box<dyn Future<Output = ()>>> = Box::pin(future);
    weft::spawn(future)
}
