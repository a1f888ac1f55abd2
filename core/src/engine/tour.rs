//! Walkthroughs: starting one, moving between steps (Next, Back, branches,
//! decisions, skipping), the current step, and localised titles.

use super::*;

/// What the card tells the user to do, by advance rule.
pub(super) fn hint(a: &Advance) -> Option<&'static str> {
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

/// A walkthrough being played: the library's, or the recording an author
/// previews (`Session::preview`, owned by the session, so its handle is
/// shared rather than borrowed from it: handlers change the session while
/// they hold one).
pub(super) enum Playing<'a> {
    Library(&'a Walkthrough),
    Preview(Arc<Walkthrough>),
}

impl std::ops::Deref for Playing<'_> {
    type Target = Walkthrough;
    fn deref(&self) -> &Walkthrough {
        match self {
            Playing::Library(w) => w,
            Playing::Preview(w) => w,
        }
    }
}

/// The walkthrough in progress and the index of its current step (always
/// in range: [`Engine::current`] checks).
pub(super) struct Current<'a> {
    pub w: Playing<'a>,
    pub i: usize,
}

impl Current<'_> {
    pub fn step(&self) -> &Step {
        &self.w.steps[self.i]
    }
}

impl Engine {
    /// Walkthrough `id`: the one under preview first (a re-recorded
    /// walkthrough previews as recorded, not as the bundle has it).
    pub(super) fn walkthrough(&self, s: &Session, id: &str) -> Option<Playing<'_>> {
        if let Some(p) = s.preview.as_ref().filter(|p| p.id == id) {
            return Some(Playing::Preview(p.clone()));
        }
        self.library.walkthrough(id).map(Playing::Library)
    }

    pub(super) fn start(&self, s: &mut Session, id: &str, from: LaunchedFrom) {
        if let Some(w) = self.walkthrough(s, id) {
            s.tour = Some(Tour {
                walkthrough: w.id.clone(),
                version: w.version.clone(),
                step: 0,
                history: Vec::new(),
                bundle: self.bundle_version(),
                started: s.now,
                auto: false,
            });
            self.note_tour(s, What::Launched { from });
            self.note_step_shown(s);
            s.done = None;
            s.target = None;
            s.step = StepState::default();
            // Taken up: not offered again on this page load.
            s.dismissed.insert(w.id.clone());
        }
    }

    /// Leaves the current step without doing it: on to the next one (a
    /// decision's first successor is the next step in the file).
    pub(super) fn skip(&self, s: &mut Session, why: Skipped) {
        let Some(cur) = self.current(s) else {
            return;
        };
        let (w, st, i) = (&cur.w, cur.step(), cur.i);
        let step = st.id.clone();
        self.note_tour(
            s,
            What::StepSkipped {
                step,
                index: i,
                why,
            },
        );
        let next = match &st.branch {
            Branch::Next | Branch::Choices(_) => w.steps.get(i + 1).map(|n| n.id.clone()),
            Branch::Goto(id) => Some(id.clone()),
            Branch::End => None,
        };
        self.go(s, next.as_deref().unwrap_or(crate::content::END));
    }

    /// Moves on from the current step as its branch says. A decision step
    /// waits for `Choose` instead.
    pub(super) fn advance(&self, s: &mut Session, how: StepDone) {
        let Some(cur) = self.current(s) else {
            return;
        };
        let (w, st, i) = (&cur.w, cur.step(), cur.i);
        if !matches!(st.branch, Branch::Choices(_)) {
            let step = st.id.clone();
            self.note_tour(
                s,
                What::StepCompleted {
                    step,
                    index: i,
                    how,
                },
            );
        }
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
    pub(super) fn go(&self, s: &mut Session, id: &str) {
        let Some(Current { w, i }) = self.current(s) else {
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
                self.note_step_shown(s);
            }
            None => {
                let title = self.localised_title(&s.locale, &w.title, &w.translations);
                let steps = s.tour.as_ref().map_or(0, |t| t.history.len() + 1);
                self.note_tour(s, What::Completed { steps });
                let attempt = s.tour.as_ref().map_or(0, |t| t.started);
                s.tour = None;
                // An onboarding checklist ticks it (a preview is the
                // author's, not a completion).
                if s.preview.is_none() {
                    if let Some(seen) = s.seen.as_mut() {
                        seen.done.insert(w.id.clone());
                    }
                }
                if w.check.as_ref().is_some_and(|c| !c.questions.is_empty()) {
                    s.quiz = Some(Quiz {
                        walkthrough: w.id.clone(),
                        version: w.version.clone(),
                        title,
                        question: 0,
                        correct: 0,
                        attempt,
                    });
                } else {
                    s.done = Some(Done {
                        title,
                        result: None,
                        related: self.related(s, &w.id),
                    });
                }
            }
        }
    }

    pub(super) fn localised_title(
        &self,
        locale: &str,
        title: &str,
        t: &BTreeMap<String, Texts>,
    ) -> String {
        self.texts(locale, t)
            .into_iter()
            .find_map(|t| t.title.clone())
            .unwrap_or_else(|| title.to_string())
    }

    pub(super) fn current(&self, s: &Session) -> Option<Current<'_>> {
        let t = s.tour.as_ref()?;
        let w = self.walkthrough(s, &t.walkthrough)?;
        (t.step < w.steps.len()).then_some(Current { w, i: t.step })
    }

    pub(super) fn is_current(&self, s: &Session, watch: &str) -> bool {
        self.watch_key(s).as_deref() == Some(watch)
    }

    /// Is the user on the page the step happens on?
    pub(super) fn on_step_page(&self, s: &Session, st: &Step) -> bool {
        st.url.as_ref().is_none_or(|p| urlmatch::matches(p, &s.url))
    }
}

/// Event handlers (`Engine::handle` dispatches).
impl Engine {
    pub(super) fn url_changed(&self, s: &mut Session, url: String) {
        s.url = url;
        self.record_visit(s);
        self.take_link(s);
        if s.restored {
            if let Some(id) = s.link.take() {
                self.follow_link(s, &id);
            }
        }
        let reached = self.current(s).is_some_and(
            |c| matches!(&c.step().advance, Advance::Url(p) if urlmatch::matches(p, &s.url)),
        );
        if reached {
            self.advance(s, StepDone::Page);
        }
    }

    pub(super) fn start_asked(&self, s: &mut Session, id: String) {
        if self.walkthrough(s, &id).is_some() && self.for_user(s, &id) {
            let offered = matches!(self.view(s), View::Offer { item } if item.id == id)
                || s.change.as_deref() == Some(id.as_str());
            s.change = None;
            if offered {
                self.note(
                    s,
                    What::TriggerTaken,
                    Some((ContentKind::Walkthrough, &id)),
                    None,
                );
            }
            self.close_panel(s);
            let from = if offered {
                LaunchedFrom::Trigger
            } else {
                LaunchedFrom::Panel
            };
            self.start(s, &id, from);
        }
    }

    pub(super) fn next(&self, s: &mut Session) {
        if self
            .current(s)
            .is_some_and(|c| c.step().advance == Advance::Next)
        {
            self.advance(s, StepDone::Next);
        }
    }

    pub(super) fn back(&self, s: &mut Session) {
        if let Some(t) = s.tour.as_mut() {
            // Retrace the path taken; a tour saved without one
            // steps back through the file.
            if let Some(prev) = t.history.pop().or(t.step.checked_sub(1)) {
                t.step = prev;
                s.target = None;
                s.step = StepState::default();
                self.note_step_shown(s);
            }
        }
    }

    pub(super) fn choose(&self, s: &mut Session, index: usize) {
        let goto = self.current(s).and_then(|c| match &c.step().branch {
            Branch::Choices(cs) => cs.get(index).map(|c| c.goto.clone()),
            _ => None,
        });
        if let Some(goto) = goto {
            if let Some((step, index)) = self.step_ref(s) {
                let how = StepDone::Choice;
                self.note_tour(s, What::StepCompleted { step, index, how });
            }
            self.go(s, &goto);
        }
    }

    pub(super) fn skip_asked(&self, s: &mut Session) {
        if self.current(s).is_some() {
            self.skip(s, Skipped::User);
        }
    }

    pub(super) fn close(&self, s: &mut Session, out: &mut Vec<Command>) {
        if let Some((step, index)) = self.step_ref(s) {
            self.note_tour(s, What::Abandoned { step, index });
        }
        s.tour = None;
        s.quiz = None;
        self.close_panel(s);
        s.done = None;
        s.target = None;
        out.push(Command::ReturnFocus);
    }
}
