//! The executor: the only place actions are sent. Sequential, one at a time: the guard
//! again (whatever the UI checked), then the operator, then the audit log.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::audit::Audit;
use super::{Failure, Guard, OpOutcome, OpRequest, Operator};

pub struct Executor {
    operator: Arc<dyn Operator>,
    guard: Guard,
    audit: Option<Audit>,
    /// Makes client tokens unique to this run of bosun.
    session: String,
}

impl Executor {
    pub fn new(operator: Arc<dyn Operator>, guard: Guard, audit: Option<Audit>) -> Self {
        let session = format!("{:x}{:x}", std::process::id(), jiff::Timestamp::now().as_millisecond());
        Executor {
            operator,
            guard,
            audit,
            session,
        }
    }

    /// Carry out one request: refused, or sent once.
    pub async fn execute(&self, request: OpRequest) -> OpOutcome {
        let result = match self.guard.check(&request.op) {
            Err(why) => Err(Failure::Refused(why)),
            Ok(()) => {
                let token = format!("bosun-{}-{}", self.session, request.id);
                self.operator.apply(&request.op, &token).await.map_err(Failure::Failed)
            }
        };
        if let Some(audit) = &self.audit
            && let Err(error) = audit.record(&request, &result)
        {
            tracing::error!(%error, path = %audit.path().display(), "cannot write the audit log");
        }
        match &result {
            Ok(applied) => {
                tracing::info!(action = request.op.verb(), target = %request.op.target(), summary = %applied.summary, "action applied")
            }
            Err(failure) => {
                tracing::warn!(action = request.op.verb(), target = %request.op.target(), why = failure.message(), "action not applied")
            }
        }
        OpOutcome {
            id: request.id,
            op: request.op,
            result,
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
