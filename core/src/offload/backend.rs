//! The seam between the worker pool and what runs its jobs: CPU threads natively, Web Workers
//! in the browser.

use core::future::Future;

use super::{CancelToken, Func, Payload, WorkerError};
use crate::runtime::{MaybeSend, Runtime};

/// What a backend provides so that [`WorkerPool`](super::WorkerPool) can run jobs on it.
///
/// The pool (in core) owns the job queue, ordering, chunking, progress, timeouts and
/// cancellation; a backend owns only workers: how to start one, how to run one job on it, and
/// how to stop it. A job is one call of a registered function on a list of items (one item for
/// `run`, a chunk for `map`), prepared on the caller's side ([`Backend::prepare`]) and turned
/// back into typed results there ([`Backend::unpack`]): natively the pool passes values and
/// calls the direct function pointer, in the browser it encodes [`Payload`]s.
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
/// ```
pub trait Backend: Runtime {
    /// One worker: a thread natively, a Web Worker in the browser.
    type Worker: MaybeSend + 'static;
    /// A prepared job: the function and its items, in the form this backend's workers take.
    type Call: MaybeSend + 'static;
    /// A job's raw outcome, one entry per item, as the worker gave it back.
    type Reply: MaybeSend + 'static;

    /// The pool size when the builder is given none: the number of cores.
    fn default_size() -> usize;

    /// Prepares a job calling `func` on each of `items`, on the caller's side.
    fn prepare<A, R>(func: Func<A, R>, items: Vec<A>) -> Result<Self::Call, WorkerError>
    where
        A: Payload + MaybeSend,
        R: Payload + MaybeSend;

    /// Turns a reply into one typed result per item, in item order.
    fn unpack<R: Payload>(reply: Self::Reply) -> Vec<Result<R, WorkerError>>;

    /// Starts a worker; must finish (or fail) within a bounded time.
    fn start_worker() -> impl Future<Output = Result<Self::Worker, WorkerError>> + MaybeSend;

    /// Runs one job on `worker`.
    ///
    /// A failure of one item (a panic) is that item's entry in the reply; `Err` means the whole
    /// job failed. The pool may drop this future at any time (timeout, cancellation,
    /// termination); it then calls [`Backend::stop_worker`] with `abandoned = true` and never
    /// uses the worker again. `token` is cancelled by the pool in that case, before the call.
    fn execute<'a>(
        worker: &'a mut Self::Worker,
        call: Self::Call,
        token: &'a CancelToken,
    ) -> impl Future<Output = Result<Self::Reply, WorkerError>> + MaybeSend + 'a;

    /// Stops `worker`: gracefully when idle, or `abandoned` in the middle of a job whose result
    /// nobody will read (the browser terminates the worker; natively the thread finishes its
    /// job, whose result is discarded, then exits).
    fn stop_worker(worker: Self::Worker, abandoned: bool);
}
