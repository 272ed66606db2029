//! The seam between the worker pool and what runs its jobs: CPU threads natively, Web Workers
//! in the browser.

use core::future::Future;

use super::{Func, Lane, Payload, WorkerError};
use crate::runtime::{MaybeSend, Runtime};

/// What a backend provides so that [`WorkerPool`](super::WorkerPool) can run jobs on it.
///
/// The pool (in core) owns the job queue, ordering, chunking, progress, timeouts and
/// cancellation; a backend owns only workers: how to start one, how to hand it jobs, and how to
/// stop it. A job is one call of a registered function on a list of items (one item for `run`,
/// a chunk for `map`), prepared on the caller's side ([`Backend::prepare`]) and turned back into
/// typed results there ([`Backend::unpack`]): natively the pool passes values and calls the
/// direct function pointer, in the browser it encodes [`Payload`]s.
///
/// Each worker has a [`Lane`]: the jobs the pool gave it, in order. A worker runs them one after
/// the other and answers each through the lane, which hands the answer straight to the job's
/// caller. The pool may give a worker up to [`Backend::DEPTH`] jobs at once (pipelining: a job
/// waits on the worker instead of in the queue, so tiny jobs do not each pay a round trip). A
/// job counts as started when the one before it is answered; its timeout counts from then.
/// A job that times out is told so at once; its worker is abandoned only if the job has not
/// answered within a short grace period (until then an answer may be on its way).
///
/// Implemented by `weft_native::Native` (one thread per worker) and `weft_web::Browser` (one
/// module Web Worker per worker).
///
/// # Examples
///
/// ```
/// use weft::offload::Backend;
///
/// // The pool of the current target sizes itself from its backend.
/// assert!(<weft::DefaultRuntime as Backend>::default_size() >= 1);
/// assert!(<weft::DefaultRuntime as Backend>::DEPTH >= 1);
/// ```
pub trait Backend: Runtime + Sized {
    /// One worker: a thread natively, a Web Worker in the browser.
    type Worker: MaybeSend + 'static;
    /// A prepared job: the function and its items, in the form this backend's workers take.
    type Call: MaybeSend + 'static;
    /// A job's raw outcome, one entry per item, as the worker gave it back.
    type Reply: MaybeSend + 'static;

    /// The most jobs one worker holds at once, the running one included (1: no pipelining).
    const DEPTH: usize;

    /// The pool size when the builder is given none: the number of cores.
    fn default_size() -> usize;

    /// Prepares a job calling `func` on each of `items`, on the caller's side.
    fn prepare<A, R>(func: Func<A, R>, items: Vec<A>) -> Result<Self::Call, WorkerError>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend;

    /// Turns a reply into one typed result per item, in item order.
    fn unpack<R: Payload>(reply: Self::Reply) -> Vec<Result<R, WorkerError>>;

    /// Whether `call` may wait on a busy worker behind other jobs.
    ///
    /// A waiting job stays in the lane until it starts, so that if its worker is abandoned
    /// first (a timeout, a crash) it runs on the replacement instead. A call that the backend
    /// can hand to a worker only once (the browser moves large buffers instead of copying them)
    /// says no: the pool gives it to a worker only when that worker is idle.
    fn can_wait(call: &Self::Call) -> bool;

    /// Starts a worker that answers its jobs through `lane`; must finish (or fail) within a
    /// bounded time.
    fn start_worker(
        lane: Lane<Self>,
    ) -> impl Future<Output = Result<Self::Worker, WorkerError>> + MaybeSend;

    /// Tells `worker` that its lane has new jobs at the back (see [`Lane::unposted`]).
    fn post(worker: &mut Self::Worker, lane: &Lane<Self>);

    /// Tells `worker` that the job numbered `seq` in its lane, still waiting, was cancelled: it
    /// should not start it. The worker must still answer it (with anything: the answer is
    /// dropped), so the lane's answers stay in order.
    ///
    /// A worker that is sent its jobs must not start a job behind one that ran for a millisecond
    /// or more until the pool has read that one's answer (the browser's worker waits for the
    /// page's word). The pool relies on it twice: a skip sent while that job ran arrives in time,
    /// and when the pool gives up on a running job and its worker does not answer within a grace
    /// period, the jobs behind it have not started, so they run on the next worker, once.
    fn skip(worker: &mut Self::Worker, seq: u64);

    /// Stops `worker`: gracefully when idle, or `abandoned` in the middle of a job whose result
    /// nobody will read (the browser terminates the worker; natively the thread finishes its
    /// job, whose result is discarded, then exits). Its lane is closed first: later answers are
    /// ignored.
    fn stop_worker(worker: Self::Worker, abandoned: bool);
}
