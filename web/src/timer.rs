//! Timers: a heap of deadlines in Rust, one `setTimeout` armed for the earliest.
//!
//! A `setTimeout` and a JS closure per timer would cost microseconds each; most timers (timeouts
//! around calls that finish in time) are dropped before they fire, so here arming one is a heap
//! push and dropping it is a map removal.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use js_sys::Function;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use weft_core::Instant;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, millis: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

struct Driver {
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
    wakers: HashMap<u64, Waker>,
    next_id: u64,
    armed: Option<(Instant, JsValue)>,
    on_fire: Closure<dyn FnMut()>,
}

thread_local! {
    static DRIVER: RefCell<Driver> = RefCell::new(Driver {
        deadlines: BinaryHeap::new(),
        wakers: HashMap::new(),
        next_id: 0,
        armed: None,
        on_fire: Closure::new(fire),
    });
}

impl Driver {
    /// Makes sure a `setTimeout` will fire no later than `deadline`.
    fn arm(&mut self, deadline: Instant) {
        if let Some((armed_for, handle)) = &self.armed {
            if *armed_for <= deadline {
                return;
            }
            clear_timeout(handle);
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        // Round up: setTimeout counts whole milliseconds and must not fire before the deadline.
        let millis = (wait.as_secs_f64() * 1000.0).ceil().min(i32::MAX as f64);
        let handle = set_timeout(self.on_fire.as_ref().unchecked_ref(), millis);
        self.armed = Some((deadline, handle));
    }

    /// Re-arms for the earliest deadline that still has a waiting timer.
    fn rearm(&mut self) {
        while let Some(Reverse((deadline, id))) = self.deadlines.peek().copied() {
            if self.wakers.contains_key(&id) {
                self.arm(deadline);
                return;
            }
            self.deadlines.pop();
        }
    }
}

fn fire() {
    let now = Instant::now();
    let due: Vec<Waker> = DRIVER.with(|driver| {
        let mut driver = driver.borrow_mut();
        driver.armed = None;
        let mut due = Vec::new();
        while let Some(Reverse((deadline, id))) = driver.deadlines.peek().copied() {
            if deadline > now {
                break;
            }
            driver.deadlines.pop();
            if let Some(waker) = driver.wakers.remove(&id) {
                due.push(waker);
            }
        }
        driver.rearm();
        due
    });
    // Wake outside the borrow: a woken task may arm a new timer at once.
    for waker in due {
        waker.wake();
    }
}

/// The future of `weft::sleep` in the browser: completes at its deadline, never earlier.
///
/// A deadline past the clock's range never fires. Dropping the future cancels the timer.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Option<Instant>,
    id: Option<u64>,
}

impl Sleep {
    /// A timer that fires once `duration` has passed.
    pub fn after(duration: Duration) -> Self {
        Sleep {
            deadline: Instant::now().checked_add(duration),
            id: None,
        }
    }

    /// A timer that fires at `deadline`.
    pub fn at(deadline: Instant) -> Self {
        Sleep {
            deadline: Some(deadline),
            id: None,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.deadline else {
            return Poll::Pending;
        };
        if Instant::now() >= deadline {
            if let Some(id) = self.id.take() {
                DRIVER.with(|driver| driver.borrow_mut().wakers.remove(&id));
            }
            return Poll::Ready(());
        }
        let id = self.id;
        let id = DRIVER.with(|driver| {
            let mut driver = driver.borrow_mut();
            match id {
                Some(id) => {
                    match driver.wakers.get_mut(&id) {
                        Some(waker) if waker.will_wake(cx.waker()) => {}
                        Some(waker) => waker.clone_from(cx.waker()),
                        // Fired early by a coarse clock: wait again for the rest.
                        None => {
                            driver.wakers.insert(id, cx.waker().clone());
                            driver.deadlines.push(Reverse((deadline, id)));
                            driver.arm(deadline);
                        }
                    }
                    id
                }
                None => {
                    crate::install_panic_hook();
                    let id = driver.next_id;
                    driver.next_id += 1;
                    driver.wakers.insert(id, cx.waker().clone());
                    driver.deadlines.push(Reverse((deadline, id)));
                    driver.arm(deadline);
                    id
                }
            }
        });
        self.id = Some(id);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            // The heap entry goes stale and is skipped when it reaches the top.
            let _ = DRIVER.try_with(|driver| {
                let mut driver = driver.borrow_mut();
                driver.wakers.remove(&id);
                // Most timers are dropped unfired (timeouts around calls that finish in time):
                // compact the heap before stale entries outnumber live ones by far.
                if driver.deadlines.len() > 1024 && driver.deadlines.len() > 4 * driver.wakers.len()
                {
                    let Driver {
                        deadlines, wakers, ..
                    } = &mut *driver;
                    deadlines.retain(|Reverse((_, id))| wakers.contains_key(id));
                }
            });
        }
    }
}
