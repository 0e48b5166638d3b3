//! The pods in trouble in a cluster, for the list across every cluster: from the pods'
//! watch where one has listed already (nothing sent), else one paged list.

use jiff::Timestamp;
use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, ListParams};

use crate::domain::FetchError;
use crate::domain::kube::TroubledPod;

use super::Conn;
use super::convert::pod;

/// Pods a page holds.
const PAGE: u32 = 500;

impl Conn {
    pub async fn trouble(&self, cluster: &str, now: Timestamp) -> Result<Vec<TroubledPod>, FetchError> {
        if let Some(pods) = self.listed_pods() {
            return Ok(pods
                .iter()
                .filter_map(|p| Some(TroubledPod::new(cluster, p, p.trouble(now)?)))
                .collect());
        }
        let api: Api<core::Pod> = Api::all(self.client.clone());
        // A pod that succeeded is never in trouble: the server leaves those out.
        let mut params = ListParams::default().limit(PAGE).fields("status.phase!=Succeeded");
        let mut out = Vec::new();
        loop {
            let page = api.list(&params).await.map_err(|e| self.error("list pods", &e))?;
            for p in &page.items {
                let p = pod(p);
                if let Some(trouble) = p.trouble(now) {
                    out.push(TroubledPod::new(cluster, &p, trouble));
                }
            }
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(token) => params = params.continue_token(&token),
                None => break,
            }
        }
        Ok(out)
    }
}
