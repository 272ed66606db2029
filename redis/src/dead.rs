//! The dead-letter stream: jobs that used up their attempts, kept for a person to look at.

use redis::streams::StreamRangeReply;

use crate::wire;
use crate::{Error, JobId, Queue};

/// A job that was run as many times as its worker's retry policy allows and failed each time
/// (it panicked, or its worker died), as kept in the queue's dead-letter stream.
///
/// The stream is capped near 10,000 entries (`MAXLEN ~`), oldest dropped first. The job's
/// result, for whoever awaits it, is [`JobError::Dead`](crate::JobError::Dead) with the same
/// attempts and error.
///
/// # Examples
///
/// ```no_run
/// weft::block_on(async {
///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "math").await.unwrap();
///     for dead in queue.dead_letters(100).await.unwrap() {
///         println!("{} ({}) failed {} times: {}", dead.id, dead.func, dead.attempts, dead.error);
///     }
/// });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    /// The job's id.
    pub id: JobId,
    /// The function's name.
    pub func: String,
    /// The encoded argument, as submitted (resubmit it with
    /// [`Queue::submit_raw`] once the cause is fixed).
    pub arg: Vec<u8>,
    /// How many times the job ran.
    pub attempts: u32,
    /// The last failure: a panic message, or which attempt's worker died.
    pub error: String,
}

impl Queue {
    /// The oldest `count` entries of the dead-letter stream (an empty list if there are none).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// weft::block_on(async {
    ///     let queue = weft_redis::Queue::connect("redis://127.0.0.1/", "fresh").await.unwrap();
    ///     assert!(queue.dead_letters(10).await.unwrap().is_empty());
    /// });
    /// ```
    pub async fn dead_letters(&self, count: usize) -> Result<Vec<DeadLetter>, Error> {
        let key = self.keys().dead.clone();
        let reply: StreamRangeReply = self
            .with_link(move |c| {
                redis::cmd("XRANGE")
                    .arg(&key)
                    .arg("-")
                    .arg("+")
                    .arg("COUNT")
                    .arg(count)
                    .query(c)
            })
            .await?;
        Ok(reply
            .ids
            .iter()
            .map(|entry| {
                let text = |name| {
                    wire::field(entry, name)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default()
                };
                DeadLetter {
                    id: JobId::from(text("id")),
                    func: text("f"),
                    arg: wire::field(entry, "a").unwrap_or_default(),
                    attempts: text("attempts").parse().unwrap_or(0),
                    error: text("error"),
                }
            })
            .collect())
    }
}
