//! What the pool benchmark page (`www/bench/`, run by `cargo xtask bench-pool`) measures: the
//! pool's round trip, speedup and byte-buffer path, each against a hand-written baseline in the
//! same page. Figures only; nothing here asserts.

use weft::Bytes;

weft::func! {
    /// The smallest job: one number in, one out.
    pub fn tiny(x: u32) -> u32 {
        x.wrapping_add(1)
    }
}

weft::func! {
    /// Gives its buffer back: what remains is the copies into and out of the worker's memory.
    pub fn echo_bytes(data: Bytes) -> Bytes {
        data
    }
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use js_sys::Uint8Array;
    use wasm_bindgen::prelude::*;
    use weft::{Bytes, WorkerPool};

    use super::{echo_bytes, tiny};
    use crate::demos::count_primes_between;

    fn pool(size: usize) -> Result<WorkerPool, JsValue> {
        WorkerPool::builder()
            .size(size)
            .build()
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    fn failed(e: weft::WorkerError) -> JsValue {
        JsValue::from_str(&e.to_string())
    }

    fn ms_since(start: weft::Instant) -> f64 {
        (weft::now() - start).as_secs_f64() * 1000.0
    }

    thread_local! {
        static ONE_WORKER: std::cell::RefCell<Option<WorkerPool>> = const { std::cell::RefCell::new(None) };
    }

    /// Mean milliseconds of one `pool.run(tiny, x)`, in sequence, on a one-worker pool that
    /// stays up between calls (so the page can interleave it with the baseline).
    #[wasm_bindgen(js_name = benchPoolRoundTrip)]
    pub async fn bench_pool_round_trip(runs: u32) -> Result<f64, JsValue> {
        let pool = match ONE_WORKER.with(|p| p.borrow().clone()) {
            Some(pool) => pool,
            None => {
                let pool = pool(1)?;
                for x in 0..200 {
                    pool.run(tiny, x).await.map_err(failed)?;
                }
                ONE_WORKER.with(|p| *p.borrow_mut() = Some(pool.clone()));
                pool
            }
        };
        // The loop runs as a weft task, as an app's code would: then a job's wake-ups stay in
        // weft's executor instead of hopping between it and wasm-bindgen-futures'.
        let task = weft::spawn(async move {
            let start = weft::now();
            for x in 0..runs {
                pool.run(tiny, x).await?;
            }
            Ok(ms_since(start) / f64::from(runs.max(1)))
        });
        task.await
            .map_err(|e| JsValue::from_str(&e.to_string()))?
            .map_err(failed)
    }

    /// Milliseconds for `jobs` jobs counting the primes below `limit` on a pool of `workers`.
    #[wasm_bindgen(js_name = benchPoolCpu)]
    pub async fn bench_pool_cpu(workers: usize, jobs: u32, limit: f64) -> Result<f64, JsValue> {
        let pool = pool(workers)?;
        // Start every worker first: the figure is the work, not the start-up.
        let warm = (0..workers).map(|_| pool.run(count_primes_between, (0, 20_000)));
        for out in weft::gather(warm).await {
            out.map_err(failed)?;
        }
        let start = weft::now();
        let runs = (0..jobs).map(|_| pool.run(count_primes_between, (0, limit as u64)));
        for out in weft::gather(runs).await {
            out.map_err(failed)?;
        }
        let took = ms_since(start);
        pool.close().await;
        Ok(took)
    }

    /// Milliseconds to send a new buffer of `mb` MiB to a worker's Rust function and get it
    /// back, through the one-worker pool of [`bench_pool_round_trip`].
    #[wasm_bindgen(js_name = benchPoolBytes)]
    pub async fn bench_pool_bytes(mb: usize) -> Result<f64, JsValue> {
        bench_pool_round_trip(0).await?;
        let pool = ONE_WORKER
            .with(|p| p.borrow().clone())
            .expect("started above");
        let start = weft::now();
        let data = Bytes::from(vec![7_u8; mb << 20]);
        let back = pool.run(echo_bytes, data).await.map_err(failed)?;
        if back.len() != mb << 20 {
            return Err(JsValue::from_str("the buffer came back short"));
        }
        drop(back);
        Ok(ms_since(start))
    }

    /// The hand-written baseline's first copy: a new buffer, copied out of wasm memory.
    #[wasm_bindgen(js_name = benchMakeBuffer)]
    pub fn bench_make_buffer(mb: usize) -> Uint8Array {
        Uint8Array::from(&vec![7_u8; mb << 20][..])
    }

    /// The hand-written baseline's last copy: the buffer, copied into wasm memory.
    #[wasm_bindgen(js_name = benchTakeBuffer)]
    pub fn bench_take_buffer(data: Vec<u8>) -> usize {
        data.len()
    }

    /// The baseline worker's function: the same copies in and out as a pool worker's.
    #[wasm_bindgen(js_name = benchEchoRaw)]
    pub fn bench_echo_raw(data: Vec<u8>) -> Vec<u8> {
        data
    }

    /// This page's compiled `WebAssembly.Module`, for the baseline worker.
    #[wasm_bindgen(js_name = benchWasmModule)]
    pub fn bench_wasm_module() -> JsValue {
        wasm_bindgen::module()
    }
}
