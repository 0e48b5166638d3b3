//! CloudWatch: metric series (GetMetricData, up to 500 queries a call, every page) and
//! alarms (DescribeAlarms).

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy, StateValue};
use aws_smithy_types::DateTime;
use jiff::Timestamp;

use super::error::{Call, Who};
use super::timestamp;
use crate::domain::FetchError;
use crate::domain::metrics::{Alarm, AlarmChange, MetricSeries, SeriesKey, Window};

/// The most queries one GetMetricData call takes.
pub const QUERIES_PER_CALL: usize = 500;

fn query(n: usize, key: &SeriesKey, window: Window) -> MetricDataQuery {
    let dims = key
        .dims
        .iter()
        .map(|(name, value)| Dimension::builder().name(name).value(value).build())
        .collect::<Vec<_>>();
    let metric = Metric::builder()
        .namespace(&key.namespace)
        .metric_name(&key.metric)
        .set_dimensions(Some(dims))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(window.period() as i32)
        .stat(&key.stat)
        .build();
    MetricDataQuery::builder()
        .id(format!("m{n}"))
        .metric_stat(stat)
        .return_data(true)
        .build()
}

/// The series over `window` ending at `now`, in as few calls as the API allows. Every key
/// gets a series back, with no points where CloudWatch has no data.
pub async fn metrics(
    client: &Client,
    region: &str,
    who: &Who,
    window: Window,
    keys: &[SeriesKey],
    now: Timestamp,
) -> Result<Vec<MetricSeries>, FetchError> {
    let period = window.period();
    let end_secs = now.as_second() - now.as_second().rem_euclid(period) + period;
    let end = Timestamp::from_second(end_secs).unwrap_or(now);
    let start = Timestamp::from_second(end_secs - window.secs()).unwrap_or(now);
    let mut points: Vec<Vec<(Timestamp, f64)>> = vec![Vec::new(); keys.len()];
    for (chunk_no, chunk) in keys.chunks(QUERIES_PER_CALL).enumerate() {
        let queries = chunk.iter().enumerate().map(|(i, key)| query(i, key, window)).collect();
        let pages: Vec<_> = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries))
            .start_time(DateTime::from_secs(start.as_second()))
            .end_time(DateTime::from_secs(end.as_second()))
            .scan_by(ScanBy::TimestampAscending)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| Call::new("CloudWatch GetMetricData", region, who).of(e))?;
        for page in pages {
            for result in page.metric_data_results() {
                let Some(i) = result.id().and_then(|id| id.strip_prefix('m')?.parse::<usize>().ok()) else {
                    continue;
                };
                let Some(slot) = points.get_mut(chunk_no * QUERIES_PER_CALL + i) else {
                    continue;
                };
                for (t, v) in result.timestamps().iter().zip(result.values()) {
                    if let Some(t) = timestamp(Some(t)) {
                        slot.push((t, *v));
                    }
                }
            }
        }
    }
    Ok(keys
        .iter()
        .zip(points)
        .map(|(key, mut points)| {
            points.sort_by_key(|(t, _)| *t);
            points.dedup_by_key(|(t, _)| *t);
            MetricSeries {
                key: key.clone(),
                window,
                start,
                end,
                points,
            }
        })
        .collect())
}

pub async fn alarms(client: &Client, region: &str, who: &Who) -> Result<Vec<Alarm>, FetchError> {
    let pages: Vec<_> = client
        .describe_alarms()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| Call::new("CloudWatch DescribeAlarms", region, who).of(e))?;
    Ok(pages
        .iter()
        .flat_map(|p| p.metric_alarms())
        .map(|a| Alarm {
            name: a.alarm_name().unwrap_or_default().to_string(),
            state: a
                .state_value()
                .map_or(StateValue::InsufficientData.as_str(), |s| s.as_str())
                .to_string(),
            namespace: a.namespace().unwrap_or_default().to_string(),
            metric: a.metric_name().unwrap_or_default().to_string(),
            dims: a
                .dimensions()
                .iter()
                .map(|d| {
                    (
                        d.name().unwrap_or_default().to_string(),
                        d.value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            threshold: a.threshold(),
            comparison: a
                .comparison_operator()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            reason: a.state_reason().unwrap_or_default().to_string(),
            updated: timestamp(a.state_updated_timestamp()),
        })
        .collect())
}

/// The alarm state changes of a region over the last day, newest first: one page of at
/// most [`ALARM_HISTORY_ITEMS`](crate::domain::fetch::ALARM_HISTORY_ITEMS), so a timeline's
/// cost per region stays one call however busy the alarms were.
pub async fn alarm_history(
    client: &Client,
    region: &str,
    who: &Who,
    now: Timestamp,
) -> Result<Vec<AlarmChange>, FetchError> {
    use crate::domain::fetch::{ALARM_HISTORY_HOURS, ALARM_HISTORY_ITEMS};
    use aws_sdk_cloudwatch::types::HistoryItemType;
    let start = now - jiff::SignedDuration::from_hours(ALARM_HISTORY_HOURS);
    let out = client
        .describe_alarm_history()
        .history_item_type(HistoryItemType::StateUpdate)
        .start_date(DateTime::from_secs(start.as_second()))
        .end_date(DateTime::from_secs(now.as_second() + 60))
        .scan_by(ScanBy::TimestampDescending)
        .max_records(ALARM_HISTORY_ITEMS)
        .send()
        .await
        .map_err(|e| Call::new("CloudWatch DescribeAlarmHistory", region, who).of(e))?;
    Ok(out
        .alarm_history_items()
        .iter()
        .filter_map(|item| {
            AlarmChange::from_history(
                item.alarm_name()?,
                timestamp(item.timestamp())?,
                item.history_summary().unwrap_or_default(),
                item.history_data(),
            )
        })
        .collect())
}
