//! The audit log: one JSON line per action, refused or sent, readable by its owner only.
//! Never credentials: an action carries none. Where it is written is the caller's choice
//! (the command line puts it in the XDG state directory).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

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
