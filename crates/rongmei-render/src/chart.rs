//! Charts drawn on the server as inline SVG.

use std::fmt::Write as _;

use rongmei_core::body::escape_html;

/// At most this many steps up the y axis: enough to read a value off, few enough to stay legible
/// in 220 px.
const MAX_STEPS: i64 = 5;

/// The y-axis step for counts up to `max`: the smallest 1, 2 or 5 × 10ⁿ that reaches `max` in at
/// most [`MAX_STEPS`] steps. Counts are whole, so the step never drops below 1 — a fractional step
/// is what made small charts label their axis `0, 1, 1`.
fn nice_step(max: i64) -> i64 {
    let mut magnitude: i64 = 1;
    loop {
        for m in [1i64, 2, 5] {
            let step = m.saturating_mul(magnitude);
            if step.saturating_mul(MAX_STEPS) >= max {
                return step;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// The y-axis labels for counts up to `max`: whole, distinct, from 0 up to the first step at or
/// above `max` (which is also the top of the chart, so the tallest bar stays inside it).
pub fn y_ticks(max: i64) -> Vec<i64> {
    // An empty chart still gets an axis 0–1 rather than a single label.
    let max = max.max(1);
    let step = nice_step(max);
    // Both are positive; signed `div_ceil` is not stable yet.
    let steps = i64::try_from(max.unsigned_abs().div_ceil(step.unsigned_abs())).unwrap_or(1);
    (0..=steps).map(|i| i.saturating_mul(step)).collect()
}

/// A bar chart as inline SVG: readable without JavaScript, printable, and small.
pub fn bar_chart(points: &[(String, i64)], title: &str) -> String {
    const W: f64 = 720.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 28.0;
    const TOP: f64 = 4.0;
    let ticks = y_ticks(points.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let top = ticks.last().copied().unwrap_or(1).max(1) as f64;
    let plot_h = H - BOTTOM - TOP;
    let n = points.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape_html(title),
        escape_html(title)
    );
    for tick in &ticks {
        let y = H - BOTTOM - plot_h * (*tick as f64) / top;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e7eb"/><text class="y-tick" x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#6b7280">{tick}</text>"##,
            LEFT - 6.0,
            y + 4.0,
        );
    }
    let label_every = (points.len() / 8).max(1);
    for (i, (label, v)) in points.iter().enumerate() {
        let h = plot_h * ((*v).max(0) as f64) / top;
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let y = H - BOTTOM - h;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="#9b1c1c"><title>{}：{v}</title></rect>"##,
            slot * 0.7,
            escape_html(label)
        );
        if i % label_every == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#6b7280">{}</text>"##,
                x + slot * 0.35,
                H - 10.0,
                escape_html(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_maxima_get_whole_distinct_ticks() {
        assert_eq!(y_ticks(0), vec![0, 1]);
        assert_eq!(y_ticks(1), vec![0, 1]);
        assert_eq!(y_ticks(2), vec![0, 1, 2]);
        assert_eq!(y_ticks(3), vec![0, 1, 2, 3]);
        assert_eq!(y_ticks(5), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(y_ticks(7), vec![0, 2, 4, 6, 8]);
        assert_eq!(y_ticks(10), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(y_ticks(11), vec![0, 5, 10, 15]);
    }

    #[test]
    fn large_maxima_use_round_steps() {
        assert_eq!(y_ticks(100), vec![0, 20, 40, 60, 80, 100]);
        assert_eq!(y_ticks(1234), vec![0, 500, 1000, 1500]);
        assert_eq!(y_ticks(-3), vec![0, 1]);
        let huge = y_ticks(i64::MAX / 2);
        assert!(huge.windows(2).all(|w| w[0] < w[1]), "{huge:?}");
    }

    #[test]
    fn ticks_are_distinct_nice_and_cover_the_maximum() {
        for max in 0..5000 {
            let t = y_ticks(max);
            assert_eq!(t[0], 0, "max {max}: {t:?}");
            assert!(
                t.len() >= 2 && t.len() as i64 <= MAX_STEPS + 1,
                "max {max}: {t:?}"
            );
            assert!(*t.last().unwrap_or(&0) >= max, "max {max}: {t:?}");
            let step = t[1];
            let mut mantissa = step;
            while mantissa % 10 == 0 {
                mantissa /= 10;
            }
            assert!([1, 2, 5].contains(&mantissa), "max {max}: step {step}");
            assert!(
                t.windows(2).all(|w| w[1] - w[0] == step),
                "max {max}: {t:?}"
            );
            // No wasted step: one fewer would not reach the maximum.
            assert!(t[t.len() - 2] < max.max(1), "max {max}: {t:?}");
        }
    }

    /// The numbers the axis shows, in order, read back from the SVG.
    fn axis_labels(svg: &str) -> Vec<String> {
        svg.split(r#"<text class="y-tick""#)
            .skip(1)
            .filter_map(|s| s.split_once('>'))
            .filter_map(|(_, rest)| rest.split_once('<'))
            .map(|(label, _)| label.to_string())
            .collect()
    }

    #[test]
    fn the_svg_labels_each_tick_once() {
        let points = |vals: &[i64]| -> Vec<(String, i64)> {
            vals.iter()
                .enumerate()
                .map(|(i, v)| (format!("{}日", i + 1), *v))
                .collect()
        };
        assert_eq!(
            axis_labels(&bar_chart(&points(&[0, 1, 0]), "浏览")),
            ["0", "1"]
        );
        assert_eq!(
            axis_labels(&bar_chart(&points(&[3, 0, 2]), "浏览")),
            ["0", "1", "2", "3"]
        );
        assert_eq!(
            axis_labels(&bar_chart(&points(&[7]), "浏览")),
            ["0", "2", "4", "6", "8"]
        );
        assert_eq!(axis_labels(&bar_chart(&[], "浏览")), ["0", "1"]);
    }

    #[test]
    fn the_tallest_bar_fits_under_the_top_tick() {
        let svg = bar_chart(&[("1日".into(), 7), ("2日".into(), 8)], "浏览");
        // Top tick 8 sits at y = 4; the bar of 8 reaches exactly there and the bar of 7 below it.
        assert!(svg.contains(r#"y1="4.0""#), "{svg}");
        assert!(svg.contains(r#"y="4.0" width"#), "{svg}");
        assert!(svg.contains(r#"height="164.5""#), "{svg}");
    }
}
