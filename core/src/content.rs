//! The compiled content model: what ships inside a bundle and what the engine
//! reads. Authoring concerns (TOML spans, Markdown source, validation) live in
//! `source`; this module only holds validated, compiled data.

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
        let facets = |m: Moment| {
            let mut f = std::collections::BTreeMap::new();
            f.insert("moment".to_string(), vec![m.as_str().to_string()]);
            f
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
            synonyms: w.synonyms.clone(),
            kind: "walkthrough".into(),
            moment: Some(w.moment.as_str().into()),
            facets: facets(w.moment),
            applies_to: w.applies_to.clone(),
        });
        let articles = self.articles.iter().map(|a| SearchDoc {
            id: a.id.clone(),
            title: a.title.clone(),
            body: a.body.plain_text(),
            tags: a.tags.clone(),
            synonyms: a.synonyms.clone(),
            kind: "article".into(),
            moment: Some(a.moment.as_str().into()),
            facets: facets(a.moment),
            applies_to: a.applies_to.clone(),
        });
        walkthroughs.chain(articles).collect()
    }
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
}

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
        if let Some(rest) = s.strip_prefix("css/") {
            return Ok(Target::Css(rest.trim().to_string()));
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Advance {
    /// The user clicks the real target.
    Click,
    /// The user presses Next on the card.
    Next,
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
        assert!(Target::parse("aria/").is_err());
        assert!(Target::parse("text/   ").is_err());
        assert!(Target::parse("  ").is_err());
        assert!(Target::parse("aria/Go[role=\"\"]").is_err());
    }
}
