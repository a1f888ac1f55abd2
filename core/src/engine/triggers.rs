//! The Solve moment: triggers (`on_element` / `on_error`) watched as
//! sentinels on the pages their walkthroughs apply to, and the offer shown
//! when one is present.

use super::*;

impl Engine {
    /// The first walkthrough whose trigger is on screen and that the user has
    /// neither taken nor turned down.
    pub(super) fn offer(&self, s: &Session) -> Option<PanelItem> {
        s.present
            .iter()
            .filter(|id| !s.dismissed.contains(*id))
            .find_map(|id| {
                self.item(
                    (&s.locale, self.viewer(s).as_ref(), None),
                    id,
                    self.kind_of(id),
                    &[],
                )
            })
    }

    /// The triggers of the walkthroughs and articles that apply to `url`,
    /// as the agent's watch list (keys: their ids).
    pub(super) fn sentinels(
        &self,
        url: &str,
        viewer: Option<&Viewer>,
    ) -> (Vec<String>, Vec<Entry>) {
        let mut ids = Vec::new();
        let mut entries = Vec::new();
        // Not even watched for a user the walkthrough is not for.
        let lib = &self.library;
        let all = lib
            .walkthroughs
            .iter()
            .map(|w| (&w.id, &w.trigger, &w.applies_to, &w.meta))
            .chain(
                lib.articles
                    .iter()
                    .map(|a| (&a.id, &a.trigger, &a.applies_to, &a.meta)),
            );
        for (id, trigger, applies_to, meta) in all {
            let (Trigger::OnElement { target, text } | Trigger::OnError { target, text }) = trigger
            else {
                continue;
            };
            if !meta.audience.admits(viewer) || !urlmatch::any_matches(applies_to, url) {
                continue;
            }
            ids.push(id.clone());
            for t in target {
                entries.push(Entry {
                    key: id.clone(),
                    query: Query {
                        contains: text.as_ref().map(|t| t.to_lowercase()),
                        ..Query::from_target(t)
                    },
                });
            }
        }
        (ids, entries)
    }
}

impl Engine {
    /// While an offer shows, the element that triggered it is watched
    /// (key `offer/<id>`), so the offer sits beside it rather than in a
    /// corner: the help is where the problem is.
    pub(super) fn offer_watch(&self, s: &Session) -> Option<(String, Vec<Query>)> {
        // What would show instead of an offer, checked before the view is
        // derived (this runs several times per event).
        let busy = s.tour.is_some()
            || s.quiz.is_some()
            || s.panel.is_some()
            || s.done.is_some()
            || s.change.is_some()
            || s.recording.is_some();
        if busy || s.present.is_empty() {
            return None;
        }
        let View::Offer { item } = self.view(s) else {
            return None;
        };
        let lib = &self.library;
        let trigger = lib
            .walkthrough(&item.id)
            .map(|w| &w.trigger)
            .or_else(|| lib.article(&item.id).map(|a| &a.trigger))?;
        let (Trigger::OnElement { target, text } | Trigger::OnError { target, text }) = trigger
        else {
            return None;
        };
        let queries = target
            .iter()
            .map(|t| Query {
                contains: text.as_ref().map(|t| t.to_lowercase()),
                ..Query::from_target(t)
            })
            .collect();
        Some((format!("offer/{}", item.id), queries))
    }
}

/// Event handlers (`Engine::handle` dispatches).
impl Engine {
    pub(super) fn present(&self, s: &mut Session, key: String, present: bool) {
        if present {
            s.present.insert(key);
        } else {
            s.present.remove(&key);
        }
    }
}
