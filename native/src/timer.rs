//! Timers on async-io's reactor.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use async_io::Timer;
use weft_core::Instant;

/// The future of `weft::sleep` natively: completes at its deadline, never earlier.
///
/// A deadline past the clock's range (say `Duration::MAX` from now) never fires. Dropping the
/// future cancels the timer.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_native::Sleep;
///
/// weft::block_on(async {
///     let start = std::time::Instant::now();
///     Sleep::after(Duration::from_millis(5)).await;
///     assert!(start.elapsed() >= Duration::from_millis(5));
/// });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    timer: Timer,
}

impl Sleep {
    /// A timer that fires once `duration` has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::block_on(weft_native::Sleep::after(std::time::Duration::ZERO));
    /// ```
    pub fn after(duration: Duration) -> Self {
        match Instant::now().checked_add(duration) {
            Some(deadline) => Self::at(deadline),
            None => Sleep {
                timer: Timer::never(),
            },
        }
    }

    /// A timer that fires at `deadline`.
    ///
    /// # Examples
    ///
    /// ```
    /// let at = std::time::Instant::now();
    /// weft::block_on(weft_native::Sleep::at(at));
    /// assert!(std::time::Instant::now() >= at);
    /// ```
    pub fn at(deadline: Instant) -> Self {
        Sleep {
            timer: Timer::at(deadline),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.timer).poll(cx).map(drop)
    }
}
