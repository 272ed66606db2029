//! What a failed group reports: every failure, with its child's index.

use core::fmt;

use crate::task::JoinError;

/// How one child of a group failed.
///
/// # Examples
///
/// ```
/// use weft::ChildFailure;
///
/// let failure: ChildFailure<String> = ChildFailure::Error("timeout".into());
/// assert_eq!(failure.to_string(), "timeout");
/// let panic: ChildFailure<String> = ChildFailure::Panic(weft::JoinError::panicked("boom"));
/// assert_eq!(panic.to_string(), "task panicked: boom");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChildFailure<E> {
    /// The child returned this `Err`.
    Error(E),
    /// The child gave no output: it panicked (natively), or, rarely, its runtime dropped it
    /// while the group was open. The [`JoinError`] says which.
    Panic(JoinError),
}

impl<E: fmt::Display> fmt::Display for ChildFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildFailure::Error(error) => error.fmt(f),
            ChildFailure::Panic(panic) => panic.fmt(f),
        }
    }
}

/// The error of a group in which at least one child failed: every failure, in the order they
/// happened, each with its child's index (spawn order, from 0).
///
/// The first failure is the one that cancelled the siblings; later ones are children that
/// failed before their cancellation reached them. Cancelled children are not failures.
/// `Display` reads "2 of 5 tasks in the group failed: first: …"; [`source()`] is the first
/// failure.
///
/// [`source()`]: std::error::Error::source
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft::ChildFailure;
///
/// weft::block_on(async {
///     let group = weft::TaskGroup::new();
///     // Spawned last: a child that failed at once could stop a later spawn from starting.
///     group.spawn(async { Ok(1) });
///     group.spawn(async { Err(std::io::Error::other("disk full")) });
///     let err = group.join().await.unwrap_err();
///     assert_eq!(err.to_string(), "1 of 2 tasks in the group failed: disk full");
///     assert_eq!(err.spawned(), 2);
///     let (index, _) = err.first();
///     assert_eq!(index, 1);
///     let cause = std::error::Error::source(&err).unwrap();
///     assert_eq!(cause.to_string(), "disk full");
/// });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupError<E> {
    spawned: usize,
    failures: Vec<(usize, ChildFailure<E>)>,
}

impl<E> GroupError<E> {
    /// Only the group makes these; `failures` is never empty.
    pub(crate) fn new(spawned: usize, failures: Vec<(usize, ChildFailure<E>)>) -> Self {
        debug_assert!(!failures.is_empty());
        GroupError { spawned, failures }
    }

    /// Every failure as `(child index, failure)`, in the order they happened.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::ChildFailure;
    ///
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::<(), _>::new();
    ///     group.spawn(async { Err("bad") });
    ///     let err = group.join().await.unwrap_err();
    ///     assert_eq!(err.failures(), [(0, ChildFailure::Error("bad"))]);
    /// });
    /// ```
    pub fn failures(&self) -> &[(usize, ChildFailure<E>)] {
        &self.failures
    }

    /// Takes the failures out, in the order they happened.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::<(), _>::new();
    ///     group.spawn(async { Err(7) });
    ///     let failures = group.join().await.unwrap_err().into_failures();
    ///     assert_eq!(failures.len(), 1);
    /// });
    /// ```
    pub fn into_failures(self) -> Vec<(usize, ChildFailure<E>)> {
        self.failures
    }

    /// The first failure: the one that cancelled the other children.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::ChildFailure;
    ///
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::<(), _>::new();
    ///     group.spawn(async { Err("first") });
    ///     assert_eq!(group.join().await.unwrap_err().first(), (0, &ChildFailure::Error("first")));
    /// });
    /// ```
    pub fn first(&self) -> (usize, &ChildFailure<E>) {
        let (index, failure) = &self.failures[0];
        (*index, failure)
    }

    /// The `Err`s children returned, as `(child index, error)`, in the order they happened.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::<(), _>::new();
    ///     group.spawn(async { Err("no") });
    ///     let err = group.join().await.unwrap_err();
    ///     assert_eq!(err.errors().collect::<Vec<_>>(), [(0, &"no")]);
    /// });
    /// ```
    pub fn errors(&self) -> impl Iterator<Item = (usize, &E)> {
        self.failures
            .iter()
            .filter_map(|(index, failure)| match failure {
                ChildFailure::Error(error) => Some((*index, error)),
                ChildFailure::Panic(_) => None,
            })
    }

    /// The children that panicked, as `(child index, join error)`.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::<(), String>::new();
    ///     group.spawn(async { panic!("boom") });
    ///     let err = group.join().await.unwrap_err();
    ///     let panics: Vec<_> = err.panics().collect();
    ///     assert_eq!(panics[0].1.panic_message(), Some("boom"));
    /// });
    /// ```
    pub fn panics(&self) -> impl Iterator<Item = (usize, &JoinError)> {
        self.failures
            .iter()
            .filter_map(|(index, failure)| match failure {
                ChildFailure::Panic(panic) => Some((*index, panic)),
                ChildFailure::Error(_) => None,
            })
    }

    /// How many children the group had started in all.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(async {
    ///     let group = weft::TaskGroup::<u8, _>::new();
    ///     group.spawn(async { Ok(1) });
    ///     group.spawn(async { Err("x") });
    ///     assert_eq!(group.join().await.unwrap_err().spawned(), 2);
    /// });
    /// ```
    pub fn spawned(&self) -> usize {
        self.spawned
    }
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (_, first) = self.first();
        let failed = self.failures.len();
        let spawned = self.spawned;
        if failed == 1 {
            write!(f, "1 of {spawned} tasks in the group failed: {first}")
        } else {
            write!(
                f,
                "{failed} of {spawned} tasks in the group failed: first: {first}"
            )
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for GroupError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.first() {
            (_, ChildFailure::Error(error)) => Some(error),
            (_, ChildFailure::Panic(panic)) => Some(panic),
        }
    }
}
