//! `cargo xtask npm`: build the npm package `weft` into target/npm/weft and pack it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, Result, run};
use crate::setup;

/// What `build` produced.
pub struct Package {
    /// The package folder (what `npm pack` packs).
    pub dir: PathBuf,
    /// The packed tarball, for installs as a real consumer would.
    pub tarball: PathBuf,
}

pub fn run_command(args: &[String]) -> Result {
    let mut with_tests = false;
    for arg in args {
        match arg.as_str() {
            "--test" => with_tests = true,
            other => return Err(format!("unknown option `{other}` for `npm`")),
        }
    }
    let package = build()?;
    println!(
        "\npackage: {}\ntarball: {}",
        package.dir.display(),
        package.tarball.display()
    );
    if with_tests {
        setup::chromium()?;
        let passed = test(&package)?;
        println!("\nnpm package: {passed} tests passed in Chromium");
        let checks = crate::consumer::test(&package)?;
        println!("Vite consumer app: {checks} checks passed in Chromium");
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

pub fn build() -> Result<Package> {
    setup::wasm_target()?;
    setup::wasm_bindgen()?;
    setup::npm_packages("npm")?;
    let root = cmd::root();
    // The `npm` profile (opt-level "z"): about 6 % smaller after gzip than `--release` here.
    run(cmd::cargo().args([
        "build",
        "--profile",
        "npm",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "weft-js",
    ]))?;
    let out = root.join("target/npm");
    let dir = out.join("weft");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    run(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "weft",
            "--out-dir",
        ])
        .arg(&dir)
        .arg(root.join("target/wasm32-unknown-unknown/npm/weft_js.wasm")))?;
    strip_doc_comments(&dir.join("weft.js"))?;
    let wasm = dir.join("weft_bg.wasm");
    run(Command::new(root.join("npm/node_modules/.bin/wasm-opt"))
        .arg("-Oz")
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;

    let npm = root.join("npm");
    for file in [
        "js/index.js",
        "js/errors.js",
        "js/worker.js",
        "index.d.ts",
        "README.md",
    ] {
        let from = npm.join(file);
        copy(&from, &dir.join(from.file_name().expect("a file")))?;
    }
    // The published package.json: the source one without what only building and testing need.
    let text = std::fs::read_to_string(npm.join("package.json"))
        .map_err(|e| format!("reading npm/package.json: {e}"))?;
    let mut manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("npm/package.json: {e}"))?;
    let object = manifest
        .as_object_mut()
        .ok_or("npm/package.json is not an object")?;
    object.remove("devDependencies");
    object.remove("scripts");
    let version = object
        .get("version")
        .and_then(|v| v.as_str())
        .unwrap_or("0.0.0")
        .to_string();
    std::fs::write(
        dir.join("package.json"),
        serde_json::to_string_pretty(&manifest).expect("json") + "\n",
    )
    .map_err(|e| format!("writing package.json: {e}"))?;

    println!("\nnpm package size (gzip -9): {}", sizes(&dir)?);
    run(Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&out)
        .current_dir(&dir))?;
    Ok(Package {
        dir,
        tarball: out.join(format!("weft-{version}.tgz")),
    })
}

/// Removes the `/** … */` blocks wasm-bindgen copies from the Rust docs into `weft.js`: users
/// read `index.d.ts`, and the copies are a third of the glue's gzip size.
fn strip_doc_comments(path: &Path) -> Result {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut out = String::with_capacity(text.len());
    let mut in_doc = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if !in_doc && trimmed.starts_with("/**") {
            in_doc = !trimmed.ends_with("*/");
            continue;
        }
        if in_doc {
            in_doc = !trimmed.ends_with("*/");
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    std::fs::write(path, out).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// gzip -9 sizes of the package's JS and wasm, as `js + wasm = total`.
pub fn sizes(dir: &Path) -> Result<String> {
    let (js, wasm) = gzip_sizes(dir)?;
    Ok(format!(
        "js {:.1} KB + wasm {:.1} KB = {:.1} KB",
        js as f64 / 1024.0,
        wasm as f64 / 1024.0,
        (js + wasm) as f64 / 1024.0
    ))
}

/// gzip -9 bytes of the package's JS files and of its wasm.
pub fn gzip_sizes(dir: &Path) -> Result<(usize, usize)> {
    let mut js = 0;
    let mut wasm = 0;
    for entry in walk(dir)? {
        let name = entry.to_string_lossy();
        let gz = gzip_len(&entry)?;
        if name.ends_with(".wasm") {
            wasm += gz;
        } else if name.ends_with(".js") {
            js += gz;
        }
    }
    Ok((js, wasm))
}

pub fn gzip_len(path: &Path) -> Result<usize> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("gzip: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().map_err(|e| format!("gzip: {e}"))?;
    writer
        .join()
        .expect("gzip writer")
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len())
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("{e}"))?.path();
        if path.is_dir() {
            files.extend(walk(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

/// Runs the package's JS tests (npm/tests) in headless Chromium against the built package,
/// served with the playground's strict CSP. Returns how many passed.
pub fn test(package: &Package) -> Result<u64> {
    let root = cmd::root();
    // The types: a consumer file using every export must compile under `tsc --strict`.
    run(Command::new(root.join("npm/node_modules/.bin/tsc"))
        .args([
            "--strict", "--noEmit", "--target", "es2022", "--module", "es2022",
        ])
        .args(["--moduleResolution", "bundler", "--lib", "es2022,dom"])
        .arg("tests/types.ts")
        .current_dir(root.join("npm")))?;
    let served = package.dir.parent().expect("target/npm").to_path_buf();
    let harness = served.join("harness");
    let _ = std::fs::remove_dir_all(&harness);
    std::fs::create_dir_all(&harness)
        .map_err(|e| format!("creating {}: {e}", harness.display()))?;
    for entry in std::fs::read_dir(root.join("npm/tests/harness")).map_err(|e| format!("{e}"))? {
        let path = entry.map_err(|e| format!("{e}"))?.path();
        copy(&path, &harness.join(path.file_name().expect("a file")))?;
    }
    copy(&root.join("www/_headers"), &served.join("_headers"))?;
    let server = crate::serve::Server::start(&served, 0)?;
    let out = cmd::run_tee(
        Command::new("node")
            .args(["--test", "--test-reporter=tap", "tests/"])
            .current_dir(root.join("npm"))
            .env("WEFT_BASE_URL", server.url())
            .env("CHROMIUM", setup::CHROMIUM),
    );
    server.stop();
    Ok(crate::test::passed_in_tap(&out?))
}

/// `npm install`s the packed tarball into the app at `app`, as a user would install `weft`.
/// `--no-save` keeps the app's package.json and lockfile as committed (the package is not on a
/// registry); no install scripts run.
pub fn install_tarball(package: &Package, app: &std::path::Path) -> Result {
    run(Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
        ])
        .arg(&package.tarball)
        .current_dir(app))
}
