//! `sleep` and `timeout`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::bridge::{check_task, field, live_signal, millis, promise, spawn, start};
use crate::errors::timeout_error;

/// `sleep(ms, { signal })`: resolves after `ms` milliseconds, never earlier.
#[wasm_bindgen(js_name = sleep)]
pub fn sleep(ms: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let duration = millis("ms", &ms, false)?.unwrap_or_default();
        let signal = live_signal(&options)?;
        Ok(spawn(signal, async move {
            weft::sleep(duration).await;
            Ok(JsValue::UNDEFINED)
        }))
    })())
}

/// `timeout(task, ms, { signal, fallback })`: the task's value, or a `TimeoutError` (or
/// `fallback`, when given) once `ms` have passed; the task's signal is then aborted.
#[wasm_bindgen(js_name = timeout)]
pub fn timeout(task: JsValue, ms: JsValue, options: JsValue) -> Promise {
    promise((|| {
        check_task("task", &task)?;
        let limit = millis("ms", &ms, true)?;
        let fallback = field(&options, "fallback")?;
        let signal = live_signal(&options)?;
        let ms = ms.as_f64().unwrap_or_default();
        let running = start(&task);
        Ok(spawn(signal, async move {
            let Some(limit) = limit else {
                return running.await;
            };
            match weft::timeout(limit, running).await {
                Ok(result) => result,
                Err(_) => fallback.map(Ok).unwrap_or_else(|| Err(timeout_error(ms))),
            }
        }))
    })())
}
