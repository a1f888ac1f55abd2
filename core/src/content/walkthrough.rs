//! A walkthrough: its steps (target, placement, advance rule, branches and
//! decisions), its trigger and its comprehension check.

use super::*;

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

/// What a typed or committed value must be for an `input`/`change` step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueRule {
    /// Only a committed value (`change`) counts, not keystrokes.
    pub change_only: bool,
    /// `*` glob the trimmed value must match (`urlmatch::glob_matches`);
    /// none: any non-empty value. Never matched in password, card or
    /// one-time-code fields (only "non-empty" is).
    pub pattern: Option<String>,
}

impl Advance {
    /// The rule the agent matches typed or committed values against (for
    /// `input` and `change` steps).
    pub fn value_rule(&self) -> Option<ValueRule> {
        let (change_only, pattern) = match self {
            Advance::Input(p) => (false, p),
            Advance::Change(p) => (true, p),
            _ => return None,
        };
        Some(ValueRule {
            change_only,
            pattern: pattern.clone(),
        })
    }

    /// Does a typed or committed `value` satisfy this rule? The reference
    /// for the agent's matcher (extension/src/agent/target.js; both are
    /// checked against core/tests/fixtures/glob.json).
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
