//! Benchmarks D1 and D2 (see BENCH-GOALS.md), side by side with Celery 5 on the same
//! redis-server, in one run:
//!
//! - D1: tiny jobs, submitted → results collected, 2 worker processes (µs per job; goal: at most
//!   0.05× Celery's, i.e. at least 20× its jobs/s);
//! - D2: 40 CPU jobs of ~85 ms (count primes), 1 vs 2 worker processes (goal: speedup ≥ 1.85).
//!
//! ```text
//! cargo bench -p weft-redis --bench distributed -- --json target/bench/redis.json [--quick]
//! ```
//!
//! It starts its own redis-server (append-only, fsync every second: Redis's usual production
//! setting), installs `celery[redis]` from PyPI into `target/bench/celery-venv` when missing,
//! starts every worker before timing, then runs one warm-up round and 5 measured rounds (1 with
//! `--quick`), each implementation once per round in an order that rotates; figures are medians.
//! Rows are written as JSON in the shape of `bench/src/harness.rs`'s `Row`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use futures_lite::StreamExt;
use serde::Serialize;
use support::{RedisServer, WorkerProcess};
use weft_redis::{Queue, demo};

#[derive(Serialize)]
struct Row {
    id: String,
    workload: String,
    weft: f64,
    anchor: f64,
    anchor_name: String,
    unit: String,
    ratio: f64,
    goal: String,
}

/// How long one D2 job should take.
const CPU_JOB: Duration = Duration::from_millis(85);
const CELERY: &str = "Celery 5.x, Redis broker + result backend (-P solo)";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Runs each implementation once per round (rotating the order), after one warm-up round;
/// returns each one's median, in seconds.
fn measure(rounds: usize, impls: &mut [(&str, &mut dyn FnMut() -> f64)]) -> Vec<f64> {
    let n = impls.len();
    let mut samples = vec![Vec::new(); n];
    for round in 0..=rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let seconds = (impls[i].1)();
            if round > 0 {
                samples[i].push(seconds);
            }
            eprintln!("  round {round} {:<28} {seconds:8.3} s", impls[i].0);
        }
    }
    samples.into_iter().map(median).collect()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("weft-redis lives in the workspace")
        .to_path_buf()
}

/// The Celery virtualenv, made and filled on first use.
fn celery_venv() -> PathBuf {
    let venv = root().join("target/bench/celery-venv");
    if venv.join("bin/celery").exists() {
        return venv;
    }
    eprintln!("installing celery[redis] into {}", venv.display());
    let run = |command: &mut Command| {
        let status = command
            .status()
            .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        assert!(status.success(), "{command:?} failed ({status})");
    };
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "celery[redis]"]));
    venv
}

/// The Celery driver process (`celery_bench.py serve`): one command per line, one answer.
struct Driver {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Driver {
    fn start(venv: &Path, url: &str) -> Driver {
        let mut child = Command::new(venv.join("bin/python"))
            .arg("celery_bench.py")
            .arg("serve")
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench"))
            .env("CELERY_BENCH_URL", url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the Celery driver starts");
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Driver {
            child,
            stdin,
            stdout,
        }
    }

    fn ask(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").expect("the Celery driver reads");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("the Celery driver answers");
        assert!(!line.is_empty(), "the Celery driver exited on `{command}`");
        line.trim().to_owned()
    }

    fn seconds(&mut self, command: &str) -> f64 {
        let answer = self.ask(command);
        answer
            .parse()
            .unwrap_or_else(|_| panic!("`{command}`: the Celery driver said `{answer}`"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct CeleryWorker(Child);

impl CeleryWorker {
    fn start(venv: &Path, url: &str, queue: &str, n: usize, logs: &Path) -> CeleryWorker {
        let log =
            std::fs::File::create(logs.join(format!("celery-{queue}-{n}.log"))).expect("log file");
        CeleryWorker(
            Command::new(venv.join("bin/celery"))
                .args([
                    "-A",
                    "celery_bench",
                    "worker",
                    "-Q",
                    queue,
                    "-c",
                    "1",
                    "-P",
                    "solo",
                ])
                .arg("-n")
                .arg(format!("{queue}-{n}@%h"))
                .args([
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ])
                .args(["--loglevel", "WARNING"])
                .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench"))
                .env("CELERY_BENCH_URL", url)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("a Celery worker starts"),
        )
    }
}

impl Drop for CeleryWorker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The limit for which `count_primes` takes about `CPU_JOB` here.
fn calibrate() -> u64 {
    let mut limit = 300_000_u64;
    for _ in 0..4 {
        let start = Instant::now();
        std::hint::black_box(demo::count_primes.call(std::hint::black_box(limit)));
        let took = start.elapsed().as_secs_f64();
        limit = ((limit as f64) * (CPU_JOB.as_secs_f64() / took).powf(0.7)).max(1_000.0) as u64;
    }
    limit
}

fn main() {
    let mut json = None;
    let mut quick = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // Cargo runs benches in the package's folder: a relative path is the workspace's.
            "--json" => json = Some(root().join(args.next().expect("--json takes a path"))),
            "--quick" => quick = true,
            "--bench" => {} // cargo bench passes it
            other => panic!("unknown option `{other}` (use --json PATH, --quick)"),
        }
    }
    let rounds = if quick { 1 } else { 5 };
    let (d1_weft, d1_celery) = if quick { (2_000, 200) } else { (20_000, 2_000) };
    let d2_jobs = if quick { 8 } else { 40 };

    let server = RedisServer::start_with("everysec");
    let url = server.url();
    // Celery on database 1 of the same server, weft-redis on database 0.
    let celery_url = format!("{url}1");
    let venv = celery_venv();
    let logs = server.dir().to_path_buf();
    let weft_worker = |queue: &str| {
        WorkerProcess::spawn(support::WORKER, &url, queue, &["--concurrency", "1"], &logs)
    };

    // Every worker starts before anything is timed.
    let _weft_workers = [
        weft_worker("d1"),
        weft_worker("d1"),
        weft_worker("d2-one"),
        weft_worker("d2-two"),
        weft_worker("d2-two"),
    ];
    let _celery_workers = [
        CeleryWorker::start(&venv, &celery_url, "d1", 0, &logs),
        CeleryWorker::start(&venv, &celery_url, "d1", 1, &logs),
        CeleryWorker::start(&venv, &celery_url, "d2one", 0, &logs),
        CeleryWorker::start(&venv, &celery_url, "d2two", 0, &logs),
        CeleryWorker::start(&venv, &celery_url, "d2two", 1, &logs),
    ];
    let mut celery = Driver::start(&venv, &celery_url);
    for queue in ["d1", "d2one", "d2two"] {
        assert_eq!(celery.ask(&format!("ping {queue}")), "ok");
    }
    let weft_limit = calibrate();
    let celery_limit: u64 = celery
        .ask(&format!("calibrate {}", CPU_JOB.as_secs_f64()))
        .parse()
        .expect("a limit");
    eprintln!("count_primes limits for ~{CPU_JOB:?}: weft {weft_limit}, Python {celery_limit}");

    let (d1, d2_one, d2_two) = weft::block_on(async {
        let connect = |queue: &'static str| Queue::connect(&url, queue);
        (
            connect("d1").await.unwrap(),
            connect("d2-one").await.unwrap(),
            connect("d2-two").await.unwrap(),
        )
    });
    for queue in [&d1, &d2_one, &d2_two] {
        weft::block_on(async {
            queue
                .submit(demo::increment, 1)
                .await
                .unwrap()
                .await
                .unwrap()
        });
    }
    let run = |queue: &Queue, func, items: Vec<u64>| -> f64 {
        weft::block_on(async {
            let start = Instant::now();
            let results: Vec<_> = queue.map_unordered(func, items).collect().await;
            let took = start.elapsed().as_secs_f64();
            assert!(results.iter().all(|(_, r)| r.is_ok()), "a weft job failed");
            took
        })
    };

    eprintln!("D1: tiny jobs, 2 worker processes");
    let celery_d1 = std::cell::RefCell::new(&mut celery);
    let d1_medians = measure(
        rounds,
        &mut [
            ("weft-redis", &mut || {
                run(&d1, demo::increment, (0..d1_weft).collect())
            }),
            ("Celery", &mut || {
                celery_d1
                    .borrow_mut()
                    .seconds(&format!("d1 d1 {d1_celery}"))
            }),
        ],
    );
    let weft_us = d1_medians[0] * 1e6 / d1_weft as f64;
    let celery_us = d1_medians[1] * 1e6 / d1_celery as f64;
    eprintln!(
        "D1: weft-redis {:.0} jobs/s, Celery {:.0} jobs/s: {:.1}x",
        1e6 / weft_us,
        1e6 / celery_us,
        celery_us / weft_us
    );

    eprintln!("D2: {d2_jobs} CPU jobs of ~{CPU_JOB:?}, 1 vs 2 worker processes");
    let d2 = |queue: &Queue| run(queue, demo::count_primes, vec![weft_limit; d2_jobs]);
    let celery_d2 = std::cell::RefCell::new(&mut celery);
    let d2_medians = measure(
        rounds,
        &mut [
            ("weft-redis, 1 worker", &mut || d2(&d2_one)),
            ("weft-redis, 2 workers", &mut || d2(&d2_two)),
            ("Celery, 1 worker", &mut || {
                celery_d2
                    .borrow_mut()
                    .seconds(&format!("d2 d2one {d2_jobs} {celery_limit}"))
            }),
            ("Celery, 2 workers", &mut || {
                celery_d2
                    .borrow_mut()
                    .seconds(&format!("d2 d2two {d2_jobs} {celery_limit}"))
            }),
        ],
    );
    let weft_speedup = d2_medians[0] / d2_medians[1];
    let celery_speedup = d2_medians[2] / d2_medians[3];
    eprintln!("D2: speedup weft-redis {weft_speedup:.2}x, Celery {celery_speedup:.2}x");

    let rows = vec![
        Row {
            id: "D1".into(),
            workload: "tiny jobs submitted → results collected, 2 worker processes".into(),
            weft: weft_us,
            anchor: celery_us,
            anchor_name: CELERY.into(),
            unit: "µs/job".into(),
            ratio: weft_us / celery_us,
            goal: "≤ 0.05×".into(),
        },
        Row {
            id: "D2".into(),
            workload: format!("{d2_jobs} CPU jobs of ~85 ms: speedup of 2 worker processes over 1"),
            weft: weft_speedup,
            anchor: celery_speedup,
            anchor_name: CELERY.into(),
            unit: "×".into(),
            ratio: weft_speedup / celery_speedup,
            goal: "≥ 1.85 speedup".into(),
        },
    ];
    for row in &rows {
        println!(
            "{:4} {:<62} weft {:>8.2} {:<7} {} {:>8.2}  ratio {:.3}  (goal {})",
            row.id,
            row.workload,
            row.weft,
            row.unit,
            row.anchor_name,
            row.anchor,
            row.ratio,
            row.goal
        );
    }
    if let Some(path) = json {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the --json directory");
        }
        std::fs::write(&path, serde_json::to_string_pretty(&rows).expect("json"))
            .expect("writing --json");
        println!("wrote {}", path.display());
    }
}
