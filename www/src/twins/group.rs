//! Twin of the "TaskGroup: one failure cancels the siblings" demo (`asyncio.TaskGroup`).

// #region demo
use std::time::Duration;

/// Every child's output in spawn order, or the group's error listing every failure.
pub async fn process_items(
    count: usize,
    ms: u64,
    fail_at: Option<usize>,
) -> Result<Vec<String>, weft::GroupError<String>> {
    let group = weft::TaskGroup::new();
    for i in 0..count {
        group.spawn(async move {
            // Each item takes a little longer than the one before.
            weft::sleep(Duration::from_millis(ms * (2 + i as u64) / 2)).await;
            if Some(i) == fail_at {
                return Err(format!("item {i} failed"));
            }
            Ok(format!("processed_{i}"))
        });
    }
    // The first failure cancels the siblings still running; join reports every failure.
    group.join().await
}
// #endregion
