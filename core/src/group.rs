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
use core::task::{Context, Poll};
use std::sync::Arc;

use crate::runtime::{MaybeSend, Runtime};

mod error;
mod scope;
mod state;

use state::Shared;

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
    shared: Arc<Shared<T, E>>,
    _runtime: PhantomData<fn() -> R>,
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
                shared: Shared::new(),
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
        self.handle.shared.running()
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
        self.handle.shared.close();
    }
}

impl<R: Runtime, T, E> fmt::Debug for TaskGroup<R, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.handle.shared.fmt_as("TaskGroup", f)
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
        self.shared.spawn::<R, F>(child)
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
        !self.shared.is_open()
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
        self.shared.fmt_as("GroupHandle", f)
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
    fn shared(&self) -> &Shared<T, E> {
        &self.group.handle.shared
    }
}

impl<R: Runtime, T, E> Future for Join<R, T, E> {
    type Output = Result<Vec<T>, GroupError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.shared().poll_join(cx)
    }
}

impl<R: Runtime, T, E> fmt::Debug for Join<R, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared().fmt_as("Join", f)
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
