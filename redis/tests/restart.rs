//! Redis stopped and restarted in the middle of a run (same data directory, append-only file):
//! the queue and the workers reconnect by themselves and the run completes with nothing lost.

mod support;

use std::time::Duration;

use futures_lite::StreamExt;
use support::{RedisServer, assert_drained, consumers, wait_until, worker};
use weft_redis::{Queue, demo};

#[test]
fn redis_stopped_and_restarted_mid_run_loses_nothing() {
    let mut server = RedisServer::start();
    let mut conn = server.conn();
    let mut workers = [
        worker(&server, "restart", &["--concurrency", "2"]),
        worker(&server, "restart", &["--concurrency", "2"]),
    ];
    wait_until(Duration::from_secs(60), "both workers joined", || {
        consumers(&mut conn, "restart") == 2
    });
    drop(conn);
    weft::block_on(async {
        let queue = Queue::connect(&server.url(), "restart").await.unwrap();
        let mut progress = queue.progress();
        let before = weft::spawn(
            queue
                .map_unordered(demo::sleep_ms, vec![5_u64; 1_000])
                .collect::<Vec<_>>(),
        );
        weft::timeout(Duration::from_secs(60), async {
            while progress.next().await.unwrap().done < 100 {}
        })
        .await
        .expect("the run gets going");

        server.stop();
        // Submitted while Redis is down: waits, reconnects, goes through.
        let during = weft::spawn({
            let queue = queue.clone();
            async move { queue.map(demo::increment, 0..200).collect::<Vec<_>>().await }
        });
        weft::sleep(Duration::from_millis(1_500)).await;
        server.restart();

        let before = weft::timeout(Duration::from_secs(120), before)
            .await
            .unwrap()
            .unwrap();
        let mut indices: Vec<usize> = before.iter().map(|(i, _)| *i).collect();
        indices.sort();
        assert_eq!(indices, (0..1_000).collect::<Vec<_>>());
        assert!(
            before.iter().all(|(_, r)| matches!(r, Ok(5))),
            "{:?}",
            before.iter().find(|(_, r)| r.is_err())
        );

        let during = weft::timeout(Duration::from_secs(120), during)
            .await
            .unwrap()
            .unwrap();
        let during: Vec<u64> = during.into_iter().map(Result::unwrap).collect();
        assert_eq!(during, (1..=200).collect::<Vec<_>>());

        let p = queue.progress().next().await.unwrap();
        assert_eq!(
            (p.submitted, p.done, p.failed, p.dead),
            (1_200, 1_200, 0, 0)
        );
    });
    for worker in &mut workers {
        assert!(
            worker.exited().is_none(),
            "a worker died:\n{}",
            worker.log()
        );
    }
    assert_drained(&server, "restart");
}
