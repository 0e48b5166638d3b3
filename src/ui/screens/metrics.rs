//! Charts of a service's metrics: CPU and memory; requests, 5xx and latency behind a load
//! balancer; queue depth when it scales on a queue. A 1h / 3h / 24h / 7d window, a period
//! fitted to it, axes with units, and gaps where there is no data.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, BorderType, Borders, Chart, Dataset, GraphType, Widget};

use crate::domain::fetch::Fetch;
use crate::domain::metrics::{self, Deploy, Marks, MetricSeries, SeriesKey, Unit, Window};
use crate::store::Store;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::util::{arn_region, arn_tail};

pub const ID: ScreenId = ScreenId("metrics");

pub struct Metrics;

impl Screen for Metrics {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        super::service_crumbs(route, "metrics")
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn();
        let service = page.route.service.as_deref().unwrap_or_default();
        let mut fetches = vec![
            Fetch::services(cluster),
            Fetch::Metrics {
                window: page.window,
                series: plots(store, cluster, service).into_iter().map(|p| p.key).collect(),
            },
            Fetch::Scaling {
                account: store.account_name_of(cluster).to_string(),
                region: arn_region(cluster).unwrap_or_default().to_string(),
            },
            // Their thresholds are lines on the charts.
            Fetch::Alarms {
                account: store.account_name_of(cluster).to_string(),
                region: arn_region(cluster).unwrap_or_default().to_string(),
            },
        ];
        fetches.extend(super::target_groups(store, cluster, service));
        fetches
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        super::service_page_selection(store)
    }

    fn freshness(&self, store: &Store, _page: &Page) -> Freshness {
        freshness(store)
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Window1h, Window24h, Window7d, Back, Help]
    }

    fn key(&self, store: &mut Store, command: Command) -> bool {
        window_key(store, command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["metrics", "charts"],
            "metrics",
            "charts of the service",
        )];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Metrics)
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        if let Some(s) = super::selection(store).apprunner.filter(|_| args.is_empty()) {
            return Ok(super::apprunner_metrics::open(store, &s.arn));
        }
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

/// How fresh the charts are: as the last metrics read.
pub fn freshness(store: &Store) -> Freshness {
    Freshness::of_read(Some(&store.insight.metrics_status))
}

/// `1` `2` `3` `4`: the charts' window.
pub fn window_key(store: &mut Store, command: Command) -> bool {
    let window = match command {
        Command::Window1h => Window::Hour,
        Command::Window3h => Window::ThreeHours,
        Command::Window24h => Window::Day,
        Command::Window7d => Window::Week,
        _ => return false,
    };
    store.ui.page_mut().window = window;
    true
}

/// A chart: its title, the series it draws, and what it marks beside it.
pub struct Plot {
    pub title: &'static str,
    pub key: SeriesKey,
    pub marks: Marks,
}

impl Plot {
    pub fn new(title: &'static str, key: SeriesKey) -> Self {
        Plot {
            title,
            key,
            marks: Marks::default(),
        }
    }
}

/// What a service's charts show, from what the store knows of it (its load balancer and
/// its scaling policies come from their own fetches).
pub fn plots(store: &Store, cluster: &str, service: &str) -> Vec<Plot> {
    let region = arn_region(cluster).unwrap_or_default();
    let place = metrics::place_of(cluster);
    let (cluster_name, service_name) = (arn_tail(cluster), arn_tail(service));
    let [cpu, mem] = metrics::service_series(place, cluster_name, service_name);
    let mut plots = vec![Plot::new("CPU", cpu), Plot::new("Memory", mem)];
    if let Some(svc) = store.service(cluster, service) {
        for lb in &svc.load_balancers {
            let Some(tg) = metrics::arn_suffix(&lb.target_group_arn, "targetgroup/") else {
                continue;
            };
            let balancer_arn = store
                .insight
                .targets
                .get(&lb.target_group_arn)
                .and_then(|t| t.value.as_ref())
                .and_then(|t| t.load_balancers.first());
            // A Network Load Balancer's target group: its own metrics.
            if let Some(nlb) = balancer_arn.and_then(|arn| metrics::arn_suffix(arn, ":loadbalancer/net/")) {
                let nlb = nlb.trim_start_matches(":loadbalancer/");
                for (title, key) in metrics::network_series(place, &tg, nlb) {
                    plots.push(Plot::new(title, key));
                }
                continue;
            }
            let balancer = balancer_arn.and_then(|arn| metrics::arn_suffix(arn, "app/"));
            let titles = ["Requests / target", "Target 5xx", "Response time"];
            for (key, title) in metrics::target_group_series(place, &tg, balancer.as_deref())
                .into_iter()
                .zip(titles)
            {
                plots.push(Plot::new(title, key));
            }
        }
    }
    let resource = crate::domain::insight::resource_id(cluster, service);
    let queue = store
        .insight
        .scaling
        .get(&crate::store::insight::place(store.account_name_of(cluster), region))
        .and_then(|s| s.value.as_ref())
        .and_then(|s| s.queue_of(&resource).map(str::to_string));
    if let Some(queue) = queue {
        plots.push(Plot::new("Queue depth", metrics::queue_series(place, &queue)));
    }
    // When each deployment still in the service's list started (a failed one marked so),
    // and the thresholds of the alarms on each series.
    let deploys: Vec<Deploy> = store
        .service(cluster, service)
        .map(|s| {
            s.deployments
                .iter()
                .filter_map(|d| {
                    Some(Deploy {
                        at: d.created_at?,
                        failed: d.rollout_state == crate::domain::RolloutState::Failed,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    mark(store, cluster, &mut plots, &deploys);
    plots
}

/// Put `deploys` and the thresholds of the alarms (of the account and region of `arn`)
/// on `plots`.
pub fn mark(store: &Store, arn: &str, plots: &mut [Plot], deploys: &[Deploy]) {
    let place = crate::store::insight::place(store.account_name_of(arn), arn_region(arn).unwrap_or_default());
    let alarms = store.insight.alarms.get(&place).map(|c| c.items()).unwrap_or_default();
    for plot in plots {
        plot.marks = Marks {
            deploys: deploys.to_vec(),
            thresholds: Vec::new(),
        }
        .with_alarms(&plot.key, alarms);
    }
}

/// `09:30` for a day or less, `Mon 09:30` beyond.
fn time_label(t: f64, window: Window, tz: &TimeZone) -> String {
    let Ok(ts) = Timestamp::from_second(t as i64) else {
        return String::new();
    };
    let zoned = ts.to_zoned(tz.clone());
    if window == Window::Week {
        zoned.strftime("%a %H:%M").to_string()
    } else {
        zoned.strftime("%H:%M").to_string()
    }
}

/// Contiguous runs of points: a missing period breaks the line.
fn runs(series: &MetricSeries) -> Vec<Vec<(f64, f64)>> {
    let step = series.window.period() as f64;
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut last: Option<f64> = None;
    for (t, v) in &series.points {
        let x = t.as_second() as f64;
        if last.is_none_or(|l| x - l > step * 1.5) {
            runs.push(Vec::new());
        }
        runs.last_mut().expect("pushed above").push((x, *v));
        last = Some(x);
    }
    runs
}

#[allow(clippy::too_many_arguments)]
pub fn chart(
    buf: &mut Buffer,
    area: Rect,
    title: &str,
    key: &SeriesKey,
    series: Option<&MetricSeries>,
    marks: &Marks,
    tz: &TimeZone,
    theme: &Theme,
) {
    let unit = key.unit();
    let latest = series.and_then(MetricSeries::latest);
    let mut heading = vec![Span::styled(format!(" {title} "), theme.title)];
    heading.push(Span::styled(
        format!(
            "{} {} ",
            key.stat.to_lowercase(),
            latest.map_or("-".to_string(), |v| unit.format(v))
        ),
        theme.text,
    ));
    // What the marks are: `│ deploy` in the deploys' colour, `─ alarm 80%` in the alarm's.
    let shown = |t: &Timestamp| series.is_some_and(|s| *t >= s.start && *t <= s.end);
    let deploys = marks.deploys.iter().filter(|d| shown(&d.at)).count();
    if deploys > 0 {
        let failed = marks.deploys.iter().any(|d| d.failed && shown(&d.at));
        let style = if failed { theme.status_err } else { theme.key };
        let text = match deploys {
            1 => "│ deploy ".to_string(),
            n => format!("│ {n} deploys "),
        };
        heading.push(Span::styled(text, style));
    }
    for (threshold, name, firing) in &marks.thresholds {
        let style = if *firing { theme.status_err } else { theme.muted };
        heading.push(Span::styled(format!("─ {name} {} ", unit.format(*threshold)), style));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border)
        .title(Line::from(heading));
    let Some(series) = series else {
        let inner = block.inner(area);
        block.render(area, buf);
        buf.set_stringn(
            inner.x + 1,
            inner.y,
            "loading…",
            inner.width.saturating_sub(1) as usize,
            theme.muted,
        );
        return;
    };
    if series.points.is_empty() {
        let inner = block.inner(area);
        block.render(area, buf);
        let text = format!("no data in the last {}", series.window.label());
        buf.set_stringn(
            inner.x + 1,
            inner.y,
            text,
            inner.width.saturating_sub(1) as usize,
            theme.muted,
        );
        return;
    }
    let (x0, x1) = (series.start.as_second() as f64, series.end.as_second() as f64);
    let highest = marks
        .thresholds
        .iter()
        .map(|t| t.0)
        .fold(series.max().unwrap_or(1.0), f64::max);
    let top = match unit {
        Unit::Percent => 100.0,
        _ => highest.max(f64::EPSILON) * 1.15,
    };
    let runs = runs(series);
    // A deploy is a vertical line at its start; a threshold, a horizontal one.
    let deploy_lines: Vec<([(f64, f64); 2], bool)> = marks
        .deploys
        .iter()
        .filter(|d| shown(&d.at))
        .map(|d| {
            let x = d.at.as_second() as f64;
            ([(x, 0.0), (x, top)], d.failed)
        })
        .collect();
    let threshold_lines: Vec<([(f64, f64); 2], bool)> = marks
        .thresholds
        .iter()
        .filter(|t| t.0 <= top)
        .map(|(y, _, firing)| ([(x0, *y), (x1, *y)], *firing))
        .collect();
    let style = if key.metric.to_uppercase().contains("5XX") && series.max().unwrap_or(0.0) > 0.0 {
        theme.status_err
    } else {
        theme.status_info
    };
    let mut datasets: Vec<Dataset<'_>> = deploy_lines
        .iter()
        .map(|(line, failed)| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(if *failed { theme.status_err } else { theme.key })
                .data(line)
        })
        .chain(threshold_lines.iter().map(|(line, firing)| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(if *firing { theme.status_err } else { theme.muted })
                .data(line)
        }))
        .collect();
    datasets.extend(runs.iter().map(|run| {
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(if run.len() == 1 {
                GraphType::Scatter
            } else {
                GraphType::Line
            })
            .style(style)
            .data(run)
    }));
    let mid = (x0 + x1) / 2.0;
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(Axis::default().bounds([x0, x1]).style(theme.muted).labels(vec![
            Span::styled(time_label(x0, series.window, tz), theme.muted),
            Span::styled(time_label(mid, series.window, tz), theme.muted),
            Span::styled(time_label(x1, series.window, tz), theme.muted),
        ]))
        .y_axis(Axis::default().bounds([0.0, top]).style(theme.muted).labels(vec![
            Span::styled(unit.format(0.0), theme.muted),
            Span::styled(unit.format(top / 2.0), theme.muted),
            Span::styled(unit.format(top), theme.muted),
        ]))
        .style(Style::default());
    chart.render(area, buf);
}

fn draw(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, service: &str, theme: &Theme) {
    let plots = plots(store, cluster, service);
    draw_plots(buf, area, store, page, arn_tail(service), &plots, theme);
}

/// Charts of `plots` under a header naming `what`, the window and its keys: two columns
/// when wide, scrolled with `j` / `k` when they do not all fit.
pub fn draw_plots(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, what: &str, plots: &[Plot], theme: &Theme) {
    let window = page.window;
    let keys: String = Window::ALL
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if *w == window {
                format!("[{}:{}]", i + 1, w.label())
            } else {
                format!(" {}:{} ", i + 1, w.label())
            }
        })
        .collect();
    let header = Line::from(vec![
        Span::styled(format!(" metrics({what}) "), theme.title),
        Span::styled(format!("period {}s  ", window.period()), theme.muted),
        Span::styled(keys, theme.key),
    ]);
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let header_width = header.width() as u16;
    header.render(top, buf);
    if let Some(error) = &store.insight.metrics_status.error {
        let text = crate::ui::widgets::describe_error(error, store.insight.metrics_status.fetched_at, store.now);
        buf.set_stringn(
            top.x + 1,
            top.y,
            format!("✗ {text}"),
            top.width as usize,
            theme.status_err,
        );
    }
    let columns = if body.width >= 120 { 2 } else { 1 };
    let per_chart = 8u16;
    let fit_rows = (body.height / per_chart).max(1) as usize;
    let visible = (fit_rows * columns).min(plots.len());
    let first = page.scroll.min(plots.len().saturating_sub(visible));
    let shown = &plots[first..first + visible];
    let rows = shown.len().div_ceil(columns);
    let row_areas = Layout::vertical(vec![Constraint::Ratio(1, rows.max(1) as u32); rows.max(1)]).split(body);
    for (r, row) in row_areas.iter().enumerate() {
        let cells = Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(*row);
        for (c, cell) in cells.iter().enumerate() {
            let Some(plot) = shown.get(r * columns + c) else {
                continue;
            };
            let series = store.insight.series(&plot.key, window);
            chart(
                buf,
                *cell,
                plot.title,
                &plot.key,
                series,
                &plot.marks,
                &store.context.tz,
                theme,
            );
        }
    }
    if visible < plots.len() {
        // Where the header leaves room; shorter where it does not.
        let long = format!(" {}-{} of {} charts · j/k ", first + 1, first + visible, plots.len());
        let short = format!(" {}-{}/{} ", first + 1, first + visible, plots.len());
        let room = area.width.saturating_sub(header_width + 1) as usize;
        let more = if long.chars().count() <= room { long } else { short };
        let x = area.right().saturating_sub(more.chars().count() as u16 + 1);
        buf.set_string(x, top.y, more, theme.muted);
    }
}
