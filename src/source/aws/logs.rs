//! CloudWatch Logs: a log stream, from its recent end, then what is new on each fetch;
//! or every stream of a group at once (`*`: App Runner writes one per instance).

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
    if stream == crate::domain::insight::ALL_STREAMS {
        return follow_group(client, cursors, region, who, group).await;
    }
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

/// Every stream of a group, interleaved in time (FilterLogEvents): the last hour's newest
/// lines first time, then what came after the last line seen.
async fn follow_group(
    client: &aws_sdk_cloudwatchlogs::Client,
    cursors: &Cursors,
    region: &str,
    who: &Who,
    group: &str,
) -> Result<(Vec<LogLine>, bool), FetchError> {
    let key = (group.to_string(), crate::domain::insight::ALL_STREAMS.to_string());
    let after: Option<i64> = cursors
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .and_then(|t| t.parse().ok());
    let reset = after.is_none();
    let start = match after {
        Some(ms) => ms + 1,
        None => jiff::Timestamp::now().as_millisecond() - 3_600_000,
    };
    let mut lines = Vec::new();
    let mut last = after;
    let mut token: Option<String> = None;
    for _ in 0..20 {
        let out = client
            .filter_log_events()
            .log_group_name(group)
            .start_time(start)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| Call::new("CloudWatch Logs FilterLogEvents", region, who).of(e))?;
        for e in out.events() {
            let ms = e.timestamp().unwrap_or(0);
            last = Some(last.map_or(ms, |l| l.max(ms)));
            lines.push(LogLine {
                at: jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                message: e.message().unwrap_or_default().trim_end().to_string(),
            });
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    lines.sort_by_key(|l| l.at);
    if reset && lines.len() > FIRST_LINES as usize {
        lines.drain(..lines.len() - FIRST_LINES as usize);
    }
    if let Some(ms) = last {
        cursors
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, ms.to_string());
    }
    Ok((lines, reset))
}
