//! [`Traced`]: the future wrapper that times each poll, and the ambient "current task".

use core::cell::Cell;
use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use super::State;
use super::shared::Shared;

thread_local! {
    /// The recorder and span of the traced future being polled on this thread, if any: what
    /// [`traced`] and [`mark`] record into. Set for the length of one poll only, so it is right
    /// whichever thread the task runs on next.
    static CURRENT: Cell<Option<(Arc<Shared>, u64)>> = const { Cell::new(None) };
}

fn current() -> Option<(Arc<Shared>, u64)> {
    CURRENT.with(|cell| {
        let current = cell.take();
        let copy = current.clone();
        cell.set(current);
        copy
    })
}

/// Makes `(shared, id)` current for one poll; puts back what was current before, even on panic.
struct Enter(Option<(Arc<Shared>, u64)>);

impl Enter {
    fn new(shared: &Arc<Shared>, id: u64) -> Self {
        Enter(CURRENT.with(|cell| cell.replace(Some((shared.clone(), id)))))
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        let previous = self.0.take();
        let _ = CURRENT.try_with(|cell| cell.set(previous));
    }
}

pub(super) fn done<T>(_: &T) -> State {
    State::Done
}

pub(super) fn ok_or_failed<T, E>(output: &Result<T, E>) -> State {
    match output {
        Ok(_) => State::Done,
        Err(_) => State::Failed,
    }
}

/// The recorder and span a traced future reports to.
struct Slot {
    shared: Arc<Shared>,
    id: u64,
}

/// The `tracing` span of a traced task (with the `tracing` feature); nothing without it.
#[cfg(feature = "tracing")]
struct TaskSpan(tracing::Span);

#[cfg(feature = "tracing")]
impl TaskSpan {
    fn new(name: &str) -> Self {
        TaskSpan(tracing::info_span!("task", task = %name, id = tracing::field::Empty))
    }

    fn with_id(self, id: u64) -> Self {
        self.0.record("id", id);
        self
    }

    fn enter(&self) -> tracing::span::Entered<'_> {
        self.0.enter()
    }
}

#[cfg(not(feature = "tracing"))]
struct TaskSpan;

#[cfg(not(feature = "tracing"))]
struct NotEntered;

#[cfg(not(feature = "tracing"))]
impl TaskSpan {
    fn new(_: &str) -> Self {
        TaskSpan
    }

    fn with_id(self, _: u64) -> Self {
        self
    }

    fn enter(&self) -> NotEntered {
        NotEntered
    }
}

pin_project_lite::pin_project! {
    /// A future whose life and polls are recorded as a [`Span`](super::Span); made by
    /// [`traced`], [`try_traced`] or `Recorder::traced`.
    ///
    /// Its output is the inner future's. Dropping it before it completes drops the inner future
    /// and ends the span `cancelled`. Without a recorder it only runs the inner future (and,
    /// with the `tracing` feature, enters a `tracing` span around each poll).
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Traced<F: Future> {
        #[pin]
        future: F,
        slot: Option<Slot>,
        classify: fn(&F::Output) -> State,
        finished: bool,
        span: TaskSpan,
    }

    impl<F: Future> PinnedDrop for Traced<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.finished && let Some(slot) = this.slot.as_ref() {
                slot.shared.close(slot.id, State::Cancelled);
            }
        }
    }
}

impl<F: Future> Traced<F> {
    /// A traced future reporting to `shared`, child of the current span if that is `shared`'s.
    pub(super) fn recorded(
        shared: &Arc<Shared>,
        name: String,
        future: F,
        classify: fn(&F::Output) -> State,
    ) -> Self {
        let parent =
            current().and_then(|(current, id)| Arc::ptr_eq(&current, shared).then_some(id));
        let span = TaskSpan::new(&name);
        let id = shared.open(name, parent);
        Traced {
            future,
            slot: Some(Slot {
                shared: shared.clone(),
                id,
            }),
            classify,
            finished: false,
            span: span.with_id(id),
        }
    }

    /// A traced future for the current recorder, or a pass-through when there is none.
    fn ambient(name: String, future: F, classify: fn(&F::Output) -> State) -> Self {
        match current() {
            Some((shared, parent)) => {
                let span = TaskSpan::new(&name);
                let id = shared.open(name, Some(parent));
                Traced {
                    future,
                    slot: Some(Slot { shared, id }),
                    classify,
                    finished: false,
                    span: span.with_id(id),
                }
            }
            None => Traced {
                span: TaskSpan::new(&name),
                future,
                slot: None,
                classify,
                finished: false,
            },
        }
    }
}

/// Ends the span `failed` if the inner poll unwinds (natively a panic in a task is caught by its
/// runtime; the span must not be left running).
struct FailOnUnwind<'a> {
    slot: &'a Slot,
    start: web_time::Instant,
}

impl Drop for FailOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let shared = &self.slot.shared;
            shared.mark(self.slot.id, "panicked".into());
            shared.poll(
                self.slot.id,
                self.start,
                (shared.now)(),
                Some(State::Failed),
            );
        }
    }
}

impl<F: Future> Future for Traced<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let Some(slot) = this.slot.as_ref() else {
            return this.future.poll(cx);
        };
        let start = (slot.shared.now)();
        let output = {
            let _current = Enter::new(&slot.shared, slot.id);
            let _unwind = FailOnUnwind { slot, start };
            this.future.poll(cx)
        };
        let end = (slot.shared.now)();
        let outcome = match &output {
            Poll::Ready(output) => {
                *this.finished = true;
                Some((this.classify)(output))
            }
            Poll::Pending => None,
        };
        slot.shared.poll(slot.id, start, end, outcome);
        output
    }
}

impl<F: Future> fmt::Debug for Traced<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Traced")
            .field("id", &self.slot.as_ref().map(|slot| slot.id))
            .field("finished", &self.finished)
            .finish()
    }
}

/// Wraps `future` as a task named `name` of the recorder of the traced task this is called in;
/// outside a traced task it just runs `future`.
///
/// The span is a child of the calling task and is created now; see `Recorder::traced` for what
/// is recorded. Dropping the returned future cancels `future` (span `cancelled`).
///
/// # Examples
///
/// ```
/// use weft::trace::{self, Recorder};
///
/// weft::block_on(async {
///     let recorder = Recorder::new();
///     let total = recorder
///         .traced("main", async {
///             let (a, b) = weft::gather!(trace::traced("a", async { 1 }), trace::traced("b", async { 2 })).await;
///             a + b
///         })
///         .await;
///     assert_eq!(total, 3);
///     let spans = recorder.spans();
///     assert_eq!(spans.len(), 3);
///     assert_eq!(spans[1].parent, Some(spans[0].id));
///
///     // No recorder around: nothing recorded, the future just runs.
///     assert_eq!(trace::traced("alone", async { 5 }).await, 5);
///     assert_eq!(recorder.spans().len(), 3);
/// });
/// ```
pub fn traced<F: IntoFuture>(name: impl Into<String>, future: F) -> Traced<F::IntoFuture> {
    Traced::ambient(name.into(), future.into_future(), done)
}

/// Like [`traced`], but an `Err` output ends the span `failed` (the task's error as the timeline
/// shows it).
///
/// # Examples
///
/// ```
/// use weft::trace::{self, Recorder, State};
///
/// weft::block_on(async {
///     let recorder = Recorder::new();
///     recorder
///         .traced("main", async {
///             let _ = trace::try_traced("flaky", async { Err::<(), _>("503") }).await;
///         })
///         .await;
///     assert_eq!(recorder.spans()[1].state, State::Failed);
/// });
/// ```
pub fn try_traced<F, T, E>(name: impl Into<String>, future: F) -> Traced<F::IntoFuture>
where
    F: IntoFuture<Output = Result<T, E>>,
{
    Traced::ambient(name.into(), future.into_future(), ok_or_failed)
}

/// Puts a labelled instant (`"retried"`, `"cache miss"`…) on the timeline of the traced task
/// this is called in; does nothing outside a traced task, so library code may call it freely.
///
/// A span keeps at most `polls_per_span` marks. With the `tracing` feature it is also an
/// `info!` event in the task's `tracing` span.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let recorder = weft::trace::Recorder::new();
///     recorder
///         .traced("fetch#1", async {
///             weft::trace::mark("retried");
///         })
///         .await;
///     let marks = &recorder.spans()[0].marks;
///     assert_eq!(marks.len(), 1);
///     assert_eq!(marks[0].kind, "retried");
///
///     weft::trace::mark("outside: ignored");
/// });
/// ```
pub fn mark(kind: impl Into<String>) {
    let kind = kind.into();
    #[cfg(feature = "tracing")]
    tracing::info!(kind = %kind, "mark");
    if let Some((shared, id)) = current() {
        shared.mark(id, kind);
    }
}
