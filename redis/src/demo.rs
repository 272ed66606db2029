//! The functions the stock `weft-worker` binary serves: `count_primes` for the
//! `distributed_primes` example and the benchmarks, plus small ones the tests use to watch
//! delivery from outside a worker process (they leave a line in a file each time they run).
//!
//! A real deployment writes its own worker binary, registering its own functions:
//! `Worker::connect(url, queue).register(my_function).run()`.

use std::io::Write;

weft::func! {
    /// Counts the primes below `limit`, by trial division: a CPU job whose cost grows with
    /// `limit` (about 85 ms for 1,000,000 in a release build, on one core of a 2-core test machine).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_redis::demo::count_primes.call(100), 25);
    /// assert_eq!(weft_redis::demo::count_primes.call(0), 0);
    /// ```
    pub fn count_primes(limit: u64) -> u64 {
        (2..limit).filter(|&n| is_prime(n)).count() as u64
    }
}

fn is_prime(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

weft::func! {
    /// Adds one: the smallest job there is (for measuring a queue's own overhead).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_redis::demo::increment.call(41), 42);
    /// ```
    pub fn increment(x: u64) -> u64 {
        x.wrapping_add(1)
    }
}

weft::func! {
    /// Sleeps `ms` milliseconds on the worker's thread, then returns `ms`: a job that is
    /// "mid-run" for a known time.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_redis::demo::sleep_ms.call(1), 1);
    /// ```
    pub fn sleep_ms(ms: u64) -> u64 {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        ms
    }
}

weft::func! {
    /// Sleeps 2 ms, then returns `x` with the id of the process that ran it: shows which
    /// worker process ran which job.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_redis::demo::whoami.call(7), (7, std::process::id()));
    /// ```
    pub fn whoami(x: u64) -> (u64, u32) {
        std::thread::sleep(std::time::Duration::from_millis(2));
        (x, std::process::id())
    }
}

/// Appends one line to the file at `path` (created if missing).
fn mark(path: &str) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    writeln!(file, "{}", std::process::id()).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
}

weft::func! {
    /// Appends a line to the file at `path` each time it runs; returns `path`'s length in lines.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("ran").to_string_lossy().into_owned();
    /// assert_eq!(weft_redis::demo::touch.call(path.clone()), 1);
    /// assert_eq!(weft_redis::demo::touch.call(path), 2);
    /// ```
    pub fn touch(path: String) -> u64 {
        mark(&path);
        std::fs::read_to_string(&path).map_or(0, |text| text.lines().count() as u64)
    }
}

weft::func! {
    /// A poison job: appends a line to the file at `path`, then panics, every time.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("ran").to_string_lossy().into_owned();
    /// let registry = weft_redis::demo::registry();
    /// use weft::Payload;
    /// let err = registry.call("poison", path.clone().into_payload().unwrap()).unwrap_err();
    /// assert_eq!(err.to_string(), "job panicked: poison job");
    /// assert_eq!(std::fs::read_to_string(path).unwrap().lines().count(), 1);
    /// ```
    pub fn poison(path: String) -> () {
        mark(&path);
        panic!("poison job");
    }
}

weft::func! {
    /// A job that kills its worker: appends a line to the file at `path`, then aborts the
    /// whole process (as a segfault or the OOM killer would).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_redis::demo::crash.name(), "crash");
    /// ```
    pub fn crash(path: String) -> () {
        mark(&path);
        std::process::abort();
    }
}

/// Every function of this module, registered.
///
/// # Examples
///
/// ```
/// let registry = weft_redis::demo::registry();
/// assert_eq!(
///     registry.names().collect::<Vec<_>>(),
///     ["count_primes", "crash", "increment", "poison", "sleep_ms", "touch", "whoami"]
/// );
/// ```
pub fn registry() -> weft::Registry {
    weft::Registry::new()
        .register(count_primes)
        .register(increment)
        .register(sleep_ms)
        .register(touch)
        .register(poison)
        .register(crash)
        .register(whoami)
}
