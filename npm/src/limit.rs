//! `limit(concurrency)`: p-limit's shape over weft's semaphore (`weft::Limiter`): `index.js`
//! turns the [`Semaphore`] made here into `run(task)` with `activeCount` and `pendingCount`.

use wasm_bindgen::prelude::*;

use crate::bridge::{MOST, count};
use crate::semaphore::Semaphore;

/// Checks `concurrency` (a whole number from 1 to 1e9) and makes the semaphore behind a
/// `limit(concurrency)` function; throws TypeError / RangeError at once otherwise.
#[wasm_bindgen(js_name = __limit)]
pub fn limit(concurrency: JsValue) -> Result<Semaphore, JsValue> {
    let permits = count("concurrency", &concurrency, (1, MOST), false)?.unwrap_or(1);
    Ok(Semaphore::with_permits(permits))
}
