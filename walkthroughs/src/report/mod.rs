//! `waymark report`: statements from an LRS or an exported file, folded one
//! at a time into `waymark_core::analytics::report::Tally`, written out as
//! a static HTML dashboard ([`html`]) or the same figures as JSON.
//!
//! ```text
//!   --statements F.jsonl | -   ─┐
//!   --lrs URL (pages, `more`)  ─┴─▶ Tally::add ─▶ finish(library, today) ─▶ html::page | JSON
//! ```
//!
//! This module owns reading (files, stdin, HTTP) and the terminal; what the
//! figures are is core's. It must stream: nothing here keeps statements,
//! only one line or one LRS page at a time.

mod html;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use serde::Deserialize;
use waymark_core::analytics::report::{Figures, Filter, Tally};
use waymark_core::analytics::xapi::Statement;
use waymark_core::content::Date;

/// Where statements come from.
pub enum Source {
    /// JSON lines (an LRS export, Ralph's fs backend file), or `-`.
    File(PathBuf),
    /// An xAPI LRS: its base (`https://lrs.example/xAPI/`) and the
    /// Authorization header value.
    Lrs { base: String, auth: Option<String> },
}

pub struct Options {
    pub source: Source,
    pub content: Option<PathBuf>,
    pub filter: Filter,
    pub today: Date,
    pub json: bool,
    pub out: Option<PathBuf>,
}

/// Lines that could not be read, shown one by one up to this many.
const SHOW_BAD_LINES: u64 = 5;
/// Statements asked for per LRS page.
const PAGE: usize = 500;

pub fn run(o: &Options) -> ExitCode {
    let library = match o.content.as_deref().map(crate::load_library).transpose() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut tally = Tally::new();
    let read = match &o.source {
        Source::File(path) => read_file(path, &o.filter, &mut tally),
        Source::Lrs { base, auth } => read_lrs(base, auth.as_deref(), &o.filter, &mut tally),
    };
    if let Err(e) = read {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let figures = tally.finish(library.as_ref(), o.today);
    let (text, default_out) = if o.json {
        match serde_json::to_string_pretty(&figures) {
            Ok(t) => (t + "\n", None),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        (html::page(&figures), Some(PathBuf::from("report.html")))
    };
    match o.out.clone().or(default_out) {
        None => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
        }
        Some(path) => {
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {}: {}", path.display(), summary(&figures));
        }
    }
    ExitCode::SUCCESS
}

fn summary(f: &Figures) -> String {
    let launched: u64 = f.walkthroughs.iter().map(|w| w.launched).sum();
    let completed: u64 = f.walkthroughs.iter().map(|w| w.completed).sum();
    format!(
        "{} statements ({} skipped){}, about {} people; {launched} walkthroughs launched, {completed} completed; {} searches, {} with no result; {} alert{}",
        f.statements,
        f.skipped,
        match (&f.from, &f.to) {
            (Some(a), Some(b)) => format!(" from {a} to {b}"),
            _ => String::new(),
        },
        f.people,
        f.searches.total,
        f.searches.zero,
        f.alerts.len(),
        if f.alerts.len() == 1 { "" } else { "s" },
    )
}

/// A progress bar on stderr (hidden when stderr is not a terminal): bytes
/// of a file, else a count of statements.
fn progress(len: Option<u64>) -> indicatif::ProgressBar {
    match len {
        Some(len) => {
            let bar = indicatif::ProgressBar::new(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {bytes}/{total_bytes} {msg} statements ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        }
        None => {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} statements")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        }
    }
}

/// One line of an export: a statement, or a page as an LRS answers GET
/// `statements` (`{"statements": [...], "more": ...}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    One(Box<Statement>),
    Page { statements: Vec<Statement> },
}

fn read_file(path: &Path, filter: &Filter, tally: &mut Tally) -> Result<(), String> {
    let name = path.display().to_string();
    let (reader, len): (Box<dyn Read>, Option<u64>) = if path == Path::new("-") {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let len = f.metadata().map(|m| m.len()).ok();
        (Box::new(f), len)
    };
    let bar = progress(len);
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut line = String::new();
    let (mut n, mut bad, mut bytes) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        let got = reader
            .read_line(&mut line)
            .map_err(|e| format!("{name}:{}: cannot read: {e}", n + 1))?;
        if got == 0 {
            break;
        }
        n += 1;
        bytes += got as u64;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(text) {
            Ok(Line::One(st)) => {
                tally.add(&st, filter);
            }
            Ok(Line::Page { statements }) => {
                for st in &statements {
                    tally.add(st, filter);
                }
            }
            Err(e) => {
                bad += 1;
                tally.unreadable();
                if bad <= SHOW_BAD_LINES {
                    bar.suspend(|| {
                        eprintln!(
                            "warning: {name}:{n}: not an xAPI statement ({e}); skipped. Each line must be one statement as JSON"
                        )
                    });
                }
            }
        }
        if n % 4096 == 0 {
            bar.set_position(bytes);
            bar.set_message(tally.seen().to_string());
        }
    }
    bar.finish_and_clear();
    if bad > SHOW_BAD_LINES {
        eprintln!(
            "warning: {name}: {bad} lines in all were not statements ({} not shown)",
            bad - SHOW_BAD_LINES
        );
    }
    Ok(())
}

#[derive(Deserialize)]
struct Page {
    statements: Vec<Statement>,
    #[serde(default)]
    more: Option<String>,
}

/// `scheme://host[:port]` of `url`, for resolving `more` (an IRL relative
/// to the LRS's host, xAPI 1.0.3 Communication 2.4.4).
fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    match url[after..].find('/') {
        Some(i) => &url[..after + i],
        None => url,
    }
}

/// `user:password` as a Basic header; a header value (`Basic …`,
/// `Bearer …`) as it is.
fn auth_header(auth: &str) -> String {
    if auth.contains(' ') || !auth.contains(':') {
        return auth.to_string();
    }
    format!(
        "Basic {}",
        waymark_core::bundle::encode_key(auth.as_bytes())
    )
}

fn read_lrs(
    base: &str,
    auth: Option<&str>,
    filter: &Filter,
    tally: &mut Tally,
) -> Result<(), String> {
    let base = base.trim_end_matches('/');
    let mut url = format!("{base}/statements?limit={PAGE}&ascending=true");
    if let Some(since) = filter.since {
        // `since` is when the LRS stored them, after they happened: every
        // statement made since then was stored since then too.
        url.push_str(&format!("&since={since}T00:00:00Z"));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let auth = auth.map(auth_header);
    let bar = progress(None);
    let mut pages = 0u64;
    loop {
        let mut req = agent
            .get(&url)
            .header("X-Experience-API-Version", "1.0.3")
            .header("Accept", "application/json");
        if let Some(a) = &auth {
            req = req.header("Authorization", a);
        }
        let mut res = req.call().map_err(|e| format!("{url}: {e}"))?;
        let status = res.status().as_u16();
        match status {
            200 => {}
            401 | 403 => {
                return Err(format!(
                    "{url}: the LRS answered {status}: check --auth (the Authorization header value as in policy analytics.auth, e.g. \"Basic dXNlcjpwYXNz\", or user:password; WAYMARK_LRS_AUTH keeps it off the command line)"
                ))
            }
            404 => {
                return Err(format!(
                    "{url}: the LRS answered 404: --lrs is the xAPI base (the address before /statements, as in policy analytics.endpoint, e.g. http://lrs.example/xAPI/)"
                ))
            }
            _ => return Err(format!("{url}: the LRS answered {status}")),
        }
        let page: Page = serde_json::from_reader(res.body_mut().as_reader())
            .map_err(|e| format!("{url}: not an xAPI statement result ({e})"))?;
        pages += 1;
        for st in &page.statements {
            tally.add(st, filter);
        }
        bar.set_message(tally.seen().to_string());
        bar.tick();
        match page.more.filter(|m| !m.is_empty()) {
            Some(more) if more.starts_with("http://") || more.starts_with("https://") => url = more,
            Some(more) if more.starts_with('/') => url = format!("{}{more}", origin(base)),
            Some(more) => url = format!("{base}/{more}"),
            None => break,
        }
        if page.statements.is_empty() && pages > 1 {
            break;
        }
    }
    bar.finish_and_clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_from_user_and_password() {
        assert_eq!(auth_header("user:pass"), "Basic dXNlcjpwYXNz");
        assert_eq!(auth_header("Basic abc="), "Basic abc=");
    }

    #[test]
    fn more_resolves_against_the_host() {
        assert_eq!(
            origin("http://127.0.0.1:8100/xAPI"),
            "http://127.0.0.1:8100"
        );
        assert_eq!(origin("https://lrs.example"), "https://lrs.example");
    }
}
