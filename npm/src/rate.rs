//! `RateLimiter`: at most `max` starts in any window of `per` milliseconds, with an optional
//! smaller `burst` (`weft::RateLimiter`, a sliding-window log).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::bridge::{
    MOST, check_task, count, field, live_signal, millis, promise, spawn, start, start_uncancelled,
};
use crate::errors::{config_error, type_error};

/// `new RateLimiter({ max, per, burst })`.
#[wasm_bindgen(js_name = RateLimiter)]
pub struct JsRateLimiter {
    limiter: weft::RateLimiter,
}

#[wasm_bindgen(js_class = RateLimiter)]
impl JsRateLimiter {
    /// `max` starts (1 to 1e9) per `per` ms (> 0); `burst` (1 to `max`, default `max`) caps
    /// how many of them may start back to back. Throws TypeError / RangeError otherwise.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsRateLimiter, JsValue> {
        if !options.is_object() {
            return Err(type_error("options must be an object { max, per, burst }"));
        }
        let required = |key: &str| {
            field(&options, key)?.ok_or_else(|| type_error(&format!("options.{key} is required")))
        };
        let max = count("max", &required("max")?, (1, MOST), false)?.unwrap_or(1);
        let per = millis("per", &required("per")?, false)?.unwrap_or_default();
        let burst = match field(&options, "burst")? {
            None => max,
            Some(value) => count("burst", &value, (1, MOST), false)?.unwrap_or(1),
        };
        let limiter = weft::RateLimiter::with_burst(max, per, burst).map_err(config_error)?;
        Ok(JsRateLimiter { limiter })
    }

    /// `acquire({ signal })`: resolves when a start is allowed (first come, first served);
    /// aborting the signal while waiting uses no slot.
    pub fn acquire(&self, options: JsValue) -> Promise {
        promise((|| {
            let signal = live_signal(&options)?;
            let limiter = self.limiter.clone();
            Ok(spawn(signal, async move {
                limiter.acquire().await;
                Ok(JsValue::UNDEFINED)
            }))
        })())
    }

    /// Takes a start now if one is allowed (and nobody waits): `true`, else `false`.
    #[wasm_bindgen(js_name = tryAcquire)]
    pub fn try_acquire(&self) -> bool {
        self.limiter.try_acquire()
    }

    /// `run(task, { signal })`: waits for a start, then runs the task.
    pub fn run(&self, task: JsValue, options: JsValue) -> Promise {
        promise((|| {
            check_task("task", &task)?;
            let signal = live_signal(&options)?;
            let cancellable = signal.is_some();
            let limiter = self.limiter.clone();
            Ok(spawn(signal, async move {
                limiter.acquire().await;
                if cancellable {
                    start(&task).await
                } else {
                    start_uncancelled(&task).await
                }
            }))
        })())
    }
}
