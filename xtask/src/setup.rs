//! Installing what the commands need when it is missing: the next machine is new.

use std::process::Command;

use crate::cmd::{self, Result, have, output, run};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

pub fn wasm_target() -> Result {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|v| v.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_string());
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

pub fn wasm_bindgen() -> Result {
    let want = locked_wasm_bindgen()?;
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str())
        && output(Command::new("wasm-bindgen-test-runner").arg("--version")).is_some()
    {
        return Ok(());
    }
    // No --locked: the CLI's own lockfile wants a webpki-roots release the registry lacks.
    run(cmd::cargo().args(["install", "wasm-bindgen-cli", "--version", &want]))
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0")
}

pub fn chromium() -> Result {
    if std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "{CHROMIUM} and {CHROMEDRIVER} are needed for the browser tests: \
             run `sudo apt-get install -y chromium chromium-driver`"
        ));
    }
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get").args(["install", "-y", "chromium", "chromium-driver"]))
}

/// Debian's redis-server, for weft-redis's tests (they start their own servers).
pub fn redis_server() -> Result {
    if have("redis-server") {
        return Ok(());
    }
    if !is_root() {
        return Err("redis-server is needed for the weft-redis tests: \
             run `sudo apt-get install -y redis-server`"
            .into());
    }
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get").args(["install", "-y", "redis-server"]))
}

/// `npm ci` in `dir` (relative to the root) when its node_modules is missing or stale.
pub fn npm_packages(dir: &str) -> Result {
    if !have("npm") {
        return Err("Node.js and npm are needed for the browser end-to-end tests".into());
    }
    let dir = cmd::root().join(dir);
    let lock = dir.join("package-lock.json");
    let marker = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&marker)) {
        (Ok(lock), Ok(marker)) => marker.modified().ok() >= lock.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(dir))
}
