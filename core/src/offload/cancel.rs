//! A flag a long job checks to stop early, set when its caller no longer wants the result.

use core::fmt;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use event_listener::Event;

/// A cancellation flag shared by a job and whoever waits for it.
///
/// A native thread cannot be killed, so when a job on the worker pool times out or its handle is
/// dropped, the pool cancels the job's token, discards its result and moves on. A job that runs
/// for long should look at [`CancelToken::current`] now and then and return early once it is
/// cancelled; a job that never looks keeps its thread busy until it returns (the pool starts a
/// replacement thread meanwhile, so the pool's capacity is kept).
///
/// In the browser a timed-out or cancelled job's worker is terminated instead, so there the
/// token inside a job is never cancelled: checking it is harmless and portable.
///
/// Cloning a token gives another handle to the same flag. Cancelling is idempotent.
///
/// # Examples
///
/// ```
/// use weft::CancelToken;
///
/// let token = CancelToken::new();
/// let seen_by_job = token.clone();
/// assert!(!seen_by_job.is_cancelled());
/// token.cancel();
/// assert!(seen_by_job.is_cancelled());
///
/// // Outside a pool job, the current token is a fresh one that nobody cancels.
/// assert!(!CancelToken::current().is_cancelled());
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    event: Event,
}

thread_local! {
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

impl CancelToken {
    /// A token that is not cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!weft::CancelToken::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Sets the flag and wakes everyone waiting in [`CancelToken::cancelled`].
    ///
    /// # Examples
    ///
    /// ```
    /// let token = weft::CancelToken::new();
    /// token.cancel();
    /// token.cancel(); // idempotent
    /// assert!(token.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        if !self.inner.cancelled.swap(true, Ordering::SeqCst) {
            self.inner.event.notify(usize::MAX);
        }
    }

    /// Whether [`CancelToken::cancel`] has been called on this token or a clone of it.
    ///
    /// One atomic load: cheap enough to call in a job's inner loop.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = weft::CancelToken::new();
    /// assert!(!token.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Relaxed)
    }

    /// Waits until the token is cancelled; ready at once if it already is.
    ///
    /// Dropping the future stops waiting and changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let token = weft::CancelToken::new();
    ///     let setter = token.clone();
    ///     weft::spawn(async move { setter.cancel() }).detach();
    ///     token.cancelled().await;
    ///     assert!(token.is_cancelled());
    /// });
    /// ```
    pub async fn cancelled(&self) {
        loop {
            if self.inner.cancelled.load(Ordering::SeqCst) {
                return;
            }
            let listener = self.inner.event.listen();
            if self.inner.cancelled.load(Ordering::SeqCst) {
                return;
            }
            listener.await;
        }
    }

    /// The token of the pool job running on this thread; outside a job, a fresh token that is
    /// never cancelled.
    ///
    /// Clone it once at the top of a long job and check [`CancelToken::is_cancelled`] in its
    /// loop. Natively the pool sets it around every job it runs on a CPU thread; in the browser
    /// the pool terminates a worker instead, so there it is never cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! {
    ///     /// Sums 0..n, giving up early (with what it has) once its job is cancelled.
    ///     fn patient_sum(n: u64) -> u64 {
    ///         let token = weft::CancelToken::current();
    ///         let mut total = 0;
    ///         for i in 0..n {
    ///             if i % 1024 == 0 && token.is_cancelled() {
    ///                 break;
    ///             }
    ///             total += i;
    ///         }
    ///         total
    ///     }
    /// }
    ///
    /// weft::block_on(async {
    ///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
    ///     assert_eq!(pool.run(patient_sum, 10).await, Ok(45));
    /// });
    /// ```
    pub fn current() -> CancelToken {
        CURRENT
            .with(|current| current.borrow().clone())
            .unwrap_or_default()
    }

    /// Makes this token [`CancelToken::current`] on this thread while `f` runs.
    ///
    /// Backends call it around each job; the previous token is restored afterwards, also when
    /// `f` panics.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = weft::CancelToken::new();
    /// token.cancel();
    /// let seen = token.scope(|| weft::CancelToken::current().is_cancelled());
    /// assert!(seen);
    /// assert!(!weft::CancelToken::current().is_cancelled());
    /// ```
    pub fn scope<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<CancelToken>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
            }
        }
        let previous = CURRENT.with(|current| current.borrow_mut().replace(self.clone()));
        let _restore = Restore(previous);
        f()
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}
