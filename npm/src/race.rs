//! `race` and `firstOk`: the first task to finish, or the first to succeed; the others are
//! aborted (`weft::race`, `weft::first_ok`).

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use crate::bridge::{live_signal, pair, promise, spawn, start, tasks};
use crate::errors::{group_error, range_error};

fn non_empty(tasks: &JsValue) -> Result<Vec<JsValue>, JsValue> {
    let tasks = self::tasks(tasks)?;
    if tasks.is_empty() {
        // An empty race has no winner: a promise that never settles helps nobody.
        return Err(range_error("tasks must not be empty"));
    }
    Ok(tasks)
}

/// `race(tasks, { signal })`: `[index, value]` of the first task to settle, or its error if it
/// rejected; every other task is aborted at once.
#[wasm_bindgen(js_name = race)]
pub fn race(tasks: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let tasks = non_empty(&tasks)?;
        let signal = live_signal(&options)?;
        let running: Vec<_> = tasks.iter().map(start).collect();
        Ok(spawn(signal, async move {
            match weft::race(running).await {
                Some((index, outcome)) => Ok(pair(index, outcome?)),
                None => Err(range_error("tasks must not be empty")),
            }
        }))
    })())
}

/// `firstOk(tasks, { signal })`: `[index, value]` of the first task to fulfil (the others are
/// aborted); if every task rejects, a `GroupError` with every error in input order.
#[wasm_bindgen(js_name = firstOk)]
pub fn first_ok(tasks: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let tasks = non_empty(&tasks)?;
        let signal = live_signal(&options)?;
        let running: Vec<_> = tasks.iter().map(start).collect();
        Ok(spawn(signal, async move {
            match weft::first_ok(running).await {
                Ok((index, value)) => Ok(pair(index, value)),
                Err(errors) => {
                    let n = errors.len();
                    let indexes: Array = (0..n).map(|i| JsValue::from(i as f64)).collect();
                    let errors: Array = errors.into_iter().collect();
                    Err(group_error(
                        &format!("all {n} tasks failed"),
                        errors,
                        indexes,
                    ))
                }
            }
        }))
    })())
}
