//! What a screen reads of a set of rows, whichever way the store keeps it: a
//! [`Collection`] replaced by each fetch, or a [`KubeSet`] kept up to date by a watch's
//! changes; and when one value read whole was read ([`Read`]).

use std::sync::Arc;

use jiff::Timestamp;

use super::Collection;
use super::kube::{KubeSet, Shown};
use crate::domain::{FetchError, Keyed};

/// One value read whole (a [`super::insight::Slot`], a [`super::kube::Fetched`]): when it
/// was last read, and the error of the last read if it failed.
pub trait Read {
    fn read_at(&self) -> Option<Timestamp>;
    fn read_error(&self) -> Option<&FetchError>;
}

impl<T> Read for super::insight::Slot<T> {
    fn read_at(&self) -> Option<Timestamp> {
        self.fetched_at
    }
    fn read_error(&self) -> Option<&FetchError> {
        self.error.as_ref()
    }
}

impl Read for super::insight::LogBuffer {
    fn read_at(&self) -> Option<Timestamp> {
        self.fetched_at
    }
    fn read_error(&self) -> Option<&FetchError> {
        self.error.as_ref()
    }
}

impl<T> Read for super::kube::Fetched<T> {
    fn read_at(&self) -> Option<Timestamp> {
        self.fetched_at
    }
    fn read_error(&self) -> Option<&FetchError> {
        self.error.as_ref()
    }
}

pub trait Rows {
    type Item;

    fn items(&self) -> &[Self::Item];
    /// When the rows were last read successfully.
    fn fetched_at(&self) -> Option<Timestamp>;
    /// The error of the last read, if it failed; the rows are the last good ones.
    fn error(&self) -> Option<&FetchError>;
    /// Bumped whenever the rows change.
    fn version(&self) -> u64;
    /// While a first list is arriving: how many rows have arrived.
    fn listing(&self) -> Option<usize> {
        None
    }

    fn is_loaded(&self) -> bool {
        self.fetched_at().is_some()
    }
}

impl<T: Keyed + PartialEq + Send + 'static> Rows for Collection<T> {
    type Item = T;

    fn items(&self) -> &[T] {
        Collection::items(self)
    }
    fn fetched_at(&self) -> Option<Timestamp> {
        self.fetched_at
    }
    fn error(&self) -> Option<&FetchError> {
        self.error.as_ref()
    }
    fn version(&self) -> u64 {
        self.version
    }
}

impl<T: Keyed + Shown + PartialEq> Rows for KubeSet<T> {
    type Item = Arc<T>;

    fn items(&self) -> &[Arc<T>] {
        KubeSet::items(self)
    }
    fn fetched_at(&self) -> Option<Timestamp> {
        self.fetched_at
    }
    fn error(&self) -> Option<&FetchError> {
        self.error.as_ref()
    }
    fn version(&self) -> u64 {
        self.version
    }
    fn listing(&self) -> Option<usize> {
        self.listing
    }
}
