//! `fetch_many`: real HTTP GETs with a concurrency limit, retries, timeouts and a progress bar.
//!
//! The seeds' `RateLimitedClient` (a semaphore around a shared `httpx.AsyncClient`), their
//! `fetch_all_safe` (`gather(..., return_exceptions=True)`) and `fetch_all_strict` (a
//! `TaskGroup` that fails fast), and tenacity's `@retry` with exponential backoff, against a
//! flaky server the example starts on 127.0.0.1 (a random port):
//!
//! - the server answers after 10–80 ms; 15% of answers are HTTP 500, 2% stall for a second;
//!   `/missing/…` is a 404;
//! - [`RateLimitedClient`] keeps at most 10 requests in flight (`weft::Limiter`), reuses its
//!   connections (`weft::Pool` of HTTP/1.1 connections, health-checked before reuse), gives each
//!   request 250 ms (`weft::timeout`), and retries 500s, timeouts and connection errors with
//!   exponential backoff and full jitter (`weft::Retry`), never a 404;
//! - an indicatif progress bar follows the 204 URLs; then a summary: ok, failed, retries,
//!   elapsed, requests per second; and the strict version, which stops at the first 404.
//!
//! HTTP is hyper 1.x on smol's I/O (`smol-hyper`, `async-net`): no tokio anywhere.
//!
//! ```text
//! cargo run --release --example fetch_many
//! ```

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    demo::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod demo {
    use std::convert::Infallible;
    use std::fmt;
    use std::net::SocketAddr;
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use http_body_util::{BodyExt, Empty, Full};
    use hyper::body::{Bytes, Incoming};
    use hyper::client::conn::http1::SendRequest;
    use hyper::{Request, Response, StatusCode};
    use indicatif::{ProgressBar, ProgressStyle};
    use smol_hyper::rt::{FuturesIo, SmolTimer};
    use weft::pool::Manager;
    use weft::{Jitter, RetryError, RetryInfo, StopReason};

    const ITEMS: usize = 200;
    const MISSING: [usize; 4] = [7, 55, 120, 199];
    const MAX_CONCURRENT: usize = 10;
    const REQUEST_TIMEOUT: Duration = Duration::from_millis(250);
    const ATTEMPTS: u32 = 4;

    // ---------------------------------------------------------------- the flaky server

    /// What the server saw.
    #[derive(Default)]
    struct ServerStats {
        received: AtomicU64,
        errors: AtomicU64,
        stalls: AtomicU64,
    }

    /// Starts an HTTP/1.1 server on 127.0.0.1 (a free port) as weft tasks.
    async fn start_server(stats: Arc<ServerStats>) -> std::io::Result<SocketAddr> {
        let listener = async_net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        weft::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let stats = stats.clone();
                weft::spawn(async move {
                    let service = hyper::service::service_fn(move |req| answer(req, stats.clone()));
                    // A client that hangs up mid-answer ends its connection; nothing to report.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(SmolTimer::new())
                        .serve_connection(FuturesIo::new(stream), service)
                        .await;
                })
                .detach();
            }
        })
        .detach(); // the server runs until the process exits
        Ok(addr)
    }

    /// `/item/N`: after 10–80 ms, `item N` (15% HTTP 500; 2% stall a whole second first).
    /// Anything else: 404.
    async fn answer(
        req: Request<Incoming>,
        stats: Arc<ServerStats>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        stats.received.fetch_add(1, Ordering::Relaxed);
        let roll = fastrand::u32(0..100);
        if roll < 2 {
            stats.stalls.fetch_add(1, Ordering::Relaxed);
            weft::sleep(Duration::from_secs(1)).await;
        }
        weft::sleep(Duration::from_millis(fastrand::u64(10..=80))).await;
        let (status, body) = match req.uri().path().strip_prefix("/item/") {
            Some(_) if (2..17).contains(&roll) => {
                stats.errors.fetch_add(1, Ordering::Relaxed);
                (StatusCode::INTERNAL_SERVER_ERROR, "try again".to_string())
            }
            Some(n) => (StatusCode::OK, format!("item {n}")),
            None => (StatusCode::NOT_FOUND, "no such page".to_string()),
        };
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        Ok(response)
    }

    // ---------------------------------------------------------------- the client

    /// Why one try failed.
    #[derive(Debug)]
    enum FetchError {
        Status(StatusCode),
        Timeout,
        Http(hyper::Error),
        Connect(std::io::Error),
        Pool(String),
    }

    impl FetchError {
        /// tenacity's `retry_if_exception`: server errors and lost connections are worth
        /// another try; a 404 is not.
        fn is_retryable(&self) -> bool {
            match self {
                FetchError::Status(status) => status.is_server_error(),
                FetchError::Timeout | FetchError::Http(_) | FetchError::Connect(_) => true,
                FetchError::Pool(_) => false,
            }
        }
    }

    impl fmt::Display for FetchError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                FetchError::Status(status) => write!(f, "http {}", status.as_u16()),
                FetchError::Timeout => write!(f, "no answer within {REQUEST_TIMEOUT:?}"),
                FetchError::Http(err) => write!(f, "http error: {err}"),
                FetchError::Connect(err) => write!(f, "could not connect: {err}"),
                FetchError::Pool(err) => write!(f, "no connection: {err}"),
            }
        }
    }

    impl std::error::Error for FetchError {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            match self {
                FetchError::Http(err) => Some(err),
                FetchError::Connect(err) => Some(err),
                _ => None,
            }
        }
    }

    /// Opens HTTP/1.1 connections to one server: what `httpx.AsyncClient` pools for you.
    struct Connector {
        addr: SocketAddr,
        stats: Arc<ClientStats>,
    }

    impl Manager for Connector {
        type Object = SendRequest<Empty<Bytes>>;
        type Error = FetchError;

        async fn create(&self) -> Result<Self::Object, FetchError> {
            let stream = async_net::TcpStream::connect(self.addr)
                .await
                .map_err(FetchError::Connect)?;
            let (sender, connection) =
                hyper::client::conn::http1::handshake(FuturesIo::new(stream))
                    .await
                    .map_err(FetchError::Http)?;
            // The connection's I/O runs as its own task; it ends when the sender is dropped.
            weft::spawn(async move {
                let _ = connection.await;
            })
            .detach();
            self.stats.opened.fetch_add(1, Ordering::Relaxed);
            Ok(sender)
        }

        async fn check(&self, sender: &mut Self::Object) -> Result<(), FetchError> {
            // A connection whose request was cancelled by a timeout is closed or still busy:
            // either way it is destroyed here rather than handed out.
            match weft::timeout(Duration::from_millis(20), sender.ready()).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => Err(FetchError::Http(err)),
                Err(_) => Err(FetchError::Timeout),
            }
        }
    }

    /// What the client did.
    #[derive(Default)]
    struct ClientStats {
        opened: AtomicU64,
        sent: AtomicU64,
        retries_500: AtomicU64,
        retries_timeout: AtomicU64,
        retries_other: AtomicU64,
        in_flight: AtomicUsize,
        peak_in_flight: AtomicUsize,
    }

    /// Counts a request in flight until dropped.
    struct InFlight<'a>(&'a ClientStats);

    impl<'a> InFlight<'a> {
        fn enter(stats: &'a ClientStats) -> Self {
            let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            stats.peak_in_flight.fetch_max(now, Ordering::SeqCst);
            InFlight(stats)
        }
    }

    impl Drop for InFlight<'_> {
        fn drop(&mut self) {
            self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// The seeds' `RateLimitedClient`: a semaphore around a shared, connection-pooling client.
    ///
    /// ```python
    /// class RateLimitedClient:
    ///     def __init__(self, max_concurrent: int = 10) -> None:
    ///         self._semaphore = asyncio.Semaphore(max_concurrent)
    ///         self._client = httpx.AsyncClient()
    ///     async def fetch(self, url: str) -> Response:
    ///         async with self._semaphore:
    ///             return await self._client.get(url)
    ///     async def fetch_many(self, urls: list[str]) -> list[Response]:
    ///         return await asyncio.gather(*[self.fetch(url) for url in urls])
    /// ```
    ///
    /// plus a timeout per request and tenacity-style retries. Clones share everything.
    #[derive(Clone)]
    struct RateLimitedClient {
        limiter: weft::Limiter,
        connections: weft::Pool<Connector>,
        stats: Arc<ClientStats>,
    }

    impl RateLimitedClient {
        async fn new(addr: SocketAddr, max_concurrent: usize) -> Result<Self, String> {
            let limiter = weft::Limiter::new(max_concurrent).map_err(|e| e.to_string())?;
            let stats = Arc::new(ClientStats::default());
            let connector = Connector {
                addr,
                stats: stats.clone(),
            };
            let connections = weft::Pool::builder(connector)
                .max_size(max_concurrent)
                .acquire_timeout(Duration::from_secs(5))
                .build()
                .await
                .map_err(|e| e.to_string())?;
            Ok(RateLimitedClient {
                limiter,
                connections,
                stats,
            })
        }

        /// GETs `path`: at most `max_concurrent` tries in flight, each limited to 250 ms,
        /// retried with backoff while the error is retryable.
        async fn fetch(&self, path: &str) -> Result<String, RetryError<FetchError>> {
            let policy = weft::Retry::new()
                .attempts(ATTEMPTS)
                .min_delay(Duration::from_millis(20))
                .max_delay(Duration::from_millis(200))
                .jitter(Jitter::Full)
                .retry_if(FetchError::is_retryable)
                .on_retry(|info: &RetryInfo<'_, FetchError>| {
                    let counter = match info.error {
                        FetchError::Status(_) => &self.stats.retries_500,
                        FetchError::Timeout => &self.stats.retries_timeout,
                        _ => &self.stats.retries_other,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                })
                .build()
                .expect("constant retry settings are valid");
            policy
                .run(|| {
                    // The limit is held for one try, not through the backoff sleep after it.
                    self.limiter.run(async {
                        match weft::timeout(REQUEST_TIMEOUT, self.get_once(path)).await {
                            Ok(result) => result,
                            Err(_elapsed) => Err(FetchError::Timeout),
                        }
                    })
                })
                .await
        }

        /// One GET on a pooled connection; the body must be read whole before the connection
        /// can serve another request.
        async fn get_once(&self, path: &str) -> Result<String, FetchError> {
            let _in_flight = InFlight::enter(&self.stats);
            let mut sender = self
                .connections
                .acquire()
                .await
                .map_err(|e| FetchError::Pool(e.to_string()))?;
            let request = Request::get(path)
                .header(hyper::header::HOST, "127.0.0.1")
                .body(Empty::<Bytes>::new())
                .expect("a valid request");
            self.stats.sent.fetch_add(1, Ordering::Relaxed);
            let response = sender
                .send_request(request)
                .await
                .map_err(FetchError::Http)?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(FetchError::Http)?;
            if !status.is_success() {
                return Err(FetchError::Status(status));
            }
            Ok(String::from_utf8_lossy(&body.to_bytes()).into_owned())
        }

        /// The seeds' `fetch_all_safe`: every result, failures included, in input order.
        async fn fetch_all_safe(
            &self,
            paths: &[String],
            progress: &ProgressBar,
        ) -> Vec<Result<String, RetryError<FetchError>>> {
            let fetches = paths.iter().map(|path| async move {
                let result = self.fetch(path).await;
                progress.inc(1);
                result
            });
            weft::gather(fetches).await
        }

        /// The seeds' `fetch_all_strict`: a task group; the first failure cancels the rest.
        async fn fetch_all_strict(
            &self,
            paths: Vec<String>,
        ) -> Result<Vec<String>, weft::GroupError<RetryError<FetchError>>> {
            weft::scope(|group| async move {
                for path in paths {
                    let client = self.clone();
                    group.spawn(async move { client.fetch(&path).await });
                }
            })
            .await
        }
    }

    // ---------------------------------------------------------------- the run

    pub fn main() -> ExitCode {
        match weft::block_on(run()) {
            Ok(()) => {
                println!("fetch_many: ok");
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for problem in problems {
                    eprintln!("fetch_many: FAILED: {problem}");
                }
                ExitCode::FAILURE
            }
        }
    }

    fn path_of(i: usize) -> String {
        if MISSING.contains(&i) {
            format!("/missing/{i}")
        } else {
            format!("/item/{i}")
        }
    }

    async fn run() -> Result<(), Vec<String>> {
        let server = Arc::new(ServerStats::default());
        let addr = start_server(server.clone())
            .await
            .map_err(|e| vec![format!("could not start the server: {e}")])?;
        let client = RateLimitedClient::new(addr, MAX_CONCURRENT)
            .await
            .map_err(|e| vec![e])?;
        let paths: Vec<String> = (0..ITEMS + MISSING.len()).map(path_of).collect();
        println!(
            "fetch_many: {} GETs against http://{addr} (10–80 ms, 15% HTTP 500, 2% stall 1 s, {} × 404)",
            paths.len(),
            MISSING.len()
        );
        println!(
            "  at most {MAX_CONCURRENT} in flight, {} ms per try, {ATTEMPTS} tries with full-jitter backoff",
            REQUEST_TIMEOUT.as_millis()
        );

        let progress = ProgressBar::new(paths.len() as u64).with_style(
            ProgressStyle::with_template("  {bar:40} {pos}/{len} {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let start = Instant::now();
        let results = client.fetch_all_safe(&paths, &progress).await;
        let elapsed = start.elapsed().as_secs_f64();
        progress.finish_and_clear();

        let mut problems = Vec::new();
        let (mut ok, mut not_found, mut gave_up, mut wrong_body) = (0, 0, 0, 0);
        for (path, result) in paths.iter().zip(&results) {
            match result {
                Ok(body) => {
                    ok += 1;
                    if Some(body.as_str())
                        != path
                            .strip_prefix('/')
                            .map(|p| p.replace('/', " "))
                            .as_deref()
                    {
                        wrong_body += 1;
                    }
                }
                Err(err) if err.reason == StopReason::NotRetryable => {
                    not_found += 1;
                    if err.attempts != 1 || !path.starts_with("/missing/") {
                        problems.push(format!("{path}: {err} (a 404 must fail at once)"));
                    }
                }
                Err(err) => {
                    gave_up += 1;
                    println!("  {path}: {err}");
                }
            }
        }
        let s = &client.stats;
        let retries = [&s.retries_500, &s.retries_timeout, &s.retries_other]
            .map(|c| c.load(Ordering::Relaxed));
        let sent = s.sent.load(Ordering::Relaxed);
        let received = server.received.load(Ordering::Relaxed);
        let peak = s.peak_in_flight.load(Ordering::SeqCst);
        let opened = s.opened.load(Ordering::Relaxed);

        println!("  ok        {ok}");
        println!(
            "  failed    {} ({not_found} × 404, not retried; {gave_up} gave up after {ATTEMPTS} tries)",
            not_found + gave_up
        );
        println!(
            "  retries   {} ({} after HTTP 500, {} after a timeout, {} after a connection error)",
            retries.iter().sum::<u64>(),
            retries[0],
            retries[1],
            retries[2]
        );
        println!(
            "  requests  {sent} sent, {received} received by the server ({} answered 500, {} stalled)",
            server.errors.load(Ordering::Relaxed),
            server.stalls.load(Ordering::Relaxed)
        );
        println!(
            "  in flight at most {peak} (limit {MAX_CONCURRENT}); {opened} connections opened"
        );
        println!(
            "  elapsed   {elapsed:.2} s: {:.0} URLs/s, {:.0} requests/s",
            paths.len() as f64 / elapsed,
            sent as f64 / elapsed
        );

        if ok + not_found + gave_up != paths.len() || results.len() != paths.len() {
            problems.push("a URL was lost".to_string());
        }
        if not_found != MISSING.len() {
            problems.push(format!(
                "{not_found} URLs failed with 404, expected {}",
                MISSING.len()
            ));
        }
        // Each URL fails a try with p = 0.17; all four tries: p ≈ 0.0008 per URL.
        if gave_up > 3 {
            problems.push(format!(
                "{gave_up} URLs gave up: the retries are not working"
            ));
        }
        if wrong_body != 0 {
            problems.push(format!("{wrong_body} answers did not match their URL"));
        }
        if retries.iter().sum::<u64>() == 0 {
            problems.push("no retry happened, with 15% of answers failing".to_string());
        }
        if peak > MAX_CONCURRENT {
            problems.push(format!(
                "{peak} requests were in flight, limit {MAX_CONCURRENT}"
            ));
        }
        if received > sent {
            problems.push(format!(
                "the server received {received} requests, the client sent {sent}"
            ));
        }

        // fetch_all_strict: the first 404 ends the group and cancels the fetches still running.
        let strict: Vec<String> = (0..40)
            .map(|i| {
                if i == 12 {
                    "/missing/strict".into()
                } else {
                    path_of(i + 1000)
                }
            })
            .collect();
        let start = Instant::now();
        let sent_before = s.sent.load(Ordering::Relaxed);
        match client.fetch_all_strict(strict.clone()).await {
            Ok(pages) => problems.push(format!(
                "fetch_all_strict returned {} pages despite a 404",
                pages.len()
            )),
            Err(err) => {
                let (index, first) = err.first();
                println!(
                    "fetch_all_strict over {} URLs: failed fast after {:.0} ms on {} ({first}); {} requests sent, the rest cancelled",
                    strict.len(),
                    start.elapsed().as_secs_f64() * 1e3,
                    strict[index],
                    s.sent.load(Ordering::Relaxed) - sent_before,
                );
                if strict[index] != "/missing/strict" {
                    problems.push(format!(
                        "fetch_all_strict failed on {} instead of the 404",
                        strict[index]
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}
