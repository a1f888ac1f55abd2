//! A walkthrough drafted by a machine (the recorder's export, `waymark
//! import`) written as the TOML an author would write: canonical layout
//! (`waymark fmt --check` leaves it as is), `status = "draft"`, and every
//! value escaped. Also the URL patterns a recording's pages generalise to.
//!
//! This module owns that file shape for machine-made drafts; what a
//! walkthrough file may contain is `authoring`'s (which checks the result).
//! No TOML library here: it is also compiled into the worker's wasm.

use crate::content::{
    normalise_space, Advance, Branch, Date, Meta, Moment, Placement, Step, Target, Trigger,
    Walkthrough, DEFAULT_TIMEOUT_MS,
};
use crate::richtext::RichText;

/// A walkthrough to write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub id: String,
    pub title: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub review_by: String,
    pub applies_to: Vec<String>,
    /// Lines written as a `#` comment block at the top (where it came
    /// from, what was left out).
    pub notes: Vec<String>,
    pub steps: Vec<DraftStep>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DraftStep {
    pub id: String,
    pub title: String,
    pub body: String,
    pub target: Vec<String>,
    /// `click`, `change`, `input`, `next`, `appear`, `url`.
    pub advance: String,
    /// With `appear`.
    pub appear: Vec<String>,
    /// With `url`.
    pub reach: Option<String>,
    /// The page the step happens on.
    pub url: Option<String>,
    /// `top`, `bottom`, `left` or `right` (none: Waymark chooses).
    pub placement: Option<String>,
    /// Lines written as a comment above the step.
    pub notes: Vec<String>,
}

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Half a line ending: nothing in a one-line value.
            '\r' => {}
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", parts.join(", "))
}

fn comment(out: &mut String, lines: &[String]) {
    for l in lines {
        for part in l.lines() {
            let part = part.trim_end();
            if part.is_empty() {
                out.push_str("#\n");
            } else {
                out.push_str("# ");
                out.push_str(part);
                out.push('\n');
            }
        }
    }
}

/// An id from free text: lowercase ASCII letters, digits and `-`, at most
/// 40 characters; `fallback` when nothing is left.
pub fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// `base`, or `base-2`, `base-3`… whichever `taken` does not hold yet.
pub fn unique(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base) && base != "end" {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken.contains(c))
        .unwrap_or_else(|| base.to_string())
}

impl Draft {
    /// The file, in `waymark fmt` layout.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        comment(&mut out, &self.notes);
        out.push_str(&format!("id = {}\n", toml_string(&self.id)));
        out.push_str(&format!(
            "title = {}\n",
            toml_string(&normalise_space(&self.title))
        ));
        out.push_str("moment = \"apply\"\n");
        out.push_str(&format!("owner = {}\n", toml_string(&self.owner)));
        out.push_str("status = \"draft\"\n");
        out.push_str(&format!("review_by = {}\n", self.review_by));
        if !self.applies_to.is_empty() {
            out.push_str(&format!("applies_to = {}\n", toml_list(&self.applies_to)));
        }
        for s in &self.steps {
            out.push('\n');
            comment(&mut out, &s.notes);
            out.push_str("[[steps]]\n");
            out.push_str(&format!("id = {}\n", toml_string(&s.id)));
            out.push_str(&format!(
                "title = {}\n",
                toml_string(&normalise_space(&s.title))
            ));
            if !s.body.trim().is_empty() {
                out.push_str(&format!("body = {}\n", toml_string(s.body.trim())));
            }
            if !s.target.is_empty() {
                out.push_str(&format!("target = {}\n", toml_list(&s.target)));
            }
            out.push_str(&format!("advance = {}\n", toml_string(&s.advance)));
            if !s.appear.is_empty() {
                out.push_str(&format!("appear = {}\n", toml_list(&s.appear)));
            }
            if let Some(r) = &s.reach {
                out.push_str(&format!("reach = {}\n", toml_string(r)));
            }
            if let Some(u) = &s.url {
                out.push_str(&format!("url = {}\n", toml_string(u)));
            }
            if let Some(p) = &s.placement {
                out.push_str(&format!("placement = {}\n", toml_string(p)));
            }
        }
        out
    }
}

impl Draft {
    /// The walkthrough `waymark build` makes of [`Draft::to_toml`], without
    /// TOML (the recorder's Preview plays it in the browser): `body` turns
    /// a step's Markdown into rich text. Its `version` is `preview`. A
    /// target or advance the file would be refused for is left out here
    /// (a step without a target is a centred card). A test holds it equal
    /// to the compiled file (core/tests/preview.rs).
    pub fn to_walkthrough(&self, body: impl Fn(&str) -> RichText) -> Walkthrough {
        let targets = |list: &[String]| -> Vec<Target> {
            list.iter().filter_map(|t| Target::parse(t).ok()).collect()
        };
        let steps = self
            .steps
            .iter()
            .map(|s| Step {
                id: s.id.clone(),
                title: normalise_space(&s.title),
                body: if s.body.trim().is_empty() {
                    RichText::default()
                } else {
                    body(s.body.trim())
                },
                target: targets(&s.target),
                advance: match s.advance.as_str() {
                    "click" => Advance::Click,
                    "change" => Advance::Change(None),
                    "input" => Advance::Input(None),
                    "appear" => Advance::Appear(targets(&s.appear)),
                    "url" => s.reach.clone().map_or(Advance::Next, Advance::Url),
                    _ => Advance::Next,
                },
                placement: s
                    .placement
                    .as_deref()
                    .and_then(Placement::parse)
                    .unwrap_or(Placement::Auto),
                optional: false,
                branch: Branch::Next,
                url: s.url.clone(),
                timeout_ms: DEFAULT_TIMEOUT_MS,
            })
            .collect();
        Walkthrough {
            id: self.id.clone(),
            title: normalise_space(&self.title),
            moment: Moment::Apply,
            applies_to: self.applies_to.clone(),
            tags: Vec::new(),
            synonyms: Vec::new(),
            version: "preview".into(),
            steps,
            meta: Meta {
                owner: self.owner.clone(),
                review_by: Date::parse(&self.review_by),
                ..Meta::default()
            },
            trigger: Trigger::Manual,
            check: None,
            translations: Default::default(),
        }
    }
}

/// Whether a path segment is data rather than a place: a number, a UUID,
/// a long hex or mixed letter-and-digit token.
fn is_data(seg: &str) -> bool {
    let digits = seg.chars().filter(char::is_ascii_digit).count();
    !seg.is_empty()
        && (seg.chars().all(|c| c.is_ascii_digit())
            || (seg.len() >= 16 && seg.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
            || (seg.len() >= 8
                && digits >= 3
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')))
}

/// A visited URL's path as a pattern: ids become `*`, the query and
/// fragment go (`https://crm.example/deals/4821/edit?tab=2` →
/// `/deals/*/edit`).
pub fn generalise(url: &str) -> String {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let path = if url.contains("://") {
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    } else {
        url
    };
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let segs: Vec<&str> = path
        .split('/')
        .map(|s| if is_data(s) { "*" } else { s })
        .collect();
    let joined = segs.join("/");
    if joined.is_empty() {
        "/".into()
    } else {
        joined
    }
}

/// Where a walkthrough applies, from the patterns of the pages it visits:
/// their longest common prefix of whole segments, then `*`
/// (`/crm/deals`, `/crm/deals/new` → `/crm/deals*`).
pub fn applies_to(patterns: &[String]) -> Vec<String> {
    let Some(first) = patterns.first() else {
        return Vec::new();
    };
    let split = |p: &str| -> Vec<String> { p.split('/').map(str::to_string).collect() };
    let mut common = split(first);
    for p in &patterns[1..] {
        let other = split(p);
        let n = common
            .iter()
            .zip(&other)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(n);
    }
    // Up to a wildcard: `*` already matches what follows.
    if let Some(i) = common.iter().position(|s| s == "*") {
        common.truncate(i);
    }
    let prefix = common.join("/");
    let prefix = if prefix.is_empty() {
        "/".to_string()
    } else {
        prefix
    };
    vec![format!("{prefix}*")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_generalise_ids_away() {
        assert_eq!(
            generalise("https://crm.example/deals/4821/edit?tab=2#x"),
            "/deals/*/edit"
        );
        assert_eq!(generalise("http://127.0.0.1:8080/crm/deals"), "/crm/deals");
        assert_eq!(generalise("https://a.example"), "/");
        assert_eq!(
            generalise("/hr/people/3f2504e0-4f89-11d3-9a0c-0305e82c3301/leave"),
            "/hr/people/*/leave"
        );
        assert_eq!(generalise("/pos/orders/ORD-88231"), "/pos/orders/*");
        assert_eq!(generalise("/pos/v2/orders"), "/pos/v2/orders");
    }

    #[test]
    fn applies_to_is_the_common_prefix() {
        let p = |v: &[&str]| applies_to(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(p(&["/crm/deals", "/crm/deals/new"]), ["/crm/deals*"]);
        assert_eq!(p(&["/crm/deals/*/edit"]), ["/crm/deals*"]);
        assert_eq!(p(&["/crm/deals", "/pos/orders"]), ["/*"]);
        assert!(p(&[]).is_empty());
    }

    #[test]
    fn strings_and_ids() {
        assert_eq!(toml_string("a \"b\"\n\\"), "\"a \\\"b\\\"\\n\\\\\"");
        assert_eq!(slug("Click “New deal”!", "step"), "click-new-deal");
        assert_eq!(slug("!!!", "step"), "step");
        assert_eq!(unique("save", &["save".into(), "save-2".into()]), "save-3");
        assert_eq!(unique("end", &[]), "end-2");
    }
}
