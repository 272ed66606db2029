//! The Redis keys of one queue.
//!
//! Every key starts with `weft:{<name>}:`; the braces are a Redis Cluster hash tag, so all the
//! keys of a queue live in one slot and the queue's scripts may touch several of them.

use weft_core::ConfigError;

/// The consumer group every worker of a queue reads with.
pub(crate) const GROUP: &str = "workers";

/// The key names of one queue.
#[derive(Clone, Debug)]
pub(crate) struct Keys {
    prefix: String,
    /// The job stream (`XADD` by queues, `XREADGROUP` by workers). It holds only jobs not yet
    /// acknowledged: a worker deletes an entry when it acknowledges it.
    pub(crate) jobs: String,
    /// What happens to jobs (running, done, failed, retried, dead, cancelled), capped by `MAXLEN`.
    pub(crate) events: String,
    /// Jobs that used up their attempts, capped by `MAXLEN`.
    pub(crate) dead: String,
    /// How many jobs are in the job stream and not yet acknowledged.
    pub(crate) backlog: String,
}

impl Keys {
    pub(crate) fn new(name: &str) -> Result<Keys, ConfigError> {
        if name.is_empty() {
            return Err(ConfigError::new("queue name", "must not be empty"));
        }
        if name.contains(['{', '}']) || name.chars().any(char::is_whitespace) {
            return Err(ConfigError::new(
                "queue name",
                format!("`{name}` must not contain braces or spaces"),
            ));
        }
        let prefix = format!("weft:{{{name}}}:");
        Ok(Keys {
            jobs: format!("{prefix}jobs"),
            events: format!("{prefix}events"),
            dead: format!("{prefix}dead"),
            backlog: format!("{prefix}backlog"),
            prefix,
        })
    }

    /// The common prefix of every key of this queue.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Where the result of job `id` is stored (`SET NX` with a TTL).
    pub(crate) fn result(&self, id: &str) -> String {
        format!("{}r:{id}", self.prefix)
    }

    /// Where the last error of job `id` is kept between its attempts.
    pub(crate) fn last_error(&self, id: &str) -> String {
        format!("{}e:{id}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_one_hash_tag() {
        let keys = Keys::new("primes").unwrap();
        assert_eq!(keys.jobs, "weft:{primes}:jobs");
        assert_eq!(keys.result("a-1"), "weft:{primes}:r:a-1");
        assert_eq!(keys.last_error("a-1"), "weft:{primes}:e:a-1");
    }

    #[test]
    fn bad_names_are_config_errors() {
        assert_eq!(Keys::new("").unwrap_err().setting(), "queue name");
        assert!(Keys::new("a{b}").is_err());
        assert!(Keys::new("a b").is_err());
    }
}
