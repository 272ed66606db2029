//! The worker pool's native backend: one dedicated thread per worker, direct calls.
//!
//! These threads are not the async executor's nor the blocking-I/O pool's: CPU jobs never
//! starve tasks or blocking I/O. A job is the registered function's direct pointer called on
//! each item; nothing is serialized. Each item's panic is caught, so it fails only that item.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use weft_core::offload::{Backend, CancelToken, Func, Payload, WorkerError, panic_message};

use crate::Native;

/// A job as a CPU thread runs it: calls the function on every item, gives their results.
pub struct NativeCall(Box<dyn FnOnce() -> NativeReply + Send>);

/// What a job gives back: a `Vec<Result<R, WorkerError>>`, typed again by `unpack`.
pub type NativeReply = Box<dyn Any + Send>;

type Work = (NativeCall, CancelToken, async_channel::Sender<NativeReply>);

/// One CPU thread of the pool; dropping it lets the thread finish its job and exit.
#[derive(Debug)]
pub struct CpuThread {
    jobs: mpsc::Sender<Work>,
}

impl std::fmt::Debug for NativeCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NativeCall")
    }
}

fn cpu_thread(jobs: mpsc::Receiver<Work>) {
    // Ends when the pool drops its sender: after the job at hand, abandoned or not.
    while let Ok((NativeCall(call), token, reply)) = jobs.recv() {
        let out = token.scope(call);
        let _ = reply.try_send(out);
    }
}

impl Backend for Native {
    type Worker = CpuThread;
    type Call = NativeCall;
    type Reply = NativeReply;

    fn default_size() -> usize {
        thread::available_parallelism().map_or(1, usize::from)
    }

    fn prepare<A, R>(func: Func<A, R>, items: Vec<A>) -> Result<NativeCall, WorkerError>
    where
        A: Payload + Send,
        R: Payload + Send,
    {
        Ok(NativeCall(Box::new(move || {
            let token = CancelToken::current();
            let mut results: Vec<Result<R, WorkerError>> = Vec::with_capacity(items.len());
            for item in items {
                if token.is_cancelled() {
                    // Abandoned: nobody reads the rest, so do not compute it.
                    results.push(Err(WorkerError::Cancelled));
                    continue;
                }
                let result = catch_unwind(AssertUnwindSafe(|| func.call(item)));
                results.push(result.map_err(|p| WorkerError::Panicked(panic_message(&*p))));
            }
            Box::new(results)
        })))
    }

    fn unpack<R: Payload>(reply: NativeReply) -> Vec<Result<R, WorkerError>> {
        match reply.downcast::<Vec<Result<R, WorkerError>>>() {
            Ok(results) => *results,
            Err(_) => vec![Err(WorkerError::Payload(
                "the worker's result has another type".into(),
            ))],
        }
    }

    async fn start_worker() -> Result<CpuThread, WorkerError> {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let (jobs, receiver) = mpsc::channel();
        thread::Builder::new()
            .name(format!("weft-cpu-{n}"))
            .spawn(move || cpu_thread(receiver))
            .map_err(|e| WorkerError::WorkerCrashed(format!("could not start a thread: {e}")))?;
        Ok(CpuThread { jobs })
    }

    async fn execute(
        worker: &mut CpuThread,
        call: NativeCall,
        token: &CancelToken,
    ) -> Result<NativeReply, WorkerError> {
        let (reply, answer) = async_channel::bounded(1);
        let crashed = || WorkerError::WorkerCrashed("the worker thread stopped".into());
        worker
            .jobs
            .send((call, token.clone(), reply))
            .map_err(|_| crashed())?;
        answer.recv().await.map_err(|_| crashed())
    }

    fn stop_worker(worker: CpuThread, _abandoned: bool) {
        // The thread cannot be killed: it finishes the job at hand (whose token the pool has
        // cancelled when abandoned), finds its queue closed and exits.
        drop(worker);
    }
}
