//! `retry`: run a task again after failures, waiting longer each time (`weft::Retry`,
//! tenacity's `@retry`, p-retry's shape).

use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;
use weft::{Jitter, RetryError, RetryInfo, StopReason};

use crate::bridge::{
    Failure, JsTask, MOST, check_task, count, describe, field, invoke_now, live_signal, ms, num,
    object, opt_function, opt_millis, promise, rejected, spawn, start, start_uncancelled, then_js,
};
use crate::errors::{config_error, make, range_error, type_error};

/// The checked options of one `retry` call.
struct Settings {
    attempts: u32,
    min_delay: Duration,
    max_delay: Duration,
    factor: f64,
    jitter: Jitter,
    deadline: Option<Duration>,
    retry_if: Option<Function>,
    on_retry: Option<Function>,
    signal: Option<AbortSignal>,
}

impl Settings {
    fn read(options: &JsValue) -> Result<Settings, JsValue> {
        let attempts = match field(options, "attempts")? {
            None => 3,
            Some(value) => count("attempts", &value, (1, MOST), false)?.unwrap_or(1) as u32,
        };
        let min_delay = opt_millis(options, "minDelay", false)?
            .flatten()
            .unwrap_or(Duration::from_millis(100));
        let max_delay = opt_millis(options, "maxDelay", false)?
            .flatten()
            .unwrap_or(Duration::from_secs(10).max(min_delay));
        if min_delay > max_delay {
            return Err(range_error("minDelay must not exceed maxDelay"));
        }
        let factor = match field(options, "factor")? {
            None => 2.0,
            Some(value) => {
                let Some(factor) = value.as_f64() else {
                    return Err(type_error(&format!(
                        "factor must be a number, got {}",
                        describe(&value)
                    )));
                };
                if !(factor.is_finite() && factor >= 1.0) {
                    return Err(range_error(&format!(
                        "factor must be a finite number ≥ 1, got {}",
                        num(factor)
                    )));
                }
                factor
            }
        };
        let jitter = match field(options, "jitter")? {
            None => Jitter::None,
            Some(value) => match value.as_string().as_deref() {
                Some("none") => Jitter::None,
                Some("full") => Jitter::Full,
                Some("equal") => Jitter::Equal,
                Some("decorrelated") => Jitter::Decorrelated,
                _ => {
                    return Err(range_error(
                        "jitter must be 'none', 'full', 'equal' or 'decorrelated'",
                    ));
                }
            },
        };
        Ok(Settings {
            attempts,
            min_delay,
            max_delay,
            factor,
            jitter,
            deadline: opt_millis(options, "deadline", true)?.flatten(),
            retry_if: opt_function(options, "retryIf")?,
            on_retry: opt_function(options, "onRetry")?,
            signal: live_signal(options)?,
        })
    }
}

/// `retry(task, { attempts, minDelay, maxDelay, factor, jitter, retryIf, onRetry, deadline,
/// signal })`: the task's value, or a `RetryError` once weft's policy gives up.
///
/// `attempts` counts every try, the first included (default 3); the k-th wait is
/// `min(maxDelay, minDelay × factor^(k−1))` spread by `jitter`; nothing waits after the last
/// try; `retryIf(error)` false stops at once; `onRetry({ attempt, error, delay, elapsed })` runs
/// before each wait; `deadline` (ms) stops instead of waiting past it. If `retryIf` or
/// `onRetry` throws, `retry` rejects with what it threw.
#[wasm_bindgen(js_name = retry)]
pub fn retry(task: JsValue, options: JsValue) -> Promise {
    // The common case, kept cheap: no options and a function. Its first try starts here, and
    // only if it fails does weft's policy take over (`retry_after`, bound to this task: no
    // closure is made per call).
    if options.is_undefined()
        && crate::trace::recording().is_none()
        && let Some(function) = task.dyn_ref::<Function>()
    {
        let first = invoke_now(function);
        let retry_after = RETRY_AFTER.with(|f| f.bind1(&JsValue::UNDEFINED, &task));
        return then_js(&first, &JsValue::UNDEFINED, &retry_after);
    }
    promise((|| {
        check_task("task", &task)?;
        let settings = Settings::read(&options)?;
        Ok(run(task, settings, None))
    })())
}

thread_local! {
    // `(task, error) => run(task, defaults, error)`: what a failed first try of the fast path
    // hands over to.
    static RETRY_AFTER: Function = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(
        |task: JsValue, error: JsValue| match Settings::read(&JsValue::UNDEFINED) {
            Ok(settings) => run(task, settings, Some(error)),
            Err(error) => Promise::reject(&error),
        },
    )
    .into_js_value()
    .unchecked_into();
}

/// Runs weft's retry policy over `task`; `first_error` is a first try that already failed.
fn run(task: JsValue, settings: Settings, first_error: Option<JsValue>) -> Promise {
    let failure = Failure::default();
    let (retry_if, on_retry) = (settings.retry_if, settings.on_retry);
    let (if_failure, hook_failure) = (failure.clone(), failure.clone());
    let mut policy = <weft::Retry>::new()
        .attempts(settings.attempts)
        .min_delay(settings.min_delay)
        .max_delay(settings.max_delay)
        .factor(settings.factor)
        .jitter(settings.jitter);
    if let Some(deadline) = settings.deadline {
        policy = policy.deadline(deadline);
    }
    let policy = policy
        .retry_if(move |error: &JsValue| match &retry_if {
            None => true,
            Some(predicate) => if_failure
                .call(predicate, error)
                .is_some_and(|keep| keep.is_truthy()),
        })
        .on_retry(move |info: &RetryInfo<'_, JsValue>| {
            if let Some(hook) = &on_retry {
                let info = object(&[
                    ("attempt", info.attempt.into()),
                    ("error", info.error.clone()),
                    ("delay", ms(info.delay)),
                    ("elapsed", ms(info.elapsed)),
                ]);
                hook_failure.call(hook, &info);
            }
        })
        .build();
    let policy = match policy {
        Ok(policy) => policy,
        Err(error) => return Promise::reject(&config_error(error)),
    };
    let cancellable = settings.signal.is_some();
    let first_error = Rc::new(RefCell::new(first_error));
    spawn(settings.signal, async move {
        let attempts = policy.run(|| -> JsTask {
            match first_error.borrow_mut().take() {
                Some(error) => rejected(error),
                None if cancellable => start(&task),
                None => start_uncancelled(&task),
            }
        });
        failure
            .guard(async move { attempts.await.map_err(retry_error) })
            .await
    })
}

fn retry_error(error: RetryError<JsValue>) -> JsValue {
    let n = error.attempts;
    let (reason, what) = match error.reason {
        StopReason::NotRetryable => ("notRetryable", "retry stopped at a non-retryable error"),
        StopReason::Deadline => ("deadline", "retry deadline reached"),
        _ => ("attempts", "retry gave up"),
    };
    let plural = if n == 1 { "attempt" } else { "attempts" };
    make(
        "RetryError",
        &format!("{what} after {n} {plural}"),
        Some(&error.last),
        &[("attempts", n.into()), ("reason", reason.into())],
    )
}
