//! A set of resources of one kind from one fetch, keyed by ARN, with when it was fetched
//! and its last error.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::domain::{FetchError, Keyed};

/// The last good data of one resource set, plus how fresh it is and what went wrong since.
#[derive(Debug, Clone)]
pub struct Collection<T> {
    items: Vec<T>,
    index: HashMap<String, usize>,
    /// When the data was last fetched successfully.
    pub fetched_at: Option<Timestamp>,
    /// The error of the last fetch, if it failed; the items are the last good data.
    pub error: Option<FetchError>,
    /// Bumped whenever the items change, so views know when to recompute.
    pub version: u64,
    /// The hash of the items, when the fetch came with one.
    digest: Option<u64>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            items: Vec::new(),
            index: HashMap::new(),
            fetched_at: None,
            error: None,
            version: 0,
            digest: None,
        }
    }
}

/// Free a large set of items on a thread of its own: freeing 100,000 tasks' strings takes
/// tens of milliseconds that the app loop has better uses for.
fn drop_later<T: Send + 'static>(items: Vec<T>) {
    use std::sync::mpsc::{Sender, channel};
    use std::sync::{Mutex, OnceLock};
    type Garbage = Box<dyn Send>;
    static DROPPER: OnceLock<Mutex<Sender<Garbage>>> = OnceLock::new();
    if items.len() < 10_000 {
        return;
    }
    let sender = DROPPER.get_or_init(|| {
        let (tx, rx) = channel::<Garbage>();
        let spawned = std::thread::Builder::new()
            .name("drop".into())
            .spawn(move || rx.into_iter().for_each(drop));
        if spawned.is_err() {
            tracing::warn!("no thread to free memory on: freeing on the app loop");
        }
        Mutex::new(tx)
    });
    let garbage: Garbage = Box::new(items);
    // Without the thread, the send fails and the items are freed here, as before.
    let _ = sender.lock().map(|tx| tx.send(garbage));
}

impl<T: Keyed + PartialEq + Send + 'static> Collection<T> {
    /// Replace the items with a fresh fetch. Returns whether anything visible changed: the
    /// items, or an error that is now cleared.
    pub fn replace(&mut self, items: Vec<T>, at: Timestamp) -> bool {
        self.replace_hashed(items, at, None)
    }

    /// [`Collection::replace`] with the hash of the items, made off the app loop: an
    /// unchanged refresh is then found by comparing two numbers, not every item.
    pub fn replace_hashed(&mut self, items: Vec<T>, at: Timestamp, digest: Option<u64>) -> bool {
        let was_error = self.error.take().is_some();
        let first = self.fetched_at.is_none();
        self.fetched_at = Some(at);
        let same = match (digest, self.digest) {
            (Some(new), Some(old)) => new == old && items.len() == self.items.len(),
            _ => items == self.items,
        };
        self.digest = digest;
        if !first && same {
            drop_later(items);
            return was_error;
        }
        if self.reindex_in_place(&items) {
            drop_later(std::mem::replace(&mut self.items, items));
            self.version += 1;
            return true;
        }
        // Most keys survive a refresh: move them to their new places rather than build
        // (and allocate) the whole index again.
        self.index.reserve(items.len().saturating_sub(self.index.len()));
        for (i, item) in items.iter().enumerate() {
            match self.index.get_mut(item.key()) {
                Some(at) => *at = i,
                None => {
                    self.index.insert(item.key().to_string(), i);
                }
            }
        }
        if self.index.len() != items.len() {
            // The keys that went: each still points where its item used to be.
            self.index
                .retain(|key, &mut i| items.get(i).is_some_and(|item| item.key() == key));
        }
        drop_later(std::mem::replace(&mut self.items, items));
        self.version += 1;
        true
    }

    /// Where a refresh keeps (nearly) every item in its place, as refreshes mostly do:
    /// change the index only where the keys differ. Returns whether it did.
    fn reindex_in_place(&mut self, items: &[T]) -> bool {
        if items.len() != self.items.len() || self.index.len() != self.items.len() {
            return false;
        }
        let moved: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].key() != self.items[i].key())
            .collect();
        if moved.len() > items.len() / 8 {
            return false;
        }
        for &i in &moved {
            self.index.remove(self.items[i].key());
        }
        for &i in &moved {
            self.index.insert(items[i].key().to_string(), i);
        }
        true
    }

    /// Change items in place; `f` says whether it changed one. Bumps the version if any did.
    pub fn modify(&mut self, mut f: impl FnMut(&mut T) -> bool) -> bool {
        let mut changed = false;
        for item in &mut self.items {
            changed |= f(item);
        }
        if changed {
            self.version += 1;
        }
        changed
    }

    /// Record a failed fetch; the items stay as they were.
    pub fn fail(&mut self, error: FetchError) -> bool {
        let changed = self.error.as_ref() != Some(&error);
        self.error = Some(error);
        changed
    }
}

impl<T: Keyed> Collection<T> {
    pub fn items(&self) -> &[T] {
        &self.items
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.index.get(key).map(|&i| &self.items[i])
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T> Collection<T> {
    /// True once a fetch has succeeded.
    pub fn is_loaded(&self) -> bool {
        self.fetched_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ErrorKind;

    #[derive(Debug, Clone, PartialEq)]
    struct Item(&'static str, u32);
    impl Keyed for Item {
        fn key(&self) -> &str {
            self.0
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).unwrap()
    }

    #[test]
    fn replace_bumps_version_only_on_change() {
        let mut c = Collection::default();
        assert!(c.replace(vec![Item("a", 1)], at(0)));
        assert_eq!(c.version, 1);
        assert!(!c.replace(vec![Item("a", 1)], at(5)));
        assert_eq!(c.version, 1);
        assert_eq!(c.fetched_at, Some(at(5)));
        assert!(c.replace(vec![Item("a", 2), Item("b", 1)], at(10)));
        assert_eq!(c.version, 2);
        assert_eq!(c.get("b"), Some(&Item("b", 1)));
    }

    #[test]
    fn the_index_follows_items_that_move_come_and_go() {
        let mut c = Collection::default();
        c.replace(vec![Item("a", 1), Item("b", 1), Item("c", 1)], at(0));
        c.replace(vec![Item("d", 1), Item("c", 2), Item("a", 1)], at(5));
        assert_eq!(c.get("a"), Some(&Item("a", 1)));
        assert_eq!(c.get("c"), Some(&Item("c", 2)));
        assert_eq!(c.get("d"), Some(&Item("d", 1)));
        assert_eq!(c.get("b"), None);
        assert_eq!(c.index.len(), 3);
        // In place: one key swapped for another, two swapped with each other.
        c.replace(vec![Item("e", 1), Item("a", 2), Item("c", 2)], at(7));
        assert_eq!(c.get("d"), None);
        assert_eq!(
            (c.get("e"), c.get("a"), c.get("c")),
            (Some(&Item("e", 1)), Some(&Item("a", 2)), Some(&Item("c", 2)))
        );
        c.replace(vec![Item("e", 1), Item("c", 2), Item("a", 2)], at(8));
        assert_eq!(
            (c.get("c"), c.get("a"), c.index.len()),
            (Some(&Item("c", 2)), Some(&Item("a", 2)), 3)
        );
        c.replace(vec![Item("c", 3)], at(10));
        assert_eq!(c.get("c"), Some(&Item("c", 3)));
        assert_eq!((c.get("a"), c.get("d"), c.index.len()), (None, None, 1));
    }

    #[test]
    fn a_refresh_that_keeps_most_places_fixes_the_index_where_keys_differ() {
        let names: Vec<&'static str> = (0..40).map(|i| &*format!("k{i}").leak()).collect();
        let mut c = Collection::default();
        c.replace(names.iter().map(|n| Item(n, 1)).collect(), at(0));
        let mut next: Vec<Item> = names.iter().map(|n| Item(n, 1)).collect();
        next[0] = Item("new", 1);
        next.swap(5, 6);
        next[9].1 = 2;
        assert!(c.replace(next, at(5)));
        assert_eq!(c.index.len(), 40);
        assert_eq!(c.get("k0"), None);
        assert_eq!(c.get("new"), Some(&Item("new", 1)));
        assert_eq!(c.get("k5"), Some(&c.items()[6]));
        assert_eq!(c.get("k6"), Some(&c.items()[5]));
        assert_eq!(c.get("k9"), Some(&Item("k9", 2)));
        for (i, item) in c.items().iter().enumerate() {
            assert_eq!(c.index[item.0], i);
        }
    }

    #[test]
    fn an_error_keeps_the_last_good_data() {
        let mut c = Collection::default();
        c.replace(vec![Item("a", 1)], at(0));
        let err = FetchError::new(ErrorKind::Network, "connection refused");
        assert!(c.fail(err.clone()));
        assert!(!c.fail(err));
        assert_eq!(c.items(), &[Item("a", 1)]);
        assert_eq!(c.fetched_at, Some(at(0)));
        // Recovery clears the error and counts as a change even when the data is the same.
        assert!(c.replace(vec![Item("a", 1)], at(20)));
        assert!(c.error.is_none());
    }
}
