//! `pool.map` against rayon's `par_iter` on the same CPU job, same thread count. Prints the
//! figures; asserts nothing (`cargo xtask bench-pool` runs it with the browser figures).

use std::time::{Duration, Instant};

use rayon::prelude::*;

weft::func! {
    /// The number of primes in `[start, end)`, by trial division.
    fn count_primes_between(start: u64, end: u64) -> u64 {
        (start.max(2)..end)
            .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
            .count() as u64
    }
}

const ITEMS: u64 = 2_000;
const WIDTH: u64 = 2_000;
const RUNS: usize = 7;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let ranges: Vec<(u64, u64)> = (0..ITEMS).map(|i| (i * WIDTH, (i + 1) * WIDTH)).collect();
    let pool = weft::WorkerPool::builder()
        .size(threads)
        .build()
        .expect("pool");
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool");

    let with_pool = || weft::block_on(pool.map(count_primes_between, ranges.clone())).expect("map");
    let with_rayon = || {
        rayon.install(|| {
            ranges
                .par_iter()
                .map(|&range| count_primes_between.call(range))
                .collect::<Vec<u64>>()
        })
    };
    assert_eq!(with_pool(), with_rayon(), "both count the same primes");

    let (mut pool_times, mut rayon_times) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(with_pool());
        pool_times.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(with_rayon());
        rayon_times.push(start.elapsed());
    }
    let (ours, theirs) = (median(pool_times), median(rayon_times));
    println!(
        "native: pool.map vs rayon par_iter ({ITEMS} items, primes below {}, {threads} threads, median of {RUNS}): \
         pool {:.1} ms, rayon {:.1} ms -> {:.3}x rayon's time (goal <= 1.05x)",
        ITEMS * WIDTH,
        ours.as_secs_f64() * 1e3,
        theirs.as_secs_f64() * 1e3,
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}
