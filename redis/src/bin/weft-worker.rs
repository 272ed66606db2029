//! `weft-worker`: a worker process for a weft-redis queue, serving the functions of
//! `weft_redis::demo` (`count_primes` and the test functions).
//!
//! ```text
//! weft-worker --url redis://127.0.0.1:6379/ --queue primes --concurrency 2
//! ```
//!
//! Stops on SIGINT or SIGTERM after finishing the jobs it holds (exit 0); a second signal stops
//! it at once (exit 130). A real deployment builds the same few lines around its own functions.

use std::process::ExitCode;
use std::time::Duration;

use weft_redis::{Error, Worker};

const USAGE: &str = "usage: weft-worker [options]

  --url URL             Redis to connect to (default: $WEFT_REDIS_URL or redis://127.0.0.1:6379/)
  --queue NAME          queue to serve (default: weft)
  --concurrency N       jobs run at once, one thread each (default: one per core)
  --attempts N          runs per job before it goes to the dead-letter stream (default: 3)
  --retry-delay-ms MS   wait before running a panicked job again (default: 1000)
  --visibility-ms MS    idle time after which a dead worker's job is taken over (default: 30000)
  --prefetch N          at most N jobs read ahead beyond --concurrency (default: 256)
  --result-ttl-secs S   how long results stay in Redis (default: 86400)
  --name NAME           consumer name in the group (default: <host>-<pid>-<random>)";

fn parse(args: &[String]) -> Result<Worker, String> {
    let mut url =
        std::env::var("WEFT_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let mut queue = "weft".to_owned();
    let mut options: Vec<(String, String)> = Vec::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?
            .clone();
        match flag.as_str() {
            "--url" => url = value,
            "--queue" => queue = value,
            "--concurrency" | "--attempts" | "--retry-delay-ms" | "--visibility-ms"
            | "--prefetch" | "--result-ttl-secs" | "--name" => options.push((flag.clone(), value)),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let mut worker = Worker::connect(&url, &queue).registry(weft_redis::demo::registry());
    for (flag, value) in options {
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("`{flag}` takes a whole number, not `{value}`"))
        };
        worker = match flag.as_str() {
            "--concurrency" => worker.concurrency(number()? as usize),
            "--attempts" => {
                worker.attempts(u32::try_from(number()?).map_err(|_| "--attempts is too large")?)
            }
            "--retry-delay-ms" => worker.retry_delay(Duration::from_millis(number()?)),
            "--visibility-ms" => worker.visibility_timeout(Duration::from_millis(number()?)),
            "--prefetch" => worker.prefetch(number()? as usize),
            "--result-ttl-secs" => worker.result_ttl(Duration::from_secs(number()?)),
            _ => worker.name(&value),
        };
    }
    eprintln!("weft-worker: serving queue `{queue}` on {url}");
    Ok(worker)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let worker = match parse(&args) {
        Ok(worker) => worker,
        Err(problem) if problem.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("weft-worker: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match weft::block_on(worker.run()) {
        Ok(()) => {
            eprintln!("weft-worker: stopped");
            ExitCode::SUCCESS
        }
        Err(Error::Interrupted) => {
            eprintln!("weft-worker: interrupted");
            ExitCode::from(130)
        }
        Err(err) => {
            eprintln!("weft-worker: {err}");
            ExitCode::FAILURE
        }
    }
}
