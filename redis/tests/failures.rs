//! What fails, and how the worker goes on: unknown functions, malformed payloads, poison jobs
//! (panicking, or killing their worker) and the dead-letter stream, graceful shutdown.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_lite::StreamExt;
use support::{RedisServer, WorkerProcess, assert_drained, consumers, wait_until, worker};
use weft::{Payload, WorkerError};
use weft_redis::{JobError, JobId, Queue, demo};

const LONG: Duration = Duration::from_secs(60);

async fn connect(server: &RedisServer, queue: &str) -> Queue {
    Queue::connect(&server.url(), queue)
        .await
        .unwrap_or_else(|e| panic!("cannot connect the queue: {e}"))
}

fn lines(path: &str) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

#[test]
fn unknown_functions_and_malformed_payloads_fail_their_job_and_the_worker_goes_on() {
    let server = RedisServer::start();
    let mut worker = worker(&server, "bad", &["--concurrency", "2"]);
    weft::block_on(async {
        let queue = connect(&server, "bad").await;

        let unknown = queue
            .submit_raw("resize_image", 1_u64.into_payload().unwrap())
            .await
            .unwrap();
        let err = weft::timeout(LONG, unknown).await.unwrap().unwrap_err();
        assert!(
            matches!(&err, JobError::Failed(WorkerError::UnknownFunction(name)) if name == "resize_image")
        );
        assert_eq!(
            err.to_string(),
            "job failed: unknown function `resize_image`"
        );

        // A u64 argument cut short, then a payload of a format version this weft does not know.
        let garbage = queue.submit_raw("increment", vec![1, 0xff]).await.unwrap();
        let err = weft::timeout(LONG, garbage).await.unwrap().unwrap_err();
        assert!(
            matches!(err, JobError::Failed(WorkerError::Payload(_))),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("job failed: bad payload: cannot decode"),
            "{err}"
        );
        let future = queue.submit_raw("increment", vec![9, 1]).await.unwrap();
        let err = weft::timeout(LONG, future).await.unwrap().unwrap_err();
        assert!(
            err.to_string().contains("unknown payload format version 9"),
            "{err}"
        );

        // A job entry in a layout of another weft-redis version, written by hand.
        let mut conn = server.conn();
        let _: () = redis::pipe()
            .cmd("XADD")
            .arg("weft:{bad}:jobs")
            .arg("*")
            .arg("id")
            .arg("foreign-1")
            .arg("f")
            .arg("increment")
            .arg("v")
            .arg("99")
            .ignore()
            .cmd("INCR")
            .arg("weft:{bad}:backlog")
            .ignore()
            .query(&mut conn)
            .unwrap();
        let foreign = queue.job::<u64>(JobId::from("foreign-1")).await.unwrap();
        let err = weft::timeout(LONG, foreign).await.unwrap().unwrap_err();
        assert!(
            err.to_string()
                .contains("job format version 99 (this worker reads 1)"),
            "{err}"
        );

        // The worker is alive and well, nothing was retried or buried.
        assert_eq!(
            queue
                .submit(demo::increment, 1)
                .await
                .unwrap()
                .await
                .unwrap(),
            2
        );
        assert!(worker.exited().is_none());
        assert!(queue.dead_letters(10).await.unwrap().is_empty());
        let p = queue.progress().next().await.unwrap();
        assert_eq!((p.failed, p.retried, p.dead, p.done), (3, 0, 0, 1));
    });
    assert_drained(&server, "bad");
}

#[test]
fn a_poison_job_lands_in_the_dead_letter_stream_after_exactly_n_attempts() {
    let server = RedisServer::start();
    let path = server.dir().join("poison").to_string_lossy().into_owned();
    let mut worker = worker(
        &server,
        "poison",
        &["--attempts", "3", "--retry-delay-ms", "10"],
    );
    weft::block_on(async {
        let queue = connect(&server, "poison").await;
        let job = queue.submit(demo::poison, path.clone()).await.unwrap();
        let id = job.id().clone();
        let err = weft::timeout(LONG, job).await.unwrap().unwrap_err();
        match &err {
            JobError::Dead {
                attempts,
                last_error,
            } => {
                assert_eq!(*attempts, 3);
                assert_eq!(last_error, "job panicked: poison job");
            }
            other => panic!("expected a dead job, got {other}"),
        }
        assert_eq!(lines(&path), 3, "it ran exactly three times");

        let dead = queue.dead_letters(10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].id, id);
        assert_eq!(dead[0].func, "poison");
        assert_eq!(dead[0].attempts, 3);
        assert_eq!(dead[0].error, "job panicked: poison job");
        assert_eq!(String::from_payload(dead[0].arg.clone()).unwrap(), path);

        let p = queue.progress().next().await.unwrap();
        assert_eq!((p.dead, p.retried), (1, 2));
        // The worker goes on.
        assert_eq!(
            queue
                .submit(demo::increment, 1)
                .await
                .unwrap()
                .await
                .unwrap(),
            2
        );
        assert!(worker.exited().is_none());
        assert_eq!(lines(&path), 3, "never run again");
    });
    assert_drained(&server, "poison");
}

#[test]
fn a_job_that_kills_its_worker_lands_in_the_dead_letter_stream_after_exactly_n_attempts() {
    let server = RedisServer::start();
    let path = server.dir().join("crash").to_string_lossy().into_owned();
    let options = [
        "--attempts",
        "2",
        "--visibility-ms",
        "300",
        "--concurrency",
        "1",
    ];
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // A supervisor, as systemd or Kubernetes would be: restarts the worker when it dies.
        scope.spawn(|| {
            let mut current = worker(&server, "crash", &options);
            let mut restarts = 0;
            while !done.load(Ordering::SeqCst) {
                if current.exited().is_some() {
                    restarts += 1;
                    assert!(
                        restarts <= 2,
                        "the worker died more than twice:\n{}",
                        current.log()
                    );
                    current = worker(&server, "crash", &options);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        weft::block_on(async {
            let queue = connect(&server, "crash").await;
            let job = queue.submit(demo::crash, path.clone()).await.unwrap();
            let err = weft::timeout(LONG, job).await.unwrap().unwrap_err();
            match &err {
                JobError::Dead {
                    attempts,
                    last_error,
                } => {
                    assert_eq!(*attempts, 2);
                    assert_eq!(
                        last_error,
                        "the worker running attempt 2 stopped before finishing it"
                    );
                }
                other => panic!("expected a dead job, got {other}"),
            }
            assert_eq!(lines(&path), 2, "it ran exactly twice");
            let dead = queue.dead_letters(10).await.unwrap();
            assert_eq!((dead.len(), dead[0].attempts), (1, 2));
            assert_eq!(
                queue
                    .submit(demo::increment, 1)
                    .await
                    .unwrap()
                    .await
                    .unwrap(),
                2
            );
        });
        done.store(true, Ordering::SeqCst);
    });
    assert_drained(&server, "crash");
}

#[test]
fn sigterm_finishes_the_jobs_in_flight_then_exits_zero() {
    let server = RedisServer::start();
    let mut conn = server.conn();
    let mut first = worker(&server, "stop", &["--concurrency", "2", "--prefetch", "0"]);
    wait_until(LONG, "the worker joined", || {
        consumers(&mut conn, "stop") == 1
    });
    weft::block_on(async {
        let queue = connect(&server, "stop").await;
        let mut progress = queue.progress();
        let jobs = queue.map(demo::sleep_ms, [400; 4]).collect::<Vec<_>>();
        let all = weft::spawn(jobs);
        // Two jobs run (one per thread), two wait in the stream.
        weft::timeout(LONG, async {
            while progress.next().await.unwrap().running < 2 {}
        })
        .await
        .expect("two jobs start");
        let status = first.terminate(LONG);
        assert!(status.success(), "exit status {status}:\n{}", first.log());
        assert!(first.log().contains("weft-worker: stopped"));
        let p = queue.progress().next().await.unwrap();
        assert_eq!(
            (p.done, p.queued),
            (2, 2),
            "finished what it held, took nothing more"
        );

        let _second = worker(&server, "stop", &["--concurrency", "2"]);
        let results = weft::timeout(LONG, all).await.unwrap().unwrap();
        assert!(results.into_iter().all(|r| r.unwrap() == 400));
    });
    assert_drained(&server, "stop");
}

#[test]
fn a_worker_with_bad_settings_exits_with_a_clear_error() {
    let server = RedisServer::start();
    let mut bad = WorkerProcess::spawn(
        support::WORKER,
        &server.url(),
        "q",
        &["--concurrency", "0"],
        server.dir(),
    );
    wait_until(LONG, "the worker exits", || bad.exited().is_some());
    assert!(!bad.exited().unwrap().success());
    assert!(
        bad.log()
            .contains("invalid concurrency: must be at least 1, got 0"),
        "{}",
        bad.log()
    );
}

#[test]
fn sigint_stops_an_idle_worker_with_exit_zero() {
    let server = RedisServer::start();
    let mut conn = server.conn();
    let mut idle = worker(&server, "int", &[]);
    wait_until(LONG, "the worker joined", || {
        consumers(&mut conn, "int") == 1
    });
    idle.signal("INT");
    let status = idle.wait(LONG);
    assert!(status.success(), "exit status {status}:\n{}", idle.log());
}

#[test]
fn a_second_signal_stops_at_once_and_the_job_is_taken_over() {
    let server = RedisServer::start();
    let options = ["--concurrency", "1", "--visibility-ms", "500"];
    let mut first = worker(&server, "twice", &options);
    weft::block_on(async {
        let queue = connect(&server, "twice").await;
        let mut progress = queue.progress();
        let job = queue.submit(demo::sleep_ms, 3_000).await.unwrap();
        weft::timeout(LONG, async {
            while progress.next().await.unwrap().running < 1 {}
        })
        .await
        .expect("the job starts");
        first.signal("TERM");
        std::thread::sleep(Duration::from_millis(200));
        first.signal("TERM");
        let status = first.wait(Duration::from_secs(2));
        assert_eq!(status.code(), Some(130), "{}", first.log());
        assert!(first.log().contains("weft-worker: interrupted"));

        // Its job was not lost: another worker takes it over.
        let _second = worker(&server, "twice", &options);
        assert_eq!(weft::timeout(LONG, job).await.unwrap().unwrap(), 3_000);
        let p = queue.progress().next().await.unwrap();
        assert_eq!((p.done, p.retried), (1, 1));
    });
    assert_drained(&server, "twice");
}

#[test]
fn sigterm_stops_an_idle_worker_even_while_redis_is_down() {
    let mut server = RedisServer::start();
    let mut conn = server.conn();
    let mut idle = worker(&server, "down", &[]);
    wait_until(LONG, "the worker joined", || {
        consumers(&mut conn, "down") == 1
    });
    drop(conn);
    server.stop();
    std::thread::sleep(Duration::from_millis(300));
    // It holds nothing, so nothing needs Redis: it stops without waiting for it to return.
    let status = idle.terminate(LONG);
    assert!(status.success(), "exit status {status}:\n{}", idle.log());
}
