//! An EKS cluster: its status, version and endpoint access; its managed node groups,
//! Fargate profiles and add-ons. `:pods`, `:nodes`, `:wl`, ... show what runs inside.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use super::kube::{self as k8s, Pane, text_key};
use crate::domain::fetch::Fetch;
use crate::domain::kube::{Addon, FargateProfile, KubeKind, NodeGroup};
use crate::store::Store;
use crate::store::kube::KubeData;
use crate::store::table::{Cell, Column, Row, RowCx, SortKey, Tone};
use crate::store::ui::{Page, Route, ScreenId};
use crate::ui::commands::{Arg, CommandSpec};
use crate::ui::keymap::Command;
use crate::ui::screen::{Freshness, Go, Screen, Selection};
use crate::ui::theme::Theme;
use crate::ui::widgets::{details, details_height, role_name, status_tone, toned};
use crate::util::{arn_region, arn_tail};

pub const ID: ScreenId = ScreenId("eks");

/// The panes, in focus order.
pub const NODEGROUPS: usize = 0;
pub const FARGATE: usize = 1;
pub const ADDONS: usize = 2;

pub struct Eks;

impl Screen for Eks {
    fn id(&self) -> ScreenId {
        ID
    }

    fn panes(&self) -> usize {
        3
    }

    fn crumbs(&self, _store: &Store, route: &Route) -> Vec<String> {
        let cluster = route.cluster_arn();
        vec![
            arn_region(cluster).unwrap_or("?").to_string(),
            arn_tail(cluster).to_string(),
            "eks".into(),
        ]
    }

    fn scope(&self, store: &Store, page: &Page) -> Vec<Fetch> {
        let cluster = page.route.cluster_arn().to_string();
        vec![
            Fetch::EksClusters {
                account: store.account_name_of(&cluster).to_string(),
                region: arn_region(&cluster).unwrap_or_default().to_string(),
            },
            Fetch::NodeGroups {
                cluster: cluster.clone(),
            },
            Fetch::FargateProfiles {
                cluster: cluster.clone(),
            },
            Fetch::Addons {
                cluster: cluster.clone(),
            },
            // Its kinds, for `:KIND` and its completion.
            Fetch::KubeKinds {
                cluster: cluster.clone(),
            },
            Fetch::kube(&cluster, KubeKind::Nodes),
            Fetch::kube(&cluster, KubeKind::Pods),
        ]
    }

    fn sync(&self, store: &mut Store) {
        k8s::sync_one(store, NODEGROUPS, |d| &d.nodegroups, |_| None);
        k8s::sync_one(store, FARGATE, |d| &d.fargate, |_| None);
        k8s::sync_one(store, ADDONS, |d| &d.addons, |_| None);
    }

    fn columns(&self, _store: &Store, page: &Page) -> (&'static [Column], &'static [usize]) {
        match page.focus {
            NODEGROUPS => (NodeGroup::columns(), &[]),
            FARGATE => (FargateProfile::columns(), &[]),
            _ => (Addon::columns(), &[]),
        }
    }

    fn open(&self, store: &Store) -> Result<Option<Go>, String> {
        let page = store.ui.page();
        let cluster = page.route.cluster_arn();
        let nodes = Go::here(Route::new(super::nodes::ID).cluster(cluster));
        match page.focus {
            NODEGROUPS => Ok(k8s::selected(page, store.kube.get(cluster).map(|d| &d.nodegroups))
                .map(|g| nodes.filter(format!("group:{}", g.name)))),
            FARGATE => Ok(Some(nodes.filter("group:fargate"))),
            _ => Ok(None),
        }
    }

    fn selection(&self, store: &Store) -> Selection {
        let page = store.ui.page();
        let mut selection = k8s::list_selection(store);
        if page.focus == NODEGROUPS {
            selection.nodegroup =
                k8s::selected(page, store.kube.get(page.route.cluster_arn()).map(|d| &d.nodegroups)).cloned();
        }
        selection
    }

    fn freshness(&self, store: &Store, page: &Page) -> Freshness {
        Freshness::of(store.kube.get(page.route.cluster_arn()).map(|d| &d.nodegroups))
    }

    fn hints(&self) -> &'static [Command] {
        use Command::*;
        &[Open, NextPane, Scale, CommandLine, Help, Back]
    }

    fn hint_label(&self, command: Command) -> Option<&'static str> {
        k8s::hint(command)
    }

    fn commands(&self) -> &'static [CommandSpec] {
        const C: &[CommandSpec] = &[CommandSpec::new(
            &["eks", "k8s"],
            "eks [NAME]",
            "an EKS cluster: node groups, Fargate, add-ons",
        )
        .completes(Arg::EksClusters)];
        C
    }

    fn command(&self, store: &Store, _name: &str, args: &[&str]) -> Result<Go, String> {
        let cluster = match args {
            [name] => store.find_eks(name).map(|c| c.arn.clone()).ok_or_else(|| {
                let known: Vec<String> = store.all_eks().map(|c| c.name.clone()).collect();
                format!("no EKS cluster {name} (known: {})", known.join(", "))
            })?,
            [] => super::current_eks(store, &super::selection(store))
                .ok_or("which EKS cluster? :eks NAME, or select one in :fleet")?,
            _ => return Err("usage: :eks [NAME]".into()),
        };
        Ok(Go::root(vec![Route::new(ID).cluster(cluster)]))
    }

    fn render(&self, buf: &mut Buffer, area: Rect, store: &Store, page: &Page, theme: &Theme) {
        render_eks(buf, area, store, page, page.route.cluster_arn(), theme);
    }
}

impl Row for NodeGroup {
    /// With health issues or not working first, then updating.
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(match self.status.as_str() {
            _ if !self.health_issues.is_empty() => 0,
            "ACTIVE" => 2,
            "UPDATING" => 1,
            _ => 0,
        })
    }

    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 10, 28, 0),
            Column::new("STATUS", 8, 16, 0),
            Column::new("CAPACITY", 9, 9, 0),
            Column::new("INSTANCE TYPES", 12, 30, 1),
            Column::new("AMI", 10, 24, 3),
            Column::new("MIN", 3, 4, 0).right(),
            Column::new("DESIRED", 7, 7, 0).right(),
            Column::new("MAX", 3, 4, 0).right(),
            Column::new("VERSION", 7, 8, 2),
            Column::new("HEALTH", 8, 60, 1).late(),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            2 => Cell::tone(
                self.capacity_type.as_str(),
                if self.capacity_type == "SPOT" {
                    Tone::Info
                } else {
                    Tone::Normal
                },
            ),
            3 => Cell::new(self.instance_types.join(",")),
            4 => Cell::new(self.ami_type.as_str()),
            5 => Cell::new(self.min.to_string()),
            6 => Cell::new(self.desired.to_string()),
            7 => Cell::new(self.max.to_string()),
            8 => Cell::opt(self.version.as_deref()),
            9 if self.health_issues.is_empty() => Cell::tone("ok", Tone::Ok),
            9 => Cell::tone(self.health_issues.join("; "), Tone::Err),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        match column {
            5 => SortKey::num(self.min),
            6 => SortKey::num(self.desired),
            7 => SortKey::num(self.max),
            _ => text_key(self, column, cx),
        }
    }
}

impl Row for FargateProfile {
    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 10, 28, 0),
            Column::new("STATUS", 8, 16, 0),
            Column::new("SELECTORS", 16, 60, 0),
            Column::new("SUBNETS", 10, 60, 2).late(),
            Column::new("POD ROLE", 10, 40, 1).late(),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            2 => Cell::new(self.selectors.join(" · ")),
            3 => Cell::new(self.subnets.join(",")),
            4 => Cell::new(role_name(self.role.as_deref())),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        text_key(self, column, cx)
    }
}

impl Row for Addon {
    fn health_rank(&self, _cx: &RowCx<'_>) -> Option<u8> {
        Some(match self.status.as_str() {
            _ if !self.health_issues.is_empty() => 0,
            "ACTIVE" => 2,
            "UPDATING" | "CREATING" => 1,
            _ => 0,
        })
    }

    fn columns() -> &'static [Column] {
        const C: &[Column] = &[
            Column::new("NAME", 10, 28, 0),
            Column::new("VERSION", 10, 24, 0),
            Column::new("STATUS", 8, 16, 0),
            Column::new("HEALTH", 8, 80, 1).late(),
        ];
        C
    }

    fn cell(&self, column: usize, _cx: &RowCx) -> Cell<'_> {
        match column {
            0 => Cell::new(self.name.as_str()),
            1 => Cell::new(self.version.as_str()),
            2 => Cell::tone(self.status.as_str(), status_tone(&self.status)),
            3 if self.health_issues.is_empty() => Cell::tone("ok", Tone::Ok),
            3 => Cell::tone(self.health_issues.join("; "), Tone::Err),
            _ => Cell::muted("-"),
        }
    }

    fn sort_key(&self, column: usize, cx: &RowCx) -> SortKey<'_> {
        text_key(self, column, cx)
    }
}

fn render_eks(buf: &mut Buffer, area: Rect, store: &Store, page: &Page, cluster: &str, theme: &Theme) {
    let data: Option<&KubeData> = store.kube.get(cluster);
    let info = store.eks_cluster(cluster);
    let text = |s: String| Span::styled(s, theme.text);
    let mut pairs: Vec<(&str, Span<'_>)> = Vec::new();
    if let Some(c) = info {
        pairs.push(("Status", toned(c.status.as_str(), status_tone(&c.status), theme)));
        pairs.push((
            "Version",
            text(format!(
                "{} ({})",
                c.version,
                c.platform_version.as_deref().unwrap_or("-")
            )),
        ));
        let access = match (c.public_access, c.private_access) {
            (true, true) => "public and private",
            (true, false) => "public",
            (false, true) => "private",
            (false, false) => "-",
        };
        pairs.push(("Endpoint", text(access.to_string())));
        if let Some(d) = data {
            let nodes = d.nodes.items();
            let ready = nodes.iter().filter(|n| n.ready).count();
            let pods = d.pods.items();
            let failing = pods.iter().filter(|p| p.failing()).count();
            pairs.push(("Nodes", text(format!("{ready}/{} ready", nodes.len()))));
            pairs.push((
                "Pods",
                toned(
                    format!("{} · {failing} failing", pods.len()),
                    if failing > 0 { Tone::Warn } else { Tone::Normal },
                    theme,
                ),
            ));
        }
    }
    pairs.push(("Views", Span::styled(":pods :nodes :wl :hpa :ev :pvc", theme.muted)));
    let columns = 2;
    let height = details_height(pairs.len(), columns);
    let groups = data.map_or(0, |d| d.nodegroups.items().len()) as u16;
    let fargate = data.map_or(0, |d| d.fargate.items().len()) as u16;
    let [top, groups, profiles, extra] = Layout::vertical([
        Constraint::Length(height),
        Constraint::Length((groups + 3).clamp(4, 12)),
        Constraint::Length((fargate + 3).clamp(4, 7)),
        Constraint::Min(4),
    ])
    .areas(area);
    details(buf, top, &format!("eks({})", arn_tail(cluster)), &pairs, columns, theme);
    k8s::pane(
        buf,
        groups,
        store,
        page,
        NODEGROUPS,
        Pane {
            title: "node groups".into(),
            set: data.map(|d| &d.nodegroups),
            what: "managed node groups",
            hidden: &[],
        },
        theme,
    );
    k8s::pane(
        buf,
        profiles,
        store,
        page,
        FARGATE,
        Pane {
            title: "fargate profiles".into(),
            set: data.map(|d| &d.fargate),
            what: "Fargate profiles",
            hidden: &[],
        },
        theme,
    );
    k8s::pane(
        buf,
        extra,
        store,
        page,
        ADDONS,
        Pane {
            title: "add-ons".into(),
            set: data.map(|d| &d.addons),
            what: "add-ons",
            hidden: &[],
        },
        theme,
    );
}
