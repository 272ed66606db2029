//! One worker's task: takes jobs from the pool's queue and runs them on its worker, with the
//! job's timeout, cancellation and the pool's termination raced against the work.

use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use event_listener::Event;
use futures_lite::future;

use super::{Backend, CancelToken, WorkerError};

/// A job waiting in the queue or running.
pub(super) struct Job<B: Backend> {
    pub(super) call: B::Call,
    pub(super) token: CancelToken,
    pub(super) reply: async_channel::Sender<Result<B::Reply, WorkerError>>,
}

/// How many slot tasks are still running, and who waits for none to be.
pub(super) struct Slots {
    live: AtomicUsize,
    stopped: Event,
}

impl Slots {
    pub(super) fn new(live: usize) -> Self {
        Slots {
            live: AtomicUsize::new(live),
            stopped: Event::new(),
        }
    }

    /// Waits until every slot task has ended.
    pub(super) async fn all_stopped(&self) {
        loop {
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            let listener = self.stopped.listen();
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            listener.await;
        }
    }
}

/// Marks a slot task as stopped when it ends, however it ends.
struct SlotCount(Arc<Slots>);

impl Drop for SlotCount {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.stopped.notify(usize::MAX);
        }
    }
}

/// One worker's task: takes jobs from the queue and runs them on its worker, one at a time.
pub(super) struct Slot<B: Backend> {
    queue: async_channel::Receiver<Job<B>>,
    job_timeout: Option<Duration>,
    terminate: CancelToken,
    _count: SlotCount,
}

enum Outcome<T> {
    Done(T),
    TimedOut(Duration),
    Cancelled,
    Terminated,
}

impl<B: Backend> Slot<B> {
    pub(super) fn new(
        queue: async_channel::Receiver<Job<B>>,
        job_timeout: Option<Duration>,
        terminate: CancelToken,
        slots: Arc<Slots>,
    ) -> Self {
        Slot {
            queue,
            job_timeout,
            terminate,
            _count: SlotCount(slots),
        }
    }

    pub(super) async fn run(self) {
        let mut worker = self.start().await.and_then(Result::ok);
        loop {
            // `terminate` closes the queue too, so this wakes up for it.
            let Ok(job) = self.queue.recv().await else {
                break;
            };
            if self.terminate.is_cancelled() {
                let _ = job.reply.try_send(Err(WorkerError::Terminated));
                break;
            }
            if job.token.is_cancelled() {
                continue; // its handle is gone: nobody waits for the answer
            }
            let mut current = match worker.take() {
                Some(current) => current,
                None => match self.start().await {
                    Some(Ok(started)) => started,
                    Some(Err(e)) => {
                        let _ = job.reply.try_send(Err(e));
                        continue;
                    }
                    None => {
                        let _ = job.reply.try_send(Err(WorkerError::Terminated));
                        break;
                    }
                },
            };
            let outcome = self.execute(&mut current, job.call, &job.token).await;
            let (answer, healthy) = match outcome {
                Outcome::Done(Ok(reply)) => (Ok(reply), true),
                Outcome::Done(Err(e)) => (Err(e), false),
                Outcome::TimedOut(limit) => (Err(WorkerError::Timeout(limit)), false),
                Outcome::Cancelled => (Err(WorkerError::Cancelled), false),
                Outcome::Terminated => (Err(WorkerError::Terminated), false),
            };
            if healthy {
                worker = Some(current);
            } else {
                job.token.cancel();
                B::stop_worker(current, true);
            }
            let _ = job.reply.try_send(answer);
            if self.terminate.is_cancelled() {
                break;
            }
            if worker.is_none() {
                // Replace the abandoned worker now, so the next job does not wait for it.
                worker = self.start().await.and_then(Result::ok);
            }
        }
        if let Some(worker) = worker {
            B::stop_worker(worker, false);
        }
        // Terminated: whatever is still queued fails instead of waiting forever.
        while let Ok(job) = self.queue.try_recv() {
            let _ = job.reply.try_send(Err(WorkerError::Terminated));
        }
    }

    /// Starts a worker, unless the pool is terminated first (`None`).
    async fn start(&self) -> Option<Result<B::Worker, WorkerError>> {
        future::or(async { Some(B::start_worker().await) }, async {
            self.terminate.cancelled().await;
            None
        })
        .await
        .filter(|_| !self.terminate.is_cancelled())
    }

    async fn execute(
        &self,
        worker: &mut B::Worker,
        call: B::Call,
        token: &CancelToken,
    ) -> Outcome<Result<B::Reply, WorkerError>> {
        let work = async { Outcome::Done(B::execute(worker, call, token).await) };
        let timer = async {
            match self.job_timeout {
                Some(limit) => {
                    B::sleep(limit).await;
                    Outcome::TimedOut(limit)
                }
                None => future::pending().await,
            }
        };
        let cancelled = async {
            token.cancelled().await;
            Outcome::Cancelled
        };
        let terminated = async {
            self.terminate.cancelled().await;
            Outcome::Terminated
        };
        future::or(work, future::or(timer, future::or(cancelled, terminated))).await
    }
}
