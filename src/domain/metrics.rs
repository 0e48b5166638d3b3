//! Metric series from CloudWatch (or the simulated fleet): what a chart or a sparkline draws.

use jiff::Timestamp;
use serde::Serialize;

/// Where a series is: an account (by its id, as the ARNs it comes from say) and a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

/// The account and region of a resource, from its ARN.
pub fn place_of(arn: &str) -> Place<'_> {
    Place {
        account: super::account::arn_account(arn).unwrap_or_default(),
        region: crate::util::arn_region(arn).unwrap_or_default(),
    }
}

/// One CloudWatch metric and statistic: namespace, name, dimensions, stat, in an account's
/// region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SeriesKey {
    pub account: String,
    pub region: String,
    pub namespace: String,
    pub metric: String,
    pub dims: Vec<(String, String)>,
    pub stat: String,
}

impl SeriesKey {
    pub fn new(place: Place<'_>, namespace: &str, metric: &str, dims: &[(&str, &str)], stat: &str) -> Self {
        SeriesKey {
            account: place.account.to_string(),
            region: place.region.to_string(),
            namespace: namespace.to_string(),
            metric: metric.to_string(),
            dims: dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            stat: stat.to_string(),
        }
    }

    pub fn dim(&self, name: &str) -> Option<&str> {
        self.dims.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// What the values are measured in.
    pub fn unit(&self) -> Unit {
        match self.metric.as_str() {
            "CPUUtilization" | "MemoryUtilization" => Unit::Percent,
            "TargetResponseTime" => Unit::Seconds,
            "RequestLatency" => Unit::Millis,
            _ => Unit::Count,
        }
    }
}

/// How far back a chart looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub enum Window {
    #[default]
    Hour,
    ThreeHours,
    Day,
    Week,
}

impl Window {
    pub const ALL: [Window; 4] = [Window::Hour, Window::ThreeHours, Window::Day, Window::Week];

    pub fn secs(self) -> i64 {
        match self {
            Window::Hour => 3600,
            Window::ThreeHours => 3 * 3600,
            Window::Day => 24 * 3600,
            Window::Week => 7 * 24 * 3600,
        }
    }

    /// The period that fits the window in a few hundred points (and that CloudWatch keeps
    /// for that long: one-minute data only for recent hours).
    pub fn period(self) -> i64 {
        match self {
            Window::Hour => 60,
            Window::ThreeHours => 60,
            Window::Day => 300,
            Window::Week => 3600,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Window::Hour => "1h",
            Window::ThreeHours => "3h",
            Window::Day => "24h",
            Window::Week => "7d",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    Percent,
    Seconds,
    Millis,
    Count,
}

impl Unit {
    /// A value as a person reads it: `42%`, `180ms`, `1.2k`.
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Percent => format!("{v:.0}%"),
            Unit::Seconds if v < 1.0 => format!("{:.0}ms", v * 1000.0),
            Unit::Seconds => format!("{v:.1}s"),
            Unit::Millis if v < 1000.0 => format!("{v:.0}ms"),
            Unit::Millis => format!("{:.1}s", v / 1000.0),
            Unit::Count if v >= 1_000_000.0 => format!("{:.1}M", v / 1_000_000.0),
            Unit::Count if v >= 1000.0 => format!("{:.1}k", v / 1000.0),
            Unit::Count if v.fract() == 0.0 || v >= 100.0 => format!("{v:.0}"),
            Unit::Count => format!("{v:.1}"),
        }
    }
}

/// Datapoints of one series over a window, oldest first. A period with no datapoint is a
/// gap, never a zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSeries {
    pub key: SeriesKey,
    pub window: Window,
    pub start: Timestamp,
    pub end: Timestamp,
    pub points: Vec<(Timestamp, f64)>,
}

impl MetricSeries {
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|(_, v)| *v)
    }

    pub fn max(&self) -> Option<f64> {
        self.points.iter().map(|(_, v)| *v).reduce(f64::max)
    }

    /// The window cut into `n` equal buckets: each the mean of its points, `None` for none.
    pub fn buckets(&self, n: usize) -> Vec<Option<f64>> {
        let span = self.end.duration_since(self.start).as_secs_f64().max(1.0);
        let mut sums = vec![(0.0, 0u32); n];
        for (t, v) in &self.points {
            let at = t.duration_since(self.start).as_secs_f64() / span;
            let i = ((at * n as f64) as usize).min(n.saturating_sub(1));
            sums[i].0 += v;
            sums[i].1 += 1;
        }
        sums.into_iter().map(|(s, c)| (c > 0).then(|| s / c as f64)).collect()
    }
}

/// Bars for a sparkline: `▁▂▃▄▅▆▇█`, a space for a gap. Scaled to `top` (100 for percent).
pub fn sparkline(buckets: &[Option<f64>], top: f64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    buckets
        .iter()
        .map(|b| match b {
            None => ' ',
            Some(v) => {
                let level = if top > 0.0 { (v / top).clamp(0.0, 1.0) } else { 0.0 };
                BARS[((level * 7.0).round() as usize).min(7)]
            }
        })
        .collect()
}

/// A change of an alarm's state, from its history (DescribeAlarmHistory, StateUpdate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmChange {
    pub alarm: String,
    pub at: Timestamp,
    /// OK, ALARM, INSUFFICIENT_DATA.
    pub from: String,
    pub to: String,
    /// Why it changed: the new state's reason.
    pub reason: Option<String>,
}

impl AlarmChange {
    /// A StateUpdate history item: its HistoryData (`oldState` / `newState` with their
    /// `stateValue` and `stateReason`), else its summary ("Alarm updated from OK to ALARM").
    pub fn from_history(alarm: &str, at: Timestamp, summary: &str, data: Option<&str>) -> Option<Self> {
        let parsed = data.and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok());
        let state = |which: &str, field: &str| parsed.as_ref()?.get(which)?.get(field)?.as_str().map(str::to_string);
        let (from, to) = match (state("oldState", "stateValue"), state("newState", "stateValue")) {
            (Some(from), Some(to)) => (from, to),
            _ => {
                let rest = summary.split(" from ").nth(1)?;
                let (from, to) = rest.split_once(" to ")?;
                (from.trim().to_string(), to.trim().trim_end_matches('.').to_string())
            }
        };
        Some(AlarmChange {
            alarm: alarm.to_string(),
            at,
            from,
            to,
            reason: state("newState", "stateReason"),
        })
    }
}

/// A CloudWatch alarm and its state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    pub name: String,
    pub state: String,
    pub namespace: String,
    pub metric: String,
    pub dims: Vec<(String, String)>,
    pub threshold: Option<f64>,
    pub comparison: String,
    pub reason: String,
    pub updated: Option<Timestamp>,
}

impl Alarm {
    pub fn firing(&self) -> bool {
        self.state == "ALARM"
    }

    pub fn dim(&self, name: &str) -> Option<&str> {
        self.dims.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether it watches the series `key` charts: its namespace and metric, and dimensions
    /// the series has (an alarm on a service's CPU watches the service's CPU chart).
    pub fn watches(&self, key: &SeriesKey) -> bool {
        self.namespace == key.namespace
            && self.metric == key.metric
            && !self.dims.is_empty()
            && self.dims.iter().all(|(k, v)| key.dim(k) == Some(v.as_str()))
    }
}

/// What a chart marks beside its series: when each deployment started (and whether it
/// failed or was rolled back), and the thresholds of the alarms on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    pub deploys: Vec<Deploy>,
    /// (threshold, the alarm's name, whether it is firing).
    pub thresholds: Vec<(f64, String, bool)>,
}

/// A deployment on a chart: when it started, and whether it failed (or was rolled back).
#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    pub at: Timestamp,
    pub failed: bool,
}

impl Marks {
    /// The thresholds of the alarms among `alarms` that watch `key`.
    pub fn with_alarms<'a>(mut self, key: &SeriesKey, alarms: impl IntoIterator<Item = &'a Alarm>) -> Self {
        self.thresholds = alarms
            .into_iter()
            .filter(|a| a.watches(key))
            .filter_map(|a| Some((a.threshold?, a.name.clone(), a.firing())))
            .collect();
        self
    }
}

/// The series a service's views show.
pub fn service_series(place: Place<'_>, cluster: &str, service: &str) -> [SeriesKey; 2] {
    let dims = [("ClusterName", cluster), ("ServiceName", service)];
    [
        SeriesKey::new(place, "AWS/ECS", "CPUUtilization", &dims, "Average"),
        SeriesKey::new(place, "AWS/ECS", "MemoryUtilization", &dims, "Average"),
    ]
}

/// An App Runner service's series (AWS/AppRunner, by ServiceName and ServiceID), each with
/// its chart's title: requests and their status classes, latency, active instances, CPU
/// and memory. The first is the list's sparkline.
pub fn apprunner_series(place: Place<'_>, name: &str, id: &str) -> [(&'static str, SeriesKey); 8] {
    let dims = [("ServiceName", name), ("ServiceID", id)];
    let key = |metric: &str, stat: &str| SeriesKey::new(place, "AWS/AppRunner", metric, &dims, stat);
    [
        ("Requests", key("Requests", "Sum")),
        ("2xx", key("2xxStatusResponses", "Sum")),
        ("4xx", key("4xxStatusResponses", "Sum")),
        ("5xx", key("5xxStatusResponses", "Sum")),
        ("Latency", key("RequestLatency", "Average")),
        ("Active instances", key("ActiveInstances", "Maximum")),
        ("CPU", key("CPUUtilization", "Average")),
        ("Memory", key("MemoryUtilization", "Average")),
    ]
}

/// The load balancer series of a target group (`targetgroup/NAME/ID`) behind a load
/// balancer (`app/NAME/ID`).
pub fn target_group_series(place: Place<'_>, target_group: &str, load_balancer: Option<&str>) -> Vec<SeriesKey> {
    let mut keys = vec![SeriesKey::new(
        place,
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        &[("TargetGroup", target_group)],
        "Sum",
    )];
    if let Some(lb) = load_balancer {
        let dims = [("TargetGroup", target_group), ("LoadBalancer", lb)];
        keys.push(SeriesKey::new(
            place,
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            &dims,
            "Sum",
        ));
        keys.push(SeriesKey::new(
            place,
            "AWS/ApplicationELB",
            "TargetResponseTime",
            &dims,
            "Average",
        ));
    }
    keys
}

/// The series of a target group (`targetgroup/NAME/ID`) behind a Network Load Balancer
/// (`net/NAME/ID`), each with its chart's title: AWS/NetworkELB has no requests or HTTP
/// codes, but flows, TCP resets and the target group's healthy and unhealthy hosts.
pub fn network_series(place: Place<'_>, target_group: &str, load_balancer: &str) -> Vec<(&'static str, SeriesKey)> {
    let nlb = [("LoadBalancer", load_balancer)];
    let both = [("TargetGroup", target_group), ("LoadBalancer", load_balancer)];
    let key =
        |metric: &str, dims: &[(&str, &str)], stat: &str| SeriesKey::new(place, "AWS/NetworkELB", metric, dims, stat);
    vec![
        ("Active flows", key("ActiveFlowCount", &nlb, "Average")),
        ("Target resets", key("TCP_Target_Reset_Count", &nlb, "Sum")),
        ("Healthy hosts", key("HealthyHostCount", &both, "Minimum")),
        ("Unhealthy hosts", key("UnHealthyHostCount", &both, "Maximum")),
    ]
}

/// The queue depth series of an SQS queue a service scales on.
pub fn queue_series(place: Place<'_>, queue: &str) -> SeriesKey {
    SeriesKey::new(
        place,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        &[("QueueName", queue)],
        "Average",
    )
}

/// The name of a target group, from its ARN (`…:targetgroup/NAME/ID`).
pub fn target_group_name(arn: &str) -> &str {
    arn.split('/').nth(1).unwrap_or(arn)
}

/// `targetgroup/NAME/ID` of a target group ARN: how CloudWatch names it.
pub fn arn_suffix(arn: &str, marker: &str) -> Option<String> {
    arn.find(marker).map(|i| arn[i..].to_string())
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    #[test]
    fn buckets_keep_gaps_and_average_the_rest() {
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let at = |m: i64| start + SignedDuration::from_mins(m);
        let series = MetricSeries {
            key: service_series(place_of("arn:aws:ecs:us-east-1:1:cluster/c"), "c", "s")[0].clone(),
            window: Window::Hour,
            start,
            end: at(60),
            points: vec![(at(1), 10.0), (at(2), 30.0), (at(50), 90.0)],
        };
        let b = series.buckets(6);
        assert_eq!(b, vec![Some(20.0), None, None, None, None, Some(90.0)]);
        assert_eq!(sparkline(&b, 100.0), "▂    ▇");
        assert_eq!(series.latest(), Some(90.0));
    }

    #[test]
    fn units_read_well() {
        assert_eq!(Unit::Percent.format(42.4), "42%");
        assert_eq!(Unit::Seconds.format(0.183), "183ms");
        assert_eq!(Unit::Count.format(1520.0), "1.5k");
        assert_eq!(Unit::Count.format(3.0), "3");
    }

    #[test]
    fn cloudwatch_names_load_balancer_resources_by_suffix() {
        let tg = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/0123456789abcdef";
        assert_eq!(
            arn_suffix(tg, "targetgroup/").as_deref(),
            Some("targetgroup/web/0123456789abcdef")
        );
        let lb = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/front/feedbeef";
        assert_eq!(arn_suffix(lb, "app/").as_deref(), Some("app/front/feedbeef"));
    }
}
