//! `update`: the one place the store changes. It decides; the loop carries out the
//! [`Effect`]s it returns.

use super::action::{Action, Effect, Input};
use super::command::{self, Cmd};
use super::{act, inspect, views};
use crate::config::keymap::Command;
use crate::store::Store;
use crate::store::ui::{Mode, Page, Route, SortSpec};

pub fn update(store: &mut Store, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        Action::Data(event) => {
            if store.apply(event) {
                act::settle_pick(store);
                act::check_follow(store);
                effects.push(Effect::Render);
            }
        }
        Action::OpDone(outcome) => {
            act::outcome(store, outcome, &mut effects);
            effects.push(Effect::Render);
        }
        Action::Tick(now) => {
            store.now = now;
            store.rebuild_fleet();
            effects.push(Effect::Render);
        }
        Action::Resize => effects.push(Effect::Render),
        Action::Calls(n) => {
            store.calls_per_minute = Some(n);
            effects.push(Effect::Render);
        }
        Action::Command(command) => {
            store.ui.message = None;
            match store.ui.mode {
                Mode::Help => help_command(store, command),
                _ if command.mutates() => act::begin(store, command),
                _ => run_command(store, command, &mut effects),
            }
            effects.push(Effect::Render);
        }
        Action::Mouse(mouse) => {
            store.ui.message = None;
            super::mouse::handle(store, mouse);
            effects.push(Effect::Render);
        }
        Action::Input(input) => {
            if store.ui.mode == Mode::Dialog {
                act::input(store, input, &mut effects);
            } else {
                edit(store, input, &mut effects);
            }
            effects.push(Effect::Render);
        }
    }
    open_pending_cluster(store);
    views::sync(store);
    let scope = views::scope(store);
    if scope != store.ui.scope {
        store.ui.scope = scope.clone();
        effects.push(Effect::SetScope(scope));
    }
    effects
}

fn help_command(store: &mut Store, command: Command) {
    let ui = &mut store.ui;
    match command {
        Command::Down => ui.help_offset += 1,
        Command::Up => ui.help_offset = ui.help_offset.saturating_sub(1),
        Command::PageDown => ui.help_offset += 10,
        Command::PageUp => ui.help_offset = ui.help_offset.saturating_sub(10),
        Command::Top => ui.help_offset = 0,
        Command::Back | Command::Help | Command::Quit | Command::Open => ui.mode = Mode::Normal,
        _ => {}
    }
}

fn run_command(store: &mut Store, command: Command, effects: &mut Vec<Effect>) {
    match command {
        Command::Quit => effects.push(Effect::Quit),
        Command::Help => {
            store.ui.mode = Mode::Help;
            store.ui.help_offset = 0;
        }
        Command::CommandLine => {
            store.ui.mode = Mode::Command;
            store.ui.input.set("");
        }
        Command::Filter => {
            store.ui.mode = Mode::Filter;
            let current = store.ui.page().table().filter.clone();
            store.ui.input.set(&current);
        }
        Command::Refresh => {
            effects.push(Effect::Refresh);
            store.ui.info("refreshing…");
        }
        Command::Back => back(store),
        Command::CopyArn => super::copy::copy_arn(store, effects),
        Command::CopyUrl => super::copy::copy_url(store, effects),
        Command::Open => match views::open(store) {
            Ok(Some((route, filter))) => {
                // Coming back, the cursor is on what was opened.
                store.ui.page_mut().table_mut().touched = true;
                push(store, route);
                if let Some(filter) = filter {
                    set_filter(store, &filter);
                }
            }
            Ok(None) => {}
            Err(message) => store.ui.info(message),
        },
        Command::Up | Command::Down | Command::PageUp | Command::PageDown | Command::Top | Command::Bottom
            if views::is_text(store.ui.route()) =>
        {
            let delta = match command {
                Command::Up => -1,
                Command::Down => 1,
                Command::PageUp => -20,
                Command::PageDown => 20,
                Command::Top => -(i64::MAX / 4),
                _ => i64::MAX / 4,
            };
            inspect::scroll(store, delta);
            if command == Command::Bottom
                && let Route::Logs { .. } = store.ui.route()
            {
                store.ui.page_mut().following = true;
            }
        }
        Command::Up => move_cursor(store, -1),
        Command::Down => move_cursor(store, 1),
        Command::PageUp => {
            let page = store.ui.page().table().height.get().max(1) as i64;
            move_cursor(store, -page);
        }
        Command::PageDown => {
            let page = store.ui.page().table().height.get().max(1) as i64;
            move_cursor(store, page);
        }
        Command::Top => {
            let table = store.ui.page_mut().table_mut();
            table.cursor = 0;
            table.touched = true;
        }
        Command::Bottom => {
            let table = store.ui.page_mut().table_mut();
            table.cursor = table.rows.len().saturating_sub(1);
            table.touched = true;
        }
        Command::SortNext => cycle_sort(store, 1),
        Command::SortPrev => cycle_sort(store, -1),
        Command::SortInvert => {
            let table = store.ui.page_mut().table_mut();
            match &mut table.sort {
                Some(sort) => sort.descending = !sort.descending,
                None => {
                    table.sort = Some(SortSpec {
                        column: 0,
                        descending: true,
                    })
                }
            }
            table.invalidate();
        }
        Command::NextPane | Command::PrevPane => {
            let page = store.ui.page_mut();
            let n = page.panes.len();
            page.focus = if command == Command::NextPane {
                (page.focus + 1) % n
            } else {
                (page.focus + n - 1) % n
            };
        }
        Command::Metrics
        | Command::Autoscaling
        | Command::Targets
        | Command::TaskDefinition
        | Command::Logs
        | Command::Images => inspect::open(store, command),
        Command::Window1h
        | Command::Window3h
        | Command::Window24h
        | Command::Window7d
        | Command::Pause
        | Command::Reveal
        | Command::Compare => inspect::view_key(store, command),
        // Actions go through `act::begin` before this match.
        Command::Scale
        | Command::Redeploy
        | Command::Rollback
        | Command::Revision
        | Command::StopTask
        | Command::RunTask
        | Command::Drain
        | Command::ScalingLimits => act::begin(store, command),
        Command::ToggleStopped => {
            let page = store.ui.page_mut();
            if let Route::PodLogs { previous, .. } = &mut page.route {
                *previous = !*previous;
                page.following = true;
                page.scroll = 0;
            } else if let Route::Tasks { .. } = page.route {
                page.show_stopped = !page.show_stopped;
                let table = page.table_mut();
                table.cursor = 0;
                table.selected = None;
                table.invalidate();
            } else if let Some(cluster) = command::current_cluster(store) {
                let service = service_name(store);
                push(store, Route::Tasks { cluster, service });
                store.ui.page_mut().show_stopped = true;
            }
        }
    }
}

/// The name of the service the current page is about, if any.
fn service_name(store: &Store) -> Option<String> {
    match store.ui.route() {
        Route::Service { cluster, service } => store.service(cluster, service).map(|s| s.name.clone()),
        Route::Tasks { service, .. } => service.clone(),
        _ => None,
    }
}

fn push(store: &mut Store, route: Route) {
    store.ui.stack.push(Page::new(route));
}

fn back(store: &mut Store) {
    let ui = &mut store.ui;
    if !ui.page().table().filter.is_empty() {
        let table = ui.page_mut().table_mut();
        table.filter.clear();
        table.invalidate();
    } else if ui.stack.len() > 1 {
        ui.stack.pop();
    }
}

fn move_cursor(store: &mut Store, delta: i64) {
    let table = store.ui.page_mut().table_mut();
    table.touched = true;
    let last = table.rows.len().saturating_sub(1) as i64;
    table.cursor = (table.cursor as i64 + delta).clamp(0, last.max(0)) as usize;
}

/// Move the sort to the next (or previous) shown column; past the last, back to the
/// data's natural order.
fn cycle_sort(store: &mut Store, step: i64) {
    let (columns, hidden) = views::columns(store);
    let shown: Vec<usize> = (0..columns.len()).filter(|c| !hidden.contains(c)).collect();
    let table = store.ui.page_mut().table_mut();
    let position = table.sort.and_then(|s| shown.iter().position(|&c| c == s.column));
    // Positions 0..n are columns; n is "natural order".
    let n = shown.len() as i64;
    let current = position.map_or(n, |p| p as i64);
    let next = (current + step).rem_euclid(n + 1);
    table.sort = (next < n).then(|| SortSpec {
        column: shown[next as usize],
        descending: false,
    });
    table.invalidate();
}

fn set_filter(store: &mut Store, text: &str) {
    let table = store.ui.page_mut().table_mut();
    if table.filter != text {
        table.filter = text.to_string();
        table.invalidate();
    }
}

fn edit(store: &mut Store, input: Input, effects: &mut Vec<Effect>) {
    let mode = store.ui.mode;
    let ui = &mut store.ui;
    match input {
        Input::Char(c) => ui.input.insert(c),
        Input::Backspace => {
            if !ui.input.backspace() && ui.input.text.is_empty() && mode == Mode::Command {
                ui.mode = Mode::Normal;
            }
        }
        Input::DeleteWord => ui.input.delete_word(),
        Input::Left => ui.input.left(),
        Input::Right => ui.input.right(),
        Input::Up | Input::Down => {}
        Input::Complete => {
            if mode == Mode::Command
                && let Some(done) = command::complete(&store.ui.input.text.clone(), store)
            {
                store.ui.input.set(&done);
            }
        }
        Input::Cancel => {
            ui.mode = Mode::Normal;
            if mode == Mode::Filter {
                set_filter(store, "");
            }
            return;
        }
        Input::Submit => {
            ui.mode = Mode::Normal;
            if mode == Mode::Command {
                let text = command::expand(&ui.input.text, &store.settings.aliases);
                match command::parse(&text) {
                    Ok(cmd) => execute(store, cmd, effects),
                    Err(message) => store.ui.error(message),
                }
            }
            return;
        }
    }
    if mode == Mode::Filter {
        let text = store.ui.input.text.clone();
        set_filter(store, &text);
    }
}

/// Carry out a `:` command.
fn execute(store: &mut Store, cmd: Cmd, effects: &mut Vec<Effect>) {
    match cmd {
        Cmd::Quit => effects.push(Effect::Quit),
        Cmd::Help => {
            store.ui.mode = Mode::Help;
            store.ui.help_offset = 0;
        }
        Cmd::Fleet => store.ui.stack.truncate(1),
        Cmd::Cluster(name) => match find_cluster(store, &name) {
            Ok(arn) => {
                store.ui.stack.truncate(1);
                push(store, Route::Services { cluster: arn });
            }
            Err(message) => store.ui.error(message),
        },
        Cmd::Services(name) => {
            let Some(cluster) = command::current_cluster(store) else {
                store.ui.error("no cluster here: pick one in :fleet, or :cluster NAME");
                return;
            };
            let service = match name {
                None => None,
                Some(name) => match find_service(store, &cluster, &name) {
                    Ok(arn) => Some(arn),
                    Err(message) => {
                        store.ui.error(message);
                        return;
                    }
                },
            };
            store.ui.stack.truncate(1);
            push(
                store,
                Route::Services {
                    cluster: cluster.clone(),
                },
            );
            if let Some(service) = service {
                push(store, Route::Service { cluster, service });
            }
        }
        Cmd::Act(action) => act::command(store, action),
        Cmd::Eks(name) => {
            let cluster = match name {
                Some(name) => store.find_eks(&name).map(|c| c.arn.clone()).ok_or_else(|| {
                    let known: Vec<String> = store.all_eks().map(|c| c.name.clone()).collect();
                    format!("no EKS cluster {name} (known: {})", known.join(", "))
                }),
                None => command::current_eks(store)
                    .ok_or_else(|| "which EKS cluster? :eks NAME, or select one in :fleet".to_string()),
            };
            match cluster {
                Ok(cluster) => {
                    store.ui.stack.truncate(1);
                    push(store, Route::Eks { cluster });
                }
                Err(message) => store.ui.error(message),
            }
        }
        Cmd::Kube(kind) => {
            let Some(cluster) = command::current_eks(store) else {
                store
                    .ui
                    .error("which EKS cluster? open one first (:eks NAME, or enter on it in :fleet)");
                return;
            };
            if !matches!(store.ui.route(), Route::Eks { .. }) {
                store.ui.stack.truncate(1);
                push(
                    store,
                    Route::Eks {
                        cluster: cluster.clone(),
                    },
                );
            }
            push(store, Route::Kube { cluster, kind });
        }
        Cmd::Namespace(ns) => {
            store.ui.info(match &ns {
                Some(ns) => format!("namespace {ns} only (:ns for all)"),
                None => "all namespaces".to_string(),
            });
            store.namespace = ns;
            for page in &mut store.ui.stack {
                for pane in &mut page.panes {
                    pane.invalidate();
                }
            }
        }
        Cmd::Inspect(command) => inspect::open(store, command),
        Cmd::Repositories => {
            let region = command::current_cluster(store)
                .and_then(|c| crate::util::arn_region(&c).map(str::to_string))
                .or_else(|| store.context.regions.first().cloned());
            match region {
                Some(region) => push(store, Route::Repositories { region }),
                None => store.ui.error("no region to list repositories in"),
            }
        }
        Cmd::Schedules => match command::current_cluster(store) {
            Some(cluster) => push(store, Route::Schedules { cluster }),
            None => store.ui.error("no cluster here: pick one in :fleet, or :cluster NAME"),
        },
        Cmd::Instances => {
            let Some(cluster) = command::current_cluster(store) else {
                store.ui.error("no cluster here: pick one in :fleet, or :cluster NAME");
                return;
            };
            store.ui.stack.truncate(1);
            push(
                store,
                Route::Services {
                    cluster: cluster.clone(),
                },
            );
            push(store, Route::Instances { cluster });
        }
        Cmd::Tasks { stopped } => {
            let Some(cluster) = command::current_cluster(store) else {
                store.ui.error("no cluster here: pick one in :fleet, or :cluster NAME");
                return;
            };
            let service = service_name(store);
            if let Route::Tasks { .. } = store.ui.route() {
                store.ui.stack.pop();
            }
            push(store, Route::Tasks { cluster, service });
            store.ui.page_mut().show_stopped = stopped;
        }
    }
}

/// `--cluster NAME`: open the cluster's services as soon as the cluster lists say which
/// cluster that is, or say it is not there once every region has answered.
fn open_pending_cluster(store: &mut Store) {
    let Some(name) = store.ui.pending_cluster.clone() else {
        return;
    };
    let found = store
        .all_clusters()
        .find(|c| c.name == name || c.arn == name)
        .map(|c| c.arn.clone());
    if let Some(arn) = found {
        store.ui.pending_cluster = None;
        if store.ui.stack.len() == 1 {
            push(store, Route::Services { cluster: arn });
        }
        return;
    }
    if let Some(eks) = store.find_eks(&name).map(|c| c.arn.clone()) {
        store.ui.pending_cluster = None;
        if store.ui.stack.len() == 1 {
            push(store, Route::Eks { cluster: eks });
        }
        return;
    }
    let loaded = |c: Option<bool>| c.unwrap_or(false);
    let answered = store.context.regions.iter().all(|r| {
        loaded(store.ecs.get(r).map(|c| c.is_loaded() || c.error.is_some()))
            && loaded(store.eks.get(r).map(|c| c.is_loaded() || c.error.is_some()))
    });
    if answered {
        store.ui.pending_cluster = None;
        store.ui.error(format!(
            "no ECS or EKS cluster named `{name}` in {}",
            store.context.regions.join(", ")
        ));
    }
}

/// A cluster by exact name, or by a prefix only one cluster has.
fn find_cluster(store: &Store, name: &str) -> Result<String, String> {
    let clusters: Vec<_> = store.all_clusters().collect();
    if let Some(c) = clusters.iter().find(|c| c.name == name || c.arn == name) {
        return Ok(c.arn.clone());
    }
    let prefixed: Vec<_> = clusters.iter().filter(|c| c.name.starts_with(name)).collect();
    match prefixed.as_slice() {
        [one] => Ok(one.arn.clone()),
        [] => Err(format!("no ECS cluster named `{name}`")),
        many => Err(format!(
            "`{name}` could be {}",
            many.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn find_service(store: &Store, cluster: &str, name: &str) -> Result<String, String> {
    let services = store
        .cluster_data(cluster)
        .map(|d| d.services.items())
        .unwrap_or_default();
    if let Some(s) = services.iter().find(|s| s.name == name || s.arn == name) {
        return Ok(s.arn.clone());
    }
    let prefixed: Vec<_> = services.iter().filter(|s| s.name.starts_with(name)).collect();
    match prefixed.as_slice() {
        [one] => Ok(one.arn.clone()),
        [] => Err(format!("no service `{name}` in {}", crate::util::arn_tail(cluster))),
        many => Err(format!(
            "`{name}` could be {}",
            many.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}
