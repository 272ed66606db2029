//! Structured concurrency: child tasks that all end with their group; asyncio's `TaskGroup`.
//!
//! A [`TaskGroup`] spawns children (`group.spawn(fut)`) and [`join`](TaskGroup::join)s them all.
//! Its promises, the ones asyncio's `TaskGroup` and trio's nurseries make:
//!
//! - **nothing outlives the group**: when `join` returns, every child has stopped; dropping the
//!   group (or the `join` future) cancels every child;
//! - **the first failure cancels the siblings**: a child that returns `Err` (or panics, natively)
//!   cancels every other child, and no new child starts. As in asyncio, the cancelling happens
//!   right after the siblings that are already ready on the same tick have run their step, so a
//!   sibling failing at the same moment is reported too, not silently cancelled;
//! - **every failure is reported**: [`GroupError`] holds each error and panic with its child's
//!   index, not only the first.
//!
//! Children can spawn more children through a [`GroupHandle`] (`group.handle()`), also while the
//! group is being joined. [`scope`] wraps it all in one call, `weft::scope(|group| async { .. })`.
//!
//! The generic forms are bound to a [`Runtime`], which spawns the children; backends expose
//! `weft::TaskGroup<T, E>`, `weft::GroupHandle<T, E>` and `weft::scope`.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::runtime::{MaybeSend, Runtime};
use crate::task::{CatchPanic, JoinError, Task, catch_panic};

mod error;
mod scope;

pub use error::{ChildFailure, GroupError};
pub use scope::{Scope, scope};

/// A group of child tasks that all stop before it does, generic over the [`Runtime`] that runs
/// them; `weft::TaskGroup<T, E>` on each backend.
///
/// Children return `Result<T, E>`. [`join`](TaskGroup::join) waits for all of them and gives
/// their `T`s in spawn order, or a [`GroupError`] with every failure.
///
/// - The first failure (an `Err`, or a panic natively) cancels every other child, even if
///   nobody is awaiting `join` yet, and the group accepts no new child. The cancelling runs as
///   a task queued behind the children already ready to run, so one failing on the same tick is
///   reported too (asyncio behaves the same).
/// - Dropping the group without joining it cancels every child. Natively a child that is in
///   the middle of a poll on another thread stops when that poll returns (a drop cannot wait);
///   `join` does wait: when it returns, every child has stopped.
/// - A group with no children joins at once with `Ok(vec![])`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn fetch(id: u32) -> Result<String, String> {
///     weft::sleep(Duration::from_millis(10)).await;
///     if id == 0 { Err("no user 0".to_string()) } else { Ok(format!("user{id}")) }
/// }
///
/// weft::block_on(async {
///     let group = weft::TaskGroup::new();
///     for id in 1..=3 {
///         group.spawn(fetch(id));
///     }
///     assert_eq!(group.join().await, Ok(vec!["user1".into(), "user2".into(), "user3".into()]));
///
///     // The failure cancels the slow sibling, and join reports it.
///     let group = weft::TaskGroup::new();
///     group.spawn(fetch(0));
///     group.spawn(async { weft::sleep(Duration::from_secs(3600)).await; Ok("never".into()) });
///     let err = group.join().await.unwrap_err();
///     assert_eq!(err.to_string(), "1 of 2 tasks in the group failed: no user 0");
///     assert_eq!(err.first(), (0, &weft::ChildFailure::Error("no user 0".to_string())));
/// });
/// ```
pub struct TaskGroup<R: Runtime, T, E> {
    handle: GroupHandle<R, T, E>,
}

/// A cheap, clonable handle that spawns children into a [`TaskGroup`]; `weft::GroupHandle`.
///
/// Give one to a child so it can spawn siblings, also while the group is being joined (asyncio
/// allows `create_task` from a child). The handle does not keep children alive: when the group
/// is dropped or joined, spawning through it gives `false` and the future is dropped unstarted.
///
/// # Examples
///
/// ```
/// weft::block_on(async {
///     let group = weft::TaskGroup::new();
///     let handle = group.handle();
///     group.spawn(async move {
///         // A child spawns a sibling while the group is being joined.
///         assert!(handle.spawn(async { Ok::<_, String>(2) }));
///         Ok(1)
///     });
///     assert_eq!(group.join().await, Ok(vec![1, 2]));
/// });
/// ```
pub struct GroupHandle<R: Runtime, T, E> {
    shared: Arc<Mutex<State<T, E>>>,
    _runtime: PhantomData<fn() -> R>,
}

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

/// What to drop or wake once the lock is released, so no user code runs under it.
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

fn lock<T, E>(shared: &Mutex<State<T, E>>) -> MutexGuard<'_, State<T, E>> {
    // No user code runs under the lock, so a poisoned lock still holds consistent state.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
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

/// Cancels every child of the group and waits until they have stopped.
///
/// It runs as a task of its own, queued after the children that are already ready to run, so
/// that (as in asyncio, where the group reacts in a callback scheduled after them) a sibling
/// failing on the same tick is reported too rather than silently cancelled.
async fn cancel_children<T, E>(shared: Arc<Mutex<State<T, E>>>) {
    let tasks: Vec<Task<()>> = lock(&shared)
        .tasks
        .iter_mut()
        .filter_map(Option::take)
        .collect();
    drop(shared);
    crate::gather(tasks.into_iter().map(Task::cancel)).await;
}

impl<R: Runtime, T, E> TaskGroup<R, T, E>
where
    T: MaybeSend + 'static,
    E: MaybeSend + 'static,
{
    /// An empty group.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group: weft::TaskGroup<u8, String> = weft::TaskGroup::new();
    ///     assert_eq!(group.join().await, Ok(vec![]));
    /// });
    /// ```
    pub fn new() -> Self {
        TaskGroup {
            handle: GroupHandle {
                shared: Arc::new(Mutex::new(State {
                    phase: Phase::Open,
                    outputs: Vec::new(),
                    tasks: Vec::new(),
                    failures: Vec::new(),
                    running: 0,
                    waiter: None,
                })),
                _runtime: PhantomData,
            },
        }
    }

    /// Starts `child` as a task of the group; asyncio's `TaskGroup.create_task`.
    ///
    /// Returns `true` if the child joined the group. Returns `false` if the group is already
    /// cancelling after a failure: then, as for its siblings, the child is cancelled (dropped
    /// unstarted). Python raises `RuntimeError` there; weft cancels, so a child never outlives
    /// its group and nothing panics.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::new();
    ///     assert!(group.spawn(async { Ok::<_, String>(6 * 7) }));
    ///     assert_eq!(group.join().await, Ok(vec![42]));
    /// });
    /// ```
    pub fn spawn<F>(&self, child: F) -> bool
    where
        F: Future<Output = Result<T, E>> + MaybeSend + 'static,
    {
        self.handle.spawn(child)
    }

    /// A handle that spawns into this group, for children that spawn siblings.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::new();
    ///     let handle = group.handle();
    ///     assert!(handle.spawn(async { Ok::<_, String>("from the handle") }));
    ///     assert_eq!(group.join().await, Ok(vec!["from the handle"]));
    /// });
    /// ```
    pub fn handle(&self) -> GroupHandle<R, T, E> {
        self.handle.clone()
    }

    /// How many children have not stopped yet.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::new();
    ///     group.spawn(async { weft::sleep(std::time::Duration::from_millis(5)).await; Ok::<_, String>(()) });
    ///     assert_eq!(group.running(), 1);
    ///     group.join().await.unwrap();
    /// });
    /// ```
    pub fn running(&self) -> usize {
        lock(&self.handle.shared).running
    }

    /// Waits until every child has stopped; their outputs in spawn order, or every failure.
    ///
    /// Children spawned while `join` waits (through a [`GroupHandle`]) are waited for too.
    /// After a failure, `join` waits until every cancelled sibling has actually stopped
    /// (natively one may be finishing a poll on another thread), then returns the
    /// [`GroupError`]. Dropping the `join` future drops the group: every child is cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::new();
    ///     for ms in [30_u64, 10, 20] {
    ///         group.spawn(async move {
    ///             weft::sleep(Duration::from_millis(ms)).await;
    ///             Ok::<_, String>(ms)
    ///         });
    ///     }
    ///     assert_eq!(group.join().await, Ok(vec![30, 10, 20]));
    /// });
    /// ```
    pub fn join(self) -> Join<R, T, E> {
        Join { group: self }
    }
}

impl<R: Runtime, T, E> Default for TaskGroup<R, T, E>
where
    T: MaybeSend + 'static,
    E: MaybeSend + 'static,
{
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl<R: Runtime, T, E> Drop for TaskGroup<R, T, E> {
    fn drop(&mut self) {
        let mut state = lock(&self.handle.shared);
        if state.phase == Phase::Closed {
            return;
        }
        state.phase = Phase::Closed;
        let tasks = std::mem::take(&mut state.tasks);
        let outputs = std::mem::take(&mut state.outputs);
        let failures = std::mem::take(&mut state.failures);
        drop(state);
        // Dropping a handle cancels its child.
        drop(tasks);
        drop((outputs, failures));
    }
}

impl<R: Runtime, T, E> fmt::Debug for TaskGroup<R, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.handle.fmt_as("TaskGroup", f)
    }
}

impl<R: Runtime, T, E> GroupHandle<R, T, E>
where
    T: MaybeSend + 'static,
    E: MaybeSend + 'static,
{
    /// Starts `child` as a task of the group; see [`TaskGroup::spawn`].
    ///
    /// Returns `false`, dropping `child` unstarted, if the group has failed, been joined or
    /// been dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::new();
    ///     let handle = group.handle();
    ///     assert!(handle.spawn(async { Ok::<_, String>(1) }));
    ///     assert_eq!(group.join().await, Ok(vec![1]));
    ///     // The group is over: nothing may outlive it.
    ///     assert!(!handle.spawn(async { Ok(2) }));
    /// });
    /// ```
    pub fn spawn<F>(&self, child: F) -> bool
    where
        F: Future<Output = Result<T, E>> + MaybeSend + 'static,
    {
        let index = {
            let mut state = lock(&self.shared);
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
            shared: self.shared.clone(),
            index,
            reported: false,
            _runtime: PhantomData,
        };
        // Spawned outside the lock: natively the child may start, and finish, at once.
        let task = R::spawn(Child {
            future: catch_panic(child),
            live,
        });
        let mut state = lock(&self.shared);
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

    /// Whether the group no longer accepts children: it has failed, been joined or dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::<u8, String>::new();
    ///     let handle = group.handle();
    ///     assert!(!handle.is_closed());
    ///     drop(group);
    ///     assert!(handle.is_closed());
    /// });
    /// ```
    pub fn is_closed(&self) -> bool {
        lock(&self.shared).phase != Phase::Open
    }
}

impl<R: Runtime, T, E> GroupHandle<R, T, E> {
    fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.shared);
        f.debug_struct(name)
            .field("phase", &state.phase)
            .field("spawned", &state.outputs.len())
            .field("running", &state.running)
            .field("failed", &state.failures.len())
            .finish()
    }
}

impl<R: Runtime, T, E> Clone for GroupHandle<R, T, E> {
    fn clone(&self) -> Self {
        GroupHandle {
            shared: self.shared.clone(),
            _runtime: PhantomData,
        }
    }
}

impl<R: Runtime, T, E> fmt::Debug for GroupHandle<R, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_as("GroupHandle", f)
    }
}

pin_project_lite::pin_project! {
    /// A child's future, with the guard that counts it as running until it is dropped.
    struct Child<R: Runtime, F, T, E> {
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
        let mut state = lock(&live.shared);
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
    shared: Arc<Mutex<State<T, E>>>,
    index: usize,
    reported: bool,
    _runtime: PhantomData<fn() -> R>,
}

impl<R, T, E> Drop for Live<R, T, E> {
    fn drop(&mut self) {
        let mut after = Aftermath::<T, E>::new();
        let mut state = lock(&self.shared);
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

/// Future of [`TaskGroup::join`]: every child's output in spawn order, or every failure.
///
/// Dropping it drops the group, which cancels every child.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Join<R: Runtime, T, E> {
    group: TaskGroup<R, T, E>,
}

impl<R: Runtime, T, E> Join<R, T, E> {
    fn shared(&self) -> &Mutex<State<T, E>> {
        &self.group.handle.shared
    }
}

impl<R: Runtime, T, E> Future for Join<R, T, E> {
    type Output = Result<Vec<T>, GroupError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = lock(self.shared());
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
}

impl<R: Runtime, T, E> fmt::Debug for Join<R, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.group.handle.fmt_as("Join", f)
    }
}

/// Binds `TaskGroup<T, E>`, `GroupHandle<T, E>`, `scope` and `Scope` to `$rt`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bind_group {
    ($rt:ty) => {
        /// A group of child tasks that all stop before it does; asyncio's `TaskGroup`.
        ///
        /// See [`TaskGroup`]($crate::group::TaskGroup) for the semantics and examples.
        pub type TaskGroup<T, E> = $crate::group::TaskGroup<$rt, T, E>;

        /// Spawns children into a [`TaskGroup`], from anywhere, also from its children.
        pub type GroupHandle<T, E> = $crate::group::GroupHandle<$rt, T, E>;

        /// The future of [`scope`].
        pub type Scope<T, E, B> = $crate::group::Scope<$rt, T, E, B>;

        /// Runs `body` with a fresh [`TaskGroup`]'s handle, then joins the group;
        /// `async with asyncio.TaskGroup() as tg:`.
        ///
        /// The body spawns children with `group.spawn(..)`. When it ends, the scope waits for
        /// every child and gives their outputs in spawn order, or a
        /// [`GroupError`]($crate::group::GroupError) with every failure. A failing child
        /// cancels its siblings **and the body**, as in Python. Dropping the scope cancels
        /// the body and every child. A body that spawns nothing gives `Ok(vec![])`.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// weft::block_on(async {
        ///     let items = ["a", "b", "c"];
        ///     let processed = weft::scope(|group| async move {
        ///         for item in items {
        ///             group.spawn(async move {
        ///                 weft::sleep(Duration::from_millis(10)).await;
        ///                 Ok::<_, String>(format!("processed_{item}"))
        ///             });
        ///         }
        ///     })
        ///     .await;
        ///     assert_eq!(processed.unwrap(), ["processed_a", "processed_b", "processed_c"]);
        /// });
        /// ```
        pub fn scope<T, E, F, B>(body: F) -> Scope<T, E, B>
        where
            T: $crate::MaybeSend + 'static,
            E: $crate::MaybeSend + 'static,
            F: ::core::ops::FnOnce(GroupHandle<T, E>) -> B,
            B: ::core::future::Future<Output = ()>,
        {
            $crate::group::scope::<$rt, T, E, F, B>(body)
        }
    };
}
