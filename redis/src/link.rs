//! One connection to Redis that reconnects by itself, used from async code.
//!
//! The redis crate's async connections (its `aio` feature, which `smol-comp` builds on) depend on
//! tokio, so weft-redis uses its synchronous connection and runs each call on smol's blocking
//! pool (`blocking::unblock`). Every task of a queue or a worker owns its own `Link`, so a call
//! that blocks in Redis (`XREADGROUP … BLOCK`) never holds up another.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::{Client, Connection, ErrorKind, RedisResult, RetryMethod, ServerErrorKind};

use crate::Error;

/// How long a reply may take on top of any `BLOCK` time of the command itself.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// A reconnecting connection. Calls retry transient failures until `reconnect_timeout` (`None`:
/// forever); a command that failed on a dropped connection is sent again on the new one, so
/// every command sent through a `Link` must be safe to repeat (they are: see the callers).
pub(crate) struct Link {
    client: Client,
    conn: Option<Connection>,
    reconnect_timeout: Option<Duration>,
    /// How many times the connection was re-established after a failure.
    reconnects: u64,
}

/// Whether waiting and reconnecting may fix this failure.
pub(crate) fn is_transient(err: &redis::RedisError) -> bool {
    if err.kind() == ErrorKind::Server(ServerErrorKind::ExecAbort) {
        // A transaction sent while Redis reloads its data after a restart is aborted as a
        // whole, each command having failed with LOADING.
        return err.clone().into_server_errors().is_some_and(|errors| {
            errors.iter().any(|(_, e)| {
                matches!(
                    e.kind(),
                    Some(
                        ServerErrorKind::BusyLoading
                            | ServerErrorKind::TryAgain
                            | ServerErrorKind::MasterDown
                    )
                )
            })
        });
    }
    err.is_io_error()
        || err.is_timeout()
        || err.is_connection_dropped()
        || err.is_connection_refusal()
        || matches!(
            err.retry_method(),
            RetryMethod::Reconnect | RetryMethod::WaitAndRetry | RetryMethod::RetryImmediately
        )
}

/// Parses a Redis URL without connecting.
pub(crate) fn client(url: &str) -> Result<Client, Error> {
    Client::open(url).map_err(|e| {
        Error::Config(weft_core::ConfigError::new(
            "url",
            format!("`{url}` is not a Redis URL: {e}"),
        ))
    })
}

impl Link {
    pub(crate) fn new(client: Client, reconnect_timeout: Option<Duration>) -> Self {
        Link {
            client,
            conn: None,
            reconnect_timeout,
            reconnects: 0,
        }
    }

    /// How many times this link reconnected after a failure (a caller that keeps state in
    /// Redis, such as a stream position, may want to re-check it after a reconnect).
    pub(crate) fn reconnects(&self) -> u64 {
        self.reconnects
    }

    /// Runs `f` on the connection, on a blocking thread, retrying transient failures.
    pub(crate) async fn call<T, F>(&mut self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnMut(&mut Connection) -> RedisResult<T> + Send + 'static,
    {
        self.call_blocking_for(Duration::ZERO, f).await
    }

    /// As [`Link::call`], for a command that may block in Redis for up to `block`.
    pub(crate) async fn call_blocking_for<T, F>(
        &mut self,
        block: Duration,
        mut f: F,
    ) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnMut(&mut Connection) -> RedisResult<T> + Send + 'static,
    {
        let client = self.client.clone();
        let conn = self.conn.take();
        let reconnect_timeout = self.reconnect_timeout;
        // If this future is dropped mid-call, the thread finishes the attempt under way, drops
        // the connection and stops retrying; the next call opens a fresh connection.
        let abandoned = Abandoned::default();
        let flag = abandoned.0.clone();
        let (conn, reconnected, result) = blocking::unblock(move || {
            let mut conn = conn;
            let (reconnected, result) = run(
                &client,
                &mut conn,
                reconnect_timeout,
                block + RESPONSE_TIMEOUT,
                &flag,
                &mut f,
            );
            (conn, reconnected, result)
        })
        .await;
        drop(abandoned);
        self.conn = conn;
        self.reconnects += reconnected;
        result
    }
}

/// Set when the future waiting for a call is dropped.
#[derive(Default)]
struct Abandoned(Arc<AtomicBool>);

impl Drop for Abandoned {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The retry loop, on the blocking thread. Returns how many reconnects happened.
fn run<T>(
    client: &Client,
    conn: &mut Option<Connection>,
    reconnect_timeout: Option<Duration>,
    read_timeout: Duration,
    abandoned: &AtomicBool,
    f: &mut dyn FnMut(&mut Connection) -> RedisResult<T>,
) -> (u64, Result<T, Error>) {
    let start = Instant::now();
    let mut backoff = FIRST_BACKOFF;
    let mut failed = false;
    let mut reconnects = 0;
    loop {
        let attempt = (|| {
            if conn.is_none() {
                let fresh = client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
                fresh.set_write_timeout(Some(RESPONSE_TIMEOUT))?;
                *conn = Some(fresh);
                if failed {
                    reconnects += 1;
                }
            }
            let c = conn.as_mut().expect("connected above");
            c.set_read_timeout(Some(read_timeout))?;
            f(c)
        })();
        let err = match attempt {
            Ok(value) => return (reconnects, Ok(value)),
            Err(err) if is_transient(&err) => err,
            Err(err) => return (reconnects, Err(Error::Redis(err))),
        };
        // The connection may hold half a reply: never reuse it after a failure.
        *conn = None;
        failed = true;
        let waited = start.elapsed();
        if abandoned.load(Ordering::Acquire)
            || reconnect_timeout.is_some_and(|limit| waited + backoff > limit)
        {
            return (reconnects, Err(Error::Unreachable { waited, last: err }));
        }
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
