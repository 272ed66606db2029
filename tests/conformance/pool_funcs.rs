//! The functions the pool tests run on workers. They live in the test crate, so in the browser
//! the test's own wasm module exports them and the pool's workers find them by name.

use std::time::Duration;

use weft::{Bytes, CancelToken, Instant};

weft::func! {
    /// x².
    pub fn square(x: u64) -> u64 {
        x * x
    }
}

weft::func! {
    /// Two arguments travel as one tuple.
    pub fn add(a: u64, b: u64) -> u64 {
        a + b
    }
}

weft::func! {
    /// Upper-cases a string.
    pub fn shout(text: String) -> String {
        text.to_uppercase()
    }
}

weft::func! {
    /// Reverses a byte buffer (which travels unencoded).
    pub fn reverse_bytes(data: Bytes) -> Bytes {
        let mut data = data.into_vec();
        data.reverse();
        Bytes::from(data)
    }
}

weft::func! {
    /// Keeps its worker busy for `ms` milliseconds, or until its job is cancelled; gives `ms`.
    pub fn spin_ms(ms: u64) -> u64 {
        let token = CancelToken::current();
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end && !token.is_cancelled() {
            std::hint::spin_loop();
        }
        ms
    }
}

weft::func! {
    /// Panics with `message`.
    pub fn boom(message: String) -> u64 {
        panic!("{message}")
    }
}

weft::func! {
    /// x², except that 13 panics.
    pub fn square_unless_13(x: u64) -> u64 {
        assert!(x != 13, "unlucky {x}");
        x * x
    }
}

weft::func! {
    /// The number of primes below `limit`, by trial division: honest CPU work.
    pub fn count_primes(limit: u64) -> u64 {
        (2..limit)
            .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
            .count() as u64
    }
}

/// Set (natively) by [`spin_until_cancelled`] when it sees its token cancelled.
#[cfg(not(target_arch = "wasm32"))]
pub static SAW_CANCEL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(not(target_arch = "wasm32"))]
weft::func! {
    /// Spins until its job is cancelled (or `ms` pass), and says so in [`SAW_CANCEL`].
    pub fn spin_until_cancelled(ms: u64) -> bool {
        let token = CancelToken::current();
        let end = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < end {
            if token.is_cancelled() {
                SAW_CANCEL.store(true, std::sync::atomic::Ordering::SeqCst);
                return true;
            }
            std::hint::spin_loop();
        }
        false
    }
}

weft::func! {
    /// Traps without panicking (an abort is `unreachable` in wasm): the instance dies with no
    /// message. Browser only: natively an abort ends the whole process, as it would in Python.
    #[cfg(target_arch = "wasm32")]
    pub fn abort_instance(_x: u64) -> u64 {
        std::process::abort()
    }
}

/// How many times [`tally`] ran for each argument, in this process (natively: the pool's
/// threads share it; in the browser each worker has its own copy, so only native tests read it).
pub static TALLY: std::sync::Mutex<std::collections::BTreeMap<u64, u32>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// How many times [`tally`] ran with `x`.
#[cfg(not(target_arch = "wasm32"))]
pub fn tallied(x: u64) -> u32 {
    TALLY.lock().unwrap().get(&x).copied().unwrap_or(0)
}

weft::func! {
    /// Counts its run in [`TALLY`] and gives `x` back.
    pub fn tally(x: u64) -> u64 {
        *TALLY.lock().unwrap().entry(x).or_default() += 1;
        x
    }
}
