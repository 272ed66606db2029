//! A task timeline recorder: when each named task was queued, started, polled and finished, how
//! it ended, and which polls blocked the event loop; asyncio's debug mode
//! (`loop.slow_callback_duration`, "Executing `<Task …>` took 0.048 seconds") plus the timeline
//! behind the playground's Gantt charts.
//!
//! A [`Recorder`] collects [`Span`]s, one per traced task. Wrap a future with
//! [`Recorder::traced`] (or start it with [`Recorder::spawn`]) and every poll of it is timed on
//! the runtime's clock. Inside a traced task, the ambient forms need no handle: [`traced`],
//! `weft::trace::spawn_named` and [`mark`] record into the recorder of the task they run in (and
//! do nothing but run the future when there is none, so library code can call them freely).
//!
//! - **Timeline**: [`Recorder::spans`] gives plain structs to draw; [`Recorder::chrome_trace`]
//!   gives Chrome trace-event JSON for `chrome://tracing` and [Perfetto](https://ui.perfetto.dev)
//!   (one row per task: a "queued" bar, the task bar, a "poll" bar per poll, marks as instants).
//! - **Slow polls**: a poll longer than the threshold (10 ms unless set) is a task that blocked
//!   the event loop: no other task on that thread ran meanwhile. The recorder keeps a
//!   [`SlowPoll`] ("something blocked the event loop for 48 ms in task fetch#3"), calls the hook
//!   set with [`RecorderBuilder::on_slow_poll`], and by default prints it to stderr natively.
//! - **States**: a span ends [`State::Done`] when its future completes, [`State::Failed`] when
//!   it panicked (or, for [`Recorder::try_traced`], returned `Err`), [`State::Cancelled`] when it
//!   was dropped before finishing.
//! - **Marks**: [`mark`]`("retried")` inside a traced task puts a labelled instant on its row.
//! - **Bounded memory**: at most [`capacity`](RecorderBuilder::capacity) spans (default
//!   10,000; when full the oldest span is dropped, running or not) and as many slow-poll
//!   warnings; each span keeps its first [`polls_per_span`](RecorderBuilder::polls_per_span)
//!   polls and marks (default 64), later polls are only counted in [`Span::poll_count`] and
//!   [`Span::busy`]. The defaults bound a recorder to about 25 MB in the worst case, and far less
//!   for tasks that poll a few times.
//! - **`tracing`**: with weft's cargo feature `tracing`, every traced task is also a `tracing`
//!   span named `task` (field `task` = its name) entered during each poll, marks are `info!`
//!   events and slow polls `warn!` events, for any `tracing` subscriber.
//!
//! Times are offsets from the recorder's creation on the runtime's clock, so under
//! `weft::testing::run` they are exact virtual times. Time spent inside a poll is measured
//! around the inner future's `poll` call, so a traced future nested in another traced future is
//! counted in both.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use weft::trace::{self, Recorder, State};
//!
//! weft::block_on(async {
//!     let recorder = Recorder::new();
//!     recorder
//!         .traced("demo", async {
//!             let fetches = (1..=3).map(|i| {
//!                 trace::traced(format!("fetch#{i}"), async move {
//!                     weft::sleep(Duration::from_millis(10 * i)).await;
//!                     if i == 2 {
//!                         trace::mark("retried");
//!                     }
//!                 })
//!             });
//!             weft::gather(fetches).await;
//!         })
//!         .await;
//!
//!     let spans = recorder.spans();
//!     let names: Vec<_> = spans.iter().map(|s| s.name.as_str()).collect();
//!     assert_eq!(names, ["demo", "fetch#1", "fetch#2", "fetch#3"]);
//!     assert!(spans.iter().all(|s| s.state == State::Done));
//!     assert_eq!(spans[2].parent, Some(spans[0].id));
//!     assert_eq!(spans[2].marks[0].kind, "retried");
//!     assert!(recorder.chrome_trace().starts_with("{\"traceEvents\":["));
//! });
//! ```

mod chrome;
mod recorder;
mod shared;
mod traced;

use core::fmt;
use core::time::Duration;

pub use recorder::{Recorder, RecorderBuilder};
pub use traced::{Traced, mark, traced, try_traced};

/// How a traced task stands, or how it ended.
///
/// # Examples
///
/// ```
/// use weft::trace::State;
///
/// assert!(State::Cancelled.is_final());
/// assert!(!State::Running.is_final());
/// assert_eq!(State::Failed.to_string(), "failed");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Created or spawned, not polled yet.
    Queued,
    /// Polled at least once, not finished.
    Running,
    /// Its future completed.
    Done,
    /// It panicked, or (for `try_traced`) returned `Err`.
    Failed,
    /// It was dropped before it finished.
    Cancelled,
}

impl State {
    /// Whether the task has ended (done, failed or cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft::trace::State::Done.is_final());
    /// assert!(!weft::trace::State::Queued.is_final());
    /// ```
    pub fn is_final(self) -> bool {
        matches!(self, State::Done | State::Failed | State::Cancelled)
    }

    /// The state as a lowercase word: `queued`, `running`, `done`, `failed`, `cancelled`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::trace::State::Done.as_str(), "done");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Done => "done",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One traced task's record. Times are offsets from the recorder's creation.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft::testing::{self, VirtualRuntime};
/// use weft_core::trace::{Recorder, State};
///
/// let span = testing::run(async {
///     let recorder = Recorder::<VirtualRuntime>::new();
///     testing::sleep(Duration::from_millis(5)).await;
///     let task = recorder.spawn("fetch#1", testing::sleep(Duration::from_millis(20)));
///     task.await.unwrap();
///     recorder.spans().remove(0)
/// });
/// assert_eq!(span.name, "fetch#1");
/// assert_eq!(span.state, State::Done);
/// assert_eq!(span.queued, Duration::from_millis(5));
/// assert_eq!(span.start, Some(Duration::from_millis(5)));
/// assert_eq!(span.end, Some(Duration::from_millis(25)));
/// assert_eq!(span.poll_count, 2); // one to start the sleep, one when it fired
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Span {
    /// Unique within its recorder, in creation order; the row (`tid`) in the Chrome trace.
    pub id: u64,
    /// The name given to `traced` / `spawn`.
    pub name: String,
    /// The traced task this one was created in, if any.
    pub parent: Option<u64>,
    /// When it was created (for a spawned task: spawned, so `start - queued` is its queue wait).
    pub queued: Duration,
    /// When it was first polled; `None` if never.
    pub start: Option<Duration>,
    /// When it finished or was dropped; `None` while it runs.
    pub end: Option<Duration>,
    /// How it stands or ended.
    pub state: State,
    /// Its first polls (up to the recorder's `polls_per_span`), in order.
    pub polls: Vec<PollTime>,
    /// How many times it was polled, all of them counted.
    pub poll_count: u64,
    /// The total time spent inside its polls, all of them counted.
    pub busy: Duration,
    /// Its marks (up to the recorder's `polls_per_span`), in order.
    pub marks: Vec<Mark>,
}

/// One poll of a traced task: when it began and how long it took.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let poll = weft::trace::PollTime { start: Duration::from_millis(3), duration: Duration::ZERO };
/// assert_eq!(poll.start, Duration::from_millis(3));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollTime {
    /// When the poll began.
    pub start: Duration,
    /// How long it took.
    pub duration: Duration,
}

/// A labelled instant in a task's life, made by [`mark`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let mark = weft::trace::Mark { at: Duration::from_millis(7), kind: "retried".into() };
/// assert_eq!(mark.kind, "retried");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// When it was made.
    pub at: Duration,
    /// What it says, e.g. `retried`.
    pub kind: String,
}

/// A poll that took longer than the recorder's threshold: the task blocked its thread's event
/// loop for that long. Its `Display` is the warning text.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let warning = weft::trace::SlowPoll {
///     task: "fetch#3".into(),
///     id: 3,
///     at: Duration::from_millis(120),
///     duration: Duration::from_millis(48),
/// };
/// assert_eq!(
///     warning.to_string(),
///     "something blocked the event loop for 48 ms in task fetch#3"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlowPoll {
    /// The name of the task whose poll was slow.
    pub task: String,
    /// Its span's id.
    pub id: u64,
    /// When the slow poll began.
    pub at: Duration,
    /// How long it took.
    pub duration: Duration,
}

impl fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("something blocked the event loop for ")?;
        if self.duration >= Duration::from_millis(1) {
            let ms = (self.duration.as_micros() + 500) / 1000;
            write!(f, "{ms} ms")?;
        } else {
            write!(f, "{} µs", self.duration.as_micros())?;
        }
        write!(f, " in task {}", self.task)
    }
}

/// Binds `weft::trace` (`Recorder`, `spawn_named`, and the runtime-free items) to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_trace {
    ($rt:ty) => {
        #[doc(hidden)]
        pub type __WeftTraceRuntime = $rt;

        /// A task timeline recorder with slow-poll warnings, on this runtime's clock.
        ///
        /// See [`weft_core::trace`]($crate::trace) for the whole story; this module binds it to
        /// the runtime: [`trace::Recorder`](Recorder) is `weft_core::trace::Recorder<Runtime>`.
        ///
        /// # Examples
        ///
        /// ```
        /// use weft::trace::{Recorder, State};
        ///
        /// weft::block_on(async {
        ///     let recorder = Recorder::new();
        ///     recorder.spawn("fetch#1", async { 42 }).await.unwrap();
        ///     assert_eq!(recorder.spans()[0].state, State::Done);
        /// });
        /// ```
        pub mod trace {
            pub use $crate::trace::{
                Mark, PollTime, SlowPoll, Span, State, Traced, mark, traced, try_traced,
            };

            /// The recorder on this runtime's clock; see
            /// [`weft_core::trace::Recorder`]($crate::trace::Recorder).
            pub type Recorder = $crate::trace::Recorder<super::__WeftTraceRuntime>;

            /// The builder of a [`Recorder`]; see
            /// [`weft_core::trace::RecorderBuilder`]($crate::trace::RecorderBuilder).
            pub type RecorderBuilder = $crate::trace::RecorderBuilder<super::__WeftTraceRuntime>;

            /// Spawns `future` as a task named `name`, traced by the recorder of the traced task
            /// this is called in; outside one, it is a plain spawn.
            ///
            /// The span's `queued` time is now; its `start` is the task's first poll. Dropping the
            /// returned task cancels it (its span ends `cancelled`).
            ///
            /// # Examples
            ///
            /// ```
            /// use weft::trace::{self, Recorder};
            ///
            /// weft::block_on(async {
            ///     let recorder = Recorder::new();
            ///     recorder
            ///         .traced("main", async {
            ///             let a = trace::spawn_named("worker#1", async { 1 });
            ///             let b = trace::spawn_named("worker#2", async { 2 });
            ///             assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
            ///         })
            ///         .await;
            ///     let names: Vec<_> = recorder.spans().into_iter().map(|s| s.name).collect();
            ///     assert_eq!(names, ["main", "worker#1", "worker#2"]);
            ///
            ///     // Outside a traced task: just a spawn.
            ///     assert_eq!(trace::spawn_named("plain", async { 7 }).await.unwrap(), 7);
            /// });
            /// ```
            pub fn spawn_named<F>(
                name: impl ::core::convert::Into<::std::string::String>,
                future: F,
            ) -> $crate::Task<F::Output>
            where
                F: ::core::future::Future + $crate::MaybeSend + 'static,
                F::Output: $crate::MaybeSend + 'static,
            {
                <super::__WeftTraceRuntime as $crate::Runtime>::spawn($crate::trace::traced(
                    name, future,
                ))
            }
        }
    };
}
