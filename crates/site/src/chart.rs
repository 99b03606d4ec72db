//! Votes over time as an SVG bar chart drawn on the server: no script, no external file.
//! Everything in it is a number or a date we formatted, and the one text a caller gives
//! (the label) is escaped.

use std::fmt::Write;

use crate::store::DayCount;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

/// A stacked bar per day from `first_day` for `days` days (helpful below, not helpful on
/// top). Days missing from `counts` are drawn as zero.
pub fn votes_per_day_svg(
    label: &str,
    first_day: time::Date,
    days: u16,
    counts: &[DayCount],
) -> String {
    let days = days.max(1);
    let series: Vec<(time::Date, u64, u64)> = (0..days)
        .filter_map(|offset| first_day.checked_add(time::Duration::days(i64::from(offset))))
        .map(|day| {
            let key = iso_date(day);
            counts
                .iter()
                .find(|c| c.day == key)
                .map_or((day, 0, 0), |c| (day, c.helpful, c.not_helpful))
        })
        .collect();
    let peak = series
        .iter()
        .map(|(_, h, n)| h + n)
        .max()
        .unwrap_or(0)
        .max(1);
    let total_helpful: u64 = series.iter().map(|(_, h, _)| h).sum();
    let total_not: u64 = series.iter().map(|(_, _, n)| n).sum();
    let plot_height = HEIGHT - BOTTOM - TOP;
    let slot = (WIDTH - LEFT) / series.len() as f64;
    let bar = (slot * 0.7).max(1.0);
    let scale = |n: u64| n as f64 / peak as f64 * plot_height;

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"chart-title\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">{}: {total_helpful} helpful and {total_not} not helpful votes over {} days</title>",
        escape(label),
        series.len()
    );
    // Axis and the peak value.
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{WIDTH}\" y2=\"{base}\" stroke=\"#55555a\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#55555a\">{peak}</text>\
         <text x=\"{}\" y=\"{base}\" font-size=\"11\" text-anchor=\"end\" fill=\"#55555a\">0</text>",
        LEFT - 4.0,
        TOP + 9.0,
        LEFT - 4.0
    );
    for (i, (day, helpful, not_helpful)) in series.iter().enumerate() {
        let x = LEFT + i as f64 * slot + (slot - bar) / 2.0;
        let h = scale(*helpful);
        let n = scale(*not_helpful);
        let _ = write!(
            svg,
            "<g><title>{}: {helpful} helpful, {not_helpful} not helpful</title>\
             <rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"#1a7f37\"/>\
             <rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{n:.1}\" fill=\"#c2410c\"/></g>",
            iso_date(*day),
            base - h,
            base - h - n
        );
    }
    // First and last day under the axis.
    if let (Some(first), Some(last)) = (series.first(), series.last()) {
        let _ = write!(
            svg,
            "<text x=\"{LEFT}\" y=\"{}\" font-size=\"11\" fill=\"#55555a\">{}</text>\
             <text x=\"{WIDTH}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#55555a\">{}</text>",
            HEIGHT - 6.0,
            iso_date(first.0),
            HEIGHT - 6.0,
            iso_date(last.0)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `2026-11-25`.
pub fn iso_date(day: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_bar_pair_per_day_and_escapes_the_label() {
        let first = time::macros::date!(2026 - 11 - 20);
        let counts = vec![DayCount {
            day: "2026-11-22".into(),
            helpful: 3,
            not_helpful: 1,
        }];
        let svg = votes_per_day_svg("<script>x</script>", first, 5, &counts);
        assert_eq!(svg.matches("<rect").count(), 10);
        assert!(svg.contains("2026-11-22: 3 helpful, 1 not helpful"));
        assert!(svg.contains("3 helpful and 1 not helpful votes over 5 days"));
        assert!(!svg.contains("<script>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
