//! [`Recorder`]: where the spans are kept, bounded.

use core::fmt;
use core::future::{Future, IntoFuture};
use core::marker::PhantomData;
use core::time::Duration;
use std::sync::Arc;

use super::shared::{Hook, Shared};
use super::traced::{self, Traced};
use super::{SlowPoll, Span};
use crate::error::ConfigError;
use crate::runtime::{MaybeSend, Runtime};
use crate::task::Task;

const DEFAULT_CAPACITY: usize = 10_000;
const DEFAULT_POLLS_PER_SPAN: usize = 64;
const DEFAULT_SLOW_POLL: Duration = Duration::from_millis(10);

/// Records a timeline of named tasks on the clock of the runtime `R`; cheap to clone (clones
/// share one timeline).
///
/// Make one per run you want to look at (the playground makes one per demo run), wrap the run's
/// root future with [`traced`](Recorder::traced), and read [`spans`](Recorder::spans),
/// [`chrome_trace`](Recorder::chrome_trace) and [`warnings`](Recorder::warnings) afterwards; the
/// [module docs](crate::trace) describe what is recorded and the memory bounds. Users name it
/// `weft::trace::Recorder`, which is bound to the default runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft::testing::{self, VirtualRuntime};
/// use weft_core::trace::{Recorder, State};
///
/// let spans = testing::run(async {
///     let recorder = Recorder::<VirtualRuntime>::new();
///     let slow = recorder.spawn("slow", testing::sleep(Duration::from_secs(60)));
///     recorder.traced("quick", testing::sleep(Duration::from_secs(1))).await;
///     slow.cancel().await; // cancels it and waits until it has stopped
///     recorder.spans()
/// });
/// assert_eq!((spans[0].name.as_str(), spans[0].state), ("slow", State::Cancelled));
/// assert_eq!((spans[1].name.as_str(), spans[1].state), ("quick", State::Done));
/// assert_eq!(spans[0].end, Some(Duration::from_secs(1)));
/// ```
pub struct Recorder<R: Runtime> {
    shared: Arc<Shared>,
    runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime> Recorder<R> {
    /// A recorder with the default settings: 10,000 spans, 64 polls and marks kept per span, a
    /// 10 ms slow-poll threshold, warnings printed to stderr natively. Its time zero is now.
    ///
    /// # Examples
    ///
    /// ```
    /// let recorder = weft::trace::Recorder::new();
    /// assert!(recorder.spans().is_empty());
    /// ```
    pub fn new() -> Self {
        RecorderBuilder::default()
            .build()
            .expect("the default settings are valid")
    }

    /// A builder to choose the capacity, the slow-poll threshold and the warning hook.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let recorder = weft::trace::Recorder::builder()
    ///     .capacity(100)
    ///     .slow_poll_threshold(Duration::from_millis(50))
    ///     .build()
    ///     .unwrap();
    /// # drop(recorder);
    /// assert!(weft::trace::Recorder::builder().capacity(0).build().is_err());
    /// ```
    pub fn builder() -> RecorderBuilder<R> {
        RecorderBuilder::default()
    }

    /// Wraps `future` so that its life and polls are recorded as a span named `name`.
    ///
    /// The span is created now (`queued`), starts at the first poll and ends when the future
    /// completes (`done`), panics (`failed`) or is dropped (`cancelled`). Inside it, [`traced`],
    /// `spawn_named` and [`mark`](crate::trace::mark) record into this recorder.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::new();
    ///     assert_eq!(recorder.traced("answer", async { 42 }).await, 42);
    ///     assert_eq!(recorder.spans()[0].state, weft::trace::State::Done);
    /// });
    /// ```
    ///
    /// [`traced`]: crate::trace::traced
    pub fn traced<F: IntoFuture>(
        &self,
        name: impl Into<String>,
        future: F,
    ) -> Traced<F::IntoFuture> {
        Traced::recorded(
            &self.shared,
            name.into(),
            future.into_future(),
            traced::done,
        )
    }

    /// Like [`traced`](Recorder::traced), but an `Err` output ends the span `failed`.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::new();
    ///     let out = recorder.try_traced("login", async { Err::<(), _>("bad password") }).await;
    ///     assert!(out.is_err());
    ///     assert_eq!(recorder.spans()[0].state, weft::trace::State::Failed);
    /// });
    /// ```
    pub fn try_traced<F, T, E>(&self, name: impl Into<String>, future: F) -> Traced<F::IntoFuture>
    where
        F: IntoFuture<Output = Result<T, E>>,
    {
        Traced::recorded(
            &self.shared,
            name.into(),
            future.into_future(),
            traced::ok_or_failed,
        )
    }

    /// Spawns `future` on `R` as a task named `name`, traced; the span's `queued` time is now and
    /// its `start` the task's first poll. Dropping the returned task cancels it (span
    /// `cancelled`).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::new();
    ///     let task = recorder.spawn("fetch#1", async { "data" });
    ///     assert_eq!(task.await.unwrap(), "data");
    ///     let span = &recorder.spans()[0];
    ///     assert!(span.start.unwrap() >= span.queued);
    /// });
    /// ```
    pub fn spawn<F>(&self, name: impl Into<String>, future: F) -> Task<F::Output>
    where
        F: Future + MaybeSend + 'static,
        F::Output: MaybeSend + 'static,
    {
        R::spawn(self.traced(name, future))
    }

    /// A snapshot of the recorded spans, oldest first (running ones have no `end` yet).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::new();
    ///     let pending = recorder.traced("never polled", async {});
    ///     let span = &recorder.spans()[0];
    ///     assert_eq!(span.state, weft::trace::State::Queued);
    ///     assert_eq!(span.start, None);
    ///     drop(pending);
    ///     assert_eq!(recorder.spans()[0].state, weft::trace::State::Cancelled);
    /// });
    /// ```
    pub fn spans(&self) -> Vec<Span> {
        self.shared.view().spans().iter().cloned().collect()
    }

    /// The slow-poll warnings so far, oldest first (at most `capacity` are kept).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::builder()
    ///         .slow_poll_threshold(Duration::from_millis(5))
    ///         .on_slow_poll(|_| {}) // collect quietly
    ///         .build()
    ///         .unwrap();
    ///     recorder.traced("cpu#1", async { std::thread::sleep(Duration::from_millis(20)) }).await;
    ///     let warnings = recorder.warnings();
    ///     assert_eq!(warnings.len(), 1);
    ///     assert!(warnings[0].to_string().ends_with("in task cpu#1"));
    /// });
    /// ```
    pub fn warnings(&self) -> Vec<SlowPoll> {
        self.shared.view().warnings().iter().cloned().collect()
    }

    /// How many spans were dropped to stay within `capacity`.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::builder().capacity(2).build().unwrap();
    ///     for i in 0..5 {
    ///         recorder.traced(format!("job#{i}"), async {}).await;
    ///     }
    ///     assert_eq!(recorder.dropped_spans(), 3);
    ///     let names: Vec<_> = recorder.spans().into_iter().map(|s| s.name).collect();
    ///     assert_eq!(names, ["job#3", "job#4"]); // the newest are kept
    /// });
    /// ```
    pub fn dropped_spans(&self) -> u64 {
        self.shared.view().dropped()
    }

    /// The timeline as Chrome trace-event JSON, for `chrome://tracing` and Perfetto.
    ///
    /// One row (`tid`) per task, labelled with its name: a `queued` bar from creation to first
    /// poll, the task's bar from first poll to end (`args.state` says how it ended), a `poll` bar
    /// per recorded poll inside it, marks and slow polls as instant events. Times are in
    /// microseconds from the recorder's creation. A task still running is drawn up to now.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::new();
    ///     recorder.traced("fetch \"a\"", async {}).await;
    ///     let json: serde_json::Value = serde_json::from_str(&recorder.chrome_trace()).unwrap();
    ///     let events = json["traceEvents"].as_array().unwrap();
    ///     let task = events.iter().find(|e| e["cat"] == "task").unwrap();
    ///     assert_eq!(task["name"], "fetch \"a\"");
    ///     assert_eq!(task["ph"], "X");
    ///     assert_eq!(task["args"]["state"], "done");
    /// });
    /// ```
    pub fn chrome_trace(&self) -> String {
        let now = self.shared.offset((self.shared.now)());
        let view = self.shared.view();
        super::chrome::write(view.spans().iter(), view.warnings().iter(), now)
    }
}

impl<R: Runtime> Clone for Recorder<R> {
    fn clone(&self) -> Self {
        Recorder {
            shared: self.shared.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime> Default for Recorder<R> {
    fn default() -> Self {
        Recorder::new()
    }
}

impl<R: Runtime> fmt::Debug for Recorder<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let view = self.shared.view();
        f.debug_struct("Recorder")
            .field("spans", &view.spans().len())
            .field("dropped_spans", &view.dropped())
            .field("warnings", &view.warnings().len())
            .finish()
    }
}

/// Settings for a [`Recorder`]; made by [`Recorder::builder`].
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// weft::block_on(async {
///     let seen = Arc::new(Mutex::new(Vec::new()));
///     let recorder = weft::trace::Recorder::builder()
///         .slow_poll_threshold(Duration::from_millis(5))
///         .on_slow_poll({
///             let seen = seen.clone();
///             move |warning| seen.lock().unwrap().push(warning.task.clone())
///         })
///         .build()
///         .unwrap();
///     recorder.traced("blocker", async { std::thread::sleep(Duration::from_millis(20)) }).await;
///     assert_eq!(*seen.lock().unwrap(), ["blocker"]);
/// });
/// ```
pub struct RecorderBuilder<R: Runtime> {
    capacity: usize,
    polls_per_span: usize,
    slow_poll: Duration,
    hook: Option<Hook>,
    runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime> Default for RecorderBuilder<R> {
    fn default() -> Self {
        RecorderBuilder {
            capacity: DEFAULT_CAPACITY,
            polls_per_span: DEFAULT_POLLS_PER_SPAN,
            slow_poll: DEFAULT_SLOW_POLL,
            hook: None,
            runtime: PhantomData,
        }
    }
}

impl<R: Runtime> RecorderBuilder<R> {
    /// The most spans (and slow-poll warnings) kept; when full, the oldest is dropped. Default
    /// 10,000; 0 is a [`ConfigError`] at [`build`](RecorderBuilder::build).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = weft::trace::Recorder::builder().capacity(0).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid capacity: must be at least 1, got 0");
    /// ```
    pub fn capacity(mut self, spans: usize) -> Self {
        self.capacity = spans;
        self
    }

    /// How many polls and marks each span keeps individually; later ones are only counted.
    /// Default 64; 0 keeps counts only.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let recorder = weft::trace::Recorder::builder().polls_per_span(0).build().unwrap();
    ///     recorder.traced("t", weft::yield_now()).await;
    ///     let span = &recorder.spans()[0];
    ///     assert!(span.polls.is_empty());
    ///     assert_eq!(span.poll_count, 2);
    /// });
    /// ```
    pub fn polls_per_span(mut self, polls: usize) -> Self {
        self.polls_per_span = polls;
        self
    }

    /// A poll longer than this is reported as a [`SlowPoll`]. Default 10 ms; `Duration::MAX`
    /// turns the warnings off.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let quiet = weft::trace::Recorder::builder().slow_poll_threshold(Duration::MAX).build();
    /// assert!(quiet.is_ok());
    /// ```
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Self {
        self.slow_poll = threshold;
        self
    }

    /// Calls `hook` with each slow-poll warning, on the thread of the slow task, right after the
    /// poll; it replaces the default (stderr natively, nothing in the browser). Warnings are
    /// kept in the recorder either way.
    ///
    /// # Examples
    ///
    /// ```
    /// let recorder = weft::trace::Recorder::builder()
    ///     .on_slow_poll(|warning| eprintln!("weft: {warning}"))
    ///     .build()
    ///     .unwrap();
    /// # drop(recorder);
    /// ```
    pub fn on_slow_poll(mut self, hook: impl Fn(&SlowPoll) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The recorder; its time zero is now on `R`'s clock.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft::trace::Recorder::builder().build().is_ok());
    /// ```
    pub fn build(self) -> Result<Recorder<R>, ConfigError> {
        let capacity = ConfigError::at_least_one("capacity", self.capacity)?;
        let shared = Shared::new(
            R::now,
            capacity,
            self.polls_per_span,
            self.slow_poll,
            self.hook,
        );
        Ok(Recorder {
            shared: Arc::new(shared),
            runtime: PhantomData,
        })
    }
}

impl<R: Runtime> fmt::Debug for RecorderBuilder<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecorderBuilder")
            .field("capacity", &self.capacity)
            .field("polls_per_span", &self.polls_per_span)
            .field("slow_poll_threshold", &self.slow_poll)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}
