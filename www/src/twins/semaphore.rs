//! Twin of the "limit concurrent operations" demo (`asyncio.Semaphore`).

// #region demo
use std::time::Duration;

/// `count` requests, at most `limit` at once.
pub async fn rate_limited_fetch(count: usize, limit: usize, ms: u64) -> Vec<String> {
    let semaphore = weft::Semaphore::new(limit); // at most `limit` at once

    let fetch_with_limit = |url: String| async {
        let _permit = semaphore.acquire().await; // async with sem:
        weft::sleep(Duration::from_millis(ms)).await; // the request
        url
    }; // the permit is released when `_permit` drops

    let urls = (0..count).map(|i| format!("url{i}"));
    weft::gather(urls.map(fetch_with_limit)).await
}
// #endregion
