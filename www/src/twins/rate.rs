//! Twin of the "rate limiter" demo (a `RateLimiter(max_calls, period)` class).

// #region demo
use std::time::Duration;

/// `count` calls, at most `max` starting in any one-second window.
pub async fn api_with_rate_limit(
    count: usize,
    max: usize,
    ms: u64,
) -> Result<Vec<String>, weft::ConfigError> {
    let limiter = weft::RateLimiter::new(max, Duration::from_secs(1))?; // `max` calls per second

    let fetch = |url: String| {
        limiter.run(async move {
            weft::sleep(Duration::from_millis(ms)).await; // starts when the limiter allows it
            url
        })
    };

    let urls = (0..count).map(|i| format!("url{i}"));
    Ok(weft::gather(urls.map(fetch)).await)
}
// #endregion
