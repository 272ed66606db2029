//! What the reliability tests share: the soak switch, seeds, live counters, bounded waits.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Whether this is the long run (`cargo xtask soak` sets `WEFT_SOAK=1`).
///
/// Natively it is read when the test runs; in the browser, where a test has no environment, it
/// is read when the test is compiled (cargo rebuilds the test when the variable changes).
pub fn soak() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    let value = std::env::var("WEFT_SOAK").ok();
    #[cfg(target_arch = "wasm32")]
    let value = option_env!("WEFT_SOAK").map(str::to_owned);
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

/// `short` in the normal run, `long` in the soak run.
pub fn scale(short: usize, long: usize) -> usize {
    if soak() { long } else { short }
}

/// Whether this build runs natively (where panics unwind and threads exist).
pub const NATIVE: bool = cfg!(not(target_arch = "wasm32"));

/// The seed of a randomised test: `WEFT_SEED` if set (to replay a failure), else a fresh one.
///
/// Every assertion of a randomised test names its seed, so a failure can be replayed with
/// `WEFT_SEED=<seed>`, on either target (in the browser the variable is read at compile time).
pub fn seed() -> u64 {
    #[cfg(not(target_arch = "wasm32"))]
    let fixed = std::env::var("WEFT_SEED").ok();
    #[cfg(target_arch = "wasm32")]
    let fixed = option_env!("WEFT_SEED").map(str::to_owned);
    fixed
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| fastrand::u64(..))
}

/// Prints a line: to stdout natively, to the console in the browser (the runner shows it with
/// `--nocapture`, which `cargo xtask soak` passes).
pub fn report(line: &str) {
    #[cfg(not(target_arch = "wasm32"))]
    println!("{line}");
    #[cfg(target_arch = "wasm32")]
    console::log(line);
}

#[cfg(target_arch = "wasm32")]
mod console {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = console)]
        pub fn log(line: &str);
    }
}

/// Counts live guards: one is taken per future (or task, or object) a test creates and moved
/// into it, so `live()` says how many of them still exist.
#[derive(Clone, Default)]
pub struct Live(Arc<Counts>);

#[derive(Default)]
struct Counts {
    live: AtomicUsize,
    made: AtomicUsize,
}

impl Live {
    pub fn guard(&self) -> LiveGuard {
        self.0.live.fetch_add(1, Ordering::SeqCst);
        self.0.made.fetch_add(1, Ordering::SeqCst);
        LiveGuard(self.0.clone())
    }

    /// How many guards exist now.
    pub fn live(&self) -> usize {
        self.0.live.load(Ordering::SeqCst)
    }

    /// How many guards were ever made.
    pub fn made(&self) -> usize {
        self.0.made.load(Ordering::SeqCst)
    }

    /// Spawns `future` on the default runtime holding a guard of this counter: the wrapper every
    /// leak test spawns through, so a task that is never dropped shows up in `live()`.
    pub fn spawn<F>(&self, future: F) -> weft::Task<F::Output>
    where
        F: Future + weft::MaybeSend + 'static,
        F::Output: weft::MaybeSend + 'static,
    {
        let guard = self.guard();
        weft::spawn(async move {
            let _guard = guard;
            future.await
        })
    }
}

/// Drops to say its future, task or object is gone.
pub struct LiveGuard(Arc<Counts>);

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits until `condition` holds, checking every millisecond; panics after `limit`.
///
/// For effects that happen on another thread (natively) or in a later task (cancelled tasks
/// are dropped by their executor, not by whoever dropped the handle).
pub async fn eventually(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = weft::now();
    while !condition() {
        assert!(weft::now() - start < limit, "not within {limit:?}: {what}");
        weft::sleep(Duration::from_millis(1)).await;
    }
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
