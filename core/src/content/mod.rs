//! The compiled content model: what ships inside a bundle and what the engine
//! reads. Authoring concerns (TOML spans, Markdown source, validation) live in
//! `authoring`; this module only holds validated, compiled data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::richtext::RichText;
use crate::search::SearchDoc;

mod date;
mod meta;
mod target;
mod texts;
mod walkthrough;

pub use date::*;
pub use meta::*;
pub use target::*;
pub use texts::*;
pub use walkthrough::*;

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
    /// Hosts images and videos may load from (`waymark.toml` `[media]
    /// allow`). Checked when the content is built and again when an engine
    /// takes the library (`Library::keep_media_to_its_hosts`), so a bundle
    /// whose body names another host still loads nothing from it.
    pub media_hosts: Vec<String>,
    /// Onboarding checklists (`*.checklist.toml`), by audience.
    pub checklists: Vec<Checklist>,
    /// Smart tips and beacons (`*.tips.toml`), a set per screen.
    pub tips: Vec<TipSet>,
}

impl Library {
    /// Reduces every image and video not on `media_hosts` (in bodies and
    /// their translations) to its text alternative, once, when an engine
    /// takes the library: views then carry only the bundle's own hosts.
    pub fn keep_media_to_its_hosts(&mut self) {
        let hosts = self.media_hosts.clone();
        let keep = |t: &mut RichText| *t = std::mem::take(t).media_only_from(&hosts);
        for w in &mut self.walkthroughs {
            for st in &mut w.steps {
                keep(&mut st.body);
            }
            for t in w.translations.values_mut() {
                t.body.iter_mut().for_each(keep);
                for st in t.steps.values_mut() {
                    st.body.iter_mut().for_each(keep);
                }
            }
        }
        for set in &mut self.tips {
            for t in &mut set.tips {
                keep(&mut t.body);
            }
        }
        for a in &mut self.articles {
            keep(&mut a.body);
            for t in a.translations.values_mut() {
                t.body.iter_mut().for_each(keep);
            }
        }
    }

    pub fn walkthrough(&self, id: &str) -> Option<&Walkthrough> {
        self.walkthroughs.iter().find(|w| w.id == id)
    }

    pub fn article(&self, id: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }

    pub fn checklist(&self, id: &str) -> Option<&Checklist> {
        self.checklists.iter().find(|c| c.id == id)
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
        out.checklists.retain(|c| {
            let ok = c.meta.status.ships_to(env);
            if !ok {
                left.push((c.id.clone(), c.meta.status));
            }
            ok
        });
        out.tips.retain(|t| {
            let ok = t.meta.status.ships_to(env);
            if !ok {
                left.push((t.id.clone(), t.meta.status));
            }
            ok
        });
        // What no longer ships is not linked to: a checklist item or a
        // "related" entry would otherwise point at nothing.
        let ids: std::collections::BTreeSet<String> = out
            .walkthroughs
            .iter()
            .map(|w| w.id.clone())
            .chain(out.articles.iter().map(|a| a.id.clone()))
            .collect();
        for c in &mut out.checklists {
            c.items.retain(|i| ids.contains(i));
        }
        out.checklists.retain(|c| !c.items.is_empty());
        for w in &mut out.walkthroughs {
            w.meta.related.retain(|i| ids.contains(i));
        }
        for a in &mut out.articles {
            a.meta.related.retain(|i| ids.contains(i));
        }
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
            .chain(self.checklists.iter().map(|c| ItemRef {
                kind: "checklist",
                id: &c.id,
                title: &c.title,
                moment: Moment::New,
                version: &c.version,
                meta: &c.meta,
            }))
            .chain(self.tips.iter().map(|t| ItemRef {
                kind: "tips",
                id: &t.id,
                title: &t.title,
                moment: Moment::Apply,
                version: &t.version,
                meta: &t.meta,
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
    /// `on_element` / `on_error`: offered (with a beacon beside the
    /// element) when it is on screen. `Manual` otherwise.
    pub trigger: Trigger,
}

impl Article {
    /// How many checklist boxes (`- [ ]` items) the body has: a job aid
    /// when more than none.
    pub fn tasks(&self) -> usize {
        self.body.tasks()
    }
}

/// An onboarding checklist: walkthroughs and articles a role works
/// through, in order, shown at the top of the help panel with the user's
/// progress (New moment).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    /// Walkthrough and article ids, in order.
    pub items: Vec<String>,
    pub version: String,
    pub meta: Meta,
}

/// Smart tips and beacons for one screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TipSet {
    pub id: String,
    /// What the set is about (reports, `waymark stale`).
    pub title: String,
    pub applies_to: Vec<String>,
    pub tips: Vec<Tip>,
    pub version: String,
    pub meta: Meta,
}

/// One tip: a small marker beside a field whose card shows on focus or
/// hover, or (`beacon`) a pulsing dot whose card opens on click.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tip {
    /// Unique within its set.
    pub id: String,
    pub target: Vec<Target>,
    pub title: String,
    pub body: RichText,
    pub beacon: bool,
}

#[cfg(test)]
mod tests;
