//! `asCompleted`: an async iterator of `[index, value]` in finish order (`weft::as_completed`).

use core::task::{Poll, Waker};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use weft::StreamExt;

use crate::bridge::{
    JsTask, Outcome, aborted, field, object, pair, settled, signal, spawn, start, tasks,
};

/// The iterator `asCompleted` returns; `for await` reads it (`index.js` adds
/// `Symbol.asyncIterator`).
#[wasm_bindgen]
pub struct AsCompleted {
    state: Rc<State>,
}

struct State {
    stream: RefCell<Option<weft::AsCompleted<JsTask>>>,
    // Set when the signal aborted: the next `next()` rejects with it, later ones are done.
    reason: RefCell<Option<JsValue>>,
    settle: bool,
    // `next()` calls are served one at a time, in call order.
    tickets: Cell<u64>,
    serving: Cell<u64>,
    waiting: RefCell<Vec<Waker>>,
    watcher: RefCell<Option<weft::Task<()>>>,
}

impl State {
    fn wake_all(&self) {
        let wakers = std::mem::take(&mut *self.waiting.borrow_mut());
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Drops the unfinished tasks (aborting their signals) and ends the iteration. Nothing is
    /// borrowed while they drop: their abort listeners may call back into this iterator.
    /// `reason` is the signal's, when the signal's watcher calls this.
    fn close(&self, reason: Option<JsValue>) {
        let from_watcher = reason.is_some();
        if from_watcher {
            *self.reason.borrow_mut() = reason;
        }
        let stream = self.stream.borrow_mut().take();
        let watcher = self.watcher.borrow_mut().take();
        drop(stream);
        match watcher {
            // The watcher is running this very call: let it finish on its own.
            Some(watcher) if from_watcher => watcher.detach(),
            // Dropping it removes its abort listener.
            watcher => drop(watcher),
        }
        self.wake_all();
    }
}

/// `asCompleted(tasks, { signal, settle })`: starts every task and yields `[index, value]` as
/// each finishes. A rejection rejects `next()` and aborts the rest (with `settle: true` each
/// outcome is yielded as `{ status, value | reason }` instead). Leaving a `for await` loop early
/// (`break`, `return`, a throw) aborts the unfinished tasks; so does the signal.
#[wasm_bindgen(js_name = asCompleted)]
pub fn as_completed(tasks: JsValue, options: JsValue) -> Result<AsCompleted, JsValue> {
    let tasks = self::tasks(&tasks)?;
    let settle = field(&options, "settle")?.is_some_and(|v| v.is_truthy());
    let signal = signal(&options)?;
    let state = Rc::new(State {
        stream: RefCell::new(None),
        reason: RefCell::new(None),
        settle,
        tickets: Cell::new(0),
        serving: Cell::new(0),
        waiting: RefCell::new(Vec::new()),
        watcher: RefCell::new(None),
    });
    match signal {
        // Already aborted: start nothing; the first `next()` rejects with the reason.
        Some(signal) if signal.aborted() => *state.reason.borrow_mut() = Some(signal.reason()),
        signal => {
            *state.stream.borrow_mut() = Some(weft::as_completed(tasks.iter().map(start)));
            if let Some(signal) = signal {
                let weak: Weak<State> = Rc::downgrade(&state);
                let abort = aborted(&signal);
                let watcher = crate::bridge::spawn_task(async move {
                    let reason = abort.await;
                    if let Some(state) = weak.upgrade() {
                        state.close(Some(reason));
                    }
                });
                *state.watcher.borrow_mut() = Some(watcher);
            }
        }
    }
    Ok(AsCompleted { state })
}

#[wasm_bindgen]
impl AsCompleted {
    /// The async-iterator protocol: `{ value: [index, value], done: false }` per task, then
    /// `{ value: undefined, done: true }`.
    pub fn next(&self) -> Promise {
        let state = self.state.clone();
        let ticket = state.tickets.get();
        state.tickets.set(ticket + 1);
        spawn(None, async move {
            let item = core::future::poll_fn(|cx| {
                if state.serving.get() != ticket {
                    state.waiting.borrow_mut().push(cx.waker().clone());
                    return Poll::Pending;
                }
                if let Some(reason) = state.reason.borrow_mut().take() {
                    return Poll::Ready(Some(Err(reason)));
                }
                let mut stream = state.stream.borrow_mut();
                let Some(running) = stream.as_mut() else {
                    return Poll::Ready(None);
                };
                match running.poll_next(cx) {
                    Poll::Ready(Some((index, outcome))) => Poll::Ready(Some(Ok((index, outcome)))),
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Pending => {
                        // Also woken by `close`, which drops the stream (and the waker in it).
                        drop(stream);
                        let mut waiting = state.waiting.borrow_mut();
                        if !waiting.iter().any(|w| w.will_wake(cx.waker())) {
                            waiting.push(cx.waker().clone());
                        }
                        Poll::Pending
                    }
                }
            })
            .await;
            state.serving.set(ticket + 1);
            let out = match item {
                None => {
                    state.close(None);
                    Ok(done())
                }
                Some(Err(reason)) => Err(reason),
                Some(Ok((index, outcome))) => step(&state, index, outcome),
            };
            if out.is_err() {
                state.close(None);
            }
            state.wake_all();
            out
        })
    }

    /// Ends the iteration early (what `break` in a `for await` loop calls): the unfinished
    /// tasks are aborted.
    #[wasm_bindgen(js_name = return)]
    pub fn finish(&self) -> Promise {
        self.state.close(None);
        *self.state.reason.borrow_mut() = None;
        Promise::resolve(&done())
    }
}

fn step(state: &State, index: usize, outcome: Outcome) -> Outcome {
    let value = if state.settle {
        settled(outcome)
    } else {
        outcome?
    };
    Ok(object(&[
        ("value", pair(index, value)),
        ("done", false.into()),
    ]))
}

fn done() -> JsValue {
    object(&[("value", JsValue::UNDEFINED), ("done", true.into())])
}
