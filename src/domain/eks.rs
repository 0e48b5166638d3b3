//! EKS domain types.

use jiff::Timestamp;
use serde::Serialize;

/// An EKS cluster as the fleet view lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EksCluster {
    pub arn: String,
    /// The account it is in, by its name in the fleet.
    pub account: String,
    pub name: String,
    pub region: String,
    pub status: String,
    pub version: String,
    pub platform_version: Option<String>,
    pub endpoint: Option<String>,
    pub public_access: bool,
    pub private_access: bool,
    pub created_at: Option<Timestamp>,
}
