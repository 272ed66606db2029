//! weft's native benchmarks (ids N1–N8 of ../shared/BENCH-GOALS.md), each side by side with its
//! anchor in one run. Run through `cargo xtask bench [--quick]`, which also runs the Python and
//! browser halves and writes target/bench/results.json and BENCHMARKS.md.
//!
//! `weft-bench [--quick] [--json PATH] [--only N1,N2]`

mod harness;
mod native;

use harness::Settings;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let json = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1).cloned());
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|ids| ids.split(',').map(str::to_string).collect());
    let settings = Settings {
        rounds: if quick { 3 } else { 7 },
    };
    let scale = if quick { 0.2 } else { 1.0 };
    let rows = native::run_all(&settings, scale, only.as_deref());
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&rows).expect("rows serialise");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {path}: {e}"));
    }
}
