//! The Rust twins of the playground's JavaScript demos: what the page shows next to each
//! listing (the part between `// #region demo` and `// #endregion`). They compile with the
//! crate on both targets and run natively in the tests below, with short delays.

pub mod as_completed;
pub mod batch;
pub mod gather;
pub mod group;
pub mod pipeline;
pub mod pool;
pub mod rate;
pub mod retry;
pub mod semaphore;
pub mod timeout;
pub mod wait;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::time::Duration;

    #[test]
    fn every_twin_gives_the_result_its_demo_shows() {
        weft::block_on(async {
            let (seq, conc, _) = super::gather::compare(50, 30).await;
            assert!(conc < seq);

            let order = super::as_completed::process_urls_as_completed(vec![
                ("https://api1.com", 60),
                ("https://api2.com", 10),
                ("https://api3.com", 30),
            ])
            .await;
            assert_eq!(order.iter().map(|o| o.0).collect::<Vec<_>>(), [1, 2, 0]);

            let (first, done, pending) = super::wait::process_with_timeout(&[10, 200, 300]).await;
            assert_eq!((first.0.as_str(), done, pending), ("url1", 1, 2));

            let err = super::group::process_items(4, 10, Some(1))
                .await
                .unwrap_err();
            assert_eq!(err.failures().len(), 1);
            assert_eq!(
                super::group::process_items(3, 5, None).await.unwrap().len(),
                3
            );

            assert_eq!(super::semaphore::rate_limited_fetch(6, 2, 5).await.len(), 6);
            assert_eq!(
                super::rate::api_with_rate_limit(3, 5, 1)
                    .await
                    .unwrap()
                    .len(),
                3
            );

            let outcomes = super::retry::fetch_all_with_retry(3, 3, 0.0, Duration::from_millis(1))
                .await
                .unwrap();
            assert!(outcomes.iter().all(|o| o.is_ok()));

            let stats = super::pipeline::producer_consumer(8, 2, 2, 1, 5)
                .await
                .unwrap();
            assert_eq!((stats.submitted, stats.done), (8, 8));

            let mut reports = 0;
            let batches = super::batch::update_users(40, 10, 2, 1, |_| reports += 1).await;
            assert_eq!((batches.len(), reports), (4, 4));

            let (results, opened) = super::pool::use_db_pool(6, 2, 5).await;
            assert_eq!(results.len(), 6);
            assert!(opened <= 2);

            let ms = Duration::from_millis;
            let answers = super::timeout::fetch_all(3, ms(50), ms(1), ms(5_000)).await;
            assert_eq!(answers.iter().filter(|a| a.is_none()).count(), 1);
        });
    }
}
