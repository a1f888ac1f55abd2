//! The author's everyday commands around a content folder: `init`, `stale`,
//! `diff`, `fmt`, `schema`, and the summary table `validate` and `build`
//! print. Parsing and checking content is `waymark_core::source`'s job; this
//! module only reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use waymark_core::authoring::{self as source, Config, Project};
use waymark_core::bundle;
use waymark_core::content::{Date, Env, Library, Status};

/// Counts by status, moment and owner, and the warnings an author should
/// act on (content past review, content left out of this environment).
pub fn summary(
    lib: &Library,
    config: &Config,
    today: Date,
    left_out: &[(String, Status)],
    env: Option<Env>,
) -> String {
    let items = lib.items();
    let mut out = String::new();
    if items.is_empty() {
        let _ = writeln!(
            out,
            "warning: the bundle holds no content{}",
            env.map_or(String::new(), |e| format!(" for {}", e.as_str()))
        );
    }
    let mut table = |title: &str, counts: BTreeMap<String, usize>| {
        if counts.is_empty() {
            return;
        }
        let cells: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(out, "  {title:<8} {}", cells.join(" · "));
    };
    let by = |f: &dyn Fn(&waymark_core::content::ItemRef) -> String| {
        let mut m = BTreeMap::new();
        for i in &items {
            *m.entry(f(i)).or_insert(0) += 1;
        }
        m
    };
    let status = by(&|i| i.meta.status.as_str().to_string());
    let moment = by(&|i| i.moment.as_str().to_string());
    let owner = by(&|i| i.meta.owner.clone());
    let kind = by(&|i| format!("{}s", i.kind));
    table("content", kind);
    table("status", status);
    table("moment", moment);
    table("owner", owner);
    let overdue: Vec<_> = items
        .iter()
        .filter(|i| i.meta.review_by.is_some_and(|r| r < today))
        .collect();
    for i in &overdue {
        let badge = if i.meta.under_review(today, config.review_cycle_days) {
            "; two cycles overdue: employees see \"under review\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "warning: {} `{}` was due for review on {} (owner {}){badge}",
            i.kind,
            i.id,
            i.meta.review_by.map(|d| d.to_string()).unwrap_or_default(),
            i.meta.owner
        );
    }
    if let Some(env) = env {
        for (id, status) in left_out {
            let why = match status {
                Status::Retired => "retired content never ships".to_string(),
                other => format!("{} content ships to staging only", other.as_str()),
            };
            let _ = writeln!(out, "note: `{id}` left out of {}: {why}", env.as_str());
        }
    }
    out
}

/// Today in UTC, or `SOURCE_DATE_EPOCH` for reproducible output.
pub fn now_unix() -> i64 {
    if let Some(s) = std::env::var_os("SOURCE_DATE_EPOCH") {
        if let Ok(v) = s.to_string_lossy().trim().parse::<i64>() {
            return v;
        }
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD"))
}

/// `waymark stale`: content past `review_by`, grouped by owner.
pub fn stale(project: &Project, today: Date) -> ExitCode {
    let cycle = project.config.review_cycle_days;
    let mut by_owner: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut count = 0;
    let mut flagged = 0;
    for i in project.library.items() {
        let Some(due) = i.meta.review_by else {
            continue;
        };
        if due >= today || i.meta.status == Status::Retired {
            continue;
        }
        count += 1;
        let days = today.0 - due.0;
        let two = i.meta.under_review(today, cycle);
        flagged += usize::from(two);
        let file = project.files.get(i.id).map_or("", String::as_str);
        by_owner.entry(&i.meta.owner).or_default().push(format!(
            "  {}{:<28} {:<11} due {due} ({days} days ago)  {file}",
            if two { "!! " } else { "   " },
            i.id,
            i.kind,
        ));
    }
    if count == 0 {
        println!("nothing is past its review date ({today})");
        return ExitCode::SUCCESS;
    }
    for (owner, lines) in &by_owner {
        println!("{owner} ({})", lines.len());
        for l in lines {
            println!("{l}");
        }
    }
    println!(
        "{count} past review on {today}; {flagged} two cycles overdue (!!, cycle {cycle} days): employees see those as \"under review\""
    );
    ExitCode::SUCCESS
}

/// `waymark diff A B`: what changed between two bundles, from their
/// manifests.
pub fn diff(a: &Path, b: &Path) -> ExitCode {
    let read = |p: &Path| -> Result<bundle::Bundle, String> {
        let bytes = std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        bundle::read_unverified(&bytes).map_err(|e| format!("{}: {e}", p.display()))
    };
    let (old, new) = match (read(a), read(b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (om, nm) = (&old.manifest, &new.manifest);
    println!(
        "bundle version {} → {} ({} → {})",
        om.bundle_version,
        nm.bundle_version,
        om.env.as_str(),
        nm.env.as_str()
    );
    let index = |m: &bundle::Manifest| -> BTreeMap<String, bundle::ManifestItem> {
        m.items.iter().map(|i| (i.id.clone(), i.clone())).collect()
    };
    let (oi, ni) = (index(om), index(nm));
    let (mut added, mut changed, mut removed) = (0, 0, 0);
    for (id, n) in &ni {
        match oi.get(id) {
            None => {
                added += 1;
                println!(
                    "+ {:<11} {id:<28} v{} ({})",
                    n.kind,
                    n.version,
                    n.status.as_str()
                );
            }
            Some(o) if o.version != n.version || o.status != n.status => {
                changed += 1;
                let status = if o.status != n.status {
                    format!(" ({} → {})", o.status.as_str(), n.status.as_str())
                } else {
                    String::new()
                };
                println!(
                    "~ {:<11} {id:<28} v{} → v{}{status}",
                    n.kind, o.version, n.version
                );
            }
            Some(_) => {}
        }
    }
    for (id, o) in &oi {
        if !ni.contains_key(id) {
            removed += 1;
            println!(
                "- {:<11} {id:<28} v{} (retired or removed)",
                o.kind, o.version
            );
        }
    }
    if om.scope != nm.scope {
        println!("scope: {:?} → {:?}", om.scope, nm.scope);
    }
    println!("{added} added, {changed} changed, {removed} retired or removed");
    ExitCode::SUCCESS
}

/// `waymark schema`: writes the JSON Schemas for the content files.
pub fn write_schemas(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (name, schema) in source::schemas() {
        let path = dir.join(name);
        let text = serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `waymark fmt`: canonical layout for every content file, or with `check`
/// only the list of files that would change (exit 1 if any).
pub fn fmt(dir: &Path, check: bool) -> ExitCode {
    let files = match source::content_files(dir) {
        Ok(f) => f,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::FAILURE;
        }
    };
    let (mut changed, mut failed) = (0, 0);
    for f in &files {
        let text = match source::read_text(f) {
            Ok(t) => t,
            Err(d) => {
                eprintln!("{d}");
                failed += 1;
                continue;
            }
        };
        let is_md = f.extension().is_some_and(|e| e == "md");
        let formatted = if is_md {
            format_article(&text)
        } else {
            format_toml(&text)
        };
        let formatted = match formatted {
            Ok(t) => t,
            Err(why) => {
                eprintln!("{}: not formatted: {why}", f.display());
                failed += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if check {
            println!("would reformat {}", f.display());
        } else if let Err(e) = std::fs::write(f, &formatted) {
            eprintln!("error: cannot write {}: {e}", f.display());
            failed += 1;
        } else {
            println!("formatted {}", f.display());
        }
    }
    let verb = if check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    println!("{changed} of {} files {verb}", files.len());
    if failed > 0 || (check && changed > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Canonical TOML layout: LF line endings, no trailing whitespace, `key =
/// value` spacing, one blank line before each table header and none
/// doubled, a final newline. Multi-line strings are left exactly as they
/// are (trailing spaces in Markdown are line breaks). The result must
/// parse to the same values, or the file is left alone.
pub fn format_toml(text: &str) -> Result<String, String> {
    let before: toml::Table =
        toml::from_str(text).map_err(|e| format!("not valid TOML: {}", e.message()))?;
    let text = text.replace("\r\n", "\n");
    let mut out: Vec<String> = Vec::new();
    let mut in_multiline: Option<&str> = None;
    let mut depth = 0i32; // open brackets of a multi-line array or inline table
    for line in text.split('\n') {
        if let Some(delim) = in_multiline {
            if line.matches(delim).count() % 2 == 1 {
                in_multiline = None;
            }
            out.push(line.to_string());
            continue;
        }
        let trimmed = line.trim();
        for delim in ["\"\"\"", "'''"] {
            if line.matches(delim).count() % 2 == 1 {
                in_multiline = Some(delim);
            }
        }
        if trimmed.is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        let header = depth == 0 && trimmed.starts_with('[');
        if header {
            // One blank line before a header, unless a comment block
            // introduces it (then before the comments).
            let mut at = out.len();
            while at > 0 && out[at - 1].trim_start().starts_with('#') {
                at -= 1;
            }
            if at > 0 && !out[at - 1].is_empty() {
                out.insert(at, String::new());
            }
            out.push(trimmed.to_string());
        } else if depth == 0 && !trimmed.starts_with('#') {
            out.push(key_value(trimmed));
        } else if depth == 0 {
            out.push(trimmed.to_string());
        } else {
            out.push(line.trim_end().to_string());
        }
        if in_multiline.is_none() {
            depth = (depth + bracket_balance(trimmed)).max(0);
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    let formatted = out.join("\n") + "\n";
    let after: toml::Table = toml::from_str(&formatted)
        .map_err(|e| format!("formatting would break it ({})", e.message()))?;
    if after != before {
        return Err("formatting would change its values; please report this file".into());
    }
    Ok(formatted)
}

/// `key=value` → `key = value`, where the `=` is outside any quotes.
fn key_value(line: &str) -> String {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '=') => {
                return format!("{} = {}", line[..i].trim_end(), line[i + 1..].trim_start());
            }
            _ => {}
        }
    }
    line.to_string()
}

/// Net `[`/`{` minus `]`/`}` outside strings and comments.
fn bracket_balance(line: &str) -> i32 {
    let mut n = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '#' => break,
            '[' | '{' => n += 1,
            ']' | '}' => n -= 1,
            _ => {}
        }
    }
    n
}

/// An article: formatted front matter, then the Markdown body with LF line
/// endings, no runs of blank lines and a final newline.
pub fn format_article(text: &str) -> Result<String, String> {
    let text = text.replace("\r\n", "\n");
    let rest = text
        .strip_prefix("+++\n")
        .ok_or("it does not start with `+++` front matter")?;
    let end = rest.find("\n+++").ok_or("its front matter is not closed")?;
    let front = format_toml(&rest[..end + 1])?;
    let after = &rest[end + 4..];
    let body = after.split_once('\n').map_or("", |(_, b)| b);
    let mut lines: Vec<&str> = Vec::new();
    let mut fence = false;
    for l in body.split('\n') {
        if l.trim_start().starts_with("```") {
            fence = !fence;
        }
        if !fence && l.trim().is_empty() && lines.last().is_none_or(|p| p.trim().is_empty()) {
            continue;
        }
        lines.push(l);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    Ok(format!("+++\n{front}+++\n\n{}\n", lines.join("\n")))
}

/// `waymark init`: a new content folder with commented examples, the
/// schemas and the editor settings that use them.
pub fn init(dir: &Path) -> ExitCode {
    if dir.exists() && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        eprintln!(
            "error: {} is not empty; `waymark init` only creates new content folders",
            dir.display()
        );
        return ExitCode::FAILURE;
    }
    let files: [(&str, &str); 6] = [
        ("waymark.toml", INIT_CONFIG),
        ("synonyms.toml", INIT_SYNONYMS),
        ("walkthroughs/first-walkthrough.toml", INIT_WALKTHROUGH),
        ("articles/first-article.md", INIT_ARTICLE),
        (".taplo.toml", INIT_TAPLO),
        (".gitignore", "*.wmb\n"),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("created {}", path.display());
    }
    match write_schemas(&dir.join(".waymark")) {
        Ok(paths) => {
            for p in paths {
                println!("created {}", p.display());
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!(
        "next: edit the examples, then `waymark validate {0}` and `waymark build {0} --env staging`",
        dir.display()
    );
    ExitCode::SUCCESS
}

const INIT_CONFIG: &str = r#"# Settings for this content folder. Every field is optional.

# Days between content reviews. `waymark stale` lists content past its
# review_by; content a further cycle overdue shows "under review" to employees.
review_cycle_days = 90

[locales]
# The language the files are written in.
source = "en"
# Languages you translate into, and where their missing strings come from.
# A translation without a fallback must translate every string.
translations = ["fr"]

[locales.fallback]
fr = "en"

[media]
# Hosts images and video may come from (https only).
allow = []

[bundle]
# Origins the bundle may act on; the extension does nothing elsewhere.
scope = ["https://crm.example.com"]
# The extension stops trusting a bundle this many days after it was built.
expires_after_days = 90
"#;

const INIT_SYNONYMS: &str = r#"# Words your users say for the same thing. Search treats each group as one.
groups = [
  ["refund", "return", "money back"],
]
"#;

const INIT_WALKTHROUGH: &str = r#"# One walkthrough per file. Field reference: the README, and completion in
# your editor from .waymark/walkthrough.schema.json (see .taplo.toml).
id = "first-walkthrough"
# Task-first: what the employee wants to get done.
title = "Create a customer"
# new | more | apply | change | solve
moment = "apply"
# Who keeps this current. Required.
owner = "crm-team"
# draft and in_review ship to staging only; approved ships everywhere.
status = "draft"
# Required for apply and solve content.
review_by = 2027-06-30
# Where it is offered: paths, or full URL patterns.
applies_to = ["/customers*"]
tags = ["crm"]
synonyms = ["new client", "add account"]

[audience]
roles = ["sales"]

[[steps]]
id = "open"
title = "Open the form"
body = "Click **New customer**."
# Alternatives, most robust first: test id, ARIA role + name, text, CSS.
target = ["[data-testid=new-customer]", "aria/New customer[role=\"button\"]", "text/New customer"]
advance = "click"
placement = "bottom"

[[steps]]
id = "kind"
title = "Company or person?"
body = "Pick what you are adding."

[[steps.choices]]
label = "A company"
goto = "company"

[[steps.choices]]
label = "A person"
goto = "person"

[[steps]]
id = "company"
title = "Enter the company name"
target = ["aria/Company name[role=\"textbox\"]"]
advance = "next"
branch = "end"

[[steps]]
id = "person"
title = "Enter their full name"
target = ["aria/Full name[role=\"textbox\"]"]
advance = "next"

[check]
pass_score = 1.0

[[check.questions]]
prompt = "Where do you start?"
choices = ["New customer", "Settings"]
correct = ["New customer"]

[translations.fr]
title = "Créer un client"

[translations.fr.steps.open]
title = "Ouvrir le formulaire"
body = "Cliquez sur **Nouveau client**."
"#;

const INIT_ARTICLE: &str = r#"+++
id = "first-article"
title = "What a customer record holds"
moment = "more"
owner = "crm-team"
status = "draft"
applies_to = ["/customers*"]
tags = ["crm"]
+++

A customer record holds **contact details**, open deals and past orders.
Links may be https:, mailto: or app-relative, like [the list](/customers).
"#;

const INIT_TAPLO: &str = r#"# Validation and completion for Even Better TOML / taplo.
[[rule]]
include = ["waymark.toml"]
schema = { path = "./.waymark/waymark.schema.json" }

[[rule]]
include = ["synonyms.toml"]
schema = { path = "./.waymark/synonyms.schema.json" }

[[rule]]
include = ["**/*.checklist.toml"]
schema = { path = "./.waymark/checklist.schema.json" }

[[rule]]
include = ["**/*.tips.toml"]
schema = { path = "./.waymark/tips.schema.json" }

[[rule]]
include = ["**/*.toml"]
exclude = ["waymark.toml", "synonyms.toml", ".taplo.toml", "**/*.checklist.toml", "**/*.tips.toml"]
schema = { path = "./.waymark/walkthrough.schema.json" }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_toml_canonically_and_keeps_strings() {
        let messy = "# c\nid=\"x\"   \r\ntitle  =  \"a=b\"\n\n\n[[steps]]\nid = \"s\"\nbody = \"\"\"\nline with two spaces  \n\n\nend\"\"\"\ntarget = [\n    \"a\",\n    \"b\",\n]\n# about the next\n[[steps]]\nid=\"t\"\n";
        let f = format_toml(messy).unwrap();
        assert_eq!(
            f,
            "# c\nid = \"x\"\ntitle = \"a=b\"\n\n[[steps]]\nid = \"s\"\nbody = \"\"\"\nline with two spaces  \n\n\nend\"\"\"\ntarget = [\n    \"a\",\n    \"b\",\n]\n\n# about the next\n[[steps]]\nid = \"t\"\n"
        );
        assert_eq!(format_toml(&f).unwrap(), f, "idempotent");
        assert!(format_toml("id = ").is_err());
    }

    #[test]
    fn formats_articles() {
        let a = "+++\r\nid=\"a\"\r\n+++\r\nBody  \r\n\r\n\r\n\r\nmore\r\n\r\n";
        assert_eq!(
            format_article(a).unwrap(),
            "+++\nid = \"a\"\n+++\n\nBody  \n\nmore\n"
        );
    }

    #[test]
    fn the_init_templates_are_formatted() {
        for t in [INIT_CONFIG, INIT_SYNONYMS, INIT_WALKTHROUGH, INIT_TAPLO] {
            assert_eq!(format_toml(t).unwrap(), t);
        }
        assert_eq!(format_article(INIT_ARTICLE).unwrap(), INIT_ARTICLE);
    }
}
