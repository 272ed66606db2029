//! The lending machinery behind a pool: the line of waiters, slot handoff, and leases that
//! give a slot back whatever happens to the acquire holding it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use event_listener::Event;

use super::error::PoolError;
use super::guard::Guard;
use super::handle::Status;
use super::manager::Manager;

/// A handoff to a waiter: an object, or the right to create one (`None`).
type Slot<O> = Option<O>;

/// What every handle and guard of one pool shares.
pub(super) struct Shared<M: Manager> {
    manager: M,
    max_size: usize,
    state: Mutex<State<M::Object>>,
    /// Notified when the last object of a closed pool is destroyed.
    emptied: Event,
}

struct State<O> {
    idle: VecDeque<O>,
    /// Objects alive plus objects being created; never above `max_size`.
    size: usize,
    /// Acquirers in line, oldest first. A waiter that gave up has closed its channel.
    waiters: VecDeque<async_channel::Sender<Slot<O>>>,
    closed: bool,
}

impl<M: Manager> Shared<M> {
    pub(super) fn new(manager: M, max_size: usize, idle: VecDeque<M::Object>) -> Arc<Self> {
        Arc::new(Shared {
            manager,
            max_size,
            state: Mutex::new(State {
                size: idle.len(),
                idle,
                waiters: VecDeque::new(),
                closed: false,
            }),
            emptied: Event::new(),
        })
    }

    pub(super) fn status(&self) -> Status {
        let state = self.state();
        Status {
            size: state.size,
            idle: state.idle.len(),
            in_use: state.size - state.idle.len(),
            waiting: state.waiters.iter().filter(|w| !w.is_closed()).count(),
            max: self.max_size,
            closed: state.closed,
        }
    }

    /// Closes at once, then waits until every object is destroyed.
    pub(super) async fn close(&self) {
        let (idle, waiters) = {
            let mut state = self.state();
            state.closed = true;
            state.size -= state.idle.len();
            (
                std::mem::take(&mut state.idle),
                std::mem::take(&mut state.waiters),
            )
        };
        // Dropping the senders wakes every waiter with `Closed`.
        drop(waiters);
        for object in idle {
            self.manager.destroy(object);
        }
        loop {
            if self.state().size == 0 {
                return;
            }
            let listener = self.emptied.listen();
            if self.state().size == 0 {
                return;
            }
            listener.await;
        }
    }

    fn state(&self) -> MutexGuard<'_, State<M::Object>> {
        // Nothing user-written runs under this lock, but never let a poisoned lock wedge a pool.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) async fn acquire(self: Arc<Self>) -> Result<Guard<M>, PoolError<M::Error>> {
        let mut lease = self.clone().take_slot().await?;
        if let Some(object) = lease.object.as_mut() {
            if self.manager.check(object).await.is_ok() {
                return self.hand_out(lease);
            }
            // Broken: destroy it and make a replacement in the same slot.
            if let Some(broken) = lease.object.take() {
                self.manager.destroy(broken);
            }
        }
        match self.manager.create().await {
            Ok(object) => {
                lease.object = Some(object);
                self.hand_out(lease)
            }
            // Dropping the lease frees the slot for the next in line.
            Err(err) => Err(PoolError::Create(err)),
        }
    }

    /// Waits for an idle object or for room to create one, in line behind earlier waiters.
    async fn take_slot(self: Arc<Self>) -> Result<Lease<M>, PoolError<M::Error>> {
        let receiver = {
            let mut state = self.state();
            if state.closed {
                return Err(PoolError::Closed);
            }
            state.waiters.retain(|w| !w.is_closed());
            if state.waiters.is_empty() {
                if let Some(object) = state.idle.pop_front() {
                    drop(state);
                    return Ok(Lease::new(self, Some(object)));
                }
                if state.size < self.max_size {
                    state.size += 1;
                    drop(state);
                    return Ok(Lease::new(self, None));
                }
            }
            let (sender, receiver) = async_channel::bounded(1);
            state.waiters.push_back(sender);
            receiver
        };
        let waiting = Waiting {
            shared: &self,
            receiver,
        };
        match waiting.receiver.recv().await {
            Ok(slot) => Ok(Lease::new(self.clone(), slot)),
            // The pool dropped our sender: it was closed.
            Err(_) => Err(PoolError::Closed),
        }
    }

    fn hand_out(self: &Arc<Self>, mut lease: Lease<M>) -> Result<Guard<M>, PoolError<M::Error>> {
        if self.state().closed {
            // Closed while we created or checked: the lease destroys the object.
            return Err(PoolError::Closed);
        }
        let object = lease.object.take();
        lease.armed = false;
        Ok(Guard::new(self.clone(), object))
    }

    /// Gives a slot back: to the oldest waiter still waiting, else to the idle list (an object)
    /// or to the free room (no object). In a closed pool the object is destroyed.
    pub(super) fn release(&self, slot: Slot<M::Object>) {
        let mut slot = slot;
        let mut state = self.state();
        if !state.closed {
            while let Some(waiter) = state.waiters.pop_front() {
                match waiter.try_send(slot) {
                    Ok(()) => return,
                    // That waiter gave up: try the next one.
                    Err(err) => slot = err.into_inner(),
                }
            }
            match slot {
                Some(object) => state.idle.push_back(object),
                None => state.size -= 1,
            }
            return;
        }
        state.size -= 1;
        let emptied = state.size == 0;
        drop(state);
        if let Some(object) = slot {
            self.manager.destroy(object);
        }
        if emptied {
            self.emptied.notify(usize::MAX);
        }
    }

    /// Destroys an object and frees its slot.
    pub(super) fn discard(&self, object: M::Object) {
        self.manager.destroy(object);
        self.release(None);
    }
}

/// A place in line; if dropped after a slot was handed to it, gives that slot back.
struct Waiting<'a, M: Manager> {
    shared: &'a Shared<M>,
    receiver: async_channel::Receiver<Slot<M::Object>>,
}

impl<M: Manager> Drop for Waiting<'_, M> {
    fn drop(&mut self) {
        // Closed first, so no slot can arrive after the look below. A slot may already be
        // buffered even if the pool closed the channel (by dropping its sender) meanwhile.
        self.receiver.close();
        if let Ok(slot) = self.receiver.try_recv() {
            self.shared.release(slot);
        }
    }
}

/// A slot held by an acquire in progress; given back if the acquire fails or is dropped.
struct Lease<M: Manager> {
    shared: Arc<Shared<M>>,
    object: Slot<M::Object>,
    armed: bool,
}

impl<M: Manager> Lease<M> {
    fn new(shared: Arc<Shared<M>>, object: Slot<M::Object>) -> Self {
        Lease {
            shared,
            object,
            armed: true,
        }
    }
}

impl<M: Manager> Drop for Lease<M> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.release(self.object.take());
        }
    }
}
