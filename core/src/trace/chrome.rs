//! The Chrome trace-event format (the JSON that `chrome://tracing` and Perfetto load), written by
//! hand: a few event shapes do not need a serialisation framework.
//!
//! Format reference: "Trace Event Format" (Google), events with `ph` `X` (complete: `ts` + `dur`),
//! `i` (instant, `s: "t"` = thread scope) and `M` (metadata: row names and order). `ts` and `dur`
//! are microseconds; fractions are allowed.

use core::fmt::Write;
use core::time::Duration;

use super::{SlowPoll, Span};

/// One process for the whole recorder; each task is a "thread" row of it.
const PID: u32 = 1;

/// Writes `spans` and `warnings` as a trace; `now` ends the bars of tasks still running.
pub(super) fn write<'a>(
    spans: impl Iterator<Item = &'a Span>,
    warnings: impl Iterator<Item = &'a SlowPoll>,
    now: Duration,
) -> String {
    let mut events = Events::default();
    events.push(format_args!(
        r#"{{"name":"process_name","ph":"M","pid":{PID},"tid":0,"args":{{"name":"weft"}}}}"#
    ));
    for span in spans {
        write_span(&mut events, span, now);
    }
    for warning in warnings {
        events.push(format_args!(
            r#"{{"name":"slow poll","cat":"warning","ph":"i","s":"t","ts":{},"pid":{PID},"tid":{},"args":{{"message":{},"duration_us":{}}}}}"#,
            Micros(warning.at),
            warning.id,
            Json(&warning.to_string()),
            Micros(warning.duration),
        ));
    }
    events.finish()
}

fn write_span(events: &mut Events, span: &Span, now: Duration) {
    let tid = span.id;
    let name = Json(&span.name);
    events.push(format_args!(
        r#"{{"name":"thread_name","ph":"M","pid":{PID},"tid":{tid},"args":{{"name":{name}}}}}"#
    ));
    events.push(format_args!(
        r#"{{"name":"thread_sort_index","ph":"M","pid":{PID},"tid":{tid},"args":{{"sort_index":{tid}}}}}"#
    ));
    let end = span.end.unwrap_or(now);
    let started = span.start.unwrap_or(end);
    events.push(format_args!(
        r#"{{"name":"queued","cat":"queue","ph":"X","ts":{},"dur":{},"pid":{PID},"tid":{tid}}}"#,
        Micros(span.queued),
        Micros(started.saturating_sub(span.queued)),
    ));
    if let Some(start) = span.start {
        let parent = match span.parent {
            Some(parent) => parent.to_string(),
            None => "null".to_owned(),
        };
        events.push(format_args!(
            r#"{{"name":{name},"cat":"task","ph":"X","ts":{},"dur":{},"pid":{PID},"tid":{tid},"args":{{"id":{tid},"state":"{}","polls":{},"busy_us":{},"parent":{parent}}}}}"#,
            Micros(start),
            Micros(end.saturating_sub(start)),
            span.state,
            span.poll_count,
            Micros(span.busy),
        ));
    }
    for poll in &span.polls {
        events.push(format_args!(
            r#"{{"name":"poll","cat":"poll","ph":"X","ts":{},"dur":{},"pid":{PID},"tid":{tid}}}"#,
            Micros(poll.start),
            Micros(poll.duration),
        ));
    }
    for mark in &span.marks {
        events.push(format_args!(
            r#"{{"name":{},"cat":"mark","ph":"i","s":"t","ts":{},"pid":{PID},"tid":{tid}}}"#,
            Json(&mark.kind),
            Micros(mark.at),
        ));
    }
}

/// The `traceEvents` array being written.
#[derive(Default)]
struct Events {
    out: String,
    any: bool,
}

impl Events {
    fn push(&mut self, event: core::fmt::Arguments<'_>) {
        if self.out.is_empty() {
            self.out.push_str(r#"{"traceEvents":["#);
        }
        if self.any {
            self.out.push(',');
        }
        self.any = true;
        self.out
            .write_fmt(event)
            .expect("writing to a String cannot fail");
    }

    fn finish(mut self) -> String {
        self.out.push_str(r#"],"displayTimeUnit":"ms"}"#);
        self.out
    }
}

/// A duration as microseconds with nanosecond precision: `1234.567`.
struct Micros(Duration);

impl core::fmt::Display for Micros {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let nanos = self.0.as_nanos();
        let (micros, rest) = (nanos / 1000, nanos % 1000);
        if rest == 0 {
            write!(f, "{micros}")
        } else {
            write!(f, "{micros}.{rest:03}")
        }
    }
}

/// A string as a JSON string literal, quotes included.
struct Json<'a>(&'a str);

impl core::fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_json() {
        let escaped = Json("a \"q\" \\ \n\t\u{1}é").to_string();
        assert_eq!(escaped, r#""a \"q\" \\ \n\t\u0001é""#);
    }

    #[test]
    fn micros_keep_nanosecond_precision() {
        assert_eq!(
            Micros(Duration::from_nanos(1_234_567)).to_string(),
            "1234.567"
        );
        assert_eq!(Micros(Duration::from_micros(5)).to_string(), "5");
        assert_eq!(Micros(Duration::from_nanos(5)).to_string(), "0.005");
    }

    #[test]
    fn an_empty_trace_is_valid_json() {
        let json = write([].iter(), [].iter(), Duration::ZERO);
        assert_eq!(
            json,
            r#"{"traceEvents":[{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"weft"}}],"displayTimeUnit":"ms"}"#
        );
    }
}
