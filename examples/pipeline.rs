//! `pipeline`: producer/consumer over the lines of a large file, in flat memory.
//!
//! The seeds' `read_large_file` generator (`for line in f: yield line.strip()`) feeding their
//! `run_pipeline(items, num_workers)` (an `asyncio.Queue(maxsize=100)` and consumer tasks):
//!
//! - the example writes a CSV-like file of `id,name,score` lines (20 MB by default; a few lines
//!   are deliberately malformed),
//! - reads it back with `weft::lines` over an async file (only the current line is held),
//! - submits each line to `weft::pipeline(4, 1024, parse)`: four worker tasks, at most 1,024
//!   lines queued (the producer waits while the queue is full: backpressure),
//! - and checks that nothing was lost (`submitted == done + failed`, the malformed lines are
//!   exactly the failures, the sum of scores is exact) and that memory stayed flat: the resident
//!   set (`VmRSS` in `/proc/self/status`) grows by far less than the file's size.
//!
//! ```text
//! cargo run --release --example pipeline            # 20 MB
//! cargo run --release --example pipeline -- --mb 200
//! WEFT_PIPELINE_MB=1000 cargo run --release --example pipeline
//! ```

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    demo::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod demo {
    use std::fs;
    use std::io::{self, BufWriter, Write};
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;

    use futures_lite::StreamExt;
    use futures_lite::io::BufReader;

    const DEFAULT_MB: u64 = 20;
    const WORKERS: usize = 4;
    const CAPACITY: usize = 1024;
    /// One line in this many is malformed, so the failure path is exercised.
    const BAD_EVERY: u64 = 100_000;
    /// How often the producer samples its resident set.
    const SAMPLE_EVERY: u64 = 50_000;
    /// Growth allowed in all: the executor's and the file reader's threads warming up, the
    /// queue, the read buffer. Holding the lines of the default 20 MB file would take ~60 MB.
    const WARM_UP_MB: f64 = 16.0;
    /// Growth allowed after the first sample: streaming must not grow with the input.
    const FLAT_MB: f64 = 4.0;

    pub fn main() -> ExitCode {
        let mb = match size_in_mb() {
            Ok(mb) => mb,
            Err(err) => {
                eprintln!("pipeline: {err}");
                return ExitCode::FAILURE;
            }
        };
        let file = TempFile(
            std::env::temp_dir().join(format!("weft-pipeline-{}.csv", std::process::id())),
        );
        let written = match generate(&file.0, mb * 1_000_000) {
            Ok(written) => written,
            Err(err) => {
                eprintln!("pipeline: could not write {}: {err}", file.0.display());
                return ExitCode::FAILURE;
            }
        };
        println!(
            "wrote {} lines ({:.1} MB, {} malformed) to {}",
            written.lines,
            written.bytes as f64 / 1e6,
            written.bad,
            file.0.display()
        );

        match weft::block_on(process(&file.0)) {
            Ok(report) => check(&written, &report),
            Err(err) => {
                eprintln!("pipeline: FAILED: {err}");
                ExitCode::FAILURE
            }
        }
    }

    /// `--mb N` or `WEFT_PIPELINE_MB=N`, else 20.
    fn size_in_mb() -> Result<u64, String> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let from_args = match args.as_slice() {
            [] => None,
            [flag, n] if flag == "--mb" => Some(n.clone()),
            _ => return Err("usage: pipeline [--mb N]".into()),
        };
        match from_args.or_else(|| std::env::var("WEFT_PIPELINE_MB").ok()) {
            None => Ok(DEFAULT_MB),
            Some(n) => match n.parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!(
                    "the size must be a whole number of MB above 0, got {n:?}"
                )),
            },
        }
    }

    /// Removes the generated file however the example ends.
    struct TempFile(PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = fs::remove_file(&self.0);
        }
    }

    struct Written {
        lines: u64,
        bad: u64,
        bytes: u64,
        score_sum: u64,
    }

    fn score(id: u64) -> u64 {
        id.wrapping_mul(2_654_435_761) % 1_000
    }

    fn generate(path: &PathBuf, bytes: u64) -> io::Result<Written> {
        let mut out = BufWriter::with_capacity(1 << 16, fs::File::create(path)?);
        let mut written = Written {
            lines: 0,
            bad: 0,
            bytes: 0,
            score_sum: 0,
        };
        let mut line = String::new();
        while written.bytes < bytes {
            let id = written.lines;
            line.clear();
            if id % BAD_EVERY == BAD_EVERY - 1 {
                line.push_str("this line is not a record\n");
                written.bad += 1;
            } else {
                use std::fmt::Write as _;
                let _ = writeln!(line, "{id},user{id},{}", score(id));
                written.score_sum += score(id);
            }
            out.write_all(line.as_bytes())?;
            written.bytes += line.len() as u64;
            written.lines += 1;
        }
        out.flush()?;
        Ok(written)
    }

    struct Report {
        stats: weft::Stats<String>,
        score_sum: u64,
        rss_before_kb: u64,
        rss_warm_kb: u64,
        rss_peak_kb: u64,
        rss_after_kb: u64,
        longest_line_buffer: usize,
        seconds: f64,
    }

    /// The consumer: one line in, one record parsed and summed (the seeds' `process_item`).
    fn parse(line: &str, sum: &AtomicU64) -> Result<(), String> {
        let mut fields = line.split(',');
        let (Some(id), Some(name), Some(score), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(format!("not a record: {line:?}"));
        };
        let id: u64 = id.parse().map_err(|_| format!("bad id in {line:?}"))?;
        let score: u64 = score
            .parse()
            .map_err(|_| format!("bad score in {line:?}"))?;
        if name != format!("user{id}") {
            return Err(format!("name does not match id in {line:?}"));
        }
        sum.fetch_add(score, Ordering::Relaxed);
        Ok(())
    }

    async fn process(path: &PathBuf) -> io::Result<Report> {
        let sum = Arc::new(AtomicU64::new(0));
        let workers_sum = sum.clone();
        let pipeline = weft::pipeline(WORKERS, CAPACITY, move |line: String| {
            let sum = workers_sum.clone();
            async move { parse(&line, &sum) }
        })
        .expect("valid settings");

        // The pipeline's workers (and the executor threads) are up: measure from here.
        let rss_before_kb = rss_kb();
        let mut rss_peak_kb = rss_before_kb;
        let mut rss_warm_kb = 0;
        let start = Instant::now();

        // The producer: `for line in read_large_file(path): await queue.put(line)`.
        let file = async_fs::File::open(path).await?;
        let mut lines = weft::lines(BufReader::with_capacity(1 << 16, file))
            .max_line_len(1 << 16)
            .expect("a positive cap");
        let mut read = 0_u64;
        let mut longest_line_buffer = 0;
        while let Some(line) = lines.next().await {
            longest_line_buffer =
                longest_line_buffer.max(line.as_ref().map_or(0, String::capacity));
            pipeline
                .submit(line?)
                .await
                .map_err(|_| io::Error::other("the pipeline closed early"))?;
            read += 1;
            if read % SAMPLE_EVERY == 0 {
                let now = rss_kb();
                if rss_warm_kb == 0 {
                    rss_warm_kb = now;
                }
                rss_peak_kb = rss_peak_kb.max(now);
            }
        }
        let stats = pipeline.join().await;
        let seconds = start.elapsed().as_secs_f64();
        let rss_after_kb = rss_kb();
        Ok(Report {
            stats,
            score_sum: sum.load(Ordering::Relaxed),
            rss_before_kb,
            rss_warm_kb: if rss_warm_kb == 0 {
                rss_before_kb
            } else {
                rss_warm_kb
            },
            rss_peak_kb: rss_peak_kb.max(rss_after_kb),
            rss_after_kb,
            longest_line_buffer,
            seconds,
        })
    }

    /// The resident set in kB, from `/proc/self/status` (0 where there is no procfs).
    fn rss_kb() -> u64 {
        fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
                line.split_whitespace().nth(1)?.parse().ok()
            })
            .unwrap_or(0)
    }

    fn check(written: &Written, report: &Report) -> ExitCode {
        let stats = &report.stats;
        let mb = |kb: u64| kb as f64 / 1024.0;
        let growth_mb = mb(report.rss_peak_kb.saturating_sub(report.rss_before_kb));
        let streaming_mb = mb(report.rss_peak_kb.saturating_sub(report.rss_warm_kb));
        println!(
            "weft::pipeline({WORKERS} workers, capacity {CAPACITY}) over weft::lines: {} lines in {:.2} s",
            stats.submitted, report.seconds
        );
        println!(
            "  {:.0} lines/s, {:.0} MB/s",
            stats.submitted as f64 / report.seconds,
            written.bytes as f64 / 1e6 / report.seconds
        );
        println!(
            "  submitted {}, done {}, failed {} (first: {})",
            stats.submitted,
            stats.done,
            stats.failed,
            stats.errors.first().map_or("none", String::as_str)
        );
        println!(
            "  sum of scores {} (expected {})",
            report.score_sum, written.score_sum
        );
        println!(
            "  memory (VmRSS): {:.1} MB before, {:.1} MB after {SAMPLE_EVERY} lines, {:.1} MB peak, {:.1} MB after",
            mb(report.rss_before_kb),
            mb(report.rss_warm_kb),
            mb(report.rss_peak_kb),
            mb(report.rss_after_kb),
        );
        println!(
            "  grew {growth_mb:.1} MB in all and {streaming_mb:.1} MB after warming up, for a {:.0} MB file",
            written.bytes as f64 / 1e6
        );
        println!(
            "  largest line buffer: {} bytes",
            report.longest_line_buffer
        );

        let mut problems = Vec::new();
        if stats.submitted != written.lines {
            problems.push(format!(
                "{} lines submitted of {} written",
                stats.submitted, written.lines
            ));
        }
        if stats.submitted != stats.done + stats.failed {
            problems.push("submitted != done + failed: an item was lost".to_string());
        }
        if stats.failed != written.bad || !stats.panics.is_empty() {
            problems.push(format!(
                "{} failures, expected the {} malformed lines",
                stats.failed, written.bad
            ));
        }
        if report.score_sum != written.score_sum {
            problems.push("the sum of scores is wrong: a line was lost or done twice".to_string());
        }
        if report.rss_before_kb > 0 && growth_mb > WARM_UP_MB {
            problems.push(format!(
                "memory grew by {growth_mb:.1} MB (allowed {WARM_UP_MB} MB)"
            ));
        }
        if report.rss_before_kb > 0 && streaming_mb > FLAT_MB {
            problems.push(format!(
                "memory grew by {streaming_mb:.1} MB while streaming (allowed {FLAT_MB} MB)"
            ));
        }
        if problems.is_empty() {
            println!("pipeline: ok");
            ExitCode::SUCCESS
        } else {
            for problem in problems {
                eprintln!("pipeline: FAILED: {problem}");
            }
            ExitCode::FAILURE
        }
    }
}
