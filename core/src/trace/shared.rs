//! The timeline store every clone of a recorder and every traced future of it shares, bounded.

use core::time::Duration;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use web_time::Instant;

use super::{Mark, PollTime, SlowPoll, Span, State};

/// The slow-poll hook, as stored.
pub(super) type Hook = Arc<dyn Fn(&SlowPoll) + Send + Sync>;

/// The state every clone of a recorder (and every traced future of it) shares. Not generic: the
/// runtime only matters for its clock, kept as a function pointer, so the ambient "current
/// recorder" of a task can be stored without knowing `R`.
pub(crate) struct Shared {
    pub(crate) now: fn() -> Instant,
    origin: Instant,
    capacity: usize,
    polls_per_span: usize,
    slow_poll: Duration,
    hook: Option<Hook>,
    book: Mutex<Book>,
}

/// A read-only view of the store, for the recorder's accessors.
pub(super) struct View<'a>(MutexGuard<'a, Book>);

impl View<'_> {
    pub(super) fn spans(&self) -> &VecDeque<Span> {
        &self.0.spans
    }

    pub(super) fn warnings(&self) -> &VecDeque<SlowPoll> {
        &self.0.warnings
    }

    pub(super) fn dropped(&self) -> u64 {
        self.0.dropped
    }
}

struct Book {
    // Ids are consecutive: `spans[i].id == next_id - spans.len() + i`, because spans are only
    // pushed at the back (in id order) and dropped at the front.
    spans: VecDeque<Span>,
    next_id: u64,
    dropped: u64,
    warnings: VecDeque<SlowPoll>,
}

impl Default for Book {
    fn default() -> Self {
        Book {
            spans: VecDeque::new(),
            next_id: 1, // ids start at 1: 0 is the Chrome trace's process row
            dropped: 0,
            warnings: VecDeque::new(),
        }
    }
}

impl Book {
    fn get(&mut self, id: u64) -> Option<&mut Span> {
        let first = self.next_id - self.spans.len() as u64;
        let index = usize::try_from(id.checked_sub(first)?).ok()?;
        self.spans.get_mut(index)
    }
}

impl Shared {
    /// A store on the clock `now`, whose time zero is now.
    pub(super) fn new(
        now: fn() -> Instant,
        capacity: usize,
        polls_per_span: usize,
        slow_poll: Duration,
        hook: Option<Hook>,
    ) -> Self {
        Shared {
            now,
            origin: now(),
            capacity,
            polls_per_span,
            slow_poll,
            hook,
            book: Mutex::new(Book::default()),
        }
    }

    pub(super) fn view(&self) -> View<'_> {
        View(self.book())
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        // A panicking hook or task must not make the timeline unreadable.
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn offset(&self, at: Instant) -> Duration {
        at.saturating_duration_since(self.origin)
    }

    /// Starts a span; returns its id.
    pub(crate) fn open(&self, name: String, parent: Option<u64>) -> u64 {
        let queued = self.offset((self.now)());
        let mut book = self.book();
        let id = book.next_id;
        book.next_id += 1;
        if book.spans.len() >= self.capacity {
            book.spans.pop_front();
            book.dropped += 1;
        }
        book.spans.push_back(Span {
            id,
            name,
            parent,
            queued,
            start: None,
            end: None,
            state: State::Queued,
            polls: Vec::new(),
            poll_count: 0,
            busy: Duration::ZERO,
            marks: Vec::new(),
        });
        id
    }

    /// Records one poll of span `id` from `start` to `end`; `outcome` ends the span.
    pub(crate) fn poll(&self, id: u64, start: Instant, end: Instant, outcome: Option<State>) {
        let duration = end.saturating_duration_since(start);
        let start = self.offset(start);
        let warning = {
            let mut book = self.book();
            let Some(span) = book.get(id) else { return };
            if span.state.is_final() {
                return;
            }
            span.start.get_or_insert(start);
            span.poll_count += 1;
            span.busy = span.busy.saturating_add(duration);
            if span.polls.len() < self.polls_per_span {
                span.polls.push(PollTime { start, duration });
            }
            span.state = State::Running;
            if let Some(state) = outcome {
                span.state = state;
                span.end = Some(start.saturating_add(duration));
            }
            let warning = (duration > self.slow_poll).then(|| SlowPoll {
                task: span.name.clone(),
                id,
                at: start,
                duration,
            });
            if let Some(warning) = &warning {
                if book.warnings.len() >= self.capacity {
                    book.warnings.pop_front();
                }
                book.warnings.push_back(warning.clone());
            }
            warning
        };
        // Outside the lock: the hook may read the recorder.
        if let Some(warning) = warning {
            self.warn(&warning);
        }
    }

    /// Ends span `id` with `state` unless it has ended already.
    pub(crate) fn close(&self, id: u64, state: State) {
        let end = self.offset((self.now)());
        let mut book = self.book();
        if let Some(span) = book.get(id)
            && !span.state.is_final()
        {
            span.state = state;
            span.end = Some(end);
        }
    }

    pub(crate) fn mark(&self, id: u64, kind: String) {
        let at = self.offset((self.now)());
        let mut book = self.book();
        if let Some(span) = book.get(id)
            && span.marks.len() < self.polls_per_span
        {
            span.marks.push(Mark { at, kind });
        }
    }

    fn warn(&self, warning: &SlowPoll) {
        #[cfg(feature = "tracing")]
        tracing::warn!(
            task = %warning.task,
            duration_ms = warning.duration.as_secs_f64() * 1000.0,
            "{warning}"
        );
        match &self.hook {
            Some(hook) => hook(warning),
            None => default_warn(warning),
        }
    }
}

#[cfg(all(not(target_family = "wasm"), not(feature = "tracing")))]
fn default_warn(warning: &SlowPoll) {
    eprintln!("weft: {warning}");
}

// In the browser there is no stderr, and with `tracing` the warning already went to the
// subscriber: the recorder's list is where to look.
#[cfg(any(target_family = "wasm", feature = "tracing"))]
fn default_warn(_: &SlowPoll) {}
