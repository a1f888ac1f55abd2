//! Records (analytics): the context every record carries, built here once,
//! and the records that follow from what is on screen rather than from one
//! handler (an offer shown). Handlers call [`Engine::note`] or
//! [`Engine::note_tour`]; `handle` sends the notes after the event.

use super::*;
use crate::analytics::{ContentKind, ContentRef, What};

impl Engine {
    /// Records `what` about content `about` (kind, id), in attempt `attempt`.
    pub(super) fn note(
        &self,
        s: &mut Session,
        what: What,
        about: Option<(ContentKind, &str)>,
        attempt: Option<u64>,
    ) {
        let content = about.and_then(|(kind, id)| {
            let version = match kind {
                ContentKind::Walkthrough => self.library.walkthrough(id)?.version.clone(),
                ContentKind::Article => self.library.article(id)?.version.clone(),
            };
            Some(ContentRef {
                kind,
                id: id.to_string(),
                version,
            })
        });
        let record = Record {
            what,
            page: self.page_ref(&s.url, about.map(|(_, id)| id)),
            content,
            bundle: self.bundle_version(),
            environment: self
                .manifest
                .as_ref()
                .map(|m| m.env.as_str().to_string())
                .unwrap_or_default(),
            locale: self.content_locale(s).to_string(),
            attempt,
        };
        s.notes.push(record);
    }

    /// Records `what` about the walkthrough in progress, at the version it
    /// started on.
    pub(super) fn note_tour(&self, s: &mut Session, what: What) {
        let Some(t) = s.tour.as_ref() else { return };
        let (id, version, attempt) = (t.walkthrough.clone(), t.version.clone(), t.started);
        self.note(
            s,
            what,
            Some((ContentKind::Walkthrough, &id)),
            Some(attempt),
        );
        // The version the person saw, even if the bundle moved on since.
        if let Some(c) = s.notes.last_mut().and_then(|r| r.content.as_mut()) {
            c.version = version;
        }
    }

    /// Records `what` about a check: `(walkthrough, version, attempt)`.
    pub(super) fn note_check(&self, s: &mut Session, about: &(String, String, u64), what: What) {
        let (id, version, attempt) = about;
        self.note(
            s,
            what,
            Some((ContentKind::Walkthrough, id)),
            Some(*attempt),
        );
        if let Some(c) = s.notes.last_mut().and_then(|r| r.content.as_mut()) {
            c.version = version.clone();
        }
    }

    /// The current step as `(id, index)`.
    pub(super) fn step_ref(&self, s: &Session) -> Option<(String, usize)> {
        self.current(s).map(|c| (c.step().id.clone(), c.i))
    }

    /// Records the step now current as shown.
    pub(super) fn note_step_shown(&self, s: &mut Session) {
        if let Some(cur) = self.current(s) {
            let (w, st, i) = (&cur.w, cur.step(), cur.i);
            let what = What::StepShown {
                step: st.id.clone(),
                index: i,
                of: w.steps.len(),
            };
            self.note_tour(s, what);
        }
    }

    /// A search the user moved on from: opened `opened` (at 1-based
    /// `position`) or left it. Zero results record as `search_zero`.
    pub(super) fn note_search(&self, s: &mut Session, opened: Option<(&str, usize)>) {
        let Some((query, results)) = s.pending_search.take() else {
            return;
        };
        let query = crate::scrub::scrub_query(&query);
        let what = if results == 0 {
            What::SearchZero { query }
        } else {
            What::Searched {
                query,
                results,
                opened: opened.map(|(id, _)| id.to_string()),
                position: opened.map(|(_, p)| p),
            }
        };
        self.note(s, what, None, None);
    }

    /// After the view is derived: an offer newly on screen is recorded.
    pub(super) fn note_offer(&self, s: &mut Session, old: Option<&View>, new: &View) {
        if let View::Offer { item } = new {
            let same = matches!(old, Some(View::Offer { item: o }) if o.id == item.id);
            if !same {
                self.note(
                    s,
                    What::TriggerOffered,
                    Some((item.kind.content(), &item.id)),
                    None,
                );
            }
        }
    }
}
