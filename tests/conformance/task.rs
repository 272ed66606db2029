//! Tasks: spawn, drop cancels, detach, cancel, and panics.

use crate::support::{Counter, DropCounter, eventually, ms};

conformance! {
    async fn a_spawned_task_gives_its_output() {
        let task = weft::spawn(async {
            weft::sleep(ms(2)).await;
            "done"
        });
        assert_eq!(task.await, Ok("done"));
    }
}

conformance! {
    async fn dropping_a_task_cancels_it() {
        let guards = DropCounter::default();
        let ran_to_end = Counter::default();
        let guard = guards.guard();
        let flag = ran_to_end.clone();
        let task = weft::spawn(async move {
            let _guard = guard;
            weft::sleep(ms(30)).await;
            flag.bump();
        });
        weft::sleep(ms(1)).await;
        drop(task);
        eventually(ms(5_000), "the cancelled task's future is dropped", || guards.dropped() == 1).await;
        weft::sleep(ms(60)).await;
        assert_eq!(ran_to_end.get(), 0, "a cancelled task never reaches its end");
    }
}

conformance! {
    async fn a_detached_task_runs_to_completion() {
        let done = Counter::default();
        let flag = done.clone();
        weft::spawn(async move {
            weft::sleep(ms(10)).await;
            flag.bump();
        })
        .detach();
        eventually(ms(5_000), "the detached task finishes", || done.get() == 1).await;
    }
}

conformance! {
    async fn cancel_returns_the_output_only_if_the_task_had_finished() {
        let forever = weft::spawn(weft::sleep(ms(60_000)));
        assert_eq!(forever.cancel().await, None);

        let quick = weft::spawn(async { 7 });
        while !quick.is_finished() {
            weft::sleep(ms(1)).await;
        }
        assert_eq!(quick.cancel().await, Some(7));
    }
}

conformance! {
    async fn yield_now_lets_other_tasks_run() {
        let other = Counter::default();
        let flag = other.clone();
        let task = weft::spawn(async move { flag.bump() });
        for _ in 0..10_000 {
            if other.get() == 1 {
                break;
            }
            weft::yield_now().await;
        }
        task.await.unwrap();
        assert_eq!(other.get(), 1);
    }
}

conformance! {
    async fn spawn_local_runs_a_future_that_is_not_send() {
        let shared = std::rc::Rc::new(std::cell::Cell::new(0));
        let inner = shared.clone();
        weft::spawn_local(async move {
            weft::sleep(ms(1)).await;
            inner.set(5);
        })
        .await
        .unwrap();
        assert_eq!(shared.get(), 5);
    }
}

// In the browser a panic aborts the wasm instance; the end-to-end test checks that its message
// reaches the console (www/tests/skeleton.test.mjs).
#[cfg(not(target_arch = "wasm32"))]
conformance! {
    async fn a_panicking_task_fails_its_awaiter_and_the_runtime_keeps_working() {
        let err = weft::spawn(async {
            weft::sleep(ms(1)).await;
            panic!("boom in task");
        })
        .await
        .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.panic_message(), Some("boom in task"));
        assert_eq!(err.to_string(), "task panicked: boom in task");

        // Every executor thread still takes work.
        let outs = weft::gather((0..64).map(|i| weft::spawn(async move { i }))).await;
        assert!(outs.into_iter().enumerate().all(|(i, out)| out == Ok(i)));
    }
}
