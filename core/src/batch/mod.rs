//! Process a list in batches, a few batches at a time, with progress; the seeds'
//! `process_batch(items, batch_size=100, max_concurrent=5)` (and its tqdm progress bar).
//!
//! [`Batch`] cuts the items into batches of `size` (the last may be shorter), calls `f` once per
//! batch with a `Vec` of its items (the bulk API call of the seeds' `api_call(batch)`), and keeps
//! at most `concurrency` batches in flight. Each finished batch reports a [`Progress`] (items
//! done, failed, total, rate, ETA) to the `on_progress` callback; the last report has
//! `done == total`, and there is exactly one such report. Results come back per batch, in input
//! order, whatever order the batches finish in.
//!
//! The generic form names its [`Runtime`](crate::Runtime) (for the clock and the pause between batches); each
//! backend exposes `weft::Batch` and `weft::batch(items, size, concurrency, f)` bound to itself.

mod job;
mod progress;

pub use job::Batch;
pub use progress::Progress;

/// Binds `batch` and `Batch` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_batch {
    ($rt:ty) => {
        /// A batch job on this runtime, configured with builder methods: see [`batch`].
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let mut last = None;
        ///     let out = weft::Batch::new(0..10_u32)
        ///         .size(3)
        ///         .concurrency(2)
        ///         .pause(Duration::from_millis(1))
        ///         .on_progress(|p| last = Some((p.done, p.total)))
        ///         .run(|batch: Vec<u32>| async move { Ok::<_, ()>(vec![batch.iter().sum::<u32>()]) })
        ///         .await
        ///         .unwrap();
        ///     assert_eq!(out, [Ok(vec![3]), Ok(vec![12]), Ok(vec![21]), Ok(vec![9])]);
        ///     assert_eq!(last, Some((10, 10)));
        /// });
        /// ```
        pub type Batch<T, P = fn(&$crate::batch::Progress)> = $crate::batch::Batch<$rt, T, P>;

        /// Runs `f` on `items` in batches of `size`, `concurrency` batches at a time; the seeds'
        /// `process_batch(items, batch_size, max_concurrent)`.
        ///
        /// Gives one `Result` per batch in input order. For progress reports and a pause between
        /// batches use the builder, `Batch::new(items).size(..).on_progress(..).pause(..)`.
        /// `size` or `concurrency` of 0 returns a `ConfigError` and calls nothing. Dropping the
        /// future cancels the batches in flight.
        ///
        /// # Examples
        ///
        /// ```
        /// weft::block_on(async {
        ///     let results = weft::batch(1..=250, 100, 5, |batch: Vec<u32>| async move {
        ///         Ok::<_, String>(batch.into_iter().map(|n| n * 2).collect())
        ///     })
        ///     .await
        ///     .unwrap();
        ///     let flat: Vec<u32> = results.into_iter().collect::<Result<Vec<_>, _>>().unwrap().concat();
        ///     assert_eq!(flat.len(), 250);
        ///     assert_eq!(flat[249], 500);
        ///
        ///     let none = weft::batch(Vec::<u32>::new(), 100, 5, |b: Vec<u32>| async move { Ok::<_, ()>(b) });
        ///     assert_eq!(none.await.unwrap(), []);
        ///     assert!(weft::batch([1], 1, 0, |b: Vec<u8>| async move { Ok::<_, ()>(b) }).await.is_err());
        /// });
        /// ```
        pub async fn batch<T, U, E, F, Fut>(
            items: impl ::core::iter::IntoIterator<Item = T>,
            size: usize,
            concurrency: usize,
            f: F,
        ) -> ::core::result::Result<
            ::std::vec::Vec<::core::result::Result<::std::vec::Vec<U>, E>>,
            $crate::ConfigError,
        >
        where
            F: FnMut(::std::vec::Vec<T>) -> Fut,
            Fut: ::core::future::Future<Output = ::core::result::Result<::std::vec::Vec<U>, E>>,
        {
            Batch::new(items)
                .size(size)
                .concurrency(concurrency)
                .run(f)
                .await
        }
    };
}
