//! One worker's task: gives jobs from the pool's queue to its worker (a few ahead when they are
//! tiny: pipelining), enforces each job's timeout and cancellation, and replaces the worker when
//! a job must be abandoned or the worker dies.

use core::future::poll_fn;
use core::pin::{Pin, pin};
use core::task::Poll;
use core::time::Duration;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_channel::TryRecvError;
use event_listener::Event;
use futures_lite::future;
use web_time::Instant;

use super::lane::{Check, Death, Entry, Job, Lane};
use super::{Backend, CancelToken, WorkerError};

/// How much work may wait behind a worker's running job, judged by how long jobs take there:
/// tiny jobs are given a few at a time, long ones one by one (so that a job never waits behind a
/// long one while another worker is free).
const WAIT_BUDGET: Duration = Duration::from_millis(2);

/// How long a running job the pool gave up on (its caller left, it timed out, or it was told
/// not to start and started anyway) has to answer before its worker is abandoned. An answer
/// within it was on its way already, and the jobs behind it may have started on this worker, so
/// the worker goes on; past it, the job has run so long that its worker starts nothing behind it
/// without the pool's word, and those jobs can go to the next worker without running twice.
const GIVE_UP_GRACE: Duration = Duration::from_millis(20);

/// How many slot tasks are still running, and who waits for none to be.
pub(super) struct Slots {
    live: AtomicUsize,
    stopped: Event,
}

impl Slots {
    pub(super) fn new(live: usize) -> Self {
        Slots {
            live: AtomicUsize::new(live),
            stopped: Event::new(),
        }
    }

    /// Waits until every slot task has ended.
    pub(super) async fn all_stopped(&self) {
        loop {
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            let listener = self.stopped.listen();
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            listener.await;
        }
    }
}

/// Marks a slot task as stopped when it ends, however it ends.
struct SlotCount(Arc<Slots>);

impl Drop for SlotCount {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.stopped.notify(usize::MAX);
        }
    }
}

/// One worker's task.
pub(super) struct Slot<B: Backend> {
    queue: async_channel::Receiver<Job<B>>,
    job_timeout: Option<Duration>,
    terminate: CancelToken,
    /// How many of the pool's workers have nothing to do.
    idle: Arc<AtomicUsize>,
    _count: SlotCount,
}

/// Counts a starting worker among the idle ones while it lives.
struct Starting<'a>(&'a AtomicUsize);

impl<'a> Starting<'a> {
    fn new(idle: &'a AtomicUsize) -> Self {
        idle.fetch_add(1, Ordering::SeqCst);
        Starting(idle)
    }
}

impl Drop for Starting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a slot carries from one worker to the next.
struct Carry<B: Backend> {
    /// Jobs the last worker had not started (and one it left half done): the next gets them
    /// first.
    jobs: VecDeque<Entry<B>>,
    /// A job that may only go to an idle worker.
    held: Option<Job<B>>,
    /// How long jobs took on the last worker.
    typical: Option<Duration>,
    /// The queue is closed and empty.
    queue_closed: bool,
}

/// How a worker's service ended.
enum Served {
    /// The worker was abandoned or died: start another.
    Replace,
    /// The pool closed (and the queue is done) or was terminated.
    Stop,
}

/// What the slot waits for once its worker has all it may take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wants {
    /// More jobs from the queue, as they come.
    More,
    /// Room in a full lane.
    Room,
    /// An idle worker: jobs wait for this one's lane to empty.
    Idle,
}

/// Why the slot woke up.
enum Woke<B: Backend> {
    Job(Job<B>),
    QueueClosed,
    Died(Death<B>),
    Cancelled,
    TimedOut(Duration),
    Terminated,
    Look,
}

impl<B: Backend> Slot<B> {
    pub(super) fn new(
        queue: async_channel::Receiver<Job<B>>,
        job_timeout: Option<Duration>,
        terminate: CancelToken,
        slots: Arc<Slots>,
        idle: Arc<AtomicUsize>,
    ) -> Self {
        Slot {
            queue,
            job_timeout,
            terminate,
            idle,
            _count: SlotCount(slots),
        }
    }

    pub(super) async fn run(self) {
        let mut carry = Carry {
            jobs: VecDeque::new(),
            held: None,
            typical: None,
            queue_closed: false,
        };
        while !self.terminate.is_cancelled() {
            let lane = Lane::new(self.idle.clone(), carry.typical);
            // A worker still starting will be free soon: it counts as idle meanwhile, so that
            // jobs do not queue behind another worker's (a fresh pool's second job would
            // otherwise wait behind the first on the worker that happened to start first).
            let starting = Starting::new(&self.idle);
            let started = self.start(&lane).await;
            drop(starting);
            match started {
                None => break,
                Some(Ok(worker)) => {
                    lane.open();
                    match self.serve(worker, &lane, &mut carry).await {
                        Served::Replace => continue,
                        Served::Stop => break,
                    }
                }
                Some(Err(error)) => {
                    // The job that needed this worker fails with why; the next one tries again.
                    if let Some(entry) = carry.jobs.pop_front() {
                        entry.finish(Err(error));
                    } else if let Some(job) = carry.held.take() {
                        Entry::from_job(job).finish(Err(error));
                    } else if carry.queue_closed {
                        break;
                    } else {
                        // Nobody needed it yet: wait for a job (terminate closes the queue).
                        match self.queue.recv().await {
                            Ok(job) => carry.held = Some(job),
                            Err(_) => break,
                        }
                    }
                }
            }
        }
        // Terminated: what is left fails instead of leaving its callers waiting.
        for entry in carry.jobs.drain(..) {
            entry.finish(Err(WorkerError::Terminated));
        }
        let held = carry.held.take().into_iter();
        for job in held.chain(core::iter::from_fn(|| self.queue.try_recv().ok())) {
            Entry::from_job(job).finish(Err(WorkerError::Terminated));
        }
    }

    /// Starts a worker, unless the pool is terminated first (`None`).
    async fn start(&self, lane: &Lane<B>) -> Option<Result<B::Worker, WorkerError>> {
        future::or(async { Some(B::start_worker(lane.clone()).await) }, async {
            self.terminate.cancelled().await;
            None
        })
        .await
        .filter(|_| !self.terminate.is_cancelled())
    }

    /// Runs jobs on `worker` until it must be replaced or the pool stops.
    async fn serve(&self, mut worker: B::Worker, lane: &Lane<B>, carry: &mut Carry<B>) -> Served {
        let mut timer: Option<(Instant, Pin<Box<B::Sleep>>)> = None;
        let mut incoming = None;
        let mut skips = Vec::new();
        loop {
            if self.terminate.is_cancelled() {
                let (entries, _) = lane.close();
                B::stop_worker(worker, true);
                for entry in entries {
                    entry.abandon(WorkerError::Terminated);
                }
                return Served::Stop;
            }
            let wants = self.fill(&mut worker, lane, carry, &mut incoming);
            let len = lane.len();
            if len == 0 && carry.queue_closed && carry.jobs.is_empty() && carry.held.is_none() {
                lane.close();
                B::stop_worker(worker, false);
                return Served::Stop;
            }
            let receive = wants == Wants::More && !carry.queue_closed && carry.held.is_none();
            let wake_below = match wants {
                Wants::More => 0,
                Wants::Room => B::DEPTH / 2 + 1,
                Wants::Idle => 1,
            };
            let woke = self
                .wait(
                    &mut worker,
                    lane,
                    &mut timer,
                    &mut skips,
                    receive,
                    wake_below,
                )
                .await;
            let error = match woke {
                Woke::Job(job) => {
                    incoming = Some(job);
                    continue;
                }
                Woke::QueueClosed => {
                    carry.queue_closed = true;
                    continue;
                }
                Woke::Terminated | Woke::Look => continue,
                Woke::Died(death) => {
                    self.replace(worker, lane, carry, Some(death), None);
                    return Served::Replace;
                }
                Woke::Cancelled => WorkerError::Cancelled,
                Woke::TimedOut(limit) => WorkerError::Timeout(limit),
            };
            self.replace(worker, lane, carry, None, Some(error));
            return Served::Replace;
        }
    }

    /// Gives the worker the jobs it may take now; says what to wait for next.
    fn fill(
        &self,
        worker: &mut B::Worker,
        lane: &Lane<B>,
        carry: &mut Carry<B>,
        incoming: &mut Option<Job<B>>,
    ) -> Wants {
        let mut len = lane.len();
        let before = len;
        // The last worker's jobs come first: they were given out once already.
        while let Some(entry) = carry.jobs.pop_front() {
            if !entry.is_cancelled() {
                lane.push(entry);
                len += 1;
            }
        }
        let wants = loop {
            let job = if let Some(job) = incoming.take() {
                job // it came while the worker could take it
            } else if len >= B::DEPTH {
                break Wants::Room;
            } else if len > 0 && (carry.held.is_some() || !self.may_wait(lane, len)) {
                break Wants::Idle;
            } else if let Some(job) = carry.held.take() {
                job
            } else {
                match self.queue.try_recv() {
                    Ok(job) => job,
                    Err(TryRecvError::Empty) => break Wants::More,
                    Err(TryRecvError::Closed) => {
                        carry.queue_closed = true;
                        break Wants::Idle;
                    }
                }
            };
            if job.answer.is_canceled() {
                continue; // its caller gave up before it started
            }
            if len > 0 && !B::can_wait(&job.call) {
                carry.held = Some(job);
                continue;
            }
            lane.push(Entry::from_job(job));
            len += 1;
        };
        if len > before {
            B::post(worker, lane);
        }
        wants
    }

    /// Whether one more job may wait on this worker, behind `len` jobs: no other worker is
    /// idle, and jobs here are short enough that the wait stays within the budget.
    fn may_wait(&self, lane: &Lane<B>, len: usize) -> bool {
        let waiting = u32::try_from(len).unwrap_or(u32::MAX);
        self.idle.load(Ordering::SeqCst) == 0
            && lane
                .typical()
                .is_some_and(|typical| typical.saturating_mul(waiting) <= WAIT_BUDGET)
    }

    /// Waits until something needs the slot: a job from the queue (if `receive`), an answer
    /// leaving fewer than `wake_below` jobs, a dead worker, a job to abandon or skip, the
    /// pool's termination.
    async fn wait(
        &self,
        worker: &mut B::Worker,
        lane: &Lane<B>,
        timer: &mut Option<(Instant, Pin<Box<B::Sleep>>)>,
        skips: &mut Vec<u64>,
        receive: bool,
        wake_below: usize,
    ) -> Woke<B> {
        // While receiving, termination reaches the slot through the queue, which it closes.
        let mut recv = pin!(receive.then(|| self.queue.recv()));
        let mut terminated = pin!(self.terminate.cancelled());
        poll_fn(|cx| {
            let check = lane.check(cx, self.job_timeout, GIVE_UP_GRACE, wake_below, skips);
            for seq in skips.drain(..) {
                B::skip(worker, seq);
            }
            match check {
                Check::Died(death) => return Poll::Ready(Woke::Died(death)),
                Check::Cancelled => return Poll::Ready(Woke::Cancelled),
                Check::TimedOut(limit) => return Poll::Ready(Woke::TimedOut(limit)),
                Check::Room => return Poll::Ready(Woke::Look),
                Check::Until(Some(at)) => {
                    // An armed timer that fires early only makes the slot look again.
                    if timer.as_ref().is_none_or(|(armed, _)| *armed > at) {
                        *timer = Some((at, Box::pin(B::sleep_until(at))));
                    }
                }
                Check::Until(None) => {}
            }
            if let Some((_, sleep)) = timer.as_mut()
                && sleep.as_mut().poll(cx).is_ready()
            {
                *timer = None;
                return Poll::Ready(Woke::Look);
            }
            match recv.as_mut().as_pin_mut() {
                Some(recv) => {
                    if let Poll::Ready(received) = recv.poll(cx) {
                        return Poll::Ready(match received {
                            Ok(job) => Woke::Job(job),
                            Err(_) => Woke::QueueClosed,
                        });
                    }
                }
                None => {
                    if terminated.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Woke::Terminated);
                    }
                }
            }
            Poll::Pending
        })
        .await
    }

    /// Gives up on the worker: its running job gets the answer the dying worker left, goes on
    /// as the call it left, or fails with `error`; the jobs it had not started go to the next
    /// worker.
    fn replace(
        &self,
        worker: B::Worker,
        lane: &Lane<B>,
        carry: &mut Carry<B>,
        death: Option<Death<B>>,
        error: Option<WorkerError>,
    ) {
        carry.typical = lane.typical();
        let (mut entries, died) = lane.close();
        B::stop_worker(worker, true);
        if entries.front().is_some_and(Entry::has_started)
            && let Some(mut running) = entries.pop_front()
        {
            match death.or(died) {
                Some(Death::Unfinished(rest)) => {
                    running.resume_with(rest);
                    carry.jobs.push_back(running);
                }
                Some(Death::Answered(result)) => running.finish(result),
                None => running
                    .abandon(error.unwrap_or_else(|| {
                        WorkerError::WorkerCrashed("the worker stopped".into())
                    })),
            }
        }
        carry
            .jobs
            .extend(entries.into_iter().filter(|entry| !entry.is_cancelled()));
    }
}
