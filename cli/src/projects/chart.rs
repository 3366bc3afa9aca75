//! The usage bar chart: one line per day — the date, a bar scaled to the largest value and
//! the width given (drawn in eighths of a character: `█` and `▏▎▍▌▋▊▉`), and the value in
//! human units.
//!
//! ```text
//! 2026-11-01  ████████████████████████▌       1.5 GiB
//! 2026-11-02  ████████████████████████████████  2.0 GiB
//! ```

/// How a metric's values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes: `1.5 KiB`, `2.0 GiB`.
    Bytes,
    /// A count: `1,234`.
    Count,
}

impl Unit {
    /// The unit the API names (`bytes`), else the metric's usual one (traffic and storage
    /// are bytes, operations a count).
    pub fn of(api_unit: Option<&str>, metric: &str) -> Self {
        match api_unit {
            Some(unit) if unit.eq_ignore_ascii_case("bytes") => Unit::Bytes,
            Some(_) => Unit::Count,
            None if matches!(metric, "traffic" | "storage") => Unit::Bytes,
            None => Unit::Count,
        }
    }

    /// `value` in this unit.
    pub fn format(self, value: u64) -> String {
        match self {
            Unit::Bytes => crate::table::human_size(value),
            Unit::Count => grouped(value),
        }
    }
}

/// `1234567` → `1,234,567`.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// The partial blocks: 1/8 to 7/8 of a character.
const EIGHTHS: [char; 7] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// Space between the columns.
const GAP: &str = "  ";

/// The chart of `days` (label, value) in `columns` characters: each line the label, a bar
/// (the largest value fills the room left by the label and the widest value; any value
/// above 0 shows at least 1/8), and the value right-aligned. Negative values count as 0.
pub fn render(days: &[(String, i64)], unit: Unit, columns: usize) -> String {
    if days.is_empty() {
        return "(no data)\n".to_owned();
    }
    let values: Vec<u64> = days.iter().map(|(_, v)| u64::try_from(*v).unwrap_or(0)).collect();
    let texts: Vec<String> = values.iter().map(|v| unit.format(*v)).collect();
    let label_width = days.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let value_width = texts.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    let bar_width = columns
        .saturating_sub(label_width + value_width + 2 * GAP.len())
        .max(1);
    let max = values.iter().copied().max().unwrap_or(0);
    let mut chart = String::new();
    for (((label, _), value), text) in days.iter().zip(&values).zip(&texts) {
        let bar = bar(*value, max, bar_width);
        let label_pad = label_width - label.chars().count();
        let bar_pad = bar_width - bar.chars().count();
        let value_pad = value_width - text.chars().count();
        chart.push_str(label);
        chart.push_str(&" ".repeat(label_pad));
        chart.push_str(GAP);
        chart.push_str(&bar);
        chart.push_str(&" ".repeat(bar_pad + value_pad));
        chart.push_str(GAP);
        chart.push_str(text);
        chart.push('\n');
    }
    chart
}

/// `value`'s bar: `width` characters for `max`, rounded to the nearest eighth (at least one
/// eighth for a value above 0).
fn bar(value: u64, max: u64, width: usize) -> String {
    if max == 0 || value == 0 {
        return String::new();
    }
    let room = u128::try_from(width).unwrap_or(u128::MAX / 16) * 8;
    let eighths = (u128::from(value) * room + u128::from(max) / 2) / u128::from(max);
    let eighths = usize::try_from(eighths.max(1)).unwrap_or(width.saturating_mul(8));
    let mut bar = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        bar.push(EIGHTHS[eighths % 8 - 1]);
    }
    bar
}

/// The width to draw in: `COLUMNS` when set, else the terminal's (when stdout is one),
/// else 80; at most [`MAX_COLUMNS`].
pub fn columns() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
        })
        .unwrap_or(80);
    columns.min(MAX_COLUMNS)
}

/// The widest chart drawn, whatever `COLUMNS` says.
pub const MAX_COLUMNS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    fn days(values: &[i64]) -> Vec<(String, i64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("2026-11-{:02}", i + 1), *v))
            .collect()
    }

    #[test]
    fn zeros_draw_no_bars() {
        assert_eq!(
            render(&days(&[0, 0]), Unit::Count, 30),
            "2026-11-01                   0\n2026-11-02                   0\n"
        );
        assert_eq!(render(&[], Unit::Bytes, 30), "(no data)\n");
    }

    #[test]
    fn one_day_fills_the_width() {
        let chart = render(&days(&[1536]), Unit::Bytes, 40);
        assert_eq!(chart, "2026-11-01  ███████████████████  1.5 KiB\n");
        assert_eq!(chart.trim_end().chars().count(), 40);
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        // 25 columns: 10 (date) + 2 + 8 (bar) + 2 + 3 (value).
        assert_eq!(
            render(&days(&[100, 50, 25, -5]), Unit::Count, 25),
            "2026-11-01  ████████  100\n\
             2026-11-02  ████       50\n\
             2026-11-03  ██         25\n\
             2026-11-04              0\n"
        );
    }

    #[test]
    fn partial_blocks_in_eighths() {
        // 8 characters = 64 eighths for 80: 1 → 0.8 → ▏, 13 → 10.4 → █▎, 45 → 36 → ████▌,
        // 79 → 63.2 → ███████▉.
        assert_eq!(
            render(&days(&[80, 1, 13, 45, 79]), Unit::Count, 24),
            "2026-11-01  ████████  80\n\
             2026-11-02  ▏          1\n\
             2026-11-03  █▎        13\n\
             2026-11-04  ████▌     45\n\
             2026-11-05  ███████▉  79\n"
        );
    }

    #[test]
    fn huge_values_and_narrow_terminals_do_not_overflow() {
        let chart = render(&days(&[i64::MAX, i64::MAX / 2]), Unit::Count, 5);
        assert!(
            chart.starts_with("2026-11-01  █  9,223,372,036,854,775,807\n"),
            "{chart}"
        );
        assert!(
            chart.contains("2026-11-02  ▌  4,611,686,018,427,387,903\n"),
            "{chart}"
        );
    }

    #[test]
    fn units_read_as_people_read_them() {
        assert_eq!(Unit::Count.format(0), "0");
        assert_eq!(Unit::Count.format(999), "999");
        assert_eq!(Unit::Count.format(1_234_567), "1,234,567");
        assert_eq!(Unit::Bytes.format(3 * 1024 * 1024 * 1024), "3.0 GiB");
        assert_eq!(Unit::of(Some("bytes"), "operations"), Unit::Bytes);
        assert_eq!(Unit::of(None, "storage"), Unit::Bytes);
        assert_eq!(Unit::of(Some("operations"), "operations"), Unit::Count);
    }
}
