//! Charts drawn on the server as inline SVG.

use std::fmt::Write as _;

use rongmei_core::body::escape_html;

/// A bar chart as inline SVG: readable without JavaScript, printable, and small.
pub fn bar_chart(points: &[(String, i64)], title: &str) -> String {
    const W: f64 = 720.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 28.0;
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let n = points.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape_html(title),
        escape_html(title)
    );
    for frac in [0.0, 0.5, 1.0] {
        let y = (H - BOTTOM) * (1.0 - frac) + 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e7eb"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#6b7280">{}</text>"##,
            LEFT - 6.0,
            y + 4.0,
            (max * frac).round() as i64
        );
    }
    let label_every = (points.len() / 8).max(1);
    for (i, (label, v)) in points.iter().enumerate() {
        let h = (H - BOTTOM - 4.0) * (*v as f64) / max;
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
