//! `pipeline(worker, { workers, capacity })`: `workers` tasks draining one bounded queue,
//! `submit` with backpressure, `join` → stats (`weft::pipeline`, the seeds' producer/consumer).

use core::task::{Poll, Waker};
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use crate::bridge::{UP_FRONT, call, function, live_signal, ms, object, opt_count, promise, spawn};
use crate::errors::{closed_error, config_error, make};

struct Shared {
    pipeline: weft::Pipeline<JsValue, JsValue>,
    // `join` waiting for the submits in flight to finish.
    joiner: RefCell<Option<Waker>>,
}

/// A submit in flight; `join` waits until there are none.
struct Submitting(Rc<Shared>);

impl Drop for Submitting {
    fn drop(&mut self) {
        let joiner = self.0.joiner.borrow_mut().take();
        if let Some(joiner) = joiner {
            joiner.wake();
        }
    }
}

/// What `pipeline` returns.
#[wasm_bindgen]
pub struct Pipeline {
    shared: RefCell<Option<Rc<Shared>>>,
}

/// `pipeline(worker, { workers, capacity })`: starts `workers` (default 1) tasks that each take
/// items from one queue of `capacity` (default 1) and call `worker(item, signal)`. Throws
/// TypeError / RangeError at once on bad arguments.
#[wasm_bindgen(js_name = pipeline)]
pub fn pipeline(worker: JsValue, options: JsValue) -> Result<Pipeline, JsValue> {
    let worker = function("worker", &worker)?;
    let workers = opt_count(&options, "workers", (1, UP_FRONT), 1)?;
    let capacity = opt_count(&options, "capacity", (1, UP_FRONT), 1)?;
    let pipeline = weft::pipeline(workers, capacity, move |item: JsValue| {
        let task = call(&worker, &[&item], true);
        async move { task.await.map(drop) }
    })
    .map_err(config_error)?;
    let shared = Rc::new(Shared {
        pipeline,
        joiner: RefCell::new(None),
    });
    Ok(Pipeline {
        shared: RefCell::new(Some(shared)),
    })
}

#[wasm_bindgen]
impl Pipeline {
    /// `submit(item, { signal })`: queues `item`, waiting while `capacity` items wait
    /// (backpressure); rejects with `ClosedError` after `close` or `join`. Aborting the signal
    /// while waiting submits nothing.
    pub fn submit(&self, item: JsValue, options: JsValue) -> Promise {
        promise((|| {
            let signal = live_signal(&options)?;
            let Some(shared) = self.shared.borrow().clone() else {
                return Err(closed_error("pipeline"));
            };
            let submitting = Submitting(shared);
            Ok(spawn(signal, async move {
                match submitting.0.pipeline.submit(item).await {
                    Ok(()) => Ok(JsValue::UNDEFINED),
                    Err(_) => Err(closed_error("pipeline")),
                }
            }))
        })())
    }

    /// Takes no more items (`submit` rejects from now on); the workers finish what is queued.
    /// `true` the first time.
    pub fn close(&self) -> bool {
        self.shared
            .borrow()
            .as_ref()
            .is_some_and(|shared| shared.pipeline.close())
    }

    /// `join({ signal })`: closes the pipeline, waits for the submits in flight, lets the
    /// workers drain every queued item, and resolves with `{ submitted, done, failed, errors,
    /// elapsed }` (`errors`: what the failed items threw; `elapsed` in ms). Aborting the signal
    /// aborts the workers and drops what is still queued. A second `join` rejects with
    /// `ClosedError`.
    pub fn join(&self, options: JsValue) -> Promise {
        promise((|| {
            let signal = live_signal(&options)?;
            let Some(shared) = self.shared.borrow_mut().take() else {
                return Err(closed_error("pipeline"));
            };
            Ok(spawn(signal, async move {
                let mut shared = Some(shared);
                let pipeline = core::future::poll_fn(|cx| {
                    let rc = shared.take().expect("polled until ready once");
                    match Rc::try_unwrap(rc) {
                        Ok(shared) => Poll::Ready(shared.pipeline),
                        Err(rc) => {
                            *rc.joiner.borrow_mut() = Some(cx.waker().clone());
                            shared = Some(rc);
                            Poll::Pending
                        }
                    }
                })
                .await;
                let stats = pipeline.join().await;
                let errors: Array = stats.errors.into_iter().collect();
                for panic in stats.panics {
                    errors.push(&make("WeftError", &panic.to_string(), None, &[]));
                }
                Ok(object(&[
                    ("submitted", (stats.submitted as f64).into()),
                    ("done", (stats.done as f64).into()),
                    ("failed", (stats.failed as f64).into()),
                    ("errors", errors.into()),
                    ("elapsed", ms(stats.elapsed)),
                ]))
            }))
        })())
    }

    /// Items queued, waiting for a worker.
    #[wasm_bindgen(getter)]
    pub fn queued(&self) -> usize {
        self.shared
            .borrow()
            .as_ref()
            .map_or(0, |shared| shared.pipeline.queued())
    }
}
