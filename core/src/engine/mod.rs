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
//!   tips      smart tips and beacons: what the tips script draws
//!   panel     what applies here, search results, zero-result records
//!   check     comprehension checks
//!   recording record mode: the author's picks become steps (core::recorder)
//!   view      View and its parts; the card's and launcher's rectangles
//!   sync      derive what is on screen, send only what changed
//! ```

use serde::{Deserialize, Serialize};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::analytics::{ContentKind, LaunchedFrom, Skipped, StepDone, What};
use crate::bundle::{Bundle, Manifest};
use crate::content::{
    Advance, Branch, Date, Library, Meta, Moment, Placement, Step, StepTexts, Target, Texts,
    Trigger, Viewer, Walkthrough,
};
use crate::deploy::policy::{FromPage, Support};
use crate::geometry::{self, Rect, Size};
use crate::recorder::{Action as RecAction, Recording};
use crate::richtext::RichText;
use crate::search::{self, SearchIndex, SearchOptions};
use crate::targeting::suggest::Picked;
use crate::targeting::watchlist::{Entry, WatchList};
use crate::targeting::{self, ElementFacts, Query};
use crate::urlmatch;

/// Who a list is for: the session's locale, its viewer (audience), and
/// the panel's moment filter.
type Who<'a> = (&'a str, Option<&'a Viewer>, Option<Moment>);

mod check;
mod links;
mod measure;
mod onboarding;
mod panel;
mod protocol;
mod recording;
mod session;
mod sync;
mod target;
mod tips;
mod tour;
mod triggers;
mod view;

pub use crate::content::ValueRule;
pub use onboarding::{first_visit, seen_key, SNOOZE_MS};
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
    search: Result<SearchIndex<Vec<u8>>, search::SearchError>,
    /// From a bundle: the origins it may act on. None: everywhere (tests).
    manifest: Option<Manifest>,
    /// For "under review" badges; set by the glue from the clock.
    today: Date,
    deployment: Deployment,
}

/// Most items the panel lists.
const PANEL_ITEMS: usize = 8;

/// Most items the completion card suggests next.
const RELATED_ITEMS: usize = 3;

const SNIPPET_CHARS: usize = 140;

/// Progress is kept per origin, so it survives reloads and route changes.
pub fn storage_key(url: &str) -> String {
    format!("tour:{}", urlmatch::origin(url))
}

impl Engine {
    /// An engine over `library`, indexing it here (tests, small libraries).
    pub fn new(mut library: Library) -> Engine {
        library.keep_media_to_its_hosts();
        let search = library.search_index().and_then(SearchIndex::open);
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
        let search = SearchIndex::open(bundle.search);
        let mut library = bundle.library;
        library.keep_media_to_its_hosts();
        Engine {
            library,
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

    /// The content locale this session's text comes from: the head of its
    /// fallback chain (the source locale if nothing closer was written).
    fn content_locale(&self, s: &Session) -> &str {
        self.library
            .locales
            .chain(&s.locale)
            .first()
            .copied()
            .unwrap_or("")
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

    /// The user as audiences see them: policy `user` fields, else the
    /// page's (`user.from_page`; roles split on commas and spaces). None
    /// when neither says anything: only content for everyone shows.
    pub(super) fn viewer(&self, s: &Session) -> Option<Viewer> {
        let d = &self.deployment;
        let page = s.user.as_ref();
        let roles = d
            .user_roles
            .clone()
            .or_else(|| {
                page.and_then(|u| u.roles.as_ref()).map(|r| {
                    r.split([',', ' '])
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect()
                })
            })
            .unwrap_or_default();
        let region = d
            .user_region
            .clone()
            .or_else(|| page.and_then(|u| u.region.clone()));
        let locale = d
            .user_locale
            .clone()
            .or_else(|| page.and_then(|u| u.locale.clone()));
        (!roles.is_empty() || region.is_some() || locale.is_some()).then_some(Viewer {
            roles,
            region,
            locale,
        })
    }

    /// Where this session's memory (first visits, checklist progress,
    /// ticks, closed beacons) is kept: per origin and user, the user
    /// being policy's `user.id`, else the page's (`user.from_page`), so
    /// two people who share a browser profile do not share progress.
    pub(super) fn seen_key(&self, s: &Session) -> String {
        let page = s.user.as_ref().and_then(|u| u.id.as_deref());
        onboarding::seen_key(&s.url, self.deployment.user_id.as_deref().or(page))
    }

    /// Is content `id` (walkthrough or article) for this session's user?
    /// Unknown ids are not.
    pub(super) fn for_user(&self, s: &Session, id: &str) -> bool {
        let viewer = self.viewer(s);
        match self.walkthrough(s, id) {
            Some(w) => w.meta.audience.admits(viewer.as_ref()),
            None => self
                .library
                .article(id)
                .is_some_and(|a| a.meta.audience.admits(viewer.as_ref())),
        }
    }

    pub fn search_error(&self) -> Option<&search::SearchError> {
        self.search.as_ref().err()
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn handle(&self, s: &mut Session, event: Event) -> Vec<Command> {
        let mut out = Vec::new();
        // Requests to storage go last: the glue answers a `Load` at once, and
        // the answer's commands must not overtake the rest of this batch.
        let mut load = Vec::new();
        match event {
            Event::Attached {
                url,
                viewport,
                locale,
            } => load = self.attached(s, url, viewport, locale, &mut out),
            Event::User { user } => load = self.page_user(s, user, &mut out),
            Event::Restored { tour } => self.restored(s, tour),
            Event::SeenRestored { seen } => self.seen_restored(s, seen),
            Event::Busy { busy } => s.busy = busy,
            Event::NotNow => self.not_now(s, &mut out),
            Event::Tick { article, index, on } => self.tick(s, &article, index, on),
            Event::ResetTicks { article } => self.reset_ticks(s, &article),
            Event::FilterMoment { moment } => {
                if let Some(p) = s.panel.as_mut() {
                    p.moment = moment;
                    p.list = None;
                }
            }
            Event::NeverAgain => self.never_again(s, &mut out),
            Event::Candidates { watch, candidates } => {
                self.candidates(s, watch, candidates, &mut out)
            }
            Event::GaveUp { reason } => self.gave_up(s, reason),
            // The same change may be reported twice (agent and browser).
            Event::UrlChanged { url } if url == s.url => {}
            Event::UrlChanged { url } => self.url_changed(s, url),
            Event::Resized { viewport } => s.viewport = viewport,
            Event::LauncherClicked => self.launcher_clicked(s),
            Event::OpenHelp => self.open_help(s),
            Event::OpenPanel => self.open_panel(s),
            Event::ReturnFocus => out.push(Command::ReturnFocus),
            Event::Search { query } => self.search_panel(s, query),
            Event::Open { id } => self.open(s, id),
            Event::CloseArticle => self.close_article(s),
            Event::Start { id } => self.start_asked(s, id),
            Event::Next => self.next(s),
            Event::Back => self.back(s),
            Event::Choose { index } => self.choose(s, index),
            Event::Answer { choices } => self.answer(s, choices),
            Event::Retry => self.retry(s),
            Event::Skip => self.skip_asked(s),
            Event::TargetMissing { watch } => self.target_missing(s, watch),
            Event::TargetInput { watch } => self.target_input(s, watch),
            Event::Present { key, present } => self.present(s, key, present),
            Event::BeaconDone { key } => self.beacon_done(s, &key),
            Event::Appeared { watch } => self.appeared(s, watch),
            Event::Close => self.close(s, &mut out),
            Event::Dismiss => self.dismiss(s, &mut out),
            Event::Target {
                watch,
                rect,
                viewport,
            } => self.target_found(s, watch, rect, viewport),
            Event::TargetLost { watch } => self.target_lost(s, watch),
            Event::TargetClicked { watch } => self.target_clicked(s, watch),
            Event::CardResized { width, height } => self.card_resized(s, width, height),
            Event::RecordStart => self.record_start(s),
            Event::RecordEdit { index, title } => self.record_edit(s, index, title),
            Event::RecordDetails {
                index,
                body,
                placement,
            } => self.record_details(s, index, body, placement),
            Event::RecordRepick { index } => self.record_repick(s, index),
            Event::RecordMove { from, to } => self.record_move(s, from, to),
            Event::RecordDelete { index } => self.record_delete(s, index),
            Event::RecordExport => self.record_export(s),
            Event::RecordDiscard => self.record_discard(s),
            Event::RecordPreview => self.record_preview(s),
            Event::RecordAdvance { index, advance } => self.record_advance(s, index, advance),
            Event::RecordPages { text } => self.record_pages(s, &text),
            Event::Hovered { rect } => self.hovered(s, rect),
            Event::Picked { facts, action, url } => self.picked(s, facts, action, url, &mut out),
            Event::Counted { step, counts } => self.counted(s, step, counts),
        }
        self.preview_over(s);
        self.auto_start(s);
        // An author at work is not an employee learning: nothing they do
        // in record mode, previews included, is recorded.
        if s.recording.is_some() {
            s.notes.clear();
        }
        if s.attached {
            self.panel_list(s);
            self.sync(s, &mut out);
        }
        out.extend(s.notes.drain(..).map(|record| Command::Record { record }));
        out.extend(load);
        out
    }
}

/// One handler per event (`handle` dispatches).
impl Engine {
    fn attached(
        &self,
        s: &mut Session,
        url: String,
        viewport: Size,
        locale: String,
        out: &mut Vec<Command>,
    ) -> Vec<Command> {
        // A page outside the bundle's signed scope or the origins
        // policy allows gets nothing: no launcher, no storage, no
        // content.
        if !self.acts_on(&url) {
            *s = Session::default();
            return Vec::new();
        }
        // A re-attach (reload, service-worker restart) starts afresh:
        // the agent has forgotten everything it was told.
        // A recording goes on across the author's page loads.
        // So does a preview of it, at its step (previews are not saved).
        let (recording, exported) = (s.recording.take(), s.exported.take());
        let preview = s.preview.take();
        let tour = preview.as_ref().and(s.tour.take());
        *s = Session {
            url,
            viewport,
            locale,
            now: s.now,
            attached: true,
            recording,
            exported,
            preview,
            tour,
            ..Session::default()
        };
        self.record_visit(s);
        self.take_link(s);
        let mut load = Vec::new();
        // Whose memory to read depends on who the page says the user is:
        // then it is read once the page has answered (`page_user`).
        if let Some(fields) = &self.deployment.user_from_page {
            out.push(Command::ReadUser {
                fields: fields.clone(),
            });
        } else {
            let key = self.seen_key(s);
            s.seen_for = Some(key.clone());
            load.push(Command::LoadSeen { key });
        }
        load.push(Command::Load {
            key: storage_key(&s.url),
        });
        load
    }

    fn page_user(&self, s: &mut Session, user: PageUser, out: &mut Vec<Command>) -> Vec<Command> {
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
            // What the panel lists depends on who the user is.
            if let Some(p) = s.panel.as_mut() {
                p.list = None;
            }
        }
        // This user's memory, if it is not the one read.
        let key = self.seen_key(s);
        if s.seen_for.as_deref() == Some(key.as_str()) {
            return Vec::new();
        }
        s.seen = None;
        s.shown.seen = None;
        s.seen_for = Some(key.clone());
        vec![Command::LoadSeen { key }]
    }

    /// A job aid's box, ticked or not, for the article's current version.
    fn tick(&self, s: &mut Session, article: &str, index: u32, on: bool) {
        let Some(a) = self.library.article(article) else {
            return;
        };
        if index as usize >= a.tasks() || !self.for_user(s, article) {
            return;
        }
        let Some(seen) = s.seen.as_mut() else { return };
        let t = seen.ticks.entry(a.id.clone()).or_default();
        if t.version != a.version {
            *t = Ticks {
                version: a.version.clone(),
                on: BTreeSet::new(),
            };
        }
        if on {
            t.on.insert(index);
        } else {
            t.on.remove(&index);
        }
    }

    fn reset_ticks(&self, s: &mut Session, article: &str) {
        if let Some(seen) = s.seen.as_mut() {
            seen.ticks.remove(article);
        }
    }

    fn restored(&self, s: &mut Session, tour: Option<Tour>) {
        s.restored = true;
        s.shown.saved = Some(tour.clone());
        if s.preview.is_some() {
            return; // the preview goes on; what was saved waits for its end
        }
        // Resume only what still exists in this bundle.
        s.tour = tour.filter(|t| {
            self.library
                .walkthrough(&t.walkthrough)
                .is_some_and(|w| t.step < w.steps.len())
        });
        if let Some(id) = s.link.take() {
            self.follow_link(s, &id);
        }
    }

    /// Where a record happened: the origin of `url` and the `applies_to`
    /// pattern that matched it (the walkthrough's, `id`, else any content's;
    /// the longest, as the most specific). Never the path, query or
    /// fragment themselves.
    pub(super) fn page_ref(&self, url: &str, id: Option<&str>) -> PageRef {
        let lib = &self.library;
        let own = id.and_then(|id| {
            lib.walkthrough(id)
                .map(|w| &w.applies_to)
                .or_else(|| lib.article(id).map(|a| &a.applies_to))
        });
        let patterns: Vec<&Vec<String>> = match own {
            Some(applies_to) => vec![applies_to],
            None => lib
                .walkthroughs
                .iter()
                .map(|w| &w.applies_to)
                .chain(lib.articles.iter().map(|a| &a.applies_to))
                .collect(),
        };
        PageRef {
            origin: urlmatch::origin(url).to_string(),
            screen: patterns
                .into_iter()
                .flatten()
                .filter(|p| urlmatch::matches(p, url))
                .max_by_key(|p| p.len())
                .cloned(),
        }
    }

    fn gave_up(&self, s: &mut Session, reason: String) {
        let what = crate::analytics::What::GuidanceStopped {
            reason: reason.chars().take(200).collect(),
        };
        if s.tour.is_some() {
            self.note_tour(s, what);
        } else {
            self.note(s, what, None, None);
        }
        s.tour = None;
        s.quiz = None;
        s.panel = None;
        s.done = None;
        s.target = None;
    }
}

#[cfg(test)]
mod tests;
