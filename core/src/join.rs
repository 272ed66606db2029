//! `gather!`: await futures of different types concurrently, outputs as a tuple.
//!
//! [`gather()`](crate::gather()) takes many futures of one type; Python's
//! `user, posts = await asyncio.gather(fetch_user(1), fetch_posts(1))` mixes types, which in Rust
//! is a macro. Both run in the awaiting task; the tuple is in argument order.

#[doc(hidden)]
pub use futures_util::future::{MaybeDone, maybe_done};

/// Awaits up to twelve futures of any types concurrently and gives their outputs as a tuple.
///
/// asyncio: `a, b = await asyncio.gather(fa(), fb())`. The total time is that of the slowest
/// future, not the sum. For a collection of same-typed futures use [`gather()`](crate::gather()).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn fetch_user(id: u32) -> String {
///     weft::sleep(Duration::from_millis(50)).await;
///     format!("User{id}")
/// }
/// async fn fetch_posts(_id: u32) -> Vec<u32> {
///     weft::sleep(Duration::from_millis(30)).await;
///     vec![0, 1, 2]
/// }
///
/// weft::block_on(async {
///     let start = weft::now();
///     let (user, posts) = weft::gather!(fetch_user(1), fetch_posts(1)).await;
///     assert_eq!(user, "User1");
///     assert_eq!(posts, [0, 1, 2]);
///     assert!(weft::now() - start < Duration::from_millis(80), "ran concurrently");
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__gather_pair!([$($future),+] [] [_f0 _f1 _f2 _f3 _f4 _f5 _f6 _f7 _f8 _f9 _f10 _f11])
    };
}

/// Pairs each future with a name from the list, then builds the joined future.
#[doc(hidden)]
#[macro_export]
macro_rules! __gather_pair {
    ([$head:expr $(, $rest:expr)*] [$($done:tt)*] [$name:ident $($names:ident)*]) => {
        $crate::__gather_pair!([$($rest),*] [$($done)* ($name, $head)] [$($names)*])
    };
    ([$head:expr $(, $rest:expr)*] [$($done:tt)*] []) => {
        ::core::compile_error!("weft::gather! takes at most twelve futures; use weft::gather for collections")
    };
    ([] [$(($name:ident, $future:expr))*] [$($unused:ident)*]) => {
        async {
            $(
                let mut $name = ::core::pin::pin!($crate::join::maybe_done($future));
            )*
            ::core::future::poll_fn(|cx| {
                let mut all_done = true;
                $(
                    all_done &= ::core::future::Future::poll($name.as_mut(), cx).is_ready();
                )*
                if all_done {
                    ::core::task::Poll::Ready(($(
                        $name.as_mut().take_output().expect("output taken once"),
                    )*))
                } else {
                    ::core::task::Poll::Pending
                }
            })
            .await
        }
    };
}
