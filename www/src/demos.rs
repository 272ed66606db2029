//! The demos, written against the `weft` facade exactly as a user would.

use std::time::Duration;

/// Simulated API call: the seeds' `fetch_user`, 0.5 s of I/O.
pub async fn fetch_user(user_id: u32) -> String {
    weft::sleep(Duration::from_millis(500)).await;
    format!("User{user_id}")
}

/// Simulated API call: the seeds' `fetch_posts`, 0.3 s of I/O.
pub async fn fetch_posts(_user_id: u32) -> Vec<String> {
    weft::sleep(Duration::from_millis(300)).await;
    (0..3).map(|i| format!("Post {i}")).collect()
}

/// The measured times of the "sequential vs concurrent" demo.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// `fetch_user` then `fetch_posts`, one after the other.
    pub sequential: Duration,
    /// Both at once with `gather!`.
    pub concurrent: Duration,
}

impl Comparison {
    /// How many times faster the concurrent run was.
    pub fn speedup(&self) -> f64 {
        self.sequential.as_secs_f64() / self.concurrent.as_secs_f64()
    }
}

/// The seeds' `compare_performance()`: sequential about 0.8 s, concurrent about 0.5 s, 1.6x.
pub async fn sequential_vs_concurrent() -> Comparison {
    let start = weft::now();
    let _user = fetch_user(1).await;
    let _posts = fetch_posts(1).await;
    let sequential = weft::now() - start;

    let start = weft::now();
    let (_user, _posts) = weft::gather!(fetch_user(1), fetch_posts(1)).await;
    let concurrent = weft::now() - start;

    Comparison {
        sequential,
        concurrent,
    }
}

// #region demo (the playground's "choosing a concurrency model" listing)
weft::func! {
    /// The number of primes in `[start, end)`, by trial division: honest CPU work.
    pub fn count_primes_between(start: u64, end: u64) -> u64 {
        (start.max(2)..end)
            .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
            .count() as u64
    }
}

/// `[0, limit)` cut into `parts` ranges of equal width (the last takes the remainder).
pub fn prime_ranges(limit: u64, parts: u64) -> Vec<(u64, u64)> {
    let parts = parts.max(1);
    let width = limit.div_ceil(parts).max(1);
    (0..parts)
        .map(|i| ((i * width).min(limit), ((i + 1) * width).min(limit)))
        .filter(|(start, end)| start < end)
        .collect()
}

/// How many ranges the "main thread vs worker pool" demo cuts its job into.
pub const PRIME_PARTS: u64 = 32;

/// The primes below `limit`, counted right here: on the page's main thread in the browser,
/// where nothing else (rendering, input, animations) runs until it returns.
pub fn count_primes_here(limit: u64) -> u64 {
    prime_ranges(limit, PRIME_PARTS)
        .into_iter()
        .map(|range| count_primes_between.call(range))
        .sum()
}

/// The primes below `limit`, counted on the pool's workers: the same function, the same
/// ranges, on other cores, while this thread stays free.
pub async fn count_primes_on(
    pool: &weft::WorkerPool,
    limit: u64,
) -> Result<u64, weft::WorkerError> {
    let counts = pool
        .map(count_primes_between, prime_ranges(limit, PRIME_PARTS))
        .await?;
    Ok(counts.into_iter().sum())
}
// #endregion

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_pool_and_this_thread_count_the_same_primes() {
        assert_eq!(count_primes_here(100), 25);
        assert_eq!(prime_ranges(10, 3), [(0, 4), (4, 8), (8, 10)]);
        assert_eq!(prime_ranges(2, 32), [(0, 1), (1, 2)]);
        let pool = weft::WorkerPool::builder().size(2).build().unwrap();
        let on_pool = weft::block_on(count_primes_on(&pool, 200_000)).unwrap();
        assert_eq!(on_pool, count_primes_here(200_000));
        assert_eq!(on_pool, 17_984);
    }

    #[test]
    fn concurrent_takes_the_longest_call_not_the_sum() {
        let cmp = weft::block_on(sequential_vs_concurrent());
        assert!(cmp.sequential >= Duration::from_millis(800));
        assert!(cmp.concurrent >= Duration::from_millis(500));
        assert!(cmp.concurrent < cmp.sequential, "{cmp:?}");
    }
}
