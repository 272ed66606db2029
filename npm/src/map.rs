//! `mapConcurrent`: p-map's shape over `weft::map_concurrent_unordered`: `mapper(item, index,
//! signal)` over an iterable with at most `concurrency` calls in flight, items pulled lazily.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use weft::StreamExt;

use crate::bridge::{
    JsTask, MOST, call, count, describe, field, function, live_signal, promise, rejected, settled,
    spawn,
};
use crate::errors::{config_error, type_error};

/// `mapConcurrent(items, mapper, { concurrency, ordered, settle, signal })`.
///
/// Resolves with the mapped values, in input order (or in finish order with `ordered: false`).
/// The first rejection rejects the call and aborts the mappers still running, and no further
/// item is started (with `settle: true` every outcome is kept as `{ status, value | reason }`).
/// `concurrency` defaults to `Infinity`. Items are read from the iterable only as slots free
/// up, so an endless generator works with bounded memory.
#[wasm_bindgen(js_name = mapConcurrent)]
pub fn map_concurrent(items: JsValue, mapper: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let not_iterable = || {
            type_error(&format!(
                "items must be an iterable (an array, a Set, a generator…), got {}",
                describe(&items)
            ))
        };
        let iter = js_sys::try_iter(&items)?.ok_or_else(not_iterable)?;
        let mapper = function("mapper", &mapper)?;
        let concurrency = match field(&options, "concurrency")? {
            None => None,
            Some(value) => count("concurrency", &value, (1, MOST), true)?,
        };
        let ordered = field(&options, "ordered")?.is_none_or(|v| v.is_truthy());
        let settle = field(&options, "settle")?.is_some_and(|v| v.is_truthy());
        let signal = live_signal(&options)?;
        let mut stream = weft::map_concurrent_unordered(
            iter.enumerate(),
            concurrency.unwrap_or(usize::MAX),
            move |(index, item): (usize, Result<JsValue, JsValue>)| -> JsTask {
                match item {
                    Ok(item) => call(&mapper, &[&item, &(index as f64).into()], true),
                    // The iterable threw: that item fails.
                    Err(error) => rejected(error),
                }
            },
        )
        .map_err(config_error)?;
        Ok(spawn(signal, async move {
            let mut out: Vec<JsValue> = Vec::new();
            while let Some((index, outcome)) = stream.next().await {
                let value = if settle { settled(outcome) } else { outcome? };
                if !ordered {
                    out.push(value);
                    continue;
                }
                if index >= out.len() {
                    out.resize(index + 1, JsValue::UNDEFINED);
                }
                out[index] = value;
            }
            Ok(out.into_iter().collect::<Array>().into())
        }))
    })())
}
