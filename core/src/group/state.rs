//! The state a group and its children share, and the wrapper every child runs in.
//!
//! One mutex guards it; no user code ever runs under the lock (outputs, errors and task
//! handles are dropped, and wakers woken, after it is released), so a child's destructor may
//! spawn into the group or read it without deadlocking.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{ChildFailure, GroupError};
use crate::runtime::{MaybeSend, Runtime};
use crate::task::{CatchPanic, JoinError, Task, catch_panic};

/// The group's state, shared by the group, its handles, its children and its canceller.
pub(super) struct Shared<T, E>(Mutex<State<T, E>>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Accepting children.
    Open,
    /// A child failed: the others are being cancelled, no new child starts.
    Failing,
    /// Joined or dropped: every child has been let go.
    Closed,
}

struct State<T, E> {
    phase: Phase,
    /// One slot per child, in spawn order; filled when the child succeeds.
    outputs: Vec<Option<T>>,
    /// The children's handles, by index; taken out to cancel them.
    tasks: Vec<Option<Task<()>>>,
    /// Every failure, in the order they happened.
    failures: Vec<(usize, ChildFailure<E>)>,
    /// Children whose future has not been dropped yet.
    running: usize,
    /// The `join` (or `scope`) waiting for `running` to reach 0 or for a failure.
    waiter: Option<Waker>,
}

/// What to drop or wake once the lock is released.
struct Aftermath<T, E> {
    output: Option<T>,
    failure: Option<ChildFailure<E>>,
    tasks: Vec<Task<()>>,
    wake: Option<Waker>,
}

impl<T, E> Aftermath<T, E> {
    fn new() -> Self {
        Aftermath {
            output: None,
            failure: None,
            tasks: Vec::new(),
            wake: None,
        }
    }

    fn run(self) {
        // Dropping a handle cancels its child.
        drop((self.output, self.failure, self.tasks));
        if let Some(waker) = self.wake {
            waker.wake();
        }
    }
}

impl<T, E> State<T, E> {
    /// Records a failure. Returns `true` for the first one: the caller must cancel the rest.
    fn fail(
        &mut self,
        index: usize,
        failure: ChildFailure<E>,
        after: &mut Aftermath<T, E>,
    ) -> bool {
        if self.phase == Phase::Closed {
            // Nobody will read it: the group is gone.
            after.failure = Some(failure);
            return false;
        }
        self.failures.push((index, failure));
        if self.phase != Phase::Open {
            return false;
        }
        self.phase = Phase::Failing;
        after.wake = self.waiter.take();
        true
    }
}

impl<T, E> Shared<T, E> {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Shared(Mutex::new(State {
            phase: Phase::Open,
            outputs: Vec::new(),
            tasks: Vec::new(),
            failures: Vec::new(),
            running: 0,
            waiter: None,
        })))
    }

    fn lock(&self) -> MutexGuard<'_, State<T, E>> {
        // No user code runs under the lock, so a poisoned lock still holds consistent state.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn running(&self) -> usize {
        self.lock().running
    }

    pub(super) fn is_open(&self) -> bool {
        self.lock().phase == Phase::Open
    }

    /// Starts `child` on `R` as a member of the group; `false` if the group no longer accepts
    /// children (the child is then dropped, or cancelled with its siblings).
    pub(super) fn spawn<R, F>(self: &Arc<Self>, child: F) -> bool
    where
        R: Runtime,
        F: Future<Output = Result<T, E>> + MaybeSend + 'static,
        T: MaybeSend + 'static,
        E: MaybeSend + 'static,
    {
        let index = {
            let mut state = self.lock();
            if state.phase != Phase::Open {
                drop(state);
                drop(child);
                return false;
            }
            state.running += 1;
            state.outputs.push(None);
            state.tasks.push(None);
            state.outputs.len() - 1
        };
        // From here the child counts as running until its `Live` is dropped.
        let live = Live::<R, T, E> {
            shared: self.clone(),
            index,
            reported: false,
            _runtime: PhantomData,
        };
        // Spawned outside the lock: natively the child may start, and finish, at once.
        let task = R::spawn(Child {
            future: catch_panic(child),
            live,
        });
        let mut state = self.lock();
        if state.phase == Phase::Open {
            state.tasks[index] = Some(task);
            true
        } else {
            // The group failed or was dropped meanwhile: this child goes with its siblings.
            drop(state);
            drop(task);
            false
        }
    }

    /// The group is dropped: cancel every child, accept no more.
    pub(super) fn close(&self) {
        let mut state = self.lock();
        if state.phase == Phase::Closed {
            return;
        }
        state.phase = Phase::Closed;
        let tasks = std::mem::take(&mut state.tasks);
        let outputs = std::mem::take(&mut state.outputs);
        let failures = std::mem::take(&mut state.failures);
        drop(state);
        drop((tasks, outputs, failures));
    }

    /// Whether a child has failed; if not, `cx` is woken when one does.
    pub(super) fn poll_failed(&self, cx: &mut Context<'_>) -> bool {
        let mut state = self.lock();
        state.waiter = Some(cx.waker().clone());
        state.phase == Phase::Failing
    }

    /// Ready once every child has stopped: their outputs in spawn order, or every failure.
    pub(super) fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<Vec<T>, GroupError<E>>> {
        let mut state = self.lock();
        assert!(
            state.phase != Phase::Closed,
            "Join polled after it completed"
        );
        if state.running > 0 {
            state.waiter = Some(cx.waker().clone());
            return Poll::Pending;
        }
        state.phase = Phase::Closed;
        let tasks = std::mem::take(&mut state.tasks);
        let outputs = std::mem::take(&mut state.outputs);
        let failures = std::mem::take(&mut state.failures);
        drop(state);
        // Every child has stopped; these handles only hold finished tasks.
        drop(tasks);
        if failures.is_empty() {
            Poll::Ready(Ok(outputs
                .into_iter()
                .map(|output| output.expect("every child that did not fail left its output"))
                .collect()))
        } else {
            Poll::Ready(Err(GroupError::new(outputs.len(), failures)))
        }
    }

    pub(super) fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct(name)
            .field("phase", &state.phase)
            .field("spawned", &state.outputs.len())
            .field("running", &state.running)
            .field("failed", &state.failures.len())
            .finish()
    }
}

/// Cancels every child of the group and waits until they have stopped.
///
/// It runs as a task of its own, queued after the children that are already ready to run, so
/// that (as in asyncio, where the group reacts in a callback scheduled after them) a sibling
/// failing on the same tick is reported too rather than silently cancelled.
async fn cancel_children<T, E>(shared: Arc<Shared<T, E>>) {
    let tasks: Vec<Task<()>> = shared
        .lock()
        .tasks
        .iter_mut()
        .filter_map(Option::take)
        .collect();
    drop(shared);
    crate::gather(tasks.into_iter().map(Task::cancel)).await;
}

pin_project_lite::pin_project! {
    /// A child's future, with the guard that counts it as running until it is dropped.
    struct Child<R, F, T, E> {
        // Declared first, so dropped first: `live` says "stopped" only after the child's
        // own future (and everything it holds) is gone.
        #[pin]
        future: CatchPanic<F>,
        live: Live<R, T, E>,
    }
}

impl<R, F, T, E> Future for Child<R, F, T, E>
where
    R: Runtime,
    F: Future<Output = Result<T, E>>,
    T: MaybeSend + 'static,
    E: MaybeSend + 'static,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let output = match this.future.poll(cx) {
            Poll::Ready(output) => output,
            Poll::Pending => return Poll::Pending,
        };
        let live = this.live;
        live.reported = true;
        let mut after = Aftermath::new();
        let mut state = live.shared.lock();
        let first_failure = match output {
            Ok(Ok(value)) if state.phase != Phase::Closed => {
                state.outputs[live.index] = Some(value);
                false
            }
            Ok(Ok(value)) => {
                after.output = Some(value);
                false
            }
            Ok(Err(error)) => state.fail(live.index, ChildFailure::Error(error), &mut after),
            Err(panic) => state.fail(live.index, ChildFailure::Panic(panic), &mut after),
        };
        drop(state);
        after.run();
        if first_failure {
            R::spawn(cancel_children(live.shared.clone())).detach();
        }
        Poll::Ready(())
    }
}

/// Counts its child as running; when dropped, the child has stopped.
struct Live<R, T, E> {
    shared: Arc<Shared<T, E>>,
    index: usize,
    reported: bool,
    _runtime: PhantomData<fn() -> R>,
}

impl<R, T, E> Drop for Live<R, T, E> {
    fn drop(&mut self) {
        let mut after = Aftermath::<T, E>::new();
        let mut state = self.shared.lock();
        state.running -= 1;
        if !self.reported && state.phase == Phase::Open {
            // Stopped without a word while the group was open: its runtime dropped it (it is
            // shutting down, so no canceller task can be spawned). Count it as failed, so
            // nothing is silently lost, and let the siblings go at once.
            let failure = ChildFailure::Panic(JoinError::cancelled());
            state.fail(self.index, failure, &mut after);
            after
                .tasks
                .extend(state.tasks.iter_mut().filter_map(Option::take));
        }
        if state.running == 0 {
            after.wake = after.wake.or_else(|| state.waiter.take());
        }
        drop(state);
        after.run();
    }
}
