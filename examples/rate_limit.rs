//! `rate_limit`: at most `max` starts in any window of `per`, watched on the real clock.
//!
//! The seeds' `RateLimiter(max_calls=5, period=1.0)` used as `async with limiter:`. Four clients
//! share one `weft::RateLimiter::new(10, 1 s)` and make 12 calls each. The example prints how many
//! calls started in each second, then checks on the exact start times that no window of one
//! second, wherever it is placed, saw more than 10 starts. A second run with
//! `RateLimiter::with_burst(10, 1 s, 1)` shows the same rate spread evenly, 100 ms apart.
//!
//! ```text
//! cargo run --release --example rate_limit
//! ```
//!
//! Native only (it blocks the main thread with `weft::block_on`); in the browser the same
//! limiter runs inside `weft::spawn`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    demo::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod demo {
    use std::process::ExitCode;
    use std::time::Duration;

    const MAX: usize = 10;
    const PER: Duration = Duration::from_secs(1);
    const CLIENTS: usize = 4;
    const CALLS_EACH: usize = 12;
    /// A start is timed right after the limiter records it, in the same poll (no `.await` in
    /// between), so a measured time is late by microseconds; the slack covers an OS preemption
    /// landing exactly there on a loaded machine.
    const SLACK: Duration = Duration::from_millis(3);

    pub fn main() -> ExitCode {
        let problems = weft::block_on(async {
            let mut problems = Vec::new();
            problems.extend(sliding_window().await);
            problems.extend(evenly_spaced().await);
            problems
        });
        if problems.is_empty() {
            println!("rate_limit: ok");
            ExitCode::SUCCESS
        } else {
            for problem in problems {
                eprintln!("rate_limit: FAILED: {problem}");
            }
            ExitCode::FAILURE
        }
    }

    /// `clients` tasks share `limiter` and make `calls_each` calls; the sorted start times.
    async fn run_clients(
        limiter: weft::RateLimiter,
        clients: usize,
        calls_each: usize,
    ) -> Vec<Duration> {
        let t0 = weft::now();
        let tasks = (0..clients).map(|_| {
            let limiter = limiter.clone();
            weft::spawn(async move {
                let mut starts = Vec::with_capacity(calls_each);
                for _ in 0..calls_each {
                    // `async with limiter:` — the call starts once the limiter lets it.
                    let started = limiter.run(async { weft::now() - t0 }).await;
                    starts.push(started);
                    weft::sleep(Duration::from_millis(5)).await; // the call itself
                }
                starts
            })
        });
        let mut starts: Vec<Duration> = weft::gather(tasks)
            .await
            .into_iter()
            .flat_map(|client| client.expect("a client task panicked"))
            .collect();
        starts.sort();
        starts
    }

    async fn sliding_window() -> Vec<String> {
        let mut problems = Vec::new();
        let limiter = weft::RateLimiter::new(MAX, PER).expect("valid settings");
        println!(
            "RateLimiter::new({MAX}, {PER:?}): {CLIENTS} clients × {CALLS_EACH} calls = {} calls",
            CLIENTS * CALLS_EACH
        );
        let starts = run_clients(limiter, CLIENTS, CALLS_EACH).await;

        let seconds = starts.last().map_or(0, |last| last.as_secs() as usize + 1);
        for second in 0..seconds {
            let n = starts
                .iter()
                .filter(|s| s.as_secs() as usize == second)
                .count();
            println!(
                "  {second}–{} s: {n:3} starts {}",
                second + 1,
                "#".repeat(n)
            );
        }

        // The promise: any `MAX + 1` consecutive starts span at least `PER`.
        let tightest = starts
            .windows(MAX + 1)
            .map(|w| w[MAX] - w[0])
            .min()
            .unwrap_or(Duration::MAX);
        let busiest = busiest_window(&starts, PER - SLACK);
        println!(
            "  busiest window of {PER:?} (anywhere, not only on whole seconds): {busiest} starts (max {MAX})"
        );
        println!(
            "  tightest span of {} consecutive starts: {:.1} ms (promised ≥ {} ms)",
            MAX + 1,
            ms(tightest),
            PER.as_millis()
        );

        if starts.len() != CLIENTS * CALLS_EACH {
            problems.push(format!(
                "{} starts, expected {}",
                starts.len(),
                CLIENTS * CALLS_EACH
            ));
        }
        if busiest > MAX {
            problems.push(format!(
                "a window of {PER:?} held {busiest} starts, more than {MAX}"
            ));
        }
        if tightest + SLACK < PER {
            problems.push(format!("{} starts within {tightest:?}", MAX + 1));
        }
        // 48 starts at 10 per second: the 41st cannot start before 4 s.
        let least = PER * ((CLIENTS * CALLS_EACH - 1) / MAX) as u32;
        if let Some(&last) = starts.last()
            && last + SLACK < least
        {
            problems.push(format!("the last start came at {last:?}, before {least:?}"));
        }
        problems
    }

    async fn evenly_spaced() -> Vec<String> {
        let mut problems = Vec::new();
        let limiter = weft::RateLimiter::with_burst(MAX, PER, 1).expect("valid settings");
        let calls = 12;
        println!(
            "RateLimiter::with_burst({MAX}, {PER:?}, 1): 2 clients × {} calls",
            calls / 2
        );
        let starts = run_clients(limiter, 2, calls / 2).await;
        let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        let smallest = gaps.iter().copied().min().unwrap_or_default();
        let spacing = PER / MAX as u32;
        println!(
            "  starts at {:?} ms",
            starts.iter().map(Duration::as_millis).collect::<Vec<_>>()
        );
        println!(
            "  smallest gap {:.1} ms (promised ≥ {} ms)",
            ms(smallest),
            spacing.as_millis()
        );
        if starts.len() != calls {
            problems.push(format!("{} starts, expected {calls}", starts.len()));
        }
        if smallest + SLACK < spacing {
            problems.push(format!("two starts only {smallest:?} apart with burst 1"));
        }
        problems
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    /// The most starts in any window `[t, t + window]` that begins at a start (the busiest
    /// window always can be slid to begin at one).
    fn busiest_window(starts: &[Duration], window: Duration) -> usize {
        starts
            .iter()
            .enumerate()
            .map(|(i, &from)| {
                starts[i..]
                    .iter()
                    .take_while(|&&t| t - from <= window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }
}
