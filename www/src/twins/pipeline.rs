//! Twin of the "producer / consumer" demo (`asyncio.Queue(maxsize)` and worker tasks).

// #region demo
use std::time::Duration;

/// The pipeline's counts once every item is done.
pub async fn producer_consumer(
    items: usize,
    workers: usize,
    capacity: usize,
    produce_ms: u64,
    consume_ms: u64,
) -> Result<weft::Stats<String>, weft::ConfigError> {
    // The consumers: `workers` tasks taking items off a queue of `capacity`.
    let pipe = weft::pipeline(workers, capacity, move |_item: String| async move {
        weft::sleep(Duration::from_millis(consume_ms)).await; // process the item
        Ok::<(), String>(())
    })?;

    // The producer: makes an item every `produce_ms`; submit waits while the queue is full.
    for i in 0..items {
        weft::sleep(Duration::from_millis(produce_ms)).await;
        pipe.submit(format!("item{i}"))
            .await
            .expect("open until join");
    }

    // Close the queue, let the workers drain it, and count.
    Ok(pipe.join().await) // Stats { submitted, done, failed, errors, .. }
}
// #endregion
