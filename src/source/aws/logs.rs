//! CloudWatch Logs: a log stream, from its recent end, then what is new on each fetch.

use std::collections::HashMap;
use std::sync::Mutex;

use super::error::{Call, Who};
use crate::domain::FetchError;
use crate::domain::insight::LogLine;

/// How many lines a stream starts with.
const FIRST_LINES: i32 = 1000;

/// Where each followed stream is up to: the forward token of its last fetch.
#[derive(Debug, Default)]
pub struct Cursors(Mutex<HashMap<(String, String), String>>);

pub async fn follow(
    client: &aws_sdk_cloudwatchlogs::Client,
    cursors: &Cursors,
    region: &str,
    who: &Who,
    group: &str,
    stream: &str,
) -> Result<(Vec<LogLine>, bool), FetchError> {
    let key = (group.to_string(), stream.to_string());
    let token = cursors.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    let reset = token.is_none();
    let mut lines = Vec::new();
    let mut next = token;
    // Follow the forward token until it stops moving: that is the end of the stream.
    for _ in 0..20 {
        let request = client.get_log_events().log_group_name(group).log_stream_name(stream);
        let request = match &next {
            Some(t) => request.next_token(t).start_from_head(true),
            None => request.start_from_head(false).limit(FIRST_LINES),
        };
        let out = request
            .send()
            .await
            .map_err(|e| Call::new("CloudWatch Logs GetLogEvents", region, who).of(e))?;
        let events = out.events();
        lines.extend(events.iter().map(|e| {
            LogLine {
                at: e
                    .timestamp()
                    .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                message: e.message().unwrap_or_default().trim_end().to_string(),
            }
        }));
        let forward = out.next_forward_token().map(str::to_string);
        let moved = forward.is_some() && forward != next;
        next = forward;
        if events.is_empty() || !moved {
            break;
        }
    }
    if let Some(token) = next {
        cursors.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key, token);
    }
    Ok((lines, reset))
}
