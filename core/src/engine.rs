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
use crate::targeting::{self, ElementFacts};
use crate::urlmatch;
use crate::watchlist::{Entry, WatchList};

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

/// A walkthrough in progress: what is persisted across reloads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tour {
    pub walkthrough: String,
    /// Content version the tour started on (audit trail, SPEC §3).
    pub version: String,
    pub step: usize,
    /// Steps visited before this one, so Back retraces branches.
    #[serde(default)]
    pub history: Vec<usize>,
    /// The bundle version it started on: it finishes on that bundle even if
    /// a newer one arrives meanwhile (the glue keeps the old engine).
    #[serde(default)]
    pub bundle: u64,
}

/// What admin policy sets for the engine (`deploy::policy`); the glue sets
/// it with [`Engine::set_deployment`].
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    /// `allowed_origins` ∩ the bundle's scope. `None`: the scope alone.
    pub origins: Option<Vec<String>>,
    /// `features.search`: the panel shows a search box.
    pub search: bool,
    /// Who helps: shown in the panel footer and beside every error.
    pub support: Option<Support>,
    /// Read the user from the host page (`user.from_page`).
    pub user_from_page: Option<FromPage>,
}

impl Default for Deployment {
    fn default() -> Deployment {
        Deployment {
            origins: None,
            search: true,
            support: None,
            user_from_page: None,
        }
    }
}

/// The user as read from the host page (`user.from_page`); fields not found
/// are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageUser {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub roles: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
}

/// One tab's state. Created by the glue per tab, fed to every `handle` call.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub url: String,
    pub viewport: Size,
    /// The user's language (`fr-CA`), for translated content.
    pub locale: String,
    attached: bool,
    restored: bool,
    /// The help panel, when open.
    panel: Option<Panel>,
    /// A query that found nothing, recorded once the user moves on from it.
    pending_zero: Option<String>,
    /// Move keyboard focus into the frame after placing it (the user opened
    /// the panel: focus follows their intent; never otherwise).
    focus: bool,
    tour: Option<Tour>,
    /// The comprehension check after a walkthrough, while it is answered.
    quiz: Option<Quiz>,
    finished: Option<String>,
    /// The check's outcome, shown on the completion card.
    result: Option<CheckOutcome>,
    target: Option<Rect>,
    /// The current step's step-local state (reset whenever the step changes).
    step: StepState,
    card: Option<Size>,
    /// Walkthroughs whose `on_element`/`on_error` trigger is on screen.
    present: BTreeSet<String>,
    /// Offers the user turned down on this page load.
    dismissed: BTreeSet<String>,
    /// The user as the host page shows them (`user.from_page`).
    pub user: Option<PageUser>,
    shown: Shown,
}

impl Session {
    /// A walkthrough or its check is in progress (the session stays on the
    /// bundle it started on).
    pub fn busy(&self) -> bool {
        self.tour.is_some() || self.quiz.is_some()
    }

    /// The bundle version the session's tour started on, if one is running.
    pub fn tour_bundle(&self) -> Option<u64> {
        self.tour.as_ref().map(|t| t.bundle)
    }

    /// Moves the session to another engine (a newer bundle): anything
    /// computed from the old content is recomputed and sent again.
    pub fn rebase(&mut self) {
        if let Some(p) = self.panel.as_mut() {
            p.list = None;
        }
        self.shown.view = None;
        self.shown.sentinels = None;
        self.shown.watch = None;
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
struct StepState {
    /// The target was not found in time: the card says so.
    missing: bool,
    /// Retries so far: part of the watch key, so the agent starts afresh.
    attempt: u32,
    /// The target was seen at least once (for `disappear`).
    found: bool,
    /// Several elements matched equally: the card says so rather than guess.
    ambiguous: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Panel {
    query: String,
    /// An article opened from the panel.
    article: Option<String>,
    /// The list for (query, url), computed once when either changes rather
    /// than on every event while the panel is open (scrolls, resizes, ...).
    list: Option<(String, String, PanelView)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Quiz {
    walkthrough: String,
    version: String,
    /// Localised walkthrough title, for the view and the completion card.
    title: String,
    question: usize,
    correct: usize,
}

/// How the user did on a walkthrough's check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub correct: usize,
    pub total: usize,
    pub passed: bool,
    /// The pass mark, in percent.
    pub pass_percent: u32,
}

/// What was last sent out, so only changes are sent again.
#[derive(Clone, Debug, Default)]
struct Shown {
    launcher: Option<bool>,
    watch: Option<Option<String>>,
    view: Option<View>,
    frame: Option<Option<Rect>>,
    spotlight: Option<Option<Rect>>,
    saved: Option<Option<Tour>>,
    /// The walkthroughs whose triggers the agent watches.
    sentinels: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The agent started on a page (load or reconnect).
    Attached {
        url: String,
        viewport: Size,
        /// The browser's language; empty means the content's source locale.
        #[serde(default)]
        locale: String,
    },
    /// Storage answered a `Load`.
    Restored {
        tour: Option<Tour>,
    },
    /// SPA route change or hash change.
    UrlChanged {
        url: String,
    },
    Resized {
        viewport: Size,
    },
    LauncherClicked,
    /// The help shortcut (commands API, or the agent's fallback listener):
    /// opens the panel (never closes it, so the two can both fire).
    OpenHelp,
    /// The panel's search box changed.
    Search {
        query: String,
    },
    /// A panel result was chosen: an article opens, a walkthrough starts.
    Open {
        id: String,
    },
    /// Back from an article to the results.
    CloseArticle,
    /// From the panel: start a walkthrough by id.
    Start {
        id: String,
    },
    Next,
    Back,
    /// A decision step's answer, by index into its choices.
    Choose {
        index: usize,
    },
    /// On the "can't find this" card: look again, skip the step.
    Retry,
    Skip,
    /// The answer to the check's current question: indexes of the chosen
    /// choices.
    Answer {
        choices: Vec<usize>,
    },
    /// End the current walkthrough.
    Close,
    /// Close the menu or the completion card.
    Dismiss,
    /// The watched target was found or moved.
    Target {
        watch: String,
        rect: Rect,
        viewport: Size,
    },
    TargetLost {
        watch: String,
    },
    TargetClicked {
        watch: String,
    },
    /// The watched target was not found within the step's timeout.
    TargetMissing {
        watch: String,
    },
    /// The user typed into (`committed: false`) or committed (`true`) the
    /// watched target; `value` is its current value.
    TargetInput {
        watch: String,
        value: String,
        committed: bool,
    },
    /// An element of the watch's `appear` queries is on the page.
    Appeared {
        watch: String,
    },
    /// More than one element matches the watch's queries: their facts, for
    /// the engine to choose (`targeting::pick`), answered with `Select`.
    Candidates {
        watch: String,
        candidates: Vec<ElementFacts>,
    },
    /// The agent stopped drawing on this page (a hostile page kept removing
    /// the overlay): guidance ends, with the reason recorded.
    GaveUp {
        reason: String,
    },
    /// An element of a trigger's watch-list entry `key` (a walkthrough id)
    /// is now on screen (`present`), or no longer is.
    Present {
        key: String,
        present: bool,
    },
    /// The frame's rendered content size.
    CardResized {
        width: f64,
        height: f64,
    },
    /// The answer to `ReadUser`: what the page shows about its user.
    User {
        user: PageUser,
    },
}

/// Which document an event came from. Each event has one legitimate sender;
/// the glue drops the rest, so a frame cannot fake a click and an agent cannot
/// press Next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Agent,
    Frame,
    Storage,
    /// The browser itself (a `commands` keyboard shortcut).
    Browser,
}

impl Source {
    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "agent" => Some(Source::Agent),
            "frame" => Some(Source::Frame),
            "storage" => Some(Source::Storage),
            "browser" => Some(Source::Browser),
            _ => None,
        }
    }
}

impl Event {
    pub fn allowed_from(&self, source: Source) -> bool {
        // The help shortcut comes from the agent's key listener or the
        // browser's `commands`; a route change from the agent's Navigation
        // API listener or the browser's webNavigation (the fallback).
        if matches!(self, Event::OpenHelp | Event::UrlChanged { .. }) {
            return matches!(source, Source::Agent | Source::Browser);
        }
        let expected = match self {
            Event::Attached { .. }
            | Event::UrlChanged { .. }
            | Event::Resized { .. }
            | Event::LauncherClicked
            | Event::Target { .. }
            | Event::TargetLost { .. }
            | Event::TargetClicked { .. }
            | Event::TargetMissing { .. }
            | Event::TargetInput { .. }
            | Event::Appeared { .. }
            | Event::Present { .. }
            | Event::GaveUp { .. }
            | Event::User { .. }
            | Event::Candidates { .. } => Source::Agent,
            Event::Start { .. }
            | Event::Next
            | Event::Back
            | Event::Choose { .. }
            | Event::Answer { .. }
            | Event::Retry
            | Event::Skip
            | Event::Close
            | Event::Dismiss
            | Event::Search { .. }
            | Event::Open { .. }
            | Event::CloseArticle
            | Event::CardResized { .. } => Source::Frame,
            Event::OpenHelp => Source::Browser,
            Event::Restored { .. } => Source::Storage,
        };
        expected == source
    }
}

/// How the agent finds an element: elements matching `css`, then, if given,
/// whose whitespace-normalised accessible `name` or visible `text` equals it.
/// A `deep` query also searches shadow roots (open or closed) and
/// same-origin frames, as the DevTools Recorder's `aria/`, `text/` and
/// `pierce/` selectors do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub css: String,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub deep: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// Lower-cased text the element's visible text must contain (a
    /// trigger's `text`: "Declined" in "Card declined (code 51)").
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contains: Option<String>,
    /// Frame / shadow-root hops to take before looking for `css`
    /// (`Target::Path`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub path: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Show or hide the launcher button at the given size and corner margin.
    Launcher {
        visible: bool,
        size: f64,
        margin: f64,
    },
    /// Read the persisted tour under `key` and answer with `Restored`.
    Load {
        key: String,
    },
    /// Persist (or with `None`, clear) the tour under `key`.
    Save {
        key: String,
        tour: Option<Tour>,
    },
    /// Find the first element matching any query, in order; report `Target`
    /// on find and move, `TargetLost` when it goes, `TargetClicked` if `click`.
    Watch {
        watch: String,
        queries: Vec<Query>,
        click: bool,
        /// Report `TargetMissing` when no target is found for this long
        /// (restarted whenever the target goes away). 0: never.
        timeout_ms: u32,
        /// Report the target's `input` and `change` events.
        input: bool,
        /// Report `Appeared` once any of these matches.
        appear: Vec<Query>,
        /// `queries` (keys `target`) and `appear` (keys `appear`), bucketed:
        /// each mutation batch is checked against these buckets only.
        list: WatchList,
    },
    Unwatch,
    /// Watch these triggers (keys: walkthrough ids) on this page, and report
    /// `Present` as their elements come and go. An empty list stops.
    Sentinels {
        list: WatchList,
    },
    Spotlight {
        rect: Option<Rect>,
    },
    /// Place the overlay frame (None hides it).
    Frame {
        rect: Option<Rect>,
    },
    /// For the overlay frame: what to show.
    Render {
        view: View,
    },
    /// Move keyboard focus into the overlay frame.
    Focus,
    /// The answer to `Candidates`: watch the candidate at `index`.
    Select {
        watch: String,
        index: usize,
    },
    /// Queue an analytics record (the analytics issue sends the queue).
    Record {
        record: Record,
    },
    /// Read the signed-in user from the page (`user.from_page`): each field
    /// is `selector@attribute` (or the element's text); answer with `User`.
    ReadUser {
        fields: FromPage,
    },
    /// For the service worker: the user this page showed (diagnostics).
    Identified {
        user: PageUser,
    },
}

/// Something worth counting, with where it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `search_zero`: a query that found nothing; `answered`: one check
    /// question; `check_completed`: the check's score; `target_missing`: a
    /// step whose target was not found in time.
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    pub url: String,
    /// The content and its version (audit trail, SPEC §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The step id (`target_missing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// 0-based question index (`answered`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<bool>,
    /// Fraction right, 0 to 1 (`check_completed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    /// Why guidance stopped (`guidance_stopped`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Record {
    fn new(kind: &str, url: &str) -> Record {
        Record {
            kind: kind.into(),
            query: String::new(),
            url: url.into(),
            id: None,
            version: None,
            step: None,
            question: None,
            correct: None,
            score: None,
            passed: None,
            reason: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    Hidden,
    Panel(PanelView),
    Article(ArticleView),
    Card(Card),
    /// A comprehension question after a walkthrough.
    Check(CheckView),
    Done {
        title: String,
        /// The check's outcome, if the walkthrough had one.
        #[serde(default)]
        result: Option<CheckOutcome>,
    },
    /// Solve moment: what is on screen matches a trigger; the fix is offered
    /// (Start, or Dismiss for this page load).
    Offer {
        item: Item,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    pub walkthrough: String,
    /// 1-based.
    pub index: usize,
    pub count: usize,
    pub prompt: String,
    pub choices: Vec<String>,
    /// More than one answer is right: "select all that apply".
    pub multiple: bool,
}

/// The help panel: search box, then results (or, before typing, what applies
/// to this page; after a query that found nothing, related content).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanelView {
    pub query: String,
    pub heading: String,
    pub items: Vec<Item>,
    /// True when the query found nothing (the items are suggestions).
    pub no_results: bool,
    /// Why search is off, if it is (guidance still works).
    pub search_error: Option<String>,
    /// Policy `features.search`: without it, no search box.
    #[serde(default = "yes")]
    pub search: bool,
    /// Policy `support`: the panel footer.
    #[serde(default)]
    pub support: Option<Support>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// `walkthrough` or `article`.
    pub kind: String,
    pub title: String,
    pub moment: Moment,
    /// Text around the match; `true` parts are the matched words.
    pub snippet: Vec<(String, bool)>,
    /// Two review cycles overdue: shown with an "under review" badge.
    pub under_review: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleView {
    pub id: String,
    pub title: String,
    pub moment: Moment,
    pub body: RichText,
    pub under_review: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub walkthrough: String,
    pub title: String,
    pub body: RichText,
    /// 1-based.
    pub index: usize,
    pub count: usize,
    pub can_back: bool,
    pub can_next: bool,
    pub last: bool,
    pub hint: Option<String>,
    /// A decision: the answers, in order (answered with `Choose`).
    pub choices: Vec<String>,
    pub under_review: bool,
    /// The target was not found in time: offer Retry, Skip and End.
    #[serde(default)]
    pub missing: bool,
    /// With `missing`: several elements matched and none stood out.
    #[serde(default)]
    pub ambiguous: bool,
    /// Policy `support`, shown beside a problem (`missing`).
    #[serde(default)]
    pub support: Option<Support>,
}

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

    fn start(&self, s: &mut Session, id: &str) {
        if let Some(w) = self.library.walkthrough(id) {
            s.tour = Some(Tour {
                walkthrough: w.id.clone(),
                version: w.version.clone(),
                step: 0,
                history: Vec::new(),
                bundle: self.bundle_version(),
            });
            s.finished = None;
            s.target = None;
            s.step = StepState::default();
            // Taken up: not offered again on this page load.
            s.dismissed.insert(w.id.clone());
        }
    }

    /// The first walkthrough whose trigger is on screen and that the user has
    /// neither taken nor turned down.
    fn offer(&self, s: &Session) -> Option<Item> {
        s.present
            .iter()
            .filter(|id| !s.dismissed.contains(*id))
            .find_map(|id| self.item(&s.locale, id, "walkthrough", &[]))
    }

    /// The triggers of the walkthroughs that apply to `url`, as the agent's
    /// watch list (keys: walkthrough ids).
    fn sentinels(&self, url: &str) -> (Vec<String>, Vec<Entry>) {
        let mut ids = Vec::new();
        let mut entries = Vec::new();
        for w in &self.library.walkthroughs {
            let (Trigger::OnElement { target, text } | Trigger::OnError { target, text }) =
                &w.trigger
            else {
                continue;
            };
            if !urlmatch::any_matches(&w.applies_to, url) {
                continue;
            }
            ids.push(w.id.clone());
            for t in target {
                entries.push(Entry {
                    key: w.id.clone(),
                    query: Query {
                        contains: text.as_ref().map(|t| t.to_lowercase()),
                        ..compile_target(t)
                    },
                });
            }
        }
        (ids, entries)
    }

    /// Leaves the current step without doing it: on to the next one (a
    /// decision's first successor is the next step in the file).
    fn skip(&self, s: &mut Session) {
        let Some((w, st, i)) = self.current(s) else {
            return;
        };
        let next = match &st.branch {
            Branch::Next | Branch::Choices(_) => w.steps.get(i + 1).map(|n| n.id.clone()),
            Branch::Goto(id) => Some(id.clone()),
            Branch::End => None,
        };
        self.go(s, next.as_deref().unwrap_or(crate::content::END));
    }

    fn close_panel(&self, s: &mut Session, out: &mut Vec<Command>) {
        s.panel = None;
        if let Some(z) = s.pending_zero.take() {
            out.push(self.zero_record(&z, &s.url));
        }
    }

    fn zero_record(&self, query: &str, url: &str) -> Command {
        Command::Record {
            record: Record {
                query: query.trim().to_string(),
                ..Record::new("search_zero", url)
            },
        }
    }

    /// Ranked results for `query` on `url`, as panel items.
    fn results(&self, query: &str, url: &str, locale: &str) -> Vec<Item> {
        let Ok(index) = &self.search else {
            return Vec::new();
        };
        let opts = SearchOptions {
            limit: PANEL_ITEMS,
            url: Some(url.to_string()),
            ..Default::default()
        };
        index
            .search(query, &opts)
            .into_iter()
            .filter_map(|h| {
                let d = index.doc(h.doc)?;
                self.item(locale, &d.id, &d.kind, &h.matched)
            })
            .collect()
    }

    fn item(&self, locale: &str, id: &str, kind: &str, matched: &[String]) -> Option<Item> {
        let (title, moment, text, meta) = match kind {
            "article" => {
                let a = self.library.article(id)?;
                let title = self.localised_title(locale, &a.title, &a.translations);
                (title, a.moment, a.body.plain_text(), &a.meta)
            }
            _ => {
                let w = self.library.walkthrough(id)?;
                let text = w
                    .steps
                    .iter()
                    .map(|s| s.title.clone())
                    .collect::<Vec<_>>()
                    .join(" · ");
                let title = self.localised_title(locale, &w.title, &w.translations);
                (title, w.moment, text, &w.meta)
            }
        };
        Some(Item {
            id: id.to_string(),
            kind: if kind == "article" {
                "article"
            } else {
                "walkthrough"
            }
            .to_string(),
            title,
            moment,
            snippet: search::snippet(&text, matched, SNIPPET_CHARS),
            under_review: self.under_review(meta),
        })
    }

    /// Content for the page the user is on: specific matches first, then
    /// content that applies everywhere.
    fn for_this_page(&self, url: &str, locale: &str) -> Vec<Item> {
        let lib = &self.library;
        let all = lib
            .walkthroughs
            .iter()
            .map(|w| (&w.applies_to, w.id.as_str(), "walkthrough"))
            .chain(
                lib.articles
                    .iter()
                    .map(|a| (&a.applies_to, a.id.as_str(), "article")),
            );
        let (specific, general): (Vec<_>, Vec<_>) = all
            .filter(|(applies, _, _)| urlmatch::any_matches(applies, url))
            .partition(|(applies, _, _)| !applies.is_empty());
        specific
            .into_iter()
            .chain(general)
            .take(PANEL_ITEMS)
            .filter_map(|(_, id, kind)| self.item(locale, id, kind, &[]))
            .collect()
    }

    /// The panel's list for its current query and the session's URL,
    /// recomputed only when one of them changed.
    fn panel_list<'s>(&self, s: &'s mut Session) -> Option<&'s PanelView> {
        let url = s.url.as_str();
        let locale = s.locale.as_str();
        let p = s.panel.as_mut()?;
        let fresh = p
            .list
            .as_ref()
            .is_some_and(|(q, u, _)| *q == p.query && u == url);
        if !fresh {
            let view = self.list_for(&p.query, url, locale);
            p.list = Some((p.query.clone(), url.to_string(), view));
        }
        p.list.as_ref().map(|(_, _, v)| v)
    }

    fn panel_view(&self, s: &Session, p: &Panel) -> View {
        if let Some(a) = p.article.as_deref().and_then(|id| self.library.article(id)) {
            return View::Article(ArticleView {
                id: a.id.clone(),
                title: self.localised_title(&s.locale, &a.title, &a.translations),
                moment: a.moment,
                body: self
                    .texts(&s.locale, &a.translations)
                    .into_iter()
                    .find_map(|t| t.body.clone())
                    .unwrap_or_else(|| a.body.clone()),
                under_review: self.under_review(&a.meta),
            });
        }
        match &p.list {
            Some((_, _, list)) => View::Panel(list.clone()),
            None => View::Hidden,
        }
    }

    fn list_for(&self, query_text: &str, url: &str, locale: &str) -> PanelView {
        let search_error = self
            .search
            .as_ref()
            .err()
            .map(|e| format!("Search is unavailable: {e}"));
        let search = self.deployment.search;
        let support = self.deployment.support.clone();
        let query = query_text.trim();
        if query.is_empty() || search_error.is_some() || !search {
            return PanelView {
                query: query_text.to_string(),
                heading: "For this page".into(),
                items: self.for_this_page(url, locale),
                no_results: false,
                search_error: search_error.filter(|_| search),
                search,
                support,
            };
        }
        let items = self.results(query, url, locale);
        if items.is_empty() {
            return PanelView {
                query: query_text.to_string(),
                heading: format!("No results for “{query}”. Related to this page:"),
                items: self.for_this_page(url, locale),
                no_results: true,
                search_error: None,
                search,
                support,
            };
        }
        PanelView {
            query: query_text.to_string(),
            heading: "Results".into(),
            items,
            no_results: false,
            search_error: None,
            search,
            support,
        }
    }

    /// Moves on from the current step as its branch says. A decision step
    /// waits for `Choose` instead.
    fn advance(&self, s: &mut Session) {
        let Some((w, st, i)) = self.current(s) else {
            return;
        };
        let next = match &st.branch {
            Branch::Choices(_) => return,
            Branch::Next => w.steps.get(i + 1).map(|n| n.id.clone()),
            Branch::Goto(id) => Some(id.clone()),
            Branch::End => None,
        };
        self.go(s, next.as_deref().unwrap_or(crate::content::END));
    }

    /// Goes to step `id` of the current walkthrough, or finishes it when
    /// `id` is `end` or unknown.
    fn go(&self, s: &mut Session, id: &str) {
        let Some((w, _, i)) = self.current(s) else {
            return;
        };
        s.target = None;
        s.step = StepState::default();
        match w.step_index(id) {
            Some(j) => {
                if let Some(t) = s.tour.as_mut() {
                    t.history.push(i);
                    t.step = j;
                }
            }
            None => {
                let title = self.localised_title(&s.locale, &w.title, &w.translations);
                s.tour = None;
                s.result = None;
                if w.check.as_ref().is_some_and(|c| !c.questions.is_empty()) {
                    s.quiz = Some(Quiz {
                        walkthrough: w.id.clone(),
                        version: w.version.clone(),
                        title,
                        question: 0,
                        correct: 0,
                    });
                } else {
                    s.finished = Some(title);
                }
            }
        }
    }

    /// Scores one answer of the check; after the last, records the result
    /// and shows it on the completion card.
    fn answer(&self, s: &mut Session, mut choices: Vec<usize>, out: &mut Vec<Command>) {
        let Some(q) = s.quiz.as_mut() else { return };
        let Some(check) = self
            .library
            .walkthrough(&q.walkthrough)
            .and_then(|w| w.check.as_ref())
        else {
            s.quiz = None;
            return;
        };
        let Some(question) = check.questions.get(q.question) else {
            s.quiz = None;
            return;
        };
        choices.sort_unstable();
        choices.dedup();
        let mut right = question.correct.clone();
        right.sort_unstable();
        let correct = choices == right;
        out.push(Command::Record {
            record: Record {
                id: Some(q.walkthrough.clone()),
                version: Some(q.version.clone()),
                question: Some(q.question),
                correct: Some(correct),
                ..Record::new("answered", &s.url)
            },
        });
        q.correct += usize::from(correct);
        q.question += 1;
        if q.question < check.questions.len() {
            return;
        }
        let total = check.questions.len();
        let score = q.correct as f32 / total as f32;
        let passed = score + 1e-6 >= check.pass_score;
        out.push(Command::Record {
            record: Record {
                id: Some(q.walkthrough.clone()),
                version: Some(q.version.clone()),
                score: Some(score),
                passed: Some(passed),
                ..Record::new("check_completed", &s.url)
            },
        });
        s.finished = Some(q.title.clone());
        s.result = Some(CheckOutcome {
            correct: q.correct,
            total,
            passed,
            pass_percent: (check.pass_score * 100.0).round() as u32,
        });
        s.quiz = None;
    }

    fn localised_title(&self, locale: &str, title: &str, t: &BTreeMap<String, Texts>) -> String {
        self.texts(locale, t)
            .into_iter()
            .find_map(|t| t.title.clone())
            .unwrap_or_else(|| title.to_string())
    }

    fn current<'a>(&'a self, s: &Session) -> Option<(&'a Walkthrough, &'a Step, usize)> {
        let t = s.tour.as_ref()?;
        let w = self.library.walkthrough(&t.walkthrough)?;
        Some((w, w.steps.get(t.step)?, t.step))
    }

    fn is_current(&self, s: &Session, watch: &str) -> bool {
        self.watch_key(s).as_deref() == Some(watch)
    }

    /// Deterministic, so a click reported across a service-worker restart
    /// still refers to the same step.
    fn watch_key(&self, s: &Session) -> Option<String> {
        let (w, st, i) = self.current(s)?;
        let looks = !st.target.is_empty() || matches!(st.advance, Advance::Appear(_));
        if !looks || s.step.missing || !self.on_step_page(s, st) {
            return None;
        }
        let retry = if s.step.attempt > 0 {
            format!("#{}", s.step.attempt)
        } else {
            String::new()
        };
        Some(format!("{}/{}/{}{retry}", w.id, i, st.id))
    }

    /// Is the user on the page the step happens on?
    fn on_step_page(&self, s: &Session, st: &Step) -> bool {
        st.url.as_ref().is_none_or(|p| urlmatch::matches(p, &s.url))
    }

    fn view(&self, s: &Session) -> View {
        if let Some(p) = &s.panel {
            return self.panel_view(s, p);
        }
        if let Some(title) = &s.finished {
            return View::Done {
                title: title.clone(),
                result: s.result.clone(),
            };
        }
        if let Some(q) = &s.quiz {
            let question = self
                .library
                .walkthrough(&q.walkthrough)
                .and_then(|w| w.check.as_ref())
                .and_then(|c| Some((c.questions.get(q.question)?, c.questions.len())));
            if let Some((question, count)) = question {
                return View::Check(CheckView {
                    walkthrough: q.title.clone(),
                    index: q.question + 1,
                    count,
                    prompt: question.prompt.clone(),
                    choices: question.choices.clone(),
                    multiple: question.correct.len() > 1,
                });
            }
        }
        match self.current(s) {
            Some((w, st, i)) => {
                let texts = self.texts(&s.locale, &w.translations);
                let step = |f: &dyn Fn(&StepTexts) -> Option<&str>| {
                    texts.iter().find_map(|t| t.steps.get(&st.id).and_then(f))
                };
                let title =
                    step(&|x| x.title.as_deref()).map_or_else(|| st.title.clone(), str::to_string);
                let body = texts
                    .iter()
                    .find_map(|t| t.steps.get(&st.id).and_then(|x| x.body.clone()))
                    .unwrap_or_else(|| st.body.clone());
                let choices: Vec<String> = match &st.branch {
                    Branch::Choices(cs) => cs.iter().map(|c| c.label.clone()).collect(),
                    _ => Vec::new(),
                };
                let decision = !choices.is_empty();
                View::Card(Card {
                    walkthrough: self.localised_title(&s.locale, &w.title, &w.translations),
                    title,
                    body,
                    index: i + 1,
                    count: w.steps.len(),
                    can_back: s
                        .tour
                        .as_ref()
                        .is_some_and(|t| !t.history.is_empty() || t.step > 0),
                    can_next: st.advance == Advance::Next && !decision,
                    last: !decision && w.successors(i).is_empty(),
                    hint: if decision {
                        None
                    } else if !self.on_step_page(s, st) {
                        Some(format!(
                            "This step is on another page ({}). Go there to continue.",
                            st.url.as_deref().unwrap_or("")
                        ))
                    } else {
                        hint(&st.advance).map(str::to_string)
                    },
                    choices,
                    under_review: self.under_review(&w.meta),
                    missing: s.step.missing,
                    ambiguous: s.step.ambiguous,
                    support: self.deployment.support.clone(),
                })
            }
            None => self
                .offer(s)
                .map_or(View::Hidden, |item| View::Offer { item }),
        }
    }

    fn launcher_rect(&self, vp: Size) -> Rect {
        Rect {
            x: vp.width - LAUNCHER_MARGIN - LAUNCHER_SIZE,
            y: vp.height - LAUNCHER_MARGIN - LAUNCHER_SIZE,
            width: LAUNCHER_SIZE,
            height: LAUNCHER_SIZE,
        }
    }

    fn frame(&self, s: &Session, view: &View) -> Option<Rect> {
        let card = s.card.unwrap_or(DEFAULT_CARD);
        match view {
            View::Hidden => None,
            View::Panel(_)
            | View::Article(_)
            | View::Check(_)
            | View::Done { .. }
            | View::Offer { .. } => Some(geometry::above_launcher(
                card,
                s.viewport,
                self.launcher_rect(s.viewport),
            )),
            View::Card(_) => {
                let (_, st, _) = self.current(s)?;
                if st.target.is_empty() || s.step.missing || !self.on_step_page(s, st) {
                    Some(geometry::centre(card, s.viewport))
                } else {
                    let t = s.target?;
                    Some(geometry::place_card(t, card, s.viewport, st.placement).0)
                }
            }
        }
    }

    fn sync(&self, s: &mut Session, out: &mut Vec<Command>) {
        if s.shown.launcher != Some(true) {
            s.shown.launcher = Some(true);
            out.push(Command::Launcher {
                visible: true,
                size: LAUNCHER_SIZE,
                margin: LAUNCHER_MARGIN,
            });
        }
        if s.restored && s.shown.saved.as_ref() != Some(&s.tour) {
            s.shown.saved = Some(s.tour.clone());
            out.push(Command::Save {
                key: storage_key(&s.url),
                tour: s.tour.clone(),
            });
        }
        let watch = self.watch_key(s);
        if s.shown.watch.as_ref() != Some(&watch) {
            s.shown.watch = Some(watch.clone());
            out.push(match (&watch, self.current(s)) {
                (Some(key), Some((_, st, _))) => Command::Watch {
                    watch: key.clone(),
                    list: watch_list(st),
                    queries: st.target.iter().map(compile_target).collect(),
                    click: st.advance == Advance::Click,
                    timeout_ms: if st.target.is_empty() {
                        0
                    } else {
                        st.timeout_ms
                    },
                    input: matches!(st.advance, Advance::Input(_) | Advance::Change(_)),
                    appear: match &st.advance {
                        Advance::Appear(ts) => ts.iter().map(compile_target).collect(),
                        _ => Vec::new(),
                    },
                },
                _ => Command::Unwatch,
            });
        }
        let (ids, entries) = self.sentinels(&s.url);
        if s.shown.sentinels.as_ref() != Some(&ids) {
            s.present.retain(|id| ids.contains(id));
            s.shown.sentinels = Some(ids);
            out.push(Command::Sentinels {
                list: WatchList::compile(entries),
            });
        }
        let view = self.view(s);
        // Frame before Render when hiding, Render before Frame when showing,
        // so nothing stale flashes in a visible frame.
        let frame = self.frame(s, &view);
        let spot = match view {
            View::Card(_) if self.watch_key(s).is_some() => s.target.map(|t| Rect {
                x: t.x - SPOTLIGHT_PAD,
                y: t.y - SPOTLIGHT_PAD,
                width: t.width + 2.0 * SPOTLIGHT_PAD,
                height: t.height + 2.0 * SPOTLIGHT_PAD,
            }),
            _ => None,
        };
        if frame.is_none() && s.shown.frame != Some(None) {
            s.shown.frame = Some(None);
            out.push(Command::Frame { rect: None });
        }
        if s.shown.view.as_ref() != Some(&view) {
            s.shown.view = Some(view.clone());
            out.push(Command::Render { view });
        }
        if frame.is_some() && s.shown.frame != Some(frame) {
            s.shown.frame = Some(frame);
            out.push(Command::Frame { rect: frame });
        }
        if s.shown.spotlight != Some(spot) {
            s.shown.spotlight = Some(spot);
            out.push(Command::Spotlight { rect: spot });
        }
        if s.focus {
            s.focus = false;
            if frame.is_some() {
                out.push(Command::Focus);
            }
        }
    }
}

/// A step's target (keys `target`) and `appear` queries (keys `appear`),
/// bucketed for the agent.
fn watch_list(st: &Step) -> WatchList {
    let entry = |key: &'static str| {
        move |t: &Target| Entry {
            key: key.into(),
            query: compile_target(t),
        }
    };
    let mut entries: Vec<Entry> = st.target.iter().map(entry("target")).collect();
    if let Advance::Appear(ts) = &st.advance {
        entries.extend(ts.iter().map(entry("appear")));
    }
    WatchList::compile(entries)
}

/// What the card tells the user to do, by advance rule.
fn hint(a: &Advance) -> Option<&'static str> {
    Some(match a {
        Advance::Next => return None,
        Advance::Click => "Click the highlighted element to continue.",
        Advance::Input(_) => "Type in the highlighted field to continue.",
        Advance::Change(_) => "Enter or choose a value in the highlighted field to continue.",
        Advance::Appear(_) | Advance::Disappear | Advance::Url(_) => {
            "Carry on in the page; this moves on by itself."
        }
    })
}

/// Progress is kept per origin, so it survives reloads and route changes.
pub fn storage_key(url: &str) -> String {
    format!("tour:{}", urlmatch::origin(url))
}

/// Turns an authored target into what the agent executes.
pub fn compile_target(t: &Target) -> Query {
    match t {
        Target::Css(css) => Query {
            css: css.clone(),
            deep: false,
            name: None,
            text: None,
            contains: None,
            path: Vec::new(),
        },
        Target::Pierce(css) => Query {
            css: css.clone(),
            deep: true,
            name: None,
            text: None,
            contains: None,
            path: Vec::new(),
        },
        Target::Path { hops, css } => Query {
            css: css.clone(),
            deep: false,
            name: None,
            text: None,
            contains: None,
            path: hops.clone(),
        },
        Target::Aria { name, role } => Query {
            css: role
                .as_deref()
                .map(role_selector)
                .unwrap_or_else(|| "*".into()),
            deep: true,
            name: Some(name.clone()),
            text: None,
            contains: None,
            path: Vec::new(),
        },
        Target::Text(text) => Query {
            css: "*".into(),
            deep: true,
            name: None,
            text: Some(text.clone()),
            contains: None,
            path: Vec::new(),
        },
    }
}

/// Elements that carry an ARIA role implicitly or explicitly.
fn role_selector(role: &str) -> String {
    let implicit = match role {
        "button" => "button,input[type=button],input[type=submit],input[type=reset],summary,",
        "link" => "a[href],area[href],",
        "textbox" => "input:not([type]),input[type=text],input[type=email],input[type=tel],input[type=url],input[type=search],textarea,",
        "spinbutton" => "input[type=number],",
        "combobox" => "select,",
        "checkbox" => "input[type=checkbox],",
        "radio" => "input[type=radio],",
        "heading" => "h1,h2,h3,h4,h5,h6,",
        "dialog" => "dialog,",
        "table" => "table,",
        "row" => "tr,",
        "navigation" => "nav,",
        "form" => "form,",
        "listitem" => "li,",
        _ => "",
    };
    format!("{implicit}[role={role}]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Placement, Walkthrough};
    use crate::richtext::{Block, Inline};

    fn step(id: &str, target: &[&str], advance: Advance) -> Step {
        Step {
            id: id.into(),
            title: format!("Step {id}"),
            body: RichText(vec![Block::Paragraph(vec![Inline::Text("body".into())])]),
            target: target.iter().map(|t| Target::parse(t).unwrap()).collect(),
            advance,
            placement: Placement::Auto,
            optional: false,
            branch: Branch::Next,
            url: None,
            timeout_ms: crate::content::DEFAULT_TIMEOUT_MS,
        }
    }

    fn meta() -> Meta {
        Meta {
            owner: "crm-team".into(),
            status: crate::content::Status::Approved,
            ..Meta::default()
        }
    }

    fn engine() -> Engine {
        Engine::new(Library {
            walkthroughs: vec![
                Walkthrough {
                    id: "create-deal".into(),
                    title: "Create a deal".into(),
                    moment: Moment::Apply,
                    applies_to: vec!["/crm/*".into()],
                    tags: vec![],
                    synonyms: vec![],
                    version: "v1".into(),
                    meta: meta(),
                    trigger: Default::default(),
                    check: None,
                    translations: Default::default(),
                    steps: vec![
                        step(
                            "open",
                            &["[data-testid=new-deal]", "aria/New deal[role=button]"],
                            Advance::Click,
                        ),
                        step("intro", &[], Advance::Next),
                        step("save", &["text/Save deal"], Advance::Click),
                    ],
                },
                Walkthrough {
                    id: "refund".into(),
                    title: "Refund a partial order".into(),
                    moment: Moment::Apply,
                    applies_to: vec!["/pos/*".into()],
                    tags: vec![],
                    synonyms: vec![],
                    version: "v2".into(),
                    meta: meta(),
                    trigger: Default::default(),
                    check: None,
                    translations: Default::default(),
                    steps: vec![step("a", &["#x"], Advance::Next)],
                },
            ],
            articles: vec![crate::content::Article {
                id: "deal-basics".into(),
                title: "Deal basics".into(),
                moment: Moment::More,
                tags: vec![],
                synonyms: vec![],
                applies_to: vec!["/crm/*".into()],
                version: "a1".into(),
                meta: meta(),
                translations: Default::default(),
                body: RichText(vec![Block::Paragraph(vec![Inline::Text(
                    "Every deal moves through stages.".into(),
                )])]),
            }],
            ..Default::default()
        })
    }

    const VP: Size = Size {
        width: 1280.0,
        height: 800.0,
    };
    const URL: &str = "http://127.0.0.1:4000/crm/deals";

    fn attach(e: &Engine, s: &mut Session, saved: Option<Tour>) -> Vec<Command> {
        let mut c = e.handle(
            s,
            Event::Attached {
                url: URL.into(),
                viewport: VP,
                locale: String::new(),
            },
        );
        assert_eq!(
            c.last(),
            Some(&Command::Load {
                key: "tour:http://127.0.0.1:4000".into()
            }),
            "{c:?}"
        );
        c.extend(e.handle(s, Event::Restored { tour: saved }));
        c
    }

    fn find<'a, T>(cmds: &'a [Command], f: impl Fn(&'a Command) -> Option<T>) -> Option<T> {
        cmds.iter().find_map(f)
    }

    fn watch_of(cmds: &[Command]) -> Option<String> {
        find(cmds, |c| match c {
            Command::Watch { watch, .. } => Some(watch.clone()),
            _ => None,
        })
    }

    fn view_of(cmds: &[Command]) -> Option<View> {
        find(cmds, |c| match c {
            Command::Render { view } => Some(view.clone()),
            _ => None,
        })
    }

    #[test]
    fn policy_origins_narrow_where_the_engine_acts() {
        let mut e = engine();
        e.set_deployment(Deployment {
            origins: Some(vec!["https://crm.acme.example".into()]),
            ..Deployment::default()
        });
        let mut s = Session::default();
        let c = e.handle(
            &mut s,
            Event::Attached {
                url: URL.into(),
                viewport: VP,
                locale: String::new(),
            },
        );
        assert!(
            c.is_empty(),
            "a page outside allowed_origins gets nothing: {c:?}"
        );
        assert!(e.acts_on("https://crm.acme.example/deals"));
        assert!(!e.acts_on("https://crm.acme.example:8443/deals"));
    }

    #[test]
    fn policy_turns_search_off_and_names_support() {
        let mut e = engine();
        let support = Support {
            name: "IT desk".into(),
            url: "mailto:it@acme.example".into(),
        };
        e.set_deployment(Deployment {
            search: false,
            support: Some(support.clone()),
            ..Deployment::default()
        });
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(&mut s, Event::OpenHelp);
        let c = e.handle(
            &mut s,
            Event::Search {
                query: "refund".into(),
            },
        );
        let Some(View::Panel(p)) = view_of(&c).or_else(|| {
            let c = e.handle(&mut s, Event::LauncherClicked);
            e.handle(&mut s, Event::LauncherClicked);
            view_of(&c)
        }) else {
            panic!("{c:?}")
        };
        assert!(!p.search);
        assert_eq!(p.heading, "For this page", "a query is not searched");
        assert_eq!(p.support, Some(support.clone()));
        e.handle(&mut s, Event::Dismiss);
        let Some(View::Card(card)) = view_of(&e.handle(
            &mut s,
            Event::Start {
                id: "create-deal".into(),
            },
        )) else {
            panic!("no card")
        };
        assert_eq!(card.support, Some(support));
    }

    #[test]
    fn the_user_is_read_from_the_page_when_policy_says_so() {
        let mut e = engine();
        let fields = FromPage {
            id: Some(crate::deploy::policy::PageField {
                selector: "#me".into(),
                attribute: Some("data-user-id".into()),
            }),
            ..FromPage::default()
        };
        e.set_deployment(Deployment {
            user_from_page: Some(fields.clone()),
            ..Deployment::default()
        });
        let mut s = Session::default();
        let c = e.handle(
            &mut s,
            Event::Attached {
                url: URL.into(),
                viewport: VP,
                locale: String::new(),
            },
        );
        assert!(c.contains(&Command::ReadUser { fields }), "{c:?}");
        let user = PageUser {
            id: Some("  maria.lopez ".into()),
            roles: Some(String::new()),
            ..PageUser::default()
        };
        let c = e.handle(&mut s, Event::User { user: user.clone() });
        let clean = PageUser {
            id: Some("maria.lopez".into()),
            ..PageUser::default()
        };
        assert!(
            c.contains(&Command::Identified {
                user: clean.clone()
            }),
            "{c:?}"
        );
        assert_eq!(s.user, Some(clean));
        assert!(!e
            .handle(&mut s, Event::User { user })
            .iter()
            .any(|c| matches!(c, Command::Identified { .. })));
        assert!(!Event::User {
            user: PageUser::default()
        }
        .allowed_from(Source::Frame));
    }

    #[test]
    fn a_tour_remembers_its_bundle() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        assert!(!s.busy());
        e.handle(
            &mut s,
            Event::Start {
                id: "create-deal".into(),
            },
        );
        assert!(s.busy());
        assert_eq!(s.tour_bundle(), Some(0));
    }

    #[test]
    fn launcher_menu_lists_what_applies_here() {
        let e = engine();
        let mut s = Session::default();
        let c = attach(&e, &mut s, None);
        assert!(matches!(c[0], Command::Launcher { visible: true, .. }));
        let c = e.handle(&mut s, Event::LauncherClicked);
        let Some(View::Panel(p)) = view_of(&c) else {
            panic!("{c:?}")
        };
        assert_eq!(p.heading, "For this page");
        assert_eq!(
            p.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["create-deal", "deal-basics"]
        );
        assert!(
            c.contains(&Command::Focus),
            "opening the panel moves focus into it"
        );
        assert!(find(&c, |c| match c {
            Command::Frame { rect: Some(r) } => Some(r.right() <= VP.width),
            _ => None,
        })
        .unwrap());
        // Route change while open refreshes the list.
        let c = e.handle(
            &mut s,
            Event::UrlChanged {
                url: "http://127.0.0.1:4000/pos/refunds".into(),
            },
        );
        let Some(View::Panel(p)) = view_of(&c) else {
            panic!("{c:?}")
        };
        assert_eq!(p.items[0].id, "refund");
        // The launcher again closes it.
        let c = e.handle(&mut s, Event::LauncherClicked);
        assert_eq!(view_of(&c), Some(View::Hidden));
    }

    #[test]
    fn panel_searches_opens_articles_and_starts_walkthroughs() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(&mut s, Event::OpenHelp);
        let c = e.handle(
            &mut s,
            Event::Search {
                query: "dela basics".into(),
            },
        );
        let Some(View::Panel(p)) = view_of(&c) else {
            panic!("{c:?}")
        };
        assert_eq!(p.heading, "Results");
        assert_eq!(p.items[0].id, "deal-basics");
        assert!(
            p.items[0].snippet.iter().any(|(_, hit)| *hit),
            "{:?}",
            p.items[0].snippet
        );
        let c = e.handle(
            &mut s,
            Event::Open {
                id: "deal-basics".into(),
            },
        );
        let Some(View::Article(a)) = view_of(&c) else {
            panic!("{c:?}")
        };
        assert_eq!(a.title, "Deal basics");
        let c = e.handle(&mut s, Event::CloseArticle);
        assert!(matches!(view_of(&c), Some(View::Panel(_))));
        // Opening a walkthrough result starts it and closes the panel.
        let c = e.handle(
            &mut s,
            Event::Open {
                id: "create-deal".into(),
            },
        );
        assert_eq!(watch_of(&c).as_deref(), Some("create-deal/0/open"));
        assert!(matches!(view_of(&c), Some(View::Card(_))));
    }

    #[test]
    fn a_broken_search_index_turns_search_off_and_guidance_keeps_working() {
        let library = engine().library.clone();
        let e = Engine::from_bundle(Bundle {
            library,
            search: b"WMSI\x01\x00 cut".to_vec(),
            manifest: crate::bundle::Manifest::describe(
                &Library::default(),
                1,
                0,
                i64::MAX,
                crate::content::Env::Staging,
                vec!["http://127.0.0.1:*".into()],
            ),
            signer: None,
        });
        assert!(
            e.search_error().is_some_and(|m| m.contains("rebuild")),
            "{:?}",
            e.search_error()
        );
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(&mut s, Event::LauncherClicked);
        let c = e.handle(
            &mut s,
            Event::Search {
                query: "deal".into(),
            },
        );
        let Some(View::Panel(p)) = view_of(&c) else {
            panic!("{c:?}")
        };
        assert!(p
            .search_error
            .as_deref()
            .is_some_and(|m| m.starts_with("Search is unavailable")));
        assert!(!p.items.is_empty(), "content for this page is still listed");
        let c = e.handle(
            &mut s,
            Event::Open {
                id: "create-deal".into(),
            },
        );
        assert!(
            matches!(view_of(&c), Some(View::Card(_))),
            "walkthroughs still start"
        );
    }

    #[test]
    fn zero_result_queries_are_recorded_once_the_user_moves_on() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(&mut s, Event::LauncherClicked);
        let records = |c: &[Command]| -> Vec<String> {
            c.iter()
                .filter_map(|c| match c {
                    Command::Record { record } => Some(record.query.clone()),
                    _ => None,
                })
                .collect()
        };
        // Typing on through nothing-found prefixes records nothing yet.
        for q in ["x", "xy", "xyzzy"] {
            let c = e.handle(&mut s, Event::Search { query: q.into() });
            assert!(records(&c).is_empty(), "{q}");
        }
        let c = e.handle(
            &mut s,
            Event::Search {
                query: "xyzzy plugh".into(),
            },
        );
        let Some(View::Panel(p)) = view_of(&c) else {
            panic!()
        };
        assert!(p.no_results);
        assert!(!p.items.is_empty(), "related content is suggested");
        // Clearing the box moves on: the last zero-result query is recorded.
        let c = e.handle(&mut s, Event::Search { query: "".into() });
        assert_eq!(records(&c), ["xyzzy plugh"]);
        // A query that finds something is never recorded; closing records a pending one.
        e.handle(
            &mut s,
            Event::Search {
                query: "deal".into(),
            },
        );
        let c = e.handle(&mut s, Event::Dismiss);
        assert!(records(&c).is_empty());
        e.handle(&mut s, Event::LauncherClicked);
        e.handle(
            &mut s,
            Event::Search {
                query: "qqqq".into(),
            },
        );
        let c = e.handle(&mut s, Event::LauncherClicked);
        assert_eq!(records(&c), ["qqqq"]);
    }

    #[test]
    fn full_walkthrough_by_clicks_and_next() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(&mut s, Event::LauncherClicked);
        let c = e.handle(
            &mut s,
            Event::Start {
                id: "create-deal".into(),
            },
        );
        assert!(c.contains(&Command::Save {
            key: "tour:http://127.0.0.1:4000".into(),
            tour: Some(Tour {
                walkthrough: "create-deal".into(),
                version: "v1".into(),
                step: 0,
                history: vec![],
                bundle: 0,
            })
        }));
        let key = watch_of(&c).unwrap();
        assert_eq!(key, "create-deal/0/open");
        let Some(View::Card(card)) = view_of(&c) else {
            panic!()
        };
        assert_eq!(
            (card.index, card.count, card.can_back, card.can_next),
            (1, 3, false, false)
        );
        // Frame stays hidden until the target is found.
        assert!(c.contains(&Command::Frame { rect: None }));

        let rect = Rect {
            x: 1100.0,
            y: 80.0,
            width: 100.0,
            height: 36.0,
        };
        let c = e.handle(
            &mut s,
            Event::Target {
                watch: key.clone(),
                rect,
                viewport: VP,
            },
        );
        let frame = find(&c, |c| match c {
            Command::Frame { rect } => *rect,
            _ => None,
        })
        .unwrap();
        assert!(!frame.intersects(&rect));
        assert!(c
            .iter()
            .any(|c| matches!(c, Command::Spotlight { rect: Some(_) })));

        // Next does nothing on a click step; a stale click does nothing either.
        assert!(e.handle(&mut s, Event::Next).is_empty());
        assert!(e
            .handle(
                &mut s,
                Event::TargetClicked {
                    watch: "other/0/x".into()
                }
            )
            .is_empty());

        let c = e.handle(&mut s, Event::TargetClicked { watch: key });
        assert!(c.contains(&Command::Unwatch));
        assert!(c.contains(&Command::Spotlight { rect: None }));
        // A step without a target is centred at once.
        assert!(c
            .iter()
            .any(|c| matches!(c, Command::Frame { rect: Some(_) })));
        let c = e.handle(&mut s, Event::Next);
        assert_eq!(watch_of(&c).unwrap(), "create-deal/2/save");
        let c = e.handle(&mut s, Event::Back);
        assert!(c.contains(&Command::Unwatch));
        e.handle(&mut s, Event::Next);
        let c = e.handle(
            &mut s,
            Event::TargetClicked {
                watch: "create-deal/2/save".into(),
            },
        );
        assert_eq!(
            view_of(&c),
            Some(View::Done {
                title: "Create a deal".into(),
                result: None,
            })
        );
        assert!(c.contains(&Command::Save {
            key: "tour:http://127.0.0.1:4000".into(),
            tour: None
        }));
        let c = e.handle(&mut s, Event::Dismiss);
        assert_eq!(view_of(&c), Some(View::Hidden));
    }

    #[test]
    fn resumes_after_reload_and_ignores_unknown_saved_tours() {
        let e = engine();
        let mut s = Session::default();
        let saved = Tour {
            walkthrough: "create-deal".into(),
            version: "v1".into(),
            step: 2,
            history: vec![],
            bundle: 0,
        };
        let c = attach(&e, &mut s, Some(saved.clone()));
        assert_eq!(watch_of(&c).unwrap(), "create-deal/2/save");
        // Restoring must not rewrite what was just read.
        assert!(!c.iter().any(|c| matches!(c, Command::Save { .. })));

        let mut s = Session::default();
        let gone = Tour {
            walkthrough: "deleted".into(),
            version: "v0".into(),
            step: 0,
            history: vec![],
            bundle: 0,
        };
        let c = attach(&e, &mut s, Some(gone));
        assert!(c
            .iter()
            .any(|c| matches!(c, Command::Save { tour: None, .. })));
        let mut s = Session::default();
        let past_end = Tour { step: 99, ..saved };
        let c = attach(&e, &mut s, Some(past_end));
        assert!(watch_of(&c).is_none());
    }

    #[test]
    fn nothing_is_repeated_when_nothing_changed() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(
            &mut s,
            Event::Start {
                id: "create-deal".into(),
            },
        );
        let rect = Rect {
            x: 10.0,
            y: 10.0,
            width: 50.0,
            height: 20.0,
        };
        let w = "create-deal/0/open".to_string();
        let found = Event::Target {
            watch: w.clone(),
            rect,
            viewport: VP,
        };
        assert!(!e.handle(&mut s, found.clone()).is_empty());
        assert!(
            e.handle(&mut s, found).is_empty(),
            "the same rect again sends nothing"
        );
        let c = e.handle(&mut s, Event::TargetLost { watch: w });
        assert!(c.contains(&Command::Frame { rect: None }));
        assert!(c.contains(&Command::Spotlight { rect: None }));
    }

    #[test]
    fn unknown_start_and_events_before_attach_are_harmless() {
        let e = engine();
        let mut s = Session::default();
        assert!(e.handle(&mut s, Event::Next).is_empty());
        attach(&e, &mut s, None);
        let c = e.handle(&mut s, Event::Start { id: "nope".into() });
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn each_event_has_one_sender() {
        assert!(Event::TargetClicked { watch: "x".into() }.allowed_from(Source::Agent));
        assert!(!Event::TargetClicked { watch: "x".into() }.allowed_from(Source::Frame));
        assert!(Event::Next.allowed_from(Source::Frame));
        assert!(!Event::Next.allowed_from(Source::Agent));
        assert!(!Event::Restored { tour: None }.allowed_from(Source::Agent));
        assert_eq!(Source::parse("frame"), Some(Source::Frame));
        assert_eq!(Source::parse("page"), None);
    }

    #[test]
    fn compiles_targets_for_the_agent() {
        let q = compile_target(&Target::parse("aria/New deal[role=\"button\"]").unwrap());
        assert!(q.css.starts_with("button,") && q.css.ends_with("[role=button]"));
        assert_eq!(q.name.as_deref(), Some("New deal"));
        let q = compile_target(&Target::parse("text/Save deal").unwrap());
        assert_eq!(
            (q.css.as_str(), q.text.as_deref()),
            ("*", Some("Save deal"))
        );
    }

    #[test]
    fn events_and_commands_are_tagged_json() {
        let ev: Event =
            serde_json::from_str(r#"{"type":"target_clicked","watch":"a/0/b"}"#).unwrap();
        assert_eq!(
            ev,
            Event::TargetClicked {
                watch: "a/0/b".into()
            }
        );
        let json = serde_json::to_string(&Command::Frame { rect: None }).unwrap();
        assert_eq!(json, r#"{"type":"frame","rect":null}"#);
    }

    #[cfg(feature = "authoring")]
    fn source_engine(files: &[(&str, &str)]) -> Engine {
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        Engine::new(crate::source::compile(&sources).unwrap())
    }

    #[cfg(feature = "authoring")]
    fn card(e: &Engine, s: &mut Session, ev: Event) -> Card {
        match view_of(&e.handle(s, ev)) {
            Some(View::Card(c)) => c,
            other => panic!("no card: {other:?}"),
        }
    }

    #[cfg(feature = "authoring")]
    const DECIDE: &str = "id = \"refund\"\ntitle = \"Refund\"\nmoment = \"more\"\nowner = \"pos\"\n\n[[steps]]\nid = \"ask\"\ntitle = \"How did they pay?\"\n[[steps.choices]]\nlabel = \"Card\"\ngoto = \"card\"\n[[steps.choices]]\nlabel = \"Cash\"\ngoto = \"cash\"\n\n[[steps]]\nid = \"card\"\ntitle = \"To the card\"\nbranch = \"end\"\n\n[[steps]]\nid = \"cash\"\ntitle = \"In cash\"\n\n[translations.fr]\ntitle = \"Rembourser\"\n[translations.fr.steps.ask]\ntitle = \"Comment ont-ils payé ?\"\n";

    #[cfg(feature = "authoring")]
    #[test]
    fn decisions_branch_and_back_retraces_them() {
        let e = source_engine(&[
            (
                "waymark.toml",
                "[locales]\ntranslations = [\"fr\"]\n[locales.fallback]\nfr = \"en\"\n",
            ),
            ("refund.toml", DECIDE),
        ]);
        let mut s = Session::default();
        attach(&e, &mut s, None);
        let c = card(
            &e,
            &mut s,
            Event::Start {
                id: "refund".into(),
            },
        );
        assert_eq!(c.choices, vec!["Card", "Cash"]);
        assert!(!c.can_next && !c.can_back && !c.last);
        // Next does nothing on a decision; an answer out of range neither.
        assert!(view_of(&e.handle(&mut s, Event::Next)).is_none());
        assert!(view_of(&e.handle(&mut s, Event::Choose { index: 7 })).is_none());
        let c = card(&e, &mut s, Event::Choose { index: 1 });
        assert_eq!(c.title, "In cash");
        assert!(c.last && c.can_back);
        let c = card(&e, &mut s, Event::Back);
        assert_eq!(c.title, "How did they pay?");
        let c = card(&e, &mut s, Event::Choose { index: 0 });
        assert_eq!(c.title, "To the card");
        assert!(c.last, "branch = end makes it the last step");
        match view_of(&e.handle(&mut s, Event::Next)) {
            Some(View::Done { title, result }) => {
                assert_eq!(title, "Refund");
                assert_eq!(result, None);
            }
            other => panic!("{other:?}"),
        }
        // In French, translated strings, and the source where there are none.
        let mut s = Session::default();
        e.handle(
            &mut s,
            Event::Attached {
                url: URL.into(),
                viewport: VP,
                locale: "fr-FR".into(),
            },
        );
        e.handle(&mut s, Event::Restored { tour: None });
        let c = card(
            &e,
            &mut s,
            Event::Start {
                id: "refund".into(),
            },
        );
        assert_eq!(
            (c.walkthrough.as_str(), c.title.as_str()),
            ("Rembourser", "Comment ont-ils payé ?")
        );
        let c = card(&e, &mut s, Event::Choose { index: 1 });
        assert_eq!(c.title, "In cash");
    }

    #[cfg(feature = "authoring")]
    #[test]
    fn long_overdue_content_is_badged_under_review() {
        let w = "id = \"w\"\ntitle = \"Old task\"\nmoment = \"apply\"\nowner = \"ops\"\nreview_by = 2026-01-01\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n";
        let mut e = source_engine(&[("waymark.toml", "review_cycle_days = 30\n"), ("w.toml", w)]);
        let mut s = Session::default();
        e.set_today(Date::parse("2025-12-20").unwrap()); // not due yet
        attach(&e, &mut s, None);
        assert!(!card(&e, &mut s, Event::Start { id: "w".into() }).under_review);
        e.set_today(Date::parse("2026-01-20").unwrap()); // one cycle overdue: `stale` lists it
        let mut s = Session::default();
        attach(&e, &mut s, None);
        assert!(!card(&e, &mut s, Event::Start { id: "w".into() }).under_review);
        e.set_today(Date::parse("2026-02-05").unwrap()); // the next cycle missed too
        let mut s = Session::default();
        attach(&e, &mut s, None);
        assert!(card(&e, &mut s, Event::Start { id: "w".into() }).under_review);
        e.handle(&mut s, Event::Close);
        match view_of(&e.handle(&mut s, Event::LauncherClicked)) {
            Some(View::Panel(p)) => assert!(p.items.iter().all(|i| i.under_review), "{p:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pages_outside_the_signed_scope_get_nothing() {
        let lib = engine().library.clone();
        let manifest = crate::bundle::Manifest::describe(
            &lib,
            1,
            0,
            i64::MAX,
            crate::content::Env::Production,
            vec!["https://crm.acme.example".into()],
        );
        let e = Engine::from_bundle(Bundle {
            search: lib.search_index().unwrap(),
            library: lib,
            manifest,
            signer: None,
        });
        let mut s = Session::default();
        let c = e.handle(
            &mut s,
            Event::Attached {
                url: URL.into(),
                viewport: VP,
                locale: String::new(),
            },
        );
        assert!(c.is_empty(), "{c:?}");
        assert!(e.handle(&mut s, Event::LauncherClicked).is_empty());
        let c = e.handle(
            &mut s,
            Event::Attached {
                url: "https://crm.acme.example/crm/deals".into(),
                viewport: VP,
                locale: String::new(),
            },
        );
        assert!(!c.is_empty());
    }

    #[cfg(feature = "authoring")]
    #[test]
    fn a_check_follows_the_walkthrough_is_scored_and_recorded() {
        let w = "id = \"w\"\ntitle = \"Till\"\nmoment = \"more\"\nowner = \"ops\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n[check]\npass_score = 0.5\n[[check.questions]]\nprompt = \"One?\"\nchoices = [\"x\", \"y\"]\ncorrect = [\"y\"]\n[[check.questions]]\nprompt = \"All that apply?\"\nchoices = [\"p\", \"q\", \"r\"]\ncorrect = [\"p\", \"r\"]\n";
        let e = source_engine(&[("w.toml", w)]);
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(&mut s, Event::Start { id: "w".into() });
        let c = e.handle(&mut s, Event::Next);
        match view_of(&c) {
            Some(View::Check(v)) => {
                assert_eq!(
                    (v.index, v.count, v.prompt.as_str(), v.multiple),
                    (1, 2, "One?", false)
                );
            }
            other => panic!("{other:?}"),
        }
        let records = |c: &[Command]| -> Vec<Record> {
            c.iter()
                .filter_map(|c| match c {
                    Command::Record { record } => Some(record.clone()),
                    _ => None,
                })
                .collect()
        };
        let c = e.handle(&mut s, Event::Answer { choices: vec![0] });
        let r = records(&c);
        assert_eq!(
            (r[0].kind.as_str(), r[0].question, r[0].correct),
            ("answered", Some(0), Some(false))
        );
        assert_eq!(r[0].id.as_deref(), Some("w"));
        assert!(matches!(view_of(&c), Some(View::Check(v)) if v.multiple && v.index == 2));
        // Order and repeats do not matter; the set must be exact.
        let c = e.handle(
            &mut s,
            Event::Answer {
                choices: vec![2, 0, 2],
            },
        );
        let r = records(&c);
        assert_eq!(r[0].correct, Some(true));
        assert_eq!(
            (r[1].kind.as_str(), r[1].score, r[1].passed),
            ("check_completed", Some(0.5), Some(true))
        );
        match view_of(&c) {
            Some(View::Done {
                title,
                result: Some(o),
            }) => {
                assert_eq!(title, "Till");
                assert_eq!(
                    (o.correct, o.total, o.passed, o.pass_percent),
                    (1, 2, true, 50)
                );
            }
            other => panic!("{other:?}"),
        }
        // Answers outside a check are ignored.
        assert!(records(&e.handle(&mut s, Event::Answer { choices: vec![1] })).is_empty());
    }

    #[cfg(feature = "authoring")]
    const RULES: &str = r##"id = "rules"
title = "Every rule"
moment = "more"
owner = "ops"

[[steps]]
id = "name"
title = "Name it"
target = ["#name"]
advance = "input"
value = "*@*"

[[steps]]
id = "stage"
title = "Pick a stage"
target = ["#stage"]
advance = "change"

[[steps]]
id = "save"
title = "Save"
target = ["#save"]
advance = "appear"
appear = ["text/Saved"]

[[steps]]
id = "dialog"
title = "Close the dialog"
target = ["dialog"]
advance = "disappear"
optional = true
timeout = 2

[[steps]]
id = "list"
title = "Back to the list"
url = "/crm/deals/new*"
target = ["#back"]
advance = "url"
reach = "/crm/deals"

[[steps]]
id = "end"
title = "Done"
"##;

    #[cfg(feature = "authoring")]
    fn watch_cmd(c: &[Command]) -> Option<(String, u32, bool, usize)> {
        c.iter().find_map(|c| match c {
            Command::Watch {
                watch,
                timeout_ms,
                input,
                appear,
                ..
            } => Some((watch.clone(), *timeout_ms, *input, appear.len())),
            _ => None,
        })
    }

    #[cfg(feature = "authoring")]
    #[test]
    fn every_advance_rule_and_a_missing_target() {
        let src = RULES.replace("id = \"end\"", "id = \"fin\"");
        let e = source_engine(&[("rules.toml", src.as_str())]);
        let mut s = Session::default();
        attach(&e, &mut s, None);
        let c = e.handle(&mut s, Event::Start { id: "rules".into() });
        let (w, timeout, input, _) = watch_cmd(&c).unwrap();
        assert_eq!((w.as_str(), timeout, input), ("rules/0/name", 10_000, true));
        let typed = |s: &mut Session, w: &str, v: &str, committed: bool| {
            e.handle(
                s,
                Event::TargetInput {
                    watch: w.into(),
                    value: v.into(),
                    committed,
                },
            )
        };
        // Typing that does not match the pattern yet stays; a match moves on.
        assert!(watch_cmd(&typed(&mut s, &w, "ana", false)).is_none());
        let c = typed(&mut s, &w, "ana@acme.example", false);
        let (w, ..) = watch_cmd(&c).unwrap();
        assert_eq!(w, "rules/1/stage");
        // `change` waits for the committed value, not keystrokes.
        assert!(watch_cmd(&typed(&mut s, &w, "Won", false)).is_none());
        let (w, _, _, appear) = watch_cmd(&typed(&mut s, &w, "Won", true)).unwrap();
        assert_eq!((w.as_str(), appear), ("rules/2/save", 1));
        let (w, timeout, ..) = watch_cmd(&e.handle(&mut s, Event::Appeared { watch: w })).unwrap();
        assert_eq!((w.as_str(), timeout), ("rules/3/dialog", 2_000));
        // Disappear needs the target seen first.
        let rect = Rect {
            x: 10.0,
            y: 10.0,
            width: 50.0,
            height: 20.0,
        };
        assert!(watch_cmd(&e.handle(&mut s, Event::TargetLost { watch: w.clone() })).is_none());
        e.handle(
            &mut s,
            Event::Target {
                watch: w.clone(),
                rect,
                viewport: VP,
            },
        );
        let c = e.handle(&mut s, Event::TargetLost { watch: w });
        // Step 5 happens on /crm/deals/new: elsewhere, no watch, and the
        // card says where to go.
        assert_eq!(watch_cmd(&c), None);
        match view_of(&c) {
            Some(View::Card(card)) => {
                assert!(card.hint.unwrap().contains("/crm/deals/new*"), "{c:?}")
            }
            other => panic!("{other:?}"),
        }
        let c = e.handle(
            &mut s,
            Event::UrlChanged {
                url: "http://127.0.0.1:4000/crm/deals/new".into(),
            },
        );
        let (w, ..) = watch_cmd(&c).unwrap();
        assert_eq!(w, "rules/4/list");
        let c = e.handle(
            &mut s,
            Event::UrlChanged {
                url: "http://127.0.0.1:4000/crm/deals".into(),
            },
        );
        match view_of(&c) {
            Some(View::Card(card)) => assert_eq!(card.title, "Done"),
            other => panic!("{other:?}"),
        }
    }

    #[cfg(feature = "authoring")]
    #[test]
    fn a_target_not_found_in_time_offers_retry_skip_and_end_and_is_recorded() {
        let e = source_engine(&[(
            "rules.toml",
            RULES.replace("id = \"end\"", "id = \"fin\"").as_str(),
        )]);
        let mut s = Session::default();
        attach(&e, &mut s, None);
        let (w, ..) = watch_cmd(&e.handle(&mut s, Event::Start { id: "rules".into() })).unwrap();
        let c = e.handle(&mut s, Event::TargetMissing { watch: w.clone() });
        let record = c.iter().find_map(|c| match c {
            Command::Record { record } => Some(record.clone()),
            _ => None,
        });
        let record = record.unwrap();
        assert_eq!(
            (
                record.kind.as_str(),
                record.id.as_deref(),
                record.step.as_deref()
            ),
            ("target_missing", Some("rules"), Some("name"))
        );
        assert!(record.version.is_some());
        assert!(c.contains(&Command::Unwatch), "{c:?}");
        match view_of(&c) {
            Some(View::Card(card)) => assert!(card.missing),
            other => panic!("{other:?}"),
        }
        // A stale timeout (another watch) is ignored.
        assert!(e
            .handle(
                &mut s,
                Event::TargetMissing {
                    watch: "rules/9/x".into()
                }
            )
            .is_empty());
        // Retry looks again under a new key.
        let (w2, ..) = watch_cmd(&e.handle(&mut s, Event::Retry)).unwrap();
        assert_eq!(w2, "rules/0/name#1");
        e.handle(&mut s, Event::TargetMissing { watch: w2 });
        let (w3, ..) = watch_cmd(&e.handle(&mut s, Event::Skip)).unwrap();
        assert_eq!(w3, "rules/1/stage");
        // An optional step is skipped by itself when its target never comes.
        e.handle(
            &mut s,
            Event::TargetInput {
                watch: w3,
                value: "x".into(),
                committed: true,
            },
        );
        let (w, ..) = watch_cmd(&e.handle(
            &mut s,
            Event::Appeared {
                watch: "rules/2/save".into(),
            },
        ))
        .unwrap();
        assert_eq!(w, "rules/3/dialog");
        let c = e.handle(&mut s, Event::TargetMissing { watch: w });
        assert!(
            matches!(view_of(&c), Some(View::Card(card)) if card.title == "Back to the list" && !card.missing)
        );
    }

    #[test]
    fn two_walkthroughs_asked_at_once_the_last_wins_cleanly() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(
            &mut s,
            Event::Start {
                id: "create-deal".into(),
            },
        );
        let c = e.handle(
            &mut s,
            Event::Start {
                id: "refund".into(),
            },
        );
        match view_of(&c) {
            Some(View::Card(card)) => assert_eq!(card.walkthrough, "Refund a partial order"),
            other => panic!("{other:?}"),
        }
        assert_eq!(watch_of(&c).as_deref(), Some("refund/0/a"));
        // A late event for the first one changes nothing.
        let late = e.handle(
            &mut s,
            Event::TargetClicked {
                watch: "create-deal/0/open".into(),
            },
        );
        assert!(view_of(&late).is_none(), "{late:?}");
    }

    #[test]
    fn the_engine_chooses_among_candidates_or_says_it_is_ambiguous() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        let c = e.handle(
            &mut s,
            Event::Start {
                id: "create-deal".into(),
            },
        );
        let w = watch_of(&c).unwrap();
        let fact = |matched: &[usize]| ElementFacts {
            tag: "button".into(),
            visible: true,
            matched: matched.to_vec(),
            ..ElementFacts::default()
        };
        // The second candidate satisfies the test id (alternative 0).
        let c = e.handle(
            &mut s,
            Event::Candidates {
                watch: w.clone(),
                candidates: vec![fact(&[1]), fact(&[0, 1])],
            },
        );
        assert!(
            c.contains(&Command::Select {
                watch: w.clone(),
                index: 1
            }),
            "{c:?}"
        );
        // Two equal candidates: no guess; the card says so, once recorded.
        let c = e.handle(
            &mut s,
            Event::Candidates {
                watch: w.clone(),
                candidates: vec![fact(&[1]), fact(&[1])],
            },
        );
        assert!(c
            .iter()
            .any(|c| matches!(c, Command::Record { record } if record.kind == "target_ambiguous")));
        match view_of(&c) {
            Some(View::Card(card)) => assert!(card.missing && card.ambiguous),
            other => panic!("{other:?}"),
        }
        // Retry looks again under a new key.
        assert_eq!(
            watch_of(&e.handle(&mut s, Event::Retry)).as_deref(),
            Some("create-deal/0/open#1")
        );
    }

    #[cfg(feature = "authoring")]
    #[test]
    fn a_trigger_on_screen_offers_its_walkthrough_until_taken_or_turned_down() {
        let e = source_engine(&[
            (
                "declined.toml",
                "id = \"declined\"\ntitle = \"After a declined card\"\nmoment = \"solve\"\nowner = \"pos\"\nreview_by = 2027-05-31\napplies_to = [\"/crm/*\"]\ntrigger = { type = \"on_error\", target = [\"[role=alert]\", \"text/Payment failed\"], text = \"Declined\" }\n\n[[steps]]\nid = \"ask\"\ntitle = \"Ask for another card\"\n",
            ),
            ("other.toml", DECIDE),
            (
                "waymark.toml",
                "[locales]\ntranslations = [\"fr\"]\n[locales.fallback]\nfr = \"en\"\n",
            ),
        ]);
        let sentinels = |c: &[Command]| {
            find(c, |c| match c {
                Command::Sentinels { list } => Some(list.clone()),
                _ => None,
            })
        };
        let mut s = Session::default();
        let list = sentinels(&attach(&e, &mut s, None)).expect("triggers are watched on attach");
        let keys: Vec<_> = list.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["declined", "declined"]);
        assert_eq!(list.entries[0].query.contains.as_deref(), Some("declined"));
        assert_eq!(list.attrs["role"].values["alert"], vec![0]);
        assert_eq!(
            list.any,
            vec![1],
            "text/ queries are checked against every changed node"
        );
        // Present: offered at once, above the launcher.
        let c = e.handle(
            &mut s,
            Event::Present {
                key: "declined".into(),
                present: true,
            },
        );
        match view_of(&c) {
            Some(View::Offer { item }) => {
                assert_eq!(item.title, "After a declined card");
                // The view's tag and the item's own `kind` must not collide.
                let view = View::Offer { item };
                let json = serde_json::to_string(&view).unwrap();
                assert_eq!(serde_json::from_str::<View>(&json).unwrap(), view, "{json}");
            }
            other => panic!("no offer: {other:?}"),
        }
        assert!(find(&c, |c| matches!(c, Command::Frame { rect: Some(_) })
            .then_some(()))
        .is_some());
        // Gone from the screen: the offer goes too; back: offered again.
        let present = |p| Event::Present {
            key: "declined".into(),
            present: p,
        };
        assert_eq!(
            view_of(&e.handle(&mut s, present(false))),
            Some(View::Hidden)
        );
        assert!(matches!(
            view_of(&e.handle(&mut s, present(true))),
            Some(View::Offer { .. })
        ));
        // Turned down: not again on this page load.
        assert_eq!(
            view_of(&e.handle(&mut s, Event::Dismiss)),
            Some(View::Hidden)
        );
        e.handle(&mut s, present(false));
        assert_eq!(view_of(&e.handle(&mut s, present(true))), None);
        // A page where it does not apply stops the watch.
        let c = e.handle(
            &mut s,
            Event::UrlChanged {
                url: "http://127.0.0.1:4000/hr/leave".into(),
            },
        );
        assert!(sentinels(&c).is_some_and(|l| l.is_empty()));
        // Taken up from the offer: not offered again after it ends.
        let mut s = Session::default();
        attach(&e, &mut s, None);
        e.handle(&mut s, present(true));
        let c = e.handle(
            &mut s,
            Event::Start {
                id: "declined".into(),
            },
        );
        assert!(matches!(view_of(&c), Some(View::Card(_))));
        e.handle(&mut s, Event::Close);
        assert_eq!(
            e.view(&s),
            View::Hidden,
            "a walkthrough taken up is not offered again"
        );
    }

    #[test]
    fn step_watches_carry_their_bucketed_list() {
        let e = engine();
        let mut s = Session::default();
        attach(&e, &mut s, None);
        let c = e.handle(
            &mut s,
            Event::Start {
                id: "create-deal".into(),
            },
        );
        let list = find(&c, |c| match c {
            Command::Watch { list, queries, .. } => Some((list.clone(), queries.len())),
            _ => None,
        })
        .expect("a watch");
        assert_eq!(list.0.entries.len(), list.1);
        assert!(list.0.entries.iter().all(|e| e.key == "target"));
    }
}
