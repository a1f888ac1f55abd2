//! The compiled content model: what ships inside a bundle and what the engine
//! reads. Authoring concerns (TOML spans, Markdown source, validation) live in
//! `source`; this module only holds validated, compiled data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::richtext::RichText;
use crate::search::SearchDoc;

/// Everything a bundle carries for the engine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Library {
    pub walkthroughs: Vec<Walkthrough>,
    pub articles: Vec<Article>,
    /// Shared synonym groups from the content folder's `synonyms.toml`.
    pub synonyms: Vec<Vec<String>>,
    /// Which languages the content is written and translated in.
    pub locales: Locales,
    /// Days between reviews: content more than one cycle past its
    /// `review_by` (two cycles overdue) shows an "under review" badge.
    pub review_cycle_days: u32,
}

/// The content's languages: `source` is what the files are written in;
/// every other locale either falls back to another or must be complete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locales {
    pub source: String,
    /// Translated locales, each with the locale its missing strings come
    /// from (`None`: it must be complete).
    pub translated: BTreeMap<String, Option<String>>,
}

impl Locales {
    /// The locales to look strings up in for a user whose browser language
    /// is `wanted` (`fr-CA`), best first, ending with the source locale.
    /// An exact match wins, then the same language (`fr` for `fr-CA`).
    pub fn chain(&self, wanted: &str) -> Vec<&str> {
        let wanted = wanted.trim();
        let lang = wanted.split(['-', '_']).next().unwrap_or("");
        let start = self
            .translated
            .keys()
            .find(|l| l.eq_ignore_ascii_case(wanted))
            .or_else(|| {
                self.translated.keys().find(|l| {
                    l.split('-')
                        .next()
                        .is_some_and(|p| p.eq_ignore_ascii_case(lang))
                })
            });
        let mut out: Vec<&str> = Vec::new();
        let mut at = start.map(String::as_str);
        while let Some(l) = at {
            if out.contains(&l) || l == self.source {
                break;
            }
            out.push(l);
            at = self.translated.get(l).and_then(|f| f.as_deref());
        }
        out.push(&self.source);
        out
    }
}

/// Who owns a piece of content, where it is in review, and who sees it:
/// the same for walkthroughs and articles (SPEC §3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub owner: String,
    pub status: Status,
    pub review_by: Option<Date>,
    pub audience: Audience,
    /// Who signed off a regulated piece, and when (free text).
    pub compliance_signoff: Option<String>,
    pub product_version: Option<String>,
    /// What changed in this version, shown once to users of the screen.
    pub change_note: Option<String>,
}

impl Meta {
    /// Two review cycles overdue on `today`: employees see "under review".
    pub fn under_review(&self, today: Date, cycle_days: u32) -> bool {
        self.review_by
            .is_some_and(|r| today.0 > r.0.saturating_add(cycle_days.max(1) as i32))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub roles: Vec<String>,
    pub regions: Vec<String>,
    pub locales: Vec<String>,
    /// Regulated content needs a compliance sign-off to build.
    pub regulated: bool,
}

/// Publishing state. Only `approved` ships to production; `retired` never ships.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    #[default]
    Draft,
    InReview,
    Approved,
    Retired,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Approved => "approved",
            Status::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Does content in this state ship to `env`?
    pub fn ships_to(self, env: Env) -> bool {
        match self {
            Status::Retired => false,
            Status::Approved => true,
            Status::Draft | Status::InReview => env == Env::Staging,
        }
    }
}

/// Where a bundle is going.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Env {
    Staging,
    Production,
}

impl Env {
    pub fn as_str(self) -> &'static str {
        match self {
            Env::Staging => "staging",
            Env::Production => "production",
        }
    }

    pub fn parse(s: &str) -> Option<Env> {
        match s {
            "staging" => Some(Env::Staging),
            "production" => Some(Env::Production),
            _ => None,
        }
    }
}

/// A calendar date (UTC), as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(pub i32);

impl Date {
    /// Parses `YYYY-MM-DD`, refusing dates that do not exist (`2026-02-30`).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i32> {
            s.get(r)
                .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?
                .parse()
                .ok()
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// The date `unix_seconds` falls on (UTC).
    pub fn from_unix(unix_seconds: i64) -> Date {
        Date(unix_seconds.div_euclid(86_400) as i32)
    }

    pub fn ymd(self) -> (i32, i32, i32) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days_from_civil.
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Translated strings for one locale. Anything left out comes from the
/// locale's fallback chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    pub title: Option<String>,
    pub body: Option<RichText>,
    pub change_note: Option<String>,
    /// By step id.
    pub steps: BTreeMap<String, StepTexts>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTexts {
    pub title: Option<String>,
    pub body: Option<RichText>,
}

impl Library {
    pub fn walkthrough(&self, id: &str) -> Option<&Walkthrough> {
        self.walkthroughs.iter().find(|w| w.id == id)
    }

    pub fn article(&self, id: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }

    /// The search index over this library, with its synonym groups.
    pub fn search_index(&self) -> Result<Vec<u8>, crate::search::SearchError> {
        let mut b = crate::search::IndexBuilder::new();
        for d in self.search_docs() {
            b.add(d);
        }
        for g in &self.synonyms {
            b.synonyms(g.clone());
        }
        b.build()
    }

    /// What search indexes, one entry per walkthrough and article. Step
    /// titles and bodies count as a walkthrough's body.
    pub fn search_docs(&self) -> Vec<SearchDoc> {
        // Facets (SPEC §5): moment, role, region, product version.
        let facets = |m: Moment, meta: &Meta| {
            let mut f = BTreeMap::new();
            f.insert("moment".to_string(), vec![m.as_str().to_string()]);
            let a = &meta.audience;
            for (k, v) in [("role", &a.roles), ("region", &a.regions)] {
                if !v.is_empty() {
                    f.insert(k.to_string(), v.clone());
                }
            }
            if let Some(v) = &meta.product_version {
                f.insert("product_version".to_string(), vec![v.clone()]);
            }
            f
        };
        // Translated titles find the content in any of its languages.
        let synonyms = |own: &[String], t: &BTreeMap<String, Texts>| {
            let mut out = own.to_vec();
            out.extend(t.values().filter_map(|t| t.title.clone()));
            out
        };
        let walkthroughs = self.walkthroughs.iter().map(|w| SearchDoc {
            id: w.id.clone(),
            title: w.title.clone(),
            body: w
                .steps
                .iter()
                .map(|s| format!("{}. {}", s.title, s.body.plain_text()))
                .collect::<Vec<_>>()
                .join("\n"),
            tags: w.tags.clone(),
            synonyms: synonyms(&w.synonyms, &w.translations),
            kind: "walkthrough".into(),
            moment: Some(w.moment.as_str().into()),
            facets: facets(w.moment, &w.meta),
            applies_to: w.applies_to.clone(),
        });
        let articles = self.articles.iter().map(|a| SearchDoc {
            id: a.id.clone(),
            title: a.title.clone(),
            body: a.body.plain_text(),
            tags: a.tags.clone(),
            synonyms: synonyms(&a.synonyms, &a.translations),
            kind: "article".into(),
            moment: Some(a.moment.as_str().into()),
            facets: facets(a.moment, &a.meta),
            applies_to: a.applies_to.clone(),
        });
        walkthroughs.chain(articles).collect()
    }

    /// The library as it ships to `env`: retired content never, drafts and
    /// content in review only to staging. Returns what was left out too.
    pub fn for_env(&self, env: Env) -> (Library, Vec<(String, Status)>) {
        let mut out = self.clone();
        let mut left = Vec::new();
        out.walkthroughs.retain(|w| {
            let ok = w.meta.status.ships_to(env);
            if !ok {
                left.push((w.id.clone(), w.meta.status));
            }
            ok
        });
        out.articles.retain(|a| {
            let ok = a.meta.status.ships_to(env);
            if !ok {
                left.push((a.id.clone(), a.meta.status));
            }
            ok
        });
        (out, left)
    }

    /// Every piece of content with its kind, id, version and metadata, in
    /// id order (manifests, `diff`, `stale`).
    pub fn items(&self) -> Vec<ItemRef<'_>> {
        let mut v: Vec<ItemRef> = self
            .walkthroughs
            .iter()
            .map(|w| ItemRef {
                kind: "walkthrough",
                id: &w.id,
                title: &w.title,
                moment: w.moment,
                version: &w.version,
                meta: &w.meta,
            })
            .chain(self.articles.iter().map(|a| ItemRef {
                kind: "article",
                id: &a.id,
                title: &a.title,
                moment: a.moment,
                version: &a.version,
                meta: &a.meta,
            }))
            .collect();
        v.sort_by(|a, b| a.id.cmp(b.id));
        v
    }
}

/// A borrowed view of one walkthrough or article.
#[derive(Clone, Copy, Debug)]
pub struct ItemRef<'a> {
    pub kind: &'static str,
    pub id: &'a str,
    pub title: &'a str,
    pub moment: Moment,
    pub version: &'a str,
    pub meta: &'a Meta,
}

/// A help article: Markdown with TOML front matter, compiled at build time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub moment: Moment,
    pub tags: Vec<String>,
    pub synonyms: Vec<String>,
    pub applies_to: Vec<String>,
    pub version: String,
    pub body: RichText,
    pub meta: Meta,
    /// By locale.
    pub translations: BTreeMap<String, Texts>,
}

/// One of the Five Moments of Need (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Moment {
    New,
    More,
    Apply,
    Change,
    Solve,
}

impl Moment {
    pub const ALL: [Moment; 5] = [
        Moment::New,
        Moment::More,
        Moment::Apply,
        Moment::Change,
        Moment::Solve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Moment::New => "new",
            Moment::More => "more",
            Moment::Apply => "apply",
            Moment::Change => "change",
            Moment::Solve => "solve",
        }
    }

    pub fn parse(s: &str) -> Option<Moment> {
        Moment::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Walkthrough {
    pub id: String,
    /// Task-first title: "Refund a partial order".
    pub title: String,
    pub moment: Moment,
    /// URL patterns (see `urlmatch`) where this walkthrough is offered.
    /// Empty means everywhere the extension acts.
    pub applies_to: Vec<String>,
    pub tags: Vec<String>,
    pub synonyms: Vec<String>,
    /// Hash of the normalised source: every event records it (SPEC §3).
    pub version: String,
    pub steps: Vec<Step>,
    pub meta: Meta,
    pub trigger: Trigger,
    pub check: Option<Check>,
    /// By locale.
    pub translations: BTreeMap<String, Texts>,
}

impl Walkthrough {
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// The steps that can follow step `i`: its choices, its branch, or the
    /// next step in the file.
    pub fn successors(&self, i: usize) -> Vec<usize> {
        let Some(step) = self.steps.get(i) else {
            return Vec::new();
        };
        match &step.branch {
            Branch::Next if i + 1 < self.steps.len() => vec![i + 1],
            Branch::Next | Branch::End => Vec::new(),
            Branch::Goto(id) => self.step_index(id).into_iter().collect(),
            Branch::Choices(cs) => cs.iter().filter_map(|c| self.step_index(&c.goto)).collect(),
        }
    }
}

/// A step id that means "the walkthrough ends here" in `branch` and `goto`.
pub const END: &str = "end";

/// What starts a walkthrough.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trigger {
    /// From the help panel or a link.
    #[default]
    Manual,
    /// By itself, the first time a user of the audience reaches the screen.
    AutoFirstVisit,
    /// When an element matching `target` (and `text`, if given) appears.
    OnElement {
        target: Vec<Target>,
        text: Option<String>,
    },
    /// Like `OnElement`, for an error message on screen (Solve moment).
    OnError {
        target: Vec<Target>,
        text: Option<String>,
    },
}

/// A comprehension check at the end of a walkthrough.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Fraction of questions to get right, 0 to 1.
    pub pass_score: f32,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    /// Indexes into `choices`; more than one means "select all that apply".
    pub correct: Vec<usize>,
}

/// Where a walkthrough goes after a step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Branch {
    /// The next step in the file (or the end after the last).
    #[default]
    Next,
    /// Another step, by id.
    Goto(String),
    /// The walkthrough ends here, whatever follows in the file.
    End,
    /// A decision: the user picks one and the walkthrough goes there.
    Choices(Vec<Choice>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    pub goto: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub body: RichText,
    /// Alternatives, most robust first. Empty: a card centred on screen.
    pub target: Vec<Target>,
    pub advance: Advance,
    pub placement: Placement,
    /// Skipped, rather than stopping the walkthrough, when its target cannot
    /// be found.
    pub optional: bool,
    pub branch: Branch,
    /// The page this step happens on (a `urlmatch` pattern); elsewhere the
    /// card says where to go instead of looking for the target.
    pub url: Option<String>,
    /// How long to look for the target before saying it cannot be found.
    pub timeout_ms: u32,
}

/// How long a step looks for its target by default.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

/// One way of finding a step's element, in the style of the Chrome DevTools
/// Recorder's selector list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A CSS selector (`[data-testid=new-deal]`, `form .btn-primary`).
    Css(String),
    /// ARIA role (optional) plus accessible name: `aria/New deal[role="button"]`.
    Aria { name: String, role: Option<String> },
    /// Exact visible text, whitespace-normalised: `text/New deal`.
    Text(String),
    /// CSS searched also inside shadow roots (open or closed) and
    /// same-origin frames: `pierce/button.save`.
    Pierce(String),
    /// An explicit frame and shadow-root path: `#pay-frame >>> button.pay`.
    /// Each hop selects an element in the current scope; the search goes on
    /// in its document if it is a (same-origin) frame, else in its open or
    /// closed shadow root. `css` is looked for in the last scope.
    Path { hops: Vec<String>, css: String },
}

impl Target {
    /// Parses the author-facing form. Prefixes follow the DevTools Recorder:
    /// `aria/`, `text/`; anything else is CSS. Returns what was wrong on error.
    pub fn parse(s: &str) -> Result<Target, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("the selector is empty".into());
        }
        if let Some(rest) = s.strip_prefix("aria/") {
            let (name, role) = match rest.rfind("[role=") {
                Some(at) if rest.ends_with(']') => {
                    let role = rest[at + 6..rest.len() - 1].trim_matches(|c| c == '"' || c == '\'');
                    if role.is_empty() || !role.chars().all(|c| c.is_ascii_alphabetic()) {
                        return Err(format!("`{role}` is not an ARIA role name"));
                    }
                    (&rest[..at], Some(role.to_string()))
                }
                _ => (rest, None),
            };
            let name = normalise_space(name);
            if name.is_empty() {
                return Err("`aria/` needs an accessible name after the slash".into());
            }
            return Ok(Target::Aria { name, role });
        }
        if let Some(rest) = s.strip_prefix("text/") {
            let text = normalise_space(rest);
            if text.is_empty() {
                return Err("`text/` needs the visible text after the slash".into());
            }
            return Ok(Target::Text(text));
        }
        if let Some(rest) = s.strip_prefix("pierce/") {
            let css = rest.trim();
            if css.is_empty() {
                return Err("`pierce/` needs a CSS selector after the slash".into());
            }
            return Ok(Target::Pierce(css.to_string()));
        }
        if let Some(rest) = s.strip_prefix("css/") {
            return Ok(Target::Css(rest.trim().to_string()));
        }
        if s.contains(">>>") {
            let mut parts: Vec<String> = s.split(">>>").map(|p| p.trim().to_string()).collect();
            if parts.iter().any(String::is_empty) {
                return Err("`>>>` needs a selector on both sides: `#frame >>> button.pay`".into());
            }
            let css = parts.pop().unwrap_or_default();
            return Ok(Target::Path { hops: parts, css });
        }
        Ok(Target::Css(s.to_string()))
    }
}

/// Collapses runs of whitespace to one space and trims, as browsers do when
/// computing accessible names from text.
pub fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What moves a walkthrough on from a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Advance {
    /// The user clicks the real target.
    Click,
    /// The user presses Next on the card.
    Next,
    /// The user types into the target; with a pattern (`*` wildcards), once
    /// the value matches it.
    Input(Option<String>),
    /// The target's value is committed (a select, a checkbox, a blurred
    /// field); with a pattern, once it matches.
    Change(Option<String>),
    /// An element matching any of these appears (a confirmation, a dialog).
    Appear(Vec<Target>),
    /// The target goes away (a dialog closes, a banner is dismissed).
    Disappear,
    /// The page's URL matches this pattern (see `urlmatch`).
    Url(String),
}

impl Advance {
    /// Does a typed or committed `value` satisfy this rule?
    pub fn accepts_value(&self, committed: bool, value: &str) -> bool {
        let pattern = match self {
            Advance::Input(p) => p,
            Advance::Change(p) if committed => p,
            _ => return false,
        };
        match pattern {
            None => !value.trim().is_empty(),
            Some(p) => crate::urlmatch::glob_matches(p, value.trim()),
        }
    }
}

/// Preferred side of the target for the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Placement {
    Auto,
    Top,
    Bottom,
    Left,
    Right,
}

impl Placement {
    pub fn parse(s: &str) -> Option<Placement> {
        Some(match s {
            "auto" => Placement::Auto,
            "top" => Placement::Top,
            "bottom" => Placement::Bottom,
            "left" => Placement::Left,
            "right" => Placement::Right,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recorder_style_targets() {
        assert_eq!(
            Target::parse("aria/New deal[role=\"button\"]"),
            Ok(Target::Aria {
                name: "New deal".into(),
                role: Some("button".into())
            })
        );
        assert_eq!(
            Target::parse("aria/  Save   deal "),
            Ok(Target::Aria {
                name: "Save deal".into(),
                role: None
            })
        );
        assert_eq!(
            Target::parse("text/New\n deal"),
            Ok(Target::Text("New deal".into()))
        );
        assert_eq!(
            Target::parse("[data-testid=new-deal]"),
            Ok(Target::Css("[data-testid=new-deal]".into()))
        );
        assert_eq!(Target::parse("css/#x"), Ok(Target::Css("#x".into())));
        assert_eq!(
            Target::parse("pierce/button.save"),
            Ok(Target::Pierce("button.save".into()))
        );
        assert_eq!(
            Target::parse("iframe#pay >>> widget-box >>> button.pay"),
            Ok(Target::Path {
                hops: vec!["iframe#pay".into(), "widget-box".into()],
                css: "button.pay".into()
            })
        );
        assert!(Target::parse("#pay >>> ").is_err());
        assert_eq!(
            Target::parse("pierce/a >>> b"),
            Ok(Target::Pierce("a >>> b".into())),
            "prefixes come first"
        );
        assert!(Target::parse("pierce/ ").is_err());
        assert!(Target::parse("aria/").is_err());
        assert!(Target::parse("text/   ").is_err());
        assert!(Target::parse("  ").is_err());
        assert!(Target::parse("aria/Go[role=\"\"]").is_err());
    }
}
