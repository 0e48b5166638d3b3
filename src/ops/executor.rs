//! The executor: the only place actions are sent. Sequential, one at a time: the guard
//! again (whatever the UI checked), then the operator, then the audit log.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::Operator;
use super::audit::Audit;
use crate::domain::op::{Guard, OpOutcome, OpRequest, Outcome};

pub struct Executor {
    operator: Arc<dyn Operator>,
    guard: Guard,
    audit: Option<Arc<Audit>>,
    /// Makes client tokens unique to this run of bosun.
    session: String,
}

impl Executor {
    pub fn new(operator: Arc<dyn Operator>, guard: Guard, audit: Option<Audit>) -> Self {
        let session = format!("{:x}{:x}", std::process::id(), jiff::Timestamp::now().as_millisecond());
        Executor {
            operator,
            guard,
            audit: audit.map(Arc::new),
            session,
        }
    }

    /// The audit log it writes, for what else is recorded there (sessions).
    pub fn audit(&self) -> Option<Arc<Audit>> {
        self.audit.clone()
    }

    /// Carry out one request: refused, or sent once.
    pub async fn execute(&self, request: OpRequest) -> OpOutcome {
        let outcome = match self.guard.check(&request) {
            Err(reason) => Outcome::Refused { reason },
            Ok(()) => {
                let token = format!("bosun-{}-{}", self.session, request.id);
                Outcome::of(self.operator.apply(&request.op, &token).await)
            }
        };
        if let Some(audit) = &self.audit
            && let Err(error) = audit.record(&request, &outcome)
        {
            tracing::error!(%error, path = %audit.path().display(), "cannot write the audit log");
        }
        let (action, target) = (request.op.verb(), request.op.target());
        match &outcome {
            Outcome::Done(applied) => tracing::info!(action, %target, summary = %applied.summary, "action applied"),
            other => tracing::warn!(action, %target, outcome = other.word(), why = other.message(), "action not done"),
        }
        OpOutcome {
            id: request.id,
            op: request.op,
            outcome,
        }
    }

    /// Serve requests until the app goes away.
    pub async fn run(self, mut requests: mpsc::UnboundedReceiver<OpRequest>, outcomes: mpsc::Sender<OpOutcome>) {
        while let Some(request) = requests.recv().await {
            let outcome = self.execute(request).await;
            if outcomes.send(outcome).await.is_err() {
                return;
            }
        }
    }
}
