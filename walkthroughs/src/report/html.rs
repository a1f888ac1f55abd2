//! The report as one static HTML file: tables and SVG charts written here,
//! no script at all (its CSP says so, so a query that slipped past the
//! escaping still could not run), readable offline and printable.
//!
//! Every string from statements or content goes through [`esc`]. Charts are
//! `role="img"` with a title, and the numbers behind each are in a table
//! beside it, so a screen reader gets them too.

use std::fmt::Write;

use waymark_core::analytics::report::{Figures, Kind, WalkFigures};
use waymark_core::content::Date;

/// Text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

const STYLE: &str = r#"
:root { --ink:#1d2433; --muted:#5b6478; --line:#d9dde6; --a:#2f6fde; --b:#1f9d6b; --bad:#c2410c; --bg:#f6f7fb; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: var(--bg); }
header, main > section { max-width: 1100px; margin: 0 auto; padding: 16px 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 16px 0 0; padding: 0; list-style: none; }
.tiles li { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.tiles b { display: block; font-size: 22px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.alert { border-left: 4px solid var(--bad); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 12px; }
code { background: var(--bg); padding: 0 4px; border-radius: 4px; }
details summary { cursor: pointer; color: var(--muted); }
@media print { body { background: #fff; } .card { break-inside: avoid; } }
"#;

pub fn page(f: &Figures) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let period = match (&f.from, &f.to) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no statements".into(),
    };
    let launched: u64 = f.walkthroughs.iter().map(|w| w.launched).sum();
    let completed: u64 = f.walkthroughs.iter().map(|w| w.completed).sum();
    let views: u64 = f.articles.iter().map(|a| a.views).sum();
    let _ = write!(
        h,
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Waymark report, {period}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>Waymark report</h1>
<p class="muted">{period} · {statements} statements ({skipped} skipped) · made {today} by <code>waymark report</code></p>
<ul class="tiles">
<li><b>{people}</b>people (estimated)</li>
<li><b>{launched}</b>walkthroughs launched</li>
<li><b>{rate}</b>completed</li>
<li><b>{views}</b>articles read</li>
<li><b>{searches}</b>searches</li>
<li><b>{zero}</b>found nothing</li>
<li><b>{alerts}</b>broken-step alerts</li>
</ul>
</header>
<main>
"#,
        period = esc(&period),
        statements = f.statements,
        skipped = f.skipped,
        today = esc(&f.today),
        people = f.people,
        rate = pct(ratio(completed, launched)),
        searches = f.searches.total,
        zero = pct(ratio(f.searches.zero, f.searches.total)),
        alerts = f.alerts.len(),
    );
    alerts(&mut h, f);
    walkthroughs(&mut h, f);
    searches(&mut h, f);
    articles(&mut h, f);
    stale(&mut h, f);
    let _ = write!(
        h,
        r#"<section><h2>How these figures are made</h2>
<p class="muted">From xAPI statements the Waymark extension sent (see <code>docs/analytics.md</code>). People are counted by pseudonym and estimated (HyperLogLog, about 1.6 % error); a step “fails” on a day when {people} or more people could not find its target and that happened on more than {rate} of its showings. Search tables keep the {slots} most frequent queries; a count marked ≤ may include up to that many searches for queries it replaced. Days are the statements’ own timestamps.</p></section>
</main>
</body>
</html>
"#,
        people = waymark_core::analytics::report::ALERT_PEOPLE,
        rate = pct(waymark_core::analytics::report::ALERT_RATE),
        slots = f.searches.slots,
    );
    h
}

fn title_of(id: &str, title: &str) -> String {
    if title.is_empty() {
        format!("<code>{}</code>", esc(id))
    } else {
        format!(
            "{} <span class=\"muted\"><code>{}</code></span>",
            esc(title),
            esc(id)
        )
    }
}

fn alerts(h: &mut String, f: &Figures) {
    if f.alerts.is_empty() {
        return;
    }
    let _ = write!(
        h,
        r#"<section id="alerts"><h2>Steps that broke</h2>
<div class="card alert"><p>These steps could not find their target for several people on one day: the app probably changed. Open the screen, fix the step's <code>target</code> (the recorder proposes one), and rebuild.</p>
<table><thead><tr><th>Day</th><th>Walkthrough</th><th>Step</th><th class="n">Not found</th><th class="n">Shown</th><th class="n">Rate</th></tr></thead><tbody>"#
    );
    for a in &f.alerts {
        let title = f
            .walkthroughs
            .iter()
            .find(|w| w.id == a.walkthrough)
            .map_or("", |w| w.title.as_str());
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&a.day),
            title_of(&a.walkthrough, title),
            title_of(&a.step, &a.step_title),
            a.missing,
            a.shown,
            pct(a.rate)
        );
    }
    h.push_str("</tbody></table></div></section>\n");
}

/// Days from `from` to `to`, grouped by week when there are more than a
/// quarter's worth, each with `(label, values)`.
fn timeline(days: &[(String, Vec<u64>)], series: usize) -> Vec<(String, Vec<u64>)> {
    let parsed: Vec<(Date, &Vec<u64>)> = days
        .iter()
        .filter_map(|(d, v)| Some((Date::parse(d)?, v)))
        .collect();
    let (Some(first), Some(last)) = (parsed.first(), parsed.last()) else {
        return Vec::new();
    };
    let (first, last) = (first.0 .0, last.0 .0);
    let weekly = last - first > 92;
    // 1970-01-01 was a Thursday: Monday-based weeks.
    let bucket = |d: i32| if weekly { d - (d + 3).rem_euclid(7) } else { d };
    let mut out: Vec<(String, Vec<u64>)> = Vec::new();
    let mut d = bucket(first);
    while d <= last {
        out.push((Date(d).to_string(), vec![0; series]));
        d += if weekly { 7 } else { 1 };
    }
    let start = bucket(first);
    for (day, v) in parsed {
        let i = ((bucket(day.0) - start) / if weekly { 7 } else { 1 }) as usize;
        if let Some(slot) = out.get_mut(i) {
            for (s, x) in slot.1.iter_mut().zip(v) {
                *s += x;
            }
        }
    }
    out
}

const COLOURS: [&str; 2] = ["#2f6fde", "#1f9d6b"];
const BAD: &str = "#c2410c";

/// Bars over time: series 0 full height, series 1 drawn over it (what part
/// of the launches completed, what part of the searches found nothing).
fn time_chart(
    h: &mut String,
    label: &str,
    names: [&str; 2],
    colours: [&str; 2],
    points: &[(String, Vec<u64>)],
) {
    if points.is_empty() {
        return;
    }
    let (w, ht, left, bottom) = (760.0, 180.0, 36.0, 22.0);
    let max = points
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = w - left - 8.0;
    let plot_h = ht - bottom - 8.0;
    let step = plot_w / points.len() as f64;
    let bar = (step * 0.8).max(1.0);
    let _ = write!(
        h,
        r#"<svg viewBox="0 0 {w} {ht}" role="img" aria-label="{label}"><title>{label}</title>"#,
        label = esc(label)
    );
    for i in 0..=2 {
        let v = max as f64 * i as f64 / 2.0;
        let y = 8.0 + plot_h - plot_h * i as f64 / 2.0;
        let _ = write!(
            h,
            r##"<line x1="{left}" x2="{w}" y1="{y:.1}" y2="{y:.1}" stroke="#e4e7ee"/><text x="{x:.1}" y="{ty:.1}" text-anchor="end">{v:.0}</text>"##,
            x = left - 4.0,
            ty = y + 4.0
        );
    }
    for (i, (_, v)) in points.iter().enumerate() {
        let x = left + step * i as f64 + (step - bar) / 2.0;
        for (s, value) in v.iter().enumerate().take(2) {
            let bh = plot_h * *value as f64 / max as f64;
            let inset = if s == 0 { 0.0 } else { bar * 0.2 };
            let _ = write!(
                h,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="{}"/>"#,
                x + inset,
                8.0 + plot_h - bh,
                bar - 2.0 * inset,
                colours[s]
            );
        }
    }
    let first = &points[0].0;
    let last = &points[points.len() - 1].0;
    let _ = write!(
        h,
        r#"<text x="{left}" y="{y}">{}</text><text x="{w}" y="{y}" text-anchor="end">{}</text></svg>"#,
        esc(first),
        esc(last),
        y = ht - 6.0
    );
    let _ = write!(
        h,
        r#"<p class="muted"><span class="key" style="background:{}"></span>{}<span class="key" style="background:{}"></span>{}{}</p>"#,
        colours[0],
        esc(names[0]),
        colours[1],
        esc(names[1]),
        if points.len() > 1
            && Date::parse(first)
                .zip(Date::parse(&points[1].0))
                .is_some_and(|(a, b)| b.0 - a.0 == 7)
        {
            " (per week)"
        } else {
            " (per day)"
        }
    );
}

/// Horizontal bars, one per row, `value / of` wide.
fn bars(h: &mut String, label: &str, rows: &[(String, u64, u64, String)], colour: &str) {
    if rows.is_empty() {
        return;
    }
    let (w, row, left) = (760.0, 22.0, 230.0);
    let ht = row * rows.len() as f64 + 4.0;
    let _ = write!(
        h,
        r#"<svg viewBox="0 0 {w} {ht}" role="img" aria-label="{l}"><title>{l}</title>"#,
        l = esc(label)
    );
    for (i, (name, value, of, note)) in rows.iter().enumerate() {
        let y = row * i as f64 + 2.0;
        let bw = (w - left - 120.0) * ratio(*value, *of).min(1.0);
        let name: String = name.chars().take(34).collect();
        let _ = write!(
            h,
            r##"<text x="{tx}" y="{ty:.1}" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{full:.1}" height="{bh:.1}" fill="#eef1f6"/><rect x="{left}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{colour}"/><text x="{nx:.1}" y="{ty:.1}">{}</text>"##,
            esc(&name),
            esc(note),
            tx = left - 6.0,
            ty = y + 14.0,
            full = w - left - 120.0,
            bh = row - 6.0,
            nx = w - 114.0,
        );
    }
    h.push_str("</svg>");
}

fn walkthroughs(h: &mut String, f: &Figures) {
    let _ = write!(h, r#"<section id="walkthroughs"><h2>Walkthroughs</h2>"#);
    if f.walkthroughs.is_empty() {
        h.push_str("<p class=\"muted\">No walkthrough was launched in this period.</p>");
    }
    for w in &f.walkthroughs {
        walkthrough(h, w);
    }
    unused(h, f, Kind::Walkthrough);
    h.push_str("</section>\n");
}

fn walkthrough(h: &mut String, w: &WalkFigures) {
    let versions: Vec<String> = w
        .versions
        .keys()
        .filter(|v| !v.is_empty())
        .map(|v| esc(v))
        .collect();
    let from: Vec<String> = w
        .launched_from
        .iter()
        .map(|(k, n)| format!("{n} from {}", esc(&k.replace('_', " "))))
        .collect();
    let _ = write!(
        h,
        r#"<div class="card"><h3>{}</h3><p class="muted">{} launched ({}) by about {} people · {} completed ({}) · {} abandoned · versions seen: {}{}{}</p>"#,
        title_of(&w.id, &w.title),
        w.launched,
        from.join(", "),
        w.people,
        w.completed,
        pct(w.completion_rate),
        w.abandoned,
        if versions.is_empty() {
            "none".into()
        } else {
            versions.join(", ")
        },
        w.current_version
            .as_ref()
            .map(|v| format!(" (current {})", esc(v)))
            .unwrap_or_default(),
        if w.offers.offered > 0 {
            format!(
                " · offered {} times, taken {}, declined {}",
                w.offers.offered, w.offers.taken, w.offers.declined
            )
        } else {
            String::new()
        }
    );
    let days: Vec<(String, Vec<u64>)> = w
        .days
        .iter()
        .map(|d| (d.day.clone(), vec![d.launched, d.completed]))
        .collect();
    time_chart(
        h,
        &format!("Launches and completions of {}", w.id),
        ["launched", "completed"],
        COLOURS,
        &timeline(&days, 2),
    );
    // The funnel: how many got past each step, of those launched.
    let rows: Vec<(String, u64, u64, String)> = w
        .steps
        .iter()
        .map(|s| {
            let past = s.completed + s.skipped;
            let name = if s.title.is_empty() {
                s.id.clone()
            } else {
                s.title.clone()
            };
            (
                format!("{}. {name}", s.index + 1),
                past,
                w.launched.max(1),
                format!("{past} ({})", pct(ratio(past, w.launched))),
            )
        })
        .collect();
    if !rows.is_empty() {
        h.push_str("<h4>Who got past each step</h4>");
        bars(h, &format!("Funnel of {}", w.id), &rows, COLOURS[0]);
        let _ = write!(
            h,
            r#"<table><thead><tr><th>Step</th><th class="n">Shown</th><th class="n">Done</th><th class="n">Skipped</th><th class="n">Left here</th><th class="n">Not found</th><th class="n">Several found</th><th class="n">Not found rate</th></tr></thead><tbody>"#
        );
        for s in &w.steps {
            let _ = write!(
                h,
                r#"<tr><td>{}. {}{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                s.index + 1,
                title_of(&s.id, &s.title),
                if s.in_library {
                    ""
                } else {
                    " <span class=\"muted\">(no longer in the library)</span>"
                },
                s.shown,
                s.completed,
                s.skipped,
                s.abandoned,
                s.missing,
                s.ambiguous,
                pct(s.missing_rate)
            );
        }
        h.push_str("</tbody></table>");
        let missing: Vec<(String, u64, u64, String)> = w
            .steps
            .iter()
            .filter(|s| s.missing > 0)
            .map(|s| {
                (
                    format!(
                        "{}. {}",
                        s.index + 1,
                        if s.title.is_empty() { &s.id } else { &s.title }
                    ),
                    s.missing,
                    s.shown.max(s.missing),
                    pct(s.missing_rate),
                )
            })
            .collect();
        if !missing.is_empty() {
            h.push_str("<h4>Target not found, per step</h4>");
            bars(
                h,
                &format!("Target-missing rate per step of {}", w.id),
                &missing,
                BAD,
            );
        }
    }
    if !w.checks.is_empty() {
        h.push_str("<h4>Check results by content version</h4>");
        let rows: Vec<(String, u64, u64, String)> = w
            .checks
            .iter()
            .map(|c| {
                (
                    format!(
                        "version {}",
                        if c.version.is_empty() {
                            "?"
                        } else {
                            &c.version
                        }
                    ),
                    c.passed,
                    c.taken.max(1),
                    format!("{} of {} passed", c.passed, c.taken),
                )
            })
            .collect();
        bars(
            h,
            &format!("Check pass rate per version of {}", w.id),
            &rows,
            COLOURS[1],
        );
        h.push_str(r#"<table><thead><tr><th>Version</th><th class="n">Taken</th><th class="n">Passed</th><th class="n">Pass rate</th><th class="n">Mean score</th><th class="n">Answers right</th></tr></thead><tbody>"#);
        for c in &w.checks {
            let _ = write!(
                h,
                r#"<tr><td><code>{}</code></td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{} of {}</td></tr>"#,
                esc(&c.version),
                c.taken,
                c.passed,
                pct(c.pass_rate),
                c.mean_score.map(pct).unwrap_or_else(|| "–".into()),
                c.correct,
                c.answers
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</div>");
}

fn searches(h: &mut String, f: &Figures) {
    let s = &f.searches;
    let _ = write!(
        h,
        r#"<section id="search"><h2>Search</h2><p class="muted">{} searches · {} found nothing ({}) · a result was opened after {} ({})</p>"#,
        s.total,
        s.zero,
        pct(ratio(s.zero, s.total)),
        s.opened,
        pct(ratio(s.opened, s.total))
    );
    let days: Vec<(String, Vec<u64>)> = s
        .days
        .iter()
        .map(|d| (d.day.clone(), vec![d.searches, d.zero]))
        .collect();
    time_chart(
        h,
        "Searches and searches with no result",
        ["searches", "found nothing"],
        [COLOURS[0], BAD],
        &timeline(&days, 2),
    );
    let count = |q: &waymark_core::analytics::report::Query| {
        if q.over_by > 0 {
            format!("≤ {}", q.count)
        } else {
            q.count.to_string()
        }
    };
    h.push_str(r#"<div class="card" id="zero"><h3>What people search for and find nothing: write this next</h3>"#);
    if s.top_zero.is_empty() {
        h.push_str("<p class=\"muted\">Every search found something.</p>");
    } else {
        h.push_str(
            r#"<table><thead><tr><th>Query</th><th class="n">Times</th></tr></thead><tbody>"#,
        );
        for q in &s.top_zero {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
                esc(&q.query),
                count(q)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str(r#"</div><div class="card"><h3>Top searches</h3>"#);
    if s.top.is_empty() {
        h.push_str("<p class=\"muted\">No searches.</p>");
    } else {
        h.push_str(r#"<table><thead><tr><th>Query</th><th class="n">Times</th><th class="n">Results</th><th class="n">Opened a result</th></tr></thead><tbody>"#);
        for q in &s.top {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&q.query),
                count(q),
                q.results,
                pct(ratio(q.opened, q.count))
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</div></section>\n");
}

fn articles(h: &mut String, f: &Figures) {
    h.push_str(r#"<section id="articles"><h2>Articles</h2>"#);
    if f.articles.is_empty() {
        h.push_str("<p class=\"muted\">No article was opened in this period.</p>");
    } else {
        h.push_str(r#"<table><thead><tr><th>Article</th><th class="n">Read</th><th class="n">People</th></tr></thead><tbody>"#);
        for a in &f.articles {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                title_of(&a.id, &a.title),
                a.views,
                a.people
            );
        }
        h.push_str("</tbody></table>");
    }
    unused(h, f, Kind::Article);
    h.push_str("</section>\n");
}

fn unused(h: &mut String, f: &Figures, kind: Kind) {
    let list: Vec<_> = f.unused.iter().filter(|u| u.kind == kind).collect();
    if list.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<details><summary>{} in the library nobody opened in this period</summary><ul>",
        list.len()
    );
    for u in list {
        let _ = write!(
            h,
            "<li>{} · {}</li>",
            title_of(&u.id, &u.title),
            esc(&u.owner)
        );
    }
    h.push_str("</ul></details>");
}

fn stale(h: &mut String, f: &Figures) {
    if f.stale.is_empty() {
        return;
    }
    h.push_str(r#"<section id="stale"><h2>Past its review date, by owner</h2>"#);
    for o in &f.stale {
        let _ = write!(
            h,
            r#"<div class="card"><h3>{} <span class="muted">({})</span></h3><table><thead><tr><th>Content</th><th>Kind</th><th>Review by</th><th class="n">Days over</th><th>Employees see</th></tr></thead><tbody>"#,
            esc(&o.owner),
            o.items.len()
        );
        for i in &o.items {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td>{}</td></tr>"#,
                title_of(&i.id, &i.title),
                match i.kind {
                    Kind::Walkthrough => "walkthrough",
                    Kind::Article => "article",
                },
                esc(&i.review_by),
                i.days_overdue,
                if i.under_review {
                    "“under review”"
                } else {
                    ""
                }
            );
        }
        h.push_str("</tbody></table></div>");
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_open_markup() {
        assert_eq!(
            esc(r#"<img src=x onerror="a">&'"#),
            "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn long_periods_go_weekly() {
        let days = vec![
            ("2026-01-01".to_string(), vec![1, 0]),
            ("2026-06-30".to_string(), vec![2, 1]),
        ];
        let t = timeline(&days, 2);
        // Monday 2025-12-29 to the week of 2026-06-29.
        assert_eq!(t.first().map(|d| d.0.as_str()), Some("2025-12-29"));
        assert_eq!(t.last().map(|d| d.0.as_str()), Some("2026-06-29"));
        assert_eq!(t.last().map(|d| d.1.clone()), Some(vec![2, 1]));
        let short = timeline(&days[..1], 2);
        assert_eq!(short.len(), 1);
    }
}
