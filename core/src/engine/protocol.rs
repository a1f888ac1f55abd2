//! The engine's messages: [`Event`]s in (each with the one document allowed
//! to send it, [`Sender`]), [`Command`]s out, and the [`Record`]s it queues for
//! analytics. It owns their JSON shape (serde tags are the names the agent
//! and the glue use; core/tests/protocol_names.rs checks them).

use super::*;
pub use crate::analytics::{PageRef, Record};

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
    /// Storage answered `LoadSeen`.
    SeenRestored {
        seen: Option<Seen>,
    },
    /// The agent: the user is typing in the page, or a modal dialog of the
    /// app is open (true), or neither any more (false).
    Busy {
        busy: bool,
    },
    /// The help panel's filter: only content of this moment (None: all).
    FilterMoment {
        moment: Option<crate::content::Moment>,
    },
    /// A job aid's box `index` in article `article`, ticked (`on`) or not.
    Tick {
        article: String,
        index: u32,
        on: bool,
    },
    /// A job aid: untick every box of `article`.
    ResetTicks {
        article: String,
    },
    /// The card of a walkthrough that started by itself: not now (again
    /// in a while).
    NotNow,
    /// The same: never by itself again.
    NeverAgain,
    /// SPA route change or hash change.
    UrlChanged {
        url: String,
    },
    Resized {
        viewport: Size,
    },
    LauncherClicked,
    /// The help shortcut (commands API, or the agent's fallback listener):
    /// opens the panel, or, while a card is showing, takes the user's
    /// keyboard into it (never closes anything, so the two can both fire).
    OpenHelp,
    /// The card's Help button: opens the panel over a walkthrough.
    OpenPanel,
    /// Escape in a card: the keyboard goes back to where it was in the page.
    ReturnFocus,
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
    /// The user's own typing (`input`) or committed value (`change`) in the
    /// watched target met the watch's [`ValueRule`]. The agent matches it
    /// in the page: the value itself never leaves the page.
    TargetInput {
        watch: String,
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
    /// The tips script: the user closed beacon `key` (`set/tip`) with
    /// "Got it".
    BeaconDone {
        key: String,
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
    /// The panel's "Record a walkthrough".
    RecordStart,
    /// The recorder card: a step's new title.
    RecordEdit {
        index: usize,
        title: String,
    },
    /// The recorder card: a step's body (Markdown) and where its card goes.
    RecordDetails {
        index: usize,
        body: String,
        placement: Placement,
    },
    /// The recorder card: the author's next pick replaces this step's
    /// element (its title and text stay).
    RecordRepick {
        index: usize,
    },
    /// The recorder card: move a step to another position.
    RecordMove {
        from: usize,
        to: usize,
    },
    RecordDelete {
        index: usize,
    },
    /// The recorder card: finish, and show the walkthrough file.
    RecordExport,
    /// The recorder card: end record mode (after exporting, or to throw
    /// the recording away).
    RecordDiscard,
    /// Play the recording now, as employees will see it.
    RecordPreview,
    /// The recorder card: what moves step `index` on.
    RecordAdvance {
        index: usize,
        advance: crate::recorder::Moves,
    },
    /// The recorder card: the `applies_to` patterns as the author wrote
    /// them (one per line or comma; empty: the generalised ones).
    RecordPages {
        text: String,
    },
    /// Record mode (the recorder script): the element under the pointer.
    Hovered {
        rect: Rect,
    },
    /// Record mode: the author clicked an element or committed a value in
    /// one (the value itself is never sent): its facts, and the page.
    Picked {
        facts: Picked,
        action: RecAction,
        url: String,
    },
    /// The answer to `CountTargets`: how many elements each query finds.
    Counted {
        step: usize,
        counts: Vec<usize>,
    },
}

/// Which document an event came from. Each event has one legitimate sender;
/// the glue drops the rest, so a frame cannot fake a click and an agent cannot
/// press Next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    Agent,
    Frame,
    Storage,
    /// The browser itself (a `commands` keyboard shortcut).
    Browser,
    /// The recorder script, injected into a tab only while its author records.
    Recorder,
}

impl Sender {
    pub fn parse(s: &str) -> Option<Sender> {
        match s {
            "agent" => Some(Sender::Agent),
            "frame" => Some(Sender::Frame),
            "storage" => Some(Sender::Storage),
            "browser" => Some(Sender::Browser),
            "recorder" => Some(Sender::Recorder),
            _ => None,
        }
    }
}

impl Event {
    pub fn allowed_from(&self, sender: Sender) -> bool {
        // The help shortcut comes from the agent's key listener or the
        // browser's `commands`; a route change from the agent (Navigation
        // API) or, from older workers, the browser.
        if matches!(self, Event::OpenHelp | Event::UrlChanged { .. }) {
            return matches!(sender, Sender::Agent | Sender::Browser);
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
            | Event::BeaconDone { .. }
            | Event::GaveUp { .. }
            | Event::User { .. }
            | Event::Busy { .. }
            | Event::Candidates { .. } => Sender::Agent,
            Event::Hovered { .. } | Event::Picked { .. } | Event::Counted { .. } => {
                Sender::Recorder
            }
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
            | Event::OpenPanel
            | Event::ReturnFocus
            | Event::RecordStart
            | Event::RecordEdit { .. }
            | Event::RecordDetails { .. }
            | Event::RecordRepick { .. }
            | Event::RecordMove { .. }
            | Event::RecordDelete { .. }
            | Event::RecordExport
            | Event::RecordDiscard
            | Event::RecordPreview
            | Event::RecordAdvance { .. }
            | Event::RecordPages { .. }
            | Event::NotNow
            | Event::Tick { .. }
            | Event::ResetTicks { .. }
            | Event::NeverAgain
            | Event::FilterMoment { .. }
            | Event::CardResized { .. } => Sender::Frame,
            Event::OpenHelp => Sender::Browser,
            Event::Restored { .. } | Event::SeenRestored { .. } => Sender::Storage,
        };
        expected == sender
    }
}

/// One marker the tips script draws beside an element.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TipMark {
    /// `set/tip`, or `offer/<id>` for the dot beside an offered error.
    pub key: String,
    /// Find the element: the first query that matches, in order.
    pub queries: Vec<Query>,
    /// A pulsing dot whose card opens on click (else a quiet marker whose
    /// card shows on focus and hover).
    pub beacon: bool,
    /// The dot beside an offer: clicking it takes the keyboard to the
    /// offer (no card of its own).
    pub pointer: bool,
    pub title: String,
    pub body: RichText,
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
    /// Read what the user has seen of self-starting walkthroughs (answered
    /// with `SeenRestored`).
    LoadSeen {
        key: String,
    },
    SaveSeen {
        key: String,
        seen: Seen,
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
        /// Report `TargetInput` once the user's value in the target meets
        /// this rule (matched by the agent; the value stays in the page).
        input: Option<ValueRule>,
        /// Report `Appeared` once any of these matches.
        appear: Vec<Query>,
        /// `queries` (keys `target`) and `appear` (keys `appear`), bucketed:
        /// each mutation batch is checked against these buckets only.
        list: WatchList,
        /// Bring the target into view once found (a step's), or leave the
        /// page where the user has it (an offer's error element: it is
        /// only looked at to place the offer beside it).
        #[serde(default = "super::view::yes")]
        reveal: bool,
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
    /// Smart tips and beacons to draw on this page (the worker injects the
    /// tips script for them; an empty list removes them).
    Tips {
        marks: Vec<TipMark>,
    },
    /// Place the overlay frame (None hides it).
    Frame {
        rect: Option<Rect>,
    },
    /// For the overlay frame: what to show.
    Render {
        view: View,
        /// The language the view's text is in (the best of the content's
        /// locales for this user) and whether it reads right to left: the
        /// frame sets `lang` and `dir` on its document, so an RTL card
        /// renders mirrored.
        #[serde(default)]
        lang: String,
        #[serde(default)]
        rtl: bool,
    },
    /// Move keyboard focus into the overlay frame.
    Focus,
    /// Move keyboard focus back to the page element it came from (if it is
    /// in the frame): Escape in a card, or the user closed the panel or
    /// ended the walkthrough.
    ReturnFocus,
    /// Put `url` in the address bar in place of the page's (the same
    /// page without a deep link's parameter), without navigating.
    ReplaceUrl {
        url: String,
    },
    /// The answer to `Candidates`: watch the candidate at `index`.
    Select {
        watch: String,
        index: usize,
    },
    /// Queue an analytics record (the worker stamps it, makes it an xAPI
    /// statement and sends it: `analytics`).
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
    /// For the service worker: put the tab in record mode (it injects the
    /// recorder script) or take it out. `roles` is the implicit-role table
    /// (`targeting::aria::IMPLICIT`), so the recorder reports the same
    /// roles `aria/` targets are matched with.
    Recording {
        on: bool,
        roles: Vec<(String, String)>,
    },
    /// For the recorder: count the elements each query finds on the page
    /// (step `step`'s suggested targets); answer with `Counted`.
    CountTargets {
        step: usize,
        queries: Vec<Query>,
    },
}
