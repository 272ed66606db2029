//! The reliability suite: weft under faults, not only on the happy path.
//!
//! Natively: `cargo test --test reliability`. In the browser:
//! `cargo test --target wasm32-unknown-unknown --test reliability` (`cargo xtask test` runs
//! both). Short variants run there; `cargo xtask soak` runs the long ones (`WEFT_SOAK=1`):
//!
//! - [`chaos`]: items through `weft::pipeline` and through a `TaskGroup` + `map_concurrent`
//!   path with seeded random delays, injected panics (natively; `Err` in the browser, where a
//!   panic aborts the instance) and cancellations; every item is done exactly once or reported
//!   failed or cancelled, counted exactly;
//! - [`leaks`]: task groups, gathers, pipelines and pools dropped mid-flight leave no live
//!   task or future behind; natively, memory stays flat over many operations;
//! - [`model`]: proptest drives each pattern on the virtual clock and checks it against a small
//!   reference model;
//! - [`timers`]: every timer, timeout and deadline fires no earlier than asked and within a
//!   bound; the soak run prints the measured lateness;
//! - [`stress`] (native only): many threads against the hand-written synchronisation.
//!
//! Hooks for what others are building: the worker pool's chaos (jobs through
//! `weft::WorkerPool` with crashing workers) and the JS boundary's bad-input table belong in
//! `chaos.rs` and a `js_boundary` module next to it; see the notes there.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Every test must finish within this, on any machine; it exists so a hang fails loudly.
pub const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

#[cfg(not(target_arch = "wasm32"))]
macro_rules! reliability {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            weft::block_on(async {
                weft::timeout($crate::HANG_LIMIT, async $body).await.expect("test hung")
            })
        }
    };
}

#[cfg(target_arch = "wasm32")]
macro_rules! reliability {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            weft::timeout($crate::HANG_LIMIT, async $body).await.expect("test hung")
        }
    };
}

mod support;

mod chaos;
mod leaks;
mod model;
#[cfg(not(target_arch = "wasm32"))]
mod stress;
mod timers;
