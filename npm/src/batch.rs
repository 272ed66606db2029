//! `batch(items, fn, { size, concurrency, pause, onProgress, signal })`: a list in batches, a
//! few batches at a time, with progress (`weft::Batch`, the seeds' `process_batch`).

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use crate::bridge::{
    Failure, MOST, call, function, items, live_signal, ms, object, opt_count, opt_function,
    opt_millis, promise, settled, spawn,
};
use crate::errors::config_error;

/// Calls `fn(batchItems, batchIndex, signal)` once per batch of `size` items (default 100; the
/// last batch may be shorter), at most `concurrency` (default 5) batches at a time, waiting
/// `pause` ms before each batch that starts after another finished. Resolves with one
/// `{ status, value | reason }` per batch, in batch order. `onProgress({ done, failed, total,
/// rate, eta, elapsed })` runs after each batch (items; rate per second; eta and elapsed in ms,
/// eta `null` while unknown); the last call, and only it, has `done === total`. If `onProgress`
/// throws, `batch` rejects with what it threw and aborts the batches in flight; so does
/// aborting the signal.
#[wasm_bindgen(js_name = batch)]
pub fn batch(items: JsValue, f: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let items = self::items("items", &items)?;
        let f = function("fn", &f)?;
        let size = opt_count(&options, "size", (1, MOST), 100)?;
        let concurrency = opt_count(&options, "concurrency", (1, MOST), 5)?;
        let pause = opt_millis(&options, "pause", false)?
            .flatten()
            .unwrap_or_default();
        let on_progress = opt_function(&options, "onProgress")?;
        let signal = live_signal(&options)?;
        let failure = Failure::default();
        let hook_failure = failure.clone();
        let job = <weft::Batch<JsValue>>::new(items)
            .size(size)
            .concurrency(concurrency)
            .pause(pause)
            .on_progress(move |p: &weft::Progress| {
                if let Some(hook) = &on_progress {
                    let progress = object(&[
                        ("done", (p.done as f64).into()),
                        ("failed", (p.failed as f64).into()),
                        ("total", (p.total as f64).into()),
                        ("rate", p.rate.into()),
                        ("eta", p.eta.map_or(JsValue::NULL, ms)),
                        ("elapsed", ms(p.elapsed)),
                    ]);
                    hook_failure.call(hook, &progress);
                }
            });
        let mut index = 0_usize;
        let run = job.run(move |batch: Vec<JsValue>| {
            let batch: Array = batch.into_iter().collect();
            let (f, at) = (f.clone(), index as f64);
            index += 1;
            // Called on the first poll, not here: weft makes the batch's future before its
            // pause, and a JS call, unlike a Rust future, starts work at once.
            async move {
                let value = call(&f, &[&batch, &at.into()], true).await?;
                Ok(vec![value])
            }
        });
        Ok(spawn(signal, async move {
            failure
                .guard(async move {
                    let results = run.await.map_err(config_error)?;
                    Ok(results
                        .into_iter()
                        .map(|result| settled(result.map(|mut v| v.pop().unwrap_or_default())))
                        .collect::<Array>()
                        .into())
                })
                .await
        }))
    })())
}
