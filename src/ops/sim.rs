//! Actions on the simulated fleet: the world applies them with ECS's consequences.

use async_trait::async_trait;

use super::Operator;
use crate::domain::op::{Applied, Op, WriteError};
use crate::source::sim::SimBackend;
use crate::source::sim::actions::{Done, RunSpec};

#[async_trait]
impl Operator for SimBackend {
    async fn apply(&self, op: &Op, token: &str) -> Result<Applied, WriteError> {
        let done: Done = self
            .with_world(|w| match op {
                Op::Redeploy { cluster, service, .. } => w.redeploy(cluster, service),
                Op::SetTaskDefinition {
                    cluster, service, to, ..
                } => w.set_task_definition(cluster, service, to),
                Op::RestoreRevision {
                    cluster,
                    service,
                    restore,
                } => w.restore_revision(cluster, service, restore),
                Op::Scale {
                    cluster, service, to, ..
                } => w.scale(cluster, service, *to),
                Op::ProtectTask { cluster, task, minutes } => w.protect_task(cluster, task, *minutes),
                Op::EnableExec { cluster, service } => w.enable_exec(cluster, service),
                Op::StopDeployment {
                    cluster,
                    service,
                    deployment,
                    ..
                } => w.stop_deployment(cluster, service, deployment),
                Op::StopTask { cluster, task, reason } => w.stop_task(cluster, task, reason),
                Op::RunTask {
                    cluster,
                    task_definition,
                    count,
                    launch_type,
                    network,
                    group,
                } => w.run_task(
                    cluster,
                    RunSpec {
                        task_definition,
                        count: *count,
                        launch: *launch_type,
                        network: network.as_ref(),
                        group: group.as_deref(),
                    },
                    token,
                ),
                Op::SetInstanceState {
                    cluster,
                    instance,
                    draining,
                } => w.set_instance_state(cluster, instance, *draining),
                Op::SetScalingLimits {
                    cluster,
                    service,
                    min,
                    max,
                    ..
                } => w.set_scaling_limits(cluster, service, *min, *max),
                Op::RolloutRestart {
                    cluster,
                    kind,
                    namespace,
                    name,
                } => {
                    let now = w.now();
                    w.kube_mut(cluster)?
                        .rollout_restart(*kind, namespace, name, now)
                        .map(Done::said)
                }
                Op::ScaleWorkload {
                    cluster,
                    kind,
                    namespace,
                    name,
                    to,
                    ..
                } => {
                    let now = w.now();
                    w.kube_mut(cluster)?
                        .scale(*kind, namespace, name, *to, now)
                        .map(Done::said)
                }
                Op::DeletePod {
                    cluster,
                    namespace,
                    name,
                    ..
                } => {
                    let now = w.now();
                    w.kube_mut(cluster)?.delete_pod(namespace, name, now).map(Done::said)
                }
                Op::Cordon { cluster, node, cordon } => w.kube_mut(cluster)?.cordon(node, *cordon).map(Done::said),
                Op::SetNodeGroupSize {
                    cluster, nodegroup, to, ..
                } => {
                    let now = w.now();
                    w.kube_mut(cluster)?
                        .resize_nodegroup(nodegroup, *to, now)
                        .map(Done::said)
                }
                Op::DeleteObject {
                    cluster,
                    kind,
                    namespace,
                    name,
                    ..
                } => w
                    .kube_mut(cluster)?
                    .delete_object(kind, namespace.as_deref(), name)
                    .map(|()| Done::said(format!("{} deleted", op.target()))),
                Op::ScaleObject {
                    cluster,
                    kind,
                    namespace,
                    name,
                    to,
                    ..
                } => w
                    .kube_mut(cluster)?
                    .scale_object(kind, namespace.as_deref(), name, *to)
                    .map(|()| Done::said(format!("{} scaled to {to}", op.target()))),
                Op::TriggerCronJob {
                    cluster,
                    namespace,
                    name,
                } => {
                    let now = w.now();
                    w.kube_mut(cluster)?
                        .trigger_cronjob(namespace, name, now)
                        .map(Done::said)
                }
                Op::SuspendCronJob {
                    cluster,
                    namespace,
                    name,
                    suspend,
                } => w
                    .kube_mut(cluster)?
                    .suspend_cronjob(namespace, name, *suspend)
                    .map(Done::said),
                Op::AppRunner { service, name, change } => w.apprunner_act(service, *change).map(|id| Done {
                    summary: format!("{name}: {} (operation {id})", change.started()),
                    deployment: Some(id),
                    tasks: Vec::new(),
                }),
            })
            // The simulated fleet answers every request; a refusal is its own, like a service's.
            .map_err(|message| WriteError::Rejected {
                code: "SimulatedFleet".into(),
                message,
            })?;
        Ok(Applied {
            summary: done.summary,
            deployment: done.deployment,
            tasks: done.tasks,
        })
    }
}
