//! The engine: a pure reducer. Events in, commands out; commands are data.
//!
//! ```text
//!   agent (content script) ──Attached/Target*/UrlChanged/LauncherClicked──┐
//!   overlay frame (yew)    ──Start/Next/Back/Close/Dismiss/CardResized────┤
//!   storage                ──Restored─────────────────────────────────────┤
//!                                                                          ▼
//!                                   Engine::handle(&mut Session, Event) -> Vec<Command>
//!                                                                          │
//!   agent   ◀── Launcher / Watch / Unwatch / Spotlight / Frame ────────────┤
//!   frame   ◀── Render(View) ──────────────────────────────────────────────┤
//!   storage ◀── Load / Save ───────────────────────────────────────────────┘
//! ```
//!
//! The engine owns every decision: which walkthroughs the launcher lists, which
//! step is current, what the card says, where the card and spotlight go, what
//! the agent watches, what is persisted. What is on screen is *derived* from the
//! session state after each event and diffed against what was last sent, so a
//! handler only changes state and never has to remember to repaint.
//!
//! It must not do I/O, read clocks or touch browser APIs: the glue does those
//! and reports them as events.
//!
//! One room per concern:
//!
//! ```text
//!   mod       Engine, handle (the event dispatch), the launcher's constants
//!   protocol  Event (+ who may send it), Command, Record
//!   session   Session, Tour, Deployment: one tab's state, data only
//!   tour      start, next, back, branches, decisions, skip
//!   target    the watch key and list for the current step
//!   triggers  on_element / on_error sentinels and the offer
//!   panel     what applies here, search results, zero-result records
//!   check     comprehension checks
//!   view      View and its parts; the card's and launcher's rectangles
//!   sync      derive what is on screen, send only what changed
//! ```

use serde::{Deserialize, Serialize};

use std::collections::{BTreeMap, BTreeSet};

use crate::bundle::{Bundle, Manifest};
use crate::content::{
    Advance, Branch, Date, Library, Meta, Moment, Step, StepTexts, Target, Texts, Trigger,
    Walkthrough,
};
use crate::deploy::policy::{FromPage, Support};
use crate::geometry::{self, Rect, Size};
use crate::richtext::RichText;
use crate::search::{self, SearchIndex, SearchOptions};
use crate::targeting::watchlist::{Entry, WatchList};
use crate::targeting::{self, ElementFacts, Query};
use crate::urlmatch;

mod check;
mod panel;
mod protocol;
mod session;
mod sync;
mod target;
mod tour;
mod triggers;
mod view;

pub use protocol::*;
pub use session::*;
use target::*;
use tour::*;
pub use view::*;

/// Where the agent draws the launcher: bottom-right, this size and margin.
pub const LAUNCHER_SIZE: f64 = 44.0;

pub const LAUNCHER_MARGIN: f64 = 20.0;

/// Card size assumed until the frame reports its rendered size.
pub const DEFAULT_CARD: Size = Size {
    width: 320.0,
    height: 160.0,
};

/// Padding around the target inside the spotlight.
pub const SPOTLIGHT_PAD: f64 = 4.0;

/// Longest search query kept; the rest is dropped, never an error.
pub const MAX_QUERY_CHARS: usize = 200;

pub struct Engine {
    library: Library,
    search: Result<SearchIndex<Vec<u8>>, String>,
    /// From a bundle: the origins it may act on. None: everywhere (tests).
    manifest: Option<Manifest>,
    /// For "under review" badges; set by the glue from the clock.
    today: Date,
    deployment: Deployment,
}

/// Most items the panel lists.
const PANEL_ITEMS: usize = 8;

const SNIPPET_CHARS: usize = 140;

/// Progress is kept per origin, so it survives reloads and route changes.
pub fn storage_key(url: &str) -> String {
    format!("tour:{}", urlmatch::origin(url))
}

impl Engine {
    /// An engine over `library`, indexing it here (tests, small libraries).
    pub fn new(library: Library) -> Engine {
        let search = library
            .search_index()
            .map_err(|e| e.to_string())
            .and_then(|bytes| SearchIndex::open(bytes).map_err(|e| e.to_string()));
        Engine {
            library,
            search,
            manifest: None,
            today: Date(0),
            deployment: Deployment::default(),
        }
    }

    /// An engine over a read bundle, using the index built with it. A bad
    /// index turns search off (and says why); guidance keeps working.
    pub fn from_bundle(bundle: Bundle) -> Engine {
        let search = SearchIndex::open(bundle.search).map_err(|e| e.to_string());
        Engine {
            library: bundle.library,
            search,
            manifest: Some(bundle.manifest),
            today: Date(0),
            deployment: Deployment::default(),
        }
    }

    /// Today's date, for review badges (the core has no clock).
    pub fn set_today(&mut self, today: Date) {
        self.today = today;
    }

    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// What policy says (origins, search, support, user source).
    pub fn set_deployment(&mut self, d: Deployment) {
        self.deployment = d;
    }

    /// The bundle version this engine serves (0 without a manifest).
    pub fn bundle_version(&self) -> u64 {
        self.manifest.as_ref().map_or(0, |m| m.bundle_version)
    }

    /// Does this engine act on the page at `url` (bundle scope and policy)?
    pub fn acts_on(&self, url: &str) -> bool {
        self.manifest.as_ref().is_none_or(|m| m.covers(url))
            && self
                .deployment
                .origins
                .as_ref()
                .is_none_or(|o| crate::urlmatch::in_scope(o, url))
    }

    fn under_review(&self, meta: &Meta) -> bool {
        meta.under_review(self.today, self.library.review_cycle_days)
    }

    /// Translations to look strings up in for this session, best first
    /// (the source text is the caller's last resort).
    fn texts<'a>(&self, locale: &str, t: &'a BTreeMap<String, Texts>) -> Vec<&'a Texts> {
        if t.is_empty() {
            return Vec::new();
        }
        self.library
            .locales
            .chain(locale)
            .into_iter()
            .filter_map(|l| t.get(l))
            .collect()
    }

    pub fn search_error(&self) -> Option<&str> {
        self.search.as_ref().err().map(String::as_str)
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn handle(&self, s: &mut Session, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        // Requests to storage go last: the glue answers a `Load` at once, and
        // the answer's commands must not overtake the rest of this batch.
        let mut load = None;
        match event {
            Event::Attached {
                url,
                viewport,
                locale,
            } => {
                // A page outside the bundle's signed scope or the origins
                // policy allows gets nothing: no launcher, no storage, no
                // content.
                if !self.acts_on(&url) {
                    *s = Session::default();
                    return out;
                }
                // A re-attach (reload, service-worker restart) starts afresh:
                // the agent has forgotten everything it was told.
                *s = Session {
                    url,
                    viewport,
                    locale,
                    attached: true,
                    ..Session::default()
                };
                load = Some(Command::Load {
                    key: storage_key(&s.url),
                });
                if let Some(fields) = &self.deployment.user_from_page {
                    out.push(Command::ReadUser {
                        fields: fields.clone(),
                    });
                }
            }
            Event::User { user } => {
                let clean = |v: Option<String>| {
                    v.map(|x| x.trim().chars().take(200).collect::<String>())
                        .filter(|x| !x.is_empty())
                };
                let user = PageUser {
                    id: clean(user.id),
                    roles: clean(user.roles),
                    region: clean(user.region),
                    locale: clean(user.locale),
                };
                if s.user.as_ref() != Some(&user) {
                    out.push(Command::Identified { user: user.clone() });
                    s.user = Some(user);
                }
            }
            Event::Restored { tour } => {
                s.restored = true;
                s.shown.saved = Some(tour.clone());
                // Resume only what still exists in this bundle.
                s.tour = tour.filter(|t| {
                    self.library
                        .walkthrough(&t.walkthrough)
                        .is_some_and(|w| t.step < w.steps.len())
                });
            }
            Event::Candidates { watch, candidates } => {
                if let (true, Some((w, st, _))) = (self.is_current(s, &watch), self.current(s)) {
                    match targeting::pick(st.target.len(), &candidates, None) {
                        targeting::Pick::Found(index) => {
                            s.step.ambiguous = false;
                            out.push(Command::Select { watch, index });
                        }
                        targeting::Pick::Ambiguous(_) => {
                            if !s.step.ambiguous {
                                out.push(Command::Record {
                                    record: Record {
                                        id: Some(w.id.clone()),
                                        version: Some(w.version.clone()),
                                        step: Some(st.id.clone()),
                                        ..Record::new("target_ambiguous", &s.url)
                                    },
                                });
                            }
                            s.step.ambiguous = true;
                            s.step.missing = true;
                        }
                        targeting::Pick::Missing => {}
                    }
                }
            }
            Event::GaveUp { reason } => {
                let (id, version) = self
                    .current(s)
                    .map(|(w, _, _)| (Some(w.id.clone()), Some(w.version.clone())))
                    .unwrap_or((None, None));
                out.push(Command::Record {
                    record: Record {
                        reason: Some(reason.chars().take(200).collect()),
                        id,
                        version,
                        ..Record::new("guidance_stopped", &s.url)
                    },
                });
                s.tour = None;
                s.quiz = None;
                s.panel = None;
                s.finished = None;
                s.target = None;
            }
            // The same change may come twice (agent and webNavigation).
            Event::UrlChanged { url } if url == s.url => {}
            Event::UrlChanged { url } => {
                s.url = url;
                let reached = self.current(s).is_some_and(|(_, st, _)| {
                    matches!(&st.advance, Advance::Url(p) if urlmatch::matches(p, &s.url))
                });
                if reached {
                    self.advance(s);
                }
            }
            Event::Resized { viewport } => s.viewport = viewport,
            Event::LauncherClicked => {
                s.finished = None;
                if s.panel.is_some() {
                    self.close_panel(s, &mut out);
                } else {
                    s.panel = Some(Panel::default());
                    s.focus = true;
                }
            }
            Event::OpenHelp => {
                s.finished = None;
                if s.panel.is_none() {
                    s.panel = Some(Panel::default());
                }
                s.focus = true;
            }
            Event::Search { query } => {
                if let Some(p) = s.panel.as_mut() {
                    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
                    // Moving on from a query that found nothing records it;
                    // typing on (an extension of it) does not.
                    if let Some(z) = s.pending_zero.take() {
                        if query.starts_with(z.as_str()) {
                            s.pending_zero = Some(z);
                        } else {
                            out.push(self.zero_record(&z, &s.url));
                        }
                    }
                    p.query = query.clone();
                    p.article = None;
                    let searching = !query.trim().is_empty() && self.search.is_ok();
                    let found_nothing = self.panel_list(s).is_some_and(|l| l.no_results);
                    if found_nothing {
                        s.pending_zero = Some(query);
                    } else if searching {
                        s.pending_zero = None;
                    }
                }
            }
            Event::Open { id } => {
                if self.library.article(&id).is_some() {
                    if let Some(p) = s.panel.as_mut() {
                        p.article = Some(id);
                    }
                } else if self.library.walkthrough(&id).is_some() {
                    self.close_panel(s, &mut out);
                    self.start(s, &id);
                }
            }
            Event::CloseArticle => {
                if let Some(p) = s.panel.as_mut() {
                    p.article = None;
                    s.focus = true;
                }
            }
            Event::Start { id } => {
                if self.library.walkthrough(&id).is_some() {
                    self.close_panel(s, &mut out);
                    self.start(s, &id);
                }
            }
            Event::Next => {
                if self
                    .current(s)
                    .is_some_and(|(_, st, _)| st.advance == Advance::Next)
                {
                    self.advance(s);
                }
            }
            Event::Back => {
                if let Some(t) = s.tour.as_mut() {
                    // Retrace the path taken; a tour saved without one
                    // steps back through the file.
                    if let Some(prev) = t.history.pop().or(t.step.checked_sub(1)) {
                        t.step = prev;
                        s.target = None;
                        s.step = StepState::default();
                    }
                }
            }
            Event::Choose { index } => {
                let goto = self.current(s).and_then(|(_, st, _)| match &st.branch {
                    Branch::Choices(cs) => cs.get(index).map(|c| c.goto.clone()),
                    _ => None,
                });
                if let Some(goto) = goto {
                    self.go(s, &goto);
                }
            }
            Event::Answer { choices } => self.answer(s, choices, &mut out),
            Event::Retry => {
                if s.step.missing {
                    s.step.missing = false;
                    s.step.ambiguous = false;
                    s.step.attempt += 1;
                }
            }
            Event::Skip => {
                if self.current(s).is_some() {
                    self.skip(s);
                }
            }
            Event::TargetMissing { watch } => {
                if self.is_current(s, &watch) && s.target.is_none() {
                    if let Some((w, st, _)) = self.current(s) {
                        out.push(Command::Record {
                            record: Record {
                                id: Some(w.id.clone()),
                                version: Some(w.version.clone()),
                                step: Some(st.id.clone()),
                                ..Record::new("target_missing", &s.url)
                            },
                        });
                        if st.optional {
                            self.skip(s);
                        } else {
                            s.step.missing = true;
                        }
                    }
                }
            }
            Event::TargetInput {
                watch,
                value,
                committed,
            } => {
                if self.is_current(s, &watch)
                    && self
                        .current(s)
                        .is_some_and(|(_, st, _)| st.advance.accepts_value(committed, &value))
                {
                    self.advance(s);
                }
            }
            Event::Present { key, present } => {
                if present {
                    s.present.insert(key);
                } else {
                    s.present.remove(&key);
                }
            }
            Event::Appeared { watch } => {
                if self.is_current(s, &watch)
                    && self
                        .current(s)
                        .is_some_and(|(_, st, _)| matches!(st.advance, Advance::Appear(_)))
                {
                    self.advance(s);
                }
            }
            Event::Close => {
                s.tour = None;
                s.quiz = None;
                self.close_panel(s, &mut out);
                s.finished = None;
                s.result = None;
                s.target = None;
            }
            Event::Dismiss => {
                if let View::Offer { item } = self.view(s) {
                    s.dismissed.insert(item.id);
                }
                self.close_panel(s, &mut out);
                s.finished = None;
                s.result = None;
            }
            Event::Target {
                watch,
                rect,
                viewport,
            } => {
                if self.is_current(s, &watch) {
                    s.target = Some(rect.sane());
                    s.viewport = viewport;
                    s.step.found = true;
                    s.step.missing = false;
                }
            }
            Event::TargetLost { watch } => {
                if self.is_current(s, &watch) {
                    s.target = None;
                    let gone = s.step.found
                        && self
                            .current(s)
                            .is_some_and(|(_, st, _)| st.advance == Advance::Disappear);
                    if gone {
                        self.advance(s);
                    }
                }
            }
            Event::TargetClicked { watch } => {
                if self.is_current(s, &watch)
                    && self
                        .current(s)
                        .is_some_and(|(_, st, _)| st.advance == Advance::Click)
                {
                    self.advance(s);
                }
            }
            Event::CardResized { width, height } => {
                if width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0 {
                    s.card = Some(Size { width, height });
                }
            }
        }
        if s.attached {
            self.panel_list(s);
            self.sync(s, &mut out);
        }
        out.extend(load);
        out
    }
}

#[cfg(test)]
mod tests;
