//! `scope`: a task group as one call, `async with asyncio.TaskGroup() as tg:`.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::{GroupError, GroupHandle, Join, TaskGroup};
use crate::runtime::{MaybeSend, Runtime};

/// Runs `body` with a new group's handle, then joins the group, on runtime `R`.
///
/// `weft::scope(|group| async move { .. })` on each backend. The body runs in the awaiting task
/// (it may borrow); the children it spawns run as tasks. When the body ends the scope waits for
/// every child: the output is their `T`s in spawn order, or a [`GroupError`] with every failure.
///
/// - A failing child cancels its siblings and the body (the body is dropped), as Python cancels
///   the `async with` block.
/// - Dropping the scope drops the body and cancels every child.
/// - A body that spawns nothing gives `Ok(vec![])`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft::testing::{self, VirtualRuntime};
/// use weft_core::group::scope;
///
/// let (out, took) = testing::run(async {
///     let start = testing::now();
///     let out = scope::<VirtualRuntime, _, String, _, _>(|group| async move {
///         for s in [3_u64, 1, 2] {
///             group.spawn(async move {
///                 testing::sleep(Duration::from_secs(s)).await;
///                 Ok(s)
///             });
///         }
///     })
///     .await;
///     (out, testing::now() - start)
/// });
/// assert_eq!(out, Ok(vec![3, 1, 2]));
/// assert_eq!(took, Duration::from_secs(3));
/// ```
pub fn scope<R, T, E, F, B>(body: F) -> Scope<R, T, E, B>
where
    R: Runtime,
    T: MaybeSend + 'static,
    E: MaybeSend + 'static,
    F: FnOnce(GroupHandle<R, T, E>) -> B,
    B: Future<Output = ()>,
{
    let group = TaskGroup::new();
    let body = body(group.handle());
    Scope {
        body: Some(body),
        join: group.join(),
    }
}

pin_project_lite::pin_project! {
    /// Future of [`scope()`]: the body, then the group's join.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Scope<R: Runtime, T, E, B> {
        #[pin]
        body: Option<B>,
        join: Join<R, T, E>,
    }
}

impl<R: Runtime, T, E, B: Future<Output = ()>> Future for Scope<R, T, E, B> {
    type Output = Result<Vec<T>, GroupError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Some(body) = this.body.as_mut().as_pin_mut() {
            // Checked (and our waker registered) before the body runs, so a failure while it
            // runs wakes us; a failed group cancels the body, as asyncio cancels the block.
            if this.join.shared().poll_failed(cx) || body.poll(cx).is_ready() {
                this.body.set(None);
            } else {
                return Poll::Pending;
            }
        }
        Pin::new(this.join).poll(cx)
    }
}

impl<R: Runtime, T, E, B> fmt::Debug for Scope<R, T, E, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("body_running", &self.body.is_some())
            .field("join", &self.join)
            .finish()
    }
}
