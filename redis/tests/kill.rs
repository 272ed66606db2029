//! At-least-once, under fire: a worker killed with SIGKILL in the middle of its jobs, 50 times
//! in a row, while 2,000 jobs run. Every job ends with exactly one stored result; none is lost
//! and none is left pending.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use support::{RedisServer, assert_drained, leftovers, wait_until, worker};
use weft_redis::{Queue, demo};

const JOBS: usize = 2_000;
const KILLS: usize = 50;

/// How many jobs the consumer `name` holds (delivered, not acknowledged).
fn held_by(conn: &mut redis::Connection, queue: &str, name: &str) -> usize {
    let info: redis::streams::StreamInfoConsumersReply = redis::cmd("XINFO")
        .arg("CONSUMERS")
        .arg(format!("weft:{{{queue}}}:jobs"))
        .arg("workers")
        .query(conn)
        .expect("XINFO CONSUMERS");
    info.consumers
        .iter()
        .find(|c| c.name == name)
        .map_or(0, |c| c.pending)
}

#[test]
fn a_worker_killed_fifty_times_mid_job_loses_nothing_and_stores_one_result_per_job() {
    let server = RedisServer::start();
    let options = |name: &str| {
        [
            "--concurrency",
            "2",
            "--visibility-ms",
            "500",
            "--attempts",
            "1000",
            "--name",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([name.to_owned()])
        .collect::<Vec<_>>()
    };
    let steady_options = options("steady");
    let steady_args: Vec<&str> = steady_options.iter().map(String::as_str).collect();
    let _steady = worker(&server, "kill", &steady_args);

    let ids = weft::block_on(async {
        let queue = Queue::connect(&server.url(), "kill").await.unwrap();
        let mut handles = Vec::with_capacity(JOBS);
        for _ in 0..JOBS {
            handles.push(queue.submit(demo::sleep_ms, 5).await.unwrap());
        }
        let ids: Vec<String> = handles.iter().map(|h| h.id().to_string()).collect();
        let collect = weft::spawn(async move {
            let mut results = Vec::with_capacity(JOBS);
            for handle in handles {
                results.push(handle.await);
            }
            results
        });

        // Kill a worker in the middle of its jobs, 50 times in a row.
        let mut conn = server.conn();
        let started = Instant::now();
        for kill in 0..KILLS {
            let name = format!("victim-{kill}");
            let victim_options = options(&name);
            let args: Vec<&str> = victim_options.iter().map(String::as_str).collect();
            let mut victim = worker(&server, "kill", &args);
            wait_until(Duration::from_secs(60), "the victim holds a job", || {
                held_by(&mut conn, "kill", &name) > 0
            });
            // It has its jobs; let it get into them (each takes 5 ms).
            std::thread::sleep(Duration::from_micros(fastrand::u64(500..4_000)));
            victim.kill();
        }
        let killing = started.elapsed();
        let (left, _, _) = leftovers(&mut conn, "kill");
        assert!(
            left > 0,
            "the run ended before the kills did: make the jobs longer"
        );

        let results = weft::timeout(Duration::from_secs(120), collect)
            .await
            .expect("every job finishes")
            .unwrap();
        let failed: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
        assert!(
            failed.is_empty(),
            "{} jobs failed, first: {:?}",
            failed.len(),
            failed[0]
        );
        assert!(results.iter().all(|r| matches!(r, Ok(5))));
        println!(
            "{KILLS} kills in {killing:?}; {} jobs still queued after them",
            left
        );
        ids
    });

    // One stored result per job, and nothing else.
    let mut conn = server.conn();
    let keys: HashSet<String> = redis::cmd("KEYS")
        .arg("weft:{kill}:r:*")
        .query::<Vec<String>>(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    let expected: HashSet<String> = ids
        .iter()
        .map(|id| format!("weft:{{kill}}:r:{id}"))
        .collect();
    assert_eq!(keys.len(), JOBS);
    assert_eq!(keys, expected);
    let dead: u64 = redis::cmd("XLEN")
        .arg("weft:{kill}:dead")
        .query(&mut conn)
        .unwrap();
    assert_eq!(dead, 0);
    assert_drained(&server, "kill");
}
