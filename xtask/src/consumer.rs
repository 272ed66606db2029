//! The npm package from a user's side: tests/npm-consumer is a Vite + TypeScript app that
//! installs the packed tarball, type-checks under `tsc --strict`, builds with Vite's defaults,
//! and runs in headless Chromium under the playground's strict Content-Security-Policy.

use std::process::Command;

use crate::cmd::{self, Result, run, run_tee};
use crate::npm::Package;
use crate::{serve, setup};

const APP: &str = "tests/npm-consumer";

/// Builds and runs the consumer app against `package`'s tarball; returns the checks passed.
pub fn test(package: &Package) -> Result<u64> {
    setup::npm_packages(APP)?;
    let app = cmd::root().join(APP);
    // As a user would: `npm install weft`, from the tarball `npm pack` made. --no-save keeps
    // the app's package.json and lockfile as committed.
    crate::npm::install_tarball(package, &app)?;
    run(Command::new("node_modules/.bin/tsc")
        .args(["--noEmit", "-p", "tsconfig.json"])
        .current_dir(&app))?;
    let dist = cmd::root().join("target/npm/consumer");
    run(Command::new("node_modules/.bin/vite")
        .args(["build", "--emptyOutDir", "--logLevel", "warn", "--outDir"])
        .arg(&dist)
        .current_dir(&app))?;
    let server = serve::Server::start(&dist, 0)?;
    let out = run_tee(
        Command::new("node")
            .args(["--test", "--test-reporter=tap", "test.mjs"])
            .current_dir(&app)
            .env("WEFT_BASE_URL", server.url())
            .env("CHROMIUM", setup::CHROMIUM),
    );
    server.stop();
    let out = out?;
    // The app reports its own count: `# consumer app: N checks passed`.
    Ok(out
        .lines()
        .find_map(|l| {
            l.split("consumer app: ")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0))
}
