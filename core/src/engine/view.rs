//! What the overlay frame shows ([`View`]: panel, article, card, check,
//! offer, completion) and where (the launcher's and the frame's rectangles).
//! It derives views from the session; it must not change the session.

use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    Hidden,
    Panel(PanelView),
    Article(ArticleView),
    Card(CardView),
    /// A comprehension question after a walkthrough.
    Check(CheckView),
    Done {
        title: String,
        /// The check's outcome, if the walkthrough had one.
        #[serde(default)]
        result: Option<CheckOutcome>,
        /// What to read or do next (the More moment).
        #[serde(default)]
        related: Vec<PanelItem>,
    },
    /// Solve moment: what is on screen matches a trigger; the fix is offered
    /// (Start, or Dismiss for this page load).
    Offer {
        item: PanelItem,
    },
    /// Record mode: the steps captured so far, or the exported file.
    Recorder(RecorderView),
    /// Change moment: a walkthrough of this screen has a new version with a
    /// `change_note` (Start to take it, Dismiss for "Got it").
    Change(ChangeView),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeView {
    pub id: String,
    pub title: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecorderView {
    pub steps: Vec<RecStepView>,
    /// The step whose element the author is picking again.
    #[serde(default)]
    pub repick: Option<usize>,
    /// Who the file will name as owner (empty: "unassigned").
    #[serde(default)]
    pub owner: String,
    /// Set once the author exported: the walkthrough file to save.
    #[serde(default)]
    pub export: Option<ExportView>,
    /// The `applies_to` patterns the file will have, each with the pages
    /// visited while recording that it matches.
    #[serde(default)]
    pub pages: Vec<crate::recorder::PagePreview>,
    /// Visited pages no pattern matches.
    #[serde(default)]
    pub unmatched: Vec<String>,
    /// The author wrote the patterns (else they are generalised).
    #[serde(default)]
    pub pages_custom: bool,
    #[serde(default)]
    pub pages_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecStepView {
    pub title: String,
    /// `click` or `change`.
    pub action: String,
    /// The targets kept, best first.
    pub target: Vec<String>,
    /// The page counted the suggestions.
    pub counted: bool,
    /// No suggestion found only this element: re-pick or edit.
    pub ambiguous: bool,
    /// The page pattern it was recorded on.
    pub page: String,
    /// Markdown, as written in the card.
    #[serde(default)]
    pub body: String,
    pub placement: Placement,
    /// What moves it on, and the choices the card offers.
    pub advance: crate::recorder::Moves,
    #[serde(default)]
    pub advances: Vec<crate::recorder::Moves>,
    /// Counted after the page had moved on: the targets are unchecked.
    #[serde(default)]
    pub unchecked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportView {
    pub file: String,
    pub text: String,
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
    pub items: Vec<PanelItem>,
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
    /// Policy `features.recorder`: the panel offers "Record a walkthrough".
    #[serde(default)]
    pub recorder: bool,
    /// A message above the list, such as a link to content not here.
    #[serde(default)]
    pub notice: Option<String>,
    /// The moment the list is filtered to, and the moments the user's
    /// content has (the filter's choices; none when there is one only).
    #[serde(default)]
    pub moment: Option<Moment>,
    #[serde(default)]
    pub moments: Vec<Moment>,
    /// Onboarding checklists for this user, with their progress (before
    /// any search only).
    #[serde(default)]
    pub checklists: Vec<ChecklistView>,
}

/// An onboarding checklist in the panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecklistView {
    pub id: String,
    pub title: String,
    pub items: Vec<ChecklistItem>,
    /// How many items are done.
    pub done: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub id: String,
    pub kind: ItemKind,
    pub title: String,
    pub done: bool,
}

pub(super) fn yes() -> bool {
    true
}

/// What a panel entry opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Walkthrough,
    Article,
}

impl ItemKind {
    /// As analytics names it.
    pub fn content(self) -> ContentKind {
        match self {
            ItemKind::Walkthrough => ContentKind::Walkthrough,
            ItemKind::Article => ContentKind::Article,
        }
    }

    /// The JSON name (`walkthrough`, `article`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Walkthrough => "walkthrough",
            ItemKind::Article => "article",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanelItem {
    pub id: String,
    pub kind: ItemKind,
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
    /// A job aid: the boxes (`Inline::Task` indexes) this user ticked.
    #[serde(default)]
    pub ticked: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardView {
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
    /// The author previews a recording: the card says so, and ending it
    /// goes back to the recording.
    #[serde(default)]
    pub preview: bool,
    /// It started by itself: the card offers Not now and Don't show again.
    #[serde(default)]
    pub auto: bool,
}

impl Engine {
    pub(super) fn view(&self, s: &Session) -> View {
        if let (Some(r), None) = (&s.recording, &s.preview) {
            return self.recorder_view(s, r);
        }
        if let Some(p) = &s.panel {
            return self.panel_view(s, p);
        }
        if let Some(w) = s
            .change
            .as_deref()
            .and_then(|id| self.library.walkthrough(id))
        {
            return View::Change(ChangeView {
                id: w.id.clone(),
                title: self.localised_title(&s.locale, &w.title, &w.translations),
                note: w.meta.change_note.clone().unwrap_or_default(),
            });
        }
        if let Some(d) = &s.done {
            return View::Done {
                title: d.title.clone(),
                result: d.result.clone(),
                related: d.related.clone(),
            };
        }
        if let Some(q) = &s.quiz {
            let w = self.walkthrough(s, &q.walkthrough);
            let question = w
                .as_deref()
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
            Some(cur) => {
                let (w, st, i) = (&cur.w, cur.step(), cur.i);
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
                View::Card(CardView {
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
                    preview: s.preview.is_some(),
                    auto: s.tour.as_ref().is_some_and(|t| t.auto),
                })
            }
            None => self
                .offer(s)
                .map_or(View::Hidden, |item| View::Offer { item }),
        }
    }

    pub(super) fn launcher_rect(&self, vp: Size) -> Rect {
        Rect {
            x: vp.width - LAUNCHER_MARGIN - LAUNCHER_SIZE,
            y: vp.height - LAUNCHER_MARGIN - LAUNCHER_SIZE,
            width: LAUNCHER_SIZE,
            height: LAUNCHER_SIZE,
        }
    }

    pub(super) fn frame(&self, s: &Session, view: &View) -> Option<Rect> {
        let card = s.card.unwrap_or(DEFAULT_CARD);
        match view {
            View::Hidden => None,
            // Beside what triggered it, once the agent found it.
            View::Offer { .. } if s.target.is_some() && self.offer_watch(s).is_some() => {
                let t = s.target?;
                Some(geometry::place_card(t, card, s.viewport, Placement::Auto).0)
            }
            View::Panel(_)
            | View::Article(_)
            | View::Check(_)
            | View::Done { .. }
            | View::Recorder(_)
            | View::Change(_)
            | View::Offer { .. } => Some(geometry::above_launcher(
                card,
                s.viewport,
                self.launcher_rect(s.viewport),
            )),
            View::Card(_) => {
                let cur = self.current(s)?;
                let st = cur.step();
                if st.target.is_empty() || s.step.missing || !self.on_step_page(s, st) {
                    Some(geometry::centre(card, s.viewport))
                } else {
                    let t = s.target?;
                    // Right to left, "beside" starts on the left.
                    let placement = match st.placement {
                        Placement::Auto if crate::content::is_rtl(self.content_locale(s)) => {
                            Placement::Left
                        }
                        p => p,
                    };
                    Some(geometry::place_card(t, card, s.viewport, placement).0)
                }
            }
        }
    }
}

/// Event handlers (`Engine::handle` dispatches).
impl Engine {
    pub(super) fn card_resized(&self, s: &mut Session, width: f64, height: f64) {
        if width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0 {
            s.card = Some(Size { width, height });
        }
    }
}
