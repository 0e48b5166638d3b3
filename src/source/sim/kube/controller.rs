//! A small controller: crash loops restart with back-off, ready counts follow their pods,
//! and actions have the consequences Kubernetes gives them.

use std::sync::Arc;

use jiff::Timestamp;

use crate::domain::kube::{NodeSource, Pod, Workload, WorkloadKind};

use super::SimKube;

impl SimKube {
    /// One second of the cluster's life: crash loops restart with back-off, workloads' ready
    /// counts follow their pods, the HPA's CPU wanders.
    ///
    /// The revision moves only when something changed: a reader of an unchanged cluster
    /// then compares two numbers, not every pod.
    pub fn step(&mut self, now: Timestamp) {
        let mut changed = false;
        let mut crashed = Vec::new();
        for (key, last) in &mut self.last_crash {
            if now.duration_since(*last).as_secs() >= 300 {
                *last = now;
                crashed.push(key.clone());
            }
        }
        for key in crashed {
            if let Some(p) = self.pods.iter_mut().find(|p| p.key == key) {
                changed = true;
                let p = Arc::make_mut(p);
                p.containers[0].restarts += 1;
                let (name, ns) = (p.name.clone(), p.namespace.clone());
                self.event(
                    now,
                    "Warning",
                    "BackOff",
                    &format!("Pod/{name}"),
                    &ns,
                    "Back-off restarting failed container",
                );
            }
        }
        // Pods started by actions become ready after a few seconds.
        for p in &mut self.pods {
            if p.phase == "Running"
                && p.containers[0].reason.is_none()
                && !p.containers[0].ready
                && p.created_at.is_some_and(|t| now.duration_since(t).as_secs() >= 8)
            {
                Arc::make_mut(p).containers[0].ready = true;
                changed = true;
            }
        }
        // Pods of a rollout restart replace the old ones one at a time.
        let restarting: Vec<(String, Timestamp)> = self
            .workloads
            .iter()
            .filter_map(|w| Some((w.key.clone(), w.restarted_at.as_deref()?.parse().ok()?)))
            .collect();
        for (key, at) in restarting {
            let old: Vec<String> = self
                .pods_of(&key)
                .filter(|p| p.created_at.is_some_and(|t| t < at))
                .map(|p| p.key.clone())
                .collect();
            let fresh_unready = self.pods_of(&key).any(|p| {
                p.created_at.is_some_and(|t| t >= at) && !p.containers[0].ready && p.containers[0].reason.is_none()
            });
            if let (Some(first), false) = (old.first(), fresh_unready) {
                let first = first.clone();
                self.replace_pod(&first, now);
                changed = true;
            }
        }
        if let Some(h) = self.hpas.first_mut() {
            let secs = now.as_second();
            let cpu = 60 + (secs / 20 % 25) as i32;
            let metrics = vec![format!("cpu {cpu}%/70%")];
            let desired = if cpu > 70 { h.current + 1 } else { h.current }.min(h.max);
            if h.metrics != metrics || h.desired != desired {
                h.metrics = metrics;
                h.desired = desired;
                changed = true;
            }
        }
        // Ready counts follow the pods: counted again only when something changed since
        // they last were (a count reads every pod once per workload).
        let recount = changed || self.revision != self.counted;
        for i in (0..self.workloads.len()).filter(|_| recount) {
            let key = self.workloads[i].key.clone();
            let (ready, total) = self.pods_of(&key).fold((0, 0), |(r, t), p| {
                (r + u32::from(p.containers.iter().all(|c| c.ready)), t + 1)
            });
            let w = &mut self.workloads[i];
            let updated = total.min(w.desired);
            if (w.ready, w.available, w.updated) != (ready, ready, updated) {
                w.ready = ready;
                w.available = ready;
                w.updated = updated;
                changed = true;
            }
        }
        if changed {
            self.revision += 1;
        }
        self.counted = self.revision;
    }

    pub(super) fn pods_of<'a>(&'a self, workload: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
        let (kind, rest) = workload.split_once('/').unwrap_or_default();
        let (namespace, name) = rest.split_once('/').unwrap_or_default();
        self.pods.iter().map(|p| &**p).filter(move |p| {
            p.namespace == namespace
                && match p.owner.as_deref() {
                    Some(o) if kind == "Deployment" => o
                        .strip_prefix("ReplicaSet/")
                        .and_then(|rs| rs.rsplit_once('-'))
                        .is_some_and(|(n, _)| n == name),
                    Some(o) => o == format!("{kind}/{name}"),
                    None => false,
                }
        })
    }

    /// Replace a pod as its controller would: a new one starts, the old one goes.
    fn replace_pod(&mut self, key: &str, now: Timestamp) -> Option<String> {
        let i = self.pods.iter().position(|p| p.key == key)?;
        let old = self.pods.remove(i);
        self.last_crash.retain(|(k, _)| k != key);
        let owner = old.owner.clone()?;
        let workload = self
            .workloads
            .iter()
            .find(|w| {
                w.namespace == old.namespace
                    && match w.kind {
                        WorkloadKind::Deployment => owner
                            .strip_prefix("ReplicaSet/")
                            .and_then(|rs| rs.rsplit_once('-'))
                            .is_some_and(|(n, _)| n == w.name),
                        kind => owner == format!("{}/{}", kind.as_str(), w.name),
                    }
            })?
            .key
            .clone();
        let hash = owner.rsplit('-').next().unwrap_or("0000000000").to_string();
        let index = old.name.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(0);
        self.add_pod(&workload, &hash, index, now, now);
        let new = Arc::make_mut(self.pods.last_mut()?);
        let c = &mut new.containers[0];
        c.ready = false;
        // A new pod starts its restarts over; one that crash-loops has crashed once so far.
        c.restarts = u32::from(c.reason.is_some());
        Some(new.name.clone())
    }

    fn workload_mut(&mut self, kind: WorkloadKind, namespace: &str, name: &str) -> Result<&mut Workload, String> {
        self.workloads
            .iter_mut()
            .find(|w| w.kind == kind && w.namespace == namespace && w.name == name)
            .ok_or_else(|| format!("{}s.apps \"{name}\" not found", kind.as_str().to_lowercase()))
    }

    pub fn rollout_restart(
        &mut self,
        kind: WorkloadKind,
        namespace: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<String, String> {
        self.revision += 1;
        let w = self.workload_mut(kind, namespace, name)?;
        w.restarted_at = Some(now.to_string());
        let key = w.key.clone();
        self.event(
            now,
            "Normal",
            "ScalingReplicaSet",
            &format!("{}/{name}", kind.as_str()),
            namespace,
            "Rollout restart: replacing every pod",
        );
        Ok(format!("{} restarting", key.to_lowercase()))
    }

    pub fn scale(
        &mut self,
        kind: WorkloadKind,
        namespace: &str,
        name: &str,
        to: u32,
        now: Timestamp,
    ) -> Result<String, String> {
        self.revision += 1;
        let w = self.workload_mut(kind, namespace, name)?;
        let from = w.desired;
        w.desired = to;
        let key = w.key.clone();
        let existing: Vec<String> = self.pods_of(&key).map(|p| p.key.clone()).collect();
        if to < existing.len() as u32 {
            for k in existing.iter().skip(to as usize) {
                self.pods.retain(|p| &p.key != k);
                self.last_crash.retain(|(c, _)| c != k);
            }
        } else {
            let known = self
                .pods_of(&key)
                .next()
                .and_then(|p| p.owner.clone())
                .and_then(|o| o.rsplit('-').next().map(str::to_string));
            let hash = known.unwrap_or_else(|| self.rng.hex(10));
            for i in existing.len() as u32..to {
                self.add_pod(&key, &hash, i, now, now);
                if let Some(p) = self.pods.last_mut() {
                    let c = &mut Arc::make_mut(p).containers[0];
                    c.ready = false;
                    c.restarts = u32::from(c.reason.is_some());
                }
            }
        }
        self.event(
            now,
            "Normal",
            "ScalingReplicaSet",
            &format!("{}/{name}", kind.as_str()),
            namespace,
            &format!("Scaled from {from} to {to}"),
        );
        Ok(format!("{namespace}/{name} scaled {from} → {to}"))
    }

    pub fn delete_pod(&mut self, namespace: &str, name: &str, now: Timestamp) -> Result<String, String> {
        self.revision += 1;
        let key = format!("{namespace}/{name}");
        if !self.pods.iter().any(|p| p.key == key) {
            return Err(format!("pods \"{name}\" not found"));
        }
        Ok(match self.replace_pod(&key, now) {
            Some(new) => format!("pod {name} deleted; {new} replaces it"),
            None => format!("pod {name} deleted"),
        })
    }

    pub fn cordon(&mut self, node: &str, cordon: bool) -> Result<String, String> {
        self.revision += 1;
        let n = self
            .nodes
            .iter_mut()
            .find(|n| n.name == node)
            .ok_or_else(|| format!("nodes \"{node}\" not found"))?;
        n.unschedulable = cordon;
        Ok(format!(
            "node {node} {}",
            if cordon { "cordoned" } else { "uncordoned" }
        ))
    }

    pub fn resize_nodegroup(
        &mut self,
        group: &str,
        (min, desired, max): (u32, u32, u32),
        now: Timestamp,
    ) -> Result<String, String> {
        self.revision += 1;
        let g = self
            .nodegroups
            .iter_mut()
            .find(|g| g.name == group)
            .ok_or_else(|| format!("ResourceNotFoundException: No node group found for name: {group}."))?;
        g.min = min;
        g.desired = desired;
        g.max = max;
        let have = self
            .nodes
            .iter()
            .filter(|n| n.source == NodeSource::Managed(group.to_string()))
            .count() as u32;
        for _ in have..desired {
            self.add_node(group, now);
        }
        if desired < have {
            let mut extra = have - desired;
            self.nodes.retain(|n| {
                if extra > 0 && n.source == NodeSource::Managed(group.to_string()) {
                    extra -= 1;
                    false
                } else {
                    true
                }
            });
        }
        Ok(format!("node group {group}: min {min} · desired {desired} · max {max}"))
    }
}
