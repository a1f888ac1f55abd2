//! Author sources to compiled content: reads the content folder (walkthrough
//! TOML files, Markdown articles with `+++` front matter, `synonyms.toml`,
//! the folder's `waymark.toml` settings), checks them, and reports every
//! problem at once as `file:line:col` diagnostics.
//!
//! Owns the authored file format: field names, defaults, what is required,
//! governance rules (owner, review dates, compliance sign-off), branches,
//! checks and translations. The `Src` types here are also the source of the
//! JSON Schemas editors use ([`schemas`]). It must not know about the
//! bundle's byte layout (that is `bundle`) or the runtime (that is `engine`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::bundle::fnv1a64;
use crate::content::{
    Advance, Article, Audience, Branch, Check, Choice, Date, Library, Locales, Meta, Moment,
    Placement, Question, Status, Step, StepTexts, Target, Texts, Trigger, Walkthrough,
};
use crate::richtext::{compile_markdown_with, RichText};
pub use diagnostics::Diagnostic;

mod aids;
mod article;
mod branches;
mod config;
pub mod diagnostics;
mod files;
mod meta;
mod schema;
mod step;
mod translations;
mod walkthrough;

use aids::*;
pub use aids::{CHECKLIST_SUFFIX, MAX_CHECKLIST_ITEMS, TIPS_SUFFIX};
use article::*;
use branches::*;
pub use config::*;
pub use files::*;
pub use meta::*;
pub use schema::*;
pub use step::*;
use translations::*;
use walkthrough::*;

pub use crate::content::END;

/// A compiled content folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub library: Library,
    pub config: Config,
    /// Source file of each walkthrough or article id (for `stale`, `fmt`).
    pub files: BTreeMap<String, String>,
}

/// Compiles `(file name, text)` pairs into a library, collecting every problem.
pub fn compile(sources: &[(String, String)]) -> Result<Library, Vec<Diagnostic>> {
    compile_project(sources).map(|p| p.library)
}

/// Compiles `(file name, text)` pairs: the settings file first (the rest
/// depend on it), then content, collecting every problem.
pub fn compile_project(sources: &[(String, String)]) -> Result<Project, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut config = Config::default();
    // Only the top-level settings file counts: the shortest path named so.
    if let Some((file, text)) = sources
        .iter()
        .filter(|(f, _)| is_named(f, CONFIG_FILE))
        .min_by_key(|(f, _)| f.len())
    {
        config = compile_config(file, text, &mut diags);
    }
    let mut library = Library {
        locales: config.locales.clone(),
        review_cycle_days: config.review_cycle_days,
        media_hosts: config.media_hosts.clone(),
        ..Library::default()
    };
    let mut files = BTreeMap::new();
    for (file, text) in sources {
        if is_named(file, CONFIG_FILE) {
            continue;
        }
        let before = diags.len();
        if is_named(file, SYNONYMS_FILE) {
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
        let cx = Cx {
            file,
            text,
            config: &config,
        };
        let (id, item) = if file.ends_with(CHECKLIST_SUFFIX) {
            match compile_checklist(&cx, &mut diags) {
                Some(c) => (c.id.clone(), Item::Checklist(c)),
                None => continue,
            }
        } else if file.ends_with(TIPS_SUFFIX) {
            match compile_tips(&cx, &mut diags) {
                Some(t) => (t.id.clone(), Item::Tips(t)),
                None => continue,
            }
        } else if file.ends_with(".md") {
            match compile_article(&cx, &mut diags) {
                Some(a) => (a.id.clone(), Item::Article(a)),
                None => continue,
            }
        } else {
            match compile_walkthrough(&cx, &mut diags) {
                Some(w) => (w.id.clone(), Item::Walkthrough(w)),
                None => continue,
            }
        };
        if let Some(other) = files.get(&id) {
            let at = text.find(&format!("\"{id}\"")).unwrap_or(0);
            diags.push(Diagnostic::at(
                file,
                text,
                at..at + id.len() + 2,
                format!("duplicate id `{id}` (also in {other})"),
                Some("ids must be unique across the content folder".into()),
            ));
        } else if diags.len() == before {
            files.insert(id, file.clone());
            match item {
                Item::Walkthrough(w) => library.walkthroughs.push(w),
                Item::Article(a) => library.articles.push(a),
                Item::Checklist(c) => library.checklists.push(c),
                Item::Tips(t) => library.tips.push(t),
            }
        }
    }
    if diags.is_empty() {
        check_links(&library, &files, sources, &mut diags);
    }
    if diags.is_empty() {
        Ok(Project {
            library,
            config,
            files,
        })
    } else {
        Err(diags)
    }
}

enum Item {
    Walkthrough(Walkthrough),
    Article(Article),
    Checklist(crate::content::Checklist),
    Tips(crate::content::TipSet),
}

/// The file being compiled, and the settings it is compiled under.
struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    config: &'a Config,
}

impl Cx<'_> {
    fn err(&self, diags: &mut Vec<Diagnostic>, span: Range<usize>, msg: String, hint: &str) {
        diags.push(Diagnostic::at(
            self.file,
            self.text,
            span,
            msg,
            Some(hint.to_string()),
        ));
    }

    /// Compiles a Markdown string field, pointing errors inside the string.
    fn markdown(&self, s: &Spanned<String>, diags: &mut Vec<Diagnostic>) -> RichText {
        match compile_markdown_with(s.get_ref(), &self.config.media_hosts) {
            Ok(t) => t,
            Err(e) => {
                let span = s.span();
                let raw = self.text.get(span.clone()).unwrap_or("");
                let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                    // A multi-line string drops the newline right after
                    // its opening quotes.
                    3 + usize::from(raw[3..].starts_with('\n'))
                } else {
                    1
                };
                let at = (span.start + quote + e.offset).min(span.end);
                self.err(diags, at..at + 1, e.message, &e.hint);
                RichText::default()
            }
        }
    }
}

#[cfg(test)]
mod tests;
