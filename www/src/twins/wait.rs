//! Twin of the "wait for the first, cancel the rest" demo (`asyncio.wait(FIRST_COMPLETED)`).

// #region demo
use std::time::Duration;
use weft::ReturnWhen;

async fn fetch_with_timeout(url: String, ms: u64) -> (String, u64) {
    weft::sleep(Duration::from_millis(ms)).await;
    (url, ms)
}

/// The first result, and how many were done and pending when it came.
pub async fn process_with_timeout(delays: &[u64]) -> ((String, u64), usize, usize) {
    let tasks = delays
        .iter()
        .enumerate()
        .map(|(i, &ms)| weft::spawn(fetch_with_timeout(format!("url{}", i + 1), ms)));

    // Wait for the first completion; nothing is cancelled by wait itself.
    let waited = weft::wait(tasks, ReturnWhen::FirstCompleted, None).await;
    let (done, pending) = (waited.done.len(), waited.pending.len());

    // Cancel the remaining tasks: `cancel().await` returns once each has stopped.
    for (_index, task) in waited.pending {
        task.cancel().await;
    }

    let (_index, first) = waited.done.into_iter().next().expect("one finished");
    (
        first.expect("a spawned task that did not panic"),
        done,
        pending,
    )
}
// #endregion
