//! A recording in progress: the steps an author captured by clicking
//! through the app, each with its suggested targets and how many elements
//! each found on the live page, edited in the card, and exported as a draft
//! walkthrough file. Pure state and operations; the engine owns when they
//! happen (events from the agent and the frame), the worker keeps the
//! recording across page loads.
//!
//! ```text
//!   agent: Picked facts + action + url ─pick()─▶ step (suggestions)  ─▶ agent counts each
//!   agent: counts ─counted()─▶ step.target = suggest::choose(...)     (unique ones, one per kind)
//!   frame: edit / move / delete / repick ─▶ steps
//!   export(owner, today) ─▶ draft::Draft ─▶ .toml (`waymark validate` accepts it unchanged)
//! ```

use serde::{Deserialize, Serialize};

use crate::content::{Date, Placement};
use crate::draft::{self, Draft, DraftStep};
use crate::targeting::suggest::{choose, suggest, Picked, Suggestion};

/// What the author did to the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Clicked it: the step waits for a click.
    Click,
    /// Committed a value in it (a field left, a select changed): the step
    /// waits for a value. The value itself is never reported.
    Change,
}

/// What moves a recorded step on (the file's `advance`). What the author
/// did sets it; the card offers the others that make sense for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moves {
    /// The employee clicks the element.
    Click,
    /// A value is committed in it (the field is left, a choice made).
    Change,
    /// Anything is typed in it.
    Input,
    /// The employee presses Next on the card.
    Next,
}

impl Moves {
    pub fn name(self) -> &'static str {
        match self {
            Moves::Click => "click",
            Moves::Change => "change",
            Moves::Input => "input",
            Moves::Next => "next",
        }
    }

    /// What a step the author `action`ed may move on by, its own first.
    pub fn for_action(action: Action) -> &'static [Moves] {
        match action {
            Action::Click => &[Moves::Click, Moves::Next],
            Action::Change => &[Moves::Change, Moves::Input, Moves::Next],
        }
    }
}

/// Most pages a recording remembers visiting (for the `applies_to` preview).
pub const MAX_VISITED: usize = 50;

/// One captured step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecStep {
    pub title: String,
    /// Markdown, as the author wrote it in the card.
    pub body: String,
    pub action: Action,
    /// Every suggestion, best first, and how many elements each found
    /// (`None` until the agent counted).
    pub suggestions: Vec<Suggestion>,
    pub counts: Option<Vec<usize>>,
    /// What the step keeps (the author may reorder or drop alternatives).
    pub target: Vec<String>,
    /// `top`, `bottom`, `left`, `right` or none (Waymark chooses).
    pub placement: Option<Placement>,
    /// The page's path when it was captured, generalised (`/crm/deals/*`).
    pub page: String,
    /// Set in the card; else what the author did ([`RecStep::moves`]).
    #[serde(default)]
    pub advance: Option<Moves>,
}

impl RecStep {
    /// What moves the step on.
    pub fn moves(&self) -> Moves {
        self.advance.unwrap_or(match self.action {
            Action::Click => Moves::Click,
            Action::Change => Moves::Change,
        })
    }

    /// Found by no alternative uniquely: the author should re-pick or edit.
    pub fn ambiguous(&self) -> bool {
        self.counts
            .as_ref()
            .is_some_and(|c| !c.contains(&1) && c.iter().any(|n| *n > 1))
    }

    /// Counted after the element had gone (a click that changed the page
    /// at once): its targets are unchecked.
    pub fn unchecked(&self) -> bool {
        self.counts
            .as_ref()
            .is_some_and(|c| c.iter().all(|n| *n == 0))
    }
}

/// A recording.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    pub title: String,
    pub steps: Vec<RecStep>,
    /// The step being re-picked, if any: the next pick replaces its target.
    pub repick: Option<usize>,
    /// The pages visited while recording (origin and path: no query or
    /// fragment), in order, each once: what the `applies_to` preview
    /// matches.
    #[serde(default)]
    pub visited: Vec<String>,
    /// `applies_to` as the author set it in the card; else generalised
    /// from the steps' pages ([`Recording::applies_to`]).
    #[serde(default)]
    pub pages: Option<Vec<String>>,
}

/// An `applies_to` pattern and the visited pages it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagePreview {
    pub pattern: String,
    pub matches: Vec<String>,
}

/// A step title from what was clicked: `Click "Save deal"`.
fn title_for(p: &Picked, action: Action) -> String {
    let name = [&p.name, &p.text]
        .into_iter()
        .map(|s| crate::content::normalise_space(s))
        .find(|s| !s.is_empty() && s.chars().count() <= 40);
    match (action, name) {
        (Action::Click, Some(n)) => format!("Click {n}"),
        (Action::Change, Some(n)) => format!("Fill in {n}"),
        (Action::Click, None) => "Click here".into(),
        (Action::Change, None) => "Fill in this field".into(),
    }
}

impl Recording {
    /// The author clicked (or committed a value in) `p` on `url`. Returns
    /// the index of the step it made or changed; its suggestions are to be
    /// counted by the agent next ([`Recording::counted`]).
    pub fn pick(&mut self, p: &Picked, action: Action, url: &str) -> usize {
        let suggestions = suggest(p);
        let target: Vec<String> = suggestions
            .iter()
            .take(3)
            .map(|s| s.target.clone())
            .collect();
        if let Some(i) = self.repick.take().filter(|i| *i < self.steps.len()) {
            let s = &mut self.steps[i];
            s.suggestions = suggestions;
            s.counts = None;
            s.target = target;
            s.page = draft::generalise(url);
            return i;
        }
        self.visit(url);
        self.steps.push(RecStep {
            title: title_for(p, action),
            body: String::new(),
            action,
            suggestions,
            counts: None,
            target,
            placement: None,
            page: draft::generalise(url),
            advance: None,
        });
        self.steps.len() - 1
    }

    /// The agent counted step `i`'s suggestions on the live page.
    pub fn counted(&mut self, i: usize, counts: Vec<usize>) {
        if let Some(s) = self.steps.get_mut(i) {
            if counts.len() == s.suggestions.len() {
                s.target = choose(&s.suggestions, &counts)
                    .into_iter()
                    .map(|s| s.target)
                    .collect();
                s.counts = Some(counts);
            }
        }
    }

    /// The author renamed step `i` in the card.
    pub fn rename(&mut self, i: usize, title: &str) {
        if let Some(s) = self.steps.get_mut(i) {
            s.title = title.trim().chars().take(200).collect();
        }
    }

    /// The author wrote step `i`'s text (Markdown) and chose where its card
    /// goes (`Auto`: Waymark chooses).
    pub fn describe(&mut self, i: usize, body: &str, placement: Placement) {
        if let Some(s) = self.steps.get_mut(i) {
            // The cap an author's file would meet in review.
            s.body = body.chars().take(4000).collect();
            s.placement = Some(placement).filter(|p| *p != Placement::Auto);
        }
    }

    /// The author chose what moves step `i` on; one that makes no sense for
    /// what they did (typing into a button) is ignored.
    pub fn set_advance(&mut self, i: usize, moves: Moves) {
        if let Some(s) = self.steps.get_mut(i) {
            if Moves::for_action(s.action).contains(&moves) {
                s.advance = Some(moves);
            }
        }
    }

    /// The author was on `url`: its path joins the pages the `applies_to`
    /// preview shows (each once, at most [`MAX_VISITED`]).
    pub fn visit(&mut self, url: &str) {
        let parts = crate::urlmatch::split(url);
        let page = format!("{}{}", parts.origin, parts.path);
        if !self.visited.contains(&page) && self.visited.len() < MAX_VISITED {
            self.visited.push(page);
        }
    }

    /// The author's `applies_to` patterns, one per line or comma. Each is
    /// a path (`/crm/deals*`) or a whole URL (`https://…`); `Err` says
    /// which is neither, and nothing changes. Empty: back to the
    /// generalised ones.
    pub fn set_pages(&mut self, text: &str) -> Result<(), String> {
        let patterns: Vec<String> = text
            .split(['\n', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(bad) = patterns.iter().find(|p| {
            !(p.starts_with('/') || p.starts_with("https://") || p.starts_with("http://"))
                || p.chars().any(char::is_whitespace)
                || p.len() > 500
        }) {
            return Err(format!(
                "`{bad}` is not a page pattern: start it with / (a path, like /crm/deals*) or https://"
            ));
        }
        self.pages = Some(patterns).filter(|p| !p.is_empty());
        Ok(())
    }

    /// Where the walkthrough will be offered: the author's patterns, else
    /// the steps' pages generalised.
    pub fn applies_to(&self) -> Vec<String> {
        self.pages.clone().unwrap_or_else(|| {
            let pages: Vec<String> = self.steps.iter().map(|s| s.page.clone()).collect();
            draft::applies_to(&pages)
        })
    }

    /// Each `applies_to` pattern with the visited pages it matches, and the
    /// visited pages none matches (the walkthrough would not be offered
    /// there).
    pub fn page_preview(&self) -> (Vec<PagePreview>, Vec<String>) {
        let patterns = self.applies_to();
        let on = |p: &str, page: &str| crate::urlmatch::matches(p, page);
        // Shown as paths: the author recorded on one app.
        let path = |page: &String| crate::urlmatch::split(page).path.to_string();
        let preview = patterns
            .iter()
            .map(|p| PagePreview {
                pattern: p.clone(),
                matches: self.visited.iter().filter(|v| on(p, v)).map(path).collect(),
            })
            .collect();
        let unmatched = self
            .visited
            .iter()
            .filter(|v| !patterns.iter().any(|p| on(p, v)))
            .map(path)
            .collect();
        (preview, unmatched)
    }

    /// Moves step `from` to position `to`.
    pub fn reorder(&mut self, from: usize, to: usize) {
        if from < self.steps.len() && to < self.steps.len() {
            let s = self.steps.remove(from);
            self.steps.insert(to, s);
        }
    }

    pub fn delete(&mut self, i: usize) {
        if i < self.steps.len() {
            self.steps.remove(i);
        }
    }

    /// The walkthrough file, `status = "draft"`, owned by `owner`, due for
    /// review one cycle after `today`.
    pub fn export(&self, owner: &str, today: Date, review_cycle_days: u32) -> Draft {
        let pages: Vec<String> = self.steps.iter().map(|s| s.page.clone()).collect();
        let first = pages.first().cloned();
        let mut ids: Vec<String> = Vec::new();
        let steps = self
            .steps
            .iter()
            .map(|s| {
                let id = draft::unique(&draft::slug(&s.title, "step"), &ids);
                ids.push(id.clone());
                let mut notes = Vec::new();
                if s.ambiguous() {
                    notes.push("No alternative found only this element when it was recorded: check the target.".into());
                }
                if s.unchecked() {
                    notes.push(
                        "The page changed before the targets could be checked: `waymark check` them."
                            .into(),
                    );
                }
                DraftStep {
                    id,
                    title: if s.title.is_empty() { "Step".into() } else { s.title.clone() },
                    body: s.body.clone(),
                    target: s.target.clone(),
                    advance: s.moves().name().into(),
                    url: Some(s.page.clone()).filter(|p| Some(p) != first.as_ref()),
                    placement: s.placement.and_then(placement_name).map(str::to_string),
                    notes,
                    ..DraftStep::default()
                }
            })
            .collect();
        let title = if self.title.trim().is_empty() {
            "Recorded walkthrough".to_string()
        } else {
            self.title.trim().to_string()
        };
        Draft {
            id: draft::slug(&title, "recorded"),
            title,
            owner: if owner.trim().is_empty() {
                "unassigned".into()
            } else {
                owner.trim().into()
            },
            review_by: Date(today.0 + review_cycle_days.max(1) as i32).to_string(),
            applies_to: self.applies_to(),
            notes: vec!["Recorded with Waymark's recorder: a draft to review.".into()],
            steps,
        }
    }
}

fn placement_name(p: Placement) -> Option<&'static str> {
    match p {
        Placement::Top => Some("top"),
        Placement::Bottom => Some("bottom"),
        Placement::Left => Some("left"),
        Placement::Right => Some("right"),
        Placement::Auto => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::targeting::suggest::Node;

    /// A button the author picked (also the engine's recording tests').
    pub(crate) fn button(test_id: &str, name: &str) -> Picked {
        Picked {
            node: Node {
                tag: "button".into(),
                test_ids: vec![("data-testid".into(), test_id.into())],
                nth_of_type: 1,
                of_type: 1,
                ..Node::default()
            },
            role: Some("button".into()),
            name: name.into(),
            text: name.into(),
            ..Picked::default()
        }
    }

    fn field(name: &str, field_name: &str) -> Picked {
        Picked {
            node: Node {
                tag: "input".into(),
                attrs: vec![("name".into(), field_name.into())],
                nth_of_type: 1,
                of_type: 1,
                ..Node::default()
            },
            role: Some("textbox".into()),
            name: name.into(),
            labelled: true,
            ..Picked::default()
        }
    }

    #[test]
    fn a_recording_becomes_a_draft_with_chosen_targets() {
        let mut r = Recording {
            title: "Create a deal".into(),
            ..Recording::default()
        };
        let a = r.pick(
            &button("new-deal", "New deal"),
            Action::Click,
            "http://127.0.0.1:8080/crm/deals",
        );
        r.counted(a, vec![1, 1, 1]);
        let b = r.pick(
            &field("Deal name", "name"),
            Action::Change,
            "http://127.0.0.1:8080/crm/deals/new",
        );
        r.counted(b, vec![1, 2]);
        let c = r.pick(
            &button("save-deal", "Save deal"),
            Action::Click,
            "http://127.0.0.1:8080/crm/deals/new",
        );
        r.counted(c, vec![1, 1, 1]);
        r.rename(c, "Save the deal");
        r.describe(c, "Click **Save deal**.", Placement::Top);
        let d = r.export("sales-ops", Date::parse("2026-12-04").unwrap(), 90);
        assert_eq!(d.applies_to, ["/crm/deals*"]);
        assert_eq!(d.review_by, "2027-03-04");
        assert_eq!(
            d.steps[0].target,
            [
                "[data-testid=\"new-deal\"]",
                "aria/New deal[role=\"button\"]",
                "text/New deal"
            ]
        );
        assert_eq!(d.steps[1].target, ["aria/Deal name[role=\"textbox\"]"]);
        assert_eq!(d.steps[1].advance, "change");
        assert_eq!(d.steps[1].url.as_deref(), Some("/crm/deals/new"));
        assert_eq!(d.steps[2].id, "save-the-deal");
        assert_eq!(d.steps[2].placement.as_deref(), Some("top"));
        let toml = d.to_toml();
        assert!(toml.contains("status = \"draft\""));
        assert!(toml.contains("body = \"Click **Save deal**.\""));
    }

    #[test]
    fn repick_reorder_and_delete() {
        let mut r = Recording::default();
        r.pick(&button("a", "A"), Action::Click, "/x");
        r.pick(&button("b", "B"), Action::Click, "/x");
        r.pick(&button("c", "C"), Action::Click, "/x");
        r.reorder(2, 0);
        let titles: Vec<&str> = r.steps.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Click C", "Click A", "Click B"]);
        r.delete(1);
        r.repick = Some(0);
        let i = r.pick(&button("d", "D"), Action::Click, "/y");
        assert_eq!(i, 0);
        assert_eq!(r.steps.len(), 2);
        assert_eq!(
            r.steps[0].title, "Click C",
            "a re-pick keeps the author's title"
        );
        assert_eq!(r.steps[0].target[0], "[data-testid=\"d\"]");
        // Counts for another set of suggestions are ignored.
        r.counted(0, vec![1]);
        assert_eq!(r.steps[0].counts, None);
        r.counted(0, vec![2, 2, 2]);
        assert!(r.steps[0].ambiguous());
        let d = r.export("", Date::parse("2026-12-04").unwrap(), 90);
        assert_eq!(d.owner, "unassigned");
        assert_eq!(d.steps[0].notes.len(), 1);
    }

    #[test]
    fn the_author_chooses_what_moves_a_step_on_within_reason() {
        let mut r = Recording::default();
        r.pick(
            &button("save", "Save"),
            Action::Click,
            "https://crm.example/deals",
        );
        r.pick(
            &field("Deal name", "name"),
            Action::Change,
            "https://crm.example/deals",
        );
        assert_eq!(
            (r.steps[0].moves(), r.steps[1].moves()),
            (Moves::Click, Moves::Change)
        );
        r.set_advance(0, Moves::Next);
        r.set_advance(1, Moves::Input);
        // Typing into a button makes no sense: ignored.
        r.set_advance(0, Moves::Input);
        r.set_advance(9, Moves::Next);
        assert_eq!(
            (r.steps[0].moves(), r.steps[1].moves()),
            (Moves::Next, Moves::Input)
        );
        let d = r.export("ops", Date(20_000), 90);
        assert_eq!(
            (d.steps[0].advance.as_str(), d.steps[1].advance.as_str()),
            ("next", "input")
        );
    }

    #[test]
    fn applies_to_is_previewed_against_the_pages_visited_and_can_be_rewritten() {
        let mut r = Recording::default();
        r.visit("https://crm.example/crm/deals?tab=2");
        r.pick(
            &button("new", "New deal"),
            Action::Click,
            "https://crm.example/crm/deals",
        );
        r.visit("https://crm.example/crm/deals/4821/edit#notes");
        r.pick(
            &button("save", "Save"),
            Action::Click,
            "https://crm.example/crm/deals/4821/edit",
        );
        r.visit("https://crm.example/reports");
        assert_eq!(
            r.visited,
            [
                "https://crm.example/crm/deals",
                "https://crm.example/crm/deals/4821/edit",
                "https://crm.example/reports"
            ]
        );
        let (pages, unmatched) = r.page_preview();
        assert_eq!(
            pages,
            [PagePreview {
                pattern: "/crm/deals*".into(),
                matches: vec!["/crm/deals".into(), "/crm/deals/4821/edit".into()],
            }]
        );
        assert_eq!(unmatched, ["/reports"]);

        assert!(r.set_pages("/crm/deals, /reports*\n").is_ok());
        let (pages, unmatched) = r.page_preview();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].matches, ["/reports"]);
        // Narrowed to the list itself: the edit page is no longer covered,
        // and the preview says so.
        assert_eq!(unmatched, ["/crm/deals/4821/edit"]);
        assert_eq!(
            r.export("ops", Date(20_000), 90).applies_to,
            ["/crm/deals", "/reports*"]
        );
        let full = r.set_pages("https://crm.example/crm/*");
        assert!(full.is_ok());
        assert_eq!(r.page_preview().0[0].matches.len(), 2);

        let err = r.set_pages("crm/deals").unwrap_err();
        assert!(err.contains("`crm/deals` is not a page pattern"), "{err}");
        assert_eq!(
            r.applies_to(),
            ["https://crm.example/crm/*"],
            "a bad edit changes nothing"
        );
        assert!(r.set_pages("  ").is_ok());
        assert_eq!(r.applies_to(), ["/crm/deals*"], "empty: generalised again");

        for i in 0..2 * MAX_VISITED {
            r.visit(&format!("https://crm.example/p{i}"));
        }
        assert_eq!(r.visited.len(), MAX_VISITED);
    }
}
