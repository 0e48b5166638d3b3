//! `update`: the one place the store changes. It decides; the loop carries out the
//! [`Effect`]s it returns. What a key means on one screen is that screen's business
//! (`ui::screens`); what is the same everywhere (moving, filtering, sorting, the page
//! stack, the command line) is here.

use super::act;
use super::action::{Action, Effect, Input};
use crate::domain::fetch::{Fetch, Scope};
use crate::domain::kube::KubeKind;
use crate::store::Store;
use crate::store::table::SortSpec;
use crate::store::ui::{Dialog, Mode, Page, Route, Step};
use crate::store::{Follow, Watch};
use crate::ui::commands::{self, Cmd};
use crate::ui::keymap::Command;
use crate::ui::screen::{From, Go, Screen};
use crate::ui::screens;

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
        Action::SessionEnded { request, result } => {
            let (word, message) = match &result {
                Ok(how) => ("ended", how.clone()),
                Err(why) => ("failed", why.clone()),
            };
            match result {
                Ok(how) => store
                    .ui
                    .info(format!("{} {} ended ({how})", request.verb(), request.describe())),
                Err(why) => store
                    .ui
                    .error(format!("{} {}: {why}", request.verb(), request.target.label())),
            }
            record_session(
                store,
                &request.target,
                request.verb(),
                &request.describe(),
                word,
                &message,
            );
            effects.push(Effect::Render);
        }
        Action::Forward(event) => {
            forward_event(store, event);
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
                // On the forwards, X stops one: a local listener, nothing remote changes.
                _ if command == Command::StopTask && store.ui.route().is(screens::forwards::ID) => {
                    let chosen = screens::forwards::selected(store).filter(|f| f.failed.is_none());
                    match chosen.map(|f| (f.id, f.ports.local)) {
                        Some((id, local)) => {
                            store.ui.info(format!("forward of local port {local} stopped"));
                            forward_event(store, crate::domain::session::ForwardEvent::Ended { id, failed: None });
                            effects.push(Effect::StopForward(id));
                        }
                        None => store.ui.info("select a running forward to stop"),
                    }
                }
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
    super::act::open_pending_stop(store);
    super::act::open_pending_instance(store);
    screens::current(store).sync(store);
    let scope = scope(store);
    if scope != store.ui.scope {
        store.ui.scope = scope.clone();
        effects.push(Effect::SetScope(scope));
    }
    effects
}

/// A session that ended (or a forward that started or stopped), for the timeline as the
/// audit log has it.
fn record_session(
    store: &mut Store,
    target: &crate::domain::session::Target,
    verb: &str,
    what: &str,
    result: &str,
    message: &str,
) {
    let sender = store.sender(target.cluster());
    store.record_action(crate::domain::op::ActionRecord {
        at: store.now,
        identity: sender.identity,
        account: sender.account,
        action: verb.to_string(),
        target: what.to_string(),
        cluster: Some(target.cluster().to_string()),
        service: None,
        result: result.to_string(),
        message: message.to_string(),
    });
}

/// A forward started, moved bytes or stopped: its row in `:forwards`.
fn forward_event(store: &mut Store, event: crate::domain::session::ForwardEvent) {
    use crate::domain::session::ForwardEvent;
    let mut rows = store.forwards.items().to_vec();
    match event {
        // Stopped before it said it listens: it stays stopped.
        ForwardEvent::Started(forward) if rows.iter().any(|f| f.id == forward.id && f.failed.is_some()) => {}
        ForwardEvent::Started(forward) => {
            store.ui.info(format!(
                "forwarding 127.0.0.1:{} → {} {} (:forwards)",
                forward.ports.local,
                forward.target.label(),
                forward.ports.remote_label()
            ));
            let what = crate::domain::session::describe_forward(&forward.target, &forward.ports);
            record_session(store, &forward.target, "forward", &what, "started", "");
            match rows.iter_mut().find(|f| f.id == forward.id) {
                Some(row) => *row = *forward,
                None => rows.push(*forward),
            }
        }
        ForwardEvent::Traffic {
            id,
            sent,
            received,
            connections,
        } => {
            if let Some(row) = rows.iter_mut().find(|f| f.id == id) {
                // A connection got an answer: the last problem is over.
                if received > row.received {
                    row.problem = None;
                }
                row.sent = sent;
                row.received = received;
                row.connections = connections;
            }
        }
        ForwardEvent::Problem { id, message } => {
            if let Some(row) = rows.iter_mut().find(|f| f.id == id) {
                row.problem = Some(message);
            }
        }
        ForwardEvent::Ended { id, failed } => {
            if let Some(row) = rows.iter_mut().find(|f| f.id == id) {
                let what = crate::domain::session::describe_forward(&row.target, &row.ports);
                let (result, message) = match &failed {
                    Some(why) => ("failed", why.as_str()),
                    None => ("ended", "stopped"),
                };
                let target = row.target.clone();
                record_session(store, &target, "forward", &what, result, message);
                row.listening = false;
                if let Some(why) = &failed {
                    store
                        .ui
                        .error(format!("forward of local port {}: {why}", row.ports.local));
                }
                row.failed = failed.or_else(|| Some("stopped".into()));
            }
        }
    }
    store.forwards.replace(rows, store.now);
}

/// The fetches the current screen shows, and what an open dialog or a followed action
/// needs: these refresh at the fast rate.
pub fn scope(store: &Store) -> Scope {
    let page = store.ui.page();
    let mut fetches = screens::get(page.route.screen).scope(store, page);
    if let Some(Dialog {
        step: Step::Pick {
            family,
            account,
            region,
            ..
        },
        ..
    }) = &store.ui.dialog
    {
        fetches.push(Fetch::Revisions {
            account: account.clone(),
            region: region.clone(),
            family: family.clone(),
        });
    }
    if let Some(p) = &store.ui.pending_instance {
        fetches.push(Fetch::ContainerInstances {
            cluster: p.cluster.clone(),
        });
    }
    if let Some(p) = &store.ui.pending_stop {
        fetches.push(Fetch::Task {
            cluster: p.cluster.clone(),
            task: p.task.clone(),
        });
    }
    match &store.ops.follow {
        Some(Follow {
            what: Watch::Workload { cluster, .. },
            ..
        }) => {
            fetches.push(Fetch::kube(cluster, KubeKind::Workloads));
            fetches.push(Fetch::kube(cluster, KubeKind::Pods));
        }
        Some(Follow {
            what: Watch::AppRunner { service, .. },
            ..
        }) => fetches.push(Fetch::AppRunnerService {
            service: service.clone(),
        }),
        Some(follow) => {
            let cluster = follow.what.cluster();
            fetches.extend([
                Fetch::services(cluster),
                Fetch::running(cluster),
                Fetch::stopped(cluster),
            ]);
            if matches!(follow.what, Watch::Instance { .. }) {
                fetches.push(Fetch::instances(cluster));
            }
        }
        None => {}
    }
    Scope::of(fetches)
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
    let screen = screens::current(store);
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
        Command::CopyArn => copy_arn(store, effects),
        Command::CopyUrl => copy_url(store, effects),
        Command::CopyReport => copy_report(store, effects),
        Command::Open => match screen.open(store) {
            Ok(Some(to)) => go(store, to),
            Ok(None) => {}
            Err(message) => store.ui.info(message),
        },
        Command::Up | Command::Down | Command::PageUp | Command::PageDown | Command::Top | Command::Bottom
            if screen.scrolls() =>
        {
            let delta = match command {
                Command::Up => -1,
                Command::Down => 1,
                Command::PageUp => -20,
                Command::PageDown => 20,
                Command::Top => -(i64::MAX / 4),
                _ => i64::MAX / 4,
            };
            scroll(store, delta);
            if command == Command::Bottom && screen.follows() {
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
        Command::Shell => act::session::exec(store, &[], effects),
        Command::Forward => act::session::forward(store, &[], effects),
        // On the raw resource, `o` again pages it.
        Command::Raw if store.ui.route().is(screens::raw::ID) => match screens::raw::text(store) {
            Some(text) => effects.push(Effect::Page(text)),
            None => store.ui.info("nothing to page yet: the resource is being read"),
        },
        // Keys that open a screen from what the user is on: `m` metrics, `l` logs, ...
        _ if screens::ALL.iter().any(|s| s.opened_by() == Some(command)) => {
            let target = screens::ALL
                .iter()
                .find(|s| s.opened_by() == Some(command))
                .expect("checked");
            match target.command(store, command.name(), &[]) {
                Ok(to) => go(store, to),
                Err(message) => store.ui.error(message),
            }
        }
        // Keys only some screens answer.
        _ if screen.key(store, command) => {}
        // `t` where there is no other list to switch to: the stopped tasks of where the user is.
        Command::ToggleStopped => {
            if let Ok(to) = screens::tasks::Tasks.command(store, "stopped", &[]) {
                go(store, to);
            }
        }
        _ => store.ui.info(format!("`{}` does nothing here", command.name())),
    }
}

/// Open pages as `to` says. Coming back, the cursor is on what was opened.
pub fn go(store: &mut Store, to: Go) {
    match to.from {
        From::Here => store.ui.page_mut().table_mut().touched = true,
        From::Replace => {
            store.ui.stack.pop();
        }
        From::Root => store.ui.stack.to_root(),
    }
    for route in to.routes {
        push(store, route);
    }
    let page = store.ui.page_mut();
    page.alternate = to.alternate;
    if let Some(filter) = to.filter {
        set_filter(store, &filter);
    }
}

fn push(store: &mut Store, route: Route) {
    let panes = screens::get(route.screen).panes();
    let mut page = Page::new(route, panes);
    for pane in &mut page.panes {
        pane.sort = store.settings.default_sort();
    }
    store.ui.stack.push(page);
}

fn back(store: &mut Store) {
    let ui = &mut store.ui;
    if !ui.page().table().filter.is_empty() {
        let table = ui.page_mut().table_mut();
        table.filter.clear();
        table.invalidate();
    } else {
        ui.stack.pop();
    }
}

fn move_cursor(store: &mut Store, delta: i64) {
    let table = store.ui.page_mut().table_mut();
    table.touched = true;
    let last = table.rows.len().saturating_sub(1) as i64;
    table.cursor = (table.cursor as i64 + delta).clamp(0, last.max(0)) as usize;
}

/// Move through a text screen; in a log, moving up pauses following.
pub fn scroll(store: &mut Store, delta: i64) {
    let follows = screens::current(store).follows();
    let page = store.ui.page_mut();
    if follows && page.following {
        if delta >= 0 {
            return;
        }
        page.following = false;
        // Start from the bottom: the screen clamps a large offset to the last page.
        page.scroll = usize::MAX / 2;
    }
    page.scroll = (page.scroll as i64 + delta).clamp(0, i64::MAX / 4) as usize;
}

/// Move the sort to the next (or previous) shown column; past the last, back to the
/// data's natural order.
fn cycle_sort(store: &mut Store, step: i64) {
    let (columns, hidden) = screens::current(store).columns(store, store.ui.page());
    let shown: Vec<usize> = (0..columns.len()).filter(|c| !hidden.contains(c)).collect();
    let default = store.settings.default_sort();
    let table = store.ui.page_mut().table_mut();
    let position = table.sort.and_then(|s| shown.iter().position(|&c| c == s.column));
    // Positions 0..n are columns; n is the order the list opens in (worst first, or as
    // listed).
    let n = shown.len() as i64;
    let current = position.map_or(n, |p| p as i64);
    let next = (current + step).rem_euclid(n + 1);
    table.sort = if next < n {
        Some(SortSpec {
            column: shown[next as usize],
            descending: false,
        })
    } else {
        default
    };
    table.invalidate();
}

fn set_filter(store: &mut Store, text: &str) {
    let table = store.ui.page_mut().table_mut();
    if table.filter != text {
        table.filter = text.to_string();
        table.invalidate();
    }
}

/// `y`: copy the selection's ARN or ID.
fn copy_arn(store: &mut Store, effects: &mut Vec<Effect>) {
    match screens::selection(store).copy {
        Some(text) => {
            store.ui.info(format!("copied {text}"));
            effects.push(Effect::Copy(text));
        }
        None => store.ui.info("nothing selected to copy"),
    }
}

/// `Y`: copy the report of what the user is on, as Markdown: the timeline on a timeline;
/// the ECS service's (on a page about one) or cluster's incident report; elsewhere the
/// timeline of what is selected. Drawn from what the store holds, as on screen.
fn copy_report(store: &mut Store, effects: &mut Vec<Effect>) {
    use crate::ui::screen::Screen as _;
    use crate::ui::screens::timeline;
    let now = store.now;
    let route = store.ui.route().clone();
    let report = |store: &Store, route: &Route| {
        let about = timeline::about(route);
        let crumbs = timeline::TimelineScreen.crumbs(store, route);
        let title = crumbs[..crumbs.len().saturating_sub(1)].join(" › ");
        (
            title.clone(),
            crate::ui::report::timeline(store, &about, &title, timeline::window(route), now),
        )
    };
    let selection = screens::selection(store);
    let cluster = selection.ecs_cluster().and_then(|arn| store.cluster(arn)).cloned();
    let (what, text) = match cluster {
        Some(cluster) if !route.is(timeline::ID) => {
            let service = route.service.as_deref().map(crate::util::arn_tail);
            let what = service.map_or_else(|| cluster.name.clone(), |s| format!("{s} in {}", cluster.name));
            match crate::ui::report::cluster(store, &cluster, service, crate::domain::timeline::DEFAULT_SINCE, now) {
                Ok(text) => (what, text),
                Err(error) => return store.ui.info(format!("no report: {error}")),
            }
        }
        _ if route.is(timeline::ID) => report(store, &route),
        _ => report(store, &timeline::route_for(store)),
    };
    store.ui.info(format!(
        "copied the report of {what} ({} lines of Markdown)",
        text.lines().count()
    ));
    effects.push(Effect::Copy(text));
}

/// `u`: show the console URL of the selection (else of what the page is about) in the
/// status line, and copy it.
fn copy_url(store: &mut Store, effects: &mut Vec<Effect>) {
    let selection = screens::selection(store);
    let cluster = selection.cluster.as_deref();
    let url = selection
        .console
        .iter()
        .find_map(|arn| crate::util::console::url(arn, cluster));
    match url {
        Some(url) => {
            // The URL first: on a narrow terminal what is cut is the note, not the path.
            store.ui.info(format!("{url} (copied)"));
            effects.push(Effect::Copy(url));
        }
        None => store.ui.info("no AWS console page for this"),
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
                && let Some(done) = commands::complete(&store.ui.input.text.clone(), store)
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
                let text = commands::expand(&ui.input.text, &store.settings.aliases);
                match commands::parse(&text) {
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

/// `:account NAME`: the fleet of one account (by name or id), back at the fleet's root;
/// `:account`: all of them.
fn narrow_to_account(store: &mut Store, name: Option<String>) {
    let name = match name {
        None => None,
        Some(name) => match store
            .context
            .accounts
            .iter()
            .find(|a| a.name == name || a.id.as_deref() == Some(&name))
        {
            Some(account) => Some(account.name.clone()),
            None => {
                let known: Vec<&str> = store.context.accounts.iter().map(|a| a.name.as_str()).collect();
                store
                    .ui
                    .error(format!("no account `{name}` in this fleet: {}", known.join(", ")));
                return;
            }
        },
    };
    store.ui.info(match &name {
        Some(account) => format!("account {account} only (:account for all)"),
        None => "all accounts".to_string(),
    });
    store.account_scope = name;
    go(store, Go::root(Vec::new()));
    store.ui.page_mut().table_mut().rebase();
}

/// Carry out a `:` command.
fn execute(store: &mut Store, cmd: Cmd, effects: &mut Vec<Effect>) {
    match cmd {
        Cmd::Quit => effects.push(Effect::Quit),
        Cmd::Help => {
            store.ui.mode = Mode::Help;
            store.ui.help_offset = 0;
        }
        Cmd::Kind { word, args } => {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let to = match screens::resources::inside_eks(store) {
                Some(cluster) => screens::resources::open_kind(store, &cluster, &word, &args),
                None => Err(commands::unknown(&word)),
            };
            match to {
                Ok(to) => go(store, to),
                Err(message) => store.ui.error(message),
            }
        }
        Cmd::Screen { screen, name, args } => {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // Inside an EKS cluster names follow Kubernetes: `:svc` is a Service there (the
            // only ECS screen whose names are also a kind's).
            if screen == screens::services::ID
                && name == "svc"
                && let Some(cluster) = screens::resources::inside_eks(store)
            {
                match screens::resources::open_kind(store, &cluster, "services", &args) {
                    Ok(to) => go(store, to),
                    Err(message) => store.ui.error(message),
                }
                return;
            }
            match screens::get(screen).command(store, name, &args) {
                Ok(to) => go(store, to),
                Err(message) => store.ui.error(message),
            }
        }
        Cmd::Act(action) => act::command(store, action),
        Cmd::Exec(words) => {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            act::session::exec(store, &words, effects);
        }
        Cmd::Forward(words) => {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            act::session::forward(store, &words, effects);
        }
        Cmd::Account(name) => narrow_to_account(store, name),
        Cmd::Namespace(ns) => {
            store.ui.info(match &ns {
                Some(ns) => format!("namespace {ns} only (:ns for all)"),
                None => "all namespaces".to_string(),
            });
            store.namespace = ns;
            for page in store.ui.stack.iter_mut() {
                for pane in &mut page.panes {
                    pane.rebase();
                }
            }
        }
    }
}

/// `--cluster NAME`: open the cluster's screen as soon as the cluster lists say which
/// cluster that is, or say it is not there once every region has answered.
fn open_pending_cluster(store: &mut Store) {
    let Some(name) = store.ui.pending_cluster.clone() else {
        return;
    };
    let found = store
        .all_clusters()
        .find(|c| c.name == name || c.arn == name)
        .map(|c| Route::new(screens::services::ID).cluster(&c.arn))
        .or_else(|| {
            store
                .find_eks(&name)
                .map(|c| Route::new(screens::eks::ID).cluster(&c.arn))
        });
    if let Some(route) = found {
        store.ui.pending_cluster = None;
        if store.ui.stack.len() == 1 {
            push(store, route);
        }
        return;
    }
    let loaded = |c: Option<bool>| c.unwrap_or(false);
    let answered = store.places().all(|p| {
        loaded(store.ecs.get(&p).map(|c| c.is_loaded() || c.error.is_some()))
            && loaded(store.eks.get(&p).map(|c| c.is_loaded() || c.error.is_some()))
    });
    if answered {
        store.ui.pending_cluster = None;
        store.ui.error(format!(
            "no ECS or EKS cluster named `{name}` in {}",
            store.context.regions.join(", ")
        ));
    }
}
