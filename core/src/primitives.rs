//! The synchronisation primitives weft's hand-written parts are built on: std's, or loom's when
//! compiled with `RUSTFLAGS="--cfg loom"`, so that `tests/loom.rs` can explore every
//! interleaving of the real code (event-listener switches to loom's with them).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// Defines a `const fn` normally and a plain `fn` under loom, whose primitives cannot be made
/// in a constant.
macro_rules! const_unless_loom {
    ($(#[$meta:meta])* $vis:vis fn $name:ident() -> $ret:ty $body:block) => {
        #[cfg(not(loom))]
        $(#[$meta])*
        $vis const fn $name() -> $ret $body

        #[cfg(loom)]
        $(#[$meta])*
        $vis fn $name() -> $ret $body
    };
}

pub(crate) use const_unless_loom;
