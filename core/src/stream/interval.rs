//! [`Interval`]: a tick every period, on a fixed grid that never drifts.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use futures_lite::Stream;
use web_time::Instant;

use crate::error::ConfigError;
use crate::runtime::Runtime;

/// What an [`Interval`] does with ticks it could not deliver on time, because the consumer (or
/// the whole event loop) was busy past one or more deadlines.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures_lite::StreamExt;
/// use weft::testing::{self, VirtualRuntime};
/// use weft_core::stream::{Interval, MissedTicks};
///
/// let (burst, skip) = testing::run(async {
///     let start = testing::now();
///     let ms = |at: weft::Instant| (at - start).as_millis();
///     let period = Duration::from_millis(10);
///
///     let mut burst = Interval::<VirtualRuntime>::new(period).unwrap();
///     let mut skip = Interval::<VirtualRuntime>::new(period).unwrap().missed_ticks(MissedTicks::Skip);
///     testing::sleep(Duration::from_millis(35)).await; // busy through three deadlines
///     let mut skip_ticks = Vec::new();
///     for _ in 0..3 {
///         skip_ticks.push(ms(skip.next().await.unwrap()));
///     }
///     let mut burst_ticks = Vec::new();
///     for _ in 0..5 {
///         burst_ticks.push(ms(burst.next().await.unwrap()));
///     }
///     (burst_ticks, skip_ticks)
/// });
/// assert_eq!(skip, [10, 40, 50]); // at 35 ms one late tick, then back on the grid
/// assert_eq!(burst, [10, 20, 30, 40, 50]); // every tick, the missed ones at once
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissedTicks {
    /// Deliver every missed tick, at once, one per poll, until caught up: the count of ticks
    /// stays exact (`n` ticks always mean `n` periods since the start). The default.
    #[default]
    Burst,
    /// Deliver one late tick, then go on with the first grid deadline that is not in the past:
    /// the grid stays fixed, the missed ticks are dropped. Better for work that only needs "the
    /// latest" (a refresh, a heartbeat), and after a browser tab was in the background.
    Skip,
}

pin_project_lite::pin_project! {
    /// A stream that ticks every `period` on a fixed grid, generic over the [`Runtime`].
    ///
    /// Made by `weft::interval(period)` / `weft::interval_at(start, period)` (or
    /// [`Interval::new`] / [`Interval::at`] for an explicit runtime). Each item is the tick's
    /// scheduled deadline (`start + k × period`), not the moment the consumer got it: the next
    /// deadline is the previous *deadline* plus `period`, so the ticks never drift, however long
    /// the consumer takes per tick (`while True: await asyncio.sleep(d)` drifts by the time spent
    /// in the body each round). Missed ticks are handled as [`MissedTicks`] says.
    ///
    /// The first tick comes one period after creation (as JavaScript's `setInterval`), or at
    /// `start` with [`Interval::at`]. The stream never ends. `period == 0` is a [`ConfigError`].
    /// Dropping it cancels its timer.
    #[must_use = "streams do nothing unless polled"]
    pub struct Interval<R: Runtime> {
        #[pin]
        sleep: Option<R::Sleep>,
        // `None` once the grid runs past the clock's range: no tick ever again.
        next: Option<Instant>,
        period: Duration,
        missed: MissedTicks,
        runtime: PhantomData<fn() -> R>,
    }
}

impl<R: Runtime> Interval<R> {
    /// Ticks every `period`, the first tick one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures_lite::StreamExt;
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft_core::stream::Interval;
    ///
    /// let ticks = testing::run(async {
    ///     let start = testing::now();
    ///     let mut ticks = Interval::<VirtualRuntime>::new(Duration::from_millis(100)).unwrap();
    ///     let mut at = Vec::new();
    ///     for _ in 0..3 {
    ///         at.push((ticks.next().await.unwrap() - start).as_millis());
    ///         testing::sleep(Duration::from_millis(30)).await; // work: does not shift the grid
    ///     }
    ///     at
    /// });
    /// assert_eq!(ticks, [100, 200, 300]);
    /// assert!(Interval::<VirtualRuntime>::new(Duration::ZERO).is_err());
    /// ```
    pub fn new(period: Duration) -> Result<Self, ConfigError> {
        let period = check(period)?;
        Ok(Self::grid(R::now().checked_add(period), period))
    }

    /// Ticks at `start`, then every `period` after it. A `start` in the past is handled as
    /// missed ticks (see [`MissedTicks`]); `Interval::at(now, period)` ticks at once, as tokio's
    /// `interval` does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures_lite::StreamExt;
    /// use weft::testing::{self, VirtualRuntime};
    /// use weft_core::stream::Interval;
    ///
    /// testing::run(async {
    ///     let start = testing::now();
    ///     let mut ticks = Interval::<VirtualRuntime>::at(start, Duration::from_secs(1)).unwrap();
    ///     assert_eq!(ticks.next().await, Some(start)); // at once
    ///     assert_eq!(ticks.next().await, Some(start + Duration::from_secs(1)));
    /// });
    /// ```
    pub fn at(start: Instant, period: Duration) -> Result<Self, ConfigError> {
        let period = check(period)?;
        Ok(Self::grid(Some(start), period))
    }

    /// Sets what happens to ticks that could not be delivered on time; the default is
    /// [`MissedTicks::Burst`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use weft_core::stream::{Interval, MissedTicks};
    ///
    /// weft::block_on(async {
    ///     let ticks = Interval::<weft::DefaultRuntime>::new(Duration::from_secs(1))
    ///         .unwrap()
    ///         .missed_ticks(MissedTicks::Skip);
    ///     assert_eq!(ticks.period(), Duration::from_secs(1));
    /// });
    /// ```
    pub fn missed_ticks(mut self, missed: MissedTicks) -> Self {
        self.missed = missed;
        self
    }

    /// The time between two ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// weft::block_on(async {
    ///     let ticks = weft::interval(Duration::from_millis(250)).unwrap();
    ///     assert_eq!(ticks.period(), Duration::from_millis(250));
    /// });
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    fn grid(first: Option<Instant>, period: Duration) -> Self {
        Interval {
            sleep: None,
            next: first,
            period,
            missed: MissedTicks::Burst,
            runtime: PhantomData,
        }
    }
}

fn check(period: Duration) -> Result<Duration, ConfigError> {
    if period.is_zero() {
        return Err(ConfigError::new("period", "must be longer than zero"));
    }
    Ok(period)
}

/// The first deadline of the grid `tick + k × period` (k ≥ 1) that is not before `now`.
fn first_due_after(tick: Instant, period: Duration, now: Instant) -> Option<Instant> {
    let next = tick.checked_add(period)?;
    if now <= next {
        return Some(next);
    }
    let behind = (now - tick).as_nanos();
    let periods = behind.div_ceil(period.as_nanos());
    let offset = period.as_nanos().checked_mul(periods)?;
    tick.checked_add(Duration::from_nanos(u64::try_from(offset).ok()?))
}

impl<R: Runtime> Stream for Interval<R> {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        let mut this = self.project();
        let Some(tick) = *this.next else {
            return Poll::Pending;
        };
        if this.sleep.is_none() {
            this.sleep.set(Some(R::sleep_until(tick)));
        }
        let sleep = this.sleep.as_mut().as_pin_mut().expect("armed above");
        if sleep.poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.sleep.set(None);
        *this.next = match this.missed {
            // The next deadline is the previous deadline plus the period, never "now + period":
            // that is what keeps the grid from drifting.
            MissedTicks::Burst => tick.checked_add(*this.period),
            MissedTicks::Skip => first_due_after(tick, *this.period, R::now()),
        };
        Poll::Ready(Some(tick))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl<R: Runtime> fmt::Debug for Interval<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("period", &self.period)
            .field("next", &self.next)
            .field("missed", &self.missed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_lands_on_the_first_grid_deadline_not_in_the_past() {
        let t0 = Instant::now();
        let p = Duration::from_millis(10);
        let at = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(first_due_after(t0, p, at(3)), Some(at(10)));
        assert_eq!(first_due_after(t0, p, at(10)), Some(at(10)));
        assert_eq!(first_due_after(t0, p, at(11)), Some(at(20)));
        assert_eq!(first_due_after(t0, p, at(35)), Some(at(40)));
        assert_eq!(first_due_after(t0, p, at(40)), Some(at(40)));
    }
}
