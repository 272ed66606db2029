//! `seeds_tour`: the seeds' headline asyncio programs, run with weft on the real clock, printing
//! what Python prints.
//!
//! - `compare_performance`: sequential 0.80 s vs concurrent (`gather`) 0.50 s, speedup 1.6x;
//! - `process_urls_as_completed`: api2 (0.5 s), then api3 (1.0 s), then api1 (2.0 s);
//! - `process_with_timeout`: `wait(FIRST_COMPLETED)` gives 1 done, 2 pending, which are cancelled;
//! - `wait_with_timeout`: nothing done within 2 s, 2 pending, cancelled;
//! - `fetch_all_continue_on_error`: `gather(return_exceptions=True)` as a gather of `Result`s.
//!
//! Each line is checked against the line Python prints (timings within a generous margin), and
//! the example fails if one differs. It takes about 7 seconds: the seeds' own sleeps.
//!
//! ```text
//! cargo run --release --example seeds_tour
//! ```

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    demo::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod demo {
    use std::process::ExitCode;
    use std::time::Duration;

    use weft::{ReturnWhen, StreamExt};

    /// Collects printed lines, to compare them with Python's.
    #[derive(Default)]
    struct Out {
        lines: Vec<String>,
        problems: Vec<String>,
    }

    impl Out {
        fn print(&mut self, line: String) {
            println!("  {line}");
            self.lines.push(line);
        }

        /// Checks the lines printed since `from` against Python's.
        fn expect(&mut self, program: &str, from: usize, python: &[&str]) {
            let ours = &self.lines[from..];
            if ours != python {
                self.problems.push(format!(
                    "{program}: printed {ours:?}, Python prints {python:?}"
                ));
            }
        }

        fn check(&mut self, ok: bool, problem: impl Into<String>) {
            if !ok {
                self.problems.push(problem.into());
            }
        }
    }

    pub fn main() -> ExitCode {
        let out = weft::block_on(async {
            let mut out = Out::default();
            compare_performance(&mut out).await;
            process_urls_as_completed(&mut out).await;
            process_with_timeout(&mut out).await;
            wait_with_timeout(&mut out).await;
            fetch_all_continue_on_error(&mut out).await;
            out
        });
        if out.problems.is_empty() {
            println!("seeds_tour: ok, every line as Python prints it");
            ExitCode::SUCCESS
        } else {
            for problem in out.problems {
                eprintln!("seeds_tour: FAILED: {problem}");
            }
            ExitCode::FAILURE
        }
    }

    #[derive(Debug, PartialEq)]
    struct User {
        id: u32,
        name: String,
    }

    async fn fetch_user(user_id: u32) -> User {
        weft::sleep(Duration::from_millis(500)).await; // simulate an API call
        User {
            id: user_id,
            name: format!("User{user_id}"),
        }
    }

    async fn fetch_posts(_user_id: u32) -> Vec<String> {
        weft::sleep(Duration::from_millis(300)).await;
        (0..3).map(|i| format!("Post {i}")).collect()
    }

    async fn compare_performance(out: &mut Out) {
        println!("compare_performance (002, gather):");
        let start = weft::now();
        let user = fetch_user(1).await;
        let posts = fetch_posts(1).await; // waits for the user first
        let sequential = (weft::now() - start).as_secs_f64();
        out.print(format!("Sequential: {sequential:.2}s"));

        let start = weft::now();
        let (user2, posts2) = weft::gather!(fetch_user(1), fetch_posts(1)).await;
        let concurrent = (weft::now() - start).as_secs_f64();
        out.print(format!("Concurrent: {concurrent:.2}s"));
        out.print(format!("Speedup: {:.1}x", sequential / concurrent));

        out.check(
            user == user2 && posts == posts2,
            "gather gave other results than awaiting in turn",
        );
        out.check(
            (0.8..1.8).contains(&sequential),
            format!("sequential took {sequential:.2} s, Python 0.80 s"),
        );
        out.check(
            concurrent >= 0.5 && concurrent < sequential - 0.2,
            format!("concurrent took {concurrent:.2} s, Python 0.50 s"),
        );
    }

    async fn fetch_with_timeout(url: &'static str, seconds: f64) -> (&'static str, f64) {
        weft::sleep(Duration::from_secs_f64(seconds)).await;
        (url, seconds)
    }

    async fn process_urls_as_completed(out: &mut Out) {
        println!("process_urls_as_completed (002, as_completed):");
        let urls = [
            ("https://api1.com", 2.0),
            ("https://api2.com", 0.5),
            ("https://api3.com", 1.0),
        ];
        let from = out.lines.len();
        let mut completed = weft::as_completed(urls.map(|(url, t)| fetch_with_timeout(url, t)));
        while let Some((_index, (url, time))) = completed.next().await {
            out.print(format!("Completed: {url} in {time:?}s")); // Python prints floats as 1.0
        }
        out.expect(
            "as_completed",
            from,
            &[
                "Completed: https://api2.com in 0.5s",
                "Completed: https://api3.com in 1.0s",
                "Completed: https://api1.com in 2.0s",
            ],
        );
    }

    async fn process_with_timeout(out: &mut Out) {
        println!("process_with_timeout (002, wait FIRST_COMPLETED):");
        let tasks = [("url1", 1.0), ("url2", 2.0), ("url3", 3.0)]
            .map(|(url, t)| weft::spawn(fetch_with_timeout(url, t)));
        let from = out.lines.len();
        let start = weft::now();
        let waited = weft::wait(tasks, ReturnWhen::FirstCompleted, None).await;
        out.print(format!("First completed: {} task(s)", waited.done.len()));
        out.print(format!("Still pending: {} task(s)", waited.pending.len()));
        // Cancel the remaining tasks.
        for (_, task) in waited.pending {
            task.cancel().await;
        }
        let (_, result) = &waited.done[0];
        let (url, time) = result.as_ref().expect("the task ran");
        out.print(format!("Result: {{'url': '{url}', 'time': {time:?}}}"));
        let took = (weft::now() - start).as_secs_f64();
        out.expect(
            "wait(FIRST_COMPLETED)",
            from,
            &[
                "First completed: 1 task(s)",
                "Still pending: 2 task(s)",
                "Result: {'url': 'url1', 'time': 1.0}",
            ],
        );
        out.check(
            (1.0..2.0).contains(&took),
            format!("FIRST_COMPLETED returned after {took:.2} s, not 1 s"),
        );
    }

    async fn wait_with_timeout(out: &mut Out) {
        println!("wait_with_timeout (002, wait with timeout=2.0):");
        let tasks =
            [("url1", 5.0), ("url2", 5.0)].map(|(url, t)| weft::spawn(fetch_with_timeout(url, t)));
        let from = out.lines.len();
        let start = weft::now();
        let waited = weft::wait(
            tasks,
            ReturnWhen::AllCompleted,
            Some(Duration::from_secs(2)),
        )
        .await;
        out.print(format!("Completed in time: {}", waited.done.len()));
        out.print(format!("Timed out: {}", waited.pending.len()));
        let took = (weft::now() - start).as_secs_f64();
        for (_, task) in waited.pending {
            task.cancel().await; // cancel timed-out tasks
        }
        out.expect(
            "wait(timeout=2.0)",
            from,
            &["Completed in time: 0", "Timed out: 2"],
        );
        out.check(
            (2.0..3.0).contains(&took),
            format!("the 2 s wait returned after {took:.2} s"),
        );
    }

    #[derive(Debug)]
    struct ApiError(String);

    impl std::fmt::Display for ApiError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    async fn fetch_with_error(url: &str, should_fail: bool) -> Result<String, ApiError> {
        weft::sleep(Duration::from_millis(500)).await;
        if should_fail {
            return Err(ApiError(format!("Failed to fetch {url}")));
        }
        Ok(format!("{{'url': '{url}', 'status': 'success'}}"))
    }

    async fn fetch_all_continue_on_error(out: &mut Out) {
        println!("fetch_all_continue_on_error (002, gather(return_exceptions=True)):");
        let from = out.lines.len();
        let results = weft::gather([
            fetch_with_error("url1", false),
            fetch_with_error("url2", true),
            fetch_with_error("url3", false),
        ])
        .await;
        for (i, result) in results.iter().enumerate() {
            match result {
                Err(e) => out.print(format!("Task {i} failed: {e}")),
                Ok(result) => out.print(format!("Task {i} succeeded: {result}")),
            }
        }
        out.expect(
            "gather(return_exceptions=True)",
            from,
            &[
                "Task 0 succeeded: {'url': 'url1', 'status': 'success'}",
                "Task 1 failed: Failed to fetch url2",
                "Task 2 succeeded: {'url': 'url3', 'status': 'success'}",
            ],
        );
    }
}
