//! Take the first future to finish, or the first to succeed, and cancel the rest.
//!
//! [`race()`] is `asyncio.wait(aws, return_when=FIRST_COMPLETED)` followed by cancelling the
//! pending ones (JavaScript's `Promise.race`); [`first_ok()`] is `Promise.any`: the first `Ok`
//! wins, and only if every future fails do you get the errors, all of them.
//!
//! The losers are dropped (cancelled) the moment the winner is known, not when the caller gets
//! round to it. Both are plain futures: they need no runtime and work under any executor.

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::gather::{Indexed, indexed_set};

/// Runs every future concurrently; the first to finish wins and the others are cancelled.
///
/// The output is `Some((index, output))` of the winner, `index` being its position in the input.
/// Every other future is dropped (cancelled) before the output is returned. If several are ready
/// on the same poll, the one polled first wins.
///
/// - Empty input gives `None` at once. (JavaScript's `Promise.race([])` waits forever; an
///   unbounded wait is never what a caller wants, so weft says "no winner" instead.)
/// - Dropping the race drops every future.
/// - An error is an output like any other: a future returning `Err` first wins the race. Use
///   [`first_ok()`] to skip failures.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let mirrors = [300_u64, 20, 100].map(|ms| async move {
///         weft::sleep(Duration::from_millis(ms)).await;
///         format!("answer after {ms} ms")
///     });
///     let winner = weft::race(mirrors).await;
///     assert_eq!(winner, Some((1, "answer after 20 ms".to_string())));
///
///     let nobody = weft::race(Vec::<std::future::Ready<u8>>::new()).await;
///     assert_eq!(nobody, None);
/// });
/// ```
pub fn race<I>(futures: I) -> Race<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    Race {
        pending: indexed_set(futures),
    }
}

/// Future returned by [`race()`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Race<F> {
    pending: FuturesUnordered<Indexed<F>>,
}

impl<F> Unpin for Race<F> {}

impl<F: Future> Future for Race<F> {
    type Output = Option<(usize, F::Output)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.pending.poll_next_unpin(cx) {
            Poll::Ready(winner) => {
                // Cancel the losers now, not when the caller drops the race.
                self.pending.clear();
                Poll::Ready(winner)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F> fmt::Debug for Race<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Race")
            .field("pending", &self.pending.len())
            .finish()
    }
}

/// Runs every future concurrently; the first `Ok` wins and the others are cancelled.
///
/// Gives `Ok((index, value))` of the first future to succeed, `index` being its position in the
/// input; every other future is dropped (cancelled) at that moment. Failures are set aside while
/// others still run. If every future fails, the output is `Err` with every error **in input
/// order** (not finish order), so `errors[i]` is the error of the `i`-th future.
///
/// - Empty input gives `Err(vec![])` at once: nothing succeeded.
/// - Dropping the future drops every future still running.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// weft::block_on(async {
///     // The fast mirror is down; the next fastest answers.
///     let mirrors = [(40_u64, true), (5, false), (80, true)].map(|(ms, up)| async move {
///         weft::sleep(Duration::from_millis(ms)).await;
///         if up { Ok(ms) } else { Err(format!("mirror down after {ms} ms")) }
///     });
///     assert_eq!(weft::first_ok(mirrors).await, Ok((0, 40)));
///
///     // All down: every error, in input order.
///     let down = [20_u64, 10].map(|ms| async move {
///         weft::sleep(Duration::from_millis(ms)).await;
///         Err::<(), _>(ms)
///     });
///     assert_eq!(weft::first_ok(down).await, Err(vec![20, 10]));
///
///     let none = Vec::<std::future::Ready<Result<(), String>>>::new();
///     assert_eq!(weft::first_ok(none).await, Err(vec![]));
/// });
/// ```
pub fn first_ok<I, T, E>(futures: I) -> FirstOk<<I::Item as IntoFuture>::IntoFuture, E>
where
    I: IntoIterator,
    I::Item: IntoFuture<Output = Result<T, E>>,
{
    let pending = indexed_set(futures);
    let errors = (0..pending.len()).map(|_| None).collect();
    FirstOk { pending, errors }
}

/// Future returned by [`first_ok()`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct FirstOk<F, E> {
    pending: FuturesUnordered<Indexed<F>>,
    errors: Vec<Option<E>>,
}

impl<F, E> Unpin for FirstOk<F, E> {}

impl<F, T, E> Future for FirstOk<F, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<(usize, T), Vec<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            match this.pending.poll_next_unpin(cx) {
                Poll::Ready(Some((index, Ok(value)))) => {
                    this.pending.clear();
                    this.errors.clear();
                    return Poll::Ready(Ok((index, value)));
                }
                Poll::Ready(Some((index, Err(error)))) => this.errors[index] = Some(error),
                Poll::Ready(None) => {
                    let errors = std::mem::take(&mut this.errors);
                    return Poll::Ready(Err(errors.into_iter().flatten().collect()));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<F, E> fmt::Debug for FirstOk<F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FirstOk")
            .field("pending", &self.pending.len())
            .field(
                "failed",
                &self.errors.iter().filter(|e| e.is_some()).count(),
            )
            .finish()
    }
}
