//! `cargo xtask play`: build the playground and serve it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, Result, run};
use crate::{serve, setup};

pub const DEFAULT_PORT: u16 = 8080;

/// Builds the playground's wasm into `www/pkg`; returns the `www` folder to serve.
pub fn build() -> Result<PathBuf> {
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

/// Copies what a static host needs (pages, scripts, styles, wasm, `_headers`) into `www/dist`.
fn write_dist(www: &Path) -> Result<PathBuf> {
    let dist = www.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    for entry in [
        "index.html",
        "main.js",
        "style.css",
        "favicon.svg",
        "_headers",
        "pkg",
    ] {
        copy(&www.join(entry), &dist.join(entry))?;
    }
    Ok(dist)
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
    let www = build()?;
    let dist = write_dist(&www)?;
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
