//! A set of resources of one kind from one fetch, keyed by ARN, with when it was fetched
//! and its last error.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use jiff::Timestamp;

use crate::domain::{FetchError, Keyed};

/// The last good data of one resource set, plus how fresh it is and what went wrong since.
#[derive(Debug)]
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
    /// The items' stamps, when there are enough items for work kept per item to matter.
    stamps: Option<Arc<Journal>>,
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
            stamps: None,
        }
    }
}

impl<T: Clone> Clone for Collection<T> {
    /// A copy has items of its own, so none of the stamps: those name where the items are.
    fn clone(&self) -> Self {
        Collection {
            items: self.items.clone(),
            index: self.index.clone(),
            fetched_at: self.fetched_at,
            error: self.error.clone(),
            version: self.version,
            digest: self.digest,
            stamps: None,
        }
    }
}

// ---- stamps: which items a refresh left as they were ------------------------------------

/// Collections this large stamp their items (see [`Stamps`]); below it, redoing work for
/// every item costs little.
pub const STAMPED: usize = 4_096;

/// Every stamp ever given, in order: a stamp is never given twice, and one given later is
/// larger.
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

/// The stamps of the items of every stamped collection alive, found by where its items are
/// (see [`stamps_of`]).
static JOURNALS: Mutex<Vec<Weak<Journal>>> = Mutex::new(Vec::new());

/// The stamps of one collection's items as they are now. Replaced (never changed) whenever
/// the items change, and owned by the collection alone, so that while it is alive the items
/// it describes are alive and where it says.
struct Journal {
    /// The address and length of the items.
    at: usize,
    len: usize,
    stamps: Arc<[u64]>,
    /// Held by whoever keeps work by these stamps: while someone does, a refresh compares
    /// the new items with the old ones to carry the stamps of those that did not change.
    held: Arc<()>,
}

/// A number for each item of a large collection, standing for the item as it is: an item a
/// refresh leaves equal keeps its stamp (wherever it moves); one that changed or is new gets
/// a stamp no item ever had, larger than every stamp given before. Work done for an item,
/// such as a table's search text, holds for as long as its stamp is there.
///
/// Holding a `Stamps` is what makes refreshes carry stamps over (they compare every item
/// with the one it replaces, which a refresh otherwise skips); without a holder each
/// refresh gives every item a new stamp.
#[derive(Clone)]
pub struct Stamps {
    stamps: Arc<[u64]>,
    _held: Arc<()>,
}

impl std::fmt::Debug for Stamps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stamps")
            .field("len", &self.stamps.len())
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for Stamps {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        &self.stamps
    }
}

/// The stamps of `rows`, if they are the items of a stamped collection. A table is handed
/// its rows alone, not what keeps them: this is how it finds their stamps.
pub fn stamps_of<T>(rows: &[T]) -> Option<Stamps> {
    if rows.len() < STAMPED || size_of::<T>() == 0 {
        return None;
    }
    let journals = JOURNALS.lock().unwrap_or_else(|e| e.into_inner());
    journals.iter().filter_map(Weak::upgrade).find_map(|journal| {
        (journal.at == rows.as_ptr() as usize && journal.len == rows.len()).then(|| Stamps {
            stamps: journal.stamps.clone(),
            _held: journal.held.clone(),
        })
    })
}

/// A run of `n` stamps no item has had.
fn new_stamps(n: usize) -> u64 {
    NEXT_STAMP.fetch_add(n as u64, Ordering::Relaxed)
}

impl Journal {
    fn held(&self) -> bool {
        Arc::strong_count(&self.held) > 1
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("len", &self.len)
            .field("held", &self.held())
            .finish_non_exhaustive()
    }
}

impl<T> Collection<T> {
    /// Describe the items as they are now with `stamps` (or new ones for every item), for
    /// tables to find. The journal of the items before must be gone already: it names where
    /// they were.
    fn restamp(&mut self, stamps: Option<Arc<[u64]>>, held: Option<Arc<()>>) {
        debug_assert!(self.stamps.is_none());
        if self.items.len() < STAMPED || size_of::<T>() == 0 {
            return;
        }
        let stamps = stamps.unwrap_or_else(|| {
            let first = new_stamps(self.items.len());
            (first..first + self.items.len() as u64).collect()
        });
        debug_assert_eq!(stamps.len(), self.items.len());
        let journal = Arc::new(Journal {
            at: self.items.as_ptr() as usize,
            len: self.items.len(),
            stamps,
            held: held.unwrap_or_default(),
        });
        let mut journals = JOURNALS.lock().unwrap_or_else(|e| e.into_inner());
        journals.retain(|j| j.strong_count() > 0);
        journals.push(Arc::downgrade(&journal));
        self.stamps = Some(journal);
    }

    /// Take the items' journal away, before they change: the stamps to start from if
    /// someone holds them, and the hold.
    fn unstamp(&mut self) -> (Option<Arc<[u64]>>, Option<Arc<()>>) {
        match self.stamps.take() {
            Some(journal) => (
                journal.held().then(|| journal.stamps.clone()),
                Some(journal.held.clone()),
            ),
            None => (None, None),
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
        let (stamps, held) = self.unstamp();
        let stamps = stamps.map(|old| self.carry(&old, &items));
        if self.reindex_in_place(&items) {
            drop_later(std::mem::replace(&mut self.items, items));
            self.restamp(stamps, held);
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
        self.restamp(stamps, held);
        self.version += 1;
        true
    }

    /// The stamps of `items`, about to replace the current items whose stamps are `old`: an
    /// item equal to the current one of its key keeps that one's stamp, the others get new
    /// ones. This compares every item, so it is done only while someone holds the stamps.
    fn carry(&self, old: &[u64], items: &[T]) -> Arc<[u64]> {
        let first = new_stamps(items.len());
        // Where the next item most likely is: refreshes keep most items in their order.
        let mut next = 0;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let was = match self.items.get(next) {
                    Some(current) if current.key() == item.key() => Some(next),
                    _ => self.index.get(item.key()).copied(),
                };
                match was {
                    Some(k) => {
                        next = k + 1;
                        if self.items[k] == *item {
                            old[k]
                        } else {
                            first + i as u64
                        }
                    }
                    None => first + i as u64,
                }
            })
            .collect()
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
        let track = self.stamps.as_ref().is_some_and(|j| j.held());
        let mut changed = Vec::new();
        let mut any = false;
        for (i, item) in self.items.iter_mut().enumerate() {
            if f(item) {
                any = true;
                if track {
                    changed.push(i);
                }
            }
        }
        if any {
            let (stamps, held) = self.unstamp();
            let stamps = stamps.map(|old| {
                let mut stamps = old.to_vec();
                let first = new_stamps(stamps.len());
                for i in changed {
                    stamps[i] = first + i as u64;
                }
                stamps.into()
            });
            self.restamp(stamps, held);
            self.version += 1;
        }
        any
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

    fn many(n: usize) -> Vec<Item> {
        (0..n).map(|i| Item(format!("k{i}").leak(), 1)).collect()
    }

    fn stamp_of(c: &Collection<Item>, stamps: &Stamps, key: &str) -> u64 {
        stamps[c.items().iter().position(|x| x.0 == key).unwrap()]
    }

    #[test]
    fn while_held_a_refresh_keeps_the_stamps_of_the_items_it_left_as_they_were() {
        let items = many(STAMPED + 10);
        let mut c = Collection::default();
        c.replace(items.clone(), at(0));
        assert_eq!(stamps_of(&c.items()[1..]).map(|s| s.len()), None, "only the whole set");
        let before = stamps_of(c.items()).expect("a large collection is stamped");
        let newest = before.iter().copied().max().unwrap();
        // One changed, one gone, one new at the front (all shift by one), one moved.
        let mut next = items.clone();
        next[5].1 = 2;
        next.remove(9);
        next.insert(0, Item("new", 1));
        let moved = next.remove(20);
        next.push(moved);
        assert!(c.replace(next, at(5)));
        let after = stamps_of(c.items()).unwrap();
        assert_eq!(after.len(), c.len());
        for item in c.items() {
            let old = items.iter().position(|x| x.0 == item.0).map(|k| before[k]);
            let now = stamp_of(&c, &after, item.0);
            match item.0 {
                "new" | "k5" => assert!(now > newest, "{} changed: a new stamp", item.0),
                _ => assert_eq!(Some(now), old, "{} kept its stamp", item.0),
            }
        }
        // Stamps are never given twice.
        let mut all = after.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), c.len());
        // Changed in place: only that item's stamp moves.
        c.modify(|x| {
            let hit = x.0 == "k7";
            x.1 += u32::from(hit);
            hit
        });
        let modified = stamps_of(c.items()).unwrap();
        for (i, item) in c.items().iter().enumerate() {
            assert_eq!(modified[i] == after[i], item.0 != "k7", "{}", item.0);
        }
        drop((before, after, modified));
        // Nobody holds them: a refresh gives every item a new stamp, without comparing.
        c.replace(many(STAMPED + 10), at(10));
        let k1 = stamp_of(&c, &stamps_of(c.items()).unwrap(), "k1");
        c.replace(many(STAMPED + 9), at(15));
        assert!(stamp_of(&c, &stamps_of(c.items()).unwrap(), "k1") > k1);
    }

    #[test]
    fn small_and_copied_collections_have_no_stamps() {
        let mut c = Collection::default();
        c.replace(many(STAMPED - 1), at(0));
        assert!(stamps_of(c.items()).is_none());
        c.replace(many(STAMPED), at(5));
        assert!(stamps_of(c.items()).is_some());
        let copy = c.clone();
        assert!(stamps_of(copy.items()).is_none());
        assert_eq!(copy.items(), c.items());
        drop(c);
        assert!(stamps_of(copy.items()).is_none());
    }
}
