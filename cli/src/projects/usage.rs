//! `ucare usage`: a project's traffic, storage and operations per day.
//!
//! The range (`--from`/`--to`, or `--last N` days ending yesterday) is checked before any
//! request, as the API checks it (exit 2). On a terminal, or with `--chart`, a bar chart
//! per day (one per metric for the combined usage); with `--table`, the figures as a
//! table; in a pipe, the API's answer as JSON, or with `--ndjson` one object per day.

use super::chart::{self, Unit};
use super::{client, public_key, refused};
use crate::cli::{Global, UsageArgs};
use crate::error::{CliError, Result};
use crate::output::{Mode, Output};
use crate::settings::Sources;
use serde_json::json;
use uploadcare::project_api::{types, UsageRange};

/// The metrics of the combined usage, in the order they are drawn.
const METRICS: [&str; 3] = ["traffic", "storage", "operations"];

/// Runs `ucare usage`.
pub async fn usage(global: &Global, sources: &Sources, out: &Output, args: UsageArgs) -> Result {
    let range = range(&args)?;
    let key = public_key(sources, &args.key_or_name)?;
    let client = client(global)?;
    let chart = args.chart || (out.mode() == Mode::Table && !global.table);
    let columns = chart::columns();
    let result = async {
        match args.metric {
            None => {
                let answer = client
                    .usage()
                    .pub_key(key.as_str())
                    .from(range.from)
                    .to(range.to)
                    .send()
                    .await?
                    .into_inner();
                if chart {
                    out.text(&combined_chart(&answer, columns))
                } else {
                    match out.mode() {
                        Mode::Json => out.print(&answer),
                        Mode::Ndjson => out.print(&answer.data),
                        Mode::Table => out.print(&combined_rows(&answer)),
                    }
                }
            }
            Some(metric) => {
                let answer = client
                    .usage_metric()
                    .pub_key(key.as_str())
                    .metric(types::UsageMetricName::from(metric.name()))
                    .from(range.from)
                    .to(range.to)
                    .send()
                    .await?
                    .into_inner();
                let unit = Unit::of(answer.unit.as_deref(), &answer.metric);
                if chart {
                    let days: Vec<(String, i64)> = answer
                        .data
                        .iter()
                        .map(|p| (p.date.to_string(), p.value))
                        .collect();
                    let heading = heading(&answer.metric, answer.unit.as_deref(), unit);
                    out.text(&format!("{heading}{}", chart::render(&days, unit, columns)))
                } else {
                    match out.mode() {
                        Mode::Json => out.print(&answer),
                        Mode::Ndjson => out.print(&answer.data),
                        Mode::Table => {
                            let rows: Vec<serde_json::Value> = answer
                                .data
                                .iter()
                                .map(|p| json!({"date": p.date, answer.metric.as_str(): readable(p.value, unit)}))
                                .collect();
                            out.print(&rows)
                        }
                    }
                }
            }
        }
    };
    result.await.map_err(refused)
}

/// The range asked for, checked as the API checks it (a usage error otherwise).
fn range(args: &UsageArgs) -> Result<UsageRange> {
    let range = match (args.last, args.from, args.to) {
        (Some(days), _, _) => UsageRange::last_days(days),
        (None, Some(from), Some(to)) => UsageRange::new(from, to),
        _ => return Err(CliError::usage("give --from and --to, or --last N")),
    };
    range.map_err(|e| match e {
        uploadcare::Error::InvalidInput(message) => CliError::usage(message),
        other => CliError::Api(other),
    })
}

/// `traffic (bytes)`: a chart's first line.
fn heading(metric: &str, api_unit: Option<&str>, unit: Unit) -> String {
    let unit_name = api_unit.unwrap_or(match unit {
        Unit::Bytes => "bytes",
        Unit::Count => "count",
    });
    format!("{metric} ({unit_name})\n")
}

/// One chart per metric, a blank line between them.
fn combined_chart(answer: &types::UsageCombined, columns: usize) -> String {
    let mut text = String::new();
    for metric in METRICS {
        let api_unit = answer.units.get(metric).map(String::as_str);
        let unit = Unit::of(api_unit, metric);
        let days: Vec<(String, i64)> = answer
            .data
            .iter()
            .map(|day| (day.date.to_string(), value(day, metric).unwrap_or(0)))
            .collect();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&heading(metric, api_unit, unit));
        text.push_str(&chart::render(&days, unit, columns));
    }
    text
}

/// A day's figure of `metric`.
fn value(day: &types::UsageDay, metric: &str) -> Option<i64> {
    match metric {
        "traffic" => day.traffic,
        "storage" => day.storage,
        _ => day.operations,
    }
}

/// The combined usage as table rows: the date and each metric in its unit.
fn combined_rows(answer: &types::UsageCombined) -> Vec<serde_json::Value> {
    answer
        .data
        .iter()
        .map(|day| {
            let mut row = serde_json::Map::new();
            row.insert("date".to_owned(), json!(day.date));
            for metric in METRICS {
                let unit = Unit::of(answer.units.get(metric).map(String::as_str), metric);
                row.insert(
                    metric.to_owned(),
                    json!(value(day, metric).map(|v| readable(v, unit))),
                );
            }
            serde_json::Value::Object(row)
        })
        .collect()
}

/// A figure in its unit (negative ones as they are).
fn readable(value: i64, unit: Unit) -> String {
    u64::try_from(value).map_or_else(|_| value.to_string(), |v| unit.format(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_combined_usage_is_one_chart_per_metric() {
        let answer: types::UsageCombined = serde_json::from_value(json!({
            "units": {"traffic": "bytes", "storage": "bytes", "operations": "operations"},
            "data": [
                {"date": "2026-11-01", "traffic": 1024, "storage": 2048, "operations": 3},
                {"date": "2026-11-02", "traffic": 2048, "storage": 2048, "operations": 6},
            ]
        }))
        .unwrap();
        assert_eq!(
            combined_chart(&answer, 30),
            "traffic (bytes)\n\
             2026-11-01  ████▌      1.0 KiB\n\
             2026-11-02  █████████  2.0 KiB\n\
             \n\
             storage (bytes)\n\
             2026-11-01  █████████  2.0 KiB\n\
             2026-11-02  █████████  2.0 KiB\n\
             \n\
             operations (operations)\n\
             2026-11-01  ███████▌         3\n\
             2026-11-02  ███████████████  6\n"
        );
    }
}
