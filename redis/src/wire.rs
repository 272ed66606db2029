//! What is stored in Redis: job entries, results, progress events.
//!
//! A job is a stream entry with the fields `id` (the job id), `f` (the function's name), `a`
//! (the argument, a [`weft::Payload`] encoding whose first byte is its own format version) and
//! `v` (this job format's version, [`JOB_FORMAT`]). A result is a string: one version byte, one
//! tag byte, then the function's encoded result, or the failure.

use redis::Value;
use redis::streams::StreamId;
use weft::{Payload, WorkerError};

use crate::{Error, JobError};

/// The version of the job entry layout; a worker fails a job written in another one.
pub(crate) const JOB_FORMAT: &str = "1";
/// The version byte that starts every stored result.
const RESULT_FORMAT: u8 = 1;

const OK: u8 = 0;
const FAILED: u8 = 1;
const DEAD: u8 = 2;
const CANCELLED: u8 = 3;

/// How a job ended, as stored under its result key.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Ok(Vec<u8>),
    Failed(WorkerError),
    Dead { attempts: u32, last_error: String },
    Cancelled,
}

impl Outcome {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = vec![RESULT_FORMAT];
        match self {
            Outcome::Ok(bytes) => {
                out.push(OK);
                out.extend_from_slice(bytes);
            }
            Outcome::Failed(err) => {
                out.push(FAILED);
                let (kind, message) = match err {
                    WorkerError::UnknownFunction(name) => (1, name.clone()),
                    WorkerError::Payload(why) => (2, why.clone()),
                    WorkerError::Panicked(message) => (3, message.clone()),
                    other => (0, other.to_string()),
                };
                out.push(kind);
                out.extend_from_slice(message.as_bytes());
            }
            Outcome::Dead {
                attempts,
                last_error,
            } => {
                out.push(DEAD);
                out.extend_from_slice(&attempts.to_le_bytes());
                out.extend_from_slice(last_error.as_bytes());
            }
            Outcome::Cancelled => out.push(CANCELLED),
        }
        out
    }

    pub(crate) fn decode(mut bytes: Vec<u8>) -> Result<Outcome, Error> {
        let bad = |why: &str| Error::Protocol(format!("job result {why}"));
        let (version, tag) = match bytes.as_slice() {
            [version, tag, ..] => (*version, *tag),
            _ => return Err(bad("is shorter than its header")),
        };
        if version != RESULT_FORMAT {
            return Err(bad(&format!(
                "has format version {version} (this weft-redis reads {RESULT_FORMAT})"
            )));
        }
        let body = bytes.split_off(2);
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        match tag {
            OK => Ok(Outcome::Ok(body)),
            FAILED => {
                let (kind, message) = body.split_first().ok_or_else(|| bad("has no error kind"))?;
                let message = text(message);
                Ok(Outcome::Failed(match kind {
                    1 => WorkerError::UnknownFunction(message),
                    2 => WorkerError::Payload(message),
                    3 => WorkerError::Panicked(message),
                    _ => WorkerError::WorkerCrashed(message),
                }))
            }
            DEAD if body.len() >= 4 => Ok(Outcome::Dead {
                attempts: u32::from_le_bytes(body[..4].try_into().expect("4 bytes")),
                last_error: text(&body[4..]),
            }),
            CANCELLED => Ok(Outcome::Cancelled),
            _ => Err(bad(&format!("has an unknown tag {tag}"))),
        }
    }

    /// The event kind a job that ended this way reports.
    pub(crate) fn event(&self) -> Event {
        match self {
            Outcome::Ok(_) => Event::Done,
            Outcome::Failed(_) => Event::Failed,
            Outcome::Dead { .. } => Event::Dead,
            Outcome::Cancelled => Event::Cancelled,
        }
    }
}

/// Turns a stored result into what a `JobHandle<R>` gives.
pub(crate) fn into_result<R: Payload>(stored: Result<Vec<u8>, JobError>) -> Result<R, JobError> {
    match Outcome::decode(stored?).map_err(JobError::Queue)? {
        Outcome::Ok(bytes) => R::from_payload(bytes).map_err(JobError::Failed),
        Outcome::Failed(err) => Err(JobError::Failed(err)),
        Outcome::Dead {
            attempts,
            last_error,
        } => Err(JobError::Dead {
            attempts,
            last_error,
        }),
        Outcome::Cancelled => Err(JobError::Cancelled),
    }
}

/// One kind of progress event, as written to the events stream (field `k`; field `ids` holds
/// the space-separated ids of the jobs it is about).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Running,
    Retried,
    Done,
    Failed,
    Dead,
    Cancelled,
}

impl Event {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Event::Running => "running",
            Event::Retried => "retried",
            Event::Done => "done",
            Event::Failed => "failed",
            Event::Dead => "dead",
            Event::Cancelled => "cancelled",
        }
    }

    pub(crate) fn parse(kind: &str) -> Option<Event> {
        Some(match kind {
            "running" => Event::Running,
            "retried" => Event::Retried,
            "done" => Event::Done,
            "failed" => Event::Failed,
            "dead" => Event::Dead,
            "cancelled" => Event::Cancelled,
            _ => return None,
        })
    }

    /// Whether the job has ended (it has a result).
    pub(crate) fn is_final(self) -> bool {
        !matches!(self, Event::Running | Event::Retried)
    }
}

/// A job as a worker read it.
#[derive(Debug)]
pub(crate) struct Job {
    /// The stream entry id (what `XACK` takes).
    pub(crate) entry: String,
    pub(crate) id: String,
    pub(crate) func: String,
    pub(crate) arg: Vec<u8>,
    /// Which delivery this is: 1 for the first.
    pub(crate) attempt: u32,
    /// Whether the thread must keep the argument (the last attempt: for the dead-letter stream).
    pub(crate) keep_arg: bool,
}

/// The raw bytes of a field of a stream entry.
pub(crate) fn field(entry: &StreamId, name: &str) -> Option<Vec<u8>> {
    match entry.map.get(name)? {
        Value::BulkString(bytes) => Some(bytes.clone()),
        Value::SimpleString(text) => Some(text.clone().into_bytes()),
        _ => None,
    }
}

/// Reads a job entry. An entry that is not a job this worker can read still gives its ids (the
/// entry id stands in for a missing job id), with the reason it cannot run.
pub(crate) fn parse_job(
    entry: &StreamId,
    attempt: u32,
) -> Result<Job, (String, String, WorkerError)> {
    let text = |name| field(entry, name).map(|b| String::from_utf8_lossy(&b).into_owned());
    let id = text("id").unwrap_or_else(|| entry.id.clone());
    let fail = |why: String| (entry.id.clone(), id.clone(), WorkerError::Payload(why));
    match text("v") {
        Some(v) if v == JOB_FORMAT => {}
        Some(v) => {
            return Err(fail(format!(
                "job format version {v} (this worker reads {JOB_FORMAT})"
            )));
        }
        None => return Err(fail("the job entry has no format version (`v`)".into())),
    }
    let func = text("f").ok_or_else(|| fail("the job entry names no function (`f`)".into()))?;
    let arg =
        field(entry, "a").ok_or_else(|| fail("the job entry has no argument (`a`)".into()))?;
    Ok(Job {
        entry: entry.id.clone(),
        id,
        func,
        arg,
        attempt,
        keep_arg: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(outcome: Outcome) -> Outcome {
        Outcome::decode(outcome.encode()).unwrap()
    }

    #[test]
    fn outcomes_survive_encoding() {
        assert!(matches!(round_trip(Outcome::Ok(vec![1, 2])), Outcome::Ok(b) if b == [1, 2]));
        assert!(matches!(
            round_trip(Outcome::Failed(WorkerError::UnknownFunction("f".into()))),
            Outcome::Failed(WorkerError::UnknownFunction(name)) if name == "f"
        ));
        assert!(matches!(
            round_trip(Outcome::Dead { attempts: 3, last_error: "boom".into() }),
            Outcome::Dead { attempts: 3, last_error } if last_error == "boom"
        ));
        assert!(matches!(round_trip(Outcome::Cancelled), Outcome::Cancelled));
    }

    #[test]
    fn unreadable_results_are_protocol_errors() {
        assert!(Outcome::decode(vec![]).is_err());
        assert!(
            Outcome::decode(vec![9, 0])
                .unwrap_err()
                .to_string()
                .contains("version 9")
        );
        assert!(Outcome::decode(vec![1, 77]).is_err());
    }

    #[test]
    fn events_parse_back() {
        for event in [
            Event::Running,
            Event::Retried,
            Event::Done,
            Event::Failed,
            Event::Dead,
            Event::Cancelled,
        ] {
            assert_eq!(Event::parse(event.as_str()), Some(event));
        }
        assert_eq!(Event::parse("nope"), None);
    }
}
