//! The browser pool running functions of an app's own ES module (what the npm package's
//! `WorkerPool.create({ module })` stands on): values, promises, moved buffers, errors,
//! unknown exports, timeouts and crashes.

use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use weft::{JsModuleJobs, WorkerError, WorkerPool};

use crate::support::{eventually, ms};

#[wasm_bindgen(module = "/tests/conformance/pool_module.js")]
extern "C" {
    #[wasm_bindgen(js_name = moduleUrl)]
    fn module_url() -> String;

    #[wasm_bindgen(js_name = timesRecorded)]
    fn times_recorded(value: u32) -> u32;
}

fn args(values: &[JsValue]) -> JsValue {
    values.iter().collect::<Array>().into()
}

conformance! {
    async fn a_module_function_runs_on_a_worker_and_gives_its_value() {
        let pool = WorkerPool::builder().size(2).build().unwrap();
        let url = module_url();
        let sum = pool.run_module(&url, "add", args(&[2.into(), 40.into()]), JsValue::UNDEFINED).await;
        assert_eq!(sum.unwrap().unwrap().as_f64(), Some(42.0));
        let echoed = pool
            .run_module(&url, "slowEcho", args(&["hi".into(), 5.into()]), JsValue::UNDEFINED)
            .await;
        assert_eq!(echoed.unwrap().unwrap().as_string().as_deref(), Some("hi"));
    }
}

conformance! {
    async fn buffers_move_to_the_worker_and_back_without_copies() {
        let pool = WorkerPool::builder().size(1).build().unwrap();
        let buffer = ArrayBuffer::new(1 << 20);
        Uint8Array::new(&buffer).fill(7, 0, 1 << 20);
        let transfer: JsValue = Array::of1(&buffer).into();
        let out = pool
            .run_module(&module_url(), "invert", args(&[buffer.clone().into()]), transfer)
            .await
            .unwrap()
            .unwrap();
        // Moved away: our handle is detached (length 0), not a copy of the data.
        assert_eq!(buffer.byte_length(), 0);
        let back: ArrayBuffer = out.dyn_into().unwrap();
        assert_eq!(back.byte_length(), 1 << 20);
        assert_eq!(Uint8Array::new(&back).get_index(12345), 248);
    }
}

conformance! {
    async fn what_a_module_function_throws_comes_back_and_the_pool_goes_on() {
        let pool = WorkerPool::builder().size(1).build().unwrap();
        let url = module_url();
        let thrown = pool
            .run_module(&url, "fail", args(&["bad input".into()]), JsValue::UNDEFINED)
            .await
            .unwrap()
            .unwrap_err();
        let error: js_sys::Error = thrown.dyn_into().unwrap();
        assert_eq!(String::from(error.message()), "bad input");
        assert_eq!(String::from(error.name()), "TypeError");

        let unknown = pool.run_module(&url, "noSuchExport", args(&[]), JsValue::UNDEFINED).await;
        assert!(matches!(unknown, Err(WorkerError::UnknownFunction(_))), "{unknown:?}");

        let missing = pool
            .run_module("/no/such/module.js", "add", args(&[]), JsValue::UNDEFINED)
            .await;
        assert!(matches!(missing, Err(WorkerError::WorkerCrashed(_))), "{missing:?}");

        let sum = pool.run_module(&url, "add", args(&[1.into(), 1.into()]), JsValue::UNDEFINED).await;
        assert_eq!(sum.unwrap().unwrap().as_f64(), Some(2.0), "the pool still works");
    }
}

conformance! {
    async fn a_module_function_that_never_returns_times_out_and_its_worker_is_replaced() {
        let pool = WorkerPool::builder().size(1).job_timeout(ms(300)).build().unwrap();
        let url = module_url();
        let stuck = pool.run_module(&url, "spin", args(&[]), JsValue::UNDEFINED).await;
        assert!(matches!(stuck, Err(WorkerError::Timeout(_))), "{stuck:?}");
        let sum = pool.run_module(&url, "add", args(&[3.into(), 4.into()]), JsValue::UNDEFINED).await;
        assert_eq!(sum.unwrap().unwrap().as_f64(), Some(7.0));
    }
}

/// `record(value)` on `pool`, as a task (so that it can be dropped, cancelling the job).
fn spawn_record(pool: &WorkerPool, value: u32) -> weft::Task<Option<f64>> {
    let pool = pool.clone();
    weft::spawn(async move {
        let url = module_url();
        let out = pool.run_module(&url, "record", args(&[value.into()]), JsValue::UNDEFINED);
        out.await.ok()?.ok()?.as_f64()
    })
}

/// A one-worker pool that has run `add` often enough to know its jobs are tiny: it gives its
/// worker several at once (they wait on the worker behind the running one).
async fn warm_module_pool(builder: weft::WorkerPoolBuilder) -> WorkerPool {
    let pool = builder.size(1).build().unwrap();
    let url = module_url();
    for _ in 0..24 {
        let sum = pool.run_module(&url, "add", args(&[1.into(), 2.into()]), JsValue::UNDEFINED);
        assert_eq!(sum.await.unwrap().unwrap().as_f64(), Some(3.0));
    }
    pool
}

/// Waits until the page heard of the runs of `record` so far (they come over a channel).
async fn settle() {
    weft::sleep(ms(200)).await;
}

conformance! {
    async fn module_jobs_waiting_behind_a_timed_out_one_run_once_on_the_fresh_worker() {
        let pool = warm_module_pool(WorkerPool::builder().job_timeout(ms(300))).await;
        let url = module_url();
        let stuck = {
            let pool = pool.clone();
            let url = url.clone();
            weft::spawn(async move {
                pool.run_module(&url, "spin", args(&[]), JsValue::UNDEFINED).await.err()
            })
        };
        weft::yield_now().await;
        let behind: Vec<_> = (100..106).map(|v| spawn_record(&pool, v)).collect();
        assert!(matches!(stuck.await.unwrap(), Some(WorkerError::Timeout(_))));
        for (job, v) in behind.into_iter().zip(100..) {
            assert_eq!(job.await.unwrap(), Some(f64::from(v)), "never lost");
        }
        settle().await;
        for v in 100..106 {
            assert_eq!(times_recorded(v), 1, "run exactly once: {v}");
        }
    }
}

conformance! {
    async fn a_module_job_cancelled_while_waiting_on_a_worker_never_runs() {
        let pool = warm_module_pool(WorkerPool::builder()).await;
        let url = module_url();
        let slow = {
            let pool = pool.clone();
            let url = url.clone();
            weft::spawn(async move {
                let echo = pool.run_module(&url, "slowEcho", args(&["x".into(), 300.into()]), JsValue::UNDEFINED);
                echo.await.ok()?.ok()?.as_string()
            })
        };
        weft::yield_now().await;
        let doomed = spawn_record(&pool, 200);
        let after = spawn_record(&pool, 201);
        weft::sleep(ms(50)).await; // both wait on the worker behind the slow one
        drop(doomed);
        assert_eq!(slow.await.unwrap().as_deref(), Some("x"));
        assert_eq!(after.await.unwrap(), Some(201.0));
        settle().await;
        eventually(ms(5000), "the job after it ran", || times_recorded(201) == 1).await;
        assert_eq!(times_recorded(200), 0, "the cancelled job never ran");
    }
}

conformance! {
    async fn module_jobs_waiting_behind_a_crash_run_on_the_next_worker() {
        let pool = warm_module_pool(WorkerPool::builder()).await;
        let missing = {
            let pool = pool.clone();
            weft::spawn(async move {
                pool.run_module("/no/such/module.js", "add", args(&[]), JsValue::UNDEFINED).await.err()
            })
        };
        weft::yield_now().await;
        let behind: Vec<_> = (300..304).map(|v| spawn_record(&pool, v)).collect();
        assert!(matches!(missing.await.unwrap(), Some(WorkerError::WorkerCrashed(_))));
        for (job, v) in behind.into_iter().zip(300..) {
            assert_eq!(job.await.unwrap(), Some(f64::from(v)));
        }
        settle().await;
        for v in 300..304 {
            assert_eq!(times_recorded(v), 1, "run exactly once: {v}");
        }
    }
}
