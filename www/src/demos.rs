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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn concurrent_takes_the_longest_call_not_the_sum() {
        let cmp = weft::block_on(sequential_vs_concurrent());
        assert!(cmp.sequential >= Duration::from_millis(800));
        assert!(cmp.concurrent >= Duration::from_millis(500));
        assert!(cmp.concurrent < cmp.sequential, "{cmp:?}");
    }
}
