//! `db_pool`: a `weft::Pool` of real SQLite connections serving many concurrent queries.
//!
//! The seeds' `ConnectionPool` / `Database` classes (`asyncpg.create_pool(dsn, min_size=5,
//! max_size=20)`, `async with pool.acquire() as conn:`) and their `AsyncDatabasePool` over
//! aiosqlite, on rusqlite (SQLite compiled in, `bundled`):
//!
//! - a [`weft::pool::Manager`] opens connections (`create`) and health-checks an idle one with
//!   `SELECT 1` before lending it (`check`);
//! - the pool keeps between 2 and 4 connections; 400 queries from 400 tasks share them, the rest
//!   waiting in line; a sampler watches `pool.status()` and the example checks the pool never
//!   grew past 4;
//! - one idle connection is broken on purpose: its check fails, the pool destroys it and opens a
//!   new one, and no query ever runs on it again; another breaks while in use: the query sees a
//!   connection error, discards the connection (`Guard::discard`) and `weft::Retry` runs the query
//!   again on a healthy one.
//!
//! SQLite calls block, so each runs on the blocking-I/O thread pool (`weft::spawn_blocking`,
//! asyncio's `run_in_executor(None, f)`), never on weft's executor threads.
//!
//! ```text
//! cargo run --release --example db_pool
//! ```

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    demo::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod demo {
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use rusqlite::{Connection, ErrorCode, params};
    use weft::pool::{Guard, Manager};

    const MIN_SIZE: usize = 2;
    const MAX_SIZE: usize = 4;
    const USERS: i64 = 10_000;
    const QUERIES: i64 = 400;
    /// The query that finds its connection broken while using it.
    const UNLUCKY: i64 = 150;

    /// Opens, checks and closes SQLite connections to one database file.
    struct Sqlite {
        path: PathBuf,
        counts: Arc<Counts>,
    }

    /// What the manager did, shared with the example (the pool owns the manager).
    #[derive(Default)]
    struct Counts {
        created: AtomicU32,
        destroyed: AtomicU32,
        failed_checks: AtomicU32,
    }

    /// A pooled connection and its number, to tell which one served a query.
    struct Conn {
        id: u32,
        db: Connection,
    }

    impl Manager for Sqlite {
        type Object = Conn;
        type Error = rusqlite::Error;

        async fn create(&self) -> Result<Conn, rusqlite::Error> {
            let id = self.counts.created.fetch_add(1, Ordering::SeqCst) + 1;
            let path = self.path.clone();
            // Opening a file blocks: off the executor.
            let db = weft::spawn_blocking(move || {
                let db = Connection::open(path)?;
                db.busy_timeout(Duration::from_secs(5))?;
                Ok::<_, rusqlite::Error>(db)
            })
            .await
            .expect("opening a SQLite file does not panic")?;
            Ok(Conn { id, db })
        }

        async fn check(&self, conn: &mut Conn) -> Result<(), rusqlite::Error> {
            // `SELECT 1` on a local file takes microseconds: it runs inline.
            let checked = conn
                .db
                .query_row("SELECT 1", [], |row| row.get::<_, i64>(0));
            if let Err(err) = &checked {
                self.counts.failed_checks.fetch_add(1, Ordering::SeqCst);
                println!(
                    "  check: connection #{} failed `SELECT 1` ({err}): destroyed",
                    conn.id
                );
            }
            checked.map(drop)
        }

        fn destroy(&self, conn: Conn) {
            self.counts.destroyed.fetch_add(1, Ordering::SeqCst);
            drop(conn); // closes the SQLite connection
        }
    }

    type Pool = weft::Pool<Sqlite>;

    /// The connections broken on purpose, and how often one was handed out after it broke.
    static BROKEN: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    static HANDED_OUT_BROKEN: AtomicU32 = AtomicU32::new(0);

    /// Makes every later statement on `conn` fail, as a dropped server connection would.
    fn break_connection(conn: &Conn) {
        BROKEN.lock().unwrap().push(conn.id);
        conn.db
            .progress_handler(1, Some(|| true))
            .expect("set a progress handler");
    }

    /// A connection-level failure: the connection is useless, not just the statement.
    fn is_connection_error(err: &QueryError) -> bool {
        matches!(err, QueryError::Sql(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::OperationInterrupted)
    }

    #[derive(Debug)]
    enum QueryError {
        Pool(weft::pool::PoolError<rusqlite::Error>),
        Sql(rusqlite::Error),
        /// The query panicked on its blocking thread; its connection was dropped with it.
        Panicked(weft::JoinError),
    }

    impl std::fmt::Display for QueryError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                QueryError::Pool(err) => write!(f, "pool: {err}"),
                QueryError::Sql(err) => write!(f, "sql: {err}"),
                QueryError::Panicked(err) => write!(f, "query: {err}"),
            }
        }
    }

    /// Runs `query` on a pooled connection on the blocking thread pool; gives back the output
    /// and the id of the connection that served it. A connection error discards the connection.
    async fn with_conn<T, F>(pool: &Pool, query: F) -> Result<(T, u32), QueryError>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn: Guard<Sqlite> = pool.acquire().await.map_err(QueryError::Pool)?;
        if BROKEN.lock().unwrap().contains(&conn.id) {
            HANDED_OUT_BROKEN.fetch_add(1, Ordering::SeqCst);
        }
        let (conn, out) = weft::spawn_blocking(move || {
            let out = query(&conn);
            (conn, out)
        })
        .await
        .map_err(QueryError::Panicked)?;
        let id = conn.id;
        match out.map_err(QueryError::Sql) {
            Ok(out) => Ok((out, id)), // the guard goes back to the pool here
            Err(err) => {
                if is_connection_error(&err) {
                    println!("  query: connection #{id} failed mid-query ({err}): discarded");
                    conn.discard();
                }
                Err(err)
            }
        }
    }

    fn score(id: i64) -> i64 {
        (id * 7_919) % 1_000
    }

    pub fn main() -> ExitCode {
        let path = std::env::temp_dir().join(format!("weft-db-pool-{}.sqlite", std::process::id()));
        let outcome = weft::block_on(run(path.clone()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        match outcome {
            Ok(()) => {
                println!("db_pool: ok");
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for problem in problems {
                    eprintln!("db_pool: FAILED: {problem}");
                }
                ExitCode::FAILURE
            }
        }
    }

    fn show(label: &str, pool: &Pool) {
        let s = pool.status();
        println!(
            "  {label:<26} size {} (idle {}, in use {}), waiting {}, max {}, closed {}",
            s.size, s.idle, s.in_use, s.waiting, s.max, s.closed
        );
    }

    async fn run(path: PathBuf) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let counts = Arc::new(Counts::default());
        let manager = Sqlite {
            path,
            counts: counts.clone(),
        };
        let pool: Pool = weft::Pool::builder(manager)
            .min_size(MIN_SIZE)
            .max_size(MAX_SIZE)
            .acquire_timeout(Duration::from_secs(10))
            .build()
            .await
            .map_err(|err| vec![format!("could not build the pool: {err}")])?;
        println!("weft::Pool of SQLite connections, min_size {MIN_SIZE}, max_size {MAX_SIZE}");
        show("built:", &pool);
        if pool.status().size != MIN_SIZE {
            problems.push(format!(
                "built with {} connections, not min_size {MIN_SIZE}",
                pool.status().size
            ));
        }

        // Schema and data, in one transaction on one pooled connection.
        let setup = with_conn(&pool, |conn| {
            conn.db.execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score INTEGER NOT NULL);",
            )?;
            let tx = conn.db.unchecked_transaction()?;
            {
                let mut insert = tx.prepare("INSERT INTO users (id, name, score) VALUES (?1, ?2, ?3)")?;
                for id in 1..=USERS {
                    insert.execute(params![id, format!("user{id}"), score(id)])?;
                }
            }
            tx.commit()
        })
        .await;
        if let Err(err) = setup {
            return Err(vec![format!("setup failed: {err}")]);
        }
        println!("  {USERS} users inserted");

        // Every connection out: a fifth acquire waits, and gives up after its timeout.
        {
            let mut held = Vec::new();
            for _ in 0..MAX_SIZE {
                held.push(pool.acquire().await.map_err(|e| vec![e.to_string()])?);
            }
            show("all 4 lent out:", &pool);
            let fifth = weft::timeout(Duration::from_millis(50), pool.acquire()).await;
            println!(
                "  a 5th acquire: {}",
                if fifth.is_err() {
                    "timed out after 50 ms"
                } else {
                    "got one!"
                }
            );
            if fifth.is_ok() || pool.status().size > MAX_SIZE {
                problems.push("the pool lent more than max_size connections".to_string());
            }
            // Break one idle connection, as if its server had gone away.
            let victim = held.pop().expect("held 4");
            println!(
                "  breaking idle connection #{} (every statement on it now fails)",
                victim.id
            );
            break_connection(&victim);
            drop(victim);
            drop(held);
            show("all returned:", &pool);
            run_queries(&pool, &mut problems).await;
        }

        // Close: destroys every connection, idle or coming back.
        pool.close().await;
        show("closed:", &pool);
        let created = counts.created.load(Ordering::SeqCst);
        let destroyed = counts.destroyed.load(Ordering::SeqCst);
        let failed_checks = counts.failed_checks.load(Ordering::SeqCst);
        println!(
            "  connections: {created} opened, {destroyed} destroyed, {failed_checks} failed their check"
        );
        if failed_checks != 1 {
            problems.push(format!(
                "{failed_checks} failed checks, expected the 1 broken idle connection"
            ));
        }
        if created != destroyed || pool.status().size != 0 {
            problems.push("closing the pool left connections open".to_string());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    async fn run_queries(pool: &Pool, problems: &mut Vec<String>) {
        let done = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(Mutex::new((0, 0, 0))); // size, in use, waiting
        let sampler = weft::spawn({
            let (pool, done, peak) = (pool.clone(), done.clone(), peak.clone());
            async move {
                while !done.load(Ordering::SeqCst) {
                    let s = pool.status();
                    {
                        let mut p = peak.lock().unwrap();
                        *p = (p.0.max(s.size), p.1.max(s.in_use), p.2.max(s.waiting));
                    }
                    weft::sleep(Duration::from_millis(1)).await;
                }
            }
        });

        // Connection errors are retried on another connection; statement errors are not.
        let retry = weft::Retry::new()
            .attempts(3)
            .min_delay(Duration::from_millis(1))
            .retry_if(is_connection_error)
            .build()
            .expect("valid settings");

        let start = Instant::now();
        let tasks = (1..=QUERIES).map(|n| {
            let (pool, retry) = (pool.clone(), retry.clone());
            weft::spawn(async move {
                let id = 1 + (n * 37) % USERS;
                let first_try = AtomicBool::new(true);
                retry
                    .run(|| {
                        let unlucky = n == UNLUCKY && first_try.swap(false, Ordering::SeqCst);
                        with_conn(&pool, move |conn| {
                            if unlucky {
                                // The connection dies while this query holds it.
                                break_connection(conn);
                            }
                            let (name, score): (String, i64) = conn.db.query_row(
                                "SELECT name, score FROM users WHERE id = ?1",
                                [id],
                                |row| Ok((row.get(0)?, row.get(1)?)),
                            )?;
                            let above: i64 = conn.db.query_row(
                                "SELECT count(*) FROM users WHERE score > ?1",
                                [score],
                                |row| row.get(0),
                            )?;
                            Ok((id, name, score, above))
                        })
                    })
                    .await
            })
        });
        let results = weft::gather(tasks).await;
        let elapsed = start.elapsed();
        done.store(true, Ordering::SeqCst);
        let _ = sampler.await;
        let (peak_size, peak_in_use, peak_waiting) = *peak.lock().unwrap();

        let mut ok = 0;
        let mut wrong = 0;
        let handed_out_broken = HANDED_OUT_BROKEN.load(Ordering::SeqCst);
        for result in results {
            match result {
                Ok(Ok(((id, name, score_got, above), _conn_id))) => {
                    ok += 1;
                    let expected_above =
                        (1..=USERS).filter(|&u| score(u) > score_got).count() as i64;
                    if name != format!("user{id}")
                        || score_got != score(id)
                        || above != expected_above
                    {
                        wrong += 1;
                    }
                }
                Ok(Err(err)) => problems.push(format!("a query failed: {err}")),
                Err(err) => problems.push(format!("a query task panicked: {err}")),
            }
        }
        println!(
            "  {QUERIES} queries from {QUERIES} tasks in {:.0} ms: {ok} ok, {wrong} wrong; broken connections handed out: {handed_out_broken}",
            elapsed.as_secs_f64() * 1e3
        );
        println!(
            "  while they ran: peak size {peak_size}, peak in use {peak_in_use}, peak waiting {peak_waiting}"
        );
        show("after the queries:", pool);
        if ok != QUERIES || wrong != 0 {
            problems.push(format!("{ok} of {QUERIES} queries ok, {wrong} wrong"));
        }
        if handed_out_broken != 0 {
            problems.push(format!(
                "a broken connection was handed out {handed_out_broken} times"
            ));
        }
        if peak_size > MAX_SIZE {
            problems.push(format!(
                "the pool grew to {peak_size}, past max_size {MAX_SIZE}"
            ));
        }
        if BROKEN.lock().unwrap().len() != 2 {
            problems.push("the unlucky query never broke its connection".to_string());
        }
    }
}
