//! Twin of the "sequential vs concurrent" demo (`asyncio.gather`).

// #region demo
use std::time::Duration;

async fn fetch_user(ms: u64) -> String {
    weft::sleep(Duration::from_millis(ms)).await; // simulated API call
    "User1".to_string()
}

async fn fetch_posts(ms: u64) -> Vec<String> {
    weft::sleep(Duration::from_millis(ms)).await;
    (0..3).map(|i| format!("Post {i}")).collect()
}

/// Sequential, then concurrent: the two times and the speedup.
pub async fn compare(user_ms: u64, posts_ms: u64) -> (Duration, Duration, f64) {
    // Sequential: each call waits for the one before.
    let start = weft::now();
    let _user = fetch_user(user_ms).await;
    let _posts = fetch_posts(posts_ms).await;
    let sequential = weft::now() - start;

    // Concurrent: both at once; outputs come back in argument order.
    let start = weft::now();
    let (_user, _posts) = weft::gather!(fetch_user(user_ms), fetch_posts(posts_ms)).await;
    let concurrent = weft::now() - start;

    (
        sequential,
        concurrent,
        sequential.as_secs_f64() / concurrent.as_secs_f64(),
    )
}
// #endregion
