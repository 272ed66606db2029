//! The submitting side against a real redis-server and `weft-worker` processes: map in order
//! over three workers, unordered map, fetch by id, progress, cancel, backpressure.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_lite::StreamExt;
use support::{RedisServer, assert_drained, consumers, wait_until, worker};
use weft_redis::{JobError, Queue, demo};

const LONG: Duration = Duration::from_secs(60);

async fn connect(server: &RedisServer, queue: &str) -> Queue {
    Queue::connect(&server.url(), queue)
        .await
        .unwrap_or_else(|e| panic!("cannot connect the queue: {e}"))
}

#[test]
fn ordered_map_over_three_worker_processes_keeps_input_order() {
    let server = RedisServer::start();
    let _workers: Vec<_> = (0..3)
        .map(|_| worker(&server, "map", &["--concurrency", "2"]))
        .collect();
    let mut conn = server.conn();
    // Each worker joins the group on its first read: wait for all three before submitting.
    wait_until(LONG, "three workers joined", || {
        consumers(&mut conn, "map") == 3
    });
    weft::block_on(async {
        let queue = connect(&server, "map").await;
        let results: Vec<(u64, u32)> = queue
            .map(demo::whoami, 0..300)
            .map(|r| r.expect("every job succeeds"))
            .collect()
            .await;
        let order: Vec<u64> = results.iter().map(|r| r.0).collect();
        assert_eq!(order, (0..300).collect::<Vec<_>>());
        let processes: HashSet<u32> = results.iter().map(|r| r.1).collect();
        assert_eq!(processes.len(), 3, "every worker process ran some jobs");
        assert!(!processes.contains(&std::process::id()));
    });
    assert_drained(&server, "map");
}

#[test]
fn unordered_map_yields_every_index_once_and_empty_input_yields_nothing() {
    let server = RedisServer::start();
    let _worker = worker(&server, "unordered", &["--concurrency", "2"]);
    weft::block_on(async {
        let queue = connect(&server, "unordered").await;
        let mut seen: Vec<(usize, u64)> = queue
            .map_unordered(demo::increment, 0..500)
            .map(|(i, r)| (i, r.unwrap()))
            .collect()
            .await;
        seen.sort();
        assert_eq!(
            seen,
            (0..500).map(|i| (i, i as u64 + 1)).collect::<Vec<_>>()
        );

        let none: Vec<_> = queue.map(demo::increment, Vec::new()).collect().await;
        assert!(none.is_empty());
        let none: Vec<_> = queue.map_unordered(demo::increment, []).collect().await;
        assert!(none.is_empty());
    });
    assert_drained(&server, "unordered");
}

#[test]
fn a_dropped_handle_is_fetched_later_by_id_from_another_queue() {
    let server = RedisServer::start();
    let _worker = worker(&server, "later", &["--concurrency", "2"]);
    weft::block_on(async {
        let first = connect(&server, "later").await;
        let done = first.submit(demo::increment, 1).await.unwrap();
        let slow = first.submit(demo::sleep_ms, 300).await.unwrap();
        let (done_id, slow_id) = (done.id().clone(), slow.id().clone());
        drop((done, slow));
        drop(first);

        let other = connect(&server, "later").await;
        // One waits for a result not there yet, the other finds it stored.
        let slow = other.job::<u64>(slow_id).await.unwrap();
        assert_eq!(weft::timeout(LONG, slow).await.unwrap().unwrap(), 300);
        let done = other.job::<u64>(done_id.clone()).await.unwrap();
        assert_eq!(done.await.unwrap(), 2);
        // A result can be fetched again, as often as wanted, until its TTL.
        assert_eq!(other.job::<u64>(done_id).await.unwrap().await.unwrap(), 2);
    });
    assert_drained(&server, "later");
}

#[test]
fn progress_counts_every_job_once_until_complete() {
    let server = RedisServer::start();
    let _worker = worker(&server, "progress", &["--concurrency", "2"]);
    weft::block_on(async {
        let queue = connect(&server, "progress").await;
        let mut progress = queue.progress();
        let first = progress.next().await.unwrap();
        assert_eq!(first, weft_redis::Progress::default());
        assert!(first.is_complete());

        let results: Vec<_> = queue.map_unordered(demo::increment, 0..200).collect().await;
        assert_eq!(results.len(), 200);
        let last = weft::timeout(LONG, async {
            loop {
                let p = progress.next().await.unwrap();
                if p.submitted == 200 && p.is_complete() {
                    return p;
                }
            }
        })
        .await
        .expect("progress reaches 200 done");
        assert_eq!(last.done, 200);
        assert_eq!(
            (last.queued, last.running, last.failed, last.dead),
            (0, 0, 0, 0)
        );
    });
}

#[test]
fn progress_stream_ends_when_the_queue_is_dropped() {
    let server = RedisServer::start();
    weft::block_on(async {
        let queue = connect(&server, "ends").await;
        let mut progress = queue.progress();
        assert!(progress.next().await.is_some());
        drop(queue);
        let end = weft::timeout(LONG, progress.next()).await.unwrap();
        assert!(end.is_none());
    });
}

#[test]
fn cancel_of_a_queued_job_means_it_never_runs() {
    let server = RedisServer::start();
    let path = |name: &str| server.dir().join(name).to_string_lossy().into_owned();
    weft::block_on(async {
        let queue = connect(&server, "cancel").await;
        // No worker yet: both jobs wait in the stream.
        let doomed = queue.submit(demo::touch, path("doomed")).await.unwrap();
        let kept = queue.submit(demo::touch, path("kept")).await.unwrap();
        assert!(queue.cancel(doomed.id()).await.unwrap());
        assert!(
            !queue.cancel(doomed.id()).await.unwrap(),
            "it has ended already"
        );
        let doomed_id = doomed.id().clone();
        assert!(matches!(doomed.await, Err(JobError::Cancelled)));

        let mut worker = worker(&server, "cancel", &["--concurrency", "2"]);
        assert_eq!(weft::timeout(LONG, kept).await.unwrap().unwrap(), 1);
        // The worker has taken the cancelled job too, and dropped it.
        assert_drained(&server, "cancel");
        assert!(
            !std::path::Path::new(&path("doomed")).exists(),
            "the cancelled job ran"
        );
        assert!(worker.exited().is_none());

        // Fetched later, it is still cancelled; a finished job cannot be cancelled.
        let again = queue.job::<u64>(doomed_id).await.unwrap();
        assert!(matches!(again.await, Err(JobError::Cancelled)));
        let done = queue.submit(demo::increment, 1).await.unwrap();
        let done_id = done.id().clone();
        assert_eq!(done.await.unwrap(), 2);
        assert!(!queue.cancel(&done_id).await.unwrap());

        let p = queue.progress().next().await.unwrap();
        assert_eq!((p.cancelled, p.done, p.submitted), (1, 2, 3));
    });
}

#[test]
fn submit_waits_while_the_backlog_is_full() {
    let server = RedisServer::start();
    weft::block_on(async {
        let queue = Queue::builder(&server.url(), "full")
            .max_pending(3)
            .connect()
            .await
            .unwrap();
        let mut handles = Vec::new();
        for x in 0..3 {
            handles.push(queue.submit(demo::increment, x).await.unwrap());
        }
        assert_eq!(queue.backlog().await.unwrap(), 3);
        let returned = Arc::new(AtomicBool::new(false));
        let fourth = weft::spawn({
            let (queue, returned) = (queue.clone(), returned.clone());
            async move {
                let handle = queue.submit(demo::increment, 3).await;
                returned.store(true, Ordering::SeqCst);
                handle
            }
        });
        weft::sleep(Duration::from_millis(500)).await;
        assert!(
            !returned.load(Ordering::SeqCst),
            "submit returned with the backlog full"
        );
        assert_eq!(queue.backlog().await.unwrap(), 3);

        let _worker = worker(&server, "full", &["--concurrency", "1"]);
        handles.push(weft::timeout(LONG, fourth).await.unwrap().unwrap().unwrap());
        let mut results = Vec::new();
        for handle in handles {
            results.push(weft::timeout(LONG, handle).await.unwrap().unwrap());
        }
        assert_eq!(results, [1, 2, 3, 4]);
    });
    assert_drained(&server, "full");
}

#[test]
fn redis_memory_stays_bounded() {
    let server = RedisServer::start();
    let mut conn = server.conn();
    // Fill the events and dead-letter streams past their cap first.
    for stream in ["events", "dead"] {
        let mut pipe = redis::pipe();
        for _ in 0..12_000 {
            pipe.cmd("XADD")
                .arg(format!("weft:{{bounded}}:{stream}"))
                .arg("*")
                .arg("k")
                .arg("filler")
                .ignore();
        }
        let () = pipe.query(&mut conn).unwrap();
    }
    let path = server.dir().join("poison").to_string_lossy().into_owned();
    let _worker = worker(
        &server,
        "bounded",
        &[
            "--result-ttl-secs",
            "600",
            "--attempts",
            "2",
            "--retry-delay-ms",
            "0",
        ],
    );
    weft::block_on(async {
        let queue = connect(&server, "bounded").await;
        let results: Vec<_> = queue.map_unordered(demo::increment, 0..300).collect().await;
        assert!(results.iter().all(|(_, r)| r.is_ok()));
        let poisoned = queue.submit(demo::poison, path).await.unwrap();
        assert!(matches!(
            poisoned.await,
            Err(JobError::Dead { attempts: 2, .. })
        ));
    });
    assert_drained(&server, "bounded");
    // Results expire; no error is kept past its job; the streams are capped near 10,000.
    let results: Vec<String> = redis::cmd("KEYS")
        .arg("weft:{bounded}:r:*")
        .query(&mut conn)
        .unwrap();
    assert_eq!(results.len(), 301);
    for key in &results {
        let ttl: i64 = redis::cmd("TTL").arg(key).query(&mut conn).unwrap();
        assert!((1..=600).contains(&ttl), "{key} has TTL {ttl}");
    }
    let errors: Vec<String> = redis::cmd("KEYS")
        .arg("weft:{bounded}:e:*")
        .query(&mut conn)
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    for stream in ["events", "dead"] {
        let len: u64 = redis::cmd("XLEN")
            .arg(format!("weft:{{bounded}}:{stream}"))
            .query(&mut conn)
            .unwrap();
        // `MAXLEN ~` trims whole nodes of 100 entries.
        assert!(len <= 10_100, "{stream} holds {len} entries");
    }
}
