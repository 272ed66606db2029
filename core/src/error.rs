//! The error for invalid settings, shared by every pattern.

use core::fmt;

/// A setting that cannot work: a limit of 0, attempts of 0, a capacity of 0, a negative rate…
///
/// Returned (never panicked) by every constructor or builder that takes numbers, because in the
/// browser a panic aborts the whole wasm instance: bad input must leave the page usable.
///
/// # Examples
///
/// ```
/// let err = weft_core::ConfigError::new("limit", "must be at least 1, got 0");
/// assert_eq!(err.to_string(), "invalid limit: must be at least 1, got 0");
/// assert_eq!(err.setting(), "limit");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    setting: &'static str,
    problem: String,
}

impl ConfigError {
    /// An error saying that `setting` is invalid because of `problem`.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = weft_core::ConfigError::new("attempts", "must be at least 1");
    /// assert!(err.to_string().contains("attempts"));
    /// ```
    pub fn new(setting: &'static str, problem: impl Into<String>) -> Self {
        ConfigError {
            setting,
            problem: problem.into(),
        }
    }

    /// The name of the invalid setting, as the API spells it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_core::ConfigError::new("capacity", "must be at least 1").setting(), "capacity");
    /// ```
    pub fn setting(&self) -> &'static str {
        self.setting
    }

    /// Checks that `value` is at least 1; the most common rule.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_core::ConfigError;
    ///
    /// assert_eq!(ConfigError::at_least_one("limit", 3), Ok(3));
    /// assert_eq!(
    ///     ConfigError::at_least_one("limit", 0).unwrap_err().to_string(),
    ///     "invalid limit: must be at least 1, got 0"
    /// );
    /// ```
    pub fn at_least_one(setting: &'static str, value: usize) -> Result<usize, ConfigError> {
        if value == 0 {
            Err(ConfigError::new(setting, "must be at least 1, got 0"))
        } else {
            Ok(value)
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.setting, self.problem)
    }
}

impl std::error::Error for ConfigError {}
