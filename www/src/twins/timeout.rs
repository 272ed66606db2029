//! Twin of the "timeout" demo (`asyncio.timeout`, `asyncio.wait_for`).

// #region demo
use std::time::Duration;

async fn fetch_data(url: String, fast: Duration, slow: Duration) -> String {
    weft::sleep(if url.ends_with("/slow") { slow } else { fast }).await;
    format!("data from {url}")
}

/// Each answer, or `None` for a request that ran past `limit` (and was dropped there).
pub async fn fetch_all(
    count: usize,
    limit: Duration,
    fast: Duration,
    slow: Duration,
) -> Vec<Option<String>> {
    let fetch_with_timeout = |url: String| async move {
        // Ok(data), or Err(Elapsed) once the request is dropped at the limit.
        weft::timeout(limit, fetch_data(url, fast, slow)).await.ok()
    };
    // Every third request is slow.
    let urls = (0..count).map(|i| format!("/api/{i}{}", if i % 3 == 2 { "/slow" } else { "" }));
    weft::gather(urls.map(fetch_with_timeout)).await
}
// #endregion
