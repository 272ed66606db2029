//! The worker pool's native backend: one dedicated thread per worker, direct calls.
//!
//! These threads are not the async executor's nor the blocking-I/O pool's: CPU jobs never
//! starve tasks or blocking I/O. A job is the registered function's direct pointer called on
//! each item; nothing is serialized. Each item's panic is caught, so it fails only that item.
//! A thread takes its jobs from its lane itself, one after the other, and answers each there:
//! the answer goes straight to the caller, and a job waiting behind another costs no hand-off.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, Thread};

use weft_core::offload::{Backend, CancelToken, Func, Lane, Payload, WorkerError, panic_message};

use crate::Native;

/// A job as a CPU thread runs it: calls the function on every item, gives their results.
pub struct NativeCall(Box<dyn FnOnce() -> NativeReply + Send>);

/// What a job gives back: a `Vec<Result<R, WorkerError>>`, typed again by `unpack`.
pub type NativeReply = Box<dyn Any + Send>;

/// One CPU thread of the pool; dropping it lets the thread finish its job and exit.
#[derive(Debug)]
pub struct CpuThread {
    thread: Thread,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for NativeCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NativeCall")
    }
}

impl Drop for CpuThread {
    fn drop(&mut self) {
        // The thread cannot be killed: it finishes the job at hand (whose token the pool has
        // cancelled when abandoned), finds its lane closed or empty and exits.
        self.stop.store(true, Ordering::SeqCst);
        self.thread.unpark();
    }
}

fn cpu_thread(lane: Lane<Native>, stop: Arc<AtomicBool>) {
    let mut next = None;
    loop {
        match next.take().or_else(|| lane.take_head()) {
            Some(job) if job.cancelled => {
                // Its caller gave up while it waited: answer without running it.
                next = lane.answer_then_take(Err(WorkerError::Cancelled));
            }
            Some(job) => {
                let out = job.token.scope(job.call.0);
                next = lane.answer_then_take(Ok(out));
            }
            None if stop.load(Ordering::SeqCst) => return,
            // `post` and `drop` unpark: a wake-up that comes before this park is not lost.
            None => thread::park(),
        }
    }
}

impl Backend for Native {
    type Worker = CpuThread;
    type Call = NativeCall;
    type Reply = NativeReply;

    const DEPTH: usize = 16;

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

    fn can_wait(_call: &NativeCall) -> bool {
        true // a call stays in the lane until the thread takes it
    }

    async fn start_worker(lane: Lane<Native>) -> Result<CpuThread, WorkerError> {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = thread::Builder::new()
            .name(format!("weft-cpu-{n}"))
            .spawn({
                let stop = stop.clone();
                move || cpu_thread(lane, stop)
            })
            .map_err(|e| WorkerError::WorkerCrashed(format!("could not start a thread: {e}")))?;
        Ok(CpuThread {
            thread: thread.thread().clone(),
            stop,
        })
    }

    fn post(worker: &mut CpuThread, _lane: &Lane<Native>) {
        worker.thread.unpark();
    }

    fn skip(_worker: &mut CpuThread, _seq: u64) {
        // The thread looks at each job's caller when it takes the job.
    }

    fn stop_worker(worker: CpuThread, _abandoned: bool) {
        drop(worker);
    }
}
