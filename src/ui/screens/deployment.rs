//! One service deployment (`enter` on the deployments): its status and timing, what its
//! circuit breaker and alarms saw, its rollback, and what it changed: each field that
//! differs between the revision it went from and the one it went to (task definition,
//! images and their digests, launch, capacity providers, load balancers, network), then
//! the two task definitions' diff. `X` stops it (in progress) and rolls it back.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::domain::deploy::{CodeDeploy, ServiceDeployment, changes, traffic_text};
use crate::domain::fetch::Fetch;
use crate::store::Store;
use crate::store::table::Tone;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Screen, Selection};
use crate::ui::theme::Theme;
use crate::util::{arn_tail, fmt_age, fmt_secs, task_def_short, words};

pub const ID: ScreenId = ScreenId("deployment");

pub struct DeploymentScreen;

fn found<'a>(store: &'a Store, route: &Route) -> Option<&'a ServiceDeployment> {
    let history = store
        .insight
        .deployments
        .get(route.service.as_deref()?)?
        .value
        .as_ref()?;
    history
        .deployments
        .iter()
        .find(|d| Some(d.arn.as_str()) == route.arn.as_deref())
}

/// The task definitions it went from and to.
fn task_definitions(d: &ServiceDeployment) -> (Option<String>, Option<String>) {
    (
        d.from.first().and_then(|r| r.task_definition.clone()),
        d.to.as_ref().and_then(|r| r.task_definition.clone()),
    )
}

impl Screen for DeploymentScreen {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let id = arn_tail(route.arn.as_deref().unwrap_or_default()).to_string();
        super::service_crumbs(route, &format!("deployment {id}"))
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let mut fetches = vec![super::deployments::history(&page.route)];
        if let Some(d) = found(store, &page.route) {
            let (from, to) = task_definitions(d);
            fetches.extend(from.into_iter().chain(to).map(|arn| Fetch::TaskDefinition { arn }));
        }
        fetches
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = super::service_page_selection(store);
        if let Some(d) = found(store, store.ui.route()) {
            selection.task_definition = task_definitions(d).1;
            selection.copy = Some(d.arn.clone());
            selection.deployment = Some(d.clone());
        }
        selection
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of_read(
            store
                .insight
                .deployments
                .get(page.route.service.as_deref().unwrap_or_default()),
        )
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[StopTask, Rollback, TaskDefinition, Back, Help]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        match command {
            Command::StopTask => Some("stop+roll back"),
            Command::Rollback => Some("restore"),
            _ => None,
        }
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let title = Line::from(Span::styled(
            format!(
                " deployment({}) ",
                arn_tail(page.route.arn.as_deref().unwrap_or_default())
            ),
            theme.title,
        ));
        let lines = match found(store, &page.route) {
            Some(d) => text(store, d, theme),
            None => vec![Line::from(Span::styled("loading…", theme.muted))],
        };
        crate::ui::widgets::scrolled(buf, area, title, None, lines, page.scroll, theme);
    }
}

/// A value as it fits beside another on one line: an image by its repository's name and
/// tag, a digest by its first twelve characters (as `docker images` shows them).
fn short(value: &str) -> String {
    if let Some(hex) = value.strip_prefix("sha256:") {
        return format!("sha256:{}", &hex[..hex.len().min(12)]);
    }
    if !value.contains(' ') && value.contains('/') {
        return value.rsplit('/').next().unwrap_or(value).to_string();
    }
    value.to_string()
}

fn pair<'a>(name: &str, value: String, tone: Tone, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{name:<16}"), theme.muted),
        Span::styled(value, theme.tone(tone)),
    ])
}

fn text<'a>(store: &'a Store, d: &'a ServiceDeployment, theme: &Theme) -> Vec<Line<'a>> {
    let now = store.now;
    let when = |t: Option<jiff::Timestamp>| t.map_or_else(|| "-".to_string(), |t| format!("{} ago", fmt_age(t, now)));
    let mut lines = vec![
        pair("Status", words(&d.status), super::deployments::status_tone(d), theme),
        pair("Change", d.change(), Tone::Normal, theme),
        pair("Started", when(d.started_at.or(d.created_at)), Tone::Normal, theme),
    ];
    if let (Some(start), Some(end)) = (d.started_at, d.finished_at.or(d.stopped_at)) {
        lines.push(pair(
            "Took",
            fmt_secs(end.duration_since(start).as_secs()),
            Tone::Normal,
            theme,
        ));
    }
    // A CodeDeploy deployment's reason is its error or rollback, said below.
    if !d.reason.is_empty() && d.code_deploy.is_none() {
        lines.push(pair("Reason", d.reason.clone(), Tone::Normal, theme));
    }
    if let Some(stage) = &d.stage {
        lines.push(pair("Stage", words(stage), Tone::Info, theme));
    }
    if !d.traffic.is_empty() {
        lines.push(pair("Traffic", traffic_text(&d.traffic), Tone::Info, theme));
    }
    if let Some(to) = &d.to {
        lines.push(pair(
            "Tasks",
            format!("running {} / {} · pending {}", to.running, to.requested, to.pending),
            Tone::Normal,
            theme,
        ));
    }
    if let Some(b) = &d.circuit_breaker {
        let tone = if b.status == "TRIGGERED" || b.failures > 0 {
            Tone::Err
        } else {
            Tone::Normal
        };
        lines.push(pair(
            "Circuit breaker",
            format!(
                "{} · {} failed tasks of a threshold of {}",
                words(&b.status),
                b.failures,
                b.threshold
            ),
            tone,
            theme,
        ));
    }
    if let Some(a) = &d.alarms {
        let tone = if a.triggered.is_empty() {
            Tone::Normal
        } else {
            Tone::Err
        };
        let mut text = format!("{} · {}", words(&a.status), a.names.join(", "));
        if !a.triggered.is_empty() {
            text.push_str(&format!(" · went off: {}", a.triggered.join(", ")));
        }
        lines.push(pair("Alarms", text, tone, theme));
    }
    if let Some(crate::domain::deploy::Rollback {
        reason: why,
        started_at: at,
        revision,
    }) = &d.rollback
    {
        let back = store
            .insight
            .deployments
            .values()
            .filter_map(|s| s.value.as_ref())
            .find_map(|h| h.revision(revision))
            .map_or_else(
                || arn_tail(revision).to_string(),
                |r| task_def_short(&r.task_definition).to_string(),
            );
        lines.push(pair(
            "Rollback",
            format!("to {back} · {} · {why}", when(*at)),
            Tone::Warn,
            theme,
        ));
    }
    if let Some(cd) = &d.code_deploy {
        code_deploy(&mut lines, cd, &when, theme);
    }
    lines.push(Line::default());
    let history = store
        .insight
        .deployments
        .get(store.ui.route().service.as_deref().unwrap_or_default())
        .and_then(|s| s.value.as_ref());
    let revision = |r: Option<&crate::domain::deploy::RevisionRef>| history.and_then(|h| h.revision(&r?.arn));
    match (revision(d.from.first()), revision(d.to.as_ref())) {
        // CodeDeploy keeps no service revisions: the task definitions say what changed.
        _ if d.code_deploy.is_some() => {
            lines.pop();
        }
        (Some(from), Some(to)) => {
            lines.push(Line::from(Span::styled("What it changed", theme.title)));
            let changed = changes(from, to);
            if changed.is_empty() {
                lines.push(Line::from(Span::styled(
                    "  nothing: the same revision again (a forced new deployment)",
                    theme.muted,
                )));
            }
            for (name, old, new) in changed {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {name:<22} "), theme.muted),
                    Span::styled(short(&old), theme.status_err),
                    Span::styled(" → ", theme.muted),
                    Span::styled(short(&new), theme.status_ok),
                ]));
            }
        }
        (None, Some(to)) => {
            lines.push(Line::from(Span::styled(
                "What it deployed (the service's first)",
                theme.title,
            )));
            for (name, value) in to.fields() {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {name:<22} "), theme.muted),
                    Span::styled(value, theme.text),
                ]));
            }
        }
        _ => lines.push(Line::from(Span::styled(
            "its revisions were not described",
            theme.muted,
        ))),
    }
    // The task definitions line by line, as `d` then `c` shows them.
    let (from, to) = task_definitions(d);
    if let (Some(from), Some(to)) = (from, to).clone()
        && from != to
    {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("Task definition: {} → {}", task_def_short(&from), task_def_short(&to)),
            theme.title,
        )));
        match (store.task_definitions.get(&from), store.task_definitions.get(&to)) {
            (Some(Ok(old)), Some(Ok(new))) => {
                let plain = |td| {
                    super::taskdef::text(td, true)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect::<Vec<_>>()
                };
                for d in super::taskdef::diff(&plain(old), &plain(new)) {
                    lines.push(match d {
                        super::taskdef::Diff::Same(_) => continue,
                        super::taskdef::Diff::Removed(s) => Line::from(Span::styled(
                            format!("- {}", super::taskdef::mask(&s)),
                            theme.status_err,
                        )),
                        super::taskdef::Diff::Added(s) => {
                            Line::from(Span::styled(format!("+ {}", super::taskdef::mask(&s)), theme.status_ok))
                        }
                    });
                }
            }
            (Some(Err(e)), _) | (_, Some(Err(e))) => {
                lines.push(Line::from(Span::styled(e.to_string(), theme.status_err)));
            }
            _ => lines.push(Line::from(Span::styled("loading…", theme.muted))),
        }
    }
    lines
}

/// What CodeDeploy says of its deployment: the application and group, the configuration
/// that paces the shift, who started it, its failure or rollback, and each lifecycle event
/// of the service (with how long it took and what a failed hook said).
fn code_deploy<'a>(
    lines: &mut Vec<Line<'a>>,
    cd: &CodeDeploy,
    when: &dyn Fn(Option<jiff::Timestamp>) -> String,
    theme: &Theme,
) {
    lines.push(pair(
        "CodeDeploy",
        format!("{} · {} / {} · {}", cd.id, cd.application, cd.group, words(&cd.status)),
        Tone::Normal,
        theme,
    ));
    let config = cd.config.strip_prefix("CodeDeployDefault.").unwrap_or(&cd.config);
    lines.push(pair("Config", config.to_string(), Tone::Normal, theme));
    if !cd.creator.is_empty() {
        lines.push(pair("Started by", cd.creator.clone(), Tone::Normal, theme));
    }
    if let Some(e) = &cd.error {
        lines.push(pair("Error", e.clone(), Tone::Err, theme));
    }
    if let Some(by) = &cd.rolled_back_by {
        lines.push(pair("Rolled back", format!("by {by}"), Tone::Warn, theme));
    }
    if let Some(of) = &cd.rollback_of {
        lines.push(pair("Rollback of", of.clone(), Tone::Warn, theme));
    }
    if cd.events.is_empty() {
        return;
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Lifecycle events", theme.title)));
    for e in &cd.events {
        let tone = match e.status.as_str() {
            "Succeeded" => Tone::Ok,
            "Failed" => Tone::Err,
            "InProgress" => Tone::Info,
            _ => Tone::Muted,
        };
        let took = match (e.started_at, e.ended_at) {
            (Some(a), Some(b)) => format!(" · took {}", fmt_secs(b.duration_since(a).as_secs())),
            (Some(a), None) => format!(" · since {}", when(Some(a))),
            _ => String::new(),
        };
        let said = e.message.as_ref().map_or_else(String::new, |m| format!(" · {m}"));
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<26}", words(&e.name)), theme.muted),
            Span::styled(format!("{}{took}{said}", words(&e.status)), theme.tone(tone)),
        ]));
    }
}
