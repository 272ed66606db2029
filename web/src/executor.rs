//! Tasks on the browser's event loop.
//!
//! Runnables wait in one queue. The first wake-up of an idle queue schedules a microtask that
//! drains it; a batch that runs longer than [`BATCH_BUDGET_MS`] hands the rest to a macrotask so
//! the browser can render and handle input in between.

use core::future::Future;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use async_task::Runnable;
use js_sys::Function;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use weft_core::Task;
use weft_core::task::catch_panic;

/// How long one batch of runnables may hold the event loop before yielding to the browser.
const BATCH_BUDGET_MS: f64 = 4.0;

/// How many runnables run between two looks at the clock.
const CLOCK_EVERY: u32 = 64;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &Function);

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

struct Loop {
    queue: RefCell<VecDeque<Runnable>>,
    scheduled: Cell<bool>,
    microtask: Closure<dyn FnMut()>,
    channel: web_sys::MessageChannel,
    _on_message: Closure<dyn FnMut()>,
}

thread_local! {
    static LOOP: Loop = Loop::new();
}

impl Loop {
    fn new() -> Self {
        crate::install_panic_hook();
        let channel = web_sys::MessageChannel::new().expect("MessageChannel is available");
        let on_message = Closure::<dyn FnMut()>::new(run_batch);
        channel
            .port1()
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Loop {
            queue: RefCell::new(VecDeque::new()),
            scheduled: Cell::new(false),
            microtask: Closure::new(run_batch),
            channel,
            _on_message: on_message,
        }
    }
}

fn schedule(runnable: Runnable) {
    LOOP.with(|lp| {
        lp.queue.borrow_mut().push_back(runnable);
        if !lp.scheduled.replace(true) {
            queue_microtask(lp.microtask.as_ref().unchecked_ref());
        }
    });
}

/// Runs `handle` (an event handler's body, called from JavaScript) and then, before returning,
/// the tasks it woke: they run in this same event instead of a microtask after it, which saves a
/// trip out to JavaScript and back for each event (a worker's answer, say).
pub(crate) fn run_woken(handle: impl FnOnce()) {
    // While `scheduled` is set, waking a task only queues it.
    let already = LOOP.with(|lp| lp.scheduled.replace(true));
    handle();
    if !already {
        run_batch();
    }
}

fn run_batch() {
    // The clock is read first after CLOCK_EVERY runnables, so a short batch reads it never: the
    // budget counts from there, which runnables short enough to batch hardly change.
    let mut start = None;
    let mut ran = 0_u32;
    loop {
        let next = LOOP.with(|lp| lp.queue.borrow_mut().pop_front());
        let Some(runnable) = next else {
            LOOP.with(|lp| lp.scheduled.set(false));
            return;
        };
        runnable.run();
        ran += 1;
        if ran % CLOCK_EVERY == 0
            && performance_now() - *start.get_or_insert_with(performance_now) > BATCH_BUDGET_MS
        {
            // Yield to rendering and input; a macrotask, because more microtasks would not.
            LOOP.with(|lp| {
                lp.channel
                    .port2()
                    .post_message(&JsValue::NULL)
                    .expect("posting to our own MessageChannel cannot fail")
            });
            return;
        }
    }
}

/// Starts `future` as a task on this thread's event loop; in the browser, the same as `spawn`.
///
/// The task starts in a microtask after the current one; dropping the returned [`Task`] cancels
/// it.
pub fn spawn_local<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let (runnable, task) = async_task::spawn_local(catch_panic(future), schedule);
    runnable.schedule();
    Task::from_async_task(task)
}
