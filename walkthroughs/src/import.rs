//! `waymark import-articles`: a knowledge-base export (JSONL lines of `id`,
//! `title`, `body`, `tags`) becomes article files with front matter. A bad
//! line is named and skipped (or stops the import under `--strict`).

use std::path::Path;
use std::process::ExitCode;

use serde::Deserialize;
use waymark_core::content::Moment;
use waymark_core::draft::toml_string;

#[derive(Deserialize)]
struct Line {
    id: String,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// A file-name- and id-safe form of an export id: `man1/CA.pl.1ssl` -> `man1-ca-pl-1ssl`.
pub fn slug(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    out.chars().take(64).collect()
}

/// Makes imported text safe as Markdown source: HTML-looking angle brackets
/// are escaped (the build refuses raw HTML), everything else is kept.
fn markdown_text(body: &str) -> String {
    body.replace('<', "\\<").replace('>', "\\>")
}

/// Who owns imported articles and when they are next reviewed.
pub struct Governance<'a> {
    pub owner: &'a str,
    pub review_by: Option<&'a str>,
}

pub fn import_articles(
    file: &Path,
    out: &Path,
    moment: &str,
    gov: &Governance,
    strict: bool,
) -> ExitCode {
    if let Some(d) = gov.review_by {
        if waymark_core::content::Date::parse(d).is_none() {
            eprintln!("error: --review-by `{d}` is not a date; write YYYY-MM-DD");
            return ExitCode::FAILURE;
        }
    } else if matches!(Moment::parse(moment), Some(Moment::Apply | Moment::Solve)) {
        eprintln!("error: {moment} articles need a review date; pass --review-by YYYY-MM-DD");
        return ExitCode::FAILURE;
    }
    if gov.owner.trim().is_empty() {
        eprintln!("error: --owner is empty; name the team that will keep these articles current");
        return ExitCode::FAILURE;
    }
    if Moment::parse(moment).is_none() {
        eprintln!("error: unknown moment `{moment}`; use one of: new, more, apply, change, solve");
        return ExitCode::FAILURE;
    }
    let text = match std::fs::read(file) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let (mut written, mut bad) = (0usize, 0usize);
    let mut seen = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = n + 1;
        let parsed: Result<Line, String> = serde_json::from_str(line).map_err(|e| e.to_string());
        let item = match parsed {
            Ok(l) if l.title.trim().is_empty() => Err("the title is empty".to_string()),
            Ok(l) if slug(&l.id).is_empty() => {
                Err(format!("id {:?} has no letters or digits", l.id))
            }
            other => other,
        };
        let item = match item {
            Ok(l) => l,
            Err(why) => {
                eprintln!("{}:{line_no}: skipped: {why}", file.display());
                bad += 1;
                if strict {
                    eprintln!("error: stopped at the first bad line (--strict)");
                    return ExitCode::FAILURE;
                }
                continue;
            }
        };
        let mut id = slug(&item.id);
        while !seen.insert(id.clone()) {
            id.push('_');
        }
        let tags: Vec<String> = item.tags.iter().map(|t| toml_string(t)).collect();
        // Imported text has not been reviewed here yet: it ships to staging
        // until someone approves it.
        let review = gov
            .review_by
            .map(|d| format!("review_by = {d}\n"))
            .unwrap_or_default();
        let doc = format!(
            "+++\nid = {}\ntitle = {}\nmoment = {}\nowner = {}\nstatus = \"draft\"\n{review}tags = [{}]\n+++\n\n{}\n",
            toml_string(&id),
            toml_string(item.title.trim()),
            toml_string(moment),
            toml_string(gov.owner.trim()),
            tags.join(", "),
            markdown_text(item.body.trim())
        );
        if let Err(e) = std::fs::write(out.join(format!("{id}.md")), doc) {
            eprintln!("error: cannot write {id}.md: {e}");
            return ExitCode::FAILURE;
        }
        written += 1;
    }
    println!(
        "imported {written} articles into {} ({bad} lines skipped)",
        out.display()
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ids() {
        assert_eq!(slug("man1/CA.pl.1ssl"), "man1-ca-pl-1ssl");
        assert_eq!(slug("pkg/0ad"), "pkg-0ad");
        assert_eq!(slug("///"), "");
        assert_eq!(toml_string("a \"b\"\n"), "\"a \\\"b\\\"\\n\"");
    }
}
