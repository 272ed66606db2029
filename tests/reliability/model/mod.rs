//! Model-based tests: proptest drives each pattern on the virtual clock with random delays,
//! completion orders and failures, and checks what it did against a small reference model.
//!
//! Virtual time (`weft::testing::run` on `VirtualRuntime`) makes every case deterministic and
//! instant, and the same on both targets, so these run natively and in Chromium alike. Each
//! case is generated from a seed printed on failure (`WEFT_SEED=<seed>` replays it); the number
//! of cases per pattern is 128 in the normal run, 10,000 in the soak run natively (2,000 in
//! the browser), or `PROPTEST_CASES` natively when set.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use crate::support::{NATIVE, report, scale, seed};

mod gather;
mod group;
mod limit;
mod queue;
mod rate;
mod retry;
mod timeout;

/// How many cases each pattern gets.
pub fn cases() -> u32 {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(n) = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return n;
    }
    let soak = if NATIVE { 10_000 } else { 2_000 };
    scale(128, soak) as u32
}

/// Runs `test` on `cases()` inputs drawn from `strategy`, shrinking a failure to a small one.
pub fn check<S>(pattern: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
{
    let seed = seed();
    let mut bytes = [0_u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&(seed ^ i as u64).to_le_bytes());
    }
    let config = Config {
        cases: cases(),
        // Nothing is written to disk (there is none in the browser): the seed replays a failure.
        failure_persistence: None,
        ..Config::default()
    };
    let cases = config.cases;
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("model of {pattern}: {failure} (seed {seed}; replay with WEFT_SEED={seed})");
    }
    report(&format!(
        "model of {pattern}: {cases} cases agree with the model"
    ));
}
