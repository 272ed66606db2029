//! Worker pools dropped mid-flight: jobs running, jobs queued, callers waiting in spawned
//! tasks, a map stream half read, then the pool dropped (or terminated, or closed and dropped)
//! with everything else. Nothing hangs, no caller task is left alive, a job whose handle was
//! kept still resolves, and natively the pools' threads are gone. In Chromium, the JS heap stays
//! steady over many pool operations.

use std::time::Duration;

use futures_lite::StreamExt;
use futures_lite::future::poll_once;
use weft::{WorkerError, WorkerPool};

use crate::pool_funcs::{busy_ms, plus_one};
use crate::support::{Live, NATIVE, eventually, ms, report, scale};

/// A bound on any one wait: past it, the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(60);

/// How a round lets go of its pool.
#[derive(Clone, Copy, Debug)]
enum LetGo {
    Drop,
    Terminate,
    CloseThenDrop,
}

/// One pool with work in every state, let go of mid-flight. Returns the kept job's result.
async fn pool_dropped_mid_flight(live: &Live, round: u64) -> Result<u64, WorkerError> {
    let pool = WorkerPool::builder().size(2).build().unwrap();
    // A quick job whose handle outlives the pool: it must still resolve.
    let kept = pool.submit(plus_one, round).await.unwrap();
    // Callers in spawned tasks: two end up running, the rest queued.
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            live.spawn(async move { pool.run(busy_ms, 60_000).await })
        })
        .collect();
    let mut stream = pool.map_unordered(busy_ms, [60_000, 60_000, 0]);
    let _ = poll_once(stream.next()).await;
    weft::sleep(ms(round % 4)).await;
    let how = [LetGo::Drop, LetGo::Terminate, LetGo::CloseThenDrop][round as usize % 3];
    match how {
        LetGo::Drop => drop(pool),
        LetGo::Terminate => {
            // Dropping the future does not undo it: terminate takes effect when called.
            drop(pool.terminate());
            drop(pool);
        }
        LetGo::CloseThenDrop => {
            drop(pool.close());
            drop(pool);
        }
    }
    drop(stream);
    drop(callers);
    weft::timeout(PATIENCE, kept)
        .await
        .unwrap_or_else(|_| panic!("round {round} ({how:?}): the kept job hung"))
}

/// This process's thread count, from `/proc/self/status`.
#[cfg(not(target_arch = "wasm32"))]
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

reliability! {
    async fn worker_pools_dropped_mid_flight_leave_no_task_or_worker_behind() {
        let rounds = if NATIVE { scale(200, 2_000) } else { scale(20, 200) } as u64;
        let live = Live::default();
        #[cfg(not(target_arch = "wasm32"))]
        let threads_before = threads();
        let (mut kept_ok, mut kept_terminated) = (0, 0);
        for round in 0..rounds {
            match pool_dropped_mid_flight(&live, round).await {
                Ok(value) => {
                    assert_eq!(value, round + 1);
                    kept_ok += 1;
                }
                // Only a terminated pool may fail the kept job, and only with Terminated.
                Err(WorkerError::Terminated) if round % 3 == 1 => kept_terminated += 1,
                Err(other) => panic!("round {round}: the kept job failed with {other}"),
            }
        }
        eventually(PATIENCE, "every caller task is dropped", || live.live() == 0).await;
        assert!(live.made() as u64 >= rounds * 4, "the callers really ran");
        // Natively each pool had two threads of its own: they all stopped. Other tests of this
        // process (stress tests, other pools) may hold threads meanwhile, hence the margin; a leak
        // would be two threads per round.
        #[cfg(not(target_arch = "wasm32"))]
        let threads = {
            eventually(PATIENCE, "the dropped pools' threads stop", || threads() <= threads_before + 64).await;
            format!(", threads {threads_before} -> {}", threads())
        };
        #[cfg(target_arch = "wasm32")]
        let threads = String::new();
        report(&format!(
            "pool leaks: {rounds} worker pools dropped, terminated or closed mid-flight with jobs running, \
             queued and streamed; {} caller tasks, 0 live after{threads}; kept jobs: {kept_ok} done, \
             {kept_terminated} terminated; 0 leaked, 0 hung",
            live.made(),
        ));
    }
}

#[cfg(target_arch = "wasm32")]
mod heap {
    use super::*;
    use wasm_bindgen::{JsCast, JsValue};

    /// `performance.memory.usedJSHeapSize` (Chromium only), after a full collection when the
    /// browser exposes `gc()` (webdriver.json passes `--js-flags=--expose-gc`); `None` elsewhere.
    pub fn used_heap() -> Option<f64> {
        let global = js_sys::global();
        if let Ok(gc) = js_sys::Reflect::get(&global, &JsValue::from_str("gc"))
            && let Some(gc) = gc.dyn_ref::<js_sys::Function>()
        {
            let _ = gc.call0(&JsValue::UNDEFINED);
        }
        let performance = js_sys::Reflect::get(&global, &JsValue::from_str("performance")).ok()?;
        let memory = js_sys::Reflect::get(&performance, &JsValue::from_str("memory")).ok()?;
        js_sys::Reflect::get(&memory, &JsValue::from_str("usedJSHeapSize"))
            .ok()?
            .as_f64()
    }

    pub fn has_gc() -> bool {
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("gc"))
            .is_ok_and(|gc| gc.is_function())
    }

    /// The smallest of a few readings a little apart: a reading taken just before a minor
    /// collection counts garbage, the smallest one counts what is live.
    pub async fn settled_heap() -> Option<f64> {
        let mut least = f64::INFINITY;
        for _ in 0..5 {
            weft::sleep(ms(20)).await;
            least = least.min(used_heap()?);
        }
        Some(least)
    }

    /// One pool's operations: single jobs, submitted jobs, a map, and every 100 operations a
    /// second pool dropped mid-flight.
    async fn operations(pool: &WorkerPool, live: &Live, count: u64) {
        for op in 0..count {
            match op % 4 {
                0 => assert_eq!(pool.run(plus_one, op).await, Ok(op + 1)),
                1 => assert_eq!(pool.submit(plus_one, op).await.unwrap().await, Ok(op + 1)),
                2 => assert_eq!(pool.map(plus_one, [op, op]).await, Ok(vec![op + 1, op + 1])),
                _ => assert_eq!(pool.map_unordered(plus_one, [op]).count().await, 1),
            }
            if op % 100 == 99 {
                let _ = pool_dropped_mid_flight(live, op).await;
            }
        }
    }

    reliability! {
        async fn the_js_heap_stays_steady_over_many_pool_operations() {
            let ops = scale(3_000, 30_000) as u64;
            let warm_up = ops / 5;
            let pool = WorkerPool::builder().size(2).build().unwrap();
            let live = Live::default();
            operations(&pool, &live, warm_up).await;
            eventually(PATIENCE, "every caller task is dropped", || live.live() == 0).await;
            let Some(before) = settled_heap().await else {
                report("js heap: performance.memory is not available in this browser; not measured");
                return;
            };
            operations(&pool, &live, ops - warm_up).await;
            eventually(PATIENCE, "every caller task is dropped", || live.live() == 0).await;
            let after = settled_heap().await.expect("performance.memory went away");
            let growth = (after - before) / before * 100.0;
            report(&format!(
                "js heap: {ops} worker pool operations ({} after a warm-up of {warm_up}, {} pools dropped \
                 mid-flight): usedJSHeapSize {:.0} KiB -> {:.0} KiB, growth {growth:+.1} % (limit 20 %; {})",
                ops - warm_up,
                ops / 100,
                before / 1024.0,
                after / 1024.0,
                if has_gc() { "after gc()" } else { "no gc(): least of 5 readings" },
            ));
            assert!(growth < 20.0, "the JS heap grew {growth:.1} % ({before} -> {after} bytes)");
        }
    }
}
