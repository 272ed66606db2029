//! Task handles: one type on both targets.
//!
//! A [`Task`] is the handle of a spawned future (`weft::spawn`). It is async-task's handle with
//! one addition: a panic inside the task does not tear down the runtime but reaches whoever awaits
//! the handle as a [`JoinError`].
//!
//! - dropping a `Task` cancels it (the future is dropped at its next suspension point);
//! - [`Task::detach`] lets it run to completion with nobody waiting;
//! - [`Task::cancel`] stops it and hands back its output if it had already finished.
//!
//! In the browser a Rust panic aborts the whole wasm instance (stable Rust has no unwinding on
//! `wasm32-unknown-unknown`), so there a panicking task prints its message to the console and
//! the page's wasm stops; code that may panic belongs on the worker pool, which replaces a
//! crashed worker.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use futures_lite::future::yield_now;

/// The handle of a spawned task; await it for the task's output.
///
/// Awaiting gives `Ok(output)`, or `Err(JoinError)` if the task panicked or was cancelled by its
/// runtime. Dropping the handle cancels the task.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let task = weft::spawn(async { 6 * 7 });
///     assert_eq!(task.await.unwrap(), 42);
///
///     // A panic reaches the awaiter as an error; the runtime keeps working.
///     let boom = weft::spawn(async { panic!("boom") });
///     let err: weft::JoinError = boom.await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.to_string(), "task panicked: boom");
///     assert_eq!(weft::spawn(async { 1 }).await.unwrap(), 1);
/// });
/// ```
#[must_use = "dropping a Task cancels it; call .detach() to let it run"]
pub struct Task<T> {
    inner: async_task::FallibleTask<Result<T, JoinError>>,
}

impl<T> Task<T> {
    /// Wraps a raw async-task handle whose future was wrapped in [`catch_panic`].
    ///
    /// This is the constructor backends use; users get tasks from `weft::spawn`.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_core::task::{catch_panic, Task};
    ///
    /// // A minimal "executor": run the task right away on this thread.
    /// let (runnable, raw) = async_task::spawn(catch_panic(async { 7 }), |_| {});
    /// runnable.run();
    /// let task = Task::from_async_task(raw);
    /// assert_eq!(futures_lite::future::block_on(task).unwrap(), 7);
    /// ```
    pub fn from_async_task(task: async_task::Task<Result<T, JoinError>>) -> Self {
        Task {
            inner: task.fallible(),
        }
    }

    /// Lets the task run to completion without anyone awaiting it; its output is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    ///
    /// weft::block_on(async {
    ///     let ran = Arc::new(AtomicBool::new(false));
    ///     let flag = ran.clone();
    ///     weft::spawn(async move { flag.store(true, Ordering::SeqCst) }).detach();
    ///     while !ran.load(Ordering::SeqCst) {
    ///         weft::sleep(std::time::Duration::from_millis(1)).await;
    ///     }
    /// });
    /// ```
    pub fn detach(self) {
        self.inner.detach()
    }

    /// Cancels the task and waits until it has stopped.
    ///
    /// Returns the output if the task had already finished successfully, `None` if it was
    /// cancelled before finishing (or had panicked).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let forever = weft::spawn(weft::sleep(Duration::from_secs(3600)));
    ///     assert_eq!(forever.cancel().await, None);
    /// });
    /// ```
    pub async fn cancel(self) -> Option<T> {
        match self.inner.cancel().await {
            Some(Ok(output)) => Some(output),
            _ => None,
        }
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let task = weft::spawn(async {});
    ///     while !task.is_finished() {
    ///         weft::yield_now().await;
    ///     }
    ///     assert!(task.await.is_ok());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.inner).poll(cx) {
            Poll::Ready(Some(result)) => Poll::Ready(result),
            Poll::Ready(None) => Poll::Ready(Err(JoinError::cancelled())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Why awaiting a [`Task`] gave no output: the task panicked, or its runtime cancelled it.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let err = weft::spawn(async { panic!("disk full") }).await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.panic_message(), Some("disk full"));
/// });
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct JoinError {
    panic: Option<String>,
}

impl JoinError {
    /// The error of a task that its runtime dropped before it finished.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = weft_core::JoinError::cancelled();
    /// assert!(err.is_cancelled());
    /// assert_eq!(err.to_string(), "task was cancelled before it finished");
    /// ```
    pub fn cancelled() -> Self {
        JoinError { panic: None }
    }

    /// The error of a task that panicked with `message`.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = weft_core::JoinError::panicked("boom");
    /// assert_eq!(err.panic_message(), Some("boom"));
    /// ```
    pub fn panicked(message: impl Into<String>) -> Self {
        JoinError {
            panic: Some(message.into()),
        }
    }

    /// Whether the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft_core::JoinError::panicked("x").is_panic());
    /// assert!(!weft_core::JoinError::cancelled().is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        self.panic.is_some()
    }

    /// Whether the task was cancelled before it finished.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft_core::JoinError::cancelled().is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.panic.is_none()
    }

    /// The panic message, if the task panicked with a string message.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_core::JoinError::panicked("oops").panic_message(), Some("oops"));
    /// assert_eq!(weft_core::JoinError::cancelled().panic_message(), None);
    /// ```
    pub fn panic_message(&self) -> Option<&str> {
        self.panic.as_deref()
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.panic {
            Some(message) => write!(f, "task panicked: {message}"),
            None => f.write_str("task was cancelled before it finished"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for JoinError {}

pin_project_lite::pin_project! {
    /// A future that turns a panic while polling the inner future into `Err(JoinError)`.
    ///
    /// Backends wrap every spawned future in it, so a panicking task fails only itself.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct CatchPanic<F> {
        #[pin]
        future: F,
    }
}

/// Wraps `future` so that a panic while polling it becomes `Err(JoinError)`.
///
/// # Examples
///
/// ```
/// use weft_core::task::catch_panic;
///
/// let out = futures_lite::future::block_on(catch_panic(async { panic!("bad input") }));
/// # let _: &Result<(), _> = &out;
/// assert_eq!(out.unwrap_err().panic_message(), Some("bad input"));
/// ```
pub fn catch_panic<F: Future>(future: F) -> CatchPanic<F> {
    CatchPanic { future }
}

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.project().future;
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(JoinError::panicked(panic_message(&*payload)))),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}
