//! The raw resource (`:json`, `:yaml`, `o`): whatever the user is on, as its API returned
//! it — an AWS resource in AWS's field names, a Kubernetes object as `kubectl get -o yaml`
//! shows it (managedFields hidden unless `:yaml managed`, a Secret's values masked). It
//! scrolls; `/` keeps the lines that match (with their line numbers); `o` again opens it
//! in `$PAGER`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::domain::fetch::Fetch;
use crate::domain::raw::{RawFormat, RawTarget};
use crate::store::Store;
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::CommandSpec;
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;

pub const ID: ScreenId = ScreenId("raw");

pub struct Raw;

fn target(route: &Route) -> Option<&(RawTarget, RawFormat)> {
    route.raw.as_ref()
}

/// The kind name of a workload, as the API serves it.
fn workload_kind(kind: crate::domain::kube::WorkloadKind) -> String {
    format!("{}s", kind.as_str().to_lowercase())
}

/// What the user is on, most specific first, as a resource with a raw form.
pub fn aim(store: &Store, selection: &Selection, managed: bool) -> Result<RawTarget, String> {
    let route = store.ui.route();
    if let Some(cluster) = selection.eks_cluster() {
        let kube = |kind: String, namespace: Option<String>, name: String| RawTarget::Kube {
            cluster: cluster.to_string(),
            kind,
            namespace,
            name,
            managed,
        };
        if let Some(p) = &selection.pod {
            return Ok(kube("pods".into(), Some(p.namespace.clone()), p.name.clone()));
        }
        if let Some(w) = &selection.workload {
            return Ok(kube(workload_kind(w.kind), Some(w.namespace.clone()), w.name.clone()));
        }
        if let Some(n) = &selection.node {
            return Ok(kube("nodes".into(), None, n.name.clone()));
        }
        if let Some(o) = &selection.object {
            return Ok(kube(o.kind.clone(), o.namespace.clone(), o.name.clone()));
        }
        if let Some(g) = &selection.nodegroup {
            return Ok(RawTarget::NodeGroup {
                cluster: cluster.to_string(),
                name: g.name.clone(),
            });
        }
        return Ok(RawTarget::EksCluster {
            arn: cluster.to_string(),
        });
    }
    if let Some(s) = &selection.apprunner {
        return Ok(RawTarget::AppRunner { arn: s.arn.clone() });
    }
    if let Some(arn) = route.arn.as_deref().filter(|a| a.contains(":targetgroup/")) {
        return Ok(RawTarget::TargetGroup { arn: arn.to_string() });
    }
    // On a service's targets: its (first) target group.
    if route.is(super::targets::ID)
        && let Some(lb) = selection.service.as_ref().and_then(|s| {
            s.load_balancers
                .iter()
                .find(|lb| !crate::domain::is_classic(&lb.target_group_arn))
        })
    {
        return Ok(RawTarget::TargetGroup {
            arn: lb.target_group_arn.clone(),
        });
    }
    if route.is(super::repos::ID)
        && let (Some(account), Some(region), Some(name)) = (&route.account, &route.region, &selection.copy)
    {
        return Ok(RawTarget::Repository {
            account: account.clone(),
            region: region.clone(),
            name: name.clone(),
        });
    }
    let cluster = selection.ecs_cluster().map(str::to_string);
    if let Some(t) = &selection.task {
        return Ok(RawTarget::Task {
            cluster: cluster.unwrap_or_else(|| t.cluster_arn.clone()),
            arn: t.arn.clone(),
        });
    }
    if let Some(i) = &selection.instance {
        return Ok(RawTarget::ContainerInstance {
            cluster: cluster.unwrap_or_default(),
            arn: i.arn.clone(),
        });
    }
    if let Some(s) = &selection.service {
        return Ok(RawTarget::Service {
            cluster: s.cluster_arn.clone(),
            arn: s.arn.clone(),
        });
    }
    if let Some(td) = &selection.task_definition {
        return Ok(RawTarget::TaskDefinition { arn: td.clone() });
    }
    match cluster {
        Some(arn) => Ok(RawTarget::EcsCluster { arn }),
        None => Err("select a resource first: a cluster, service, task, node group, pod or object".into()),
    }
}

/// The document on screen as text, when it has been read.
pub fn text(store: &Store) -> Option<String> {
    let page = store.ui.page();
    let (target, format) = target(&page.route)?;
    let doc = store.raw.get(target)?.value.as_ref()?;
    Some(doc.text(*format, page.reveal))
}

impl Screen for Raw {
    fn id(&self) -> ScreenId {
        ID
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        match target(route) {
            Some((t, format)) => vec![
                t.label(),
                match format {
                    RawFormat::Json => "json".into(),
                    RawFormat::Yaml => "yaml".into(),
                },
            ],
            None => vec!["raw".into()],
        }
    }

    fn scope(&self, _store: &Store, page: &Page) -> Vec<Fetch> {
        target(&page.route)
            .map(|(target, _)| Fetch::Raw { target: target.clone() })
            .into_iter()
            .collect()
    }

    fn scrolls(&self) -> bool {
        true
    }

    fn selection(&self, store: &Store) -> Selection {
        let mut selection = Selection::default();
        if let Some((t, _)) = target(store.ui.route()) {
            selection.copy = Some(match t {
                RawTarget::Kube {
                    namespace: Some(ns),
                    name,
                    ..
                } => format!("{ns}/{name}"),
                RawTarget::Kube { name, .. } => name.clone(),
                RawTarget::NodeGroup { name, .. } => name.clone(),
                other => other.arn().to_string(),
            });
        }
        selection
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of_read(target(&page.route).and_then(|(t, _)| store.raw.get(t)))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Filter, Raw, Reveal, CopyArn, Back, Help]
    }

    /// `v` shows the environment values it masks, and masks them again.
    fn key(&self, store: &mut Store, command: Command) -> bool {
        if command != Command::Reveal {
            return false;
        }
        let page = store.ui.page_mut();
        page.reveal = !page.reveal;
        true
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        (command == Command::Raw).then_some("$PAGER")
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[
            CommandSpec::new(
                &["json"],
                "json",
                "the selection as its API returns it (AWS: JSON in AWS's field names)",
            ),
            CommandSpec::new(
                &["yaml"],
                "yaml [managed]",
                "the selection as YAML (Kubernetes: as kubectl shows it; managed: with managedFields)",
            ),
        ];
        C
    }

    fn opened_by(&self) -> Option<Command> {
        Some(Command::Raw)
    }

    fn command(&self, store: &Store, name: &str, args: &[&str]) -> Result<Go, String> {
        let managed = match args {
            [] => false,
            ["managed"] => true,
            _ => {
                return Err(format!(
                    "usage: :{name}{}",
                    if name == "yaml" { " [managed]" } else { "" }
                ));
            }
        };
        let selection = super::selection(store);
        let target = aim(store, &selection, managed)?;
        let format = match name {
            "json" => RawFormat::Json,
            "yaml" => RawFormat::Yaml,
            // `o`: as the resource's own API speaks.
            _ if target.is_kube() => RawFormat::Yaml,
            _ => RawFormat::Json,
        };
        // The cluster (or the resource) says whose account and region it is, for the header.
        let mut route = Route::new(ID).cluster(target.arn());
        route.raw = Some((target, format));
        Ok(Go::here(route))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        let Some((target, format)) = target(&page.route) else {
            return;
        };
        let fetched = store.raw.get(target);
        let mut title = vec![Span::styled(format!(" {} ", target.label()), theme.title)];
        let doc = fetched.and_then(|f| f.value.as_ref());
        if let Some(doc) = doc {
            title.push(Span::styled(format!("· {} ", doc.source), theme.muted));
        }
        let error = fetched.and_then(|f| f.error.as_ref());
        let filter = page.table().filter.to_lowercase();
        let mut lines: Vec<Line> = Vec::new();
        if let Some(e) = error {
            lines.push(Line::from(Span::styled(e.message.clone(), theme.status_err)));
        }
        match doc {
            None if error.is_none() => lines.push(Line::from(Span::styled("reading…", theme.muted))),
            None => {}
            Some(doc) => {
                let text = doc.text(*format, page.reveal);
                if !page.reveal && text.contains(crate::domain::raw::MASK) {
                    title.push(Span::styled("· environment values masked (v shows) ", theme.muted));
                }
                if filter.is_empty() {
                    lines.extend(text.lines().map(|l| Line::from(l.to_string())));
                } else {
                    let width = text.lines().count().to_string().len();
                    let matched: Vec<Line> = text
                        .lines()
                        .enumerate()
                        .filter(|(_, l)| l.to_lowercase().contains(&filter))
                        .map(|(i, l)| {
                            Line::from(vec![
                                Span::styled(format!("{:>width$} ", i + 1), theme.muted),
                                Span::raw(l.to_string()),
                            ])
                        })
                        .collect();
                    title.push(Span::styled(
                        format!("· {} lines match /{} ", matched.len(), page.table().filter),
                        theme.status_info,
                    ));
                    lines.extend(matched);
                }
            }
        }
        crate::ui::widgets::scrolled(buf, area, Line::from(title), None, lines, page.scroll, theme);
    }
}
