//! `gather`: run tasks concurrently, results in input order.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::bridge::{
    abortable, check_not_aborted, check_task, describe, field, object, signal, start,
};
use crate::errors::type_error;
use crate::time::promise;

/// Collects an iterable argument into a Vec, with a TypeError naming the argument otherwise.
pub fn items(name: &str, iterable: &JsValue) -> Result<Vec<JsValue>, JsValue> {
    let not_iterable = || {
        type_error(&format!(
            "{name} must be an iterable (an array, a Set…), got {}",
            describe(iterable)
        ))
    };
    let iter = js_sys::try_iter(iterable)
        .map_err(|_| not_iterable())?
        .ok_or_else(not_iterable)?;
    iter.collect()
}

/// `gather(tasks, { signal, settle })`.
///
/// Without `settle`: resolves with every value in input order, or rejects with the first error,
/// aborting the signals of the tasks still running (weft's `try_gather`). With `settle: true`:
/// waits for all and resolves with `{ status, value | reason }` per task, as
/// `Promise.allSettled` (weft's `gather` over results).
#[wasm_bindgen(js_name = gather)]
pub fn gather(tasks: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let tasks = items("tasks", &tasks)?;
        for (i, task) in tasks.iter().enumerate() {
            check_task(&format!("tasks[{i}]"), task)?;
        }
        let settle = field(&options, "settle")?.is_some_and(|v| v.is_truthy());
        let signal = signal(&options)?;
        check_not_aborted(&signal)?;
        let running: Vec<_> = tasks.iter().map(start).collect();
        Ok(future_to_promise(abortable(signal, async move {
            if settle {
                let settled = weft::gather(running).await;
                Ok(settled
                    .into_iter()
                    .map(|result| match result {
                        Ok(value) => object(&[("status", "fulfilled".into()), ("value", value)]),
                        Err(reason) => object(&[("status", "rejected".into()), ("reason", reason)]),
                    })
                    .collect::<Array>()
                    .into())
            } else {
                let values = weft::try_gather(running).await?;
                Ok(values.into_iter().collect::<Array>().into())
            }
        })))
    })())
}
