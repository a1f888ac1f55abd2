//! Author sources to compiled content: reads walkthrough TOML files, checks
//! them, and reports every problem at once as `file:line:col` diagnostics.
//!
//! Owns the authored file format (field names, defaults, what is required).
//! It must not know about the bundle's byte layout (that is `bundle`) or the
//! runtime (that is `engine`).

use std::collections::HashSet;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::bundle::fnv1a64;
use crate::content::{Advance, Article, Library, Moment, Placement, Step, Target, Walkthrough};
use crate::diagnostics::Diagnostic;
use crate::richtext::{compile_markdown, RichText};

/// Largest content file we read: anything bigger is a mistake (a log file,
/// a video) and would only slow the build down.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WalkthroughSrc {
    id: Spanned<String>,
    title: Spanned<String>,
    moment: Spanned<String>,
    #[serde(default)]
    applies_to: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    synonyms: Vec<String>,
    steps: Spanned<Vec<StepSrc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleSrc {
    id: Spanned<String>,
    title: Spanned<String>,
    moment: Spanned<String>,
    #[serde(default)]
    applies_to: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    synonyms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsSrc {
    groups: Vec<Vec<String>>,
}

/// The shared synonym list's file name, in the content folder.
pub const SYNONYMS_FILE: &str = "synonyms.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepSrc {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    body: Option<Spanned<String>>,
    #[serde(default)]
    target: Vec<Spanned<String>>,
    #[serde(default)]
    advance: Option<Spanned<String>>,
    #[serde(default)]
    placement: Option<Spanned<String>>,
}

/// Reads every `*.toml` walkthrough under `dir` (recursively, in path order).
/// Returns the library, or every diagnostic found.
pub fn load_dir(dir: &Path) -> Result<Library, Vec<Diagnostic>> {
    let mut files = Vec::new();
    if let Err(e) = collect(dir, &mut files) {
        return Err(vec![Diagnostic::file(
            &dir.display().to_string(),
            format!("cannot read the content folder: {e}"),
            Some("pass the folder that holds your walkthrough .toml files".into()),
        )]);
    }
    files.sort();
    let mut sources = Vec::new();
    let mut diags = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match read_text(&f) {
            Ok(text) => sources.push((name, text)),
            Err(d) => diags.push(d),
        }
    }
    match compile(&sources) {
        Ok(lib) if diags.is_empty() => Ok(lib),
        Ok(_) => Err(diags),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml" || e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let meta = fs::metadata(path)
        .map_err(|e| Diagnostic::file(&name, format!("cannot read: {e}"), None))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            &name,
            format!(
                "file is {} bytes; content files are at most {MAX_FILE_BYTES}",
                meta.len()
            ),
            Some("split it, or move large media out of the content folder".into()),
        ));
    }
    let bytes =
        fs::read(path).map_err(|e| Diagnostic::file(&name, format!("cannot read: {e}"), None))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        Diagnostic::at(
            &name,
            &valid,
            at..at,
            "file is not valid UTF-8",
            Some("save the file as UTF-8".into()),
        )
    })
}

/// Compiles `(file name, text)` pairs into a library, collecting every problem.
pub fn compile(sources: &[(String, String)]) -> Result<Library, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut library = Library::default();
    let mut seen: Vec<(String, String)> = Vec::new(); // (id, file)
    for (file, text) in sources {
        let before = diags.len();
        if file.ends_with(SYNONYMS_FILE) {
            match toml::from_str::<SynonymsSrc>(text) {
                Ok(s) => library.synonyms.extend(s.groups),
                Err(e) => {
                    let (message, _) = explain_toml_error(e.message());
                    let hint =
                        "write `groups = [[\"refund\", \"return\", \"money back\"]]`".to_string();
                    diags.push(Diagnostic::at(
                        file,
                        text,
                        e.span().unwrap_or(0..0),
                        message,
                        Some(hint),
                    ));
                }
            }
            continue;
        }
        let (id, item) = if file.ends_with(".md") {
            match compile_article(file, text, &mut diags) {
                Some(a) => (a.id.clone(), Item::Article(a)),
                None => continue,
            }
        } else {
            match compile_walkthrough(file, text, &mut diags) {
                Some(w) => (w.id.clone(), Item::Walkthrough(w)),
                None => continue,
            }
        };
        if let Some((_, other)) = seen.iter().find(|(seen_id, _)| *seen_id == id) {
            let at = text.find(&format!("\"{id}\"")).unwrap_or(0);
            diags.push(Diagnostic::at(
                file,
                text,
                at..at + id.len() + 2,
                format!("duplicate id `{id}` (also in {other})"),
                Some("ids must be unique across the content folder".into()),
            ));
        } else if diags.len() == before {
            seen.push((id, file.clone()));
            match item {
                Item::Walkthrough(w) => library.walkthroughs.push(w),
                Item::Article(a) => library.articles.push(a),
            }
        }
    }
    if diags.is_empty() {
        Ok(library)
    } else {
        Err(diags)
    }
}

enum Item {
    Walkthrough(Walkthrough),
    Article(Article),
}

/// An article: `+++` TOML front matter, then Markdown.
fn compile_article(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Article> {
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        diags.push(Diagnostic::at(
            file,
            text,
            0..3,
            "an article starts with `+++` front matter",
            Some("begin the file with a `+++` line, the TOML fields (id, title, moment), and another `+++` line".into()),
        ));
        return None;
    };
    let fm_start = text.len() - rest.len();
    let Some(end) = rest.find("\n+++") else {
        diags.push(Diagnostic::at(
            file,
            text,
            0..3,
            "the front matter is not closed",
            Some("add a `+++` line after the fields".into()),
        ));
        return None;
    };
    let front = &rest[..end + 1];
    let body_start = fm_start + end + 4;
    let body_start = text[body_start..]
        .find('\n')
        .map_or(text.len(), |i| body_start + i + 1);
    // Spans from the front matter are shifted by its offset in the file.
    let src: ArticleSrc = match toml::from_str(front) {
        Ok(s) => s,
        Err(e) => {
            let span = e
                .span()
                .map_or(fm_start..fm_start, |r| fm_start + r.start..fm_start + r.end);
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(file, text, span, message, hint));
            return None;
        }
    };
    let shift = |r: Range<usize>| fm_start + r.start..fm_start + r.end;
    let id = Spanned::new(shift(src.id.span()), src.id.get_ref().clone());
    check_id(file, text, &id, diags);
    if src.title.get_ref().trim().is_empty() {
        diags.push(Diagnostic::at(
            file,
            text,
            shift(src.title.span()),
            "the title is empty",
            Some("say what the article helps with".into()),
        ));
    }
    let moment = parse_moment(
        file,
        text,
        src.moment.get_ref(),
        shift(src.moment.span()),
        diags,
    );
    let body = match compile_markdown(&text[body_start..]) {
        Ok(b) => b,
        Err(e) => {
            let at = body_start + e.offset;
            diags.push(Diagnostic::at(
                file,
                text,
                at..at + 1,
                e.message,
                Some(e.hint),
            ));
            RichText::default()
        }
    };
    Some(Article {
        id: src.id.get_ref().clone(),
        title: src.title.get_ref().trim().to_string(),
        moment: moment.unwrap_or(Moment::More),
        tags: src.tags,
        synonyms: src.synonyms,
        applies_to: src
            .applies_to
            .iter()
            .map(|p| p.get_ref().trim().to_string())
            .collect(),
        version: version_of(text),
        body,
    })
}

/// The content version: a hash of the normalised source (line endings and
/// trailing whitespace do not change it).
pub fn version_of(text: &str) -> String {
    let normalised: String = text
        .lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    format!("{:016x}", fnv1a64(normalised.trim().as_bytes()))
}

fn compile_walkthrough(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Walkthrough> {
    let src: WalkthroughSrc = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let (message, hint) = explain_toml_error(e.message());
            diags.push(Diagnostic::at(file, text, span, message, hint));
            return None;
        }
    };
    let d = |diags: &mut Vec<Diagnostic>, span: Range<usize>, msg: String, hint: &str| {
        diags.push(Diagnostic::at(
            file,
            text,
            span,
            msg,
            Some(hint.to_string()),
        ));
    };

    check_id(file, text, &src.id, diags);
    if src.title.get_ref().trim().is_empty() {
        d(
            diags,
            src.title.span(),
            "the title is empty".into(),
            "write a task-first title, like \"Refund a partial order\"",
        );
    }
    let moment = parse_moment(file, text, src.moment.get_ref(), src.moment.span(), diags);
    for p in &src.applies_to {
        if p.get_ref().trim().is_empty() {
            d(
                diags,
                p.span(),
                "empty URL pattern".into(),
                "write a path like \"/crm/deals*\" or a full URL pattern",
            );
        }
    }
    if src.steps.get_ref().is_empty() {
        d(
            diags,
            src.steps.span(),
            "a walkthrough needs at least one step".into(),
            "add a [[steps]] table",
        );
    }

    let mut step_ids = HashSet::new();
    let mut steps = Vec::new();
    for s in src.steps.get_ref() {
        check_id(file, text, &s.id, diags);
        if !step_ids.insert(s.id.get_ref().clone()) {
            d(
                diags,
                s.id.span(),
                format!("duplicate step id `{}`", s.id.get_ref()),
                "step ids must be unique within a walkthrough",
            );
        }
        if s.title.get_ref().trim().is_empty() {
            d(
                diags,
                s.title.span(),
                "the step title is empty".into(),
                "say what the user does in this step",
            );
        }
        let mut targets = Vec::new();
        for t in &s.target {
            match parse_target(t.get_ref()) {
                Ok(target) => targets.push(target),
                Err(why) => d(
                    diags,
                    t.span(),
                    format!("selector `{}` does not parse: {why}", t.get_ref()),
                    "use CSS (`[data-testid=save]`), `aria/Name[role=\"button\"]` or `text/Visible text`",
                ),
            }
        }
        let advance = match s.advance.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
            None if s.target.is_empty() => Advance::Next,
            None => Advance::Click,
            Some(("click", span)) => {
                if s.target.is_empty() {
                    d(
                        diags,
                        span,
                        "`advance = \"click\"` needs a target".into(),
                        "add `target = [...]` or use `advance = \"next\"`",
                    );
                }
                Advance::Click
            }
            Some(("next", _)) => Advance::Next,
            Some((other, span)) => {
                d(
                    diags,
                    span,
                    format!("unknown advance rule `{other}`"),
                    "use \"click\" or \"next\"",
                );
                Advance::Next
            }
        };
        let placement = match &s.placement {
            None => Placement::Auto,
            Some(p) => Placement::parse(p.get_ref()).unwrap_or_else(|| {
                d(
                    diags,
                    p.span(),
                    format!("unknown placement `{}`", p.get_ref()),
                    "use auto, top, bottom, left or right",
                );
                Placement::Auto
            }),
        };
        let body = match &s.body {
            None => RichText::default(),
            Some(b) => match compile_markdown(b.get_ref()) {
                Ok(t) => t,
                Err(e) => {
                    // Point into the string: offset past the opening quote(s).
                    let span = b.span();
                    let quote = if text[span.clone()].starts_with("\"\"\"")
                        || text[span.clone()].starts_with("'''")
                    {
                        3
                    } else {
                        1
                    };
                    let at = (span.start + quote + e.offset).min(span.end);
                    diags.push(Diagnostic::at(
                        file,
                        text,
                        at..at + 1,
                        e.message,
                        Some(e.hint),
                    ));
                    RichText::default()
                }
            },
        };
        steps.push(Step {
            id: s.id.get_ref().clone(),
            title: s.title.get_ref().trim().to_string(),
            body,
            target: targets,
            advance,
            placement,
        });
    }

    Some(Walkthrough {
        id: src.id.get_ref().clone(),
        title: src.title.get_ref().trim().to_string(),
        moment: moment.unwrap_or(Moment::Apply),
        tags: src.tags,
        synonyms: src.synonyms,
        applies_to: src
            .applies_to
            .iter()
            .map(|p| p.get_ref().trim().to_string())
            .collect(),
        version: version_of(text),
        steps,
    })
}

/// One of the five moments, or a diagnostic at `span`.
fn parse_moment(
    file: &str,
    text: &str,
    value: &str,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Moment> {
    let moment = Moment::parse(value);
    if moment.is_none() {
        diags.push(Diagnostic::at(
            file,
            text,
            span,
            format!("unknown moment `{value}`"),
            Some("use one of: new, more, apply, change, solve".into()),
        ));
    }
    moment
}

fn check_id(file: &str, text: &str, id: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
    let v = id.get_ref();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        diags.push(Diagnostic::at(
            file,
            text,
            id.span(),
            format!("id `{v}` is not a valid id"),
            Some("use 1 to 64 lowercase letters, digits, `-` or `_`, like \"create-deal\"".into()),
        ));
    }
}

/// Parses an authored target and, for CSS, checks the selector with a real
/// CSS parser (the one Servo uses), so a typo fails the build, not the tour.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let t = Target::parse(s)?;
    if let Target::Css(css) = &t {
        scraper::Selector::parse(css).map_err(|e| e.to_string().to_lowercase())?;
    }
    Ok(t)
}

/// Turns serde/toml messages into author language with a hint.
fn explain_toml_error(msg: &str) -> (String, Option<String>) {
    let msg = msg.trim().to_string();
    if msg.starts_with("unknown field") {
        let hint = "check the spelling; the fields are listed in the README's content reference"
            .to_string();
        return (msg, Some(hint));
    }
    if msg.starts_with("missing field") {
        return (
            msg,
            Some("add the field; see walkthroughs/library for complete examples".into()),
        );
    }
    (
        msg,
        Some("this is not valid TOML for a walkthrough; compare with walkthroughs/library".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "create-deal"
title = "Create a deal"
moment = "apply"
applies_to = ["/crm/deals*"]

[[steps]]
id = "open"
title = "Open the form"
body = "Click **New deal**."
target = ["[data-testid=new-deal]", "aria/New deal[role=\"button\"]", "text/New deal"]

[[steps]]
id = "done"
title = "That's it"
"#;

    fn one(text: &str) -> Result<Library, Vec<Diagnostic>> {
        compile(&[("a.toml".into(), text.into())])
    }

    #[test]
    fn compiles_a_walkthrough() {
        let lib = one(GOOD).unwrap();
        let w = &lib.walkthroughs[0];
        assert_eq!(w.steps.len(), 2);
        assert_eq!(w.steps[0].advance, Advance::Click);
        assert_eq!(w.steps[1].advance, Advance::Next);
        assert_eq!(w.steps[0].target.len(), 3);
        assert_eq!(w.version, version_of(&GOOD.replace('\n', "\r\n")));
    }

    fn first_error(text: &str) -> Diagnostic {
        one(text).unwrap_err().remove(0)
    }

    #[test]
    fn unknown_field_points_at_it() {
        let d =
            first_error(&GOOD.replace("title = \"Open the form\"", "titel = \"Open the form\""));
        assert!(d.message.contains("unknown field `titel`"), "{d}");
        assert_eq!((d.line, d.col), (9, 1), "{d}");
    }

    #[test]
    fn missing_field_is_named() {
        let d = first_error(&GOOD.replace("moment = \"apply\"\n", ""));
        assert!(d.message.contains("missing field `moment`"), "{d}");
    }

    #[test]
    fn bad_selector_points_at_the_string() {
        let d = first_error(&GOOD.replace("[data-testid=new-deal]", "[data-testid=new-deal]]"));
        assert!(d.message.contains("does not parse"), "{d}");
        assert_eq!((d.line, d.col), (11, 11), "{d}");
        assert!(d.to_string().contains("help: use CSS"));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let bad = GOOD
            .replace("apply\"", "sometimes\"")
            .replace("id = \"done\"", "id = \"Done!\"");
        let diags = one(&bad).unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
    }

    #[test]
    fn raw_html_in_body_is_an_error_at_its_place() {
        let d = first_error(&GOOD.replace("Click **New deal**.", "Click <b>New deal</b>."));
        assert!(d.message.contains("raw HTML"), "{d}");
        assert_eq!((d.line, d.col), (10, 15), "{d}");
    }

    #[test]
    fn duplicate_ids_across_files() {
        let diags = compile(&[
            ("a.toml".into(), GOOD.into()),
            ("b.toml".into(), GOOD.into()),
        ])
        .unwrap_err();
        assert!(diags[0]
            .message
            .contains("duplicate id `create-deal` (also in a.toml)"));
        assert_eq!(diags[0].file, "b.toml");
    }

    const ARTICLE: &str = "+++\nid = \"vpn-timeout\"\ntitle = \"Fix a VPN timeout error\"\nmoment = \"solve\"\ntags = [\"it\"]\n+++\n\nRenew your **token**, then reconnect.\n";

    #[test]
    fn compiles_articles_and_synonyms() {
        let lib = compile(&[
            ("a.toml".into(), GOOD.into()),
            ("kb/vpn.md".into(), ARTICLE.into()),
            (
                "synonyms.toml".into(),
                "groups = [[\"vpn\", \"tunnel\"]]\n".into(),
            ),
        ])
        .unwrap();
        assert_eq!(lib.articles[0].id, "vpn-timeout");
        assert_eq!(
            lib.articles[0].body.plain_text(),
            "Renew your token, then reconnect."
        );
        assert_eq!(
            lib.synonyms,
            vec![vec!["vpn".to_string(), "tunnel".to_string()]]
        );
    }

    #[test]
    fn article_errors_point_into_the_file() {
        let bad = ARTICLE.replace("moment = \"solve\"", "moment = \"later\"");
        let d = compile(&[("vpn.md".into(), bad)]).unwrap_err().remove(0);
        assert_eq!((d.line, d.col), (4, 10), "{d}");
        let bad = ARTICLE.replace("Renew", "<script>x</script> Renew");
        let d = compile(&[("vpn.md".into(), bad)]).unwrap_err().remove(0);
        assert!(d.message.contains("raw HTML"), "{d}");
        assert_eq!(d.line, 8, "{d}");
        let d = compile(&[("vpn.md".into(), "no front matter".into())])
            .unwrap_err()
            .remove(0);
        assert!(d.message.contains("front matter"), "{d}");
    }

    #[test]
    fn click_without_target_and_bad_rules() {
        let bad = GOOD.replace(
            "title = \"That's it\"",
            "title = \"That's it\"\nadvance = \"click\"\nplacement = \"middle\"",
        );
        let diags = one(&bad).unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
    }
}
