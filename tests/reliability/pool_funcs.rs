//! The functions the reliability suite runs on the worker pool. They live in this test crate,
//! so in the browser its own wasm module exports them and the pool's workers find them by name.

use std::time::Duration;

use weft::{CancelToken, Instant};

/// What a chaos job does, planned from the run's seed and the job's index, so the caller and
/// the worker (another wasm instance in the browser) agree on it without sharing memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobFault {
    /// Spins a short while and gives [`chaos_value`].
    None,
    /// Spins a short while, then panics with `injected panic in job <index>`.
    Panic,
    /// Spins until its job is cancelled (a minute at most): its caller drops it in flight.
    Cancel,
}

/// A chaos job's plan: its fault, how long it spins, and (for `Cancel`) how long its caller
/// waits before dropping it.
#[derive(Clone, Copy, Debug)]
pub struct JobPlan {
    pub fault: JobFault,
    pub spin: Duration,
    pub cancel_after: Duration,
}

pub fn job_plan(seed: u64, index: u64) -> JobPlan {
    let mut rng = fastrand::Rng::with_seed(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
    let fault = match rng.u32(0..1000) {
        0..10 => JobFault::Panic,
        10..20 => JobFault::Cancel,
        _ => JobFault::None,
    };
    // Mostly a few microseconds, sometimes up to a millisecond: finish orders get mixed.
    let spin = if rng.u32(0..10) == 0 {
        Duration::from_micros(rng.u64(0..=1_000))
    } else {
        Duration::from_micros(rng.u64(0..=40))
    };
    JobPlan {
        fault,
        spin,
        cancel_after: Duration::from_micros(rng.u64(0..=3_000)),
    }
}

/// What a successful chaos job gives: proof that this index's job ran, not another one's.
pub fn chaos_value(seed: u64, index: u64) -> u64 {
    (seed ^ index).rotate_left(17) ^ 0x5EED
}

/// Spins for `limit`, or until the current job is cancelled.
fn spin(limit: Duration) {
    let token = CancelToken::current();
    let end = Instant::now() + limit;
    while Instant::now() < end && !token.is_cancelled() {
        std::hint::spin_loop();
    }
}

/// Natively, how many times each chaos job started, keyed by (seed, index): jobs run on threads
/// of this process, so the test can check that none ran twice. (In the browser a job runs in
/// another wasm instance; there the result's value is the proof.)
#[cfg(not(target_arch = "wasm32"))]
pub static STARTS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<(u64, u64), u32>>,
> = std::sync::LazyLock::new(Default::default);

weft::func! {
    /// A chaos job: spins a short random while, panics for about 1 % of indices, spins until
    /// cancelled for another 1 % (unless `in_map`: a map's caller drops whole blocks instead);
    /// otherwise gives [`chaos_value`].
    pub fn chaos_job(seed: u64, index: u64, in_map: bool) -> u64 {
        #[cfg(not(target_arch = "wasm32"))]
        {
            *STARTS.lock().unwrap().entry((seed, index)).or_default() += 1;
        }
        let plan = job_plan(seed, index);
        match plan.fault {
            JobFault::None => {
                spin(plan.spin);
                chaos_value(seed, index)
            }
            JobFault::Panic => {
                spin(plan.spin);
                panic!("injected panic in job {index}")
            }
            JobFault::Cancel if in_map => {
                spin(plan.spin);
                chaos_value(seed, index)
            }
            JobFault::Cancel => {
                spin(Duration::from_secs(60));
                chaos_value(seed, index)
            }
        }
    }
}

weft::func! {
    /// x + 1: the healthy job the crash tests run beside the crashing ones.
    pub fn plus_one(x: u64) -> u64 {
        x + 1
    }
}

weft::func! {
    /// Spins `ms` milliseconds or until its job is cancelled; gives `ms`.
    pub fn busy_ms(ms: u64) -> u64 {
        spin(Duration::from_millis(ms));
        ms
    }
}

weft::func! {
    /// Panics with `injected panic: <message>`.
    pub fn crash_panic(message: String) -> u64 {
        panic!("injected panic: {message}")
    }
}

weft::func! {
    /// Traps without panicking (an abort is `unreachable` in wasm): the worker's instance dies
    /// with no message. Browser only: natively an abort ends the whole process.
    #[cfg(target_arch = "wasm32")]
    pub fn crash_abort(_x: u64) -> u64 {
        std::process::abort()
    }
}
