//! `Semaphore`: at most `permits` holders at once (`weft::Semaphore`, asyncio's `Semaphore`);
//! also the engine under `limit(n)`.

use core::future::Future;
use core::task::{Poll, Waker};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use crate::bridge::{MOST, check_task, count, finally_js, live_signal, promise, spawn, start};

/// `new Semaphore(permits)`.
#[wasm_bindgen]
pub struct Semaphore {
    semaphore: Arc<weft::Semaphore>,
    permits: usize,
    line: Rc<Line>,
    // Permits of tasks started after waiting, until `release` gives them back.
    held: Rc<RefCell<Vec<weft::SemaphoreGuardArc>>>,
    // `() => semaphore.addPermits(1)`, made once: what `run` chains to a task that got a permit
    // at once, so the common case allocates no closure per call.
    release: Function,
}

/// The callers waiting for a permit, in call order. Only the first in line waits on weft's
/// semaphore: async-lock wakes its waiters in no promised order, and p-limit's users count on
/// call order (`limit(1)` as a queue).
#[derive(Default)]
struct Line {
    waiters: RefCell<VecDeque<(u64, Option<Waker>)>>,
    next_id: Cell<u64>,
}

/// A place in the [`Line`]; leaving it (dropped: served or given up) lets the next one move up.
struct Place {
    line: Rc<Line>,
    id: u64,
}

impl Place {
    fn new(line: &Rc<Line>) -> Place {
        let id = line.next_id.get();
        line.next_id.set(id + 1);
        line.waiters.borrow_mut().push_back((id, None));
        Place {
            line: line.clone(),
            id,
        }
    }

    /// Resolves once this place is the first in line.
    async fn first(&self) {
        core::future::poll_fn(|cx| {
            let mut waiters = self.line.waiters.borrow_mut();
            if waiters.front().is_some_and(|(id, _)| *id == self.id) {
                return Poll::Ready(());
            }
            // Ids only grow, so the line is sorted by id.
            if let Ok(at) = waiters.binary_search_by_key(&self.id, |(id, _)| *id) {
                waiters[at].1 = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let next = {
            let mut waiters = self.line.waiters.borrow_mut();
            match waiters.binary_search_by_key(&self.id, |(id, _)| *id) {
                // Served (the common case): the next one moves up.
                Ok(0) => {
                    waiters.pop_front();
                    waiters.front_mut().and_then(|(_, waker)| waker.take())
                }
                // Gave up while waiting behind others.
                Ok(at) => {
                    waiters.remove(at);
                    None
                }
                Err(_) => None,
            }
        };
        if let Some(waker) = next {
            waker.wake();
        }
    }
}

/// Takes a place in line now, then waits for its turn and a permit.
fn acquire_in_line(
    semaphore: Arc<weft::Semaphore>,
    line: &Rc<Line>,
) -> impl Future<Output = weft::SemaphoreGuardArc> + use<> {
    let place = Place::new(line);
    async move {
        place.first().await;
        let guard = semaphore.acquire_arc().await;
        drop(place);
        guard
    }
}

impl Semaphore {
    pub fn with_permits(permits: usize) -> Semaphore {
        let semaphore = Arc::new(weft::Semaphore::new(permits));
        let held: Rc<RefCell<Vec<weft::SemaphoreGuardArc>>> = Rc::default();
        let (releasing, holding) = (semaphore.clone(), held.clone());
        // Permits are alike: give back a held guard if there is one, else the permit of a
        // guard forgotten by the fast path.
        let release = Closure::<dyn FnMut()>::new(move || {
            let guard = holding.borrow_mut().pop();
            match guard {
                Some(guard) => drop(guard),
                None => releasing.add_permits(1),
            }
        })
        .into_js_value()
        .unchecked_into();
        Semaphore {
            semaphore,
            permits,
            line: Rc::default(),
            held,
            release,
        }
    }
}

#[wasm_bindgen]
impl Semaphore {
    /// `permits`: a whole number from 0 to 1e9 (0: nobody gets in until a release).
    #[wasm_bindgen(constructor)]
    pub fn new(permits: JsValue) -> Result<Semaphore, JsValue> {
        Ok(Semaphore::with_permits(
            count("permits", &permits, (0, MOST), false)?.unwrap_or_default(),
        ))
    }

    /// `acquire({ signal })`: waits for a permit (first come, first served) and resolves with
    /// a `release` function (calling it more than once releases once). Aborting the signal
    /// while waiting takes no permit.
    pub fn acquire(&self, options: JsValue) -> Promise {
        promise((|| {
            let signal = live_signal(&options)?;
            let waiting = acquire_in_line(self.semaphore.clone(), &self.line);
            Ok(spawn(signal, async move { Ok(release_fn(waiting.await)) }))
        })())
    }

    /// A `release` function if a permit is free now (and nobody waits), else `undefined`.
    #[wasm_bindgen(js_name = tryAcquire)]
    pub fn try_acquire(&self) -> JsValue {
        if self.waiting() > 0 {
            return JsValue::UNDEFINED;
        }
        self.semaphore
            .try_acquire_arc()
            .map_or(JsValue::UNDEFINED, release_fn)
    }

    /// `run(task, { signal })`: runs the task holding a permit, released when it settles.
    /// The task is called only once it has the permit; aborting the signal while it waits
    /// starts nothing, while it runs aborts the task's signal.
    pub fn run(&self, task: JsValue, options: JsValue) -> Promise {
        // The common case, kept cheap: no options, a function, a permit free and nobody ahead.
        if options.is_undefined()
            && self.waiting() == 0
            && crate::trace::recording().is_none()
            && let Some(function) = task.dyn_ref::<Function>()
            && let Some(guard) = self.semaphore.try_acquire()
        {
            // The permit is given back by `self.release` when the task settles.
            core::mem::forget(guard);
            let started = crate::bridge::invoke_now(function);
            return finally_js(&started, &self.release);
        }
        promise((|| {
            check_task("task", &task)?;
            let signal = live_signal(&options)?;
            let waiting = acquire_in_line(self.semaphore.clone(), &self.line);
            if signal.is_some() || !task.is_function() || crate::trace::recording().is_some() {
                return Ok(spawn(signal, async move {
                    let _permit = waiting.await;
                    start(&task).await
                }));
            }
            // Nothing can cancel it: once it has a permit, the task's own promise (released
            // when it settles) is what the call resolves with; no Rust future awaits it.
            let (held, release) = (self.held.clone(), self.release.clone());
            Ok(spawn(None, async move {
                let permit = waiting.await;
                held.borrow_mut().push(permit);
                let function: &Function = task.unchecked_ref();
                Ok(finally_js(&crate::bridge::invoke_now(function), &release).into())
            }))
        })())
    }

    /// Permits free now.
    #[wasm_bindgen(getter)]
    pub fn available(&self) -> usize {
        self.semaphore.available_permits()
    }

    /// Permits held now (`permits - available`; `limit`'s `activeCount`).
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> usize {
        self.permits
            .saturating_sub(self.semaphore.available_permits())
    }

    /// Callers waiting for a permit (`limit`'s `pendingCount`).
    #[wasm_bindgen(getter)]
    pub fn waiting(&self) -> usize {
        self.line.waiters.borrow().len()
    }
}

fn release_fn(guard: weft::SemaphoreGuardArc) -> JsValue {
    let mut guard = Some(guard);
    Closure::<dyn FnMut()>::new(move || drop(guard.take())).into_js_value()
}
