//! timeout, deadline, timeout_or and nested timeouts against their model: the inner future wins
//! if it is done by the limit (a tie goes to the inner future, which is polled first), and is
//! dropped at the limit otherwise.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use proptest::prelude::*;
use weft::testing::{self, VirtualRuntime};
use weft_core::timeout::{Timeout, TimeoutOr};

use super::check;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sleeps `delay` ms, then returns it; `dropped` is set when the future goes.
fn inner(delay: u64, dropped: Rc<Cell<bool>>) -> impl Future<Output = u64> {
    struct Mark(Rc<Cell<bool>>);
    impl Drop for Mark {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let mark = Mark(dropped);
    async move {
        let _mark = mark;
        testing::sleep(ms(delay)).await;
        delay
    }
}

#[derive(Clone, Copy, Debug)]
enum Form {
    After,
    At,
    Or,
}

reliability! {
    async fn a_timeout_returns_the_inner_output_if_done_by_the_limit_and_drops_it_otherwise() {
        let form = prop_oneof![Just(Form::After), Just(Form::At), Just(Form::Or)];
        check("timeout, deadline, timeout_or", (0_u64..30, 0_u64..30, form), |(delay, limit, form)| {
            let dropped = Rc::new(Cell::new(false));
            let (out, took, dropped_at_return) = testing::run(async {
                let start = testing::now();
                let future = inner(delay, dropped.clone());
                let out = match form {
                    Form::After => Timeout::<VirtualRuntime, _>::after(ms(limit), future).await.ok(),
                    Form::At => Timeout::<VirtualRuntime, _>::at(start + ms(limit), future).await.ok(),
                    Form::Or => Some(TimeoutOr::<VirtualRuntime, _>::new(ms(limit), u64::MAX, future).await)
                        .filter(|&v| v != u64::MAX),
                };
                (out, testing::now() - start, dropped.get())
            });
            if delay <= limit {
                prop_assert_eq!(out, Some(delay));
                prop_assert_eq!(took, ms(delay));
            } else {
                prop_assert_eq!(out, None);
                prop_assert_eq!(took, ms(limit), "fired exactly at the limit");
            }
            prop_assert!(dropped_at_return, "the inner future is gone by the return");
            Ok(())
        });
    }
}

reliability! {
    async fn nested_timeouts_fire_in_deadline_order() {
        check("nested timeouts", (0_u64..30, 0_u64..30, 0_u64..30), |(delay, outer, inner_limit)| {
            let dropped = Rc::new(Cell::new(false));
            let (out, took) = testing::run(async {
                let start = testing::now();
                let future = Timeout::<VirtualRuntime, _>::after(ms(inner_limit), inner(delay, dropped.clone()));
                let out = Timeout::<VirtualRuntime, _>::after(ms(outer), future).await;
                (out.map(|inner| inner.ok()), testing::now() - start)
            });
            // The inner future wins ties against both timers; the inner timeout against the outer.
            let model = if delay <= outer && delay <= inner_limit {
                Ok(Some(delay))
            } else if inner_limit <= outer {
                Ok(None)
            } else {
                Err(())
            };
            prop_assert_eq!(out.map_err(|_| ()), model);
            prop_assert_eq!(took, ms(delay.min(outer).min(inner_limit)));
            prop_assert!(dropped.get());
            Ok(())
        });
    }
}
