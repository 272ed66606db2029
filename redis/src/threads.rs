//! The worker's CPU threads: one per unit of concurrency, each running one job at a time.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use weft::{Registry, WorkerError};

use crate::wire::Job;

/// A job that has run.
pub(crate) struct Ran {
    pub(crate) job: Job,
    pub(crate) result: Result<Vec<u8>, WorkerError>,
    pub(crate) took: Duration,
}

pub(crate) struct Threads {
    jobs: async_channel::Sender<Job>,
    handles: Vec<JoinHandle<()>>,
}

/// Where jobs for the threads go (unbounded: the reader bounds how many wait).
pub(crate) type Jobs = async_channel::Sender<Job>;

impl Threads {
    /// Starts `count` threads running the jobs sent to the returned sender; each result goes
    /// to `ran`.
    pub(crate) fn start(
        count: usize,
        registry: Arc<Registry>,
        ran: async_channel::Sender<Ran>,
    ) -> std::io::Result<(Threads, Jobs)> {
        let (jobs, incoming) = async_channel::unbounded::<Job>();
        let mut handles = Vec::with_capacity(count);
        for n in 0..count {
            let incoming = incoming.clone();
            let registry = registry.clone();
            let ran = ran.clone();
            handles.push(
                std::thread::Builder::new()
                    .name(format!("weft-worker-{n}"))
                    .spawn(move || {
                        while let Ok(mut job) = incoming.recv_blocking() {
                            let start = Instant::now();
                            // `Registry::call` catches a panic: it fails this job, not the thread.
                            // The last attempt keeps its argument for the dead-letter stream.
                            let arg = if job.keep_arg {
                                job.arg.clone()
                            } else {
                                std::mem::take(&mut job.arg)
                            };
                            let result = registry.call(&job.func, arg);
                            let took = start.elapsed();
                            if ran.send_blocking(Ran { job, result, took }).is_err() {
                                break;
                            }
                        }
                    })?,
            );
        }
        Ok((
            Threads {
                jobs: jobs.clone(),
                handles,
            },
            jobs,
        ))
    }

    /// Lets the threads finish what they hold, then joins them.
    pub(crate) async fn stop(self) {
        self.jobs.close();
        let handles = self.handles;
        blocking::unblock(move || {
            for handle in handles {
                let _ = handle.join();
            }
        })
        .await;
    }
}
