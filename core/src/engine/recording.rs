//! Record mode: the panel's "Record a walkthrough" starts it where policy
//! allows (`features.recorder`); the recorder script reports what the author
//! points at (spotlighted) and picks; each pick becomes a step with targets
//! suggested from its facts (`targeting::suggest`) and kept once the page
//! counted them (`recorder::Recording`); the card edits, reorders, deletes
//! and exports the steps as a walkthrough file. No walkthrough runs while
//! recording.
//!
//! ```text
//!   frame: record_start ──▶ Recording { on } ──worker──▶ recorder script injected
//!   recorder: hovered ─▶ spotlight   picked ─▶ step + CountTargets ─▶ counted ─▶ targets kept
//!   frame: record_edit / record_move / record_delete / record_export / record_discard
//! ```

use super::*;
use crate::content::Target;
use crate::recorder::Moves;

impl Engine {
    pub(super) fn record_start(&self, s: &mut Session) {
        if !self.deployment.recorder || s.recording.is_some() {
            return;
        }
        // One thing at a time: recording ends any walkthrough on screen.
        s.tour = None;
        s.quiz = None;
        s.done = None;
        s.panel = None;
        s.exported = None;
        s.pages_error = None;
        s.recording = Some(Recording::default());
        self.record_visit(s);
    }

    pub(super) fn hovered(&self, s: &mut Session, rect: Rect) {
        if s.recording.is_some() && s.exported.is_none() && s.preview.is_none() {
            s.hover = Some(rect);
        }
    }

    pub(super) fn picked(
        &self,
        s: &mut Session,
        facts: Picked,
        action: RecAction,
        url: String,
        out: &mut Vec<Command>,
    ) {
        if s.exported.is_some() || s.preview.is_some() {
            return;
        }
        let Some(r) = s.recording.as_mut() else {
            return;
        };
        let step = r.pick(&facts, action, &url);
        let queries = r.steps[step]
            .suggestions
            .iter()
            .filter_map(|sg| Target::parse(&sg.target).ok())
            .map(|t| Query::from_target(&t))
            .collect();
        out.push(Command::CountTargets { step, queries });
    }

    pub(super) fn counted(&self, s: &mut Session, step: usize, counts: Vec<usize>) {
        if let Some(r) = s.recording.as_mut() {
            r.counted(step, counts);
        }
    }

    pub(super) fn record_edit(&self, s: &mut Session, index: usize, title: String) {
        if let Some(r) = s.recording.as_mut() {
            r.rename(index, &title);
        }
    }

    pub(super) fn record_details(
        &self,
        s: &mut Session,
        index: usize,
        body: String,
        placement: Placement,
    ) {
        if let Some(r) = s.recording.as_mut() {
            r.describe(index, &body, placement);
        }
    }

    pub(super) fn record_advance(&self, s: &mut Session, index: usize, moves: Moves) {
        if let Some(r) = s.recording.as_mut() {
            r.set_advance(index, moves);
        }
    }

    pub(super) fn record_pages(&self, s: &mut Session, text: &str) {
        if let Some(r) = s.recording.as_mut() {
            s.pages_error = r.set_pages(text).err();
        }
    }

    /// The author moved to another page while recording.
    pub(super) fn record_visit(&self, s: &mut Session) {
        let url = s.url.clone();
        if let (Some(r), None) = (s.recording.as_mut(), &s.preview) {
            r.visit(&url);
        }
    }

    pub(super) fn record_repick(&self, s: &mut Session, index: usize) {
        if let Some(r) = s.recording.as_mut() {
            if index < r.steps.len() {
                r.repick = Some(index);
            }
        }
    }

    pub(super) fn record_move(&self, s: &mut Session, from: usize, to: usize) {
        if let Some(r) = s.recording.as_mut() {
            r.reorder(from, to);
        }
    }

    pub(super) fn record_delete(&self, s: &mut Session, index: usize) {
        if let Some(r) = s.recording.as_mut() {
            r.delete(index);
        }
    }

    pub(super) fn record_export(&self, s: &mut Session) {
        let Some(r) = s.recording.as_ref() else {
            return;
        };
        if r.steps.is_empty() {
            return;
        }
        let owner = self.owner(s);
        let draft = r.export(&owner, self.today, self.library.review_cycle_days);
        s.hover = None;
        s.preview = None;
        s.exported = Some((format!("{}.toml", draft.id), draft.to_toml()));
    }

    pub(super) fn record_discard(&self, s: &mut Session) {
        s.recording = None;
        s.exported = None;
        s.hover = None;
        s.preview = None;
    }

    /// Plays the recording at once, as employees will see it: the steps as
    /// the exported file will build (`Draft::to_walkthrough`), bodies as
    /// rich text. The recorder stands by until the walkthrough ends.
    pub(super) fn record_preview(&self, s: &mut Session) {
        let Some(r) = s.recording.as_ref() else {
            return;
        };
        if r.steps.is_empty() || s.preview.is_some() {
            return;
        }
        let draft = r.export(&self.owner(s), self.today, self.library.review_cycle_days);
        let w = draft.to_walkthrough(body_text);
        let id = w.id.clone();
        s.preview = Some(Arc::new(w));
        s.hover = None;
        self.start(s, &id, LaunchedFrom::Panel);
    }

    /// A preview ends with its walkthrough (finished, closed, or stopped),
    /// once its completion card is gone: back to the recording.
    pub(super) fn preview_over(&self, s: &mut Session) {
        if s.preview.is_some() && s.tour.is_none() && s.done.is_none() && s.quiz.is_none() {
            s.preview = None;
            s.target = None;
        }
    }

    /// Who a recording is exported as owned by: the user policy names,
    /// else the one the page shows, else nobody yet.
    fn owner(&self, s: &Session) -> String {
        self.deployment
            .user_id
            .clone()
            .or_else(|| s.user.as_ref().and_then(|u| u.id.clone()))
            .unwrap_or_default()
    }

    /// The recorder card.
    pub(super) fn recorder_view(&self, s: &Session, r: &Recording) -> View {
        let (pages, unmatched) = r.page_preview();
        View::Recorder(RecorderView {
            pages,
            unmatched,
            pages_custom: r.pages.is_some(),
            pages_error: s.pages_error.clone(),
            steps: r
                .steps
                .iter()
                .map(|st| RecStepView {
                    title: st.title.clone(),
                    action: match st.action {
                        RecAction::Click => "click".into(),
                        RecAction::Change => "change".into(),
                    },
                    target: st.target.clone(),
                    counted: st.counts.is_some(),
                    ambiguous: st.ambiguous(),
                    page: st.page.clone(),
                    body: st.body.clone(),
                    placement: st.placement.unwrap_or(Placement::Auto),
                    unchecked: st.unchecked(),
                    advance: st.moves(),
                    advances: Moves::for_action(st.action).to_vec(),
                })
                .collect(),
            repick: r.repick,
            owner: self.owner(s),
            export: s.exported.as_ref().map(|(file, text)| ExportView {
                file: file.clone(),
                text: text.clone(),
            }),
        })
    }
}

/// A step's body as employees see it: its Markdown compiled where the
/// build has the compiler (the worker does), else its text as written.
fn body_text(md: &str) -> RichText {
    #[cfg(feature = "markdown")]
    if let Ok(t) = crate::richtext::compile_markdown(md) {
        return t;
    }
    let paras = md
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| crate::richtext::Block::Paragraph(vec![crate::richtext::Inline::Text(p.into())]))
        .collect();
    RichText(paras)
}

/// The implicit-role table for the recorder (`Command::Recording`).
pub(super) fn roles() -> Vec<(String, String)> {
    targeting::aria::IMPLICIT
        .iter()
        .map(|(r, css)| (r.to_string(), css.to_string()))
        .collect()
}
