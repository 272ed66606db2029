//! What the page calls: each demo as an exported async function giving a plain JS object.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::demos;

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    Reflect::set(object, &JsValue::from_str(key), &value.into())
        .expect("setting a field of a plain object");
}

/// Runs the seeds' sequential vs concurrent comparison; resolves to
/// `{ sequentialMs, concurrentMs, speedup }`.
#[wasm_bindgen(js_name = sequentialVsConcurrent)]
pub async fn sequential_vs_concurrent() -> JsValue {
    let cmp = demos::sequential_vs_concurrent().await;
    let out = Object::new();
    set(&out, "sequentialMs", cmp.sequential.as_secs_f64() * 1000.0);
    set(&out, "concurrentMs", cmp.concurrent.as_secs_f64() * 1000.0);
    set(&out, "speedup", cmp.speedup());
    out.into()
}

thread_local! {
    static POOL: std::cell::RefCell<Option<weft::WorkerPool>> = const { std::cell::RefCell::new(None) };
}

/// The page's worker pool: one worker per core, started on first use.
fn pool() -> Result<weft::WorkerPool, JsValue> {
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.is_none() {
            let built = weft::WorkerPool::builder()
                .build()
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
            *pool = Some(built);
        }
        Ok(pool.clone().expect("set above"))
    })
}

/// Starts the page's worker pool now, so its workers are up before the demo needs them;
/// gives how many workers it has.
#[wasm_bindgen(js_name = startPool)]
pub fn start_pool() -> Result<usize, JsValue> {
    pool().map(|pool| pool.size())
}

/// Counts the primes below `limit` on this thread (the page freezes meanwhile); gives
/// `{ count, ms }`.
#[wasm_bindgen(js_name = countPrimesHere)]
pub fn count_primes_here(limit: f64) -> JsValue {
    let start = weft::now();
    let count = demos::count_primes_here(limit as u64);
    let out = Object::new();
    set(&out, "count", count as f64);
    set(&out, "ms", (weft::now() - start).as_secs_f64() * 1000.0);
    out.into()
}

/// Counts the primes below `limit` on the worker pool; resolves to `{ count, ms, workers }`.
#[wasm_bindgen(js_name = countPrimesOnPool)]
pub async fn count_primes_on_pool(limit: f64) -> Result<JsValue, JsValue> {
    let pool = pool()?;
    let start = weft::now();
    let count = demos::count_primes_on(&pool, limit as u64)
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let out = Object::new();
    set(&out, "count", count as f64);
    set(&out, "ms", (weft::now() - start).as_secs_f64() * 1000.0);
    set(&out, "workers", pool.size() as f64);
    Ok(out.into())
}

/// Spawns a task that panics with `message`: the page uses it to show (and the end-to-end test
/// to check) that a Rust panic's message reaches the console.
#[wasm_bindgen(js_name = panicInTask)]
pub fn panic_in_task(message: String) {
    weft::spawn(async move { panic!("{message}") }).detach();
}
