//! `wait`: wait for the first, the first failed, or all tasks, with a timeout, and get the
//! unfinished ones back (`weft::wait`, asyncio's `wait`).

use std::cell::RefCell;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortController;
use weft::ReturnWhen;

use crate::bridge::{
    JsTask, describe, field, live_signal, object, opt_millis, pair, promise, settled, spawn, start,
    tasks, then_js,
};
use crate::errors::{range_error, type_error};

/// `wait(tasks, { returnWhen, timeout, signal })` resolves with `{ done, pending }`: `done`
/// lists `[index, { status, value | reason }]` for every task that had finished (in finish
/// order), `pending` a [`PendingTask`] for each of the others (in input order), still running.
/// Aborting the signal while waiting aborts every task.
#[wasm_bindgen(js_name = wait)]
pub fn wait(tasks: JsValue, options: JsValue) -> Promise {
    promise((|| {
        let tasks = self::tasks(&tasks)?;
        let return_when = match field(&options, "returnWhen")? {
            None => ReturnWhen::AllCompleted,
            Some(value) => match value.as_string().as_deref() {
                Some("FIRST_COMPLETED") => ReturnWhen::FirstCompleted,
                Some("FIRST_ERROR") | Some("FIRST_EXCEPTION") => ReturnWhen::FirstError,
                Some("ALL_COMPLETED") => ReturnWhen::AllCompleted,
                Some(other) => {
                    return Err(range_error(&format!(
                        "returnWhen must be 'FIRST_COMPLETED', 'FIRST_ERROR' or 'ALL_COMPLETED', got '{other}'"
                    )));
                }
                None => {
                    return Err(type_error(&format!(
                        "returnWhen must be a string, got {}",
                        describe(&value)
                    )));
                }
            },
        };
        let timeout = opt_millis(&options, "timeout", true)?.flatten();
        let signal = live_signal(&options)?;
        let running: Vec<JsTask> = tasks.iter().map(start).collect();
        Ok(spawn(signal, async move {
            let waited = weft::wait(running, return_when, timeout).await;
            let done: Array = waited
                .done
                .into_iter()
                .map(|(index, outcome)| pair(index, settled(outcome)))
                .collect();
            let pending: Array = waited
                .pending
                .into_iter()
                .map(|(index, task)| JsValue::from(PendingTask::new(index, task)))
                .collect();
            Ok(object(&[
                ("done", done.into()),
                ("pending", pending.into()),
            ]))
        }))
    })())
}

/// A task `wait` handed back unfinished: still running, awaitable (`await task`, or
/// `task.promise`), and cancellable (`task.cancel()` aborts its signal).
#[wasm_bindgen]
pub struct PendingTask {
    index: usize,
    task: RefCell<Option<JsTask>>,
    promise: RefCell<Option<Promise>>,
    controller: Option<AbortController>,
}

impl PendingTask {
    fn new(index: usize, mut task: JsTask) -> PendingTask {
        // From here on only `cancel()` aborts it: dropping this handle leaves the task running.
        let controller = task.detach_controller();
        PendingTask {
            index,
            task: RefCell::new(Some(task)),
            promise: RefCell::new(None),
            controller,
        }
    }
}

#[wasm_bindgen]
impl PendingTask {
    /// The task's index in the input.
    #[wasm_bindgen(getter)]
    pub fn index(&self) -> usize {
        self.index
    }

    /// A promise of the task's outcome (made on first use, then the same one).
    #[wasm_bindgen(getter)]
    pub fn promise(&self) -> Promise {
        let task = self.task.borrow_mut().take();
        let mut promise = self.promise.borrow_mut();
        promise
            .get_or_insert_with(|| match task {
                Some(task) => spawn(None, task),
                None => Promise::resolve(&JsValue::UNDEFINED),
            })
            .clone()
    }

    /// Makes the handle awaitable: `await task` is `await task.promise`.
    pub fn then(&self, on_fulfilled: JsValue, on_rejected: JsValue) -> Promise {
        then_js(&self.promise(), &on_fulfilled, &on_rejected)
    }

    /// Aborts the task's signal (with `reason`, or an `AbortError`). A task given as a plain
    /// promise cannot be cancelled; then this does nothing.
    pub fn cancel(&self, reason: JsValue) {
        if let Some(controller) = &self.controller {
            if reason.is_undefined() {
                controller.abort_with_reason(&crate::errors::make(
                    "AbortError",
                    "cancelled",
                    None,
                    &[],
                ));
            } else {
                controller.abort_with_reason(&reason);
            }
        }
    }
}
