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
    /// There is one leader per key and generation (a miss at the same generation waits), so
    /// this also tells a leader replaced by a newer generation's that the entry is no longer
    /// its own.
    generation: Generation,
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
    generation: Generation,
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
        let mut in_progress = self.lock();
        if let Some(flight) = in_progress.get(key) {
            // A computation started at an older generation would not be kept: lead a new one.
            if flight.generation == generation {
                return Flight::Waiter(Waiting(flight.done.clone()));
            }
        }
        let (sender, done) = watch::channel(());
        in_progress.insert(key.into(), InProgress { generation, done });
        Flight::Leader(Leading {
            flights: self,
            key: key.into(),
            generation,
            _done: sender,
        })
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let mut in_progress = self.flights.lock();
        if in_progress
            .get(&self.key)
            .is_some_and(|f| f.generation == self.generation)
        {
            in_progress.remove(&self.key);
        }
        // `_done` is dropped after this body: the waiters wake with the entry already gone.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn lead<'a>(flights: &'a Flights, key: &str, generation: u64) -> Leading<'a> {
        match flights.join(key, Generation(generation)) {
            Flight::Leader(leading) => leading,
            Flight::Waiter(_) => panic!("{key} at {generation} should lead"),
        }
    }

    fn wait(flights: &Flights, key: &str, generation: u64) -> Waiting {
        match flights.join(key, Generation(generation)) {
            Flight::Waiter(waiting) => waiting,
            Flight::Leader(_) => panic!("{key} at {generation} should wait"),
        }
    }

    #[tokio::test]
    async fn the_second_miss_of_a_key_waits_for_the_first() {
        let flights = Flights::default();
        let leader = lead(&flights, "k", 1);
        let waiter = wait(&flights, "k", 1);
        drop(lead(&flights, "other", 1));
        let waited = tokio::spawn(waiter.done());
        tokio::task::yield_now().await;
        assert!(!waited.is_finished(), "woke before the leader was done");
        drop(leader);
        tokio::time::timeout(Duration::from_secs(5), waited)
            .await
            .expect("the waiter woke")
            .unwrap();
        assert!(flights.is_empty());
    }

    #[tokio::test]
    async fn a_newer_generation_leads_its_own_computation() {
        let flights = Flights::default();
        let old = lead(&flights, "k", 1);
        let new = lead(&flights, "k", 2);
        drop(old);
        // The old leader's end leaves the new computation in place.
        drop(wait(&flights, "k", 2));
        drop(new);
        assert!(flights.is_empty());
    }

    #[tokio::test]
    async fn a_waiter_joining_after_the_end_does_not_wait() {
        let flights = Flights::default();
        let leader = lead(&flights, "k", 1);
        let waiter = wait(&flights, "k", 1);
        drop(leader);
        tokio::time::timeout(Duration::from_secs(5), waiter.done())
            .await
            .expect("an ended computation is not waited for");
    }
}
