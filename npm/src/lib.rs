//! The npm package `weft`: weft's patterns and worker pool, exported to JavaScript.
//!
//! Every export wraps the same Rust code the crate's users run (never a second implementation in
//! JS): JS hands in functions and promises, Rust runs the pattern, and the JS conventions are
//! kept at the boundary — Promises, an `AbortSignal` option wherever an operation can wait,
//! milliseconds, options objects, `Error` subclasses with `name` and `cause`, and `TypeError` /
//! `RangeError` for bad arguments before any work starts. Compiles to nothing natively.
//!
//! Tasks are functions, not promises: `gather([signal => fetch(a, { signal }), …])`. Each task
//! is called with an `AbortSignal` that weft aborts when it cancels the task (a sibling failed,
//! a timeout expired, the caller aborted) — the JS face of "dropping a future cancels it".
//!
//! One file per pattern; `bridge` holds the boundary (starting and cancelling JS tasks, running
//! futures as promises, argument checks) and `errors` the error classes.
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

mod as_completed;
mod batch;
mod bridge;
mod errors;
mod gather;
mod group;
mod limit;
mod map;
mod pipeline;
mod pool;
mod queue;
mod race;
mod rate;
mod retry;
mod semaphore;
mod time;
mod trace;
mod wait;
