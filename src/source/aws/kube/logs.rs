//! Pod logs through the API server: followed as they grow, or a previous run read once.

use std::pin::pin;
use std::sync::{Arc, Mutex};

use futures::{AsyncBufReadExt, StreamExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, LogParams};
use tokio::task::AbortHandle;

use crate::domain::insight::LogLine;
use crate::domain::{ErrorKind, FetchError};

use super::{Conn, Shared, lock};

/// A pod container's log being followed.
pub(super) struct Follow {
    lines: Shared<Vec<LogLine>>,
    ended: Shared<Option<Result<(), FetchError>>>,
    task: AbortHandle,
    started: bool,
}

impl Drop for Follow {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Conn {
    /// New lines of a container's log since the last call (all of them the first time).
    pub async fn logs(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        previous: bool,
        key: String,
    ) -> Result<(Vec<LogLine>, bool), FetchError> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), namespace);
        let what = format!("read the log of {namespace}/{pod}");
        if previous {
            {
                let follows = lock(&self.follows);
                if follows.contains_key(&key) {
                    return Ok((Vec::new(), false));
                }
            }
            let params = LogParams {
                container: Some(container.to_string()),
                previous: true,
                timestamps: true,
                ..Default::default()
            };
            let text = api.logs(pod, &params).await.map_err(|e| self.error(&what, &e))?;
            let lines = text.lines().map(parse_log_line).collect();
            let done: Shared<Option<Result<(), FetchError>>> = Arc::new(Mutex::new(Some(Ok(()))));
            lock(&self.follows).insert(
                key,
                Follow {
                    lines: Arc::default(),
                    ended: done,
                    task: tokio::spawn(async {}).abort_handle(),
                    started: true,
                },
            );
            return Ok((lines, true));
        }
        let mut follows = lock(&self.follows);
        let restart = follows
            .get(&key)
            .is_none_or(|f| matches!(*lock(&f.ended), Some(Ok(()))));
        if restart {
            let lines: Shared<Vec<LogLine>> = Arc::default();
            let ended: Shared<Option<Result<(), FetchError>>> = Arc::default();
            let params = LogParams {
                container: Some(container.to_string()),
                follow: true,
                timestamps: true,
                tail_lines: Some(crate::domain::insight::DEFAULT_LOG_LINES as i64),
                ..Default::default()
            };
            let (sink, end, pod, api) = (lines.clone(), ended.clone(), pod.to_string(), api.clone());
            let place = self.place.clone();
            let task = tokio::spawn(async move {
                match api.log_stream(&pod, &params).await {
                    Ok(stream) => {
                        let mut lines = pin!(stream.lines());
                        while let Some(line) = lines.next().await {
                            match line {
                                Ok(line) => lock(&sink).push(parse_log_line(&line)),
                                Err(e) => {
                                    *lock(&end) = Some(Err(FetchError::new(ErrorKind::Network, e.to_string())));
                                    return;
                                }
                            }
                        }
                        *lock(&end) = Some(Ok(()));
                    }
                    Err(e) => *lock(&end) = Some(Err(place.error(&what, &e))),
                }
            })
            .abort_handle();
            follows.insert(
                key.clone(),
                Follow {
                    lines,
                    ended,
                    task,
                    started: false,
                },
            );
        }
        let failed = follows.get(&key).and_then(|f| match &*lock(&f.ended) {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        });
        if let Some(e) = failed {
            follows.remove(&key);
            return Err(e);
        }
        let Some(follow) = follows.get_mut(&key) else {
            return Ok((Vec::new(), false));
        };
        let lines = std::mem::take(&mut *lock(&follow.lines));
        let reset = !std::mem::replace(&mut follow.started, true);
        Ok((lines, reset))
    }
}

/// `2026-01-02T03:04:05.123456789Z message` (the API server's `timestamps=true`).
fn parse_log_line(line: &str) -> LogLine {
    match line
        .split_once(' ')
        .and_then(|(t, rest)| Some((t.parse::<Timestamp>().ok()?, rest)))
    {
        Some((at, message)) => LogLine {
            at,
            message: message.to_string(),
        },
        None => LogLine {
            at: Timestamp::UNIX_EPOCH,
            message: line.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_keep_their_timestamps() {
        let l = parse_log_line("2026-01-02T03:04:05.123456789Z INFO started");
        assert_eq!(l.message, "INFO started");
        assert_eq!(l.at.to_string(), "2026-01-02T03:04:05.123456789Z");
        let plain = parse_log_line("no timestamp here");
        assert_eq!(plain.message, "no timestamp here");
    }
}
