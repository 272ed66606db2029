//! `cargo xtask soak`: the reliability suite's long variants, and the figures they measure.
//!
//! `cargo xtask test` runs the reliability suite (`tests/reliability`) in its short form; this
//! runs it with `WEFT_SOAK=1`: a million chaos items natively, ten thousand task groups, gathers,
//! pipelines and pools dropped mid-flight, a million operations under the flat-memory check,
//! 10,000 model-based cases per pattern natively (2,000 in Chromium), the thread stress tests at
//! full size, the timer lateness measurement on a quiet process, the loom model checks at a
//! deeper preemption bound, and then prints what was counted.

use std::time::Instant;

use crate::cmd::{self, Result, run_tee};
use crate::setup;

/// The reliability suite's lines worth keeping, by the prefix its tests print them with.
/// (Each ends in a space, so that test names such as `leaks::memory::…` do not match.)
const FIGURES: &[&str] = &[
    "chaos pipeline: ",
    "chaos task groups ",
    "leaks: ",
    "memory: ",
    "model of ",
    "stress: ",
    "timer lateness ",
];

pub fn run_command(args: &[String]) -> Result {
    if let Some(other) = args.first() {
        return Err(format!("unknown option `{other}` for `soak`"));
    }
    let start = Instant::now();
    setup::wasm_target()?;
    setup::wasm_bindgen()?;
    setup::chromium()?;

    println!("\n== native: chaos, leaks, flat memory, models, stress (WEFT_SOAK=1)");
    let native = run_tee(
        cmd::cargo()
            .args(["test", "-p", "weft", "--test", "reliability", "--"])
            .args(["--nocapture", "--skip", "timers::"])
            .env("WEFT_SOAK", "1"),
    )?;
    println!("\n== native: timer lateness, one test at a time");
    let timers = run_tee(
        cmd::cargo()
            .args([
                "test",
                "-p",
                "weft",
                "--test",
                "reliability",
                "timers::",
                "--",
            ])
            .args(["--nocapture", "--test-threads=1"])
            .env("WEFT_SOAK", "1"),
    )?;
    println!("\n== Chromium: the same suite in the browser (WEFT_SOAK=1 at compile time)");
    let browser = run_tee(
        cmd::cargo()
            .args(["test", "--target", "wasm32-unknown-unknown", "-p", "weft"])
            .args(["--test", "reliability", "--", "--nocapture"])
            .env("WEFT_SOAK", "1")
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", setup::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "3000"),
    )?;
    println!("\n== loom: every interleaving, up to 3 preemptions");
    let loom = loom(3)?;

    let native = format!("{native}{timers}");
    println!(
        "\nsoak: all passed in {:.0} s\n",
        start.elapsed().as_secs_f64()
    );
    for (target, output) in [("native", &native), ("Chromium", &browser)] {
        println!("{target}:");
        for line in figures(output) {
            println!("  {line}");
        }
        let cases = count_before(output, " cases agree with the model");
        let chaos: Vec<&str> = figures(output)
            .into_iter()
            .filter(|line| line.starts_with("chaos "))
            .collect();
        let chaos = chaos.join("\n");
        let items = count_before(&chaos, " items");
        let faults: u64 = [
            " failed, ",
            " panicked",
            " cancelled in flight",
            " submits dropped",
        ]
        .iter()
        .map(|marker| count_before(&chaos, marker))
        .sum();
        println!(
            "  => {items} chaos items, {faults} faults injected, {cases} model cases; \
             0 lost, 0 leaked, 0 hung (each asserted)\n"
        );
    }
    println!(
        "loom: {} model checks passed (LOOM_MAX_PREEMPTIONS=3)",
        count_before(&loom, " passed")
    );
    Ok(())
}

/// Runs the loom model checks (`core/tests/loom.rs`) with `--cfg loom`, in a target directory of
/// their own so the normal build is not invalidated, at the given preemption bound.
pub fn loom(preemptions: u32) -> Result<String> {
    let target = cmd::root().join("target").join("loom");
    run_tee(
        cmd::cargo()
            .args(["test", "-p", "weft-core", "--test", "loom", "--release"])
            .env("RUSTFLAGS", "--cfg loom")
            .env("CARGO_TARGET_DIR", target)
            .env("LOOM_MAX_PREEMPTIONS", preemptions.to_string()),
    )
}

/// The figures in `output`, one per line. A figure may follow "test <name> ... " on its line
/// (libtest prints that first when it runs one test at a time).
fn figures(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter_map(|line| {
            let at = FIGURES
                .iter()
                .filter_map(|prefix| line.find(prefix))
                .min()?;
            Some(line[at..].trim_end())
        })
        .collect()
}

/// Sums the numbers that stand right before `marker` in `text` ("5000 items" → 5000).
fn count_before(text: &str, marker: &str) -> u64 {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let before = text[..at].trim_end();
            let digits: String = before
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.chars().rev().collect::<String>().parse::<u64>().ok()
        })
        .sum()
}
