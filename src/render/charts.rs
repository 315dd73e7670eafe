//! Static SVG charts drawn at build time: no chart library in the page. Each has a title and
//! description for screen readers; the page puts a table of the same numbers beside it.

use std::fmt::Write;

use crate::library::patterns::Patterns;
use crate::markdown::escape_html as esc;

/// Fill colours per severity, most severe first; the last is for "no severity".
const PALETTE: [&str; 6] = [
    "#b3261e", "#c2570c", "#b08900", "#3b6e3b", "#4a6fa5", "#8a8f98",
];

const LEFT: f64 = 44.0;
const TOP: f64 = 14.0;
const PLOT_H: f64 = 180.0;
const BOTTOM: f64 = 46.0;

fn colour(i: usize, n: usize) -> &'static str {
    if i + 1 == n {
        PALETTE[5]
    } else {
        PALETTE[i.min(4)]
    }
}

/// A round upper bound for a count axis with four whole-number steps: 4, 8, 20, 40, 80, 200 …
fn nice_count(max: f64) -> f64 {
    let step = (max / 4.0).ceil().max(1.0);
    let exp = 10f64.powf(step.log10().floor());
    let steps = [1.0, 2.0, 2.5, 5.0, 10.0];
    let nice = steps
        .iter()
        .map(|m| m * exp)
        .filter(|s| s.fract() == 0.0)
        .find(|s| *s >= step)
        .unwrap_or(step);
    4.0 * nice
}

/// A round upper bound for an axis: 1, 2, 5 × 10^k.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let exp = 10f64.powf(max.log10().floor());
    // Four steps of a round size: 0.25, 0.5, 1, 2 or 2.5 (times a power of ten).
    [1.0, 2.0, 4.0, 8.0, 10.0]
        .iter()
        .map(|m| m * exp)
        .find(|v| *v >= max)
        .unwrap_or(max)
}

fn open(out: &mut String, id: &str, width: f64, title: &str, desc: &str) {
    let height = TOP + PLOT_H + BOTTOM;
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" font-family=\"system-ui, -apple-system, Segoe UI, Roboto, sans-serif\" role=\"img\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc)
    );
}

fn axes(out: &mut String, width: f64, max: f64, unit: &str) {
    let base = TOP + PLOT_H;
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let y = base - PLOT_H * f64::from(k) / 4.0;
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#d0d5dd\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#5d6678\">{}{unit}</text>",
            width - 6.0,
            LEFT - 4.0,
            y + 3.0,
            trim(v)
        );
    }
}

fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Labels under the bars: every period when there are few, else one per year.
fn x_labels(out: &mut String, labels: &[String], x_of: impl Fn(usize) -> f64) {
    let sparse = labels.len() > 16;
    let y = TOP + PLOT_H + 14.0;
    // Labels never touch: every k-th, k from a label's width (about 6 px a character at 10
    // px, and a gap) against the space between two periods.
    let step = if labels.len() > 1 {
        x_of(1) - x_of(0)
    } else {
        f64::MAX
    };
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * 6.0 + 8.0;
    let every = ((widest / step).ceil() as usize).max(1);
    for (i, label) in labels.iter().enumerate() {
        let shown = if sparse {
            label.ends_with("-01") || label.ends_with("Q1") || i == 0
        } else {
            i % every == 0
        };
        if shown {
            let text = if sparse {
                label.split([' ', '-']).next().unwrap_or(label)
            } else {
                label.as_str()
            };
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5d6678\">{}</text>",
                x_of(i),
                esc(text)
            );
        }
    }
}

/// The x of the middle of period `i`'s bar (or point).
fn bar_centre(step: f64, i: usize) -> f64 {
    LEFT + 6.0 + step * i as f64 + step / 2.0
}

fn width_for(n: usize) -> (f64, f64) {
    let step = if n > 24 { 12.0 } else { 28.0 };
    (LEFT + 12.0 + step * n as f64, step)
}

/// Incidents per period, stacked by severity.
pub fn incidents_by_severity(p: &Patterns) -> String {
    let n = p.periods.len();
    let (bars_width, step) = width_for(n);
    // At least as wide as the legend under the bars.
    let legend_width: f64 = LEFT + p.severities.iter().map(|s| legend_step(s)).sum::<f64>();
    let width = bars_width.max(legend_width.ceil());
    let max = nice_count(p.periods.iter().map(|x| x.total).max().unwrap_or(0) as f64);
    let total: usize = p.periods.iter().map(|x| x.total).sum();
    let mut out = String::new();
    open(
        &mut out,
        "chart-severity",
        width,
        &format!("Incidents per {} by severity", p.period),
        &format!(
            "{total} dated incidents over {n} {}s, stacked by severity; the table beside the chart has the numbers.",
            p.period
        ),
    );
    axes(&mut out, width, max, "");
    let base = TOP + PLOT_H;
    let x_of = |i: usize| bar_centre(step, i);
    for (i, period) in p.periods.iter().enumerate() {
        let mut y = base;
        for (s, count) in period.by_severity.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let h = PLOT_H * *count as f64 / max;
            y -= h;
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}: {count} {}</title></rect>",
                x_of(i) - step * 0.35,
                step * 0.7,
                colour(s, p.severities.len()),
                esc(&period.label),
                esc(&p.severities[s])
            );
        }
    }
    x_labels(
        &mut out,
        &p.periods
            .iter()
            .map(|x| x.label.clone())
            .collect::<Vec<_>>(),
        x_of,
    );
    // Legend.
    let mut lx = LEFT;
    let ly = TOP + PLOT_H + 32.0;
    for (s, name) in p.severities.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"10\" fill=\"#1d2330\">{}</text>",
            ly - 9.0,
            colour(s, p.severities.len()),
            lx + 13.0,
            esc(name)
        );
        lx += legend_step(name);
    }
    out.push_str("</svg>");
    out
}

fn legend_step(name: &str) -> f64 {
    22.0 + 6.5 * name.chars().count() as f64
}

/// Median time to resolve per period, in hours, as a line with a point per period.
pub fn time_to_resolve(p: &Patterns) -> String {
    let n = p.periods.len();
    let (width, step) = width_for(n);
    let hours: Vec<Option<f64>> = p
        .periods
        .iter()
        .map(|x| x.time_to_resolve_median.map(|m| m / 60.0))
        .collect();
    let (max, clipped) = scale(&hours.iter().flatten().copied().collect::<Vec<_>>());
    let mut out = String::new();
    let above = if clipped {
        format!(
            " Values above {}h are drawn at the top, marked with a triangle; the table has them all.",
            trim(max)
        )
    } else {
        String::new()
    };
    open(
        &mut out,
        "chart-ttr",
        width,
        &format!("Median time to resolve per {}, in hours", p.period),
        &format!(
            "Median hours from the start of impact to resolution for each {}; gaps where no incident had both times.{above}",
            p.period
        ),
    );
    axes(&mut out, width, max, "h");
    let base = TOP + PLOT_H;
    let x_of = |i: usize| bar_centre(step, i);
    let mut segment: Vec<String> = Vec::new();
    let flush = |segment: &mut Vec<String>, out: &mut String| {
        if segment.len() > 1 {
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\"/>",
                segment.join(" ")
            );
        }
        segment.clear();
    };
    // A value over the top of a clipped scale is drawn at the top.
    let y_of = |h: f64| base - PLOT_H * h.min(max) / max;
    for (i, h) in hours.iter().enumerate() {
        match h {
            Some(h) => segment.push(format!("{:.1},{:.1}", x_of(i), y_of(*h))),
            None => flush(&mut segment, &mut out),
        }
    }
    flush(&mut segment, &mut out);
    for (i, h) in hours.iter().enumerate() {
        let Some(h) = h else { continue };
        let (x, y, label) = (x_of(i), y_of(*h), esc(&p.periods[i].label));
        if *h > max {
            let _ = write!(
                out,
                "<path class=\"over\" d=\"M{:.1},{:.1} l4,7 h-8 z\" fill=\"#b3261e\"><title>{label}: {h:.1} h, above the scale</title></path>",
                x,
                y - 3.0
            );
        } else {
            let _ = write!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#1f5fbf\"><title>{label}: {h:.1} h</title></circle>"
            );
        }
    }
    x_labels(
        &mut out,
        &p.periods
            .iter()
            .map(|x| x.label.clone())
            .collect::<Vec<_>>(),
        x_of,
    );
    out.push_str("</svg>");
    out
}

/// The top of a duration axis, and whether values above it are clipped: one long outage
/// (a median of two days among medians of an hour) would flatten every other point, so when
/// the largest is over three times the 75th percentile the axis ends at twice that.
fn scale(values: &[f64]) -> (f64, bool) {
    let max = values.iter().copied().fold(0.0, f64::max);
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q3 = sorted
        .get((sorted.len() * 3).div_ceil(4).saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    if sorted.len() >= 4 && q3 > 0.0 && max > 3.0 * q3 {
        (nice_max(2.0 * q3), true)
    } else {
        (nice_max(max), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_long_outage_does_not_flatten_the_rest() {
        // Medians of about an hour and one of 52 hours: the 75th percentile is 3.1 h, so
        // the axis ends at 8 h (6.2 rounded up to a round step) and the 52 is at the top.
        assert_eq!(scale(&[1.2, 0.75, 1.1, 52.0, 0.6, 3.1]), (8.0, true));
        // Values close together keep their whole range.
        assert_eq!(scale(&[1.0, 2.0, 3.0, 4.5]), (8.0, false));
        assert_eq!(scale(&[52.0]), (80.0, false));
        assert_eq!(scale(&[]), (1.0, false));
    }

    #[test]
    fn count_axes_have_whole_steps() {
        assert_eq!(nice_count(0.0), 4.0);
        assert_eq!(nice_count(1.0), 4.0);
        assert_eq!(nice_count(5.0), 8.0);
        assert_eq!(nice_count(33.0), 40.0);
        assert_eq!(nice_count(900.0), 1000.0);
    }
}

#[cfg(test)]
mod snapshot {
    use super::*;
    use crate::library::patterns::{Patterns, Period};

    pub fn tiny() -> Patterns {
        Patterns {
            root_causes: Vec::new(),
            contributing_factors: Vec::new(),
            components: Vec::new(),
            period: "month",
            periods: vec![
                Period {
                    label: "2024-01".into(),
                    by_severity: vec![1, 1, 0],
                    total: 2,
                    time_to_resolve_median: Some(90.0),
                },
                Period {
                    label: "2024-02".into(),
                    by_severity: vec![0, 0, 0],
                    total: 0,
                    time_to_resolve_median: None,
                },
                Period {
                    label: "2024-03".into(),
                    by_severity: vec![0, 2, 1],
                    total: 3,
                    time_to_resolve_median: Some(30.0),
                },
            ],
            severities: vec!["SEV1".into(), "SEV2".into(), "none".into()],
            window_days: 90,
        }
    }

    /// The charts of a three-month library, to the byte: stacked bars with whole-number
    /// ticks, a legend inside the width, a gap in the line where a month has no data, and
    /// every other month labelled (seven characters do not fit in 28 px).
    #[test]
    fn charts_to_the_byte() {
        assert_eq!(incidents_by_severity(&tiny()), SEVERITY);
        assert_eq!(time_to_resolve(&tiny()), TTR);
    }

    const SEVERITY: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" role="img" viewBox="0 0 188 240" width="188" height="240" aria-labelledby="chart-severity-title chart-severity-desc"><title id="chart-severity-title">Incidents per month by severity</title><desc id="chart-severity-desc">5 dated incidents over 3 months, stacked by severity; the table beside the chart has the numbers.</desc><line x1="44" y1="194.0" x2="182.0" y2="194.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="197.0" font-size="10" text-anchor="end" fill="#5d6678">0</text><line x1="44" y1="149.0" x2="182.0" y2="149.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="152.0" font-size="10" text-anchor="end" fill="#5d6678">1</text><line x1="44" y1="104.0" x2="182.0" y2="104.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="107.0" font-size="10" text-anchor="end" fill="#5d6678">2</text><line x1="44" y1="59.0" x2="182.0" y2="59.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="62.0" font-size="10" text-anchor="end" fill="#5d6678">3</text><line x1="44" y1="14.0" x2="182.0" y2="14.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="17.0" font-size="10" text-anchor="end" fill="#5d6678">4</text><rect x="54.2" y="149.0" width="19.6" height="45.0" fill="#b3261e"><title>2024-01: 1 SEV1</title></rect><rect x="54.2" y="104.0" width="19.6" height="45.0" fill="#c2570c"><title>2024-01: 1 SEV2</title></rect><rect x="110.2" y="104.0" width="19.6" height="90.0" fill="#c2570c"><title>2024-03: 2 SEV2</title></rect><rect x="110.2" y="59.0" width="19.6" height="45.0" fill="#8a8f98"><title>2024-03: 1 none</title></rect><text x="64.0" y="208.0" font-size="10" text-anchor="middle" fill="#5d6678">2024-01</text><text x="120.0" y="208.0" font-size="10" text-anchor="middle" fill="#5d6678">2024-03</text><rect x="44.0" y="217.0" width="10" height="10" fill="#b3261e"/><text x="57.0" y="226.0" font-size="10" fill="#1d2330">SEV1</text><rect x="92.0" y="217.0" width="10" height="10" fill="#c2570c"/><text x="105.0" y="226.0" font-size="10" fill="#1d2330">SEV2</text><rect x="140.0" y="217.0" width="10" height="10" fill="#8a8f98"/><text x="153.0" y="226.0" font-size="10" fill="#1d2330">none</text></svg>"##;

    const TTR: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" role="img" viewBox="0 0 140 240" width="140" height="240" aria-labelledby="chart-ttr-title chart-ttr-desc"><title id="chart-ttr-title">Median time to resolve per month, in hours</title><desc id="chart-ttr-desc">Median hours from the start of impact to resolution for each month; gaps where no incident had both times.</desc><line x1="44" y1="194.0" x2="134.0" y2="194.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="197.0" font-size="10" text-anchor="end" fill="#5d6678">0h</text><line x1="44" y1="149.0" x2="134.0" y2="149.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="152.0" font-size="10" text-anchor="end" fill="#5d6678">0.5h</text><line x1="44" y1="104.0" x2="134.0" y2="104.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="107.0" font-size="10" text-anchor="end" fill="#5d6678">1h</text><line x1="44" y1="59.0" x2="134.0" y2="59.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="62.0" font-size="10" text-anchor="end" fill="#5d6678">1.5h</text><line x1="44" y1="14.0" x2="134.0" y2="14.0" stroke="#d0d5dd" stroke-width="1"/><text x="40.0" y="17.0" font-size="10" text-anchor="end" fill="#5d6678">2h</text><circle cx="64.0" cy="59.0" r="3" fill="#1f5fbf"><title>2024-01: 1.5 h</title></circle><circle cx="120.0" cy="149.0" r="3" fill="#1f5fbf"><title>2024-03: 0.5 h</title></circle><text x="64.0" y="208.0" font-size="10" text-anchor="middle" fill="#5d6678">2024-01</text><text x="120.0" y="208.0" font-size="10" text-anchor="middle" fill="#5d6678">2024-03</text></svg>"##;
}
