//! `cargo xtask play`: build the playground and serve it.
//!
//! The playground is a Vite app (www/app) built on the npm package `weft` the way users build:
//! the package `cargo xtask npm` packs is installed into the app from its tarball, and
//! `vite build` writes www/dist. The CPU demo also loads the weft-playground crate's wasm
//! (www/pkg, its `WorkerPool` demo); it is copied to www/dist/pkg, unbundled, because its
//! workers start from their own module's URL.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, Result, run};
use crate::npm::Package;
use crate::{serve, setup};

pub const DEFAULT_PORT: u16 = 8080;

const APP: &str = "www/app";

/// Builds the weft-playground crate's wasm into `www/pkg`; returns the `www` folder (the
/// benchmark pages in www/bench are served from it).
pub fn build_wasm() -> Result<PathBuf> {
    setup::wasm_target()?;
    setup::wasm_bindgen()?;
    run(cmd::cargo().args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "weft-playground",
    ]))?;
    let root = cmd::root();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let wasm = target.join("wasm32-unknown-unknown/release/weft_playground.wasm");
    let www = root.join("www");
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(www.join("pkg"))
        .arg(&wasm))?;
    Ok(www)
}

/// Builds the whole playground into `www/dist` with the npm package `package`; returns dist.
pub fn build_with(package: &Package) -> Result<PathBuf> {
    let www = build_wasm()?;
    setup::npm_packages(APP)?;
    let app = cmd::root().join(APP);
    // As a user would: `npm install weft`, from the tarball. --no-save keeps the app's
    // package.json and lockfile as committed (the package is not on a registry).
    crate::npm::install_tarball(package, &app)?;
    run(Command::new("node_modules/.bin/vite")
        .args(["build", "--logLevel", "warn"])
        .current_dir(&app))?;
    let dist = www.join("dist");
    copy(&www.join("pkg"), &dist.join("pkg"))?;
    copy(&www.join("_headers"), &dist.join("_headers"))?;
    Ok(dist)
}

/// Builds the npm package, then the playground; returns `www/dist`.
pub fn build() -> Result<PathBuf> {
    let package = crate::npm::build()?;
    build_with(&package)
}

fn copy(from: &Path, to: &Path) -> Result {
    let fail = |e: std::io::Error| format!("copying {} to {}: {e}", from.display(), to.display());
    if from.is_dir() {
        std::fs::create_dir_all(to).map_err(fail)?;
        for entry in std::fs::read_dir(from).map_err(fail)? {
            let entry = entry.map_err(fail)?;
            copy(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::create_dir_all(to.parent().expect("inside dist")).map_err(fail)?;
        std::fs::copy(from, to).map(drop).map_err(fail)
    }
}

pub fn run_command(args: &[String]) -> Result {
    let mut build_only = false;
    let mut port = DEFAULT_PORT;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--build-only" => build_only = true,
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number, e.g. --port 8081")?;
            }
            other => return Err(format!("unknown option `{other}` for `play`")),
        }
    }
    let dist = build()?;
    if build_only {
        println!(
            "\nwrote {} — serve it from any static host with the headers in its _headers file",
            dist.display()
        );
        return Ok(());
    }
    let server = serve::Server::start(&dist, port)?;
    println!("\nweft playground: {}  (Ctrl-C to stop)", server.url());
    server.wait();
    Ok(())
}
