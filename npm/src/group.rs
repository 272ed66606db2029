//! `TaskGroup`: children that all end with their group; the first failure aborts the siblings
//! (`weft::TaskGroup`, asyncio's `TaskGroup`).

use std::cell::RefCell;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use weft::ChildFailure;

use crate::bridge::{check_task, live_signal, promise, spawn, start};
use crate::errors::{closed_error, group_error, make};

type Group = weft::TaskGroup<JsValue, JsValue>;

/// `new TaskGroup()`: `spawn(task)` children, then `join()` them.
#[wasm_bindgen(js_name = TaskGroup)]
pub struct JsTaskGroup {
    group: RefCell<Option<Group>>,
    handle: weft::GroupHandle<JsValue, JsValue>,
}

impl Default for JsTaskGroup {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen(js_class = TaskGroup)]
impl JsTaskGroup {
    /// An empty, open group.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsTaskGroup {
        let group = Group::new();
        let handle = group.handle();
        JsTaskGroup {
            group: RefCell::new(Some(group)),
            handle,
        }
    }

    /// Starts `task` as a child; `true` if it started, `false` if the group no longer takes
    /// children (a child failed, or the group was joined) — then the task is not called.
    pub fn spawn(&self, task: JsValue) -> Result<bool, JsValue> {
        check_task("task", &task)?;
        if self.handle.is_closed() {
            return Ok(false);
        }
        Ok(self.handle.spawn(start(&task)))
    }

    /// `join({ signal })`: every child's value in spawn order; or, once any child failed (the
    /// others are then aborted), a `GroupError` listing every failure. Aborting the signal
    /// aborts every child. A group joins once; joining again rejects with `ClosedError`.
    pub fn join(&self, options: JsValue) -> Promise {
        promise((|| {
            let signal = live_signal(&options)?;
            let Some(group) = self.group.borrow_mut().take() else {
                return Err(closed_error("task group"));
            };
            Ok(spawn(signal, async move {
                match group.join().await {
                    Ok(values) => Ok(values.into_iter().collect::<Array>().into()),
                    Err(error) => {
                        let spawned = error.spawned();
                        let failures = error.into_failures();
                        let failed = failures.len();
                        let indexes: Array = failures
                            .iter()
                            .map(|(i, _)| JsValue::from(*i as f64))
                            .collect();
                        let errors: Array = failures
                            .into_iter()
                            .map(|(_, failure)| match failure {
                                ChildFailure::Error(error) => error,
                                ChildFailure::Panic(panic) => {
                                    make("WeftError", &panic.to_string(), None, &[])
                                }
                            })
                            .collect();
                        Err(group_error(
                            &format!("{failed} of {spawned} tasks in the group failed"),
                            errors,
                            indexes,
                        ))
                    }
                }
            }))
        })())
    }
}
