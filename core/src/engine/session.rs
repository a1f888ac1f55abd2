//! One tab's state ([`Session`]): the tour in progress ([`Tour`], persisted),
//! the panel, the check, what the page showed, and what was last sent
//! ([`Shown`], so only changes go out). Plus what admin policy sets for the
//! engine ([`Deployment`]). Data only: the rules are in the sibling modules.

use super::*;

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
    /// When it was started (the glue's clock, ms): names the attempt in
    /// analytics, across reloads.
    #[serde(default)]
    pub started: u64,
    /// Started by itself (`auto_first_visit`): its card offers Not now and
    /// Don't show again.
    #[serde(default)]
    pub auto: bool,
}

/// What one user has seen of the walkthroughs that start by themselves,
/// kept per origin (and per user when policy names one): the New moment's
/// memory across reloads and restarts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Walkthrough id → the version that started by itself: not again for
    /// that version.
    #[serde(default)]
    pub auto: BTreeMap<String, String>,
    /// "Don't show again": never by itself again, whatever the version.
    #[serde(default)]
    pub never: BTreeSet<String>,
    /// "Not now": not by itself before this time (ms).
    #[serde(default)]
    pub snoozed: BTreeMap<String, u64>,
    /// Walkthrough id → the version whose "What changed" card was shown.
    #[serde(default)]
    pub changes: BTreeMap<String, String>,
    /// Walkthroughs completed and articles opened: what onboarding
    /// checklists tick.
    #[serde(default)]
    pub done: BTreeSet<String>,
    /// Job aids: article id → the boxes ticked, for the article's version
    /// (a new version starts empty: its boxes may be others).
    #[serde(default)]
    pub ticks: BTreeMap<String, Ticks>,
    /// Beacons the user opened and closed with "Got it": `set/tip` → the
    /// tips file's version (a new version pulses again).
    #[serde(default)]
    pub beacons: BTreeMap<String, String>,
}

/// The boxes one user ticked in one article.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticks {
    pub version: String,
    pub on: BTreeSet<u32>,
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
    /// `features.recorder`: authors may record walkthroughs.
    pub recorder: bool,
    /// Policy `user.id`: the owner of what this user records.
    pub user_id: Option<String>,
    /// Policy `user.roles`, `user.region`, `user.locale`: who content's
    /// `audience` is matched against (given fields win over the page's).
    pub user_roles: Option<Vec<String>>,
    pub user_region: Option<String>,
    pub user_locale: Option<String>,
    /// Policy `deep_link`: the URL parameter that links into guidance.
    pub deep_link: Option<String>,
    /// `features.auto_start`: `auto_first_visit` walkthroughs start by
    /// themselves.
    pub auto_start: bool,
}

impl Default for Deployment {
    fn default() -> Deployment {
        Deployment {
            origins: None,
            search: true,
            support: None,
            user_from_page: None,
            recorder: true,
            user_id: None,
            user_roles: None,
            user_region: None,
            user_locale: None,
            deep_link: Some(crate::deploy::policy::DEFAULT_DEEP_LINK.to_string()),
            auto_start: true,
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
    /// The glue's clock (ms since the epoch), set before each `handle`:
    /// the engine reads no clock itself.
    pub now: u64,
    pub viewport: Size,
    /// The user's language (`fr-CA`), for translated content.
    pub locale: String,
    pub(super) attached: bool,
    pub(super) restored: bool,
    /// The help panel, when open.
    pub(super) panel: Option<Panel>,
    /// The last search and how many results it had, recorded once the
    /// user moves on from it.
    pub(super) pending_search: Option<(String, usize)>,
    /// Records made while handling an event, sent after it.
    pub(super) notes: Vec<Record>,
    /// Move keyboard focus into the frame after placing it (the user opened
    /// the panel: focus follows their intent; never otherwise).
    pub(super) focus: bool,
    pub(super) tour: Option<Tour>,
    /// The comprehension check after a walkthrough, while it is answered.
    pub(super) quiz: Option<Quiz>,
    /// A walkthrough just finished: the completion card.
    pub(super) done: Option<Done>,
    pub(super) target: Option<Rect>,
    /// The current step's step-local state (reset whenever the step changes).
    pub(super) step: StepState,
    pub(super) card: Option<Size>,
    /// Walkthroughs whose `on_element`/`on_error` trigger is on screen.
    pub(super) present: BTreeSet<String>,
    /// Offers the user turned down on this page load.
    pub(super) dismissed: BTreeSet<String>,
    /// The user as the host page shows them (`user.from_page`).
    pub user: Option<PageUser>,
    /// A recording in progress (record mode): kept across page loads of
    /// the tab, as the author works through the app.
    pub(super) recording: Option<Recording>,
    /// The element under the author's pointer while recording.
    pub(super) hover: Option<Rect>,
    /// The recording as a walkthrough file, once the author exports it:
    /// `(file name, text)`.
    pub(super) exported: Option<(String, String)>,
    /// The recording played as a walkthrough (the recorder's Preview):
    /// while set, the tour plays it and the recorder stands by; it ends
    /// when the walkthrough does (`Engine::preview_over`).
    pub(super) preview: Option<Arc<Walkthrough>>,
    /// A deep link's content id, followed once the saved progress is
    /// read (a link wins over a walkthrough in progress).
    pub(super) link: Option<String>,
    /// The address without the link's parameter, to put in the address
    /// bar (sent once by `sync`).
    pub(super) strip: Option<String>,
    /// The New moment's memory (`None` until storage answered).
    pub(super) seen: Option<Seen>,
    /// The storage key `seen` was (or is being) read from.
    pub(super) seen_for: Option<String>,
    /// The user is typing in the page, or a modal dialog of the app is
    /// open: nothing starts by itself meanwhile.
    pub(super) busy: bool,
    /// The walkthrough whose "What changed" card is showing.
    pub(super) change: Option<String>,
    /// Why the author's `applies_to` patterns were not taken.
    pub(super) pages_error: Option<String>,
    pub(super) shown: Shown,
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
        self.shown.tips = None;
        self.shown.watch = None;
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct StepState {
    /// The target was not found in time: the card says so.
    pub(super) missing: bool,
    /// Retries so far: part of the watch key, so the agent starts afresh.
    pub(super) attempt: u32,
    /// The target was seen at least once (for `disappear`).
    pub(super) found: bool,
    /// Several elements matched equally: the card says so rather than guess.
    pub(super) ambiguous: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Panel {
    pub(super) query: String,
    /// An article opened from the panel.
    pub(super) article: Option<String>,
    /// The list for (query, url), computed once when either changes rather
    /// than on every event while the panel is open (scrolls, resizes, ...).
    pub(super) list: Option<(String, String, PanelView)>,
    /// A message above the list (a link to content that is not here).
    pub(super) notice: Option<String>,
    /// Only content of this moment (the panel's filter).
    pub(super) moment: Option<Moment>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Quiz {
    pub(super) walkthrough: String,
    pub(super) version: String,
    /// Localised walkthrough title, for the view and the completion card.
    pub(super) title: String,
    pub(super) question: usize,
    pub(super) correct: usize,
    /// The walkthrough attempt it follows (`Tour::started`).
    pub(super) attempt: u64,
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
pub(super) struct Shown {
    pub(super) launcher: Option<bool>,
    pub(super) watch: Option<Option<String>>,
    pub(super) view: Option<View>,
    pub(super) frame: Option<Option<Rect>>,
    pub(super) spotlight: Option<Option<Rect>>,
    pub(super) saved: Option<Option<Tour>>,
    pub(super) seen: Option<Seen>,
    /// The walkthroughs whose triggers the agent watches.
    pub(super) sentinels: Option<Vec<String>>,
    /// The tips and beacons drawn (their keys).
    pub(super) tips: Option<Vec<String>>,
    /// Whether the tab is in record mode.
    pub(super) recording: Option<bool>,
}

/// A finished walkthrough, as its completion card shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Done {
    pub(super) title: String,
    /// What to read or do next (the More moment).
    pub(super) related: Vec<PanelItem>,
    /// The comprehension check's outcome, if it had one.
    pub(super) result: Option<CheckOutcome>,
}
