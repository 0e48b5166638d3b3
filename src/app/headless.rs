//! The app without a terminal: load a store from a backend, for snapshots of the screen
//! (tests, screenshots) and the headless commands.

use crate::source::{Backend, load_fleet};
use crate::store::{Context, Store};

use super::{Action, update};

/// The context a backend implies, before any config.
pub fn context(backend: &dyn Backend, refresh_secs: u64, demo: bool) -> Context {
    Context {
        accounts: backend.accounts(),
        regions: backend.regions(),
        demo,
        read_only: false,
        refresh_secs,
        tz: jiff::tz::TimeZone::UTC,
    }
}

/// A store holding everything the fleet, services and tasks views show, fetched once.
pub async fn load(backend: &dyn Backend, context: Context) -> Store {
    let mut store = Store::new(context, backend.now());
    for event in load_fleet(backend, 8).await {
        update(&mut store, Action::Data(event));
    }
    store
}

/// Fetch what the current screen asks for (its scope), as the scheduler would.
pub async fn follow_scope(store: &mut Store, backend: &dyn Backend) {
    let fetches = store.ui.scope.0.iter().cloned().collect();
    for event in crate::source::fetch_all(backend, fetches, 8).await {
        update(store, Action::Data(event));
    }
}
