//! The handle of a queued job: await it for the result; dropping it cancels the job.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_channel::oneshot;

use super::{Backend, Payload, WorkerError};

/// Where a job's answer comes from.
pub(super) type ReplyReceiver<B> = oneshot::Receiver<Result<<B as Backend>::Reply, WorkerError>>;

/// A queued job's reply, as the backend gave it; dropping it unfinished cancels the job (its
/// worker sees the receiving end gone).
pub(crate) struct RawJob<B: Backend> {
    receiver: Option<ReplyReceiver<B>>,
}

impl<B: Backend> RawJob<B> {
    pub(super) fn new(receiver: ReplyReceiver<B>) -> Self {
        RawJob {
            receiver: Some(receiver),
        }
    }

    fn is_finished(&self) -> bool {
        self.receiver.is_none()
    }

    /// Lets the job run on: something keeps listening for its answer, so it is not cancelled.
    fn detach(mut self) {
        if let Some(receiver) = self.receiver.take() {
            B::spawn(async move {
                let _ = receiver.await;
            })
            .detach();
        }
    }
}

impl<B: Backend> Future for RawJob<B> {
    type Output = Result<B::Reply, WorkerError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(receiver) = self.receiver.as_mut() else {
            return Poll::Ready(Err(WorkerError::Cancelled)); // polled after it finished
        };
        match Pin::new(receiver).poll(cx) {
            Poll::Ready(reply) => {
                self.receiver = None;
                // Slots always answer; a dropped sender means the pool's tasks are gone.
                Poll::Ready(reply.unwrap_or(Err(WorkerError::Terminated)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The handle of a job queued with [`WorkerPool::submit`](super::WorkerPool::submit); await it for the job's result.
///
/// Dropping it before the job finishes cancels the job: a queued job never starts; a running
/// one is abandoned (in the browser its worker is terminated and replaced; natively its
/// [`CancelToken`](super::CancelToken) is cancelled and its result discarded).
/// [`JobHandle::detach`] lets the job run on with nobody waiting.
///
/// # Examples
///
/// ```
/// weft::func! { fn square(x: u64) -> u64 { x * x } }
///
/// weft::block_on(async {
///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
///     let job: weft::JobHandle<u64> = pool.submit(square, 9).await.unwrap();
///     assert_eq!(job.await, Ok(81));
/// });
/// ```
#[must_use = "dropping a JobHandle cancels its job; call .detach() to let it run"]
pub struct JobHandle<B: Backend, R> {
    raw: RawJob<B>,
    result: PhantomData<fn() -> R>,
}

impl<B: Backend, R> JobHandle<B, R> {
    pub(super) fn new(raw: RawJob<B>) -> Self {
        JobHandle {
            raw,
            result: PhantomData,
        }
    }

    /// Lets the job run to completion with nobody waiting; its result is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn square(x: u64) -> u64 { x * x } }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    ///     pool.submit(square, 2).await.unwrap().detach();
    ///     pool.close().await; // the detached job still ran
    /// });
    /// ```
    pub fn detach(self) {
        self.raw.detach()
    }
}

impl<B: Backend, R: Payload> Future for JobHandle<B, R> {
    type Output = Result<R, WorkerError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.raw).poll(cx).map(|reply| {
            B::unpack::<R>(reply?)
                .into_iter()
                .next()
                .unwrap_or_else(|| {
                    Err(WorkerError::WorkerCrashed(
                        "the worker gave no result".into(),
                    ))
                })
        })
    }
}

impl<B: Backend, R> fmt::Debug for JobHandle<B, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobHandle")
            .field("finished", &self.raw.is_finished())
            .finish()
    }
}
