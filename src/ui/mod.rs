//! Drawing: `render(&Store, ..)` paints the screen from the store and nothing else. No
//! I/O, no clock reads: the time is `store.now`.

pub mod colors;
pub mod dialog;
pub mod help;
pub mod table;
pub mod theme;
pub mod views;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::config::keymap::{Command, Keymap};
use crate::store::Store;
use crate::store::ui::{Level, Mode, Route};
use crate::util::{arn_tail, fmt_age};
use theme::Theme;

/// The smallest terminal bosun draws in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

/// Draw the whole screen.
pub fn render(frame: &mut Frame<'_>, store: &Store, theme: &Theme, keymap: &Keymap) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(buf, area, theme);
        return;
    }
    let [header_area, body, status_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    header(buf, header_area, store, theme);
    let page = store.ui.page();
    match &page.route {
        Route::Fleet => views::fleet::render(buf, body, store, page, theme),
        Route::Services { cluster } => views::services::render(buf, body, store, page, cluster, theme),
        Route::Service { cluster, service } => views::service::render(buf, body, store, page, cluster, service, theme),
        Route::Tasks { cluster, service } => {
            views::tasks::render(buf, body, store, page, cluster, service.as_deref(), theme)
        }
        Route::Task { cluster, task } => views::task::render(buf, body, store, page, cluster, task, theme),
        Route::Instances { cluster } => views::instances::render(buf, body, store, page, cluster, theme),
        Route::Metrics { cluster, service } => views::metrics::render(buf, body, store, page, cluster, service, theme),
        Route::Scaling { cluster, service } => views::scaling::render(buf, body, store, page, cluster, service, theme),
        Route::Targets { cluster, service } => views::targets::render(buf, body, store, page, cluster, service, theme),
        Route::Logs { .. } | Route::PodLogs { .. } => views::logs::render(buf, body, store, page, theme),
        Route::Eks { .. } | Route::Kube { .. } | Route::Pod { .. } => {
            views::kube::render(buf, body, store, page, theme)
        }
        Route::TaskDefinition { arn } => views::taskdef::render(buf, body, store, page, arn, theme),
        Route::Images { cluster, service } => views::images::render(buf, body, store, page, cluster, service, theme),
        Route::Repositories { region } => views::images::render_repositories(buf, body, store, page, region, theme),
        Route::Schedules { cluster } => views::images::render_schedules(buf, body, store, page, cluster, theme),
    }
    if store.ui.mode == Mode::Help {
        help::render(buf, body, store.ui.help_offset, keymap, theme);
    }
    let mut cursor = status_bar(buf, status_area, store, theme, keymap);
    if let (Mode::Dialog, Some(d)) = (store.ui.mode, &store.ui.dialog) {
        cursor = dialog::render(buf, body, store, d, theme).map(|(x, y)| Position::new(x, y));
    }
    if let Some(cursor) = cursor {
        frame.set_cursor_position(cursor);
    }
}

fn too_small(buf: &mut Buffer, area: Rect, theme: &Theme) {
    let text = format!(
        "terminal too small ({}x{}): bosun needs {MIN_WIDTH}x{MIN_HEIGHT}",
        area.width, area.height
    );
    Paragraph::new(text)
        .style(theme.status_warn)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(area, buf);
}

/// Where the header says we are: profile / region / cluster / service / task.
pub fn breadcrumb(store: &Store) -> Vec<String> {
    let route = store.ui.route();
    let mut crumbs = Vec::new();
    match route.cluster() {
        None if matches!(route, Route::TaskDefinition { .. } | Route::Repositories { .. }) => {}
        None => crumbs.push(store.context.regions.join(",")),
        Some(cluster) => {
            crumbs.push(crate::util::arn_region(cluster).unwrap_or("?").to_string());
            crumbs.push(arn_tail(cluster).to_string());
        }
    }
    match route {
        Route::Fleet => crumbs.push("fleet".into()),
        Route::Services { .. } => crumbs.push("services".into()),
        Route::Service { service, .. } => crumbs.push(arn_tail(service).to_string()),
        Route::Tasks { service, .. } => {
            if let Some(s) = service {
                crumbs.push(s.clone());
            }
            crumbs.push("tasks".into());
        }
        Route::Task { cluster, task } => {
            let service = store
                .cluster_data(cluster)
                .and_then(|d| d.find_task(task))
                .and_then(|t| t.service_name().map(str::to_string));
            if let Some(s) = service {
                crumbs.push(s);
            }
            let id = arn_tail(task);
            crumbs.push(id.get(..8).unwrap_or(id).to_string());
        }
        Route::Instances { .. } => crumbs.push("instances".into()),
        Route::Metrics { service, .. } => crumbs.extend([arn_tail(service).to_string(), "metrics".into()]),
        Route::Scaling { service, .. } => crumbs.extend([arn_tail(service).to_string(), "autoscaling".into()]),
        Route::Targets { service, .. } => crumbs.extend([arn_tail(service).to_string(), "targets".into()]),
        Route::Images { service, .. } => crumbs.extend([arn_tail(service).to_string(), "images".into()]),
        Route::Logs { task, container, .. } => {
            let id = arn_tail(task);
            crumbs.extend([id.get(..8).unwrap_or(id).to_string(), format!("{container} logs")]);
        }
        Route::TaskDefinition { arn } => {
            crumbs.push(crate::util::arn_region(arn).unwrap_or("?").to_string());
            crumbs.push(crate::util::task_def_short(arn).to_string());
        }
        Route::Repositories { region } => crumbs.extend([region.clone(), "repositories".into()]),
        Route::Schedules { .. } => crumbs.push("schedules".into()),
        Route::Eks { .. } => crumbs.push("eks".into()),
        Route::Kube { kind, .. } => {
            if let Some(ns) = &store.namespace {
                crumbs.push(format!("ns:{ns}"));
            }
            crumbs.push(
                match kind {
                    crate::domain::kube::KubeKind::Nodes => "nodes",
                    crate::domain::kube::KubeKind::Pods => "pods",
                    crate::domain::kube::KubeKind::Workloads => "workloads",
                    crate::domain::kube::KubeKind::Hpas => "hpa",
                    crate::domain::kube::KubeKind::Events => "events",
                    crate::domain::kube::KubeKind::Pvcs | crate::domain::kube::KubeKind::StorageClasses => "storage",
                }
                .into(),
            );
        }
        Route::Pod { pod, .. } => crumbs.push(pod.clone()),
        Route::PodLogs { pod, container, .. } => crumbs.extend([pod.clone(), format!("{container} logs")]),
    }
    crumbs
}

fn header(buf: &mut Buffer, area: Rect, store: &Store, theme: &Theme) {
    buf.set_style(area, theme.header);
    let sep = Span::styled(" │ ", theme.header);
    let account = store.identity().map(|i| i.account.clone());
    let identity_failed = store.identity.error.is_some();
    let who = match &account {
        Some(a) => format!("{} · {a}", store.context.profile),
        None if identity_failed => format!("{} · credentials failed", store.context.profile),
        None => store.context.profile.clone(),
    };
    let crumbs = breadcrumb(store).join(" › ");
    let mut badges = Vec::new();
    if store.context.read_only {
        badges.push(Span::styled(" READ-ONLY ", theme.badge));
    }
    if store.context.demo {
        badges.push(Span::styled(" DEMO ", theme.badge));
    }
    let badge_width: usize = badges.iter().map(|b| b.width()).sum::<usize>() + badges.len().saturating_sub(1);
    // Whole segments, most important kept: never a word cut in half.
    let principal = store.identity().map(|i| crate::util::principal(&i.arn).to_string());
    let candidates = [
        vec![
            " bosun".to_string(),
            format!("{who} · {}", principal.clone().unwrap_or_default()),
            crumbs.clone(),
        ],
        vec![" bosun".to_string(), who.clone(), crumbs.clone()],
        vec![" bosun".to_string(), store.context.profile.clone(), crumbs.clone()],
        vec![" bosun".to_string(), crumbs.clone()],
        vec![crumbs.clone()],
    ];
    let width = (area.width as usize).saturating_sub(badge_width + 2);
    let chosen = candidates
        .iter()
        .filter(|parts| principal.is_some() || !parts[1].ends_with(" · "))
        .find(|parts| parts.iter().map(|p| p.width()).sum::<usize>() + 3 * (parts.len() - 1) <= width)
        .cloned()
        .unwrap_or_else(|| vec![crate::util::ellipsize(&crumbs, width).into_owned()]);
    let mut spans = Vec::new();
    for (i, part) in chosen.iter().enumerate() {
        if i > 0 {
            spans.push(sep.clone());
        }
        let style = if part == " bosun" {
            theme.header_accent
        } else if identity_failed && *part == who {
            theme.header.patch(theme.status_err)
        } else {
            theme.header
        };
        spans.push(Span::styled(part.clone(), style));
    }
    Line::from(spans).render(area, buf);
    let mut x = area.right().saturating_sub(badge_width as u16);
    for badge in badges {
        buf.set_span(x, area.y, &badge, badge.width() as u16);
        x += badge.width() as u16 + 1;
    }
}

/// How fresh the data on screen is.
fn freshness(store: &Store) -> (String, bool) {
    let route = store.ui.route();
    let (fetched, error) = match route {
        Route::Fleet => {
            let oldest = store.ecs.values().filter_map(|c| c.fetched_at).min();
            let error = store.ecs.values().any(|c| c.error.is_some()) || store.eks.values().any(|c| c.error.is_some());
            (oldest, error)
        }
        Route::Services { cluster } | Route::Service { cluster, .. } => match store.cluster_data(cluster) {
            Some(d) => (d.services.fetched_at, d.services.error.is_some()),
            None => (None, false),
        },
        Route::Instances { cluster } => match store.cluster_data(cluster) {
            Some(d) => (d.instances.fetched_at, d.instances.error.is_some()),
            None => (None, false),
        },
        Route::Metrics { .. } => (
            store.insight.metrics_status.fetched_at,
            store.insight.metrics_status.error.is_some(),
        ),
        Route::Scaling { cluster, .. } | Route::Schedules { cluster } => {
            let region = crate::util::arn_region(cluster).unwrap_or_default();
            match store.insight.scaling.get(region) {
                Some(s) => (s.fetched_at, s.error.is_some()),
                None => (None, false),
            }
        }
        Route::Logs {
            cluster,
            task,
            container,
        } => match views::logs::stream_of(store, cluster, task, container) {
            Ok((_, group, stream)) => match store.insight.log(&group, &stream) {
                Some(b) => (b.fetched_at, b.error.is_some()),
                None => (None, false),
            },
            Err(_) => (Some(store.now), false),
        },
        Route::Targets { .. } | Route::Images { .. } | Route::Repositories { .. } | Route::TaskDefinition { .. } => {
            (Some(store.now), false)
        }
        Route::Eks { cluster } => match store.kube.get(cluster) {
            Some(d) => (d.nodegroups.fetched_at, d.nodegroups.error.is_some()),
            None => (None, false),
        },
        Route::Kube { cluster, kind } => match store.kube.get(cluster) {
            Some(d) => {
                use crate::domain::kube::KubeKind;
                let (at, err) = match kind {
                    KubeKind::Nodes => (d.nodes.fetched_at, d.nodes.error.is_some()),
                    KubeKind::Pods => (d.pods.fetched_at, d.pods.error.is_some()),
                    KubeKind::Workloads => (d.workloads.fetched_at, d.workloads.error.is_some()),
                    KubeKind::Hpas => (d.hpas.fetched_at, d.hpas.error.is_some()),
                    KubeKind::Events => (d.events.fetched_at, d.events.error.is_some()),
                    KubeKind::Pvcs | KubeKind::StorageClasses => (d.pvcs.fetched_at, d.pvcs.error.is_some()),
                };
                (at, err)
            }
            None => (None, false),
        },
        Route::Pod { cluster, .. } => match store.kube.get(cluster) {
            Some(d) => (d.pods.fetched_at, d.pods.error.is_some()),
            None => (None, false),
        },
        Route::PodLogs { .. } => match views::logs::located(store, route) {
            Some((_, Ok((group, stream)))) => match store.insight.log(&group, &stream) {
                Some(b) => (b.fetched_at, b.error.is_some()),
                None => (None, false),
            },
            _ => (Some(store.now), false),
        },
        Route::Tasks { cluster, .. } | Route::Task { cluster, .. } => match store.cluster_data(cluster) {
            Some(d) => {
                let set = if store.ui.page().show_stopped {
                    &d.stopped
                } else {
                    &d.tasks
                };
                (set.fetched_at, set.error.is_some())
            }
            None => (None, false),
        },
    };
    let refresh = store.context.refresh_secs.max(1) as i64;
    match fetched {
        None if error => ("✗ no data".into(), true),
        None => ("○ loading".into(), false),
        Some(at) => {
            let age = crate::util::secs_between(at, store.now);
            if error {
                (format!("✗ data {} old", fmt_age(at, store.now)), true)
            } else if age <= (2 * refresh).max(15) {
                (format!("● live · {refresh}s"), false)
            } else {
                (format!("◌ data {} old", fmt_age(at, store.now)), true)
            }
        }
    }
}

/// A command's hint, named for what it does on this screen.
fn hint_label(route: &Route, command: Command) -> &'static str {
    let kube = matches!(
        route,
        Route::Eks { .. } | Route::Kube { .. } | Route::Pod { .. } | Route::PodLogs { .. }
    );
    match (kube, command) {
        (true, Command::StopTask) => "delete",
        (true, Command::Drain) => "cordon",
        (true, Command::Redeploy) => "restart",
        (true, Command::ToggleStopped) => "previous",
        _ => command.hint(),
    }
}

/// The commands worth a hint on this screen.
fn hints(route: &Route) -> &'static [Command] {
    use Command::*;
    match route {
        Route::Fleet => &[Open, Filter, CommandLine, Help, Quit],
        Route::Services { .. } => &[Open, Filter, Scale, Redeploy, Help, Back],
        Route::Service { .. } => &[Open, NextPane, Metrics, Logs, Scale, Redeploy, Help],
        Route::Tasks { .. } => &[Open, ToggleStopped, StopTask, Filter, Help, Back],
        Route::Task { .. } => &[StopTask, Back, CommandLine, Help],
        Route::Instances { .. } => &[Drain, Filter, Back, Help],
        Route::Metrics { .. } => &[Window1h, Window24h, Window7d, Back, Help],
        Route::Logs { .. } => &[Pause, Filter, Bottom, Back, Help],
        Route::TaskDefinition { .. } => &[Reveal, Compare, Back, Help],
        Route::Scaling { .. } => &[ScalingLimits, Back, Help],
        Route::Targets { .. } | Route::Images { .. } | Route::Repositories { .. } | Route::Schedules { .. } => {
            &[Filter, Back, Help]
        }
        Route::Eks { .. } => &[Open, NextPane, Scale, CommandLine, Help, Back],
        Route::Kube { kind, .. } => match kind {
            crate::domain::kube::KubeKind::Pods => &[Open, Logs, StopTask, Filter, CommandLine, Back],
            crate::domain::kube::KubeKind::Nodes => &[Open, Drain, Filter, CommandLine, Back],
            crate::domain::kube::KubeKind::Workloads => &[Open, Scale, Redeploy, Filter, CommandLine, Back],
            _ => &[Filter, CommandLine, Help, Back],
        },
        Route::Pod { .. } => &[Open, Logs, StopTask, Back, Help],
        Route::PodLogs { .. } => &[Pause, ToggleStopped, Filter, Bottom, Back],
    }
}

/// The bottom line: input while typing, else a message or key hints, and freshness.
/// Returns where the terminal cursor goes, if it shows.
fn status_bar(buf: &mut Buffer, area: Rect, store: &Store, theme: &Theme, keymap: &Keymap) -> Option<Position> {
    let ui = &store.ui;
    match ui.mode {
        Mode::Filter | Mode::Command => {
            let prompt = if ui.mode == Mode::Filter { "/" } else { ":" };
            let mut spans = vec![
                Span::styled(prompt, theme.key),
                Span::styled(ui.input.text.clone(), theme.input),
            ];
            if ui.mode == Mode::Command
                && let Some(hint) = crate::app::command::completion_hint(&ui.input.text, store)
            {
                spans.push(Span::styled(hint, theme.muted));
            }
            Line::from(spans).render(area, buf);
            let before: String = ui.input.text.chars().take(ui.input.cursor).collect();
            let x = area.x + 1 + before.width() as u16;
            return Some(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        }
        Mode::Normal | Mode::Help | Mode::Dialog => {}
    }
    let (mut fresh, bad) = freshness(store);
    if let Some(calls) = store.calls_per_minute {
        fresh = format!("{calls} calls/min · {fresh}");
    }
    let fresh_style = if bad { theme.status_warn } else { theme.muted };
    let fresh_width = fresh.width() as u16 + 1;
    let left = Rect {
        width: area.width.saturating_sub(fresh_width + 1),
        ..area
    };
    let following = crate::app::act::follow_line(store);
    match &ui.message {
        None if following.is_some() => {
            let text = crate::util::ellipsize(following.as_deref().unwrap_or_default(), left.width as usize);
            buf.set_stringn(left.x, left.y, text.as_ref(), left.width as usize, theme.status_info);
        }
        Some(message) => {
            let style = match message.level {
                Level::Info => theme.status_info,
                Level::Error => theme.status_err,
            };
            let text = crate::util::ellipsize(&message.text, left.width as usize);
            buf.set_stringn(left.x, left.y, text.as_ref(), left.width as usize, style);
        }
        None => {
            let mut spans = Vec::new();
            let commands = match ui.mode {
                Mode::Help | Mode::Dialog => &[Command::Back][..],
                _ => hints(ui.route()),
            };
            for &command in commands {
                let Some(key) = keymap.key_label(command) else {
                    continue;
                };
                spans.push(Span::styled(format!("<{key}>"), theme.key));
                spans.push(Span::styled(
                    format!(" {} ", hint_label(ui.route(), command)),
                    theme.muted,
                ));
            }
            // Drop hints from the end rather than cutting one in half.
            while !spans.is_empty() && spans.iter().map(|s| s.width()).sum::<usize>() > left.width as usize {
                spans.truncate(spans.len() - 2);
            }
            Line::from(spans).render(left, buf);
        }
    }
    let x = area.right().saturating_sub(fresh_width);
    buf.set_stringn(x, area.y, &fresh, fresh_width as usize, fresh_style);
    None
}
