//! One App Runner service: where its code comes from, its instances, auto scaling, health
//! check, network, observability and role; why it fails, where it does; and its
//! operations (create, deployments, updates, pause, resume), the newest first, followed
//! while one is in progress. `m` its metrics, `l` its logs; `R` deploys, `D` pauses or
//! resumes.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use crate::domain::apprunner::{AppRunnerService, Operation, Source, operation_name};
use crate::domain::fetch::Fetch;
use crate::store::Store;
use crate::store::table::{self, Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::table as grid;
use crate::ui::widgets::{details, details_height, health_tone, role_name, status_tone, toned};
use crate::util::{fmt_age, fmt_secs};

pub const ID: ScreenId = ScreenId("apprunner");

pub struct AppRunnerScreen;

/// The service a page is about (its ARN).
fn arn_of(route: &Route) -> &str {
    route.arn.as_deref().unwrap_or_default()
}

/// `region › App Runner › NAME [› what]`, for the pages about one service.
pub fn crumbs(route: &Route, what: Option<&str>) -> Vec<String> {
    let arn = arn_of(route);
    let mut out = vec![
        crate::util::arn_region(arn).unwrap_or("?").to_string(),
        "App Runner".into(),
        crate::domain::apprunner::name_of(arn).to_string(),
    ];
    out.extend(what.map(str::to_string));
    out
}

/// On a page about one App Runner service, the user is on it.
pub fn page_selection(store: &Store) -> Selection {
    let arn = arn_of(store.ui.route()).to_string();
    Selection {
        apprunner: store.apprunner_service(&arn).cloned(),
        console: vec![arn.clone()],
        copy: Some(arn.clone()),
        cluster: Some(arn),
        ..Selection::default()
    }
}

/// The page of an App Runner service.
pub fn route(store: &Store, arn: &str) -> Route {
    Route::new(ID).account(store.account_name_of(arn)).arn(arn)
}

impl Screen for AppRunnerScreen {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        crumbs(route, None)
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        vec![Fetch::AppRunnerService {
            service: arn_of(&page.route).to_string(),
        }]
    }

    fn sync(&self, store: &mut Store) {
        let Store {
            apprunner_detail,
            ui,
            now,
            ..
        } = store;
        let cx = RowCx::at(*now);
        let page = ui.page_mut();
        let fetched = apprunner_detail.get(arn_of(&page.route));
        let version = fetched
            .and_then(|f| f.fetched_at)
            .map_or(0, |t| t.as_millisecond() as u64);
        let ops = fetched
            .and_then(|f| f.value.as_ref())
            .map_or(&[][..], |s| &s.operations[..]);
        table::sync(&mut page.panes[0], ops, version, |_| true, &cx);
    }

    fn columns(&self, _store: &Store, _page: &Page) -> (&'static [Column], &'static [usize]) {
        (OPERATION_COLUMNS, &[])
    }

    fn selection(&self, store: &Store) -> Selection {
        page_selection(store)
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of_read(store.apprunner_detail.get(arn_of(&page.route)))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Redeploy, Drain, Metrics, Logs, CopyArn, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        match command {
            Command::Redeploy => Some("deploy"),
            Command::Drain => Some("pause/resume"),
            _ => None,
        }
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let arn = arn_of(&page.route);
        let fetched = store.apprunner_detail.get(arn);
        let Some(s) = store.apprunner_service(arn) else {
            let text = match fetched.and_then(|f| f.error.as_ref()) {
                Some(e) => e.to_string(),
                None => "loading…".into(),
            };
            details(
                buf,
                area,
                "App Runner",
                &[("", Span::styled(text, theme.muted))],
                1,
                theme,
            );
            return;
        };
        let pairs = facts(s, store, theme);
        let columns = if area.width >= 140 { 2 } else { 1 };
        let height = details_height(pairs.len(), columns).min(area.height.saturating_sub(4));
        let [top, rest] = Layout::vertical([Constraint::Length(height), Constraint::Min(3)]).areas(area);
        details(buf, top, &format!("App Runner · {}", s.name), &pairs, columns, theme);
        let error = fetched
            .and_then(|f| f.error.as_ref())
            .map(|e| crate::ui::widgets::describe_error(e, fetched.and_then(|f| f.fetched_at), store.now));
        let cx = RowCx::at(store.now);
        let ops = fetched
            .and_then(|f| f.value.as_ref())
            .map_or(&s.operations[..], |d| &d.operations[..]);
        grid::render(
            buf,
            rest,
            &page.panes[0],
            ops,
            &cx,
            theme,
            grid::Frame {
                title: "operations",
                focused: true,
                error,
                empty: "no operations",
                hidden: &[],
            },
        );
    }
}

/// The service's facts, a line each.
fn facts<'a>(s: &'a AppRunnerService, store: &Store, theme: &Theme) -> Vec<(&'static str, Span<'a>)> {
    let plain = |text: String| Span::styled(text, theme.text);
    let mut out = vec![
        (
            "status",
            toned(
                format!("{} · {}", s.status, s.health().as_str()),
                match status_tone(&s.status) {
                    Tone::Normal => health_tone(s.health()),
                    tone => tone,
                },
                theme,
            ),
        ),
        ("url", plain(s.url.clone().unwrap_or_else(|| "none yet".into()))),
    ];
    if let Some(why) = s.trouble() {
        out.push(("trouble", toned(why, Tone::Err, theme)));
    }
    if let Some(op) = s.current_operation() {
        let since = op.started_at.map_or_else(|| "-".into(), |t| fmt_age(t, store.now));
        out.push((
            "now",
            toned(
                format!("{} {} for {since}", operation_name(&op.kind), op.status.to_lowercase()),
                Tone::Info,
                theme,
            ),
        ));
    }
    let source = match &s.source {
        Source::Image { port, .. } => format!(
            "{}{}",
            s.source.describe(),
            port.as_ref().map(|p| format!(" · port {p}")).unwrap_or_default()
        ),
        Source::Code {
            configuration,
            runtime,
            port,
            ..
        } => format!(
            "{} · {} · {} config{}",
            s.source.describe(),
            runtime.as_deref().unwrap_or("-"),
            configuration.as_deref().unwrap_or("-").to_lowercase(),
            port.as_ref().map(|p| format!(" · port {p}")).unwrap_or_default()
        ),
        Source::Unknown => "-".into(),
    };
    out.push(("source", plain(source)));
    out.push((
        "deploys",
        plain(if s.auto_deployments {
            "automatically, on each new image or commit".into()
        } else {
            "when started (automatic deployments off)".into()
        }),
    ));
    out.push((
        "instance",
        plain(format!("{} · role {}", s.size(), role_name(s.instance_role.as_deref()))),
    ));
    out.push((
        "scaling",
        plain(s.scaling.as_ref().map_or_else(
            || "-".into(),
            |a| {
                format!(
                    "{} (revision {}): {}–{} instances, {} concurrent requests each",
                    a.name, a.revision, a.min_size, a.max_size, a.max_concurrency
                )
            },
        )),
    ));
    let h = &s.health_check;
    out.push((
        "health",
        plain(format!(
            "{}{} every {}s, timeout {}s, healthy after {}, unhealthy after {}",
            h.protocol,
            h.path.as_ref().map(|p| format!(" {p}")).unwrap_or_default(),
            h.interval,
            h.timeout,
            h.healthy,
            h.unhealthy
        )),
    ));
    let n = &s.network;
    let outbound = match &n.vpc_connector {
        Some(c) => format!(
            "VPC connector {} ({} subnets, {})",
            c.name,
            c.subnets.len(),
            c.security_groups.join(", ")
        ),
        None => "the internet".into(),
    };
    out.push((
        "network",
        plain(format!(
            "{} · outbound: {outbound} · {}",
            if n.public {
                "public"
            } else {
                "private (VPC endpoint only)"
            },
            n.ip
        )),
    ));
    out.push((
        "tracing",
        plain(s.observability.as_ref().map_or_else(
            || "off".into(),
            |arn| format!("on ({})", arn.split('/').nth(1).unwrap_or(arn)),
        )),
    ));
    if let Some(key) = &s.kms_key {
        out.push(("kms key", plain(key.rsplit('/').next().unwrap_or(key).to_string())));
    }
    out
}

pub const OPERATION_COLUMNS: &[Column] = &[
    Column::new("OPERATION", 10, 16, 0),
    Column::new("STATUS", 10, 20, 0),
    Column::new("AGE", 6, 7, 0).right(),
    Column::new("TOOK", 6, 8, 1).right(),
    Column::new("ID", 12, 36, 3),
];

impl Row for Operation {
    fn columns() -> &'static [Column] {
        OPERATION_COLUMNS
    }

    fn cell(&self, column: usize, cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(operation_name(&self.kind)),
            1 => {
                let tone = if self.failed() {
                    Tone::Err
                } else if self.in_progress() {
                    Tone::Info
                } else {
                    Tone::Ok
                };
                Cell::tone(self.status.as_str(), tone)
            }
            2 => self
                .started_at
                .map_or_else(|| Cell::muted("-"), |t| Cell::new(fmt_age(t, cx.now))),
            3 => match (self.started_at, self.ended_at) {
                (Some(a), Some(b)) => Cell::new(fmt_secs(b.duration_since(a).as_secs())),
                (Some(a), None) => Cell::tone(fmt_secs(cx.now.duration_since(a).as_secs()), Tone::Info),
                _ => Cell::muted("-"),
            },
            4 => Cell::muted(self.id.as_str()),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            2 => SortKey::time(self.started_at).negate(),
            _ => SortKey::Text(Cow::Owned(self.cell(column, cx).text.into_owned())),
        }
    }
}
