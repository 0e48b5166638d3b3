//! The log of one container: the awslogs stream its task definition names, followed as it
//! grows, searchable with `/`, paused with `p`, bounded in memory.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget};

use crate::store::Store;
use crate::store::insight::LogBuffer;
use crate::store::ui::{Page, Route};
use crate::ui::theme::Theme;
use crate::util::{arn_region, arn_tail, ellipsize};

/// Where a container's log is: the awslogs group and stream, or why it cannot be read.
pub fn stream_of(
    store: &Store,
    cluster: &str,
    task: &str,
    container: &str,
) -> Result<(String, String, String), String> {
    let t = store
        .cluster_data(cluster)
        .and_then(|d| d.find_task(task))
        .ok_or_else(|| "loading the task…".to_string())?;
    let td = match store.task_definitions.get(&t.task_definition) {
        Some(Ok(td)) => td,
        Some(Err(e)) => return Err(format!("cannot read the task definition: {e}")),
        None => return Err("loading the task definition…".to_string()),
    };
    let def = td.containers.iter().find(|c| c.name == container).ok_or_else(|| {
        format!(
            "container {container} is not in {}",
            crate::util::task_def_short(&td.arn)
        )
    })?;
    match def.awslogs_stream(&t.id) {
        Some((group, stream)) => {
            let region = def
                .log_options
                .get("awslogs-region")
                .cloned()
                .unwrap_or_else(|| arn_region(cluster).unwrap_or_default().to_string());
            Ok((region, group, stream))
        }
        None => Err(match def.log_driver.as_deref() {
            Some(driver) => format!(
                "container {container} logs with the `{driver}` driver: bosun reads the awslogs driver (CloudWatch Logs) only; \
                 look where {driver} sends them"
            ),
            None => format!("container {container} has no log configuration: its output goes nowhere bosun can read"),
        }),
    }
}

/// The lines the view shows: all, or those matching the filter.
pub fn visible<'a>(buffer: &'a LogBuffer, filter: &str) -> Vec<&'a crate::domain::insight::LogLine> {
    let needle = filter.to_lowercase();
    buffer
        .lines
        .iter()
        .filter(|l| needle.is_empty() || l.message.to_lowercase().contains(&needle))
        .collect()
}

/// A log buffer's key, (group, stream), or why there is none.
pub type Located = Result<(String, String), String>;

/// The buffer a log screen reads: its title, and its key or why there is none.
pub fn located(store: &Store, route: &Route) -> Option<(String, Located)> {
    match route {
        Route::Logs {
            cluster,
            task,
            container,
        } => Some((
            format!(
                " logs({}/{}) ",
                &arn_tail(task)[..8.min(arn_tail(task).len())],
                container
            ),
            stream_of(store, cluster, task, container).map(|(_, g, s)| (g, s)),
        )),
        Route::PodLogs {
            cluster,
            pod,
            container,
            previous,
        } => {
            let (namespace, name) = pod.split_once('/').unwrap_or(("default", pod));
            let title = format!(
                " logs({name}/{container}){} ",
                if *previous { " previous run" } else { "" }
            );
            Some((
                title,
                Ok(crate::domain::fetch::pod_log_key(
                    cluster, namespace, name, container, *previous,
                )),
            ))
        }
        _ => None,
    }
}

pub fn render(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
    let Some((heading, located)) = located(store, &page.route) else {
        return;
    };
    let filter = &page.table().filter;
    let mut title = vec![Span::styled(heading, theme.title)];
    let buffer = located.as_ref().ok().and_then(|(g, s)| store.insight.log(g, s));
    if let Some(b) = buffer {
        let shown = visible(b, filter).len();
        title.push(Span::styled(
            if filter.is_empty() {
                format!("[{shown}] ")
            } else {
                format!("[{shown}/{}] ", b.lines.len())
            },
            theme.text,
        ));
    }
    if !filter.is_empty() {
        title.push(Span::styled(format!("</{filter}> "), theme.status_info));
    }
    title.push(if page.following {
        Span::styled("following ", theme.status_ok)
    } else {
        Span::styled("paused (p: follow) ", theme.status_warn)
    });
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Line::from(title));
    if let Some(b) = buffer {
        if let Some(e) = &b.error {
            block = block.title_bottom(Span::styled(
                format!(" ✗ {} ", super::describe_error(e, b.fetched_at, store.now)),
                theme.status_err,
            ));
        } else if b.dropped > 0 {
            block = block.title_bottom(Span::styled(
                format!(" keeping the last {} lines ({} older dropped) ", b.cap, b.dropped),
                theme.muted,
            ));
        }
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let lines = match (&located, buffer) {
        (Err(why), _) => {
            let text = ellipsize(
                why,
                (inner.width as usize).saturating_sub(2) * inner.height.max(1) as usize,
            );
            ratatui::widgets::Paragraph::new(text.into_owned())
                .style(theme.status_warn)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .render(
                    Rect {
                        x: inner.x + 1,
                        width: inner.width.saturating_sub(2),
                        ..inner
                    },
                    buf,
                );
            return;
        }
        (Ok(_), None) => {
            buf.set_string(inner.x + 1, inner.y, "loading…", theme.muted);
            return;
        }
        (Ok(_), Some(b)) => visible(b, filter),
    };
    let height = inner.height as usize;
    if lines.is_empty() {
        let text = if filter.is_empty() {
            "no log lines yet"
        } else {
            "no line matches the filter"
        };
        buf.set_string(inner.x + 1, inner.y, text, theme.muted);
        return;
    }
    // Following: the newest lines; paused: where the user scrolled to.
    let last_start = lines.len().saturating_sub(height);
    let first = if page.following {
        last_start
    } else {
        page.scroll.min(last_start)
    };
    let tz = &store.context.tz;
    for (row, line) in lines.iter().skip(first).take(height).enumerate() {
        let y = inner.y + row as u16;
        let stamp = line.at.to_zoned(tz.clone()).strftime("%H:%M:%S").to_string();
        buf.set_string(inner.x + 1, y, &stamp, theme.muted);
        let x = inner.x + 2 + stamp.len() as u16;
        let width = inner.right().saturating_sub(x) as usize;
        let style = if line.message.contains("ERROR") || line.message.contains("Exception") {
            theme.status_err
        } else if line.message.contains("WARN") {
            theme.status_warn
        } else {
            theme.text
        };
        buf.set_stringn(x, y, ellipsize(&line.message, width).as_ref(), width, style);
    }
}
