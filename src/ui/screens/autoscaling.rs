//! A service's autoscaling: its range, its policies, its schedule and what it did lately;
//! and the cluster's capacity providers with their Auto Scaling groups.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget};

use crate::domain::fetch::Fetch;
use crate::domain::insight::{PolicyKind, resource_id};
use crate::store::Store;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::util::{arn_tail, fmt_age};

pub const ID: ScreenId = ScreenId("autoscaling");

pub struct Autoscaling;

impl Screen for Autoscaling {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        super::service_crumbs(route, "autoscaling")
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let (account, region) = store.place(cluster);
        vec![
            Fetch::services(cluster),
            Fetch::Scaling {
                account: account.clone(),
                region: region.clone(),
            },
            Fetch::CapacityProviders {
                account,
                region,
                names: store
                    .cluster(cluster)
                    .map(|c| c.capacity_providers.clone())
                    .unwrap_or_default(),
            },
        ]
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        super::service_page_selection(store)
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of_read(store.insight.scaling.get(&store.place(page.route.cluster_arn())))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[ScalingLimits, Back, Help]
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["autoscaling", "scaling", "as"],
            "autoscaling",
            "the service's autoscaling",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Autoscaling)
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        super::open_for_service(ID, store, name, args)
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let route = &page.route;
        draw(
            buf,
            area,
            store,
            page,
            route.cluster_arn(),
            route.service.as_deref().unwrap_or_default(),
            theme,
        );
    }
}

fn heading<'a>(text: &'a str, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(text, theme.title))
}

/// The lines of the view, for drawing and for tests.
pub fn lines(store: &Store, cluster: &str, service: &str, theme: &Theme) -> Vec<Line<'static>> {
    let place = store.place(cluster);
    let rid = resource_id(cluster, service);
    let slot = store.insight.scaling.get(&place);
    let mut out: Vec<Line<'static>> = Vec::new();
    let text = |s: String| Span::styled(s, theme.text);
    let muted = |s: String| Span::styled(s, theme.muted);
    let Some(scaling) = slot.and_then(|s| s.value.as_ref()) else {
        let why = slot
            .and_then(|s| s.error.as_ref())
            .map_or("loading…".to_string(), |e| format!("✗ {e}"));
        out.push(Line::from(muted(why)));
        return out;
    };
    if let Some(error) = slot.and_then(|s| s.error.as_ref()) {
        out.push(Line::from(Span::styled(format!("✗ {error}"), theme.status_err)));
    }
    let svc = store.service(cluster, service);
    out.push(heading("Scalable target", theme).patch_style(theme.title));
    match scaling.target(&rid) {
        Some(t) => {
            let desired = svc.map_or("?".to_string(), |s| s.desired.to_string());
            out.push(Line::from(vec![
                text(format!("  min {} · desired {} · max {}", t.min, desired, t.max)),
                if t.suspended {
                    Span::styled("  (scaling suspended)", theme.status_warn)
                } else {
                    muted(String::new())
                },
            ]));
        }
        None => out.push(Line::from(muted(
            "  not registered with Application Auto Scaling (M sets a range)".into(),
        ))),
    }
    out.push(Line::default());
    out.push(heading("Policies", theme));
    let policies: Vec<_> = scaling.policies.iter().filter(|p| p.resource_id == rid).collect();
    if policies.is_empty() {
        out.push(Line::from(muted("  none".into())));
    }
    for p in policies {
        match &p.kind {
            PolicyKind::TargetTracking { metric, target, queue } => {
                let on = queue.as_ref().map_or(String::new(), |q| format!(" on queue {q}"));
                out.push(Line::from(vec![
                    text(format!("  {} ", p.name)),
                    muted(format!("target tracking: keep {metric}{on} at {target}")),
                ]));
            }
            PolicyKind::Step {
                adjustment_type,
                steps,
                alarms,
            } => {
                out.push(Line::from(vec![
                    text(format!("  {} ", p.name)),
                    muted(format!("step scaling ({adjustment_type}) on {}", alarms.join(", "))),
                ]));
                for s in steps {
                    let range = match (s.lower, s.upper) {
                        (Some(l), Some(u)) => format!("{l} to {u}"),
                        (Some(l), None) => format!("{l} and above"),
                        (None, Some(u)) => format!("below {u}"),
                        (None, None) => "any".into(),
                    };
                    out.push(Line::from(muted(format!("      breach {range}: {:+}", s.adjustment))));
                }
            }
        }
    }
    out.push(Line::default());
    out.push(heading("Scheduled actions", theme));
    let scheduled: Vec<_> = scaling.scheduled.iter().filter(|s| s.resource_id == rid).collect();
    if scheduled.is_empty() {
        out.push(Line::from(muted("  none".into())));
    }
    for s in scheduled {
        let next = s.next_run.map_or(String::new(), |t| {
            format!(
                " · next {}",
                t.to_zoned(store.context.tz.clone()).strftime("%a %d %b %H:%M")
            )
        });
        let range = match (s.min, s.max) {
            (Some(min), Some(max)) => format!(" → min {min} max {max}"),
            _ => String::new(),
        };
        out.push(Line::from(vec![
            text(format!("  {} ", s.name)),
            muted(format!("{}{range}{next}", s.schedule)),
        ]));
    }
    out.push(Line::default());
    out.push(heading("Recent activity", theme));
    let activities: Vec<_> = scaling
        .activities
        .iter()
        .filter(|a| a.resource_id == rid)
        .take(8)
        .collect();
    if activities.is_empty() {
        out.push(Line::from(muted("  none (or not reported by this endpoint)".into())));
    }
    for a in activities {
        let age = a
            .start
            .map_or("-".to_string(), |t| format!("{} ago", fmt_age(t, store.now)));
        let tone = if a.status == "Successful" {
            theme.status_ok
        } else {
            theme.status_warn
        };
        out.push(Line::from(vec![
            muted(format!("  {age:>9} ")),
            Span::styled(format!("{} ", a.status), tone),
            text(a.description.clone()),
        ]));
        out.push(Line::from(muted(format!("            {}", a.cause))));
    }
    out.push(Line::default());
    out.push(heading("Capacity providers of the cluster", theme));
    let providers = store
        .cluster(cluster)
        .map(|c| c.capacity_providers.clone())
        .unwrap_or_default();
    let known = store.insight.capacity.get(&place);
    if providers.is_empty() {
        out.push(Line::from(muted("  none".into())));
    }
    for name in providers {
        let detail = known.and_then(|k| k.get(&name));
        let mut spans = vec![text(format!("  {name}"))];
        if let Some(p) = detail {
            if let Some((status, target)) = &p.managed_scaling {
                spans.push(muted(format!(" · managed scaling {status} at {target}%")));
            }
            if let Some((min, desired, max)) = p.asg {
                spans.push(muted(format!(" · group min {min} · desired {desired} · max {max}")));
            }
        }
        out.push(Line::from(spans));
    }
    out
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, service: &str, theme: &Theme) {
    let lines = lines(store, cluster, service, theme);
    let height = area.height.saturating_sub(2) as usize;
    let first = page.scroll.min(lines.len().saturating_sub(height));
    Paragraph::new(lines.into_iter().skip(first).collect::<Vec<_>>())
        .wrap(ratatui::widgets::Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(theme.border_focused)
                .title(Span::styled(
                    format!(" autoscaling({}) ", arn_tail(service)),
                    theme.title,
                )),
        )
        .render(area, buf);
}
