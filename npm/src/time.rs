//! `sleep` and `timeout`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::bridge::{abortable, check_not_aborted, check_task, field, millis, signal, start};
use crate::errors::timeout_error;

/// Turns an argument error into a rejected promise: the JS convention for async functions.
pub fn promise(result: Result<Promise, JsValue>) -> Promise {
    result.unwrap_or_else(|error| Promise::reject(&error))
}

/// `sleep(ms, { signal })`: resolves after `ms` milliseconds, never earlier.
#[wasm_bindgen(js_name = sleep)]
pub fn sleep(ms: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let duration = millis("ms", &ms, false)?.unwrap_or_default();
        let signal = signal(&options)?;
        check_not_aborted(&signal)?;
        Ok(future_to_promise(abortable(signal, async move {
            weft::sleep(duration).await;
            Ok(JsValue::UNDEFINED)
        })))
    })())
}

/// `timeout(task, ms, { signal, fallback })`: the task's value, or a `TimeoutError` (or
/// `fallback`, when given) once `ms` have passed; the task's signal is then aborted.
#[wasm_bindgen(js_name = timeout)]
pub fn timeout(task: JsValue, ms: JsValue, options: JsValue) -> Promise {
    promise((|| {
        check_task("task", &task)?;
        let limit = millis("ms", &ms, true)?;
        let signal = signal(&options)?;
        let fallback = field(&options, "fallback")?;
        check_not_aborted(&signal)?;
        let ms = ms.as_f64().unwrap_or_default();
        let running = start(&task);
        Ok(future_to_promise(abortable(signal, async move {
            let Some(limit) = limit else {
                return running.await;
            };
            match weft::timeout(limit, running).await {
                Ok(result) => result,
                Err(_) => fallback.map(Ok).unwrap_or_else(|| Err(timeout_error(ms))),
            }
        })))
    })())
}
