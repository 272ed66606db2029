//! Twin of the "process results as they finish" demo (`asyncio.as_completed`).

// #region demo
use std::time::Duration;
use weft::StreamExt;

async fn fetch_with_timeout(url: &'static str, ms: u64) -> (&'static str, u64) {
    weft::sleep(Duration::from_millis(ms)).await; // a response that takes `ms`
    (url, ms)
}

/// The URLs in the order their responses arrived, each with its input index.
pub async fn process_urls_as_completed(
    urls: Vec<(&'static str, u64)>,
) -> Vec<(usize, &'static str)> {
    let tasks = urls
        .into_iter()
        .map(|(url, ms)| fetch_with_timeout(url, ms));

    let mut order = Vec::new();
    let mut completed = weft::as_completed(tasks);
    while let Some((index, (url, _ms))) = completed.next().await {
        order.push((index, url)); // Completed: url in ms
    }
    order
}
// #endregion
