//! The audit log: one JSON line per action, refused or sent, readable by its owner only.
//! Never credentials: an action carries none. Where it is written is the caller's choice
//! (the command line puts it in the XDG state directory).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::domain::op::{OpRequest, Outcome};

#[derive(Debug)]
pub struct Audit {
    path: PathBuf,
    file: Mutex<File>,
}

#[derive(Serialize)]
struct Entry<'a> {
    time: String,
    identity: Option<&'a str>,
    /// The account it landed in: its name in the fleet, and its id.
    account: &'a str,
    account_id: Option<&'a str>,
    profile: &'a str,
    region: &'a str,
    action: &'static str,
    target: String,
    /// The cluster (ARN) it was in, and the service (ARN) for actions on one: what the
    /// timeline files it under.
    cluster: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    parameters: &'a crate::domain::op::Op,
    /// How it ended: done, refused, not_sent, rejected, or unknown (sent, never answered).
    result: &'static str,
    /// The service's error code, for a rejected action.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    message: &'a str,
}

impl Audit {
    /// Open (or create) the log with mode 0600.
    pub fn open(path: &Path) -> std::io::Result<Audit> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(0o600);
            let file = options.open(path)?;
            // A log that already existed with looser permissions is tightened.
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            return Ok(Audit {
                path: path.to_path_buf(),
                file: Mutex::new(file),
            });
        }
        #[allow(unreachable_code)]
        Ok(Audit {
            path: path.to_path_buf(),
            file: Mutex::new(options.open(path)?),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn record(&self, request: &OpRequest, outcome: &Outcome) -> std::io::Result<()> {
        let code = match outcome {
            Outcome::Rejected { code, .. } => Some(code.as_str()),
            _ => None,
        };
        let entry = Entry {
            time: jiff::Timestamp::now().to_string(),
            identity: request.identity.as_deref(),
            account: &request.account,
            account_id: request.account_id.as_deref(),
            profile: &request.profile,
            region: request.op.region(),
            action: request.op.verb(),
            target: request.op.target(),
            cluster: request.op.cluster(),
            service: request.op.service(),
            parameters: &request.op,
            result: outcome.word(),
            code,
            message: outcome.message(),
        };
        let mut line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(line.as_bytes())?;
        file.flush()
    }
}

/// A line for a session: who opened it, into what, and how it went.
#[derive(Serialize)]
struct SessionEntry<'a> {
    time: String,
    identity: Option<&'a str>,
    account: &'a str,
    profile: &'a str,
    region: &'a str,
    /// `exec` or `forward`.
    action: &'static str,
    target: String,
    cluster: &'a str,
    parameters: SessionParameters<'a>,
    /// started, ended, or failed (it never opened).
    result: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct SessionParameters<'a> {
    /// The task (ARN) or pod (`namespace/name`), and the container.
    resource: String,
    container: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote: Option<String>,
}

impl Audit {
    /// A session's start, end or failure to open.
    pub fn record_session(
        &self,
        request: &crate::domain::session::Request,
        result: &str,
        message: &str,
    ) -> std::io::Result<()> {
        use crate::domain::session::{Kind, Target};
        let target = &request.target;
        let resource = match target {
            Target::Ecs { task, .. } => task.clone(),
            Target::Pod { namespace, pod, .. } => format!("{namespace}/{pod}"),
            Target::KubeService { namespace, name, .. } => format!("service {namespace}/{name}"),
        };
        let (command, local_port, remote) = match &request.kind {
            Kind::Shell { command } => (Some(command.as_str()), None, None),
            Kind::Forward(p) => (None, Some(p.local), Some(p.remote_label())),
        };
        let entry = SessionEntry {
            time: jiff::Timestamp::now().to_string(),
            identity: request.identity.as_deref(),
            account: &request.account,
            profile: &request.profile,
            region: crate::util::arn_region(target.cluster()).unwrap_or_default(),
            action: request.verb(),
            target: request.describe(),
            cluster: target.cluster(),
            parameters: SessionParameters {
                resource,
                container: target.container(),
                command,
                local_port,
                remote,
            },
            result,
            message,
        };
        let mut line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(line.as_bytes())?;
        file.flush()
    }
}

/// The most of the log read back for the timeline: its end, this many bytes.
const READ_BACK: u64 = 1 << 20;

/// A line of the log as read back; lines written before a field existed lack it.
#[derive(Deserialize)]
struct Line {
    time: String,
    identity: Option<String>,
    account: String,
    action: String,
    target: String,
    #[serde(default)]
    cluster: Option<String>,
    #[serde(default)]
    service: Option<String>,
    result: String,
    #[serde(default)]
    message: String,
}

/// The actions of the log at `path` since `since`, oldest first: its last megabyte at
/// most. A missing log is none; a line that does not parse (cut by a crash, or written by
/// another version) is skipped.
pub fn read_since(path: &Path, since: jiff::Timestamp) -> std::io::Result<Vec<crate::domain::op::ActionRecord>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let start = len.saturating_sub(READ_BACK);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    // Reading from the middle of the file: the first line is likely cut.
    let lines = text.lines().skip(usize::from(start > 0));
    Ok(lines
        .filter_map(|line| serde_json::from_str::<Line>(line).ok())
        .filter_map(|l| {
            let at: jiff::Timestamp = l.time.parse().ok()?;
            (at >= since).then_some(crate::domain::op::ActionRecord {
                at,
                identity: l.identity,
                account: l.account,
                action: l.action,
                target: l.target,
                cluster: l.cluster,
                service: l.service,
                result: l.result,
                message: l.message,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::op::{Applied, Op, OpRequest, Outcome};

    /// What the log writes reads back for the timeline: the action, its cluster and
    /// service, who and how it ended; a line cut short or of another shape is skipped, and
    /// a line older than asked for is left out.
    #[test]
    fn the_log_reads_back_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/prod-web";
        let service = "arn:aws:ecs:us-east-1:123456789012:service/prod-web/payments";
        std::fs::write(
            &path,
            "{\"time\":\"2020-01-01T00:00:00Z\",\"account\":\"old\",\"action\":\"scale\",\"target\":\"service x\",\"result\":\"ok\"}\n\
             {\"time\":\"2099-01-01T00:00:00Z\",\"acc\n",
        )
        .unwrap();
        let audit = Audit::open(&path).unwrap();
        let request = OpRequest {
            id: 1,
            op: Op::Scale {
                cluster: cluster.into(),
                service: service.into(),
                from: 4,
                to: 6,
            },
            account: "shop-prod".into(),
            account_id: Some("123456789012".into()),
            profile: "prod".into(),
            identity: Some("arn:aws:sts::123456789012:assumed-role/OnCall/jane".into()),
        };
        let outcome = Outcome::Done(Applied {
            summary: "payments: desired 4 → 6".into(),
            deployment: None,
            tasks: vec![],
        });
        audit.record(&request, &outcome).unwrap();
        let since: jiff::Timestamp = "2021-01-01T00:00:00Z".parse().unwrap();
        let records = read_since(&path, since).unwrap();
        assert_eq!(records.len(), 1, "{records:?}");
        let r = &records[0];
        assert_eq!(
            (r.action.as_str(), r.target.as_str(), r.result.as_str()),
            ("scale", "service payments", "ok")
        );
        assert_eq!(
            (r.cluster.as_deref(), r.service.as_deref()),
            (Some(cluster), Some(service))
        );
        assert_eq!(r.account, "shop-prod");
        assert_eq!(r.message, "payments: desired 4 → 6");
        // From before its time: the old line too.
        assert_eq!(
            read_since(&path, "2000-01-01T00:00:00Z".parse().unwrap())
                .unwrap()
                .len(),
            2
        );
        assert!(read_since(&dir.path().join("none.log"), since).unwrap().is_empty());
    }
}
