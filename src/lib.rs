//! bosun: a terminal dashboard for operating AWS container fleets, ECS and EKS in one program.
//!
//! Data flows one way: sources (`source`) fetch and send owned results to the app loop
//! (`app`), the only place that mutates the `store`; `ui` draws from `&Store`.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod ops;
pub mod report;
pub mod snapshot;
pub mod source;
pub mod store;
pub mod ui;
pub mod util;
