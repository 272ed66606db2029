//! A real redis-server for the tests (and the benchmark), and `weft-worker` processes.
//!
//! Each server runs on a free port of 127.0.0.1 in its own temporary directory, with the
//! append-only file on and fsynced on every write, so a restart on the same directory loses
//! nothing. If it cannot start, the test fails and says why; it is never skipped.
#![allow(dead_code)]

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// `WEFT_REDIS_SERVER` names another binary; `cargo xtask test` installs Debian's when missing.
fn server_binary() -> String {
    std::env::var("WEFT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
}

pub struct RedisServer {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
    /// Extra settings (the benchmark turns per-write fsync off).
    fsync: &'static str,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("cannot find a free port on 127.0.0.1: {e}"))
}

impl RedisServer {
    /// Starts a server with `appendonly yes` and `appendfsync always`.
    pub fn start() -> RedisServer {
        RedisServer::start_with("always")
    }

    /// Starts a server with `appendonly yes` and the given `appendfsync` policy.
    pub fn start_with(fsync: &'static str) -> RedisServer {
        let dir = tempfile::Builder::new()
            .prefix("weft-redis-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot make a temporary directory for redis-server: {e}"));
        let mut server = RedisServer {
            dir,
            port: 0,
            child: None,
            fsync,
        };
        let mut last = String::new();
        // Another process may take the port between our check and the server's bind: retry.
        for _ in 0..5 {
            server.port = free_port();
            match server.launch() {
                Ok(()) => return server,
                Err(why) => {
                    let taken = why.contains("Address already in use");
                    last = why;
                    if !taken {
                        break;
                    }
                }
            }
        }
        panic!("redis-server could not start: {last}")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    fn launch(&mut self) -> Result<(), String> {
        let log = self.log_path();
        let mut command = Command::new(server_binary());
        command
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--appendonly", "yes", "--appendfsync", self.fsync])
            .args(["--save", ""])
            .args(["--daemonize", "no"])
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command.spawn().map_err(|e| {
            format!(
                "cannot run `{}`: {e} (install Debian's redis-server package, or set WEFT_REDIS_SERVER)",
                server_binary()
            )
        })?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("redis-server exited ({status}); its log:\n{log}"));
            }
            if self.ping() {
                return Ok(());
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!(
                    "redis-server did not answer PING within 20 s; its log:\n{log}"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else {
            return false;
        };
        let Ok(mut conn) = client.get_connection_with_timeout(Duration::from_millis(500)) else {
            return false;
        };
        // A server loading its append-only file answers LOADING: not ready yet.
        redis::cmd("PING").query::<String>(&mut conn).is_ok()
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A plain connection, to look at what the queue left in Redis.
    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
            .unwrap_or_else(|e| panic!("cannot connect to the test redis-server: {e}"))
    }

    /// Stops the server (SIGTERM: it flushes and exits) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "TERM");
            let _ = wait_for(&mut child, Duration::from_secs(20));
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and directory (its data comes back from the
    /// append-only file).
    pub fn restart(&mut self) {
        self.stop();
        // The old socket may linger a moment.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.launch() {
                Ok(()) => return,
                Err(why) if Instant::now() < deadline && why.contains("Address already in use") => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(why) => panic!("redis-server could not restart: {why}"),
            }
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Also on panic: never leave a server behind.
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status();
}

fn wait_for(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// A `weft-worker` process; killed (SIGKILL) when dropped.
pub struct WorkerProcess {
    child: Child,
    log: PathBuf,
}

impl WorkerProcess {
    /// Starts `weft-worker` for `queue` on `url` with extra options; its stderr goes to a file
    /// in `logs`.
    pub fn spawn(
        binary: &str,
        url: &str,
        queue: &str,
        options: &[&str],
        logs: &Path,
    ) -> WorkerProcess {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = logs.join(format!("worker-{n}.log"));
        let stderr =
            File::create(&log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let child = Command::new(binary)
            .args(["--url", url, "--queue", queue])
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        WorkerProcess { child, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, at once, and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (a graceful stop); returns the exit status once it exits.
    pub fn terminate(&mut self, limit: Duration) -> ExitStatus {
        signal(self.child.id(), "TERM");
        wait_for(&mut self.child, limit)
            .unwrap_or_else(|| panic!("the worker did not exit within {limit:?} of SIGTERM"))
    }

    /// Sends a signal by name (`INT`, `TERM`…) without waiting.
    pub fn signal(&self, name: &str) {
        signal(self.child.id(), name);
    }

    /// Waits for it to exit.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        wait_for(&mut self.child, limit)
            .unwrap_or_else(|| panic!("the worker did not exit within {limit:?}"))
    }

    /// Whether it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The path of the `weft-worker` binary of this build.
pub const WORKER: &str = env!("CARGO_BIN_EXE_weft-worker");

/// Starts a `weft-worker` for `queue` on `server`.
pub fn worker(server: &RedisServer, queue: &str, options: &[&str]) -> WorkerProcess {
    WorkerProcess::spawn(WORKER, &server.url(), queue, options, server.dir())
}

/// Polls `check` every 10 ms until it holds; fails the test after `limit` with `what`.
pub fn wait_until(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// What a queue has left in Redis: (jobs in the stream, jobs pending in the group, backlog).
pub fn leftovers(conn: &mut redis::Connection, queue: &str) -> (u64, u64, i64) {
    let jobs = format!("weft:{{{queue}}}:jobs");
    let len: u64 = redis::cmd("XLEN").arg(&jobs).query(conn).expect("XLEN");
    let pending: redis::Value = redis::cmd("XPENDING")
        .arg(&jobs)
        .arg("workers")
        .query(conn)
        .expect("XPENDING");
    let pending = match pending {
        redis::Value::Array(items) => match items.first() {
            Some(redis::Value::Int(n)) => *n as u64,
            _ => 0,
        },
        _ => 0,
    };
    let backlog: Option<i64> = redis::cmd("GET")
        .arg(format!("weft:{{{queue}}}:backlog"))
        .query(conn)
        .expect("GET backlog");
    (len, pending, backlog.unwrap_or(0))
}

/// Waits until the queue holds nothing: every job acknowledged and deleted, backlog zero.
pub fn assert_drained(server: &RedisServer, queue: &str) {
    let mut conn = server.conn();
    let mut last = (0, 0, 0);
    wait_until(Duration::from_secs(30), "the queue is drained", || {
        last = leftovers(&mut conn, queue);
        last == (0, 0, 0)
    });
}

/// How many consumers the queue's group has (a worker joins on its first read).
pub fn consumers(conn: &mut redis::Connection, queue: &str) -> usize {
    let info: Result<redis::streams::StreamInfoConsumersReply, _> = redis::cmd("XINFO")
        .arg("CONSUMERS")
        .arg(format!("weft:{{{queue}}}:jobs"))
        .arg("workers")
        .query(conn);
    info.map_or(0, |i| i.consumers.len())
}
