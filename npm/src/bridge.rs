//! The boundary between JS and weft: calling JS tasks, cancelling them, `AbortSignal`s, and
//! checking arguments before any work starts.

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

/// A JS task in flight: the promise it returned, and the controller whose signal it was given.
/// Dropping it before it settles aborts that signal: a cancelled future is an aborted task.
pub struct JsTask {
    future: JsFuture,
    controller: Option<AbortController>,
}

impl Future for JsTask {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let out = Pin::new(&mut self.future).poll(cx);
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

/// Starts a task: a function is called with a fresh `AbortSignal` (aborted if weft cancels it);
/// a promise or any other value is awaited as it is (a promise cannot be cancelled).
/// A function that throws synchronously gives a rejected task, not an exception.
pub fn start(task: &JsValue) -> JsTask {
    match task.dyn_ref::<Function>() {
        Some(function) => {
            let controller = AbortController::new().expect("AbortController is available");
            let result = function.call1(&JsValue::UNDEFINED, &controller.signal());
            let promise = match result {
                Ok(value) => Promise::resolve(&value),
                Err(error) => Promise::reject(&error),
            };
            JsTask {
                future: JsFuture::from(promise),
                controller: Some(controller),
            }
        }
        None => JsTask {
            future: JsFuture::from(Promise::resolve(task)),
            controller: None,
        },
    }
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
    if ms.is_infinite() {
        return if allow_infinite {
            Ok(None)
        } else {
            Err(range_error(&format!("{name} must be finite, got Infinity")))
        };
    }
    Ok(Some(Duration::from_secs_f64(ms / 1000.0)))
}

/// A whole count ≥ `min` (limits, sizes, attempts).
#[allow(dead_code)] // used by the exports of limits, pools and retry as they arrive
pub fn count(name: &str, value: &JsValue, min: u32) -> Result<usize, JsValue> {
    let Some(n) = value.as_f64() else {
        return Err(type_error(&format!(
            "{name} must be a number, got {}",
            describe(value)
        )));
    };
    if !(n.is_finite() && n.fract() == 0.0 && n >= f64::from(min) && n <= 1e9) {
        return Err(range_error(&format!(
            "{name} must be a whole number from {min} to 1e9, got {}",
            num(n)
        )));
    }
    Ok(n as usize)
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

/// Runs `future` until it finishes or `signal` aborts; on abort the future is dropped
/// (cancelling everything under it) and the result is the signal's reason. An already-aborted
/// signal rejects at once and starts nothing: check it before building the future.
pub async fn abortable<F>(signal: Option<AbortSignal>, future: F) -> Result<JsValue, JsValue>
where
    F: Future<Output = Result<JsValue, JsValue>>,
{
    let Some(signal) = signal else {
        return future.await;
    };
    if signal.aborted() {
        return Err(signal.reason());
    }
    let aborted = Aborted::new(&signal);
    let future = std::pin::pin!(future);
    let either = futures_or(future, aborted);
    either.await
}

/// Rejects with `signal.reason` right away if the signal is already aborted.
pub fn check_not_aborted(signal: &Option<AbortSignal>) -> Result<(), JsValue> {
    match signal {
        Some(signal) if signal.aborted() => Err(signal.reason()),
        _ => Ok(()),
    }
}

async fn futures_or<A, B>(a: Pin<&mut A>, b: B) -> Result<JsValue, JsValue>
where
    A: Future<Output = Result<JsValue, JsValue>>,
    B: Future<Output = JsValue>,
{
    let mut a = a;
    let mut b = std::pin::pin!(b);
    core::future::poll_fn(move |cx| {
        if let Poll::Ready(out) = a.as_mut().poll(cx) {
            return Poll::Ready(out);
        }
        b.as_mut().poll(cx).map(Err)
    })
    .await
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

/// Makes a plain JS object from key/value pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let out = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&out, &(*key).into(), value);
    }
    out.into()
}
