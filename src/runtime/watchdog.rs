//! The read timeout's clock: one thread for the process that wakes an attempt when its
//! deadline passes, instead of a runtime timer per attempt.
//!
//! A `tokio` timer makes the runtime wait for I/O with a timeout while it is armed — the
//! kernel arms and cancels a timer of its own at every wait — and costs a timer wheel
//! insertion and removal under the runtime's lock per attempt: together ≈ 1 point of the
//! per-request cost of a small call (BENCHMARKS.md). Here an attempt that has to wait
//! registers its deadline and waker in one table (a lock, a push) and takes them out when it
//! ends; the thread sleeps until the earliest deadline it knows of, and is woken only when
//! an earlier one is registered. When it finds nothing registered it still plans to wake a
//! shortest timeout (seen so far) later, so that a new deadline (now + a timeout) is not
//! earlier than its plan: a stream of requests — each registered and done before the thread
//! looks — never wakes it. After three such rounds without a registration it sleeps until
//! the next registration wakes it. It is started at the first registration and named
//! `uploadcare-read-timeout`.

// With the `cdn` feature alone no request is sent.
#![cfg_attr(not(api), allow(dead_code))]

use std::sync::{Mutex, MutexGuard, OnceLock};
use std::task::Waker;
use std::time::{Duration, Instant};

/// The registered attempts and what the thread plans.
struct Table {
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    /// When the thread wakes next (`None`: only when woken).
    planned: Option<Instant>,
    /// The shortest timeout registered so far.
    shortest: Option<Duration>,
    /// Registrations so far.
    registrations: u64,
}

struct Entry {
    deadline: Instant,
    waker: Waker,
}

struct Clock {
    table: Mutex<Table>,
    /// `None` when the thread could not be started: then no attempt is watched (logged).
    thread: Option<std::thread::Thread>,
}

/// The process's clock, its thread started at the first call.
fn clock() -> &'static Clock {
    static CLOCK: OnceLock<Clock> = OnceLock::new();
    CLOCK.get_or_init(|| {
        let thread = std::thread::Builder::new()
            .name("uploadcare-read-timeout".to_owned())
            .spawn(run);
        let thread = match thread {
            Ok(handle) => Some(handle.thread().clone()),
            Err(error) => {
                tracing::warn!(%error, "the read-timeout thread could not be started: requests have no read timeout");
                None
            }
        };
        Clock {
            table: Mutex::new(Table {
                entries: Vec::new(),
                free: Vec::new(),
                planned: None,
                shortest: None,
                registrations: 0,
            }),
            thread,
        }
    })
}

impl Clock {
    fn table(&self) -> MutexGuard<'_, Table> {
        // A panic while the lock was held cannot leave the table inconsistent (every change
        // is one assignment): keep using it.
        self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The thread: wakes the attempts whose deadline passed, sleeps until the next one.
fn run() {
    let clock = clock();
    let mut due = Vec::new();
    let mut idle = Idle::default();
    loop {
        let now = Instant::now();
        let next = {
            let mut table = clock.table();
            let mut earliest: Option<Instant> = None;
            for entry in table.entries.iter().flatten() {
                if entry.deadline <= now {
                    due.push(entry.waker.clone());
                } else {
                    earliest = Some(earliest.map_or(entry.deadline, |e| e.min(entry.deadline)));
                }
            }
            let next = idle.next_wake(earliest, now, table.shortest, table.registrations);
            table.planned = next;
            next
        };
        // Woken outside the lock; an attempt woken checks its deadline itself (and moves
        // it when bytes moved), so waking it again is harmless.
        for waker in due.drain(..) {
            waker.wake();
        }
        match next {
            Some(next) => std::thread::park_timeout(next.saturating_duration_since(now)),
            None => std::thread::park(),
        }
    }
}

/// What the thread knows of its rounds with nothing registered.
#[derive(Default)]
struct Idle {
    /// Rounds in a row with nothing registered and no new registration.
    rounds: u32,
    /// The table's registration count at the last round.
    registrations: u64,
}

impl Idle {
    /// When the thread wakes next: at the `earliest` deadline registered; with none, a
    /// `shortest` timeout from `now` while registrations keep coming (so that the next one,
    /// now + a timeout, is not earlier than the plan and need not wake the thread), and
    /// only when woken after [`IDLE_ROUNDS`] rounds without one.
    fn next_wake(
        &mut self,
        earliest: Option<Instant>,
        now: Instant,
        shortest: Option<Duration>,
        registrations: u64,
    ) -> Option<Instant> {
        if earliest.is_some() || registrations != self.registrations {
            self.rounds = 0;
        }
        self.registrations = registrations;
        if earliest.is_some() || self.rounds >= IDLE_ROUNDS {
            return earliest;
        }
        self.rounds += 1;
        shortest.map(|shortest| now + shortest)
    }
}

/// Rounds without a registration (a shortest timeout each) before the thread sleeps until
/// woken.
const IDLE_ROUNDS: u32 = 3;

/// One attempt's registration: its deadline and the waker to wake at it. Dropping it takes
/// the registration out.
pub(super) struct Watch {
    slot: usize,
    deadline: Instant,
    /// Which waker the table holds (its data and vtable addresses, as `Waker::will_wake`
    /// compares them; the table's clone keeps them valid): no second clone here.
    waker: (usize, usize),
}

/// What tells a waker from another (see [`Waker::will_wake`]).
fn identity(waker: &Waker) -> (usize, usize) {
    (waker.data() as usize, waker.vtable() as *const _ as usize)
}

impl Watch {
    /// Registers `waker` to be woken `timeout` from now (`None` when the clock's thread
    /// could not be started).
    pub(super) fn new(timeout: Duration, waker: &Waker) -> Option<Self> {
        let clock = clock();
        let thread = clock.thread.as_ref()?;
        let deadline = Instant::now() + timeout;
        let mut table = clock.table();
        if table.shortest.is_none_or(|shortest| timeout < shortest) {
            table.shortest = Some(timeout);
        }
        table.registrations += 1;
        let entry = Entry {
            deadline,
            waker: waker.clone(),
        };
        let slot = match table.free.pop() {
            Some(slot) => {
                table.entries[slot] = Some(entry);
                slot
            }
            None => {
                table.entries.push(Some(entry));
                table.entries.len() - 1
            }
        };
        let wake_thread = plan(&mut table, deadline);
        drop(table);
        if wake_thread {
            thread.unpark();
        }
        Some(Self {
            slot,
            deadline,
            waker: identity(waker),
        })
    }

    /// The deadline.
    pub(super) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Takes `waker` when the attempt is polled by another one than registered.
    pub(super) fn rewake(&mut self, waker: &Waker) {
        if self.waker != identity(waker) {
            self.update(self.deadline, waker);
        }
    }

    /// Moves the deadline, and the waker when the attempt is polled by another one.
    pub(super) fn update(&mut self, deadline: Instant, waker: &Waker) {
        let new_waker = self.waker != identity(waker);
        if deadline == self.deadline && !new_waker {
            return;
        }
        if new_waker {
            self.waker = identity(waker);
        }
        self.deadline = deadline;
        let clock = clock();
        let mut table = clock.table();
        if let Some(entry) = table.entries[self.slot].as_mut() {
            entry.deadline = deadline;
            if new_waker {
                entry.waker = waker.clone();
            }
        }
        let wake_thread = plan(&mut table, deadline);
        drop(table);
        if let (true, Some(thread)) = (wake_thread, &clock.thread) {
            thread.unpark();
        }
    }
}

/// Whether the thread must be woken to plan for `deadline` (earlier than it planned).
fn plan(table: &mut Table, deadline: Instant) -> bool {
    match table.planned {
        Some(planned) if planned <= deadline => false,
        _ => {
            table.planned = Some(deadline);
            true
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut table = clock().table();
        table.entries[self.slot] = None;
        table.free.push(self.slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Count(AtomicUsize);
    impl std::task::Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn woken(count: &Count, within: Duration) -> bool {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if count.0.load(Ordering::SeqCst) > 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        false
    }

    #[test]
    fn an_attempt_is_woken_at_its_deadline_and_not_before_nor_after_it_ends() {
        // A late deadline first, so the thread plans for it; then an earlier one.
        let late = Arc::new(Count(AtomicUsize::new(0)));
        let late_watch = Watch::new(Duration::from_secs(3600), &Waker::from(late.clone())).unwrap();
        // Time for the thread to plan its sleep until the late deadline.
        std::thread::sleep(Duration::from_millis(50));
        let soon = Arc::new(Count(AtomicUsize::new(0)));
        let started = Instant::now();
        let soon_watch = Watch::new(Duration::from_millis(100), &Waker::from(soon.clone())).unwrap();
        assert!(woken(&soon, Duration::from_secs(5)), "woken at its deadline");
        assert!(started.elapsed() >= Duration::from_millis(100), "not before it");
        assert_eq!(late.0.load(Ordering::SeqCst), 0, "the late one sleeps on");

        // Moved, then taken out before its new deadline: not woken again.
        let mut soon_watch = soon_watch;
        soon.0.store(0, Ordering::SeqCst);
        soon_watch.update(
            Instant::now() + Duration::from_millis(50),
            &Waker::from(soon.clone()),
        );
        drop(soon_watch);
        assert!(
            !woken(&soon, Duration::from_millis(300)),
            "a finished attempt is not woken"
        );
        drop(late_watch);
    }

    #[test]
    fn with_nothing_registered_the_thread_plans_a_shortest_timeout_ahead_while_registrations_come() {
        let mut idle = Idle::default();
        let now = Instant::now();
        let minute = Some(Duration::from_secs(60));
        // A deadline registered: that is the plan.
        let deadline = now + Duration::from_secs(5);
        assert_eq!(idle.next_wake(Some(deadline), now, minute, 1), Some(deadline));
        // Nothing registered, registrations coming: a shortest timeout ahead, so a new
        // deadline (now + 60 s) is not earlier than the plan and does not wake the thread.
        for registrations in 2..10 {
            assert_eq!(
                idle.next_wake(None, now, minute, registrations),
                Some(now + Duration::from_secs(60))
            );
        }
        // Three rounds in all without a new registration (the last one counts): then only
        // when woken.
        for _ in 1..IDLE_ROUNDS {
            assert!(idle.next_wake(None, now, minute, 9).is_some());
        }
        assert_eq!(idle.next_wake(None, now, minute, 9), None);
        // A registration wakes it (the plan is `None`): planning ahead again.
        assert!(idle.next_wake(None, now, minute, 10).is_some());
    }
}
