//! TaskGroup against its model: children (and grandchildren spawned through a handle) sleep and
//! succeed or fail; the first failure cancels every sibling still running, siblings that finish
//! at the same instant still finish (and their failures are reported), and nothing outlives
//! `join`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use weft::testing::{self, VirtualRuntime};
use weft_core::group::TaskGroup;

use super::check;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[derive(Clone, Copy, Debug)]
struct Child {
    delay: u64,
    fails: bool,
    /// A grandchild this child spawns through the group's handle before it sleeps.
    grandchild: Option<(u64, bool)>,
}

fn children() -> impl Strategy<Value = Vec<Child>> {
    let grandchild = proptest::option::weighted(0.3, (0_u64..15, prop::bool::weighted(0.15)));
    vec(
        (0_u64..15, prop::bool::weighted(0.15), grandchild).prop_map(
            |(delay, fails, grandchild)| Child {
                delay,
                fails,
                grandchild,
            },
        ),
        0..8,
    )
}

/// What the test saw: per task (in spawn order) whether it finished its sleep, and how many of
/// its futures are still alive.
#[derive(Default)]
struct Seen {
    finished: Vec<(usize, u64)>,
    alive: usize,
}

type Shared = Arc<Mutex<Seen>>;

struct Alive(Shared);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.lock().unwrap().alive -= 1;
    }
}

fn alive(seen: &Shared) -> Alive {
    seen.lock().unwrap().alive += 1;
    Alive(seen.clone())
}

/// A task's body: sleep, note that it finished, then succeed or fail with its own id.
async fn task(seen: Shared, id: usize, delay: u64, fails: bool) -> Result<usize, usize> {
    let _alive = alive(&seen);
    testing::sleep(ms(delay)).await;
    seen.lock().unwrap().finished.push((id, delay));
    if fails { Err(id) } else { Ok(id) }
}

reliability! {
    async fn a_task_group_joins_everything_and_cancels_siblings_at_the_first_failure() {
        check("TaskGroup", children(), |children| {
            let seen: Shared = Arc::default();
            let (out, took, alive_at_join, spawned_ids) = testing::run(async {
                let start = testing::now();
                let group = TaskGroup::<VirtualRuntime, usize, usize>::new();
                let handle = group.handle();
                // Grandchildren get ids from 100 on, in the order their spawns are accepted.
                let next_grandchild = Arc::new(AtomicUsize::new(100));
                let spawned_ids = Arc::new(Mutex::new(Vec::new()));
                for (id, child) in children.iter().copied().enumerate() {
                    let (seen, handle) = (seen.clone(), handle.clone());
                    let (next_grandchild, spawned_ids2) = (next_grandchild.clone(), spawned_ids.clone());
                    assert!(group.spawn(async move {
                        if let Some((delay, fails)) = child.grandchild {
                            let gid = next_grandchild.load(Ordering::SeqCst);
                            if handle.spawn(task(seen.clone(), gid, delay, fails)) {
                                next_grandchild.fetch_add(1, Ordering::SeqCst);
                                spawned_ids2.lock().unwrap().push(gid);
                            }
                        }
                        task(seen, id, child.delay, child.fails).await
                    }));
                    spawned_ids.lock().unwrap().push(id);
                }
                let out = group.join().await;
                let took = testing::now() - start;
                let spawned = spawned_ids.lock().unwrap().clone();
                let alive = seen.lock().unwrap().alive;
                (out, took, alive, spawned)
            });
            prop_assert_eq!(alive_at_join, 0, "nothing outlives join");

            // The model: every accepted task runs from t = 0. A grandchild's spawn is refused
            // once the group is failing: that is, if a child polled before its parent failed at
            // t = 0 (children are first polled in spawn order).
            let mut tasks: Vec<(usize, u64, bool)> =
                children.iter().enumerate().map(|(id, c)| (id, c.delay, c.fails)).collect();
            let mut gid = 100;
            for (i, child) in children.iter().enumerate() {
                let failed_before = children[..i].iter().any(|c| c.fails && c.delay == 0);
                if let (Some((delay, fails)), false) = (child.grandchild, failed_before) {
                    tasks.push((gid, delay, fails));
                    gid += 1;
                }
            }
            // Spawn order is the index order of the group's outputs and failures.
            let order: Vec<usize> = spawned_ids;
            let mut model_ids: Vec<usize> = tasks.iter().map(|t| t.0).collect();
            let mut got_ids = order.clone();
            model_ids.sort_unstable();
            got_ids.sort_unstable();
            prop_assert_eq!(&got_ids, &model_ids, "the accepted spawns");
            let by_id = |id: usize| *tasks.iter().find(|t| t.0 == id).expect("a task");

            let first_failure = tasks.iter().filter(|t| t.2).map(|t| t.1).min();
            let mut finished: Vec<usize> = seen.lock().unwrap().finished.iter().map(|f| f.0).collect();
            finished.sort_unstable();
            match first_failure {
                None => {
                    let max = tasks.iter().map(|t| t.1).max().unwrap_or(0);
                    prop_assert_eq!(took, ms(max));
                    // Outputs in spawn order: children first (spawned by the test at once),
                    // then grandchildren in the order they were accepted.
                    let mut model = order.clone();
                    model.sort_by_key(|&id| (id >= 100, id));
                    prop_assert_eq!(out.expect("no failure"), model);
                    prop_assert_eq!(finished, model_ids);
                }
                Some(at) => {
                    prop_assert_eq!(took, ms(at), "join returns at the first failure");
                    let error = out.expect_err("a failure");
                    let mut failed: Vec<usize> = error.errors().map(|(_, id)| *id).collect();
                    failed.sort_unstable();
                    let model_failed: Vec<usize> =
                        model_ids.iter().copied().filter(|&id| { let t = by_id(id); t.2 && t.1 == at }).collect();
                    prop_assert_eq!(failed, model_failed, "failures at the same instant are all reported");
                    prop_assert_eq!(error.panics().count(), 0);
                    let model_finished: Vec<usize> =
                        model_ids.iter().copied().filter(|&id| by_id(id).1 <= at).collect();
                    prop_assert_eq!(finished, model_finished, "later siblings were cancelled");
                }
            }
            Ok(())
        });
    }
}
