//! Chaos: many items with random delays, injected failures, panics and cancellations; every
//! item is done exactly once or reported failed or cancelled, and the counts are exact.
//!
//! Each item's fate is planned from the seed and its index, so a run can be replayed
//! (`WEFT_SEED=<seed>`, printed in every assertion). Each item also keeps a ledger entry written
//! from inside its own future: started (at most once), then exactly one ending — done, failed,
//! panicked, or cancelled (its future dropped before it finished). The test then checks that
//! what the pattern *reported* matches the ledger item by item, and that both match the plan.
//!
//! Natively the planned panics are real panics; in the browser a panic aborts the wasm
//! instance, so there they are injected as an `Err` (counted as panics all the same).
//!
//! Hook for the worker pool (being built elsewhere): a third path, jobs through
//! `weft::WorkerPool::run` with workers crashed mid-job, belongs here with the same ledger;
//! its jobs end in the worker, so their ledger lives in the job's result, not in shared memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{Live, NATIVE, eventually, report, scale, seed};

/// What the plan holds for an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Runs to the end and succeeds.
    None,
    /// Returns an `Err`.
    Fail,
    /// Panics (natively); returns an `Err` saying so in the browser.
    Panic,
    /// Never finishes by itself: the caller's short timeout drops it in flight.
    Cancel,
    /// Pipeline only: submitted with a zero timeout, so the submit may be dropped while it waits.
    SubmitRace,
    /// Group path only: the item's failure fails its whole chunk, which cancels the siblings.
    Fatal,
}

#[derive(Clone, Copy, Debug)]
struct Plan {
    fault: Fault,
    /// Yields before finishing (a few polls), or sleeps this long.
    yields: u32,
    sleep: Option<Duration>,
    /// How long a `Cancel` item is given before its caller drops it.
    cancel_after: Duration,
}

fn plan(seed: u64, index: usize, path: Path) -> Plan {
    let mut rng =
        fastrand::Rng::with_seed(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let fault = match rng.u32(0..1000) {
        0..10 => Fault::Panic,
        10..20 => Fault::Cancel,
        20..30 => Fault::Fail,
        30..40 if path == Path::Pipeline => Fault::SubmitRace,
        30..32 if path == Path::Group => Fault::Fatal,
        _ => Fault::None,
    };
    let sleep = (rng.u32(0..100) < 8).then(|| Duration::from_micros(rng.u64(0..=2_000)));
    Plan {
        fault,
        yields: rng.u32(0..4),
        sleep,
        cancel_after: Duration::from_micros(rng.u64(0..=2_000)),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Pipeline,
    Group,
}

/// How an item ended, as its own future saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum End {
    NotStarted = 0,
    Running = 1,
    Done = 2,
    Failed = 3,
    Panicked = 4,
    Cancelled = 5,
}

impl End {
    fn from_u8(n: u8) -> End {
        [
            End::NotStarted,
            End::Running,
            End::Done,
            End::Failed,
            End::Panicked,
            End::Cancelled,
        ][usize::from(n)]
    }

    /// What the plan says the ledger must show for an item that ran to its end.
    fn planned(fault: Fault) -> End {
        match fault {
            Fault::None | Fault::SubmitRace => End::Done,
            Fault::Fail | Fault::Fatal => End::Failed,
            Fault::Panic => End::Panicked,
            Fault::Cancel => End::Cancelled,
        }
    }
}

/// What the caller was told about an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reported {
    Failed(usize),
    Panicked(usize),
    Cancelled(usize),
    Fatal(usize),
}

impl Reported {
    fn index(self) -> usize {
        match self {
            Reported::Failed(i) | Reported::Panicked(i) | Reported::Cancelled(i) => i,
            Reported::Fatal(i) => i,
        }
    }

    fn end(self) -> End {
        match self {
            Reported::Failed(_) | Reported::Fatal(_) => End::Failed,
            Reported::Panicked(_) => End::Panicked,
            Reported::Cancelled(_) => End::Cancelled,
        }
    }
}

struct Ledger {
    ends: Vec<AtomicU8>,
    /// Items whose future started a second time, or ended twice: both must stay 0.
    twice: AtomicUsize,
}

impl Ledger {
    fn new(n: usize) -> Arc<Ledger> {
        Arc::new(Ledger {
            ends: (0..n).map(|_| AtomicU8::new(0)).collect(),
            twice: AtomicUsize::new(0),
        })
    }

    fn start(self: &Arc<Self>, index: usize) -> Run {
        if self.ends[index]
            .compare_exchange(0, End::Running as u8, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            self.twice.fetch_add(1, Ordering::SeqCst);
        }
        Run {
            ledger: self.clone(),
            index,
            ended: false,
        }
    }

    fn end_of(&self, index: usize) -> End {
        End::from_u8(self.ends[index].load(Ordering::SeqCst))
    }

    fn count(&self, end: End) -> usize {
        (0..self.ends.len())
            .filter(|&i| self.end_of(i) == end)
            .count()
    }

    fn still_running(&self) -> usize {
        self.count(End::Running)
    }
}

/// An item's run: records its ending, or on drop that it panicked or was cancelled.
struct Run {
    ledger: Arc<Ledger>,
    index: usize,
    ended: bool,
}

impl Run {
    fn end(&mut self, end: End) {
        self.ended = true;
        if self.ledger.ends[self.index]
            .compare_exchange(
                End::Running as u8,
                end as u8,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_err()
        {
            self.ledger.twice.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if !self.ended {
            let end = if std::thread::panicking() {
                End::Panicked
            } else {
                End::Cancelled
            };
            self.end(end);
        }
    }
}

/// Keeps the planned panics off stderr (thousands of them in the soak run); any other panic
/// is printed as usual.
fn quiet_injected_panics() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let payload = info.payload();
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("");
                if !message.starts_with("injected panic") {
                    previous(info);
                }
            }));
        });
    }
}

/// The item itself: a few polls or a short sleep, then the planned ending.
async fn work(ledger: Arc<Ledger>, live: Live, index: usize, plan: Plan) -> Result<(), Reported> {
    let _live = live.guard();
    let mut run = ledger.start(index);
    for _ in 0..plan.yields {
        weft::yield_now().await;
    }
    if let Some(sleep) = plan.sleep {
        weft::sleep(sleep).await;
    }
    match plan.fault {
        Fault::None | Fault::SubmitRace => {
            run.end(End::Done);
            Ok(())
        }
        Fault::Fail => {
            run.end(End::Failed);
            Err(Reported::Failed(index))
        }
        Fault::Fatal => {
            run.end(End::Failed);
            Err(Reported::Fatal(index))
        }
        Fault::Panic if NATIVE => panic!("injected panic in item {index}"),
        Fault::Panic => {
            run.end(End::Panicked);
            Err(Reported::Panicked(index))
        }
        Fault::Cancel => {
            weft::sleep(Duration::from_secs(3_600)).await;
            run.end(End::Done);
            Ok(())
        }
    }
}

/// The counts a chaos run prints and checks.
#[derive(Debug, Default)]
struct Tally {
    done: usize,
    failed: usize,
    panicked: usize,
    cancelled: usize,
    not_started: usize,
}

impl Tally {
    fn of(ledger: &Ledger) -> Tally {
        Tally {
            done: ledger.count(End::Done),
            failed: ledger.count(End::Failed),
            panicked: ledger.count(End::Panicked),
            cancelled: ledger.count(End::Cancelled),
            not_started: ledger.count(End::NotStarted),
        }
    }

    fn faults(&self) -> usize {
        self.failed + self.panicked + self.cancelled
    }
}

fn index_of_panic(panic: &weft::JoinError) -> Option<usize> {
    panic
        .panic_message()?
        .strip_prefix("injected panic in item ")?
        .parse()
        .ok()
}

reliability! {
    async fn every_pipeline_item_is_done_once_or_reported_under_chaos() {
        quiet_injected_panics();
        let seed = seed();
        let n = if NATIVE { scale(5_000, 1_000_000) } else { scale(2_000, 20_000) };
        let ledger = Ledger::new(n);
        let live = Live::default();
        let pipeline = {
            let (ledger, live) = (ledger.clone(), live.clone());
            weft::pipeline(16, 64, move |index: usize| {
                let plan = plan(seed, index, Path::Pipeline);
                let item = work(ledger.clone(), live.clone(), index, plan);
                async move {
                    // Every item runs under a timeout; the planned cancellations get a short one,
                    // so their future is dropped in flight.
                    let limit = match plan.fault {
                        Fault::Cancel => plan.cancel_after,
                        _ => Duration::from_secs(60),
                    };
                    match weft::timeout(limit, item).await {
                        Ok(result) => result,
                        Err(_) => Err(Reported::Cancelled(index)),
                    }
                }
            })
            .unwrap()
        };
        let mut not_submitted = Vec::new();
        for index in 0..n {
            if plan(seed, index, Path::Pipeline).fault == Fault::SubmitRace {
                // A zero timeout: if the queue is full the submit is dropped while it waits,
                // and the item must then never run.
                match weft::timeout(Duration::ZERO, pipeline.submit(index)).await {
                    Ok(submitted) => submitted.unwrap(),
                    Err(_) => not_submitted.push(index),
                }
            } else {
                pipeline.submit(index).await.unwrap();
            }
        }
        let stats = pipeline.join().await;
        let tally = Tally::of(&ledger);
        let why = format!("seed {seed} (replay with WEFT_SEED={seed}): {tally:?}, {} not submitted", not_submitted.len());

        // Nothing twice, nothing left running, nothing leaked.
        assert_eq!(ledger.twice.load(Ordering::SeqCst), 0, "an item ran or ended twice; {why}");
        assert_eq!(ledger.still_running(), 0, "an item never ended; {why}");
        assert_eq!(live.live(), 0, "an item's future is still alive after join; {why}");

        // Exactly the items whose submit was dropped never started; every other one ended as
        // planned.
        assert_eq!(stats.submitted as usize, n - not_submitted.len(), "{why}");
        for &index in &not_submitted {
            assert_eq!(ledger.end_of(index), End::NotStarted, "dropped submit {index} ran; {why}");
        }
        for index in 0..n {
            let end = ledger.end_of(index);
            if end != End::NotStarted {
                let planned = End::planned(plan(seed, index, Path::Pipeline).fault);
                assert_eq!(end, planned, "item {index}; {why}");
            }
        }
        assert_eq!(tally.not_started, not_submitted.len(), "{why}");

        // What the pipeline reported matches the ledger item by item.
        assert_eq!(stats.done as usize, tally.done, "{why}");
        assert_eq!(stats.failed as usize, tally.faults(), "{why}");
        assert_eq!(stats.failed, stats.errors.len() as u64 + stats.panics.len() as u64, "{why}");
        let mut reported = vec![0_u8; n];
        for error in &stats.errors {
            let index = error.index();
            reported[index] += 1;
            assert_eq!(ledger.end_of(index), error.end(), "item {index}; {why}");
        }
        for panic in &stats.panics {
            let index = index_of_panic(panic).unwrap_or_else(|| panic!("unexpected panic {panic}; {why}"));
            reported[index] += 1;
            assert_eq!(ledger.end_of(index), End::Panicked, "item {index}; {why}");
        }
        for (index, &times) in reported.iter().enumerate() {
            let failed = !matches!(ledger.end_of(index), End::Done | End::NotStarted);
            assert_eq!(times, u8::from(failed), "item {index} reported {times} times; {why}");
        }
        report(&format!(
            "chaos pipeline: seed {seed}: {} items, {} submits dropped, {} done, faults injected: \
             {} failed, {} panicked{}, {} cancelled in flight; 0 lost, 0 twice, 0 leaked, 0 hung",
            n,
            not_submitted.len(),
            tally.done,
            tally.failed,
            tally.panicked,
            if NATIVE { "" } else { " (as Err)" },
            tally.cancelled,
        ));
    }
}

/// One item through a spawned task: a panic comes back as a `JoinError`, and a planned
/// cancellation drops the task's handle in flight (`cancel().await` tells whether it had
/// finished meanwhile, so the report stays exact).
async fn item_via_task(
    ledger: Arc<Ledger>,
    live: Live,
    index: usize,
    plan: Plan,
) -> Result<(), Reported> {
    let mut task = live.spawn(work(ledger, live.clone(), index, plan));
    let limit = match plan.fault {
        Fault::Cancel => plan.cancel_after,
        _ => Duration::from_secs(60),
    };
    match weft::timeout(limit, &mut task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) if join.is_panic() => Err(Reported::Panicked(index)),
        Ok(Err(_)) => Err(Reported::Cancelled(index)),
        Err(_) => match task.cancel().await {
            Some(result) => result,
            None => Err(Reported::Cancelled(index)),
        },
    }
}

/// What a chunk that finished reports: one result per item, in order.
type ChunkResults = Vec<Result<(), Reported>>;

reliability! {
    async fn every_item_through_task_groups_and_map_concurrent_is_accounted_for() {
        quiet_injected_panics();
        let seed = seed();
        let n = if NATIVE { scale(3_000, 1_000_000) } else { scale(1_000, 20_000) };
        const BLOCK: usize = 200; // items per task group
        const CHUNK: usize = 25; // items per child; each child runs map_concurrent over them
        let ledger = Ledger::new(n);
        let live = Live::default();
        let (mut groups_failed, mut chunks_cancelled) = (0, 0);
        let mut reported: Vec<Option<End>> = vec![None; n];
        let mut cancelled_with_chunk = vec![false; n];
        for block in (0..n).step_by(BLOCK) {
            let block_end = (block + BLOCK).min(n);
            let group: weft::TaskGroup<ChunkResults, Reported> = weft::TaskGroup::new();
            let chunks: Vec<std::ops::Range<usize>> =
                (block..block_end).step_by(CHUNK).map(|c| c..(c + CHUNK).min(block_end)).collect();
            for chunk in chunks.clone() {
                let (ledger, live) = (ledger.clone(), live.clone());
                // `false` once a fatal item has failed the group: then the chunk never starts.
                let _spawned = group.spawn(async move {
                    let results = weft::map_concurrent(chunk, 4, |index| {
                        item_via_task(ledger.clone(), live.clone(), index, plan(seed, index, Path::Group))
                    })
                    .unwrap()
                    .await;
                    // A fatal item fails the whole chunk, and the group cancels the siblings.
                    let fatal = results
                        .iter()
                        .find_map(|r| r.as_ref().err().copied().filter(|e| matches!(e, Reported::Fatal(_))));
                    match fatal {
                        Some(fatal) => Err(fatal),
                        None => Ok(results),
                    }
                });
            }
            let why = format!("seed {seed} (replay with WEFT_SEED={seed}), block {block}");
            match group.join().await {
                Ok(outputs) => {
                    assert_eq!(outputs.len(), chunks.len(), "{why}");
                    for (chunk, output) in chunks.iter().zip(outputs) {
                        for (index, result) in chunk.clone().zip(output) {
                            reported[index] = Some(result.map_or_else(Reported::end, |()| End::Done));
                        }
                    }
                }
                Err(error) => {
                    groups_failed += 1;
                    // The failures are exactly chunks holding a fatal item that ran to its end;
                    // the other chunks' outputs are dropped with the group: their items count
                    // as cancelled with their chunk, whatever the ledger says they reached.
                    for (child, failure) in error.failures() {
                        let weft::ChildFailure::Error(Reported::Fatal(index)) = failure else {
                            panic!("unexpected failure of chunk {child}: {failure:?}; {why}");
                        };
                        assert!(chunks[*child].contains(index), "{why}");
                        assert_eq!(ledger.end_of(*index), End::Failed, "{why}");
                    }
                    chunks_cancelled += chunks.len();
                    cancelled_with_chunk[block..block_end].fill(true);
                }
            }
        }
        let why = format!("seed {seed} (replay with WEFT_SEED={seed})");
        // Handles dropped with a cancelled chunk cancel their tasks, which their executor drops.
        eventually(Duration::from_secs(60), "every spawned item task is dropped", || live.live() == 0).await;
        assert_eq!(ledger.twice.load(Ordering::SeqCst), 0, "an item ran or ended twice; {why}");
        assert_eq!(ledger.still_running(), 0, "an item never ended; {why}");
        let tally = Tally::of(&ledger);
        let mut lost = 0;
        for index in 0..n {
            let end = ledger.end_of(index);
            match reported[index] {
                // Reported to the caller: the report and the plan agree with the ledger.
                Some(said) => {
                    let planned = End::planned(plan(seed, index, Path::Group).fault);
                    assert_eq!(said, planned, "item {index}; {why}");
                    // A task cancelled before its executor first polled it never started.
                    if !(said == End::Cancelled && end == End::NotStarted) {
                        assert_eq!(said, end, "item {index}; {why}");
                    }
                }
                // Not reported: only possible for items of a cancelled chunk.
                None if cancelled_with_chunk[index] => {}
                None => lost += 1,
            }
        }
        assert_eq!(lost, 0, "items neither reported nor cancelled with their chunk; {why}");
        assert_eq!(
            tally.done + tally.faults() + tally.not_started,
            n,
            "every item is in exactly one state; {why}"
        );
        report(&format!(
            "chaos task groups + map_concurrent: seed {seed}: {n} items in {} groups ({groups_failed} failed by a \
             fatal item, {chunks_cancelled} chunks cancelled with them), {} done, faults injected: {} failed, \
             {} panicked{}, {} cancelled in flight, {} never started; 0 lost, 0 twice, 0 leaked, 0 hung",
            n.div_ceil(BLOCK),
            tally.done,
            tally.failed,
            tally.panicked,
            if NATIVE { "" } else { " (as Err)" },
            tally.cancelled,
            tally.not_started,
        ));
    }
}
