//! A virtual-time runtime for tests: timers fire exactly on time, instantly.
//!
//! [`run`] drives a future on [`VirtualRuntime`], whose clock stands still while any task can
//! make progress and jumps straight to the next timer's deadline when none can (tokio calls
//! this paused time with auto-advance). A test of a 10-second timeout takes microseconds and
//! sees exactly 10 seconds pass, on any machine, natively and in the browser alike: the loop
//! never waits on a real clock, so it runs to completion synchronously on both targets.
//!
//! Use it with the generic form of a pattern: `Timeout::<VirtualRuntime, _>::after(d, fut)`,
//! `RateLimiter::<VirtualRuntime>::new(..)`, and so on.
//!
//! It is single-threaded: spawned tasks run on the thread that called [`run`], and everything
//! the test awaits must be driven by virtual timers or other tasks. If every task waits and no
//! timer is set, nothing could ever happen, and [`run`] panics with "virtual-time deadlock".

use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Wake;

use async_task::Runnable;
use web_time::Instant;

use crate::runtime::{MaybeSend, Runtime};
use crate::task::{Task, catch_panic};

/// The runtime whose clock only moves when every task is waiting on a timer.
///
/// Only usable inside [`run`]; using it elsewhere panics with a message saying so.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_core::testing::{self, VirtualRuntime};
/// use weft_core::Runtime;
///
/// let waited = testing::run(async {
///     let start = VirtualRuntime::now();
///     VirtualRuntime::sleep(Duration::from_secs(3600)).await; // an hour, in microseconds
///     VirtualRuntime::now() - start
/// });
/// assert_eq!(waited, Duration::from_secs(3600));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct VirtualRuntime;

struct Clock {
    base: Instant,
    elapsed: Duration,
    deadlines: BinaryHeap<Reverse<(Duration, u64)>>,
    wakers: HashMap<u64, Waker>,
    next_id: u64,
}

type Queue = Arc<Mutex<VecDeque<Runnable>>>;

thread_local! {
    static CLOCK: RefCell<Option<Clock>> = const { RefCell::new(None) };
    static QUEUE: RefCell<Option<Queue>> = const { RefCell::new(None) };
}

const OUTSIDE: &str = "VirtualRuntime used outside weft_core::testing::run";

fn with_clock<T>(f: impl FnOnce(&mut Clock) -> T) -> T {
    CLOCK.with(|clock| f(clock.borrow_mut().as_mut().expect(OUTSIDE)))
}

impl Runtime for VirtualRuntime {
    type Sleep = VirtualSleep;

    fn sleep(duration: Duration) -> VirtualSleep {
        let deadline = with_clock(|clock| clock.elapsed.checked_add(duration));
        VirtualSleep { deadline, id: None }
    }

    fn sleep_until(deadline: Instant) -> VirtualSleep {
        let deadline = with_clock(|clock| deadline.saturating_duration_since(clock.base));
        VirtualSleep {
            deadline: Some(deadline),
            id: None,
        }
    }

    fn now() -> Instant {
        with_clock(|clock| clock.base + clock.elapsed)
    }

    fn spawn<F>(future: F) -> Task<F::Output>
    where
        F: Future + MaybeSend + 'static,
        F::Output: MaybeSend + 'static,
    {
        let queue = QUEUE.with(|q| q.borrow().clone().expect(OUTSIDE));
        let schedule = move |runnable| queue.lock().expect("queue lock").push_back(runnable);
        let (runnable, task) = async_task::spawn_local(catch_panic(future), schedule);
        runnable.schedule();
        Task::from_async_task(task)
    }
}

/// The future of [`VirtualRuntime::sleep`]: ready once the virtual clock reaches its deadline.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct VirtualSleep {
    deadline: Option<Duration>,
    id: Option<u64>,
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.deadline else {
            return Poll::Pending;
        };
        let id = self.id;
        let ready = with_clock(|clock| {
            if clock.elapsed >= deadline {
                if let Some(id) = id {
                    clock.wakers.remove(&id);
                }
                return None;
            }
            let id = id.unwrap_or_else(|| {
                clock.next_id += 1;
                clock.deadlines.push(Reverse((deadline, clock.next_id)));
                clock.next_id
            });
            clock.wakers.insert(id, cx.waker().clone());
            Some(id)
        });
        match ready {
            None => Poll::Ready(()),
            Some(id) => {
                self.id = Some(id);
                Poll::Pending
            }
        }
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            let _ = CLOCK.try_with(|clock| {
                if let Ok(mut clock) = clock.try_borrow_mut()
                    && let Some(clock) = clock.as_mut()
                {
                    clock.wakers.remove(&id);
                }
            });
        }
    }
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs `future` to completion on [`VirtualRuntime`] and returns its output.
///
/// Tasks spawned on `VirtualRuntime` meanwhile run on this thread; those still unfinished when
/// `future` completes are dropped (cancelled). The virtual clock starts at the real `now()`.
///
/// # Panics
///
/// If called inside another `run`, or if every task waits and no timer is set
/// ("virtual-time deadlock"): with only virtual time, nothing could ever wake them.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_core::testing::{self, VirtualRuntime};
/// use weft_core::timeout::Timeout;
///
/// let out = testing::run(async {
///     let slow = weft_core::testing::sleep(Duration::from_secs(10));
///     Timeout::<VirtualRuntime, _>::after(Duration::from_secs(2), slow).await
/// });
/// assert_eq!(out.unwrap_err().to_string(), "timed out after 2s");
/// ```
pub fn run<F: Future>(future: F) -> F::Output {
    let queue: Queue = Arc::default();
    CLOCK.with(|clock| {
        let mut clock = clock.borrow_mut();
        assert!(clock.is_none(), "weft_core::testing::run cannot be nested");
        *clock = Some(Clock {
            base: Instant::now(),
            elapsed: Duration::ZERO,
            deadlines: BinaryHeap::new(),
            wakers: HashMap::new(),
            next_id: 0,
        });
    });
    QUEUE.with(|q| *q.borrow_mut() = Some(queue.clone()));
    let _reset = Reset(queue.clone());

    let woken = Arc::new(Flag(AtomicBool::new(true)));
    let waker = Waker::from(woken.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if woken.0.swap(false, Ordering::SeqCst)
            && let Poll::Ready(output) = future.as_mut().poll(&mut cx)
        {
            return output;
        }
        let next = queue.lock().expect("queue lock").pop_front();
        if let Some(runnable) = next {
            runnable.run();
            continue;
        }
        if woken.0.load(Ordering::SeqCst) {
            continue;
        }
        // Nothing can run: jump to the next deadline and wake every timer due then.
        let due = with_clock(|clock| {
            while let Some(Reverse((deadline, id))) = clock.deadlines.pop() {
                if clock.wakers.contains_key(&id) {
                    clock.elapsed = clock.elapsed.max(deadline);
                    let mut due = vec![clock.wakers.remove(&id).expect("checked")];
                    while let Some(Reverse((next, id))) = clock.deadlines.peek().copied() {
                        if next > clock.elapsed {
                            break;
                        }
                        clock.deadlines.pop();
                        due.extend(clock.wakers.remove(&id));
                    }
                    return due;
                }
            }
            Vec::new()
        });
        assert!(
            !due.is_empty(),
            "virtual-time deadlock: every task is waiting and no timer is set, so nothing can wake them"
        );
        due.into_iter().for_each(Waker::wake);
    }
}

/// Tears the virtual runtime down when `run` returns or unwinds; leftover tasks are dropped.
struct Reset(Queue);

impl Drop for Reset {
    fn drop(&mut self) {
        let leftovers: Vec<Runnable> = self
            .0
            .lock()
            .map(|mut q| q.drain(..).collect())
            .unwrap_or_default();
        drop(leftovers);
        QUEUE.with(|q| q.borrow_mut().take());
        let clock = CLOCK.with(|clock| clock.borrow_mut().take());
        drop(clock);
    }
}

/// Shorthand for `VirtualRuntime::sleep(duration)`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_core::testing;
///
/// testing::run(async { testing::sleep(Duration::from_millis(5)).await });
/// ```
pub fn sleep(duration: Duration) -> VirtualSleep {
    VirtualRuntime::sleep(duration)
}

/// Shorthand for `VirtualRuntime::now()`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_core::testing;
///
/// testing::run(async {
///     let start = testing::now();
///     testing::sleep(Duration::from_millis(250)).await;
///     assert_eq!(testing::now() - start, Duration::from_millis(250));
/// });
/// ```
pub fn now() -> Instant {
    VirtualRuntime::now()
}

/// Moves the virtual clock forward by `duration` at once, as if the code calling it had blocked
/// its thread that long (a CPU-bound loop, a blocking call inside a task).
///
/// No other task runs meanwhile; timers that fell due during the stall fire at the next chance,
/// late, as on a real event loop that was blocked. It is how tests simulate a slow poll
/// exactly, for instance to check `weft::trace`'s slow-poll warnings.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_core::testing;
///
/// testing::run(async {
///     let start = testing::now();
///     let timer = testing::spawn(async move {
///         testing::sleep(Duration::from_millis(10)).await;
///         testing::now() - start
///     });
///     weft::yield_now().await; // let the task start its timer
///     testing::advance(Duration::from_millis(25)); // "blocks" for 25 ms
///     assert_eq!(testing::now() - start, Duration::from_millis(25));
///     assert_eq!(timer.await.unwrap(), Duration::from_millis(25)); // fired late
/// });
/// ```
pub fn advance(duration: Duration) {
    with_clock(|clock| clock.elapsed = clock.elapsed.saturating_add(duration));
}

/// Shorthand for `VirtualRuntime::spawn(future)`.
///
/// # Examples
///
/// ```
/// use weft_core::testing;
///
/// let out = testing::run(async { testing::spawn(async { 1 + 1 }).await });
/// assert_eq!(out, Ok(2));
/// ```
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + MaybeSend + 'static,
    F::Output: MaybeSend + 'static,
{
    VirtualRuntime::spawn(future)
}
