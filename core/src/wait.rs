//! Wait for the first, the first failed, or all of many futures, with an optional timeout, and
//! get the unfinished ones back.
//!
//! `weft::wait(futs, return_when, timeout)` is `asyncio.wait`: it returns [`Waited`], the
//! outputs that are `done` and the futures still `pending`. Unlike [`race`](crate::race()) or a
//! timeout, `wait` cancels nothing: the pending futures are handed back unharmed, to await later
//! or to cancel. That is why they must be [`Unpin`] (a [`Task`](crate::Task) is; box any other
//! future with `Box::pin`).
//!
//! [`ReturnWhen::FirstError`] needs to know what a failure is: that is the [`Outcome`] trait,
//! implemented for `Result` (an `Err` fails) and for common plain types (never fail).
//!
//! The generic form, [`Wait`], is bound to a [`Runtime`] for its timer; backends expose
//! `weft::wait` and `weft::Wait<F>`.

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::gather::{Indexed, indexed_set};
use crate::runtime::Runtime;

/// When [`Wait`] returns; asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`.
///
/// # Examples
///
/// ```
/// use weft::ReturnWhen;
///
/// assert_eq!(ReturnWhen::default(), ReturnWhen::AllCompleted);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as any future has finished.
    FirstCompleted,
    /// As soon as any future has finished with a failure (see [`Outcome`]); if none fails,
    /// when all have finished, like [`AllCompleted`](ReturnWhen::AllCompleted).
    FirstError,
    /// When every future has finished (the default, as in Python).
    #[default]
    AllCompleted,
}

/// Whether a future's output counts as a failure, for [`ReturnWhen::FirstError`].
///
/// `Result<T, E>` fails when it is `Err`. Plain types (`()`, `bool`, numbers, `char`, strings,
/// `Vec`, `Option` — `None` is not a failure —, tuples up to four) never fail, and `Box<T>` fails
/// when `T` does. For your own output type, one line does it (the default says "never fails"):
///
/// ```
/// struct Report { pages: u32 }
/// impl weft::Outcome for Report {}
/// ```
///
/// # Examples
///
/// ```
/// use weft::Outcome;
///
/// assert!(Err::<u8, &str>("bad").is_failure());
/// assert!(!Ok::<u8, &str>(1).is_failure());
/// assert!(!None::<u8>.is_failure());
///
/// struct Status(u16);
/// impl Outcome for Status {
///     fn is_failure(&self) -> bool { self.0 >= 500 }
/// }
/// assert!(Status(503).is_failure());
/// ```
pub trait Outcome {
    /// Whether this output is a failure. The default is `false`.
    fn is_failure(&self) -> bool {
        false
    }
}

impl<T, E> Outcome for Result<T, E> {
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}

impl<T: Outcome + ?Sized> Outcome for Box<T> {
    fn is_failure(&self) -> bool {
        (**self).is_failure()
    }
}

macro_rules! never_fails {
    ($($ty:ty),* $(,)?) => { $(impl Outcome for $ty {})* };
}

never_fails!(
    (),
    bool,
    char,
    String,
    &str,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
);

impl<T> Outcome for Vec<T> {}
impl<T> Outcome for Option<T> {}
impl<A> Outcome for (A,) {}
impl<A, B> Outcome for (A, B) {}
impl<A, B, C> Outcome for (A, B, C) {}
impl<A, B, C, D> Outcome for (A, B, C, D) {}

/// What [`Wait`] returns: the finished outputs and the unfinished futures.
///
/// Both carry each future's index in the input. `done` is in the order the outputs were
/// collected (the first to finish first, except that outputs collected on the same poll come
/// in the set's order); `pending` is in input order. Every future is in exactly one of them.
///
/// # Examples
///
/// ```
/// use weft::ReturnWhen;
///
/// weft::block_on(async {
///     let futs = [1, 2].map(|i| Box::pin(async move { i }));
///     let weft::Waited { mut done, pending } = weft::wait(futs, ReturnWhen::AllCompleted, None).await;
///     done.sort();
///     assert_eq!(done, [(0, 1), (1, 2)]);
///     assert!(pending.is_empty());
/// });
/// ```
pub struct Waited<F: Future> {
    /// `(index, output)` of every future that had finished.
    pub done: Vec<(usize, F::Output)>,
    /// `(index, future)` of every future that had not; untouched, ready to await or drop.
    pub pending: Vec<(usize, F)>,
}

impl<F: Future> fmt::Debug for Waited<F>
where
    F::Output: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pending: Vec<usize> = self.pending.iter().map(|(i, _)| *i).collect();
        f.debug_struct("Waited")
            .field("done", &self.done)
            .field("pending", &pending)
            .finish()
    }
}

pin_project_lite::pin_project! {
    /// Future of `weft::wait`, generic over the [`Runtime`] that keeps its timeout.
    ///
    /// Outputs [`Waited`]. Dropping it before it finishes drops (cancels) every future it holds:
    /// only a finished `Wait` hands futures back.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Wait<R: Runtime, F: Future> {
        pending: FuturesUnordered<Indexed<F>>,
        done: Vec<(usize, F::Output)>,
        return_when: ReturnWhen,
        timeout: Option<Duration>,
        #[pin]
        sleep: Option<R::Sleep>,
        failed: bool,
        finished: bool,
    }
}

impl<R, F> Wait<R, F>
where
    R: Runtime,
    F: Future + Unpin,
    F::Output: Outcome,
{
    /// Waits on every future of `futures` until `return_when` holds or `timeout` passes.
    ///
    /// The timeout counts from the first poll; `None` waits as long as it takes. On expiry the
    /// result is not an error: `Waited` says what finished in time and hands back the rest, as
    /// Python's `wait` does. Every future is polled once before the clock is checked, so
    /// `Some(Duration::ZERO)` collects whatever is ready at once and returns. Empty input
    /// returns at once with both lists empty (Python raises `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft::ReturnWhen;
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft_core::wait::Wait;
    ///
    /// let (done, pending) = testing::run(async {
    ///     let jobs = [1_u64, 2, 3].map(|s| testing::spawn(async move {
    ///         testing::sleep(Duration::from_secs(s)).await;
    ///         s
    ///     }));
    ///     let waited = Wait::<VirtualRuntime, _>::new(jobs, ReturnWhen::FirstCompleted, None).await;
    ///     (waited.done, waited.pending.len())
    /// });
    /// assert_eq!(done, [(0, Ok(1))]);
    /// assert_eq!(pending, 2);
    /// ```
    pub fn new<I>(futures: I, return_when: ReturnWhen, timeout: Option<Duration>) -> Self
    where
        I: IntoIterator,
        I::Item: IntoFuture<IntoFuture = F>,
    {
        Wait {
            pending: indexed_set(futures),
            done: Vec::new(),
            return_when,
            timeout,
            sleep: None,
            failed: false,
            finished: false,
        }
    }
}

impl<R, F> Future for Wait<R, F>
where
    R: Runtime,
    F: Future + Unpin,
    F::Output: Outcome,
{
    type Output = Waited<F>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Waited<F>> {
        let mut this = self.project();
        assert!(!*this.finished, "Wait polled after it completed");
        // Collect everything that is ready now, so `done` holds every finished future.
        while let Poll::Ready(Some((index, output))) = this.pending.poll_next_unpin(cx) {
            *this.failed |= output.is_failure();
            this.done.push((index, output));
        }
        let satisfied = this.pending.is_empty()
            || match this.return_when {
                ReturnWhen::FirstCompleted => !this.done.is_empty(),
                ReturnWhen::FirstError => *this.failed,
                ReturnWhen::AllCompleted => false,
            };
        if !satisfied && !expired::<R>(this.sleep.as_mut(), *this.timeout, cx) {
            return Poll::Pending;
        }
        *this.finished = true;
        this.sleep.set(None);
        // Back in input order by placing each at its index (the indexes are 0..n, those in
        // `done` excepted): linear, and without a sort's code, which is large in wasm.
        let unfinished = std::mem::take(this.pending);
        let mut slots: Vec<Option<F>> = (0..this.done.len() + unfinished.len())
            .map(|_| None)
            .collect();
        for (index, future) in unfinished.into_iter().map(Indexed::into_parts) {
            if let Some(slot) = slots.get_mut(index) {
                *slot = Some(future);
            }
        }
        let pending: Vec<(usize, F)> = slots
            .into_iter()
            .enumerate()
            .filter_map(|(index, future)| Some((index, future?)))
            .collect();
        Poll::Ready(Waited {
            done: std::mem::take(this.done),
            pending,
        })
    }
}

/// Whether the timeout has passed, arming the timer on the first call.
fn expired<R: Runtime>(
    mut sleep: Pin<&mut Option<R::Sleep>>,
    timeout: Option<Duration>,
    cx: &mut Context<'_>,
) -> bool {
    let Some(timeout) = timeout else {
        return false;
    };
    if timeout.is_zero() {
        return true;
    }
    if sleep.is_none() {
        match R::now().checked_add(timeout) {
            Some(deadline) => sleep.set(Some(R::sleep_until(deadline))),
            // Past the clock's range: never expires.
            None => return false,
        }
    }
    let sleep = sleep.as_pin_mut().expect("armed above");
    sleep.poll(cx).is_ready()
}

impl<R: Runtime, F: Future> fmt::Debug for Wait<R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("return_when", &self.return_when)
            .field("timeout", &self.timeout)
            .field("done", &self.done.len())
            .field("pending", &self.pending.len())
            .finish()
    }
}

/// Binds `wait` and `Wait<F>` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_wait {
    ($rt:ty) => {
        /// The future of [`wait`] on this runtime.
        pub type Wait<F> = $crate::wait::Wait<$rt, F>;

        /// Waits for the first, the first failed, or all of `futures`, for at most `timeout`;
        /// asyncio's `wait`.
        ///
        /// Returns [`Waited`]($crate::wait::Waited): `done` holds `(index, output)` of every
        /// future that had finished by then (not only the first), `pending` hands back
        /// `(index, future)` of the others **unharmed**, in input order, to await or drop later.
        /// Nothing is cancelled. The futures must be `Unpin`: spawned [`Task`]($crate::Task)s
        /// are; box others with `Box::pin`.
        ///
        /// - [`ReturnWhen::FirstError`]($crate::wait::ReturnWhen::FirstError) uses
        ///   [`Outcome`]($crate::wait::Outcome) to tell failures; with no failure it waits for
        ///   all, as Python's `FIRST_EXCEPTION` does.
        /// - The timeout counts from the first poll; expiry is not an error: you get what was
        ///   done and the rest as pending. `Some(Duration::ZERO)` polls each future once.
        /// - Empty input returns at once with both lists empty.
        /// - Dropping the future before it finishes drops every future it holds.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        /// use weft::ReturnWhen;
        ///
        /// weft::block_on(async {
        ///     let tasks = [10_u64, 2_000, 3_000].map(|ms| weft::spawn(async move {
        ///         weft::sleep(Duration::from_millis(ms)).await;
        ///         ms
        ///     }));
        ///     let waited = weft::wait(tasks, ReturnWhen::FirstCompleted, None).await;
        ///     assert_eq!(waited.done, [(0, Ok(10))]);
        ///     assert_eq!(waited.pending.len(), 2);
        ///     // Still running: cancel them (or await them).
        ///     for (_, task) in waited.pending {
        ///         assert_eq!(task.cancel().await, None);
        ///     }
        /// });
        /// ```
        pub fn wait<I>(
            futures: I,
            return_when: $crate::wait::ReturnWhen,
            timeout: ::core::option::Option<::core::time::Duration>,
        ) -> Wait<<I::Item as ::core::future::IntoFuture>::IntoFuture>
        where
            I: ::core::iter::IntoIterator,
            I::Item: ::core::future::IntoFuture,
            <I::Item as ::core::future::IntoFuture>::IntoFuture: ::core::marker::Unpin,
            <I::Item as ::core::future::IntoFuture>::Output: $crate::wait::Outcome,
        {
            $crate::wait::Wait::new(futures, return_when, timeout)
        }
    };
}
