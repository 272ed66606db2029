//! The virtual-time runtime itself: exact, instant, and the same on both targets.

use std::time::Duration;

use weft::testing::{self, VirtualRuntime};
use weft_core::timeout::Timeout;

conformance! {
    async fn virtual_time_jumps_to_each_deadline_exactly() {
        let (elapsed, order) = testing::run(async {
            let start = testing::now();
            let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let tasks: Vec<_> = [300_u64, 100, 200]
                .into_iter()
                .map(|ms| {
                    let order = order.clone();
                    testing::spawn(async move {
                        testing::sleep(Duration::from_millis(ms)).await;
                        order.lock().unwrap().push((ms, testing::now()));
                    })
                })
                .collect();
            weft::gather(tasks).await;
            let order: Vec<_> = order.lock().unwrap().iter().map(|(ms, at)| (*ms, *at - start)).collect();
            (testing::now() - start, order)
        });
        assert_eq!(elapsed, Duration::from_millis(300));
        assert_eq!(
            order,
            [100, 200, 300].map(|ms| (ms, Duration::from_millis(ms)))
        );
    }
}

conformance! {
    async fn a_virtual_timeout_fires_at_exactly_its_limit() {
        let (out, took) = testing::run(async {
            let start = testing::now();
            let out = Timeout::<VirtualRuntime, _>::after(
                Duration::from_secs(30),
                testing::sleep(Duration::from_secs(3600)),
            )
            .await;
            (out, testing::now() - start)
        });
        assert!(out.is_err());
        assert_eq!(took, Duration::from_secs(30));
    }
}
