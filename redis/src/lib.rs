//! The functions you registered for weft's `WorkerPool`, run by worker processes on many
//! machines, coordinated by Redis Streams consumer groups: Celery's job, without rewriting the
//! functions.
//!
//! | Python (Celery) | weft-redis |
//! |---|---|
//! | `@app.task def f(x)` | `weft::func! { fn f(x: u64) -> u64 { … } }` (the same function the local pool runs) |
//! | `f.delay(x)`, `AsyncResult.get()` | [`Queue::submit`]`(f, x).await` → [`JobHandle`], `.await` |
//! | `AsyncResult(task_id).get()` | [`Queue::job`]`(id)` |
//! | `group(f.s(x) for x in xs)()`, `Pool.imap` | [`Queue::map`] (input order), [`Queue::map_unordered`] |
//! | `AsyncResult.revoke()` | [`Queue::cancel`] |
//! | `celery worker -c 4` | [`Worker::connect`]`(url, queue).concurrency(4).register(f).run()`, or the `weft-worker` binary |
//! | `autoretry_for`, `max_retries` | [`Worker::attempts`], then the dead-letter stream ([`Queue::dead_letters`]) |
//! | Flower's task counts | [`Queue::progress`] → [`Progress`] |
//!
//! Redis is the engine: weft-redis invents no broker. It needs Redis 7.0 or newer (it uses
//! `XAUTOCLAIM`'s report of deleted entries).
//!
//! # Examples
//!
//! The functions live in a library both sides link; a worker registers them, a client submits:
//!
//! ```no_run
//! use futures_lite::StreamExt;
//!
//! weft::func! {
//!     pub fn count_primes(limit: u64) -> u64 {
//!         (2..limit).filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0)).count() as u64
//!     }
//! }
//!
//! // On each worker machine (or run the `weft-worker` binary):
//! // weft::block_on(weft_redis::Worker::connect(url, "primes").register(count_primes).run())
//!
//! weft::block_on(async {
//!     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "primes").await.unwrap();
//!     let one = queue.submit(count_primes, 100).await.unwrap();
//!     assert_eq!(one.await.unwrap(), 25);
//!
//!     let counts: Vec<u64> = queue.map(count_primes, [10, 100, 1000]).map(Result::unwrap).collect().await;
//!     assert_eq!(counts, [4, 25, 168]);
//! });
//! ```
//!
//! # Delivery: at least once
//!
//! A job is stored in the stream until a worker has stored its result and acknowledged it
//! (`XACK`, in the same atomic script). If the worker dies first (killed, out of memory, the
//! machine gone), the job stays pending and another worker takes it over once it has been idle
//! for the visibility timeout (`XAUTOCLAIM`); live workers renew their jobs every third of that
//! timeout, so a long job is not taken from a live worker. So every job runs **at least once**,
//! and sometimes twice or more: when its worker died after the work but before the
//! acknowledgement, when Redis was unreachable long enough for a renewal to be missed, or when a
//! reply was lost on a dropped connection and a submission was sent again.
//!
//! **Results are keyed by job id** and written with `SET NX`: the first result stored is the
//! result, a later run's is dropped, so a job run twice still has one result and every handle
//! sees the same value. A worker that picks up a job that already has a result (finished
//! elsewhere, or cancelled) does not run it.
//!
//! **Side effects must be idempotent**: what a function does besides returning a value (writing
//! a file, charging a card, sending a mail) may happen twice. Make a second run harmless:
//! - key the effect by something stable, such as the job's input or an id you pass in the
//!   argument (`INSERT … ON CONFLICT DO NOTHING`, an idempotency key at the payment provider,
//!   a file named after the input and written with create-new semantics);
//! - or write to a temporary name and rename into place (the rename is atomic, the last
//!   writer wins with identical content);
//! - or keep the function pure and apply its result once, on the submitting side, where the
//!   handle gives it exactly once.
//!
//! # Failures
//!
//! - A function the worker does not have, or an argument it cannot decode, fails **that job**
//!   with [`JobError::Failed`] and a readable reason (``job failed: unknown function `resize` ``,
//!   `job failed: bad payload: …`); the worker goes on. Such a job is not retried: it would fail
//!   the same way.
//! - A panic fails the attempt; the job runs again until it has run [`Worker::attempts`] times
//!   (crashed attempts count too), then it moves to the dead-letter stream with its last error
//!   ([`Queue::dead_letters`]) and its handle gives [`JobError::Dead`].
//! - Redis going away is waited out: every connection reconnects by itself (backoff from 50 ms
//!   to 1 s) and the command is sent again, for a queue's reconnect timeout (default 60 s) or,
//!   for a worker, forever by default. With Redis's append-only file (`appendonly yes`) nothing
//!   submitted is lost across a Redis restart.
//!
//! # Payloads and versions
//!
//! Arguments and results are [`weft::Payload`]s: serde values encoded with postcard behind a
//! one-byte format version ([`weft::offload::FORMAT_VERSION`]), or [`weft::Bytes`] as is. Each
//! job entry also carries the version of its own layout (field `v`), and each stored result
//! starts with a version byte, so a worker or client of another version refuses what it cannot
//! read with a clear error instead of misreading it.
//!
//! # Memory stays bounded
//!
//! All keys of a queue start with `weft:{<queue>}:` (one Redis Cluster hash slot):
//!
//! | key | what | bound |
//! |---|---|---|
//! | `jobs` | the job stream, consumer group `workers` | only jobs not yet acknowledged (an entry is deleted when acknowledged); submitting waits at [`QueueBuilder::max_pending`] |
//! | `r:<id>` | a job's result | TTL ([`Worker::result_ttl`], default one day) |
//! | `e:<id>` | a job's last error between attempts | the same TTL; deleted when the job ends |
//! | `events` | progress events (running, retried, done, failed, dead, cancelled) | `MAXLEN ~ 10000` |
//! | `dead` | the dead-letter stream | `MAXLEN ~ 10000` |
//! | `backlog` | count of jobs not yet acknowledged | one integer |
//!
//! Workers that are gone are removed from the consumer group once they hold nothing and have
//! been silent for ten visibility timeouts (at least a minute).
#![cfg(not(target_arch = "wasm32"))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]

mod builder;
mod claimer;
mod collector;
mod dead;
pub mod demo;
mod error;
mod finisher;
mod handle;
mod keys;
mod link;
mod map;
mod progress;
mod queue;
mod runner;
mod scripts;
mod shared;
mod submitter;
mod threads;
mod tracker;
mod wire;
mod worker;

pub use builder::QueueBuilder;
pub use dead::DeadLetter;
pub use error::{Error, JobError};
pub use handle::{JobHandle, JobId};
pub use map::{Map, MapUnordered};
pub use progress::{Progress, ProgressStream};
pub use queue::Queue;
pub use worker::Worker;
