//! weft's build and test driver: `cargo xtask <command>`.
//!
//! - `test`:  every check a commit must pass, natively and in headless Chromium.
//! - `npm`:   build the npm package `weft` (target/npm/weft and its tarball).
//! - `bench`: benchmarks side by side with their anchors (`--quick`: a short pass; `--npm`: only
//!   the npm package's lines; `--browser-only`: only the browser page).
//! - `soak`:  the reliability suite's long variants (a million chaos items, 10,000 model cases per
//!   pattern, loom at depth) and the figures they measure.
//! - `security`: scan the shipped JS and the playground's CSP (also a step of `test`).
//! - `play`:  build the playground and serve it on http://127.0.0.1:8080 (`--build-only` writes
//!   `www/dist` for any static host instead).
//!
//! It installs what it needs (wasm target, wasm-bindgen-cli at the pinned version, Chromium and
//! ChromeDriver, npm packages) when they are missing, so a fresh clone needs only Rust and Node.

mod bench;
mod cmd;
mod consumer;
mod npm;
mod play;
mod security;
mod serve;
mod setup;
mod soak;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test                 fmt, clippy (both targets), docs, native tests + doctests,
                       the conformance suite in headless Chromium, playground end to end
                       in headless Chromium, native pool.map vs rayon (measures only)
  play [--build-only] [--port N]
                       build the playground and serve it on http://127.0.0.1:8080
                       (--build-only: write a self-contained www/dist and exit)
  npm [--test]         build the npm package into target/npm/weft and pack it
                       (--test: then run its tests in headless Chromium)
  bench [--quick] [--npm | --browser-only]
                       every benchmark side by side with its anchor: target/bench/results.json,
                       and (full run only) BENCHMARKS.md (--npm: only the npm package's lines;
                       --browser-only: only the browser page, into target/bench/browser.json)
  security             scan the shipped JS (npm package, worker glue, playground) for eval,
                       new Function, string timers and blob: URLs, and check www/_headers' CSP
                       (needs `cargo xtask npm` first; `test` runs it)
  soak                 the reliability suite's long variants, natively, in headless Chromium
                       and under loom; prints items, faults injected, cases and timer lateness";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run_command(&args[1..]),
        Some("play") => play::run_command(&args[1..]),
        Some("bench") => bench::run_command(&args[1..]),
        Some("npm") => npm::run_command(&args[1..]),
        Some("soak") => soak::run_command(&args[1..]),
        Some("security") => security::check().map(|summary| println!("{summary}")),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
