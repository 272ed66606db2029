//! `cargo xtask test`: every check a commit must pass.

use std::process::Command;
use std::time::Instant;

use crate::cmd::{self, Result, run, run_tee};
use crate::{play, serve, setup};

/// Crates that compile for wasm32 (xtask and the native backend do not).
const WASM_CRATES: &[&str] = &[
    "-p",
    "weft",
    "-p",
    "weft-core",
    "-p",
    "weft-web",
    "-p",
    "weft-playground",
    "-p",
    "weft-js",
];

#[derive(Default)]
struct Tally {
    native: u64,
    examples: u64,
    browser: u64,
    npm: u64,
    consumer: u64,
    e2e: u64,
    steps: Vec<(String, f64)>,
}

impl Tally {
    fn step(&mut self, name: &str, f: impl FnOnce(&mut Tally) -> Result) -> Result {
        let start = Instant::now();
        f(self).map_err(|e| format!("{name}: {e}"))?;
        self.steps
            .push((name.to_string(), start.elapsed().as_secs_f64()));
        Ok(())
    }
}

/// The facade's examples (`examples/*.rs`), by name.
fn examples() -> Result<Vec<String>> {
    let dir = cmd::root().join("examples");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

/// Sums the `N passed` of every `test result:` line (cargo's and wasm-bindgen-test's format).
fn passed_in_cargo_output(output: &str) -> u64 {
    output
        .lines()
        .filter_map(|line| line.trim().strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// The `# pass N` line of node's TAP reporter.
pub fn passed_in_tap(output: &str) -> u64 {
    output
        .lines()
        .filter_map(|line| line.trim().strip_prefix("# pass "))
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .sum()
}

pub fn run_command(args: &[String]) -> Result {
    if let Some(other) = args.first() {
        return Err(format!("unknown option `{other}` for `test`"));
    }
    let start = Instant::now();
    let mut tally = Tally::default();
    tally.step("tools", |_| {
        setup::wasm_target()?;
        setup::wasm_bindgen()?;
        setup::chromium()?;
        setup::redis_server()?;
        setup::npm_packages("www")
    })?;
    tally.step("rustfmt", |_| {
        run(cmd::cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    tally.step("clippy (native)", |_| {
        run(cmd::cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    tally.step("clippy (wasm32)", |_| {
        run(cmd::cargo()
            .args([
                "clippy",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
            ])
            .args(WASM_CRATES)
            .args(["--", "-D", "warnings"]))
    })?;
    tally.step("rustdoc", |_| {
        run(cmd::cargo()
            .args(["doc", "--workspace", "--no-deps", "--exclude", "xtask"])
            .env("RUSTDOCFLAGS", "-D warnings"))
    })?;
    tally.step("native tests + doctests", |t| {
        let out = run_tee(cmd::cargo().args(["test", "--workspace"]))?;
        t.native = passed_in_cargo_output(&out);
        Ok(())
    })?;
    tally.step("loom model checks (core/tests/loom.rs)", |_| {
        crate::soak::loom(2).map(drop)
    })?;
    tally.step("examples (each runs as a smoke test)", |t| {
        for example in examples()? {
            // The dev profile: `cargo test --workspace` above has built them already.
            run(cmd::cargo().args(["run", "--quiet", "--example", &example]))?;
            t.examples += 1;
        }
        Ok(())
    })?;
    tally.step("conformance suite in headless Chromium", |t| {
        let out = run_tee(
            cmd::cargo()
                .args([
                    "test",
                    "--target",
                    "wasm32-unknown-unknown",
                    "-p",
                    "weft",
                    "--tests",
                ])
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    "wasm-bindgen-test-runner",
                )
                .env("CHROMEDRIVER", setup::CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "300"),
        )?;
        t.browser = passed_in_cargo_output(&out);
        if t.browser == 0 {
            return Err("no test ran in the browser".into());
        }
        Ok(())
    })?;
    let mut package = None;
    tally.step(
        "npm package and a Vite app using it, in headless Chromium",
        |t| {
            let built = crate::npm::build()?;
            t.npm = crate::npm::test(&built)?;
            t.consumer = crate::consumer::test(&built)?;
            package = Some(built);
            Ok(())
        },
    )?;
    tally.step("playground end to end (Playwright + Chromium)", |t| {
        let package = package.as_ref().expect("built in the step before");
        let dist = play::build_with(package)?;
        let www = cmd::root().join("www");
        let server = serve::Server::start(&dist, 0)?;
        let out = run_tee(
            Command::new("node")
                // One file at a time: the worker pool demo fills every core, which would
                // disturb the timing of the other demos.
                .args([
                    "--test",
                    "--test-concurrency=1",
                    "--test-reporter=tap",
                    "tests/",
                ])
                .current_dir(&www)
                .env("WEFT_BASE_URL", server.url())
                .env("CHROMIUM", setup::CHROMIUM),
        );
        server.stop();
        t.e2e = passed_in_tap(&out?);
        Ok(())
    })?;
    tally.step(
        "security: shipped JS (no eval, new Function, string timers, blob: workers) and the CSP",
        |_| {
            println!("{}", crate::security::check()?);
            Ok(())
        },
    )?;

    tally.step(
        "benchmarks (--quick: checks they run; asserts no figure)",
        |_| crate::bench::run_command(&["--quick".to_string()]),
    )?;

    println!("\nsteps:");
    for (name, secs) in &tally.steps {
        println!("  {secs:7.1} s  {name}");
    }
    println!(
        "\nweft: all tests passed in {:.0} s — native {} (unit, conformance, doctests), examples {}, browser {} (conformance in headless Chromium), npm package {} + Vite consumer app {} (Chromium), end-to-end {} (playground)",
        start.elapsed().as_secs_f64(),
        tally.native,
        tally.examples,
        tally.browser,
        tally.npm,
        tally.consumer,
        tally.e2e
    );
    Ok(())
}
