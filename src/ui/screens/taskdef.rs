//! A task definition revision, as text: containers, images, CPU and memory, ports,
//! environment (masked until revealed), secret references, logging, volumes (EFS too),
//! task role versus execution role. `c` diffs it with the previous revision.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::domain::TaskDefinition;
use crate::domain::fetch::Fetch;
use crate::store::Store;
use crate::store::table::Tone;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::util::{arn_region, task_def_short};

pub const ID: ScreenId = ScreenId("taskdef");

pub struct TaskDef;

impl Screen for TaskDef {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let arn = route.arn.as_deref().unwrap_or_default();
        vec![
            arn_region(arn).unwrap_or("?").to_string(),
            task_def_short(arn).to_string(),
        ]
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        let mut fetches = vec![Fetch::TaskDefinition {
            arn: page.route.arn.clone().unwrap_or_default(),
        }];
        if let Some(other) = &page.compare {
            fetches.push(Fetch::TaskDefinition { arn: other.clone() });
        }
        fetches
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        let arn = store.ui.route().arn.clone();
        Selection {
            task_definition: arn.clone(),
            console: arn.clone().into_iter().collect(),
            copy: arn,
            ..Selection::default()
        }
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        Freshness::current(store)
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Reveal, Compare, Back, Help]
    }

    fn key(&self, store: &mut Store, command: Command) -> bool {
        let page = store.ui.page_mut();
        match command {
            Command::Reveal => page.reveal = !page.reveal,
            Command::Compare => {
                let arn = page.route.arn.clone().unwrap_or_default();
                page.compare = match page.compare {
                    Some(_) => None,
                    None => previous(&arn),
                };
                page.scroll = 0;
                if page.compare.is_none() && crate::util::task_def_revision(&arn) == Some(1) {
                    store.ui.info("revision 1 has no previous revision to compare with");
                }
            }
            _ => return false,
        }
        true
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["taskdef", "td"],
            "taskdef",
            "the task definition (of a service or task)",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::TaskDefinition)
    }

    /// The task definition of what is selected: a deployment, a task, or a service.
    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        if !args.is_empty() {
            return Err(format!(":{name} takes no argument"));
        }
        let selection = super::selection(store);
        let arn = selection
            .task_definition
            .or_else(|| selection.task.map(|t| t.task_definition))
            .or_else(|| selection.service.map(|s| s.task_definition))
            .ok_or("select a service, a deployment or a task first")?;
        Ok(Go::here(Route::new(ID).arn(arn)))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        draw(
            buf,
            area,
            store,
            page,
            page.route.arn.as_deref().unwrap_or_default(),
            theme,
        );
    }
}

/// The definition as lines of text with a tone each. Values of environment variables are
/// masked unless `reveal`; secrets are only ever references.
pub fn text(td: &TaskDefinition, reveal: bool) -> Vec<(String, Tone)> {
    let mut out = Vec::new();
    let mut line = |s: String, tone: Tone| out.push((s, tone));
    line(format!("{}:{}  {}", td.family, td.revision, td.status), Tone::Normal);
    line(
        format!(
            "cpu {} · memory {} · network {} · {}",
            td.cpu.as_deref().unwrap_or("-"),
            td.memory.as_deref().unwrap_or("-"),
            td.network_mode.as_deref().unwrap_or("-"),
            td.compatibilities.join(", ")
        ),
        Tone::Normal,
    );
    line(
        format!("task role       {}", td.task_role_arn.as_deref().unwrap_or("none")),
        Tone::Normal,
    );
    line(
        format!("execution role  {}", td.execution_role_arn.as_deref().unwrap_or("none")),
        Tone::Normal,
    );
    for c in &td.containers {
        line(String::new(), Tone::Normal);
        line(
            format!(
                "container {}{}",
                c.name,
                if c.essential { "" } else { " (not essential)" }
            ),
            Tone::Info,
        );
        line(format!("  image   {}", c.image), Tone::Normal);
        let memory = match (c.memory, c.memory_reservation) {
            (Some(m), Some(r)) => format!("{m} (reserves {r})"),
            (Some(m), None) => m.to_string(),
            (None, Some(r)) => format!("reserves {r}"),
            (None, None) => "-".into(),
        };
        line(format!("  cpu {} · memory {memory}", c.cpu), Tone::Normal);
        for p in &c.ports {
            let host = match p.host_port {
                Some(0) | None => "dynamic host port".to_string(),
                Some(h) => format!("host {h}"),
            };
            line(
                format!("  port    {}/{} · {host}", p.container_port, p.protocol),
                Tone::Normal,
            );
        }
        if !c.command.is_empty() {
            line(format!("  command {}", c.command.join(" ")), Tone::Normal);
        }
        if let Some(h) = &c.health_check {
            line(format!("  health  {h}"), Tone::Normal);
        }
        let logs = match &c.log_driver {
            Some(driver) => {
                let options: Vec<String> = c.log_options.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("  logs    {driver} {}", options.join(" "))
            }
            None => "  logs    none".into(),
        };
        line(logs, Tone::Normal);
        for (name, value) in &c.environment {
            let shown = if reveal {
                value.clone()
            } else {
                "••••••".to_string()
            };
            line(format!("{ENV}{name}={shown}"), Tone::Normal);
        }
        for (name, from) in &c.secrets {
            line(format!("  secret  {name} ← {from}"), Tone::Warn);
        }
    }
    if !td.volumes.is_empty() {
        line(String::new(), Tone::Normal);
    }
    for v in &td.volumes {
        let what = match (&v.efs, &v.host_path) {
            (Some(efs), _) => format!(
                "EFS {}{}{}{}",
                efs.file_system_id,
                efs.root_directory.as_ref().map_or(String::new(), |r| format!(" {r}")),
                efs.access_point.as_ref().map_or(String::new(), |a| format!(" via {a}")),
                if efs.transit_encryption {
                    " · encrypted in transit"
                } else {
                    ""
                }
            ),
            (None, Some(path)) => format!("host path {path}"),
            (None, None) => "task storage".into(),
        };
        line(format!("volume {} · {what}", v.name), Tone::Normal);
    }
    out
}

const ENV: &str = "  env     ";

/// A line of [`text`] with an environment value masked.
pub fn mask(line: &str) -> String {
    match line.strip_prefix(ENV).and_then(|rest| rest.split_once('=')) {
        Some((name, _)) => format!("{ENV}{name}=••••••"),
        None => line.to_string(),
    }
}

/// A line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diff {
    Same(String),
    Removed(String),
    Added(String),
}

/// A line diff of `old` and `new` (longest common subsequence).
pub fn diff(old: &[String], new: &[String]) -> Vec<Diff> {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n && j < m {
        if old[i] == new[j] {
            out.push(Diff::Same(old[i].clone()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(Diff::Removed(old[i].clone()));
            i += 1;
        } else {
            out.push(Diff::Added(new[j].clone()));
            j += 1;
        }
    }
    out.extend(old[i..].iter().cloned().map(Diff::Removed));
    out.extend(new[j..].iter().cloned().map(Diff::Added));
    out
}

/// The revision before `arn`'s, as an ARN.
pub fn previous(arn: &str) -> Option<String> {
    let revision = crate::util::task_def_revision(arn)?;
    let family = arn.rsplit_once(':')?.0;
    (revision > 1).then(|| format!("{family}:{}", revision - 1))
}

fn loaded<'a>(store: &'a Store, arn: &str) -> Result<&'a TaskDefinition, String> {
    match store.task_definitions.get(arn) {
        Some(Ok(td)) => Ok(td),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("loading…".to_string()),
    }
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, arn: &str, theme: &Theme) {
    let mut title = vec![Span::styled(format!(" taskdef({}) ", task_def_short(arn)), theme.title)];
    let lines: Vec<Line<'_>> = match (loaded(store, arn), &page.compare) {
        (Err(why), _) => vec![Line::from(Span::styled(why, theme.muted))],
        (Ok(td), None) => text(td, page.reveal)
            .into_iter()
            .map(|(s, tone)| Line::from(Span::styled(s, theme.tone(tone))))
            .collect(),
        (Ok(td), Some(other)) => {
            title.push(Span::styled(
                format!("diff from {} ", task_def_short(other)),
                theme.status_info,
            ));
            match loaded(store, other) {
                Err(why) => vec![Line::from(Span::styled(why, theme.muted))],
                Ok(old) => {
                    // Compare the real values, show them masked: a changed value still
                    // shows as changed.
                    let strip = |v: Vec<(String, Tone)>| v.into_iter().map(|(s, _)| s).collect::<Vec<_>>();
                    let shown = |s: String| if page.reveal { s } else { mask(&s) };
                    diff(&strip(text(old, true)), &strip(text(td, true)))
                        .into_iter()
                        .map(|d| match d {
                            Diff::Same(s) => Line::from(Span::styled(format!("  {}", shown(s)), theme.muted)),
                            Diff::Removed(s) => Line::from(Span::styled(format!("- {}", shown(s)), theme.status_err)),
                            Diff::Added(s) => Line::from(Span::styled(format!("+ {}", shown(s)), theme.status_ok)),
                        })
                        .collect()
                }
            }
        }
    };
    let hint = format!(
        " v: {} values · c: {} ",
        if page.reveal { "mask" } else { "show" },
        if page.compare.is_some() {
            "plain"
        } else {
            "diff with the previous"
        }
    );
    let hint = Some(Span::styled(hint, theme.muted));
    crate::ui::widgets::scrolled(buf, area, Line::from(title), hint, lines, page.scroll, theme);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_shows_what_changed() {
        let a: Vec<String> = ["x", "image v1", "y"].iter().map(|s| s.to_string()).collect();
        let b: Vec<String> = ["x", "image v2", "y", "z"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            diff(&a, &b),
            vec![
                Diff::Same("x".into()),
                Diff::Removed("image v1".into()),
                Diff::Added("image v2".into()),
                Diff::Same("y".into()),
                Diff::Added("z".into()),
            ]
        );
    }

    #[test]
    fn the_previous_revision() {
        assert_eq!(
            previous("arn:aws:ecs:r:1:task-definition/web:42").as_deref(),
            Some("arn:aws:ecs:r:1:task-definition/web:41")
        );
        assert_eq!(previous("web:1"), None);
    }
}
