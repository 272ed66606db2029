//! Counts primes with 10,000 CPU jobs on the `weft-worker` processes serving a queue, with a
//! progress bar and the final throughput.
//!
//! ```text
//! # on each worker machine (here: twice, in two terminals)
//! cargo run --release -p weft-redis --bin weft-worker -- --url redis://127.0.0.1:6379/ --queue primes
//! # then
//! cargo run --release -p weft-redis --example distributed_primes -- --url redis://127.0.0.1:6379/
//! ```
//!
//! Options: `--url URL`, `--queue NAME` (default `primes`), `--jobs N` (default 10,000),
//! `--limit N` (each job counts the primes below a number from N to N + 999; default 20,000).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures_lite::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use weft_redis::Queue;
use weft_redis::demo::count_primes;

struct Options {
    url: String,
    queue: String,
    jobs: u64,
    limit: u64,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        url: std::env::var("WEFT_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into()),
        queue: "primes".into(),
        jobs: 10_000,
        limit: 20_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("`{flag}` takes a number, not `{value}`"))
        };
        match flag.as_str() {
            "--url" => options.url = value.clone(),
            "--queue" => options.queue = value.clone(),
            "--jobs" => options.jobs = number()?,
            "--limit" => options.limit = number()?,
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(options)
}

async fn run(options: Options) -> Result<(), String> {
    let queue = Queue::connect(&options.url, &options.queue)
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", options.url))?;
    println!(
        "submitting {} jobs to queue `{}`; serve it with: weft-worker --url {} --queue {}",
        options.jobs, options.queue, options.url, options.queue
    );
    let bar = ProgressBar::new(options.jobs).with_style(
        ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} jobs  {per_sec}  eta {eta}  {msg}",
        )
        .expect("a valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let watch = weft::spawn({
        let (bar, mut progress) = (bar.clone(), queue.progress());
        async move {
            while let Some(p) = progress.next().await {
                bar.set_position(p.finished());
                bar.set_message(format!(
                    "{} running, {} queued, {} retried",
                    p.running, p.queued, p.retried
                ));
            }
        }
    });
    let limits = (0..options.jobs).map(|i| options.limit + i % 1000);
    let mut results = queue.map_unordered(count_primes, limits);
    let (mut primes, mut failed) = (0_u64, 0_u64);
    while let Some((index, result)) = results.next().await {
        match result {
            Ok(count) => primes += count,
            Err(err) => {
                failed += 1;
                bar.println(format!("job {index} failed: {err}"));
            }
        }
    }
    let took = started.elapsed();
    drop(watch);
    bar.set_position(options.jobs);
    bar.finish_with_message("done");
    println!(
        "{} jobs in {:.2} s: {:.0} jobs/s; {primes} primes counted; {failed} failed",
        options.jobs,
        took.as_secs_f64(),
        options.jobs as f64 / took.as_secs_f64()
    );
    if failed > 0 {
        return Err(format!("{failed} jobs failed"));
    }
    Ok(())
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("distributed_primes: {problem}");
            return ExitCode::from(2);
        }
    };
    match weft::block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("distributed_primes: {problem}");
            ExitCode::FAILURE
        }
    }
}
