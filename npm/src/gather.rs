//! `gather`: run tasks concurrently, results in input order.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use crate::bridge::{field, live_signal, promise, settled, spawn, start, tasks};

/// `gather(tasks, { signal, settle })`.
///
/// Without `settle`: resolves with every value in input order, or rejects with the first error,
/// aborting the signals of the tasks still running (weft's `try_gather`). With `settle: true`:
/// waits for all and resolves with `{ status, value | reason }` per task, as
/// `Promise.allSettled` (weft's `gather` over results).
#[wasm_bindgen(js_name = gather)]
pub fn gather(tasks: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let tasks = self::tasks(&tasks)?;
        let settle = field(&options, "settle")?.is_some_and(|v| v.is_truthy());
        let signal = live_signal(&options)?;
        let running: Vec<_> = tasks.iter().map(start).collect();
        Ok(spawn(signal, async move {
            if settle {
                let outcomes = weft::gather(running).await;
                Ok(outcomes.into_iter().map(settled).collect::<Array>().into())
            } else {
                let values = weft::try_gather(running).await?;
                Ok(values.into_iter().collect::<Array>().into())
            }
        }))
    })())
}
