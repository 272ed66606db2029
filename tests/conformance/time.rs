//! Timers and timeouts: never early, and the inner future dropped at expiry.

use crate::support::{DropCounter, ms};
use weft::TimeoutExt;

conformance! {
    async fn sleep_never_returns_early() {
        for d in [0, 1, 2, 5, 13, 25] {
            let start = weft::now();
            weft::sleep(ms(d)).await;
            let took = weft::now() - start;
            assert!(took >= ms(d), "sleep({d} ms) returned after {took:?}");
        }
    }
}

conformance! {
    async fn sleep_until_a_past_instant_is_ready_at_once() {
        let past = weft::now();
        weft::sleep(ms(2)).await;
        weft::sleep_until(past).await;
    }
}

conformance! {
    async fn many_timers_fire_in_deadline_order() {
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        // One local task per timer (one thread): each is woken by its own timer, in the order
        // the timers fire (inside one gather, timers that expired together would be polled in
        // input order).
        let timers = [25_u64, 5, 15, 0, 10].map(|d| {
            let order = order.clone();
            weft::spawn_local(async move {
                weft::sleep(ms(d)).await;
                order.lock().unwrap().push(d);
            })
        });
        weft::gather(timers).await;
        assert_eq!(*order.lock().unwrap(), [0, 5, 10, 15, 25]);
    }
}

conformance! {
    async fn timeout_fires_and_drops_the_inner_future() {
        let guards = DropCounter::default();
        let guard = guards.guard();
        let start = weft::now();
        let out = weft::timeout(ms(20), async move {
            let _guard = guard;
            weft::sleep(ms(60_000)).await;
        })
        .await;
        let err = out.unwrap_err();
        assert!(weft::now() - start >= ms(20), "fired early");
        assert_eq!(err.to_string(), "timed out after 20ms");
        assert_eq!(guards.dropped(), 1, "the inner future is dropped at expiry");
    }
}

conformance! {
    async fn timeout_passes_through_a_future_that_finishes_in_time() {
        let out = weft::timeout(ms(1_000), async {
            weft::sleep(ms(2)).await;
            "in time"
        })
        .await;
        assert_eq!(out, Ok("in time"));
    }
}

conformance! {
    async fn timeout_zero_still_polls_the_future_once() {
        assert_eq!(weft::timeout(ms(0), async { 1 }).await, Ok(1));
        assert!(weft::timeout(ms(0), weft::sleep(ms(60_000))).await.is_err());
    }
}

conformance! {
    async fn deadline_and_the_extension_trait_agree_with_timeout() {
        let at = weft::now() + ms(10);
        assert!(weft::deadline(at, weft::sleep(ms(60_000))).await.is_err());
        assert!(weft::now() >= at);
        assert_eq!(weft::sleep(ms(1)).timeout(ms(1_000)).await, Ok(()));
        assert_eq!(weft::timeout_or(ms(5), "default", std::future::pending()).await, "default");
    }
}
