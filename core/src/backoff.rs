//! The delays between retries: exponential backoff with the four jitters of the AWS
//! Architecture Blog ("Exponential Backoff And Jitter").
//!
//! tenacity's `wait_exponential` / `wait_random_exponential`. The `k`-th delay (the wait after
//! the `k`-th failed try, `k = 1, 2, …`) starts from the exponential base
//!
//! ```text
//! base_k = min(max_delay, min_delay × factor^(k−1))
//! ```
//!
//! and [`Jitter`] decides how randomness spreads it. A [`Backoff`] is that sequence as an
//! endless iterator; [`RetryPolicy::backoff`](crate::retry::RetryPolicy::backoff) makes one.

use core::fmt;
use core::time::Duration;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// How randomness spreads the delays, so that many clients retrying at once do not all come
/// back at the same moment.
///
/// With `base_k` the exponential base above, each kind gives, exactly:
///
/// | kind | `k`-th delay | always within |
/// |---|---|---|
/// | `None` | `base_k` | `[min_delay, max_delay]` |
/// | `Full` | uniform in `[0, base_k]` | `[0, max_delay]` |
/// | `Equal` | uniform in `[base_k / 2, base_k]` | `[min_delay / 2, max_delay]` |
/// | `Decorrelated` | `min(max_delay, uniform in [min_delay, 3 × previous])`, previous₀ = `min_delay` | `[min_delay, max_delay]` |
///
/// Decorrelated follows the AWS definition and ignores `factor` (its growth comes from the
/// `× 3`); with a zero `min_delay` it is always zero. Draws are uniform over whole nanoseconds.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft::Jitter;
///
/// let policy = weft::Retry::new()
///     .min_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(1))
///     .jitter(Jitter::Full)
///     .build()
///     .unwrap();
/// for delay in policy.backoff().take(50) {
///     assert!(delay <= Duration::from_secs(1));
/// }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Jitter {
    /// No randomness: exactly the exponential base.
    #[default]
    None,
    /// Anywhere from zero to the base: the most spread, AWS's recommendation.
    Full,
    /// Half the base plus a random half: never less than half the base.
    Equal,
    /// Random between `min_delay` and three times the previous delay, capped.
    Decorrelated,
}

/// The delays between tries, as an endless iterator: item `k` is the wait after try `k`.
///
/// Made by [`RetryPolicy::backoff`](crate::retry::RetryPolicy::backoff), seeded from the
/// policy's seed when it has one (then every `Backoff` of that policy gives the same delays).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let policy = weft::Retry::new()
///     .min_delay(Duration::from_secs(1))
///     .max_delay(Duration::from_secs(10))
///     .factor(2.0)
///     .build()
///     .unwrap();
/// let secs: Vec<u64> = policy.backoff().take(6).map(|d| d.as_secs()).collect();
/// assert_eq!(secs, [1, 2, 4, 8, 10, 10]);
/// ```
#[derive(Clone)]
pub struct Backoff {
    min: u128,
    max: u128,
    factor: f64,
    jitter: Jitter,
    rng: fastrand::Rng,
    /// `base_k` of the next delay, in nanoseconds (exact for any delay under 104 days).
    base: f64,
    /// The previous delay, for [`Jitter::Decorrelated`].
    previous: u128,
}

impl Backoff {
    /// The delays for `min ≤ max`, `factor ≥ 1` (checked by the policy's `build`).
    pub(crate) fn new(
        min: Duration,
        max: Duration,
        factor: f64,
        jitter: Jitter,
        rng: fastrand::Rng,
    ) -> Self {
        let (min, max) = (min.as_nanos(), max.as_nanos());
        Backoff {
            min,
            max,
            factor,
            jitter,
            rng,
            base: min as f64,
            previous: min,
        }
    }

    fn next_base(&mut self) -> u128 {
        let max = self.max as f64;
        let base = if self.base >= max {
            self.max
        } else {
            (self.base.round() as u128).min(self.max)
        };
        self.base = (self.base * self.factor).min(max);
        base
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let base = self.next_base();
        let nanos = match self.jitter {
            Jitter::None => base,
            Jitter::Full => self.rng.u128(0..=base),
            Jitter::Equal => self.rng.u128(base / 2..=base),
            Jitter::Decorrelated => {
                let high = self.previous.saturating_mul(3).max(self.min);
                let delay = self.rng.u128(self.min..=high).min(self.max);
                self.previous = delay;
                delay
            }
        };
        Some(from_nanos(nanos))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl fmt::Debug for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("min", &from_nanos(self.min))
            .field("max", &from_nanos(self.max))
            .field("factor", &self.factor)
            .field("jitter", &self.jitter)
            .finish()
    }
}

/// Nanoseconds no larger than some `Duration::as_nanos()` back to a `Duration`.
fn from_nanos(nanos: u128) -> Duration {
    Duration::new(
        (nanos / NANOS_PER_SEC) as u64,
        (nanos % NANOS_PER_SEC) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delays(min_ms: u64, max_ms: u64, factor: f64, jitter: Jitter, seed: u64) -> Vec<Duration> {
        let ms = Duration::from_millis;
        Backoff::new(
            ms(min_ms),
            ms(max_ms),
            factor,
            jitter,
            fastrand::Rng::with_seed(seed),
        )
        .take(40)
        .collect()
    }

    #[test]
    fn no_jitter_doubles_up_to_the_cap() {
        let got = delays(200, 2000, 2.0, Jitter::None, 0);
        let ms: Vec<u128> = got.iter().take(6).map(Duration::as_millis).collect();
        assert_eq!(ms, [200, 400, 800, 1600, 2000, 2000]);
        assert!(got.iter().all(|d| *d <= Duration::from_secs(2)));
    }

    #[test]
    fn a_factor_of_one_keeps_the_delay_constant() {
        assert!(
            delays(50, 50_000, 1.0, Jitter::None, 0)
                .iter()
                .all(|d| *d == Duration::from_millis(50))
        );
    }

    #[test]
    fn huge_bounds_saturate_instead_of_overflowing() {
        let mut backoff = Backoff::new(
            Duration::from_secs(1),
            Duration::MAX,
            10.0,
            Jitter::Full,
            fastrand::Rng::with_seed(1),
        );
        for _ in 0..2000 {
            assert!(backoff.next().is_some());
        }
    }

    #[test]
    fn decorrelated_stays_within_min_and_max() {
        for seed in 0..200 {
            for d in delays(10, 1000, 2.0, Jitter::Decorrelated, seed) {
                assert!(d >= Duration::from_millis(10) && d <= Duration::from_secs(1));
            }
        }
    }
}
