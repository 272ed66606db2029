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

/// Spawns a task that panics with `message`: the page uses it to show (and the end-to-end test
/// to check) that a Rust panic's message reaches the console.
#[wasm_bindgen(js_name = panicInTask)]
pub fn panic_in_task(message: String) {
    weft::spawn(async move { panic!("{message}") }).detach();
}
