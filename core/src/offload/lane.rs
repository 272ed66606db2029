//! A worker's lane: the jobs the pool gave one worker, in order, and where their answers go.
//!
//! The slot task (slot.rs) puts jobs in; the backend's worker answers them, and each answer
//! goes straight to the job's caller, without a hop through the slot task. The slot is woken
//! only when it has something to do: room to give more jobs, a worker that died, a job whose
//! caller gave up.

use core::fmt;
use core::task::{Context, Waker};
use core::time::Duration;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_lock::SemaphoreGuardArc;
use futures_channel::oneshot;
use web_time::Instant;

use super::{Backend, CancelToken, WorkerError};

/// Where a job's answer goes: to whoever awaits its handle.
pub(super) type Answer<B> = oneshot::Sender<Result<<B as Backend>::Reply, WorkerError>>;

/// A job in the pool's queue.
pub(super) struct Job<B: Backend> {
    pub(super) call: B::Call,
    pub(super) answer: Answer<B>,
    /// Its place in the queue's capacity, given back when the job starts.
    pub(super) permit: SemaphoreGuardArc,
}

/// A job given to a worker.
pub(super) struct Entry<B: Backend> {
    /// Its number in its lane (the worker counts the jobs it receives the same way).
    seq: u64,
    /// Until the job starts: the call, so that a replacement worker can run it.
    call: Option<B::Call>,
    /// `None` once the caller has its answer (a timeout is told at once, before the worker is
    /// abandoned).
    answer: Option<Answer<B>>,
    permit: Option<SemaphoreGuardArc>,
    /// Made when a backend takes the call to run it itself (natively), to cancel it if abandoned.
    token: Option<CancelToken>,
    /// When it started: when the job before it was answered (or it was given to an idle worker).
    started: Option<Instant>,
    /// The worker was told not to start it (its caller gave up while it waited).
    skipped: bool,
    /// Running, it was given up on (its caller left, or it ran past the limit) at this moment,
    /// for this reason: its worker is abandoned unless it answers within the grace period.
    given_up: Option<(Instant, GaveUp)>,
}

/// Why the pool gave up on a running job.
#[derive(Clone, Copy)]
enum GaveUp {
    Cancelled,
    TimedOut(Duration),
}

impl<B: Backend> Entry<B> {
    pub(super) fn from_job(job: Job<B>) -> Self {
        Entry {
            seq: 0,
            call: Some(job.call),
            answer: Some(job.answer),
            permit: Some(job.permit),
            token: None,
            started: None,
            skipped: false,
            given_up: None,
        }
    }

    /// Whether nobody waits for its answer any more (its caller gave up, or was told it timed
    /// out).
    pub(super) fn is_cancelled(&self) -> bool {
        self.answer
            .as_ref()
            .is_none_or(oneshot::Sender::is_canceled)
    }

    /// Answers the caller (nobody, if the caller gave up or already has its answer).
    pub(super) fn finish(mut self, result: Result<B::Reply, WorkerError>) {
        self.tell(result);
    }

    fn tell(&mut self, result: Result<B::Reply, WorkerError>) {
        if let Some(answer) = self.answer.take() {
            let _ = answer.send(result);
        }
    }

    /// Gives up on it while it runs: its token is cancelled (a native job may stop early), and
    /// a timeout is told to its caller now.
    fn give_up(&mut self, now: Instant, why: GaveUp) {
        if let Some(token) = &self.token {
            token.cancel();
        }
        if let GaveUp::TimedOut(limit) = why {
            self.tell(Err(WorkerError::Timeout(limit)));
        }
        self.given_up = Some((now, why));
    }

    /// Fails a job its worker was abandoned in the middle of; a job still running natively sees
    /// its token cancelled and may stop early.
    pub(super) fn abandon(self, error: WorkerError) {
        if let Some(token) = &self.token {
            token.cancel();
        }
        self.finish(Err(error));
    }
}

/// A job the backend is to run now: its call, and natively the token it runs under.
pub struct Next<B: Backend> {
    /// The call to run.
    pub call: B::Call,
    /// The job's cancellation token ([`CancelToken::current`] while it runs).
    pub token: CancelToken,
    /// Its caller already gave up: answer it (with anything) without running it.
    pub cancelled: bool,
}

impl<B: Backend> fmt::Debug for Next<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field("cancelled", &self.cancelled)
            .finish_non_exhaustive()
    }
}

/// A job handed to a worker by [`Lane::unposted`].
#[derive(Debug)]
pub enum Posted<'a, C> {
    /// The worker is idle: the job starts now, and the call is the worker's to consume (move
    /// its buffers).
    Starting(C),
    /// The job waits behind others: the lane keeps the call (send a copy) until it starts.
    Waiting(&'a C),
}

/// How a worker died, as its backend reported it.
pub(super) enum Death<B: Backend> {
    /// The job it was running has this answer.
    Answered(Result<B::Reply, WorkerError>),
    /// The job it was running goes on, as this call, on the next worker.
    Unfinished(B::Call),
}

/// What the slot finds when it looks at its lane.
pub(super) enum Check<B: Backend> {
    /// The worker died.
    Died(Death<B>),
    /// The running job's caller gave up (or a skipped job did not come back in time).
    Cancelled,
    /// The running job ran past the limit.
    TimedOut(Duration),
    /// Fewer jobs are left than the slot asked to hear about.
    Room,
    /// Nothing to do before this moment (if any).
    Until(Option<Instant>),
}

struct State<B: Backend> {
    jobs: VecDeque<Entry<B>>,
    next_seq: u64,
    /// Jobs numbered from here on have not been handed to the backend by `unposted` yet.
    unposted: u64,
    /// The slot gave up on this worker: answers are ignored.
    closed: bool,
    died: Option<Death<B>>,
    slot: Option<Waker>,
    /// Wake the slot when fewer than this many jobs are left (0: never).
    wake_below: usize,
    /// A running average of how long a job takes here.
    typical: Option<Duration>,
    /// Whether this lane counts in the pool's idle workers now.
    counted_idle: bool,
}

/// The jobs the pool gave one worker, in the order the worker runs them, and where their answers
/// go.
///
/// A backend gets its worker's lane in [`Backend::start_worker`] and reports through it:
/// [`Lane::answer`] for each job in turn (the answer goes straight to the job's caller),
/// [`Lane::crashed`] or [`Lane::crashed_leaving`] when the worker dies. A worker that is sent its
/// jobs (the browser's) reads new ones with [`Lane::unposted`]; one that takes them itself (a
/// native thread) uses [`Lane::take_head`] and the [`Next`] that [`Lane::answer`] gives.
///
/// Cloning a lane gives another handle to the same one. Once the pool gives up on the worker
/// (timeout, cancellation, termination) the lane is closed and every report is ignored.
///
/// # Examples
///
/// ```
/// use weft::offload::Lane;
///
/// // A lane nobody gave jobs to: an answer goes nowhere and starts nothing.
/// let lane = Lane::<weft::DefaultRuntime>::detached();
/// assert!(lane.answer_then_take(Err(weft::WorkerError::Cancelled)).is_none());
/// assert!(lane.take_head().is_none());
/// ```
pub struct Lane<B: Backend> {
    state: Arc<Mutex<State<B>>>,
    idle: Arc<AtomicUsize>,
}

impl<B: Backend> Clone for Lane<B> {
    fn clone(&self) -> Self {
        Lane {
            state: self.state.clone(),
            idle: self.idle.clone(),
        }
    }
}

impl<B: Backend> fmt::Debug for Lane<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Lane")
            .field("jobs", &state.jobs.len())
            .field("closed", &state.closed)
            .finish()
    }
}

impl<B: Backend> Lane<B> {
    /// A lane of no pool (for tests and examples): it never gets jobs.
    pub fn detached() -> Self {
        Lane::new(Arc::new(AtomicUsize::new(0)), None)
    }

    /// A lane counting itself in `idle` (the pool's workers with nothing to do) while it is
    /// open and empty; `typical` carries the job durations seen on the previous worker.
    pub(super) fn new(idle: Arc<AtomicUsize>, typical: Option<Duration>) -> Self {
        Lane {
            state: Arc::new(Mutex::new(State {
                jobs: VecDeque::new(),
                next_seq: 0,
                unposted: 0,
                closed: false,
                died: None,
                slot: None,
                wake_below: 0,
                typical,
                counted_idle: false,
            })),
            idle,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<B>> {
        // Nothing panics while holding it; a poisoned lock still holds consistent data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_idle(&self, state: &mut State<B>, idle: bool) {
        if state.counted_idle != idle {
            state.counted_idle = idle;
            if idle {
                self.idle.fetch_add(1, Ordering::SeqCst);
            } else {
                self.idle.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// The worker is up: from now on an empty lane counts as an idle worker.
    pub(super) fn open(&self) {
        let mut state = self.lock();
        let idle = state.jobs.is_empty() && !state.closed;
        self.set_idle(&mut state, idle);
    }

    /// How many jobs the worker holds (the running one included).
    pub(super) fn len(&self) -> usize {
        self.lock().jobs.len()
    }

    /// How long a job typically takes here, once one has finished.
    pub(super) fn typical(&self) -> Option<Duration> {
        self.lock().typical
    }

    /// Adds a job at the back. A job given to an idle worker starts now.
    pub(super) fn push(&self, mut entry: Entry<B>) {
        let mut state = self.lock();
        entry.seq = state.next_seq;
        state.next_seq += 1;
        entry.skipped = false;
        if state.jobs.is_empty() {
            entry.started.get_or_insert_with(B::now);
            entry.permit = None;
            entry.given_up = None;
            self.set_idle(&mut state, false);
        }
        state.jobs.push_back(entry);
    }

    /// The worker answered its oldest job: the answer goes to that job's caller, and the next
    /// job starts now (a worker that was sent its jobs already has it). Ignored once the lane is
    /// closed or when it holds no job.
    pub fn answer(&self, result: Result<B::Reply, WorkerError>) {
        drop(self.answer_inner(result, false));
    }

    /// [`Lane::answer`] for a worker that takes its jobs from the lane: also gives it the next
    /// job to run, if there is one.
    pub fn answer_then_take(&self, result: Result<B::Reply, WorkerError>) -> Option<Next<B>> {
        self.answer_inner(result, true)
    }

    fn answer_inner(&self, result: Result<B::Reply, WorkerError>, take: bool) -> Option<Next<B>> {
        let mut state = self.lock();
        if state.closed {
            return None;
        }
        let done = state.jobs.pop_front()?;
        let now = B::now();
        if let Some(started) = done.started {
            let took = now.saturating_duration_since(started);
            state.typical = Some(match state.typical {
                Some(typical) => (typical * 3 + took) / 4,
                None => took,
            });
        }
        let next = state
            .jobs
            .front_mut()
            .and_then(|entry| start(entry, now, take));
        if state.jobs.is_empty() {
            self.set_idle(&mut state, true);
        }
        // A job told not to start becomes the front: if the word came too late, it runs now
        // with nobody waiting, and only the slot gives up on it (its grace counts from now).
        // Its caller left long ago, so nothing else will wake the slot for it.
        let skipped_front = state.jobs.front().is_some_and(|entry| entry.skipped);
        let wake = (skipped_front || state.jobs.len() < state.wake_below)
            .then(|| state.slot.take())
            .flatten();
        drop(state);
        done.finish(result);
        if let Some(slot) = wake {
            slot.wake();
        }
        next
    }

    /// Takes the call of the oldest job if the worker has not started it yet (a worker that
    /// takes its jobs from the lane calls this when idle).
    pub fn take_head(&self) -> Option<Next<B>> {
        let mut state = self.lock();
        if state.closed {
            return None;
        }
        let now = B::now();
        state
            .jobs
            .front_mut()
            .and_then(|entry| start(entry, now, true))
    }

    /// Hands the jobs added since the last call to `post`, in order, with their numbers.
    pub fn unposted(&self, mut post: impl FnMut(u64, Posted<'_, B::Call>)) {
        let mut state = self.lock();
        let State {
            jobs,
            unposted,
            next_seq,
            ..
        } = &mut *state;
        let first = jobs.front().map_or(*next_seq, |entry| entry.seq);
        let skip = usize::try_from(unposted.saturating_sub(first)).unwrap_or(usize::MAX);
        for (i, entry) in jobs.iter_mut().enumerate().skip(skip) {
            if i == 0
                && let Some(call) = entry.call.take()
            {
                post(entry.seq, Posted::Starting(call));
            } else if let Some(call) = &entry.call {
                post(entry.seq, Posted::Waiting(call));
            }
        }
        *unposted = *next_seq;
    }

    /// The worker died while running its oldest job, which gets `result` as its answer (if the
    /// lane is empty, the result goes nowhere). The pool replaces the worker and gives the jobs
    /// that had not started to the new one.
    pub fn crashed(&self, result: Result<B::Reply, WorkerError>) {
        self.died(Death::Answered(result));
    }

    /// The worker died in the middle of its oldest job: `rest` (what it had not done) runs on
    /// the next worker as the same job, before the jobs that had not started.
    pub fn crashed_leaving(&self, rest: B::Call) {
        self.died(Death::Unfinished(rest));
    }

    fn died(&self, death: Death<B>) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        state.died = Some(death);
        let slot = state.slot.take();
        drop(state);
        if let Some(slot) = slot {
            slot.wake();
        }
    }

    /// Looks at the lane for the slot: a dead worker, a running job to abandon, skips to send
    /// (into `skips`), and until when all is well. Registers the slot's waker for answers
    /// leaving fewer than `wake_below` jobs or a skipped job at the front, for deaths and for
    /// callers giving up.
    pub(super) fn check(
        &self,
        cx: &mut Context<'_>,
        limit: Option<Duration>,
        grace: Duration,
        wake_below: usize,
        skips: &mut Vec<u64>,
    ) -> Check<B> {
        let mut state = self.lock();
        if let Some(death) = state.died.take() {
            return Check::Died(death);
        }
        let mut running_cancelled = None;
        for (i, entry) in state.jobs.iter_mut().enumerate() {
            let Some(answer) = entry.answer.as_mut() else {
                continue;
            };
            if answer.poll_canceled(cx).is_pending() {
                continue;
            }
            if i == 0 && entry.call.is_none() {
                running_cancelled = Some(entry.skipped);
            } else if !entry.skipped {
                entry.skipped = true;
                skips.push(entry.seq);
            }
        }
        if state.slot.as_ref().is_none_or(|w| !w.will_wake(cx.waker())) {
            state.slot = Some(cx.waker().clone());
        }
        state.wake_below = wake_below;
        if state.jobs.len() < wake_below {
            return Check::Room;
        }
        let now = B::now();
        // The front job's time counts from when it became the front, whether or not the worker
        // has taken its call yet.
        let Some(head) = state.jobs.front_mut() else {
            return Check::Until(None);
        };
        let started = *head.started.get_or_insert(now);
        if head.given_up.is_none() {
            match running_cancelled {
                // Its caller left while it ran.
                Some(false) => head.give_up(now, GaveUp::Cancelled),
                // Cancelled while it waited and told not to start, it started anyway (the word
                // came too late): its grace counts from its start.
                Some(true) => head.give_up(started, GaveUp::Cancelled),
                None => {
                    if let Some(limit) = limit
                        && now >= started + limit
                    {
                        head.give_up(now, GaveUp::TimedOut(limit));
                    }
                }
            }
        }
        // A job given up on is not abandoned at once: if it answers within the grace period, it
        // had finished (its answer was on its way) and the jobs behind it may have started on
        // this worker, which goes on. Past the grace it has run so long that its worker runs
        // nothing behind it unbidden (see `Backend::skip`): those jobs go to the next worker.
        match head.given_up {
            Some((at, why)) if now >= at + grace => match why {
                GaveUp::Cancelled => Check::Cancelled,
                GaveUp::TimedOut(limit) => Check::TimedOut(limit),
            },
            Some((at, _)) => Check::Until(Some(at + grace)),
            None => Check::Until(limit.map(|limit| started + limit)),
        }
    }

    /// Closes the lane (answers are ignored from now on) and gives back every job in it, the
    /// running one first, with how the worker died if it did.
    pub(super) fn close(&self) -> (VecDeque<Entry<B>>, Option<Death<B>>) {
        let mut state = self.lock();
        state.closed = true;
        self.set_idle(&mut state, false);
        state.slot = None;
        (core::mem::take(&mut state.jobs), state.died.take())
    }
}

impl<B: Backend> Entry<B> {
    /// Whether the worker runs (or ran) it: its call is no longer in the lane.
    pub(super) fn has_started(&self) -> bool {
        self.call.is_none()
    }

    /// Makes it a continuation: `rest` runs on the next worker as this job.
    pub(super) fn resume_with(&mut self, rest: B::Call) {
        self.call = Some(rest);
    }
}

/// Starts the job at the front: its place in the queue is given back, and its call, if the lane
/// still held it, goes to the backend when it runs calls itself (`take`), or is dropped (the
/// worker was sent a copy).
fn start<B: Backend>(entry: &mut Entry<B>, now: Instant, take: bool) -> Option<Next<B>> {
    entry.started.get_or_insert(now);
    entry.permit = None;
    let call = entry.call.take()?;
    if !take {
        return None;
    }
    let token = entry.token.get_or_insert_with(CancelToken::new).clone();
    Some(Next {
        call,
        token,
        cancelled: entry.is_cancelled(),
    })
}
