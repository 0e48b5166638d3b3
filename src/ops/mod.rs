//! All writes. The [`executor::Executor`] applies an [`Op`] through an [`Operator`] (AWS, or
//! the simulated fleet), once, after the [`Guard`] again, and writes the [`Outcome`] to the
//! audit log. The actions themselves, their checks and outcomes are domain types
//! ([`crate::domain::op`]).

pub mod audit;
pub mod aws;
pub mod executor;
pub mod session;
mod session_aws;
mod session_sim;
pub mod sim;

use async_trait::async_trait;

use crate::domain::op::{Applied, Op, WriteError};

/// A place actions are carried out: AWS, or the simulated fleet.
#[async_trait]
pub trait Operator: Send + Sync + 'static {
    /// Apply `op`, once. `token` makes RunTask idempotent.
    async fn apply(&self, op: &Op, token: &str) -> Result<Applied, WriteError>;
}
