//! `Recorder`: weft's task timeline (`weft::trace::Recorder`) for JS tasks: spans with their
//! polls, slow-poll warnings, and Chrome trace-event JSON for Perfetto / `chrome://tracing`.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use weft::trace::{Recorder, Span};

use crate::bridge::{
    MOST, check_task, describe, field, live_signal, millis, ms, object, opt_count, promise, spawn,
    start_plain,
};
use crate::errors::{config_error, type_error};

thread_local! {
    // The recorder that records every task weft starts, if one was started.
    static ACTIVE: RefCell<Option<(u32, Recorder)>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// The recorder that is recording now, if any (read by every task start).
pub fn recording() -> Option<Recorder> {
    ACTIVE.with(|active| active.borrow().as_ref().map(|(_, r)| r.clone()))
}

/// `new Recorder({ capacity, slowPoll, pollsPerSpan })`.
#[wasm_bindgen(js_name = Recorder)]
pub struct JsRecorder {
    id: u32,
    recorder: Recorder,
}

#[wasm_bindgen(js_class = Recorder)]
impl JsRecorder {
    /// Checks the options and makes an idle recorder.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsRecorder, JsValue> {
        let mut builder = Recorder::builder()
            .capacity(opt_count(&options, "capacity", (1, MOST), 10_000)?)
            .polls_per_span(opt_count(&options, "pollsPerSpan", (0, MOST), 64)?);
        if let Some(value) = field(&options, "slowPoll")? {
            let threshold = millis("slowPoll", &value, false)?.unwrap_or_default();
            builder = builder.slow_poll_threshold(threshold);
        }
        let recorder = builder.build().map_err(config_error)?;
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        Ok(JsRecorder { id, recorder })
    }

    /// From now on every task weft starts is a span of this recorder (until `stop`, or until
    /// another recorder starts).
    pub fn start(&self) {
        let previous = ACTIVE.with(|a| a.borrow_mut().replace((self.id, self.recorder.clone())));
        drop(previous);
    }

    /// Stops recording new tasks (spans already open still end).
    pub fn stop(&self) {
        let previous = ACTIVE.with(|a| {
            let mut active = a.borrow_mut();
            match &*active {
                Some((id, _)) if *id == self.id => active.take(),
                _ => None,
            }
        });
        drop(previous);
    }

    /// Whether this recorder is the one recording.
    #[wasm_bindgen(getter)]
    pub fn recording(&self) -> bool {
        ACTIVE.with(|a| matches!(&*a.borrow(), Some((id, _)) if *id == self.id))
    }

    /// `trace(name, task, { signal })`: runs one task as a span named `name`.
    pub fn trace(&self, name: JsValue, task: JsValue, options: JsValue) -> Promise {
        promise((|| {
            let Some(name) = name.as_string() else {
                return Err(type_error(&format!(
                    "name must be a string, got {}",
                    describe(&name)
                )));
            };
            check_task("task", &task)?;
            let signal = live_signal(&options)?;
            let running = self
                .recorder
                .try_traced(name, start_plain(&task, signal.is_some()));
            Ok(spawn(signal, running))
        })())
    }

    /// Every span kept, oldest first.
    pub fn spans(&self) -> Array {
        self.recorder.spans().iter().map(span).collect()
    }

    /// The slow polls seen: `{ task, id, at, duration, message }`.
    pub fn warnings(&self) -> Array {
        self.recorder
            .warnings()
            .iter()
            .map(|w| {
                object(&[
                    ("task", w.task.as_str().into()),
                    ("id", (w.id as f64).into()),
                    ("at", ms(w.at)),
                    ("duration", ms(w.duration)),
                    ("message", w.to_string().into()),
                ])
            })
            .collect()
    }

    /// The timeline as Chrome trace-event JSON (load it in Perfetto or `chrome://tracing`).
    #[wasm_bindgen(js_name = chromeTrace)]
    pub fn chrome_trace(&self) -> String {
        self.recorder.chrome_trace()
    }
}

fn opt_ms(duration: Option<core::time::Duration>) -> JsValue {
    duration.map_or(JsValue::NULL, ms)
}

fn span(span: &Span) -> JsValue {
    let polls: Array = span
        .polls
        .iter()
        .map(|p| object(&[("start", ms(p.start)), ("duration", ms(p.duration))]))
        .collect();
    let marks: Array = span
        .marks
        .iter()
        .map(|m| object(&[("at", ms(m.at)), ("kind", m.kind.as_str().into())]))
        .collect();
    object(&[
        ("id", (span.id as f64).into()),
        ("name", span.name.as_str().into()),
        (
            "parent",
            span.parent.map_or(JsValue::NULL, |p| (p as f64).into()),
        ),
        ("state", span.state.as_str().into()),
        ("queued", ms(span.queued)),
        ("start", opt_ms(span.start)),
        ("end", opt_ms(span.end)),
        ("busy", ms(span.busy)),
        ("pollCount", (span.poll_count as f64).into()),
        ("polls", polls.into()),
        ("marks", marks.into()),
    ])
}
