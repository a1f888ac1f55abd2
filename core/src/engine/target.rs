//! What the agent watches for the current step: the watch key and the
//! compiled, bucketed watch list (`targeting::watchlist`).

use super::*;

/// A step's target (keys `target`) and `appear` queries (keys `appear`),
/// bucketed for the agent.
pub(super) fn watch_list(st: &Step) -> WatchList {
    let entry = |key: &'static str| {
        move |t: &Target| Entry {
            key: key.into(),
            query: Query::from_target(t),
        }
    };
    let mut entries: Vec<Entry> = st.target.iter().map(entry("target")).collect();
    if let Advance::Appear(ts) = &st.advance {
        entries.extend(ts.iter().map(entry("appear")));
    }
    WatchList::compile(entries)
}

impl Engine {
    /// Deterministic, so a click reported across a service-worker restart
    /// still refers to the same step.
    pub(super) fn watch_key(&self, s: &Session) -> Option<String> {
        let Some(cur) = self.current(s) else {
            return self.offer_watch(s).map(|(key, _)| key);
        };
        let (w, st, i) = (&cur.w, cur.step(), cur.i);
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
}

/// Event handlers (`Engine::handle` dispatches).
impl Engine {
    pub(super) fn candidates(
        &self,
        s: &mut Session,
        watch: String,
        candidates: Vec<ElementFacts>,
        out: &mut Vec<Command>,
    ) {
        // An offer's element: any of them will do to sit beside.
        if self.current(s).is_none() && self.is_current(s, &watch) {
            if !candidates.is_empty() {
                out.push(Command::Select { watch, index: 0 });
            }
            return;
        }
        if let (true, Some(cur)) = (self.is_current(s, &watch), self.current(s)) {
            let (st, i) = (cur.step(), cur.i);
            match targeting::pick(st.target.len(), &candidates, None) {
                targeting::Pick::Found(index) => {
                    s.step.ambiguous = false;
                    out.push(Command::Select { watch, index });
                }
                targeting::Pick::Ambiguous(_) => {
                    if !s.step.ambiguous {
                        let step = st.id.clone();
                        self.note_tour(s, What::TargetAmbiguous { step, index: i });
                    }
                    s.step.ambiguous = true;
                    s.step.missing = true;
                }
                targeting::Pick::Missing => {}
            }
        }
    }

    pub(super) fn retry(&self, s: &mut Session) {
        if s.step.missing {
            s.step.missing = false;
            s.step.ambiguous = false;
            s.step.attempt += 1;
        }
    }

    pub(super) fn target_missing(&self, s: &mut Session, watch: String) {
        if self.is_current(s, &watch) && s.target.is_none() {
            if let Some(cur) = self.current(s) {
                let (st, i) = (cur.step(), cur.i);
                let step = st.id.clone();
                self.note_tour(s, What::TargetMissing { step, index: i });
                if st.optional {
                    self.skip(s, Skipped::Optional);
                } else {
                    s.step.missing = true;
                }
            }
        }
    }

    pub(super) fn target_input(&self, s: &mut Session, watch: String) {
        let how = self.current(s).and_then(|c| match c.step().advance {
            Advance::Input(_) => Some(StepDone::Input),
            Advance::Change(_) => Some(StepDone::Change),
            _ => None,
        });
        if let (true, Some(how)) = (self.is_current(s, &watch), how) {
            self.advance(s, how);
        }
    }

    pub(super) fn appeared(&self, s: &mut Session, watch: String) {
        if self.is_current(s, &watch)
            && self
                .current(s)
                .is_some_and(|c| matches!(c.step().advance, Advance::Appear(_)))
        {
            self.advance(s, StepDone::Page);
        }
    }

    pub(super) fn target_found(&self, s: &mut Session, watch: String, rect: Rect, viewport: Size) {
        if self.is_current(s, &watch) {
            s.target = Some(rect.sane());
            s.viewport = viewport;
            s.step.found = true;
            s.step.missing = false;
        }
    }

    pub(super) fn target_lost(&self, s: &mut Session, watch: String) {
        if self.is_current(s, &watch) {
            s.target = None;
            let gone = s.step.found
                && self
                    .current(s)
                    .is_some_and(|c| c.step().advance == Advance::Disappear);
            if gone {
                self.advance(s, StepDone::Page);
            }
        }
    }

    pub(super) fn target_clicked(&self, s: &mut Session, watch: String) {
        if self.is_current(s, &watch)
            && self
                .current(s)
                .is_some_and(|c| c.step().advance == Advance::Click)
        {
            self.advance(s, StepDone::Click);
        }
    }
}
