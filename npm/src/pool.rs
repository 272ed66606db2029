//! `Pool`: reusable resources (connections, clients) made by async callbacks, lent out with a
//! health check, at most `max` at once (`weft::Pool`, asyncpg's `create_pool`).

use core::future::Future;
use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use weft::pool::{Guard, Manager, PoolError};

use crate::bridge::{
    MOST, Outcome, UP_FRONT, call, field, function, ignore_rejection, live_signal, millis, object,
    opt_count, opt_function, promise, spawn,
};
use crate::errors::{closed_error, range_error, timeout_error, type_error};

/// How the pool makes, checks and disposes of its objects: the user's callbacks.
struct JsManager {
    create: Function,
    check: Option<Function>,
    destroy: Option<Function>,
}

impl Manager for JsManager {
    type Object = JsValue;
    type Error = JsValue;

    fn create(&self) -> impl Future<Output = Outcome> {
        // Cancellable: an acquire that times out or is aborted aborts the create it started.
        call(&self.create, &[], true)
    }

    fn check(&self, object: &mut JsValue) -> impl Future<Output = Result<(), JsValue>> {
        let checking = self
            .check
            .as_ref()
            .map(|check| call(check, &[object], true));
        async move {
            let Some(checking) = checking else {
                return Ok(());
            };
            match checking.await {
                // `false` (or a rejection) means broken.
                Ok(verdict) if verdict.as_bool() == Some(false) => Err(verdict),
                Ok(_) => Ok(()),
                Err(error) => Err(error),
            }
        }
    }

    fn destroy(&self, object: JsValue) {
        if let Some(destroy) = &self.destroy {
            // Nobody awaits a destroy: what it throws or rejects with is ignored.
            if let Ok(result) = destroy.call1(&JsValue::UNDEFINED, &object) {
                ignore_rejection(&result);
            }
        }
    }
}

type Inner = weft::Pool<JsManager>;

struct State {
    pool: RefCell<Option<Inner>>,
    // Filling `min` failed with this error: every acquire rejects with it.
    failed: RefCell<Option<JsValue>>,
    ready: weft::sync::Event,
    max: usize,
    timeout_ms: f64,
}

impl State {
    async fn pool(&self) -> Result<Inner, JsValue> {
        self.ready.wait().await;
        if let Some(pool) = self.pool.borrow().clone() {
            return Ok(pool);
        }
        Err(self.failed.borrow().clone().unwrap_or_default())
    }
}

/// `new Pool({ create, check, destroy, min, max, acquireTimeout })`.
#[wasm_bindgen(js_name = Pool)]
pub struct JsPool {
    state: Rc<State>,
}

#[wasm_bindgen(js_class = Pool)]
impl JsPool {
    /// `create(signal)` makes an object (required); `check(value, signal)` says if an idle one
    /// is still good before it is lent (`false` or a rejection: it is destroyed and replaced);
    /// `destroy(value)` disposes of one (its errors are ignored). `min` objects (default 0)
    /// are made at once, at most `max` (default 10) exist; `acquireTimeout` (ms, default
    /// 30000, `Infinity` allowed) bounds each wait. Throws TypeError / RangeError at once.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsPool, JsValue> {
        if !options.is_object() {
            return Err(type_error(
                "options must be an object { create, check, destroy, min, max, acquireTimeout }",
            ));
        }
        let create = function("create", &field(&options, "create")?.unwrap_or_default())?;
        let check = opt_function(&options, "check")?;
        let destroy = opt_function(&options, "destroy")?;
        let min = opt_count(&options, "min", (0, UP_FRONT), 0)?;
        let max = opt_count(&options, "max", (1, MOST), 10)?;
        if min > max {
            return Err(range_error(&format!(
                "min ({min}) must not exceed max ({max})"
            )));
        }
        let (timeout, timeout_ms) = match field(&options, "acquireTimeout")? {
            None => (Duration::from_secs(30), 30_000.0),
            Some(value) => match millis("acquireTimeout", &value, true)? {
                Some(timeout) => (timeout, value.as_f64().unwrap_or_default()),
                // "Never": about 31,000 years, far inside the clock's range.
                None => (Duration::from_secs(1 << 40), f64::INFINITY),
            },
        };
        let state = Rc::new(State {
            pool: RefCell::new(None),
            failed: RefCell::new(None),
            ready: weft::sync::Event::new(),
            max,
            timeout_ms,
        });
        let building = state.clone();
        let manager = JsManager {
            create,
            check,
            destroy,
        };
        crate::bridge::spawn_task(async move {
            let built = Inner::builder(manager)
                .min_size(min)
                .max_size(max)
                .acquire_timeout(timeout)
                .build()
                .await;
            match built {
                Ok(pool) => *building.pool.borrow_mut() = Some(pool),
                Err(error) => *building.failed.borrow_mut() = Some(pool_error(error, 0.0)),
            }
            building.ready.set();
        })
        .detach();
        Ok(JsPool { state })
    }

    /// `acquire({ signal })`: a [`Lease`] of an object: an idle one that passed `check`, or a
    /// new one while fewer than `max` exist, else the first to come back (first come, first
    /// served). Rejects with `TimeoutError` after `acquireTimeout`, `ClosedError` once closed,
    /// or what `create` threw. Aborting the signal while waiting takes nothing.
    pub fn acquire(&self, options: JsValue) -> Promise {
        promise((|| {
            let signal = live_signal(&options)?;
            let state = self.state.clone();
            Ok(spawn(signal, async move {
                let guard = acquire(&state).await?;
                Ok(Lease::new(guard).into())
            }))
        })())
    }

    /// `use(fn, { signal })`: acquires an object, resolves with `fn(value, signal)`, and gives
    /// the object back when that settles (whatever the outcome).
    #[wasm_bindgen(js_name = use)]
    pub fn use_with(&self, f: JsValue, options: JsValue) -> Promise {
        promise((|| {
            let f = function("fn", &f)?;
            let signal = live_signal(&options)?;
            let state = self.state.clone();
            Ok(spawn(signal, async move {
                let guard = acquire(&state).await?;
                call(&f, &[&*guard], true).await
            }))
        })())
    }

    /// Closes the pool: waiters and later acquires reject with `ClosedError`, idle objects are
    /// destroyed now and lent ones when they come back; resolves once every object is gone.
    pub fn close(&self) -> Promise {
        let state = self.state.clone();
        spawn(None, async move {
            if let Ok(pool) = state.pool().await {
                pool.close().await;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `{ size, idle, inUse, waiting, max, closed }` now.
    pub fn status(&self) -> JsValue {
        let status = self.state.pool.borrow().as_ref().map(|pool| pool.status());
        let (size, idle, in_use, waiting, closed) = match status {
            Some(s) => (s.size, s.idle, s.in_use, s.waiting, s.closed),
            None => (0, 0, 0, 0, false),
        };
        object(&[
            ("size", (size as f64).into()),
            ("idle", (idle as f64).into()),
            ("inUse", (in_use as f64).into()),
            ("waiting", (waiting as f64).into()),
            ("max", (self.state.max as f64).into()),
            ("closed", closed.into()),
        ])
    }
}

async fn acquire(state: &State) -> Result<Guard<JsManager>, JsValue> {
    let pool = state.pool().await?;
    pool.acquire()
        .await
        .map_err(|error| pool_error(error, state.timeout_ms))
}

fn pool_error(error: PoolError<JsValue>, timeout_ms: f64) -> JsValue {
    match error {
        PoolError::Timeout => timeout_error(timeout_ms),
        PoolError::Closed => closed_error("pool"),
        PoolError::Create(error) => error,
        PoolError::Config(error) => range_error(&error.to_string()),
    }
}

/// An object on loan from a [`JsPool`]: `value`, then `release()` (back to the pool) or
/// `discard()` (destroy it: it is broken). Only the first of those counts.
#[wasm_bindgen]
pub struct Lease {
    guard: RefCell<Option<Guard<JsManager>>>,
}

impl Lease {
    fn new(guard: Guard<JsManager>) -> Lease {
        Lease {
            guard: RefCell::new(Some(guard)),
        }
    }
}

#[wasm_bindgen]
impl Lease {
    /// The object (`undefined` once released or discarded).
    #[wasm_bindgen(getter)]
    pub fn value(&self) -> JsValue {
        self.guard
            .borrow()
            .as_ref()
            .map_or(JsValue::UNDEFINED, |guard| (**guard).clone())
    }

    /// Gives the object back to the pool.
    pub fn release(&self) {
        // Taken out first: returning it may call `destroy`, which may call back in here.
        let guard = self.guard.borrow_mut().take();
        drop(guard);
    }

    /// Destroys the object (it is broken) and frees its place in the pool.
    pub fn discard(&self) {
        let guard = self.guard.borrow_mut().take();
        if let Some(guard) = guard {
            guard.discard();
        }
    }
}
