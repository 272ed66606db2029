//! The task timeline recorder: spans with exact virtual times and final states, poll
//! durations, marks, bounded memory, Chrome trace JSON, and slow-poll warnings.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft_core::trace::{Recorder, RecorderBuilder, SlowPoll, State};

use crate::support::ms;

type VirtualRecorder = Recorder<VirtualRuntime>;

/// "Blocks its thread" for `block` inside its first poll (on the virtual clock), then waits
/// `wait` and finishes.
async fn blocking_then_sleeping(block: Duration, wait: Duration) {
    testing::advance(block);
    testing::sleep(wait).await;
}

/// Collects warnings instead of printing them.
fn quiet() -> (RecorderBuilder<VirtualRuntime>, Arc<Mutex<Vec<SlowPoll>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let builder = Recorder::<VirtualRuntime>::builder().on_slow_poll({
        let seen = seen.clone();
        move |warning| seen.lock().unwrap().push(warning.clone())
    });
    (builder, seen)
}

conformance! {
    async fn spans_record_each_named_task_with_exact_virtual_times() {
        let spans = testing::run(async {
            let recorder = VirtualRecorder::new();
            testing::sleep(ms(5)).await;
            let tasks: Vec<_> = (1..=3_u64)
                .map(|i| recorder.spawn(format!("fetch#{i}"), testing::sleep(ms(100 * i))))
                .collect();
            weft::gather(tasks).await;
            recorder.spans()
        });
        assert_eq!(spans.len(), 3);
        for (i, span) in (1_u64..).zip(&spans) {
            assert_eq!(span.name, format!("fetch#{i}"));
            assert_eq!(span.state, State::Done);
            assert_eq!(span.parent, None);
            assert_eq!(span.queued, ms(5));
            assert_eq!(span.start, Some(ms(5)));
            assert_eq!(span.end, Some(ms(5 + 100 * i)));
            assert_eq!(span.poll_count, 2, "one poll to start the timer, one when it fired");
            assert_eq!(span.polls.len(), 2);
            assert_eq!(span.polls[1].start, ms(5 + 100 * i));
            assert_eq!(span.busy, Duration::ZERO, "virtual time stands still inside a poll");
        }
        let ids: Vec<_> = spans.iter().map(|s| s.id).collect();
        assert_eq!(ids, [1, 2, 3]);
    }
}

conformance! {
    async fn a_blocking_poll_is_measured_and_warned_about_by_task_name() {
        let (spans, warnings, seen) = testing::run(async {
            let (builder, seen) = quiet();
            let recorder = builder.build().unwrap();
            recorder.traced("fetch#1", blocking_then_sleeping(ms(2), ms(10))).await;
            recorder.traced("fetch#3", blocking_then_sleeping(ms(48), ms(10))).await;
            (recorder.spans(), recorder.warnings(), seen.lock().unwrap().clone())
        });
        assert_eq!(spans[0].polls[0].duration, ms(2), "under the 10 ms threshold");
        assert_eq!(spans[1].polls[0].start, ms(12));
        assert_eq!(spans[1].polls[0].duration, ms(48));
        assert_eq!(spans[1].busy, ms(48));
        assert_eq!(spans[1].end, Some(ms(70)));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].to_string(), "something blocked the event loop for 48 ms in task fetch#3");
        assert_eq!((warnings[0].id, warnings[0].at, warnings[0].duration), (spans[1].id, ms(12), ms(48)));
        assert_eq!(seen, warnings, "the hook saw what the recorder kept");
    }
}

conformance! {
    async fn the_slow_poll_threshold_is_configurable() {
        let counts = testing::run(async {
            let mut counts = Vec::new();
            for threshold in [ms(1), ms(5), ms(10), Duration::MAX] {
                let (builder, _) = quiet();
                let recorder = builder.slow_poll_threshold(threshold).build().unwrap();
                for block in [2, 5, 6, 20] {
                    recorder.traced("job", blocking_then_sleeping(ms(block), ms(1))).await;
                }
                counts.push(recorder.warnings().len());
            }
            counts
        });
        assert_eq!(counts, [4, 2, 1, 0], "only polls strictly longer than the threshold warn");
    }
}

conformance! {
    async fn spans_end_done_failed_or_cancelled() {
        let spans = testing::run(async {
            let recorder = VirtualRecorder::new();
            let ok: Result<u32, &str> = recorder.try_traced("ok", async { Ok(1) }).await;
            assert_eq!(ok, Ok(1));
            let err: Result<u32, &str> = recorder.try_traced("err", async { Err("503") }).await;
            assert_eq!(err, Err("503"));
            let never_polled = recorder.traced("never polled", async {});
            drop(never_polled);
            let timed_out = weft_core::timeout::Timeout::<VirtualRuntime, _>::after(
                ms(30),
                recorder.traced("timed out", testing::sleep(ms(1_000))),
            )
            .await;
            assert!(timed_out.is_err());
            let task = recorder.spawn("dropped task", testing::sleep(ms(1_000)));
            testing::sleep(ms(10)).await;
            assert_eq!(task.cancel().await, None);
            recorder.spans()
        });
        let states: Vec<_> = spans.iter().map(|s| (s.name.as_str(), s.state)).collect();
        assert_eq!(
            states,
            [
                ("ok", State::Done),
                ("err", State::Failed),
                ("never polled", State::Cancelled),
                ("timed out", State::Cancelled),
                ("dropped task", State::Cancelled),
            ]
        );
        assert_eq!(spans[2].start, None, "a future dropped before its first poll never started");
        assert_eq!(spans[3].end, Some(ms(30)), "cancelled when the timeout dropped it");
        assert_eq!(spans[4].end, Some(ms(40)));
    }
}

#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn a_panicking_task_ends_failed_with_a_mark() {
        let recorder = weft::trace::Recorder::new();
        let task = recorder.spawn("boom", async {
            weft::yield_now().await;
            panic!("disk full");
        });
        assert!(task.await.unwrap_err().is_panic());
        let span = &recorder.spans()[0];
        assert_eq!(span.state, State::Failed);
        assert_eq!(span.marks[0].kind, "panicked");
        assert!(span.end.is_some());
    }
}

conformance! {
    async fn ambient_traced_spawn_and_mark_record_into_the_enclosing_task() {
        let spans = testing::run(async {
            let recorder = VirtualRecorder::new();
            recorder
                .traced("main", async {
                    weft::trace::mark("begin");
                    let child = weft::trace::traced("child", async {
                        testing::sleep(ms(5)).await;
                        weft::trace::mark("retried");
                        let grandchild = weft::trace::traced("grandchild", testing::sleep(ms(5)));
                        grandchild.await;
                    });
                    child.await;
                })
                .await;
            // Outside any traced task these do nothing.
            weft::trace::mark("ignored");
            weft::trace::traced("untracked", async {}).await;
            recorder.spans()
        });
        let names: Vec<_> = spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["main", "child", "grandchild"]);
        assert_eq!(spans[1].parent, Some(spans[0].id));
        assert_eq!(spans[2].parent, Some(spans[1].id));
        assert_eq!(spans[0].marks.len(), 1);
        assert_eq!((spans[0].marks[0].kind.as_str(), spans[0].marks[0].at), ("begin", ms(0)));
        assert_eq!((spans[1].marks[0].kind.as_str(), spans[1].marks[0].at), ("retried", ms(5)));
        assert!(spans[2].marks.is_empty());
        assert_eq!(spans[2].end, Some(ms(10)));
    }
}

conformance! {
    async fn spawn_named_traces_tasks_started_inside_a_traced_task() {
        let recorder = weft::trace::Recorder::new();
        let sum = recorder
            .traced("main", async {
                let tasks: Vec<_> = (1..=3)
                    .map(|i| weft::trace::spawn_named(format!("worker#{i}"), async move { i }))
                    .collect();
                weft::gather(tasks).await.into_iter().map(Result::unwrap).sum::<i32>()
            })
            .await;
        assert_eq!(sum, 6);
        let spans = recorder.spans();
        let names: Vec<_> = spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["main", "worker#1", "worker#2", "worker#3"]);
        assert!(spans[1..].iter().all(|s| s.parent == Some(spans[0].id) && s.state == State::Done));
        // Outside a traced task it is a plain spawn.
        assert_eq!(weft::trace::spawn_named("plain", async { 1 }).await.unwrap(), 1);
        assert_eq!(recorder.spans().len(), 4);
    }
}

conformance! {
    async fn a_spawned_task_records_how_long_it_waited_in_the_queue() {
        let span = testing::run(async {
            let recorder = VirtualRecorder::new();
            let task = recorder.spawn("queued", async {});
            testing::advance(ms(7)); // the spawner keeps the thread busy before yielding
            task.await.unwrap();
            recorder.spans().remove(0)
        });
        assert_eq!(span.queued, ms(0));
        assert_eq!(span.start, Some(ms(7)));
    }
}

conformance! {
    async fn memory_stays_bounded_by_capacity_and_polls_per_span() {
        let (spans, dropped) = testing::run(async {
            let recorder = VirtualRecorder::builder().capacity(10).polls_per_span(4).build().unwrap();
            for i in 0..100 {
                recorder
                    .traced(format!("job#{i}"), async {
                        for _ in 0..50 {
                            weft::trace::mark("tick");
                            weft::yield_now().await;
                        }
                    })
                    .await;
            }
            (recorder.spans(), recorder.dropped_spans())
        });
        assert_eq!(spans.len(), 10);
        assert_eq!(dropped, 90);
        assert_eq!(spans[0].name, "job#90", "the oldest spans were dropped");
        assert_eq!(spans[9].name, "job#99");
        for span in &spans {
            assert_eq!(span.polls.len(), 4);
            assert_eq!(span.marks.len(), 4);
            assert_eq!(span.poll_count, 51, "every poll is still counted");
        }
        let err = VirtualRecorder::builder().capacity(0).build().unwrap_err();
        assert_eq!(err.to_string(), "invalid capacity: must be at least 1, got 0");
    }
}

conformance! {
    async fn the_chrome_trace_parses_and_has_the_expected_events() {
        let json = testing::run(async {
            let (builder, _) = quiet();
            let recorder = builder.build().unwrap();
            testing::sleep(ms(1)).await;
            let task = recorder.spawn("fetch \"one\"\n", async {
                weft::trace::mark("retried");
                testing::advance(ms(20));
                testing::sleep(ms(5)).await;
            });
            task.await.unwrap();
            let _running = recorder.traced("still running", async {});
            recorder.chrome_trace()
        });
        let trace: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let events = trace["traceEvents"].as_array().expect("a traceEvents array");
        for event in events {
            for field in ["name", "ph", "pid", "tid"] {
                assert!(event.get(field).is_some(), "{field} missing in {event}");
            }
            if event["ph"] == "X" {
                assert!(event["ts"].is_number() && event["dur"].is_number(), "{event}");
            }
        }
        let find = |cat: &str| events.iter().filter(|e| e["cat"] == cat).collect::<Vec<_>>();
        let tasks = find("task");
        assert_eq!(tasks.len(), 1, "a task never polled has no task bar");
        let task = tasks[0];
        assert_eq!(task["name"], "fetch \"one\"\n");
        assert_eq!(task["ph"], "X");
        assert_eq!(task["ts"], 1_000);
        assert_eq!(task["dur"], 25_000);
        assert_eq!(task["args"]["state"], "done");
        assert_eq!(task["args"]["polls"], 2);
        let tid = task["tid"].clone();
        let polls = find("poll");
        assert_eq!(polls.len(), 2);
        assert!(polls.iter().all(|p| p["tid"] == tid));
        assert_eq!((polls[0]["ts"].clone(), polls[0]["dur"].clone()), (1_000.into(), 20_000.into()));
        assert_eq!(find("queue").len(), 2);
        let marks = find("mark");
        assert_eq!((marks[0]["name"].clone(), marks[0]["ph"].clone()), ("retried".into(), "i".into()));
        let warnings = find("warning");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0]["args"]["message"],
            "something blocked the event loop for 20 ms in task fetch \"one\"\n"
        );
        let row_names: Vec<_> = events
            .iter()
            .filter(|e| e["name"] == "thread_name")
            .map(|e| e["args"]["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(row_names, ["fetch \"one\"\n", "still running"]);
    }
}

conformance! {
    async fn a_poll_that_really_blocks_the_thread_is_reported_on_the_real_clock() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorder = weft::trace::Recorder::builder()
            .on_slow_poll({
                let seen = seen.clone();
                move |warning| seen.lock().unwrap().push(warning.to_string())
            })
            .build()
            .unwrap();
        recorder
            .traced("fetch#3", async {
                weft::sleep(ms(1)).await;
                // Busy-wait: blocks the event loop (or executor thread) for 60 ms.
                let start = weft::now();
                while weft::now() - start < ms(60) {}
            })
            .await;
        let warnings = recorder.warnings();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].duration >= ms(60));
        let text = seen.lock().unwrap()[0].clone();
        assert!(text.starts_with("something blocked the event loop for "), "{text}");
        assert!(text.ends_with(" ms in task fetch#3"), "{text}");
    }
}

conformance! {
    async fn traced_without_a_recorder_just_runs_the_future() {
        let out = weft::trace::traced("alone", async { 41 + 1 }).await;
        assert_eq!(out, 42);
        let err: Result<(), &str> = weft::trace::try_traced("alone", async { Err("no") }).await;
        assert_eq!(err, Err("no"));
    }
}
