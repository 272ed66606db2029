//! The browser pool running functions of an app's own ES module (what the npm package's
//! `WorkerPool.create({ module })` stands on): values, promises, moved buffers, errors,
//! unknown exports, timeouts and crashes.

use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use weft::{JsModuleJobs, WorkerError, WorkerPool};

use crate::support::ms;

#[wasm_bindgen(module = "/tests/conformance/pool_module.js")]
extern "C" {
    #[wasm_bindgen(js_name = moduleUrl)]
    fn module_url() -> String;
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
