//! What each screen needs from the app: its tables kept in sync, what `enter` opens, and
//! which fetches it puts on screen.

use crate::domain::ClusterKind;
use crate::domain::fetch::{Fetch, Scope};
use crate::domain::kube::KubeKind;
use crate::store::Store;
use crate::store::ui::{Route, service_panes};
use crate::ui::table::{self, Column, Row};
use crate::ui::views;

/// Bring the current page's tables up to date with the store.
pub fn sync(store: &mut Store) {
    match store.ui.route().clone() {
        Route::Fleet => views::fleet::sync(store),
        Route::Services { cluster } => views::services::sync(store, &cluster),
        Route::Service { cluster, service } => views::service::sync(store, &cluster, &service),
        Route::Tasks { cluster, service } => views::tasks::sync(store, &cluster, service.as_deref()),
        Route::Task { cluster, task } => views::task::sync(store, &cluster, &task),
        Route::Instances { cluster } => views::instances::sync(store, &cluster),
        Route::Targets { cluster, service } => views::targets::sync(store, &cluster, &service),
        Route::Images { cluster, service } => views::images::sync(store, &cluster, &service),
        Route::Repositories { region } => views::images::sync_repositories(store, &region),
        Route::Schedules { cluster } => views::images::sync_schedules(store, &cluster),
        Route::Eks { .. } | Route::Kube { .. } | Route::Pod { .. } => views::kube::sync(store),
        // Text views keep no table.
        Route::Metrics { .. }
        | Route::Scaling { .. }
        | Route::Logs { .. }
        | Route::PodLogs { .. }
        | Route::TaskDefinition { .. } => {}
    }
}

/// The columns of the focused table, and the ones the view hides.
pub fn columns(store: &Store) -> (&'static [Column], &'static [usize]) {
    let page = store.ui.page();
    match &page.route {
        Route::Fleet => (crate::domain::FleetRow::columns(), &[]),
        Route::Services { .. } => (crate::domain::Service::columns(), &[]),
        Route::Service { .. } => match page.focus {
            service_panes::DEPLOYMENTS => (crate::domain::Deployment::columns(), &[]),
            service_panes::TASKS => (crate::domain::Task::columns(), views::tasks::HIDDEN_IN_SERVICE),
            _ => (crate::domain::ServiceEvent::columns(), &[]),
        },
        Route::Tasks { service, .. } => (
            crate::domain::Task::columns(),
            views::tasks::hidden(page.show_stopped, service.is_some()),
        ),
        Route::Task { .. } => (crate::domain::Container::columns(), &[]),
        Route::Instances { .. } => (crate::domain::ContainerInstance::columns(), &[]),
        Route::Targets { .. } => (views::targets::TargetRow::columns(), &[]),
        Route::Images { .. } => (crate::domain::insight::Image::columns(), &[]),
        Route::Repositories { .. } => (crate::domain::insight::Repository::columns(), &[]),
        Route::Schedules { .. } => (crate::domain::insight::ScheduledTask::columns(), &[]),
        Route::Eks { .. } | Route::Kube { .. } | Route::Pod { .. } => {
            (views::kube::columns(&page.route, page.focus), &[])
        }
        Route::Metrics { .. }
        | Route::Scaling { .. }
        | Route::Logs { .. }
        | Route::PodLogs { .. }
        | Route::TaskDefinition { .. } => (&[], &[]),
    }
}

/// Whether the page is text that scrolls rather than a table.
pub fn is_text(route: &Route) -> bool {
    matches!(
        route,
        Route::Metrics { .. }
            | Route::Scaling { .. }
            | Route::Logs { .. }
            | Route::PodLogs { .. }
            | Route::TaskDefinition { .. }
    )
}

/// What `enter` on the selection opens, or a message saying why nothing.
pub fn open(store: &Store) -> Result<Option<(Route, Option<String>)>, String> {
    let page = store.ui.page();
    let state = page.table();
    match &page.route {
        Route::Fleet => {
            let Some(row) = table::selected(state, store.fleet.items()) else {
                return Ok(None);
            };
            match row.kind {
                ClusterKind::Ecs => Ok(Some((
                    Route::Services {
                        cluster: row.arn.clone(),
                    },
                    None,
                ))),
                ClusterKind::Eks => Ok(Some((
                    Route::Eks {
                        cluster: row.arn.clone(),
                    },
                    None,
                ))),
            }
        }
        Route::Services { cluster } => {
            let services = store
                .cluster_data(cluster)
                .map(|d| d.services.items())
                .unwrap_or_default();
            Ok(table::selected(state, services).map(|s| {
                (
                    Route::Service {
                        cluster: cluster.clone(),
                        service: s.arn.clone(),
                    },
                    None,
                )
            }))
        }
        Route::Service { cluster, service } => {
            let data = store.cluster_data(cluster);
            let svc = data.and_then(|d| d.services.get(service));
            match page.focus {
                service_panes::TASKS => {
                    let tasks = data.map(|d| d.tasks.items()).unwrap_or_default();
                    Ok(table::selected(state, tasks).map(|t| {
                        (
                            Route::Task {
                                cluster: cluster.clone(),
                                task: t.arn.clone(),
                            },
                            None,
                        )
                    }))
                }
                service_panes::DEPLOYMENTS => {
                    let deployments = svc.map(|s| &s.deployments[..]).unwrap_or_default();
                    // A deployment opens the service's tasks of that revision.
                    Ok(table::selected(state, deployments).map(|d| {
                        (
                            Route::Tasks {
                                cluster: cluster.clone(),
                                service: svc.map(|s| s.name.clone()),
                            },
                            Some(format!("revision:{}", crate::util::task_def_short(&d.task_definition))),
                        )
                    }))
                }
                _ => Ok(None),
            }
        }
        Route::Tasks { cluster, .. } => {
            let set = views::tasks::source(store, cluster, page.show_stopped);
            Ok(set.and_then(|s| table::selected(state, s.items())).map(|t| {
                (
                    Route::Task {
                        cluster: cluster.clone(),
                        task: t.arn.clone(),
                    },
                    None,
                )
            }))
        }
        Route::Eks { cluster } => {
            let data = store.kube.get(cluster);
            match page.focus {
                views::kube::eks_panes::NODEGROUPS => {
                    Ok(views::kube::selected(page, data.map(|d| &d.nodegroups)).map(|g| {
                        (
                            Route::Kube {
                                cluster: cluster.clone(),
                                kind: KubeKind::Nodes,
                            },
                            Some(format!("group:{}", g.name)),
                        )
                    }))
                }
                views::kube::eks_panes::FARGATE => Ok(Some((
                    Route::Kube {
                        cluster: cluster.clone(),
                        kind: KubeKind::Nodes,
                    },
                    Some("group:fargate".to_string()),
                ))),
                _ => Ok(None),
            }
        }
        Route::Kube { cluster, kind } => {
            let data = store.kube.get(cluster);
            let pods = |filter: String| {
                (
                    Route::Kube {
                        cluster: cluster.clone(),
                        kind: KubeKind::Pods,
                    },
                    Some(filter),
                )
            };
            match kind {
                KubeKind::Pods => Ok(views::kube::selected(page, data.map(|d| &d.pods)).map(|p| {
                    (
                        Route::Pod {
                            cluster: cluster.clone(),
                            pod: p.key.clone(),
                        },
                        None,
                    )
                })),
                KubeKind::Nodes => {
                    Ok(views::kube::selected(page, data.map(|d| &d.nodes)).map(|n| pods(format!("node:{}", n.name))))
                }
                KubeKind::Workloads => Ok(views::kube::selected(page, data.map(|d| &d.workloads))
                    .map(|w| pods(format!("namespace:{} {}", w.namespace, w.name)))),
                _ => Ok(None),
            }
        }
        Route::Pod { cluster, pod } => {
            let Some(p) = store.kube.get(cluster).and_then(|d| d.pods.get(pod)) else {
                return Ok(None);
            };
            if page.focus != 0 {
                return Ok(None);
            }
            Ok(table::selected(state, &p.containers).map(|c| {
                (
                    Route::PodLogs {
                        cluster: cluster.clone(),
                        pod: pod.clone(),
                        container: c.name.clone(),
                        previous: false,
                    },
                    None,
                )
            }))
        }
        _ => Ok(None),
    }
}

/// The fetches the current screen shows, and what an open dialog or a followed action
/// needs: these refresh at the fast rate.
pub fn scope(store: &Store) -> Scope {
    let mut fetches = screen_fetches(store);
    if let Some(crate::store::ui::Dialog {
        step: crate::store::ui::Step::Pick { family, region, .. },
        ..
    }) = &store.ui.dialog
    {
        fetches.push(Fetch::Revisions {
            region: region.clone(),
            family: family.clone(),
        });
    }
    if let Some(crate::store::Follow {
        what: crate::store::Watch::Workload { cluster, .. },
        ..
    }) = &store.ops.follow
    {
        for kind in [KubeKind::Workloads, KubeKind::Pods] {
            fetches.push(Fetch::Kube {
                cluster: cluster.clone(),
                kind,
            });
        }
    } else if let Some(follow) = &store.ops.follow {
        let cluster = follow.what.cluster().to_string();
        fetches.push(Fetch::Services {
            cluster: cluster.clone(),
        });
        fetches.push(Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: false,
        });
        fetches.push(Fetch::Tasks {
            cluster: cluster.clone(),
            stopped: true,
        });
        if matches!(follow.what, crate::store::Watch::Instance { .. }) {
            fetches.push(Fetch::ContainerInstances { cluster });
        }
    }
    Scope::of(fetches)
}

/// CPU and memory of the last hour for every service of a cluster: the services table's
/// sparklines, in one batched fetch.
fn sparkline_metrics(store: &Store, cluster: &str) -> Option<Fetch> {
    let region = region_of(cluster);
    let cluster_name = crate::util::arn_tail(cluster);
    let services = store.cluster_data(cluster)?.services.items();
    if services.is_empty() {
        return None;
    }
    let series = services
        .iter()
        .flat_map(|s| crate::domain::metrics::service_series(&region, cluster_name, &s.name))
        .collect();
    Some(Fetch::Metrics {
        window: crate::domain::metrics::Window::Hour,
        series,
    })
}

fn region_of(arn: &str) -> String {
    crate::util::arn_region(arn).unwrap_or_default().to_string()
}

/// The target groups of a service, to fetch their health.
fn target_groups(store: &Store, cluster: &str, service: &str) -> Vec<Fetch> {
    store
        .service(cluster, service)
        .map(|s| {
            s.load_balancers
                .iter()
                .map(|lb| Fetch::Targets {
                    target_group: lb.target_group_arn.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn screen_fetches(store: &Store) -> Vec<Fetch> {
    let page = store.ui.page();
    let running = |c: &str| Fetch::Tasks {
        cluster: c.to_string(),
        stopped: false,
    };
    let stopped = |c: &str| Fetch::Tasks {
        cluster: c.to_string(),
        stopped: true,
    };
    let services = |c: &str| Fetch::Services { cluster: c.to_string() };
    let kube = |c: &str, kinds: &[KubeKind]| -> Vec<Fetch> {
        kinds
            .iter()
            .map(|&kind| Fetch::Kube {
                cluster: c.to_string(),
                kind,
            })
            .collect()
    };
    match &page.route {
        Route::Fleet => store
            .context
            .regions
            .iter()
            .flat_map(|r| {
                [
                    Fetch::EcsClusters { region: r.clone() },
                    Fetch::EksClusters { region: r.clone() },
                ]
            })
            .collect(),
        Route::Services { cluster } => {
            let mut fetches = vec![
                services(cluster),
                Fetch::Alarms {
                    region: region_of(cluster),
                },
            ];
            fetches.extend(sparkline_metrics(store, cluster));
            fetches
        }
        Route::Service { cluster, service } => {
            let region = region_of(cluster);
            let series = crate::domain::metrics::service_series(
                &region,
                crate::util::arn_tail(cluster),
                crate::util::arn_tail(service),
            );
            vec![
                services(cluster),
                running(cluster),
                Fetch::Alarms { region },
                Fetch::Metrics {
                    window: crate::domain::metrics::Window::Hour,
                    series: series.to_vec(),
                },
            ]
        }
        Route::Tasks { cluster, .. } => vec![running(cluster), stopped(cluster)],
        Route::Instances { cluster } => vec![
            Fetch::ContainerInstances {
                cluster: cluster.clone(),
            },
            running(cluster),
        ],
        Route::Metrics { cluster, service } => {
            let region = region_of(cluster);
            let plots = views::metrics::plots(store, cluster, service);
            let mut fetches = vec![
                services(cluster),
                Fetch::Metrics {
                    window: page.window,
                    series: plots.into_iter().map(|p| p.key).collect(),
                },
                Fetch::Scaling { region },
            ];
            fetches.extend(target_groups(store, cluster, service));
            fetches
        }
        Route::Scaling { cluster, .. } => vec![
            services(cluster),
            Fetch::Scaling {
                region: region_of(cluster),
            },
            Fetch::CapacityProviders {
                region: region_of(cluster),
                names: store
                    .cluster(cluster)
                    .map(|c| c.capacity_providers.clone())
                    .unwrap_or_default(),
            },
        ],
        Route::Targets { cluster, service } => {
            let mut fetches = vec![services(cluster), running(cluster)];
            fetches.extend(target_groups(store, cluster, service));
            if store.cluster(cluster).is_some_and(|c| c.container_instances > 0) {
                fetches.push(Fetch::ContainerInstances {
                    cluster: cluster.clone(),
                });
            }
            fetches
        }
        Route::Logs {
            cluster,
            task,
            container,
        } => {
            let mut fetches = vec![running(cluster), stopped(cluster)];
            if let Some(t) = store.cluster_data(cluster).and_then(|d| d.find_task(task)) {
                fetches.push(Fetch::TaskDefinition {
                    arn: t.task_definition.clone(),
                });
            }
            if let Ok((region, group, stream)) = views::logs::stream_of(store, cluster, task, container) {
                fetches.push(Fetch::Logs { region, group, stream });
            }
            fetches
        }
        Route::TaskDefinition { arn } => {
            let mut fetches = vec![Fetch::TaskDefinition { arn: arn.clone() }];
            if let Some(other) = &page.compare {
                fetches.push(Fetch::TaskDefinition { arn: other.clone() });
            }
            fetches
        }
        Route::Images { cluster, service } => {
            let mut fetches = vec![services(cluster)];
            if let Some(s) = store.service(cluster, service) {
                fetches.push(Fetch::TaskDefinition {
                    arn: s.task_definition.clone(),
                });
            }
            for (region, repository, _) in views::images::service_images(store, cluster, service) {
                fetches.push(Fetch::Images {
                    region,
                    repository,
                    tags: vec![],
                });
            }
            fetches
        }
        Route::Repositories { region } => vec![Fetch::Repositories { region: region.clone() }],
        Route::Schedules { cluster } => vec![
            services(cluster),
            Fetch::Schedules {
                region: region_of(cluster),
            },
        ],
        Route::Eks { cluster } => {
            let mut fetches = vec![
                Fetch::EksClusters {
                    region: region_of(cluster),
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
            ];
            fetches.extend(kube(cluster, &[KubeKind::Nodes, KubeKind::Pods]));
            fetches
        }
        Route::Kube { cluster, kind } => match kind {
            KubeKind::Nodes => kube(cluster, &[KubeKind::Nodes, KubeKind::Pods]),
            KubeKind::Pvcs | KubeKind::StorageClasses => kube(cluster, &[KubeKind::Pvcs, KubeKind::StorageClasses]),
            kind => kube(cluster, &[*kind]),
        },
        Route::Pod { cluster, .. } => kube(cluster, &[KubeKind::Pods, KubeKind::Events]),
        Route::PodLogs {
            cluster,
            pod,
            container,
            previous,
        } => {
            let mut fetches = kube(cluster, &[KubeKind::Pods]);
            let (namespace, name) = pod.split_once('/').unwrap_or(("default", pod));
            fetches.push(Fetch::PodLogs {
                cluster: cluster.clone(),
                namespace: namespace.to_string(),
                pod: name.to_string(),
                container: container.clone(),
                previous: *previous,
            });
            fetches
        }
        Route::Task { cluster, task } => {
            let mut fetches = vec![running(cluster), stopped(cluster)];
            if let Some(t) = store.cluster_data(cluster).and_then(|d| d.find_task(task)) {
                fetches.push(Fetch::TaskDefinition {
                    arn: t.task_definition.clone(),
                });
                if t.container_instance_arn.is_some() {
                    fetches.push(Fetch::ContainerInstances {
                        cluster: cluster.clone(),
                    });
                }
            }
            fetches
        }
    }
}
