//! One computation per key and generation: when several requests miss the same key at once
//! (typically right after a write emptied the cache, on a dashboard's most asked-for list),
//! the first computes the answer and the others wait for it and are answered from memory,
//! instead of every one of them running the same query.
//!
//! A waiter that finds no answer once the computation is over (it was not a plain 200, the
//! version moved meanwhile, it did not fit the budget, the leader's client went away) computes
//! its own answer without waiting again, so nobody waits more than one computation.

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::watch;

use super::Generation;

/// The computations in progress, by key.
#[derive(Debug, Default)]
pub struct Flights {
    in_progress: Mutex<HashMap<Box<str>, InProgress>>,
}

#[derive(Debug)]
struct InProgress {
    generation: Generation,
    /// Which leader this is, so that a leader replaced by a newer generation's does not remove
    /// its successor when it ends.
    id: u64,
    /// Ends (its sender is dropped) when the leader's computation is over, whatever the
    /// outcome.
    done: watch::Receiver<()>,
}

/// What [`Flights::join`] made of a miss.
#[derive(Debug)]
pub enum Flight<'a> {
    /// Nobody is computing this key at this generation: compute it, and hold this until the
    /// answer is stored (or not).
    Leader(Leading<'a>),
    /// Someone is: wait for [`Waiting::done`], then look the key up again.
    Waiter(Waiting),
}

/// A leader's claim on its key; dropping it (the answer stored, not kept, or the request
/// dropped) wakes the waiters.
#[derive(Debug)]
pub struct Leading<'a> {
    flights: &'a Flights,
    key: Box<str>,
    id: u64,
    _done: watch::Sender<()>,
}

/// A waiter's end of a computation in progress.
#[derive(Debug)]
pub struct Waiting(watch::Receiver<()>);

impl Waiting {
    /// Resolves when the leader's computation is over.
    pub async fn done(mut self) {
        // The leader never sends: `changed` returns (an error) once its sender is dropped.
        let _ = self.0.changed().await;
    }
}

impl Flights {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, InProgress>> {
        self.in_progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins the computation of `key` at `generation`, or leads it.
    pub fn join(&self, key: &str, generation: Generation) -> Flight<'_> {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut in_progress = self.lock();
        if let Some(flight) = in_progress.get(key) {
            // A computation started at an older generation would not be kept: lead a new one.
            if flight.generation == generation {
                return Flight::Waiter(Waiting(flight.done.clone()));
            }
        }
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (sender, done) = watch::channel(());
        in_progress.insert(
            key.into(),
            InProgress {
                generation,
                id,
                done,
            },
        );
        Flight::Leader(Leading {
            flights: self,
            key: key.into(),
            id,
            _done: sender,
        })
    }

    /// How many keys are being computed now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no key is being computed now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let mut in_progress = self.flights.lock();
        if in_progress.get(&self.key).is_some_and(|f| f.id == self.id) {
            in_progress.remove(&self.key);
        }
        // `_done` is dropped after this body: the waiters wake with the entry already gone.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_second_miss_of_a_key_waits_for_the_first() {
        let flights = Flights::default();
        let Flight::Leader(leader) = flights.join("k", Generation(1)) else {
            panic!("the first miss leads");
        };
        let Flight::Waiter(waiter) = flights.join("k", Generation(1)) else {
            panic!("the second waits");
        };
        assert!(matches!(
            flights.join("other", Generation(1)),
            Flight::Leader(_)
        ));
        let waited = tokio::spawn(waiter.done());
        tokio::task::yield_now().await;
        assert!(!waited.is_finished(), "woke before the leader was done");
        drop(leader);
        tokio::time::timeout(std::time::Duration::from_secs(5), waited)
            .await
            .expect("the waiter woke")
            .unwrap();
        assert!(flights.is_empty());
    }

    #[tokio::test]
    async fn a_newer_generation_leads_its_own_computation() {
        let flights = Flights::default();
        let Flight::Leader(old) = flights.join("k", Generation(1)) else {
            panic!("leads");
        };
        let Flight::Leader(new) = flights.join("k", Generation(2)) else {
            panic!("a newer generation does not wait for an outdated computation");
        };
        drop(old);
        // The old leader's end leaves the new computation in place.
        assert!(matches!(
            flights.join("k", Generation(2)),
            Flight::Waiter(_)
        ));
        drop(new);
        assert!(flights.is_empty());
    }

    #[tokio::test]
    async fn a_waiter_joining_after_the_end_does_not_wait() {
        let flights = Flights::default();
        let Flight::Leader(leader) = flights.join("k", Generation(1)) else {
            panic!("leads");
        };
        let Flight::Waiter(waiter) = flights.join("k", Generation(1)) else {
            panic!("waits");
        };
        drop(leader);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter.done())
            .await
            .expect("an ended computation is not waited for");
    }
}
