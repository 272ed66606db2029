//! What a queue knows about its jobs: who waits for which result, and the progress counts.
//!
//! Shared by the submitter (which registers jobs), the collector (which reads the events stream
//! and hands out results) and the handles.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use event_listener::{Event, EventListener};

use crate::wire::{self, Outcome};
use crate::{Error, JobError, Progress};

/// A stored result, or why it could not be had.
pub(crate) type Stored = Result<Vec<u8>, JobError>;

/// Where one waiting handle gets its result.
#[derive(Default)]
pub(crate) struct Slot {
    value: Mutex<Option<Stored>>,
    ready: Event,
}

impl Slot {
    pub(crate) fn take(&self) -> Option<Stored> {
        lock(&self.value).take()
    }

    pub(crate) fn listen(&self) -> EventListener {
        self.ready.listen()
    }

    fn fill(&self, stored: Stored) {
        *lock(&self.value) = Some(stored);
        self.ready.notify(usize::MAX);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Queued,
    Running,
}

#[derive(Default)]
struct State {
    waiters: HashMap<String, Vec<(u64, Arc<Slot>)>>,
    /// This queue's jobs that have not ended.
    own: HashMap<String, Phase>,
    progress: Progress,
    version: u64,
    next_key: u64,
    closed: bool,
}

impl State {
    fn changed(&mut self) {
        let p = &mut self.progress;
        p.queued = p
            .submitted
            .saturating_sub(p.running)
            .saturating_sub(p.finished());
        self.version += 1;
    }

    /// Counts the end of one of this queue's jobs (once, whichever way it is learned).
    fn end_own(&mut self, id: &str, event: wire::Event) -> bool {
        let Some(phase) = self.own.remove(id) else {
            return false;
        };
        let p = &mut self.progress;
        if phase == Phase::Running {
            p.running -= 1;
        }
        match event {
            wire::Event::Done => p.done += 1,
            wire::Event::Failed => p.failed += 1,
            wire::Event::Dead => p.dead += 1,
            _ => p.cancelled += 1,
        }
        true
    }
}

#[derive(Default)]
pub(crate) struct Tracker {
    state: Mutex<State>,
    /// Progress changed, or the queue closed.
    changes: Event,
    /// A job ended: the backlog may have room again.
    ended: Event,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code here panics while holding a lock; survive one anyway rather than cascade.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl fmt::Debug for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Tracker")
            .field("progress", &state.progress)
            .field("waiting", &state.waiters.len())
            .finish()
    }
}

impl Tracker {
    /// Registers a handle waiting for job `id`; returns its key (for [`Tracker::unwatch`]).
    pub(crate) fn watch(&self, id: &str) -> (u64, Arc<Slot>) {
        let mut state = lock(&self.state);
        state.next_key += 1;
        let key = state.next_key;
        let slot = Arc::new(Slot::default());
        state
            .waiters
            .entry(id.to_owned())
            .or_default()
            .push((key, slot.clone()));
        (key, slot)
    }

    /// A handle stopped waiting (dropped).
    pub(crate) fn unwatch(&self, id: &str, key: u64) {
        let mut state = lock(&self.state);
        if let Some(slots) = state.waiters.get_mut(id) {
            slots.retain(|(k, _)| *k != key);
            if slots.is_empty() {
                state.waiters.remove(id);
            }
        }
    }

    /// This queue is handing job `id` to Redis.
    pub(crate) fn submitting(&self, id: &str) {
        let mut state = lock(&self.state);
        state.own.insert(id.to_owned(), Phase::Queued);
        state.progress.submitted += 1;
        state.changed();
        drop(state);
        self.changes.notify(usize::MAX);
    }

    /// Handing job `id` to Redis failed: it does not exist.
    pub(crate) fn submit_failed(&self, id: &str, err: &Error) {
        let mut state = lock(&self.state);
        if let Some(phase) = state.own.remove(id) {
            // A lost reply may hide a job that was stored after all and even started.
            if phase == Phase::Running {
                state.progress.running -= 1;
            }
            state.progress.submitted -= 1;
            state.changed();
        }
        let slots = state.waiters.remove(id).unwrap_or_default();
        drop(state);
        for (_, slot) in slots {
            slot.fill(Err(JobError::Queue(err.clone())));
        }
        self.changes.notify(usize::MAX);
    }

    /// An event about job `id`; returns whether someone here wants its result now.
    pub(crate) fn event(&self, event: wire::Event, id: &str) -> bool {
        let mut state = lock(&self.state);
        let mut changed = false;
        match event {
            wire::Event::Running | wire::Event::Retried => {
                if event == wire::Event::Retried && state.own.contains_key(id) {
                    state.progress.retried += 1;
                    changed = true;
                }
                if let Some(phase) = state.own.get_mut(id)
                    && *phase == Phase::Queued
                {
                    *phase = Phase::Running;
                    state.progress.running += 1;
                    changed = true;
                }
            }
            _ => changed = state.end_own(id, event),
        }
        if changed {
            state.changed();
        }
        let wanted = event.is_final() && state.waiters.contains_key(id);
        drop(state);
        if changed {
            self.changes.notify(usize::MAX);
        }
        if event.is_final() {
            self.ended.notify(usize::MAX);
        }
        wanted
    }

    /// Job `id` has ended with `stored`: wakes every handle waiting for it.
    pub(crate) fn resolve(&self, id: &str, stored: Stored) {
        let mut state = lock(&self.state);
        // A result found without its event (a sweep) still counts in the progress.
        let event = match &stored {
            Ok(bytes) => Outcome::decode(bytes.clone()).map(|o| o.event()).ok(),
            Err(_) => None,
        };
        let changed = event.is_some_and(|event| state.end_own(id, event));
        if changed {
            state.changed();
        }
        let slots = state.waiters.remove(id).unwrap_or_default();
        drop(state);
        for (_, slot) in slots {
            slot.fill(stored.clone());
        }
        if changed {
            self.changes.notify(usize::MAX);
        }
    }

    /// Every job someone here waits for or counts, for a sweep.
    pub(crate) fn outstanding(&self) -> Vec<String> {
        let state = lock(&self.state);
        let mut ids: Vec<String> = state.waiters.keys().cloned().collect();
        ids.extend(
            state
                .own
                .keys()
                .filter(|id| !state.waiters.contains_key(*id))
                .cloned(),
        );
        ids
    }

    /// Whether a sweep could find anything.
    pub(crate) fn has_outstanding(&self) -> bool {
        let state = lock(&self.state);
        !state.waiters.is_empty() || !state.own.is_empty()
    }

    /// Redis stayed unreachable: every waiting handle gets `err` (the jobs themselves go on).
    pub(crate) fn fail_waiters(&self, err: &Error) {
        let waiters = std::mem::take(&mut lock(&self.state).waiters);
        for (_, slot) in waiters.into_values().flatten() {
            slot.fill(Err(JobError::Queue(err.clone())));
        }
    }

    pub(crate) fn snapshot(&self) -> (u64, Progress, bool) {
        let state = lock(&self.state);
        (state.version, state.progress, state.closed)
    }

    pub(crate) fn listen_changes(&self) -> EventListener {
        self.changes.listen()
    }

    pub(crate) fn listen_ended(&self) -> EventListener {
        self.ended.listen()
    }

    /// The queue is gone: progress streams end.
    pub(crate) fn close(&self) {
        lock(&self.state).closed = true;
        self.changes.notify(usize::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_counted_once_whichever_way_its_end_is_learned() {
        let tracker = Tracker::default();
        tracker.submitting("a");
        tracker.submitting("b");
        assert_eq!(tracker.snapshot().1.queued, 2);
        tracker.event(wire::Event::Running, "a");
        tracker.event(wire::Event::Retried, "a");
        let p = tracker.snapshot().1;
        assert_eq!((p.queued, p.running, p.retried), (1, 1, 1));
        tracker.event(wire::Event::Done, "a");
        tracker.event(wire::Event::Done, "a");
        tracker.resolve("b", Ok(Outcome::Cancelled.encode()));
        tracker.event(wire::Event::Cancelled, "b");
        let p = tracker.snapshot().1;
        assert_eq!((p.done, p.cancelled, p.running, p.queued), (1, 1, 0, 0));
        assert!(p.is_complete());
    }

    #[test]
    fn waiters_get_the_result_and_dropped_ones_are_forgotten() {
        let tracker = Tracker::default();
        let (_, slot) = tracker.watch("a");
        let (key, _) = tracker.watch("a");
        tracker.unwatch("a", key);
        assert!(tracker.event(wire::Event::Done, "a"));
        tracker.resolve("a", Ok(vec![1]));
        assert!(matches!(slot.take(), Some(Ok(v)) if v == [1]));
        assert!(!tracker.has_outstanding());
    }
}
