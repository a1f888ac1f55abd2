//! What the engine records ([`Record`]): one value per thing worth counting
//! (a walkthrough launched, a step shown or done, a search, a check answer),
//! each with where it happened and which content, at which version, the
//! person saw. The engine emits them as `Command::Record`; the worker stamps
//! the time and turns them into xAPI statements ([`super::xapi`]).
//!
//! Records never carry a URL (only the page's origin and the `applies_to`
//! pattern that matched it), a typed value, or raw search text (queries go
//! through `scrub::scrub_query` first).

use serde::{Deserialize, Serialize};

/// One thing worth counting, and its context. Serialised flat: `kind` and
/// the kind's own fields beside the context's (`origin`, `screen`,
/// `content`, ...), so a record reads as one JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(flatten)]
    pub what: What,
    #[serde(flatten)]
    pub page: PageRef,
    /// The content it is about, with the version the person saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentRef>,
    /// The bundle it came from (0: none, as in tests).
    #[serde(default)]
    pub bundle: u64,
    /// `production` or `staging`: the bundle's environment.
    #[serde(default)]
    pub environment: String,
    /// The content locale shown (`fr`; empty: the source locale).
    #[serde(default)]
    pub locale: String,
    /// A walkthrough attempt: when it was started (the glue's clock, ms).
    /// Every record of one attempt carries it, across page loads, so a
    /// report can follow one person's way through the steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u64>,
}

/// Where a record happened, without what the URL could carry about the
/// user (ids in paths, `?reset_token=`, `#access_token=`): the page's origin
/// and the content's `applies_to` pattern that matched it, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRef {
    pub origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
}

/// Which content, at which version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentRef {
    pub kind: ContentKind,
    pub id: String,
    pub version: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    Walkthrough,
    Article,
}

/// How a walkthrough was started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaunchedFrom {
    /// The help panel's list or a search result.
    #[default]
    Panel,
    /// An offer shown by an `on_element`/`on_error` trigger.
    Trigger,
    /// A link into the app that names the walkthrough.
    DeepLink,
    /// `trigger = "auto_first_visit"`.
    AutoStart,
}

/// How a step was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepDone {
    /// The user clicked the target.
    Click,
    /// The user typed in the target (`advance = "input"`).
    Input,
    /// The user committed a value (`advance = "change"`).
    Change,
    /// The card's Next button.
    Next,
    /// A decision's answer.
    Choice,
    /// The page changed as the step waits for (`appear`, `disappear`, `url`).
    Page,
}

/// Why a step was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// The user pressed Skip on the "can't find it" card.
    User,
    /// An `optional` step whose target was not found in time.
    Optional,
}

/// The kinds, each with exactly its own fields. Steps are named by id and
/// by 0-based position in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    Launched {
        from: LaunchedFrom,
    },
    StepShown {
        step: String,
        index: usize,
        of: usize,
    },
    StepCompleted {
        step: String,
        index: usize,
        how: StepDone,
    },
    StepSkipped {
        step: String,
        index: usize,
        why: Skipped,
    },
    /// A step whose target was not found in time.
    TargetMissing {
        step: String,
        index: usize,
    },
    /// Several elements matched a step's target and none stood out.
    TargetAmbiguous {
        step: String,
        index: usize,
    },
    /// The last step done (a check, if any, follows).
    Completed {
        steps: usize,
    },
    /// Closed before the end, at this step.
    Abandoned {
        step: String,
        index: usize,
    },
    ArticleOpened,
    /// A search the user moved on from: opened a result (`opened`, 1-based
    /// `position`), or left it. `query` is scrubbed.
    Searched {
        query: String,
        results: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opened: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<usize>,
    },
    /// A search that found nothing (recorded once the user moves on).
    SearchZero {
        query: String,
    },
    /// A trigger's offer was shown, taken or turned down.
    TriggerOffered,
    TriggerTaken,
    TriggerDeclined,
    /// One check question answered (`question` is 0-based).
    Answered {
        question: usize,
        correct: bool,
    },
    /// A check finished: the fraction right, 0 to 1.
    CheckCompleted {
        score: f32,
        passed: bool,
    },
    /// A "what changed" card was shown.
    ChangeSeen,
    /// Guidance stopped (the page kept removing the overlay).
    GuidanceStopped {
        reason: String,
    },
}

impl What {
    /// The JSON `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            What::Launched { .. } => "launched",
            What::StepShown { .. } => "step_shown",
            What::StepCompleted { .. } => "step_completed",
            What::StepSkipped { .. } => "step_skipped",
            What::TargetMissing { .. } => "target_missing",
            What::TargetAmbiguous { .. } => "target_ambiguous",
            What::Completed { .. } => "completed",
            What::Abandoned { .. } => "abandoned",
            What::ArticleOpened => "article_opened",
            What::Searched { .. } => "searched",
            What::SearchZero { .. } => "search_zero",
            What::TriggerOffered => "trigger_offered",
            What::TriggerTaken => "trigger_taken",
            What::TriggerDeclined => "trigger_declined",
            What::Answered { .. } => "answered",
            What::CheckCompleted { .. } => "check_completed",
            What::ChangeSeen => "change_seen",
            What::GuidanceStopped { .. } => "guidance_stopped",
        }
    }
}

impl LaunchedFrom {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            LaunchedFrom::Panel => "panel",
            LaunchedFrom::Trigger => "trigger",
            LaunchedFrom::DeepLink => "deep_link",
            LaunchedFrom::AutoStart => "auto_start",
        }
    }
}

impl StepDone {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            StepDone::Click => "click",
            StepDone::Input => "input",
            StepDone::Change => "change",
            StepDone::Next => "next",
            StepDone::Choice => "choice",
            StepDone::Page => "page",
        }
    }
}

impl Skipped {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Skipped::User => "user",
            Skipped::Optional => "optional",
        }
    }
}

impl Record {
    pub fn kind(&self) -> &'static str {
        self.what.kind()
    }
}
