//! Twin of the "retry with exponential backoff and jitter" demo (tenacity's `@retry`).

// #region demo
use std::time::Duration;
use weft::Jitter;

/// A flaky endpoint: fails `fail_rate` % of the time.
async fn flaky_fetch(fail_rate: f64) -> Result<u16, String> {
    weft::sleep(Duration::from_millis(120)).await;
    if fastrand::f64() * 100.0 < fail_rate {
        return Err("503 Service Unavailable".into());
    }
    Ok(200)
}

/// `count` calls, each retried up to `attempts` tries in all.
pub async fn fetch_all_with_retry(
    count: usize,
    attempts: u32,
    fail_rate: f64,
    min_delay: Duration,
) -> Result<Vec<Result<u16, weft::RetryError<String>>>, weft::ConfigError> {
    let policy = weft::Retry::new()
        .attempts(attempts)
        .min_delay(min_delay)
        .max_delay(Duration::from_secs(2))
        .factor(2.0)
        .jitter(Jitter::Full)
        .build()?;

    let fetch_with_retry = |_call: usize| policy.run(|| flaky_fetch(fail_rate));
    Ok(weft::gather((0..count).map(fetch_with_retry)).await)
}
// #endregion
