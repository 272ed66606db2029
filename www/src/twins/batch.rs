//! Twin of the "batch processing with progress" demo (the seed's `process_batch` with tqdm).

// #region demo
use std::time::Duration;

async fn update_user(user_id: u32, item_ms: u64) -> Result<String, String> {
    weft::sleep(Duration::from_millis(item_ms)).await; // simulate an API call
    Ok(format!("Updated user {user_id}"))
}

/// Every user updated, in batches; `on_progress` gets a report after each batch.
pub async fn update_users(
    users: u32,
    size: usize,
    batches: usize,
    item_ms: u64,
    mut on_progress: impl FnMut(&weft::Progress),
) -> Vec<Result<Vec<String>, String>> {
    let user_ids: Vec<u32> = (1..=users).collect();
    weft::Batch::new(user_ids)
        .size(size)
        .concurrency(batches) // `batches` batches in flight
        .on_progress(|p| on_progress(p)) // done, failed, total, rate, eta
        .run(|ids: Vec<u32>| async move {
            // One batch: its users 10 at a time (the seed's semaphore inside a batch).
            let results = weft::map_concurrent(ids, 10, |id| update_user(id, item_ms))
                .expect("10 is a valid limit")
                .await;
            results.into_iter().collect::<Result<Vec<_>, _>>()
        })
        .await
        .expect("valid batch settings")
}
// #endregion
