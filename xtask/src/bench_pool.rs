//! `cargo xtask bench-pool`: the worker pool's figures, each against a baseline, in one run.
//!
//! In headless Chromium (the playground's `bench/` page): a tiny job's round trip vs a raw
//! `postMessage` round trip, the speedup of 2 workers over 1, and a 64 MiB buffer through a
//! worker's Rust function vs a hand-written transfer with the same copies. Natively
//! (`native/benches/pool.rs`): `pool.map` vs rayon's `par_iter`. Measures; asserts nothing.

use std::process::Command;

use crate::cmd::{self, Result, run_tee};
use crate::{play, serve, setup};

pub fn run_command(args: &[String]) -> Result {
    if let Some(other) = args.first() {
        return Err(format!("unknown option `{other}` for `bench-pool`"));
    }
    setup::chromium()?;
    setup::npm_packages("www")?;
    let www = play::build()?;
    let server = serve::Server::start(&www, 0)?;
    let browser = run_tee(
        Command::new("node")
            .arg("bench/run.mjs")
            .current_dir(&www)
            .env("WEFT_BASE_URL", server.url())
            .env("CHROMIUM", setup::CHROMIUM),
    );
    server.stop();
    let browser = browser?;
    let native = run_tee(cmd::cargo().args(["bench", "-p", "weft-native", "--bench", "pool"]))?;

    println!("\nworker pool figures:");
    for line in browser.lines().chain(native.lines()) {
        if line.starts_with("browser:") || line.starts_with("native:") {
            println!("  {line}");
        }
    }
    Ok(())
}
