//! The `distributed_primes` example, end to end, against two `weft-worker` processes.

mod support;

use std::process::Command;

use support::{RedisServer, worker};

#[test]
fn distributed_primes_example_counts_with_two_workers() {
    // Cargo builds the examples next to the binaries before it runs the tests.
    let bin_dir = std::path::Path::new(support::WORKER)
        .parent()
        .expect("a directory");
    let example = bin_dir.join("examples").join("distributed_primes");
    assert!(
        example.exists(),
        "{} is missing: run the tests with `cargo test -p weft-redis` (which builds the examples)",
        example.display()
    );
    let server = RedisServer::start();
    let _workers = [
        worker(&server, "primes", &[]),
        worker(&server, "primes", &[]),
    ];
    let output = Command::new(example)
        .args(["--url", &server.url(), "--jobs", "300", "--limit", "2000"])
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("300 jobs in"), "{stdout}");
    assert!(stdout.contains("0 failed"), "{stdout}");
    // Each job counts the primes below 2000 + i: 303 primes below 2000, a few more above.
    let primes: u64 = stdout
        .split(" primes counted")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a prime count");
    let expected: u64 = (0..300)
        .map(|i| weft_redis::demo::count_primes.call(2000 + i))
        .sum();
    assert_eq!(primes, expected);
}
